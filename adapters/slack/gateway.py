"""The Slack ChatGateway: cards, threads, group DMs, DMs, ephemerals and file uploads (Web API)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from adapters.slack.render import blocks_for, fallback_text, permalink_for
from adapters.slack.translate import message_ref, split_ref, thread_ref
from bot.messages import Attachment, ChatMessage
from bot.refs import ChannelRef, MessageRef, Ref, ThreadRef, UserRef

__all__ = ["SlackGateway", "api_error"]

log = logging.getLogger(__name__)

# chat.postEphemeral fails like this when the user can't see the channel: fall back to a DM.
_NOT_VISIBLE = {"user_not_in_channel", "channel_not_found", "not_in_channel", "is_archived"}


def api_error(e: SlackApiError) -> str:
    """Slack's error code (``channel_not_found``), or the HTTP status when the body wasn't JSON."""
    data = e.response.data
    if isinstance(data, dict):
        return str(data.get("error") or "unknown_error")
    return f"HTTP {e.response.status_code}"


class SlackGateway:
    """Implements `bot.ports.ChatGateway` with slack_sdk's AsyncWebClient."""

    def __init__(
        self, client: AsyncWebClient, *, thread_mode: str = "thread", workspace_url: str = ""
    ) -> None:
        self.client = client
        self.thread_mode = thread_mode
        self.workspace_url = workspace_url

    def permalink(self, ref: Ref) -> str | None:
        return permalink_for(ref, workspace_url=self.workspace_url)

    def payload(self, message: ChatMessage) -> dict[str, Any]:
        """``blocks`` and ``text`` for any chat.* call or response_url."""
        link = partial(permalink_for, workspace_url=self.workspace_url)
        return {
            "blocks": blocks_for(message, permalink=link),
            "text": fallback_text(message, permalink=link),
        }

    async def _post(
        self, channel: str, message: ChatMessage, *, thread_ts: str | None = None
    ) -> MessageRef:
        """chat.postMessage; an attachment is uploaded right after, into the same conversation."""
        # The "use the CLI for the chart" note is only for places a file can't go (ephemerals).
        shown = replace(message, attachment=None) if message.attachment else message
        resp = await self.client.chat_postMessage(
            channel=channel,
            unfurl_links=False,
            unfurl_media=False,
            thread_ts=thread_ts,
            **self.payload(shown),
        )
        posted = message_ref(str(resp["channel"]), str(resp["ts"]))
        if message.attachment is not None:
            await self._upload(
                message.attachment, channel=str(resp["channel"]), thread_ts=thread_ts
            )
        return posted

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
        except SlackApiError as e:
            hint = " (invite the app to the channel)" if api_error(e) == "not_in_channel" else ""
            log.warning(
                "uploading %s to %s failed: %s%s", file.filename, channel, api_error(e), hint
            )
        except Exception:  # the upload URL refused the bytes, a timeout, a dropped connection
            log.warning("uploading %s to %s failed", file.filename, channel, exc_info=True)

    async def post_card(self, channel: ChannelRef, message: ChatMessage) -> MessageRef:
        return await self._post(channel.id, message)

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        channel, ts = split_ref(card.id)
        await self.client.chat_update(channel=channel, ts=ts or "", **self.payload(message))

    async def open_thread(
        self,
        *,
        card: MessageRef | None,
        channel: ChannelRef,
        members: Sequence[UserRef],
        private: bool,
        name: str,
    ) -> ThreadRef:
        """A reply thread under the card; a group DM (members + the bot) when private or configured."""
        if card is not None and not private and self.thread_mode == "thread":
            card_channel, ts = split_ref(card.id)
            return thread_ref(card_channel, ts)
        users = ",".join(dict.fromkeys(m.id for m in members))
        resp = await self.client.conversations_open(users=users)
        return thread_ref(str(resp["channel"]["id"]))

    async def post_in_thread(self, thread: ThreadRef, message: ChatMessage) -> MessageRef:
        channel, thread_ts = split_ref(thread.id)
        return await self._post(channel, message, thread_ts=thread_ts)

    async def send_dm(self, user: UserRef, message: ChatMessage) -> MessageRef:
        # Posting to a user id delivers to the app's Messages tab with that user.
        return await self._post(user.id, message)

    async def send_private(
        self, *, user: UserRef, channel: ChannelRef, message: ChatMessage
    ) -> None:
        """Ephemeral in `channel`; a DM when the user can't see the channel."""
        try:
            await self.client.chat_postEphemeral(
                channel=channel.id, user=user.id, **self.payload(message)
            )
        except SlackApiError as e:
            if api_error(e) not in _NOT_VISIBLE:
                raise
            log.info("ephemeral not possible (%s); sending a DM instead", api_error(e))
            await self.send_dm(user, message)

    async def thread_of(self, channel: str, ts: str) -> ThreadRef:
        """The conversation a message belongs to: its reply thread, else the whole channel (group DM)."""
        try:
            resp = await self.client.conversations_replies(channel=channel, ts=ts, limit=1)
        except SlackApiError as e:
            log.info("conversations.replies failed: %s", api_error(e))
            return thread_ref(channel, ts)
        messages = resp.get("messages") or []
        thread_ts = messages[0].get("thread_ts") if messages else None
        return thread_ref(channel, thread_ts)

    async def respond(
        self,
        messages: Sequence[ChatMessage],
        *,
        user: UserRef,
        channel: str | None = None,
        response_url: str | None = None,
    ) -> None:
        """Show command replies to their issuer only: via response_url, else ephemeral, else DM."""
        for message in messages:
            if response_url and await self._via_response_url(response_url, message):
                continue
            if channel:
                await self.send_private(
                    user=user, channel=ChannelRef(user.platform, channel), message=message
                )
            else:
                await self.send_dm(user, message)

    async def _via_response_url(self, url: str, message: ChatMessage) -> bool:
        body = {"response_type": "ephemeral", "replace_original": False, **self.payload(message)}
        try:
            resp = await AsyncWebhookClient(url).send_dict(body)
        except Exception:
            log.warning("response_url failed; falling back", exc_info=True)
            return False
        return resp.status_code == 200
