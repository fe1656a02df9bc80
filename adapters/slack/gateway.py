"""The Slack ChatGateway: cards, threads, group DMs, DMs, ephemerals, answers and file uploads
(Web API); Slack's errors are sorted for the deliverer in `adapters.slack.errors`."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.errors import (
    NOT_VISIBLE,
    RESTRICTED_CHANNEL,
    api_error,
    cannot_look,
    classify,
    rate_limited,
    reaching,
)
from adapters.slack.render import (
    blocks_for,
    fallback_text,
    home_text_view,
    home_view,
    permalink_for,
    text_only,
)
from adapters.slack.thread_memory import ThreadMemory
from adapters.slack.translate import message_ref, reacted_message, split_ref, thread_ref
from bot.flow.outbox import ReplyTo
from bot.messages import Attachment, ChatMessage, text
from bot.ports import Clock
from bot.refs import ChannelRef, MessageRef, Ref, ThreadRef, UserRef

if TYPE_CHECKING:
    from adapters.slack.channels import ChannelWatch

__all__ = ["OUTBOX_EVENT", "SlackGateway"]

log = logging.getLogger(__name__)

# The top-level ``text`` (chat.postMessage's docs: "By default, URLs will be hyperlinked. Set
# parse to none to remove the hyperlinks"): a URL in user text stays text there too, as in the
# blocks (`render._mrkdwn`'s verbatim); the bot's own ``<url|label>`` and ``<@U…>`` still work.
# (``link_names`` is never sent: names are not linked without it.)
_NO_AUTOLINKS: dict[str, Any] = {"parse": "none"}
# The event_type of the message metadata that carries a delivery's idempotency key.
OUTBOX_EVENT = "micromentor_outbox"
# A retry looks for its earlier attempt this deep (pages of conversations.history/replies;
# Slack advises at most 200 a page): 1,000 messages posted meanwhile. Since 2025 Slack allows
# commercially distributed apps outside its Marketplace one call a minute to these methods, and
# 15 messages a page: a page after the first that is rate limited ends the look
# (`_already_posted`).
_LOOKBACK_PAGE = 200
_LOOKBACK_PAGES = 5
# conversations.members' largest page (Slack: at most 1,000).
_MEMBERS_PAGE = 1000
# A response_url takes answers for 30 minutes (at most five): a minute short of it, as the
# input was stored a moment after Slack issued it.
RESPONSE_URL_LIFETIME = timedelta(minutes=29)
# Slack refused the message's blocks (chat.postMessage / chat.update / chat.postEphemeral
# errors: the blocks are invalid or too long, or the text is too long): the message is sent
# again as text alone (`render.text_only`: every part of it, within 4,000 characters) rather
# than lost. A second refusal is final (`_REFUSED`).
_BAD_CONTENT = frozenset(
    {"invalid_blocks", "invalid_blocks_format", "msg_blocks_too_long", "msg_too_long"}
)


def _refused_blocks(e: SlackApiError) -> bool:
    """Whether Slack refused a call for its blocks: a `_BAD_CONTENT` error, or (as views.*
    answer) ``invalid_arguments`` naming a block (``[ERROR] must be less than 3001 characters
    [json-pointer:/view/blocks/3/text/text]``)."""
    code = api_error(e)
    if code in _BAD_CONTENT:
        return True
    data = e.response.data
    if code != "invalid_arguments" or not isinstance(data, dict):
        return False
    said = (data.get("response_metadata") or {}).get("messages") or []
    return any("/blocks" in str(m) for m in said)


def _warn_restricted(e: SlackApiError, channel: str) -> None:
    """One line for the operator when a channel's settings refused the app's message
    (`RESTRICTED_CHANNEL`): which channel, and what to change there. (A person's id, the
    target of a DM, is not logged: a DM has none of these settings.)"""
    advice = RESTRICTED_CHANNEL.get(api_error(e))
    if advice is not None and channel.startswith(("C", "G")):  # never a DM's user id
        log.warning(
            "Slack: channel %s refused the app's message (%s): it %s", channel, api_error(e), advice
        )


class SlackGateway:
    """Implements `bot.ports.ChatGateway` with slack_sdk's AsyncWebClient."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        thread_mode: str = "thread",
        workspace_url: str = "",
        session: aiohttp.ClientSession | None = None,
        clock: Clock | None = None,
        watch: ChannelWatch | None = None,
        team_id: str = "",
        threads: ThreadMemory | None = None,
    ) -> None:
        self.client = client
        self.thread_mode = thread_mode
        self.workspace_url = workspace_url
        self._session = session  # shared by the Web API client and response_url answers
        # Without a clock a response_url's age is not known: it is tried, however old.
        self._clock = clock
        # The workspace's configured channels (`team_id`'s): a delivery Slack refuses as
        # archived or not found makes one unusable, one it takes makes it usable again.
        self.watch = watch
        self.team_id = team_id
        self._membership_warned = False  # `_all_in_channel` could not read a channel's members
        # Which thread a message is in, as far as seen (messages received, messages posted,
        # look-ups made): `thread_of` asks Slack only about others. Gateways rebuilt for the
        # same workspace may share one (keyed by team id).
        self.threads = threads if threads is not None else ThreadMemory()

    def _began(self) -> datetime:
        """Now, as a call that tells of a channel's state begins: what its answer says was so
        from then on (the channel watch's clock)."""
        return self.watch.now() if self.watch is not None else datetime.now(UTC)

    async def _refused(self, e: SlackApiError, channel: str, *, at: datetime) -> None:
        """What the operator is told of a refused delivery (begun at `at`): a channel's settings
        that refuse the app, or a configured channel archived or gone (once, not for each row)."""
        _warn_restricted(e, channel)
        if self.watch is not None:
            await self.watch.refused(self.team_id or None, channel, api_error(e), at=at)

    async def aclose(self) -> None:
        """Close the connections (after the last delivery)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def permalink(self, ref: Ref) -> str | None:
        return permalink_for(ref, workspace_url=self.workspace_url)

    def payload(self, message: ChatMessage) -> dict[str, Any]:
        """``blocks`` and ``text`` for any chat.* call or response_url."""
        link = partial(permalink_for, workspace_url=self.workspace_url)
        return {
            "blocks": blocks_for(message, permalink=link),
            "text": fallback_text(message, permalink=link),
            **_NO_AUTOLINKS,
        }

    async def _send(
        self, call: Any, message: ChatMessage, *, clear_blocks: bool = False, **args: Any
    ) -> Any:
        """A chat.* call with `message`; when Slack refuses its blocks (or its length), the
        message as text alone (with `clear_blocks`, an empty block list: chat.update keeps the
        old blocks without one). Other errors are raised as they are (`SlackApiError`)."""
        try:
            return await call(**args, **self.payload(message))
        except SlackApiError as e:
            code = api_error(e)
            if code not in _BAD_CONTENT:
                raise
            log.warning("Slack refused a message (%s); sending it as text alone", code)
        said = text_only(
            message, permalink=partial(permalink_for, workspace_url=self.workspace_url)
        )
        return await call(
            **args, text=said, **_NO_AUTOLINKS, **({"blocks": []} if clear_blocks else {})
        )

    async def _post(
        self,
        channel: str,
        message: ChatMessage,
        *,
        thread_ts: str | None = None,
        key: str = "",
        retry: bool = False,
    ) -> MessageRef:
        """chat.postMessage carrying the delivery's key as message metadata; when an earlier
        attempt may have posted it, look for that key first (exactly once across a crash between
        posting and recording). An attachment is uploaded right after."""
        if retry and key:
            found = await self._already_posted(channel, key, thread_ts=thread_ts)
            if found is not None:
                log.info("a delivery was found already posted; not posting it twice")
                if thread_ts:  # found among the thread's replies (conversations.replies)
                    found_channel, found_ts = split_ref(found.id)
                    if found_ts:
                        self.threads.in_thread(self.team_id, found_channel, found_ts, thread_ts)
                return found
        # The "use the CLI for the chart" note is only for places a file can't go (ephemerals).
        shown = replace(message, attachment=None) if message.attachment else message
        extra: dict[str, Any] = {}
        if key:
            extra["metadata"] = {"event_type": OUTBOX_EVENT, "event_payload": {"key": key}}
        post = partial(
            self._send,
            self.client.chat_postMessage,
            shown,
            channel=channel,
            unfurl_links=False,
            unfurl_media=False,
            thread_ts=thread_ts,
            **extra,
        )
        began = self._began()
        try:
            try:
                resp = await post()
            except SlackApiError as e:
                # A public channel the app was removed from: join it again (channels:join), then
                # post (Slack: not_in_channel; a private one answers channel_not_found instead).
                if api_error(e) != "not_in_channel" or not await self._rejoin(channel):
                    raise
                resp = await post()
        except SlackApiError as e:
            await self._refused(e, channel, at=began)
            raise classify(e) from None
        if self.watch is not None:
            await self.watch.delivered(self.team_id or None, channel, at=began)
        posted = message_ref(str(resp["channel"]), str(resp["ts"]))
        if thread_ts:
            self._posted_in_thread(resp, thread_ts)
        if message.attachment is not None:
            await self._upload(
                message.attachment, channel=str(resp["channel"]), thread_ts=thread_ts
            )
        return posted

    def _posted_in_thread(self, resp: Any, thread_ts: str) -> None:
        """A reply the app posted in the thread `thread_ts`: it, and the thread's first message,
        are remembered as in that thread (the thread Slack says it is in, when it says so)."""
        said = resp.get("message")
        in_thread = said.get("thread_ts") if isinstance(said, dict) else None
        self.threads.in_thread(
            self.team_id, str(resp["channel"]), str(resp["ts"]), str(in_thread or thread_ts)
        )

    def learn(self, event: Mapping[str, Any]) -> None:
        """A message event received (Events API ``message``): the thread of a reply in one."""
        self.threads.learn(self.team_id, event)

    async def _rejoin(self, channel: str) -> bool:
        """Join `channel` after a post was refused with not_in_channel; False (and a line for the
        operator) when Slack does not let the app join it (a private channel: invite the app)."""
        if not channel.startswith("C"):
            return False
        try:
            await self.client.conversations_join(channel=channel)
        except SlackApiError as e:
            log.error(
                "Slack: the app is not in channel %s and could not join it (%s); invite it with "
                "/invite @Micromentor there",
                channel,
                api_error(e),
            )
            return False
        log.info("Slack: joined channel %s again to post there", channel)
        return True

    async def _already_posted(
        self, channel: str, key: str, *, thread_ts: str | None
    ) -> MessageRef | None:
        """The message of an earlier attempt, found by the key in its metadata, a few pages
        deep: the channel's history newest first (in a busy channel more than a page may have
        been posted between the attempt and this retry), or the thread's replies, which Slack
        gives oldest first (a session's thread is far shorter than the pages read)."""
        try:
            if channel.startswith(("U", "W")):  # a DM: history is read from the IM channel
                opened = await self.client.conversations_open(users=channel)
                channel = str(opened["channel"]["id"])
            cursor: str | None = None
            for page in range(_LOOKBACK_PAGES):
                try:
                    resp = await self._lookback_page(channel, thread_ts=thread_ts, cursor=cursor)
                except SlackApiError as e:
                    if not page or not rate_limited(e):
                        raise
                    # The first page was read, the next one is rate limited: waiting would
                    # start the look over at the first page, to meet the same limit again (Slack
                    # allows some apps one call a minute to these methods), for ever. What was
                    # read did not hold it: posted again, as when the look can't be made.
                    log.warning(
                        "could not look further back for an earlier attempt (%s after %d "
                        "page(s)); posting again",
                        api_error(e),
                        page,
                    )
                    return None
                for found in resp.get("messages") or []:
                    meta = found.get("metadata") or {}
                    if (
                        meta.get("event_type") == OUTBOX_EVENT
                        and (meta.get("event_payload") or {}).get("key") == key
                    ):
                        return message_ref(channel, str(found["ts"]))
                cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as e:
            if not cannot_look(e):
                # A rate limit, a 5xx, Slack's internal_error: the earlier attempt may be there
                # all the same; posting now could post it twice. The delivery is tried again
                # later (after Retry-After for a rate limit), looking first again.
                log.info(
                    "could not look for an earlier attempt (%s); trying again later", api_error(e)
                )
                raise classify(e) from None
            log.warning("could not look for an earlier attempt (%s); posting again", api_error(e))
        return None

    async def _lookback_page(
        self, channel: str, *, thread_ts: str | None, cursor: str | None
    ) -> Any:
        """One page of the thread's replies (`thread_ts`), else of the channel's history, with
        the messages' metadata."""
        if thread_ts:
            return await self.client.conversations_replies(
                channel=channel,
                ts=thread_ts,
                include_all_metadata=True,
                limit=_LOOKBACK_PAGE,
                cursor=cursor,
            )
        return await self.client.conversations_history(
            channel=channel, include_all_metadata=True, limit=_LOOKBACK_PAGE, cursor=cursor
        )

    async def _upload(self, file: Attachment, *, channel: str, thread_ts: str | None) -> None:
        """files.getUploadURLExternal → POST the bytes → files.completeUploadExternal.

        Needs the ``files:write`` scope. A failure is logged and swallowed: the message is
        already posted and must stay the result (the chart is also ``micromentor digest --png``).
        """
        try:
            await self.client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                file=file.data,
                filename=file.filename,
                title=file.filename,
            )
        # Logged by its type only: a file name (a data export's holds a user id) and a DM's
        # channel say whom it was for.
        except SlackApiError as e:
            hint = " (invite the app to the channel)" if api_error(e) == "not_in_channel" else ""
            log.warning("uploading an attachment (%s) failed: %s%s", file.mime, api_error(e), hint)
        except Exception as e:  # the upload URL refused the bytes, a timeout, a dropped connection
            log.warning("uploading an attachment (%s) failed: %s", file.mime, type(e).__name__)

    @reaching
    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        return await self._post(channel.id, message, key=key, retry=retry)

    @reaching
    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        channel, ts = split_ref(card.id)
        began = self._began()
        try:
            await self._send(
                self.client.chat_update,
                message,
                clear_blocks=True,
                channel=channel,
                ts=ts or "",
            )
        except SlackApiError as e:
            await self._refused(e, channel, at=began)
            raise classify(e) from None

    @reaching
    async def open_thread(
        self,
        *,
        card: MessageRef | None,
        channel: ChannelRef,
        members: Sequence[UserRef],
        private: bool,
        name: str,
        retry: bool = False,
    ) -> ThreadRef:
        """A reply thread under the card; a group DM (members + the bot) when private,
        configured, or when a member is not in the card's channel (they would never see the
        thread). Each is idempotent: the thread is the card's, conversations.open returns the
        existing group DM. A retry that would choose the thread (the asker joined the channel
        meanwhile) takes the group DM of the same people when it exists and is empty: the earlier
        attempt opened it and failed after, and the session goes on there rather than leave it
        empty (one holding messages is an earlier session's: the thread is taken)."""
        users = ",".join(dict.fromkeys(m.id for m in members))
        if card is not None and not private and self.thread_mode == "thread":
            card_channel, ts = split_ref(card.id)
            if await self._all_in_channel(card_channel, members):
                earlier = await self._existing_group_dm(users) if retry else None
                if earlier is None:
                    return thread_ref(card_channel, ts)
                log.info("a session's group DM was opened by an earlier attempt; kept")
                return thread_ref(earlier)
            log.info("a session's member is not in the mentoring channel; opening a group DM")
        try:
            resp = await self.client.conversations_open(users=users)
        except SlackApiError as e:
            raise classify(e) from None
        return thread_ref(str(resp["channel"]["id"]))

    async def _existing_group_dm(self, users: str) -> str | None:
        """The group DM of `users` (and the bot) when an earlier attempt opened it and left it
        empty: conversations.open's ``prevent_creation`` (documented "to see if there is an
        existing dm or mpdm") finds it without creating one, and its history must hold no
        message — Slack gives the same people the same group DM, so one holding anything is an
        earlier session's, not this attempt's. None when there is none, it holds messages, or
        it can't be told (a DM of one is never one)."""
        if "," not in users:
            return None
        try:
            resp = await self.client.conversations_open(users=users, prevent_creation=True)
            found = (resp.get("channel") or {}).get("id")
            if not found:
                return None
            history = await self.client.conversations_history(channel=str(found), limit=1)
        except SlackApiError as e:
            if not cannot_look(e):
                raise classify(e) from None
            return None
        return None if history.get("messages") else str(found)

    async def _all_in_channel(self, channel: str, members: Sequence[UserRef]) -> bool:
        """Whether every member is in `channel`, from conversations.members (one call per 1,000
        of the channel's members, for all of `members` at once; users.conversations would page
        through each member's channels). When that can't be read (a scope missing: channels:read,
        groups:read), the thread is kept, as before, and the operator told once."""
        wanted = {m.id for m in members}
        cursor: str | None = None
        try:
            while wanted:
                resp = await self.client.conversations_members(
                    channel=channel, limit=_MEMBERS_PAGE, cursor=cursor
                )
                wanted -= {str(m) for m in resp.get("members") or []}
                cursor = (resp.get("response_metadata") or {}).get("next_cursor") or None
                if not cursor:
                    break
        except SlackApiError as e:
            if not cannot_look(e):
                raise classify(e) from None
            self._membership_unknown(e)
            return True
        return not wanted

    def _membership_unknown(self, e: SlackApiError) -> None:
        if self._membership_warned:
            return
        self._membership_warned = True
        log.warning(
            "Slack: could not read who is in the mentoring channel (%s); sessions open in a "
            "thread there without checking the asker and mentor can see it (add the scopes "
            "channels:read and groups:read and reinstall the app)",
            api_error(e),
        )

    @reaching
    async def post_in_thread(
        self, thread: ThreadRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        channel, thread_ts = split_ref(thread.id)
        return await self._post(channel, message, thread_ts=thread_ts, key=key, retry=retry)

    @reaching
    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        # Posting to a user id delivers to the app's Messages tab with that user.
        return await self._post(user.id, message, key=key, retry=retry)

    @reaching
    async def send_private(
        self,
        *,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        key: str = "",
        retry: bool = False,
    ) -> None:
        """Ephemeral in `channel`; a DM when the user can't see the channel."""
        await self._ephemeral(user, channel, message, key=key, retry=retry)

    async def _ephemeral(
        self,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        *,
        key: str,
        retry: bool,
        thread_ts: str | None = None,
    ) -> None:
        """chat.postEphemeral, in the thread `thread_ts` when given (an answer to something said
        in a thread shows there, where its reader is, not in the channel); a DM when the user
        can't see the channel or the channel takes no message from the app."""
        where: dict[str, Any] = {"channel": channel.id, "user": user.id}
        if thread_ts:
            where["thread_ts"] = thread_ts
        try:
            await self._send(self.client.chat_postEphemeral, message, **where)
        except SlackApiError as e:
            _warn_restricted(e, channel.id)
            if api_error(e) not in NOT_VISIBLE:
                raise classify(e) from None
            log.info("ephemeral not possible (%s); sending a DM instead", api_error(e))
            await self.send_dm(user, message, key=key, retry=retry)

    async def _publish_home(self, user_id: str, message: ChatMessage) -> None:
        """views.publish of the App Home tab; when Slack refuses its blocks, published once
        more as one section of the message's text (`render.home_text_view`) rather than left
        as it was. Other errors, and a second refusal, are raised classified."""
        try:
            await self.client.views_publish(
                user_id=user_id, view=home_view(message, permalink=self.permalink)
            )
            return
        except SlackApiError as e:
            if not _refused_blocks(e):
                raise classify(e) from None
            log.warning(
                "Slack refused the Home tab (%s); publishing it as text alone", api_error(e)
            )
        try:
            await self.client.views_publish(
                user_id=user_id, view=home_text_view(message, permalink=self.permalink)
            )
        except SlackApiError as e:
            raise classify(e) from None

    @reaching
    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        """To the issuer only: the App Home tab, else ephemeral in the thread the input came
        from (a response_url's answer would show at the channel's root), else the command's
        response_url (valid 30 minutes), else ephemeral in the channel, else a DM."""
        if to.surface == "home":
            await self._publish_home(to.user.id, message)
            return
        reacted = reacted_message(to)
        if reacted is not None and to.channel is not None:
            thread = await self._thread_ts_of(to.channel.id, reacted)
            to = replace(to, thread=thread, reacted=None)
        if to.thread and to.channel is not None:
            pass  # chat.postEphemeral with its thread_ts, below
        elif to.token and self._outlived(to):
            log.info("a response_url is too old to answer on; answering another way")
        elif to.token and await self._via_response_url(to.token, message):
            return
        if to.channel is not None:
            await self._ephemeral(
                to.user, to.channel, message, key=key, retry=retry, thread_ts=to.thread
            )
        else:
            await self.send_dm(to.user, message, key=key, retry=retry)

    async def tell(self, response_url: str | None, said: str) -> None:
        """A one-line answer through a response_url (the listener's apology when it could not
        take an input); nothing when there is none."""
        if response_url:
            await self._via_response_url(response_url, ChatMessage(body=text(said)))

    @reaching
    async def thread_of(self, channel: str, ts: str) -> ThreadRef:
        """The conversation a message belongs to: its reply thread, else the whole channel (group
        DM). A rate limit or Slack's passing trouble is raised (the input waits and is tried
        again: a guess would lose the asker's ✅); when the message can't be looked at (gone, a
        channel the app is not in), it is taken as a thread's first message. A message known to
        be in a thread (`ThreadMemory`: received, posted or looked up before) is not looked up:
        a reply never moves, and a thread's first message stays one."""
        known = self.threads.thread_of(self.team_id, channel, ts)
        if known is not None:
            return known
        try:
            resp = await self.client.conversations_replies(channel=channel, ts=ts, limit=1)
        except SlackApiError as e:
            if not cannot_look(e):
                raise classify(e) from e
            log.info("conversations.replies failed: %s", api_error(e))
            return thread_ref(channel, ts)
        messages = resp.get("messages") or []
        thread_ts = messages[0].get("thread_ts") if messages else None
        if thread_ts:  # a message at the root without replies may get one: not remembered
            self.threads.in_thread(self.team_id, channel, ts, str(thread_ts))
        return thread_ref(channel, thread_ts)

    async def _thread_ts_of(self, channel: str, ts: str) -> str | None:
        """The thread_ts of the thread message `ts` is a reply in; None for a message at the
        channel's root (a thread's first message carries its own ts as thread_ts)."""
        _, thread_ts = split_ref((await self.thread_of(channel, ts)).id)
        return thread_ts if thread_ts and thread_ts != ts else None

    def _outlived(self, to: ReplyTo) -> bool:
        if self._clock is None:
            return False
        return to.token_outlived(RESPONSE_URL_LIFETIME, now=self._clock.now())

    async def _via_response_url(self, url: str, message: ChatMessage) -> bool:
        body = {"response_type": "ephemeral", "replace_original": False, **self.payload(message)}
        try:
            resp = await AsyncWebhookClient(url, session=self._session).send_dict(body)
        except Exception as e:
            log.warning("response_url failed (%s); falling back", type(e).__name__)
            return False
        return resp.status_code == 200
