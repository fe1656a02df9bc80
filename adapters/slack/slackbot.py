"""`SlackBot`: what the Slack listeners need (store an input, acknowledge it in time, open a
form), and the acknowledgement's texts and budget."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate as tr
from adapters.slack.background import Background
from adapters.slack.errors import api_error
from adapters.slack.gateway import SlackGateway
from adapters.slack.inbox import KIND, input_key, lane, stored_payload, user_id
from adapters.slack.quoted_names import NAMES_WITHIN, names_within
from adapters.slack.render import ask_modal, comment_modal, faq_modal, join_modal, lightning_modal
from adapters.slack.users import SlackDirectory, SlackUser
from bot import commands as c
from bot.config import Config
from bot.flow.inbox import Inbox, InboxClosed
from bot.forms import form_problems
from bot.learning.forms import FAQ_GONE, draft_form, faq_form
from bot.messages import ChatMessage, text
from bot.ports import UnitOfWorkFactory
from bot.privacy.commands import PersonBack, PersonLeft
from bot.refs import WorkspaceRef
from bot.textcommands import parse_ask_command

if TYPE_CHECKING:
    from adapters.slack.channels import ChannelWatch

__all__ = [
    "ARRIVED",
    "FORM_FAILED",
    "NOT_NOW",
    "STORE_BEFORE_ACK_SECONDS",
    "WORKING_ON_IT",
    "NotStored",
    "SlackBot",
]

log = logging.getLogger(__name__)

Body = dict[str, Any]

NOT_NOW = "Sorry, I couldn't take that right now — please try again in a minute."
FORM_FAILED = "Sorry, Slack didn't let me open that form in time. Please try again."
# Slack wants a slash command's response (the HTTP response, or the Socket Mode envelope's ack)
# within 3 seconds of sending it, else the person sees "operation_timeout" (though the command
# still runs); a button press's (block_actions) and a form's (view_submission) likewise, else
# Slack shows an error by the button or in the form. A store still running after this long (a
# slow or locked database) is acknowledged meanwhile (a command with WORKING_ON_IT, a button press
# with nothing, a form closed) and finishes on its own; one that then fails is told on the
# response_url, as the answer would have been (a form's submitter by DM without one; a button on
# the App Home tab has none: it is logged). Counted from the request's arrival when the HTTP
# route says when (ARRIVED in the Bolt context: its middleware spends the same budget), else
# from the listener's start (Socket Mode).
STORE_BEFORE_ACK_SECONDS = 2.5
WORKING_ON_IT = "Got it — working on it…"
ARRIVED = "micromentor_arrived"  # the Bolt context's key for the event loop's time of arrival


class NotStored(Exception):
    """The input could not be stored: it is not acknowledged, so Slack retries (events) or the
    person is told to try again (commands, buttons, forms)."""


@dataclass
class SlackBot:
    """What the listeners need: the inbox, the Slack gateway and user directory, the config."""

    inbox: Inbox
    gateway: SlackGateway
    directory: SlackDirectory
    config: Config
    # Forms opened from a button start from what is stored ([Edit] a draft, [Update] an FAQ).
    uow_factory: UnitOfWorkFactory | None = None
    # Forms opened (and filled in) after the acknowledgement.
    background: Background = field(default_factory=Background, repr=False)
    # Each workspace's configured channels: without a usable mentoring channel (archived,
    # deleted), a question is answered that it can't be posted, and not stored.
    watch: ChannelWatch | None = None
    # How long after a slash command (a button press) arrived its ack may wait for the store.
    answer_within: ClassVar[float] = STORE_BEFORE_ACK_SECONDS

    def team(self, body: Body) -> str:
        """The workspace (team id) an input is for: the one this gateway serves (the OAuth
        mode's: the request's authorizing one), else what the body says."""
        from adapters.slack.teams import team_of_body  # teams imports this module (runtime)

        try:
            team = str(getattr(self.gateway, "team_id", "") or "")
        except LookupError:  # the OAuth mode, for a workspace not installed
            team = ""
        return team or team_of_body(body)

    async def cannot_ask(self, body: Body) -> str | None:
        """What to answer instead of taking a question when the input's workspace has no usable
        mentoring channel (archived, deleted; heard by any replica); None when questions are
        taken there. Asked before the acknowledgement: never a Slack call, and the database at
        most once every few seconds per workspace (`ChannelWatch`)."""
        if self.watch is None:
            return None
        return await self.watch.cannot_ask(self.team(body))

    async def unposted_question(self, body: Body) -> str | None:
        """`cannot_ask` for a slash command that asks a question (`/askmentor` with a question,
        or alone: its form); None for any other (`/askmentor cancel 3`, `faq …` still work)."""
        if self.watch is None:
            return None
        if str(body.get("command") or "").lstrip("/").lower() != "askmentor":
            return None
        raw = str(body.get("text") or "")
        if tr.modal_for("/askmentor", raw) is None:
            actor = c.Actor(tr.user_ref(user_id(body)), "", tr.workspace_ref(self.team(body)))
            if not isinstance(parse_ask_command(actor, tr.unescape(raw).strip()), c.AskQuestion):
                return None
        return await self.cannot_ask(body)

    async def receive(self, kind: str, body: Body) -> bool:
        """Store an input; False for one seen before (a retry). Raises NotStored."""
        key = input_key(kind, body)
        if key is None:
            raise NotStored(f"a Slack {kind} without an id")
        try:
            return await self.inbox.receive(
                key=key, kind=KIND, payload=stored_payload(kind, body), lane=lane(body)
            )
        except InboxClosed as e:
            log.info("shutting down: a Slack %s is not taken", kind)
            raise NotStored(kind) from e
        except Exception as e:
            log.exception("could not store a Slack %s; it is not acknowledged", kind)
            raise NotStored(kind) from e

    async def stored_in_time(self, storing: asyncio.Future[bool], *, since: float) -> bool:
        """Whether `storing` ended (stored, seen before, or NotStored) within what is left of
        the acknowledgement's budget of an input that arrived at `since` (the loop's time)."""
        left = max(since + self.answer_within - asyncio.get_running_loop().time(), 0.0)
        done, _ = await asyncio.wait([storing], timeout=left)
        return bool(done)

    async def before_ack(self, work: Awaitable[None], *, context: Body, what: str) -> None:
        """A write an event brings that Slack will not send again once acknowledged (a
        configured channel lost or back, the app uninstalled): done before the acknowledgement
        while its budget lasts (`answer_within` from the arrival), its failure raised (not
        acknowledged: Slack retries); one slower goes on by itself, acknowledged meanwhile."""
        left = _arrival(context) + self.answer_within - asyncio.get_running_loop().time()
        await self.background.first(work, within=left, what=what)

    def tell_soon(self, body: Body, said: str) -> None:
        """`said` on the input's response_url once Slack has the acknowledgement (Bolt answers
        only when the listener returns; the response_url takes 30 minutes)."""
        url = body.get("response_url")
        if url:
            self.background.start(self.gateway.tell(url, said), what="answering on a response_url")

    def finish_storing(self, storing: asyncio.Future[bool], body: Body, *, what: str) -> None:
        """An input (`what`: "command", "button press", "form") acknowledged before its store
        ended: the store goes on by itself, and when it fails the person is told on the
        response_url (nothing is stored, so nothing else will answer), a form's submitter by DM
        without one; a button on the App Home tab can only be logged. Shutting down (the wait
        cancelled) does not stop the store."""
        log.warning("storing a Slack %s is slow; acknowledged meanwhile", what)

        async def finish() -> None:
            try:
                await asyncio.shield(storing)
            except NotStored:
                await self._not_stored(body, what=what)

        self.background.start(finish(), what=f"storing a slow Slack {what}")

    async def _not_stored(self, body: Body, *, what: str) -> None:
        """Tell the person an input acknowledged meanwhile was not taken: on its response_url
        (a form's is in its private_metadata), else a form's submitter by DM."""
        form = body.get("view") if body.get("type") == "view_submission" else None
        url = body.get("response_url") or tr.metadata_of(form or {}).get("response_url")
        if url:
            await self.gateway.tell(url, NOT_NOW)
        elif form is not None and user_id(body):
            await self.gateway.send_dm(tr.user_ref(user_id(body)), ChatMessage(body=text(NOT_NOW)))
        else:
            log.warning("a slow Slack %s was not stored; nobody can be told", what)

    async def news(self, change: PersonLeft | PersonBack) -> bool:
        """Whether a ``user_change`` changes anything, read before storing it: Slack sends one
        for every profile edit (of a deactivated user too), and most change nothing here. A
        deactivation is news unless the person is recorded as having left already; a
        reactivation only for someone recorded as having left. When that can't be read, it is
        stored (its handler changes nothing that is already so); without a store to read,
        only a deactivation is."""
        if self.uow_factory is None:
            return isinstance(change, PersonLeft)
        try:
            async with self.uow_factory(read_only=True) as uow:
                left_at = await uow.privacy.left_at(change.user)
        except Exception:
            log.exception("could not read whether a Slack user had left; the change is stored")
            return True
        return (left_at is None) == isinstance(change, PersonLeft)

    def form_problems(self, body: Body, view: Body) -> dict[str, str]:
        """What to fix in a submitted ask or join form, by block id (Slack shows plain text)."""
        actor = c.Actor(tr.user_ref(user_id(body)), "", self.directory.workspace)
        command = tr.view_submission(view, actor=actor)
        if command is None:
            return {}
        found = form_problems(command, self.config)
        return {block: problem.replace("`", "") for block, problem in found.items()}

    def open_soon(self, modal: tr.OpenModal, *, body: Body, channel: str | None) -> None:
        """Open a form once Slack has its acknowledgement: a form stores nothing (its submission
        is the input), so Slack's HTTP response need not wait for views.open or for the reads
        that build the form; the trigger's 3 seconds are still ahead."""
        self.background.start(self._open(modal, body=body, channel=channel), what="opening a form")

    def ask_about_soon(self, body: Body, *, since: float) -> None:
        """The message shortcut "Ask a mentor about this", once acknowledged: the ask form with
        the message quoted, its mentions by name (looked up for at most `NAMES_WITHIN` seconds
        after the shortcut arrived at `since`: the trigger's 3 seconds must leave time to open
        the form)."""
        self.background.start(self._ask_about(body, since=since), what="opening a form")

    async def _ask_about(self, body: Body, *, since: float) -> None:
        said = str((body.get("message") or {}).get("text") or "")
        left = since + NAMES_WITHIN - asyncio.get_running_loop().time()
        try:
            names = await names_within(self.directory, tr.mentioned_users(said), within=left)
        except Exception:  # a name is a nicety: the form opens anyway
            log.warning("the names in a quoted Slack message were not looked up", exc_info=True)
            names = {}
        quoted = tr.quoted_for_ask(said, max_length=self.config.ask.max_length, names=names)
        channel = (body.get("channel") or {}).get("id")
        await self._open(tr.OpenModal("ask", initial=quoted), body=body, channel=channel)

    async def _open(self, modal: tr.OpenModal, *, body: Body, channel: str | None) -> None:
        try:
            await self.open_modal(modal, body=body, channel=channel)
        except Exception:
            await self.gateway.tell(body.get("response_url"), NOT_NOW)
            raise

    async def open_modal(self, modal: tr.OpenModal, *, body: Body, channel: str | None) -> None:
        """Open a form on the input's trigger_id, which Slack accepts for 3 seconds: nothing that
        may be slow (a Web API call) comes before views.open; what only Slack knows (the
        person's timezone) is filled in afterwards with views.update."""
        if modal.kind in ("ask", "edit") and body.get("response_url"):
            unposted = await self.cannot_ask(body)
            if unposted is not None:  # no form to fill in for a question that can't be posted
                await self.gateway.tell(body.get("response_url"), unposted)
                return
        meta: dict[str, Any] = {"channel": channel, "response_url": body.get("response_url")}
        if (body.get("view") or {}).get("type") == "home":
            meta["home"] = True  # its submission shows the App Home again (see SlackPreparer)
        view = await self._view(modal, meta, body)
        if view is None or isinstance(view, str):
            said = view if isinstance(view, str) else _GONE.get(modal.kind, NOT_NOW)
            await self.gateway.tell(body.get("response_url"), said)
            return
        client = self.gateway.client
        try:
            opened = await client.views_open(trigger_id=body["trigger_id"], view=view)
        except SlackApiError as e:
            # Most often expired_trigger_id: a form must open within 3 s of the click.
            log.warning("a Slack form could not open: %s", api_error(e))
            await self.gateway.tell(body.get("response_url"), FORM_FAILED)
            return
        uid = user_id(body)
        if modal.kind == "join" and self.directory.known(uid) is None:
            # The look-up runs on its own: the form is open already and may be filled in.
            shown = opened.get("view") or {}
            self.background.start(
                self._show_slack_timezone(client, self.directory.user, uid, meta=meta, shown=shown),
                what="showing the Slack timezone in the join form",
            )

    async def _show_slack_timezone(
        self,
        client: AsyncWebClient,
        lookup: Callable[[str], Awaitable[SlackUser]],
        uid: str,
        *,
        meta: dict[str, Any],
        shown: Body,
    ) -> None:
        """The open join form, updated with the person's Slack timezone as its placeholder."""
        who = await lookup(uid)  # never raises: a failed look-up is logged and a stand-in given
        if not who.timezone or not shown.get("id"):
            return
        view = join_modal(
            meta,
            hours=self.config.mentors.default_hours,
            timezone=None,
            slack_timezone=who.timezone,
        )
        try:
            await client.views_update(view_id=shown["id"], hash=shown.get("hash"), view=view)
        except SlackApiError as e:
            # not_found: submitted or closed meanwhile; hash_conflict: changed meanwhile.
            log.info("the join form was not updated with the Slack timezone: %s", api_error(e))
        except Exception:
            log.warning("the join form was not updated with the Slack timezone", exc_info=True)

    def _workspace_of(self, body: Body) -> WorkspaceRef:
        """The clicker's workspace: the one that authorized the request, else this bot's."""
        from adapters.slack.teams import team_of_body  # teams imports this module (runtime)

        team = team_of_body(body)
        return tr.workspace_ref(team) if team else self.directory.workspace

    async def _view(
        self, modal: tr.OpenModal, meta: dict[str, Any], body: Body
    ) -> dict[str, Any] | str | None:
        """The form to open; None when what it would edit is gone (or can't be read now), or
        what to answer instead of opening it."""
        n = modal.question_id
        if modal.kind == "ask":
            return ask_modal(
                meta,
                allow_anonymous=self.config.ask.allow_anonymous,
                max_length=self.config.ask.max_length,
                initial=modal.initial,
            )
        if modal.kind == "join":
            # Only what is known without asking Slack (users.info may be slow or rate limited,
            # and the trigger lasts 3 s); an empty timezone means the Slack profile's.
            who = self.directory.known(user_id(body))
            return join_modal(
                meta,
                hours=self.config.mentors.default_hours,
                timezone=who.timezone if who is not None else None,
            )
        assert n is not None
        if modal.kind == "lightning":
            return lightning_modal({**meta, "lightning_id": n}, lightning_id=n)
        if modal.kind == "comment":
            return comment_modal({**meta, "question_id": n}, question_id=n)
        if modal.kind == "faq":
            return faq_modal({**meta, "question_id": n}, question_id=n)
        if self.uow_factory is None:
            return None
        if modal.kind == "edit":
            draft = await draft_form(self.uow_factory, tr.user_ref(user_id(body)), n)
            if isinstance(draft, str):
                return draft
            return ask_modal(
                {**meta, "draft_id": draft.draft_id},
                allow_anonymous=self.config.ask.allow_anonymous,
                max_length=self.config.ask.max_length,
                initial=draft.text,
                anonymous=draft.anonymous,
                stage=draft.stage,
            )
        # faqupdate: only an entry of the clicker's workspace (else what to say instead)
        entry = await faq_form(
            self.uow_factory, n, workspace=self._workspace_of(body), user=tr.user_ref(user_id(body))
        )
        if isinstance(entry, str):
            return entry
        return faq_modal(
            # `replace`: an [Update]'s answer takes the place of the one saved.
            {**meta, "question_id": entry.question_id, "replace": True},
            question_id=entry.question_id,
            initial=entry.answer,
        )


_GONE = {"faqupdate": FAQ_GONE}


def _arrival(context: Body) -> float:
    """When an input arrived (the event loop's time): as the HTTP route says (`ARRIVED`), else
    now (Socket Mode)."""
    arrived = context.get(ARRIVED)
    return arrived if isinstance(arrived, float) else asyncio.get_running_loop().time()
