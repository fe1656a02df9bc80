"""Answers on an interaction's token once the interaction's response is sent: the first after
a deferred "thinking…" edits that response, the others are ephemeral follow-ups; else a DM. A
mixin of :class:`adapters.discord.gateway.DiscordGateway`, whose constructor sets the state it
keeps."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord.http import Route, handle_message_parameters

from adapters.discord.acknowledgements import Acknowledgements
from adapters.discord.errors import _delivering
from adapters.discord.servers import ServerBook
from bot.flow.outbox import ReplyTo
from bot.messages import ChatMessage, text
from bot.ports import Clock, RetryAfter
from bot.refs import MessageRef, UserRef

__all__ = ["FOLLOWUP_LIFETIME", "TOKEN_GONE", "UNKNOWN_WEBHOOK", "YOUNG_TOKEN", "FollowUps"]

log = logging.getLogger(__name__)

# What a follow-up on an interaction token is refused with when the token takes none: 401 once
# it expired (15 minutes), 404 when Discord does not know it (10015 Unknown Webhook: the token
# expired, or its response never came), or the deferred "thinking…" message it would replace
# was dismissed (10008 Unknown Message). Its answer goes by DM instead.
TOKEN_GONE = {401, 404}
UNKNOWN_WEBHOOK = 10015
# Discord takes follow-ups only after the interaction's response, and may refuse them with
# 10015 for a few seconds even after a response it took (discord-api-docs#7220): while the token
# is this young, that is tried again shortly instead of answered by DM.
YOUNG_TOKEN = timedelta(seconds=60)
UNKNOWN_WEBHOOK_RETRY_SECONDS = 2.0
# Discord's message flag of an interaction response still "thinking…" (a deferred type 5).
LOADING = 1 << 7
# How long a follow-up waits for its interaction's response, when this process is sending it
# (Discord wants the response within 3 seconds of the interaction).
RESPONSE_WAIT_SECONDS = 3.0
# An interaction token takes follow-ups for 15 minutes; past that each try is a 401, and 401s
# count toward Discord's limit on invalid requests, past which it bars the bot's IP for a while.
# A minute short of the 15: the token was issued a moment before the input was stored.
FOLLOWUP_LIFETIME = timedelta(minutes=14)


class FollowUps(ServerBook):
    """``reply``: on the interaction's token while it takes follow-ups, else by DM."""

    _clock: Clock
    acknowledgements: Acknowledgements

    if TYPE_CHECKING:  # the gateway's own

        def send_kwargs(self, message: ChatMessage) -> dict[str, Any]: ...

        async def send_dm(
            self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
        ) -> MessageRef: ...

    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        """An ephemeral follow-up on the interaction's token, once the interaction's response
        is sent; a DM when there is no token (a reaction), or it takes no follow-up (known to
        be too old, or its response refused: not even tried; or its webhook refused it)."""
        self._refuse_if_gone()  # said for a server that removed the bot: not even on its token
        if to.note:  # what the adapter knew when the input came in (`ReplyTo.note`)
            message = replace(message, body=text(message.body, "\n\n", to.note))
        await self._reply(to, message, key=key, retry=retry)

    async def _reply(self, to: ReplyTo, message: ChatMessage, *, key: str, retry: bool) -> None:
        if to.token and to.app_id and await self._token_takes(to, to.token):
            async with _delivering():
                if await self._followed_up(to, int(to.app_id), to.token, message):
                    return
        await self.send_dm(to.user, message, key=key, retry=retry)

    async def _token_takes(self, to: ReplyTo, token: str) -> bool:
        """Whether to try a follow-up on `token`: not when it is known to be too old, nor when
        Discord refused its interaction's response. While this process is still sending that
        response, waits for it: a follow-up before it is refused."""
        if to.token_outlived(FOLLOWUP_LIFETIME, now=self._clock.now()):
            log.info("an interaction token is too old for a follow-up; answering by DM instead")
            return False
        if not await self.acknowledgements.settled(token, within=RESPONSE_WAIT_SECONDS):
            log.info("Discord refused an interaction's response; answering by DM instead")
            return False
        return True

    async def _followed_up(
        self, to: ReplyTo, app_id: int, token: str, message: ChatMessage
    ) -> bool:
        """Sends the follow-up; False when the token's webhook refused it (`TOKEN_GONE`), for a
        DM instead. Unknown Webhook on a young token is tried again shortly (`RetryAfter`: not
        counted as an attempt, and nothing was sent)."""
        try:
            await self._followup(app_id, token, message)
        except discord.HTTPException as e:
            if e.status not in TOKEN_GONE:
                raise
            young = to.issued_at is not None and self._clock.now() - to.issued_at < YOUNG_TOKEN
            if e.code == UNKNOWN_WEBHOOK and young:
                raise RetryAfter(
                    UNKNOWN_WEBHOOK_RETRY_SECONDS,
                    reason="Discord has not taken the interaction's response yet",
                ) from e
            log.info(
                "Discord refused a follow-up on an interaction token (%s: %s); answering by DM "
                "instead",
                e.status,
                e.code,
            )
            return False
        return True

    async def _followup(self, app_id: int, token: str, message: ChatMessage) -> None:
        """The answer on the token, through the client's own HTTP, so its rate limit handling
        applies: a 429 longer than ``max_ratelimit_timeout`` raises :class:`discord.RateLimited`
        instead of being slept out inside the delivery (discord.py's webhook adapter waits every
        one out). The first answer after a deferred "thinking…" edits it (Edit Original
        Interaction Response: Discord deprecates a follow-up for that); the others are
        ephemeral follow-ups (Create Followup Message). Its buttons are dynamic items: a press
        is dispatched by its custom id, so no view is stored."""
        original = self.acknowledgements.take_original(token)
        if original is None:  # its response was not this process's: Discord says if it thinks
            original = await self._still_thinking(app_id, token)
        try:
            await self._answer_on(app_id, token, message, original=original)
        except BaseException:
            if original:  # not edited: the next try is the edit again
                self.acknowledgements.give_back_original(token)
            raise

    async def _answer_on(
        self, app_id: int, token: str, message: ChatMessage, *, original: bool
    ) -> None:
        kwargs = self.send_kwargs(message)
        path = "/webhooks/{webhook_id}/{webhook_token}"
        query = {"with_components": "true" if "view" in kwargs else "false"}
        flags: dict[str, Any] = {}
        if original:  # ephemeral already, as the deferral was: an edit sets no such flag
            route = Route(
                "PATCH", path + "/messages/@original", webhook_id=app_id, webhook_token=token
            )
        else:
            route = Route("POST", path, webhook_id=app_id, webhook_token=token)
            flags["flags"] = discord.MessageFlags(ephemeral=True)
            query = {"wait": "true", **query}
        with handle_message_parameters(
            previous_allowed_mentions=self._client.allowed_mentions, **flags, **kwargs
        ) as params:
            http = self._client.http
            if params.files:
                await http.request(route, files=params.files, form=params.multipart, params=query)
            else:
                await http.request(route, json=params.payload, params=query)

    async def _still_thinking(self, app_id: int, token: str) -> bool:
        """Whether the interaction's response is a deferred "thinking…" not answered yet (Get
        Original Interaction Response, its LOADING flag), for a token whose response this
        process did not send; False when Discord does not say (a follow-up, as ever)."""
        route = Route(
            "GET",
            "/webhooks/{webhook_id}/{webhook_token}/messages/@original",
            webhook_id=app_id,
            webhook_token=token,
        )
        try:
            found = await self._client.http.request(route)
        except discord.HTTPException:
            return False
        return isinstance(found, dict) and bool(int(found.get("flags") or 0) & LOADING)
