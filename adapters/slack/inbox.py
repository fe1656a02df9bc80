"""Slack inputs in the inbox: what the listeners store before they ack, and how a stored payload
becomes a command (looking the user up with users.info, outside any transaction)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from adapters.slack import translate as tr
from adapters.slack.gateway import SlackGateway
from adapters.slack.quoted_names import NAMES_WITHIN, names_within
from adapters.slack.users import SlackDirectory
from bot import commands as c
from bot.config import Config
from bot.emoji import canonical_emoji, emoji_set
from bot.flow.inbox import Prepared
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import ReplyTo
from bot.messages import ChatMessage, text
from bot.ports import Clock
from bot.recognition.commands import GiveKudos
from bot.refs import WorkspaceRef
from bot.textcommands import ParseError

__all__ = ["KIND", "ONLY_MEMBERS", "SlackPreparer", "input_key", "stored_payload"]

log = logging.getLogger(__name__)

KIND = "slack"

Body = Mapping[str, Any]

ONLY_MEMBERS = "Sorry, only members of this workspace can take questions."
NO_SUCH_PERSON = "I can't find that person in this workspace; mention them with @ to thank them."

# Fields of a payload that are credentials of sorts or of no use later: never stored.
_DROP = ("token", "trigger_id", "authorizations", "enterprise")


def stored_payload(kind: str, body: Body) -> dict[str, Any]:
    """What the inbox keeps of a request: its kind (command, event, action, view) and body."""
    return {"type": kind, "body": {k: v for k, v in body.items() if k not in _DROP}}


def input_key(kind: str, body: Body) -> str | None:
    """Slack's own identity of an input: the event id (the same on every retry), else the
    trigger id of a command, a click or a form (unique per invocation)."""
    if kind == "event":
        event_id = body.get("event_id")
        return f"slack:ev:{event_id}" if event_id else None
    trigger = body.get("trigger_id")
    if trigger:
        return f"slack:{kind}:{trigger}"
    actions = body.get("actions") or [{}]
    stamp = actions[0].get("action_ts") if isinstance(actions[0], dict) else None
    user = user_id(body)
    return f"slack:{kind}:{user}:{stamp}" if stamp and user else None


def user_id(body: Body) -> str:
    user = body.get("user")
    if isinstance(user, dict):
        return str(user.get("id", ""))
    event = body.get("event")
    if isinstance(event, dict) and isinstance(event.get("user"), dict):  # user_change
        return str(event["user"].get("id", ""))
    if isinstance(event, dict) and event.get("user"):
        return str(event["user"])
    return str(body.get("user_id") or user or "")


def lane(body: Body) -> str:
    """One person's inputs are processed in order (the same lane as their commands' actor)."""
    return f"u:{tr.user_ref(user_id(body)).key()}"


@dataclass
class SlackPreparer:
    """`bot.flow.inbox.Preparer` for rows of kind ``slack``."""

    gateway: SlackGateway
    directory: SlackDirectory
    clock: Clock
    config: Config

    def reply_to(self, item: InboxItem) -> ReplyTo | None:
        kind, body = item.payload["type"], item.payload["body"]
        uid = user_id(body)
        if not uid:
            return None
        user = tr.user_ref(uid)
        if kind == "command":
            return ReplyTo(user, _channel(body.get("channel_id")), token=body.get("response_url"))
        if kind == "action":
            if (body.get("view") or {}).get("type") == "home":
                # The App Home tab: no channel, no response_url; the answer goes by DM and the
                # tab is published again (see MessageBus.handle).
                return ReplyTo(user, from_home=True)
            channel = (body.get("channel") or {}).get("id")
            return ReplyTo(
                user, _channel(channel), token=body.get("response_url"), thread=_pressed_in(body)
            )
        if kind == "view":
            meta = tr.metadata_of(body.get("view") or {})
            if meta.get("home"):
                # A form opened from a button on the App Home tab: what it saved shows there,
                # so the tab is published again (as for a button pressed on it).
                return ReplyTo(user, from_home=True)
            return ReplyTo(user, _channel(meta.get("channel")), token=meta.get("response_url"))
        event = body.get("event") or {}
        if event.get("type") == "app_home_opened":
            return ReplyTo(user, surface="home")
        if event.get("type") == "user_change":
            return None  # nobody to answer: the person has left (or is back, unaware of it)
        reacted = event.get("item") or {}
        channel = reacted.get("channel") or event.get("channel")
        # Said in a thread: a private answer shows in that thread (chat.postEphemeral's
        # thread_ts), not in the channel the reader is not looking at. A reaction's event does
        # not say which thread its message is in: looked up when the answer is sent (for an
        # apology too), unless `prepare` already did.
        if event.get("type") == "reaction_added" and reacted.get("ts"):
            return ReplyTo(user, _channel(channel), reacted=str(reacted["ts"]))
        thread = event.get("thread_ts") if event.get("type") == "message" else None
        return ReplyTo(user, _channel(channel), thread=thread or None)

    def workspace(self, item: InboxItem) -> WorkspaceRef | None:
        # The workspace this gateway serves (`prepare` makes every actor one of it).
        return self.directory.workspace

    async def prepare(self, item: InboxItem) -> Prepared:
        kind, body = item.payload["type"], item.payload["body"]
        if kind == "event" and isinstance(body.get("event"), Mapping):
            # A reply's thread, remembered: a reaction on it later needs no look-up (whoever
            # wrote it, and whatever comes of it).
            self.gateway.learn(body["event"])
        reply_to = self.reply_to(item)
        uid = user_id(body)
        if not uid:
            return Prepared(None)
        change = tr.user_change(body)
        if change is not None:  # no look-up: a deactivated user can't be read any more
            return Prepared(change)
        fallback = str(body.get("user_name") or "")
        who = await self.directory.user(uid, fallback_name=fallback)
        if who.bot:  # an app's bot user (or Slackbot) neither asks nor mentors
            log.debug("a Slack %s from a bot user is ignored", kind)
            return Prepared(None)
        actor = self.directory.actor_of(who)
        built = await self._command(kind, body, actor)
        if reply_to is not None and isinstance(built, c.HandleReaction):
            reply_to = _in_thread(reply_to, built)
            if self._claims(built) and reply_to.reacted is not None:
                # A claim is made on a card, at the channel's root: answered there, with no
                # conversations.replies look-up per claim (Slack rate-limits that method hard
                # for apps outside the Marketplace).
                reply_to = replace(reply_to, reacted=None)
        if who.outsider and self._claims(built):
            # Someone of another organisation (a Slack Connect channel) would meet the asker,
            # an anonymous one too.
            said = ChatMessage(body=text(ONLY_MEMBERS))
            return Prepared(None, reply_to, said, workspace=actor.workspace)
        if isinstance(built, ParseError):
            return Prepared(
                None, reply_to, ChatMessage(body=text(built.message)), workspace=actor.workspace
            )
        return Prepared(built, reply_to)

    def _claims(self, built: c.Command | ParseError | None) -> bool:
        """Whether a command takes a question: the claim button, a claim emoji, or accepting a
        hand-over (either way its taker meets the asker)."""
        if isinstance(built, c.HandleReaction):
            return canonical_emoji(built.emoji) in emoji_set(self.config.claim.emoji)
        return isinstance(built, c.ClaimQuestion | c.AcceptHandOver)

    async def _command(
        self, kind: str, body: Body, actor: c.Actor
    ) -> c.Command | ParseError | None:
        if kind == "command":
            said = body.get("text", "")
            unnamed = tr.unnamed_mentions(said)
            # Slack may send a mention as ``<@U1>`` alone: its name, looked up (briefly), so
            # the question reads "@bob", not "@someone".
            names = await self._names(unnamed) if unnamed else {}
            typed = tr.slash_command(
                body["command"], said, actor=actor, now=self.clock.now(), names=names
            )
            if isinstance(typed, GiveKudos) and not typed.to_bot:
                # As on Discord: kudos are for people, never a bot (nor Slackbot), and for
                # someone in this workspace (Slack knows nobody by that id, or they left).
                to = await self.directory.user(typed.to.id, fallback_name=typed.to_name)
                if to.missing:
                    return ParseError(NO_SUCH_PERSON)
                typed = replace(typed, to_bot=to.bot)
            return None if isinstance(typed, tr.OpenModal) else typed
        if kind == "action":
            actions = body.get("actions") or [{}]
            pressed = tr.block_action(actions[0].get("action_id", ""), actor=actor)
            return None if isinstance(pressed, tr.OpenModal) else pressed
        if kind == "view":
            return tr.view_submission(body.get("view") or {}, actor=actor)
        return await self._event(body.get("event") or {}, actor)

    async def _names(self, users: list[str]) -> dict[str, str]:
        try:
            return await names_within(self.directory, users, within=NAMES_WITHIN)
        except Exception:  # a name is a nicety: the command goes on with "@someone"
            log.warning("the names a Slack command mentions were not looked up", exc_info=True)
            return {}

    async def _event(self, event: Body, actor: c.Actor) -> c.Command | None:
        kind = event.get("type")
        if kind == "app_home_opened":
            return c.ShowHome(actor)
        if kind == "reaction_added":
            item = event.get("item") or {}
            thread = None
            resolving = emoji_set(self.config.claim.resolve_emoji)
            if canonical_emoji(event.get("reaction", "")) in resolving:
                thread = await self.gateway.thread_of(item["channel"], item["ts"])
            return tr.reaction(event, actor=actor, thread=thread)
        if kind == "message":
            thread = tr.thread_of_message(event)
            if thread is None:
                return None
            said = (event.get("text") or "").strip()
            # A resolve emoji said on its own stands for the reaction (`[claim] resolve_emoji`).
            if said and canonical_emoji(said) in emoji_set(self.config.claim.resolve_emoji):
                # On the message typed (the question is found by its thread), not on the card
                # that heads the thread: a ✅ said there is not a reaction to the card.
                typed = tr.message_ref(event["channel"], event["ts"])
                return c.HandleReaction(actor, typed, said, thread)
            return c.RecordThreadActivity(actor, thread=thread)
        return None


def _in_thread(reply_to: ReplyTo, reaction: c.HandleReaction) -> ReplyTo:
    """A reaction whose thread was looked up (for a resolve emoji): its private answer shows in
    that thread when the message is a reply inside it; a reaction to the thread's first message
    (a card in the channel) is answered in the channel, where that message shows. Otherwise
    the thread is looked up when the answer is sent (`SlackGateway.reply`). (A resolve emoji
    typed in a thread is answered in the thread it was typed in.)"""
    if reaction.thread is None or reply_to.channel is None:
        return reply_to
    if reply_to.reacted is None:
        return reply_to
    channel, thread_ts = tr.split_ref(reaction.thread.id)
    _, ts = tr.split_ref(reaction.message.id)
    inside = thread_ts and thread_ts != ts and tr.channel_ref(channel) == reply_to.channel
    return replace(reply_to, thread=thread_ts if inside else None, reacted=None)


def _pressed_in(body: Body) -> str | None:
    """The thread (its thread_ts) of the message whose button was pressed: the container's,
    else the message's; None for a message at the channel's root (a thread's first message
    carries its own ts as thread_ts)."""
    container = body.get("container") or {}
    message = body.get("message") or {}
    thread = container.get("thread_ts") or message.get("thread_ts")
    pressed = container.get("message_ts") or message.get("ts")
    return str(thread) if thread and thread != pressed else None


def _channel(channel_id: object) -> Any:
    return tr.channel_ref(str(channel_id)) if channel_id else None
