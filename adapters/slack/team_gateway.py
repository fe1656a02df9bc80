"""`TeamGateway`: the `bot.ports.ChatGateway` of the OAuth mode, sending each delivery with the
token of the workspace it is said for (else of the one its channel or user was seen in), and
marking a workspace uninstalled when Slack refuses its token."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate as tr
from adapters.slack.errors import TOKEN_EXPIRED, TOKEN_GONE, TokenRefused, api_error
from adapters.slack.gateway import SlackGateway
from adapters.slack.teams import Team, Teams
from bot.flow.outbox import ReplyTo, sending_for
from bot.messages import ChatMessage
from bot.ports import DeliveryRefused
from bot.refs import ChannelRef, MessageRef, Ref, ThreadRef, UserRef

__all__ = ["TeamGateway"]


def _team_sent_for() -> str | None:
    """The team id of the workspace the delivery being sent is for, when it names one."""
    workspace = sending_for()
    if workspace is None or workspace.platform != tr.PLATFORM or not workspace.id:
        return None
    return workspace.id


class TeamGateway:
    """`bot.ports.ChatGateway` for many workspaces: each call goes through the gateway (the
    token) of the workspace the delivery is for (`Delivery.workspace`), or, for a delivery that
    names none, of the one its channel or user was seen in."""

    def __init__(self, teams: Teams, *, session: aiohttp.ClientSession | None) -> None:
        self.teams = teams
        self._session = session
        # No token: answers through response_urls only (they carry their own authority).
        self._tokenless = SlackGateway(
            AsyncWebClient(base_url=teams.api_url, session=session),
            session=session,
            clock=teams.app.clock,
        )

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def _team(self, ref: Ref) -> Team:
        """The workspace the delivery being sent is for (`sending_for`): one Slack id can be
        in several installed workspaces (an Enterprise Grid user, a Slack Connect channel), and
        only the decision knows which one it speaks for. Rows stored before deliveries named
        their workspace (and calls outside a delivery) go by where `ref` was seen."""
        team_id = _team_sent_for() or await self.teams.team_of(tr.split_ref(ref.id)[0])
        if team_id is None:
            raise DeliveryRefused("Slack: no installed workspace is known for this conversation")
        team = await self.teams.get(team_id)
        if team is None:
            raise DeliveryRefused("Slack: the app is no longer installed in this workspace")
        return team

    @contextlib.asynccontextmanager
    async def _on(self, ref: Ref) -> AsyncIterator[Team]:
        """The workspace `ref` is in; a token the workspace revoked makes the call a refusal and
        the installation uninstalled (only this workspace's deliveries stop)."""
        team = await self._team(ref)
        try:
            yield team
        except TokenRefused as e:
            await self.teams.token_gone(team, e.code)
            raise
        except SlackApiError as e:
            code = api_error(e)
            if code == TOKEN_EXPIRED:
                self.teams.token_expired(team)  # traded at the retry
            if code not in TOKEN_GONE:
                raise
            await self.teams.token_gone(team, code)
            raise TokenRefused(code) from None

    async def _seen(self, team: Team, ref: Ref) -> None:
        await self.teams.remember(team.team_id, [tr.split_ref(ref.id)[0]])

    def permalink(self, ref: Ref) -> str | None:
        # A link in what is said for a workspace is that workspace's.
        team_id = _team_sent_for() or self.teams.cached_team_of(tr.split_ref(ref.id)[0])
        team = self.teams.cached(team_id) if team_id else None
        return team.gateway.permalink(ref) if team else None

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        async with self._on(channel) as team:
            posted = await team.gateway.post_card(channel, message, key=key, retry=retry)
        await self._seen(team, posted)
        return posted

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        async with self._on(card) as team:
            await team.gateway.update_card(card, message)

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
        async with self._on(channel) as team:
            thread = await team.gateway.open_thread(
                card=card, channel=channel, members=members, private=private, name=name, retry=retry
            )
        await self._seen(team, thread)
        return thread

    async def post_in_thread(
        self, thread: ThreadRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        async with self._on(thread) as team:
            posted = await team.gateway.post_in_thread(thread, message, key=key, retry=retry)
        return posted

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        async with self._on(user) as team:
            posted = await team.gateway.send_dm(user, message, key=key, retry=retry)
        await self._seen(team, posted)
        return posted

    async def send_private(
        self,
        *,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        key: str = "",
        retry: bool = False,
    ) -> None:
        async with self._on(user) as team:
            await team.gateway.send_private(
                user=user, channel=channel, message=message, key=key, retry=retry
            )

    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        async with self._on(to.user) as team:
            await team.gateway.reply(to, message, key=key, retry=retry)

    async def tell(self, response_url: str | None, said: str) -> None:
        await self._tokenless.tell(response_url, said)
