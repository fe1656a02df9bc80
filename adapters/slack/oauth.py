"""Multi-workspace Slack (OAuth): Bolt's install flow at ``/slack/install`` and
``/slack/oauth_redirect``, installations in the bot's database, each request authorized by the
token of its workspace, and every delivery sent with the token of the workspace it belongs to.

Which workspace a delivery belongs to: the core's refs carry Slack ids only (channel, user, the
channel of a thread or message), so the adapter records the workspace of every id it sees (the
ids of each request, the channels resolved at install, conversations it opens or posts to) in
``slack_object``, and looks the id up when delivering."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import hmac
import logging
import os
import secrets
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from logging import Logger
from typing import TYPE_CHECKING, Any, cast

import aiohttp
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.error import BoltError
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation
from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.slack import translate as tr
from adapters.slack.background import Background
from adapters.slack.check import manifest_scopes
from adapters.slack.gateway import TOKEN_GONE, SlackGateway, TokenRefused, api_error
from adapters.slack.inbox import KIND, SlackPreparer, user_id
from adapters.slack.listeners import SlackBot, register_listeners
from adapters.slack.runtime import (
    DEFAULT_API_URL,
    SlackSettings,
    join_channel,
    resolve_channel,
    web_client,
)
from adapters.slack.users import SlackDirectory
from bot.commands import RegisterWorkspace
from bot.domain import Person
from bot.flow.inbox import Prepared
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Delivery, Op, OutboxItem, ReplyTo, new_key
from bot.messages import Bold, ChatMessage, Mention, text
from bot.ports import DeliveryRefused
from bot.refs import ChannelRef, MessageRef, Ref, ThreadRef, UserRef
from storage.slack_installations import SlackInstallation, SlackInstallations

if TYPE_CHECKING:
    from bot.app import App

__all__ = [
    "DbInstallationStore",
    "OAuthEnv",
    "SignedStateStore",
    "TeamGateway",
    "Teams",
    "connect_oauth",
    "oauth_routes",
]

log = logging.getLogger(__name__)

OAUTH_VARS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")
_CACHE_SECONDS = 60.0
# How long an input waits for its workspace's registration (listing channels page by page):
# well inside the inbox's lease (30 s by default), so the input is not handed to another worker.
_REGISTER_WAIT = 10.0
# Added to a request's body: the team whose installation authorized it.
AUTHORIZED_TEAM = "micromentor_team_id"


@dataclass(frozen=True, slots=True)
class OAuthEnv:
    """The OAuth mode's settings (all secrets stay out of repr())."""

    client_id: str
    client_secret: str = field(repr=False)
    state_secret: str = field(repr=False)
    signing_secret: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    redirect_uri: str | None = None
    port: int = 3000

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> OAuthEnv:
        base = SlackSettings.from_env(env)
        public = env.get("PUBLIC_URL", "").strip().rstrip("/")
        return cls(
            client_id=env.get("SLACK_CLIENT_ID", "").strip(),
            client_secret=env.get("SLACK_CLIENT_SECRET", "").strip(),
            state_secret=env.get("SLACK_STATE_SECRET", "").strip(),
            signing_secret=env.get("SLACK_SIGNING_SECRET", "").strip(),
            api_url=base.api_url,
            redirect_uri=f"{public}/slack/oauth_redirect" if public else None,
            port=base.port,
        )


def oauth_mode(env: Mapping[str, str] = os.environ) -> bool:
    """All three OAuth variables are set (partial sets are refused by `credential_problems`)."""
    return all(env.get(k, "").strip() for k in OAUTH_VARS)


# --- state: signed, so every replica accepts what any replica issued ----------------------


class SignedStateStore(AsyncOAuthStateStore):
    """The OAuth ``state``: a nonce and an expiry signed with SLACK_STATE_SECRET (HMAC-SHA256),
    used once: a consumed state is remembered until it expires, in this process (a replay that
    reaches another replica is still bound to the browser by Bolt's cookie, and Slack's code is
    single-use)."""

    def __init__(self, secret: str, *, expires_in: int = 600, remembered: int = 10_000) -> None:
        self._secret = secret.encode()
        self.expires_in = expires_in
        self._remembered = remembered
        # consumed state → when it expires; in consumption order, which is nearly expiry order
        self._consumed: OrderedDict[str, float] = OrderedDict()

    @property
    def logger(self) -> Logger:
        return log

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        payload = f"{secrets.token_urlsafe(16)}.{int(time.time()) + self.expires_in}"
        return f"{payload}.{self._sign(payload)}"

    async def async_consume(self, state: str) -> bool:
        payload, _, signature = (state or "").rpartition(".")
        if not payload or not hmac.compare_digest(self._sign(payload), signature):
            return False
        _, _, expires = payload.rpartition(".")
        now = time.time()
        if not expires.isdigit() or int(expires) < now:
            return False
        while self._consumed and (
            next(iter(self._consumed.values())) < now or len(self._consumed) >= self._remembered
        ):
            self._consumed.popitem(last=False)
        if payload in self._consumed:
            log.warning("Slack: an OAuth state was presented again; refused")
            return False
        self._consumed[payload] = int(expires)
        return True


# --- installations ---------------------------------------------------------------------------


class DbInstallationStore(AsyncInstallationStore):
    """Bolt's installation store on the bot's database (bot tokens only)."""

    def __init__(self, installations: SlackInstallations, teams: Teams | None = None) -> None:
        self.installations = installations
        self.teams = teams

    @property
    def logger(self) -> Logger:
        return log

    async def async_save(self, installation: Installation) -> None:
        if not installation.team_id:
            raise BoltError(  # Bolt answers its failure page (storage_error)
                "Slack: organisation-wide (Enterprise Grid) installs are not supported"
            )
        scopes = installation.bot_scopes
        await self.installations.save(
            SlackInstallation(
                team_id=installation.team_id,
                bot_token=installation.bot_token,
                enterprise_id=installation.enterprise_id,
                app_id=installation.app_id,
                team_name=installation.team_name or "",
                bot_id=installation.bot_id,
                bot_user_id=installation.bot_user_id,
                bot_scopes=",".join(scopes) if isinstance(scopes, list) else str(scopes or ""),
                installer_user_id=installation.user_id,
                installed_at=datetime.now(UTC),
            )
        )
        if self.teams is not None:
            self.teams.forget(installation.team_id)

    async def async_save_bot(self, bot: Bot) -> None:
        raise NotImplementedError("bots are saved with their installation")

    async def async_find_bot(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        is_enterprise_install: bool | None = False,
    ) -> Bot | None:
        found = await self.installations.find(team_id or "")
        if found is None or not found.active or not found.bot_token:
            return None
        return Bot(
            app_id=found.app_id,
            enterprise_id=found.enterprise_id,
            team_id=found.team_id,
            team_name=found.team_name,
            bot_token=found.bot_token,
            bot_id=found.bot_id or "",
            bot_user_id=found.bot_user_id or "",
            bot_scopes=found.bot_scopes,
            installed_at=(found.installed_at or datetime.now(UTC)).timestamp(),
        )

    async def async_find_installation(
        self,
        *,
        enterprise_id: str | None,
        team_id: str | None,
        user_id: str | None = None,
        is_enterprise_install: bool | None = False,
    ) -> Installation | None:
        bot = await self.async_find_bot(enterprise_id=enterprise_id, team_id=team_id)
        if bot is None or user_id is not None:
            return None
        return Installation(
            app_id=bot.app_id,
            enterprise_id=bot.enterprise_id,
            team_id=bot.team_id,
            team_name=bot.team_name,
            bot_token=bot.bot_token,
            bot_id=bot.bot_id,
            bot_user_id=bot.bot_user_id,
            bot_scopes=bot.bot_scopes,
            user_id="",
            installed_at=bot.installed_at,
        )

    async def async_delete_bot(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._remove(team_id)

    async def async_delete_installation(
        self, *, enterprise_id: str | None, team_id: str | None, user_id: str | None = None
    ) -> None:
        if user_id is None:
            await self._remove(team_id)

    async def async_delete_all(self, *, enterprise_id: str | None, team_id: str | None) -> None:
        await self._remove(team_id)

    async def _remove(self, team_id: str | None) -> None:
        if not team_id:
            return
        await self.installations.deactivate(team_id)
        if self.teams is not None:
            self.teams.forget(team_id)
        log.info("Slack: workspace %s uninstalled; nothing more is delivered there", team_id)


# --- per-workspace clients --------------------------------------------------------------------


@dataclass(slots=True)
class Team:
    """One installed workspace's gateway and user directory (its token inside the client)."""

    team_id: str
    gateway: SlackGateway
    directory: SlackDirectory
    expires: float


class Teams:
    """Per-workspace gateways built from the installation store, cached briefly; and the map of
    Slack ids to their workspace (memory, then the database)."""

    def __init__(
        self,
        app: App,
        installations: SlackInstallations,
        *,
        api_url: str,
        session: aiohttp.ClientSession | None,
    ) -> None:
        self.app = app
        self.installations = installations
        self.api_url = api_url
        self.session = session
        self._teams: dict[str, Team] = {}
        self._ids: dict[str, str] = {}
        self._workspace_urls: dict[str, str] = {}
        self.registered: set[str] = set()  # teams with a settings row
        self.tried: dict[str, float] = {}  # team → when registering may be tried again
        # Slack calls a request's workspace may need (registering it, its URL), made after
        # the acknowledgement.
        self.background = Background()

    def forget(self, team_id: str) -> None:
        self._teams.pop(team_id, None)

    async def token_gone(self, team: Team, code: str) -> None:
        """Slack refused the workspace's token (`TOKEN_GONE`) while delivering: the app is as
        good as uninstalled there, so the installation is marked so (as on ``app_uninstalled``)
        and what is queued for it is refused without a call. Said once, by whoever marks it."""
        self.forget(team.team_id)
        token = team.gateway.client.token
        if await self.installations.deactivate(team.team_id, token=token):
            log.error(
                "Slack: workspace %s refused the app's token (%s); marked uninstalled, and what "
                "is queued for it is skipped until the app is installed there again",
                team.team_id,
                code,
            )

    async def get(self, team_id: str, *, quick: bool = False) -> Team | None:
        """The workspace's gateway, or None when it is not (or no longer) installed. `quick`
        (before an acknowledgement): no Slack call; the workspace's URL, for permalinks, is
        read afterwards when not known yet."""
        now = time.monotonic()
        hit = self._teams.get(team_id)
        if hit is not None and hit.expires > now:
            return hit
        found = await self.installations.find(team_id)
        if found is None or not found.active or not found.bot_token:
            self._teams.pop(team_id, None)
            return None
        client = web_client(
            SlackSettings(bot_token=found.bot_token, api_url=self.api_url),
            session=self.session,
            metrics=self.app.metrics,
        )
        url = self._workspace_urls.get(team_id)
        if url is None and not quick:
            url = await self._workspace_url(client, team_id)
        # Who people are is cached for minutes (users.info): that outlives this minute's look at
        # the token, unless the token changed.
        kept = hit.directory if hit and hit.directory.client.token == found.bot_token else None
        team = Team(
            team_id,
            SlackGateway(
                client,
                thread_mode=self.app.config.slack.thread_mode,
                workspace_url=url or "",
                session=self.session,
                clock=self.app.clock,
            ),
            kept
            or SlackDirectory(
                client,
                workspace=tr.workspace_ref(team_id),
                admins=frozenset({found.installer_user_id} if found.installer_user_id else ()),
            ),
            now + _CACHE_SECONDS,
        )
        self._teams[team_id] = team
        if url is None:
            self.background.start(
                self._learn_url(team), what="reading a workspace's URL", key=f"url:{team_id}"
            )
        return team

    async def _workspace_url(self, client: AsyncWebClient, team_id: str) -> str:
        try:
            url = str((await client.auth_test()).get("url") or "")
        except SlackApiError as e:
            log.warning("Slack: auth.test failed for workspace %s (%s)", team_id, api_error(e))
            url = ""
        self._workspace_urls[team_id] = url
        return url

    async def _learn_url(self, team: Team) -> None:
        url = await self._workspace_url(team.gateway.client, team.team_id)
        for known in (team, self._teams.get(team.team_id)):  # rebuilt meanwhile, perhaps
            if known is not None and not known.gateway.workspace_url:
                known.gateway.workspace_url = url

    async def remember(self, team_id: str, ids: Sequence[str]) -> None:
        new = {i: team_id for i in ids if i and self._ids.get(i) != team_id}
        if not new:
            return
        await self.installations.remember(new)
        self._ids.update(new)

    async def team_of(self, slack_id: str) -> str | None:
        found = self._ids.get(slack_id)
        if found is None:
            found = await self.installations.team_of(slack_id)
            if found is not None:
                self._ids[slack_id] = found
        return found

    def cached_team_of(self, slack_id: str) -> str | None:
        return self._ids.get(slack_id)

    def cached(self, team_id: str) -> Team | None:
        return self._teams.get(team_id)


def team_of_body(body: Mapping[str, Any]) -> str:
    """The workspace a request came from (commands, events, interactions)."""
    team = body.get(AUTHORIZED_TEAM) or body.get("team_id") or (body.get("team") or {}).get("id")
    if not team and isinstance(body.get("user"), dict):
        team = body["user"].get("team_id")
    if not team and isinstance(body.get("view"), dict):
        team = body["view"].get("team_id")
    return str(team or "")


def ids_of_body(body: Mapping[str, Any]) -> list[str]:
    """The Slack ids in a request that a later delivery may be addressed to."""
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    assert isinstance(event, dict)
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    assert isinstance(channel, dict)
    item = event.get("item") if isinstance(event.get("item"), dict) else {}
    assert isinstance(item, dict)
    found = [
        user_id(body),
        str(body.get("channel_id") or ""),
        str(channel.get("id") or ""),
        str(event.get("channel") or ""),
        str(item.get("channel") or ""),
    ]
    return [i for i in dict.fromkeys(found) if i]


class TeamGateway:
    """`bot.ports.ChatGateway` for many workspaces: each call goes through the gateway (the
    token) of the workspace its channel or user belongs to."""

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
        slack_id = tr.split_ref(ref.id)[0]
        team_id = await self.teams.team_of(slack_id)
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
            if code not in TOKEN_GONE:
                raise
            await self.teams.token_gone(team, code)
            raise TokenRefused(code) from None

    async def _seen(self, team: Team, ref: Ref) -> None:
        await self.teams.remember(team.team_id, [tr.split_ref(ref.id)[0]])

    def permalink(self, ref: Ref) -> str | None:
        team_id = self.teams.cached_team_of(tr.split_ref(ref.id)[0])
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


# --- the request's workspace, for the listeners ------------------------------------------------

_current: contextvars.ContextVar[Team] = contextvars.ContextVar("slack_team")


class _CurrentGateway:
    """The gateway of the workspace of the request being handled (set by a middleware)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_current.get().gateway, name)


class _CurrentDirectory:
    def __getattr__(self, name: str) -> Any:
        return getattr(_current.get().directory, name)


@dataclass
class TeamPreparer:
    """`bot.flow.inbox.Preparer` for Slack rows of any installed workspace."""

    teams: Teams
    app: App

    def _for(self, team: Team) -> SlackPreparer:
        return SlackPreparer(
            gateway=team.gateway,
            directory=team.directory,
            clock=self.app.clock,
            config=self.app.config,
        )

    def reply_to(self, item: InboxItem) -> ReplyTo | None:
        # Where to answer needs no workspace (it is read from the payload alone).
        preparer = SlackPreparer(
            gateway=cast(SlackGateway, None),
            directory=cast(SlackDirectory, None),
            clock=self.app.clock,
            config=self.app.config,
        )
        return preparer.reply_to(item)

    async def prepare(self, item: InboxItem) -> Prepared:
        team_id = team_of_body(item.payload["body"])
        # An input that arrived while its workspace was being registered is handled once that
        # is done (it ran after the acknowledgement), as if it had been done before.
        await self.teams.background.finished(_registering(team_id), within=_REGISTER_WAIT)
        team = await self.teams.get(team_id)
        if team is None:
            return Prepared(None)  # uninstalled since: nobody to answer with
        return await self._for(team).prepare(item)


# --- install ----------------------------------------------------------------------------------


def welcome(
    installer: UserRef, name: str, *, mentoring: str, admin: str, missing: bool
) -> ChatMessage:
    """The installer's DM: they are the first admin, and what to do next."""
    if missing:
        channels = (
            f"• Create #{mentoring} (where questions are posted) and #{admin} (digest and "
            "escalations), invite the app to both with `/invite @Micromentor`, then run "
            "`/mentor help`: the bot picks them up by name."
        )
    else:
        channels = (
            f"• Questions are posted in #{mentoring}; the digest and escalations go to #{admin}. "
            "For a private channel, invite the app with `/invite @Micromentor`."
        )
    return ChatMessage(
        body=text(
            "Thanks for installing Micromentor, ",
            Mention(installer, name),
            "! You are this workspace's first Micromentor admin.\n\n",
            Bold("Next steps"),
            "\n" + channels + "\n",
            "• Invite the people who can help: they join as mentors with "
            "`/mentor join <skills>`.\n",
            "• Anyone asks with `/askmentor <question>`; `/mentor help` lists everything else, "
            "and `/mentoradmin` is yours.",
        )
    )


async def register(app: App, teams: Teams, team: Team, *, name: str = "") -> str | None:
    """Find the workspace's configured channels (joining the public ones) and store its settings
    row; what is missing when a channel does not exist there yet (None: registered)."""
    from bot.errors import StartupError

    channels = app.config.channels
    client = team.gateway.client
    try:
        mentoring = await resolve_channel(client, channels.mentoring, key="mentoring")
        admin = await resolve_channel(client, channels.admin, key="admin")
        wider = (
            await resolve_channel(client, channels.escalation, key="escalation")
            if channels.escalation
            else None
        )
    except StartupError as e:
        log.info("Slack: workspace %s needs its channels set up: %s", team.team_id, e)
        return str(e)
    found = [c for c in (mentoring, admin, wider) if c]
    await teams.remember(team.team_id, found)
    for channel_id in dict.fromkeys(found):
        await join_channel(client, channel_id)
    await app.bus.handle(
        RegisterWorkspace(
            tr.workspace_ref(team.team_id),
            tr.channel_ref(mentoring),
            tr.channel_ref(admin),
            timezone=app.config.bot.timezone,
            name=name or team.team_id,
            escalation_channel=tr.channel_ref(wider) if wider else None,
        )
    )
    teams.registered.add(team.team_id)
    return None


async def ensure_registered(app: App, teams: Teams, team: Team) -> None:
    """A workspace whose channels were missing at install is registered once they exist
    (tried again at most once a minute, on its requests)."""
    if team.team_id in teams.registered:
        return
    async with app.uow_factory(read_only=True) as uow:
        known = await uow.workspaces.get(tr.workspace_ref(team.team_id))
    if known is not None:
        teams.registered.add(team.team_id)
        return
    now = time.monotonic()
    if teams.tried.get(team.team_id, 0.0) > now:
        return
    teams.tried[team.team_id] = now + _CACHE_SECONDS
    await register(app, teams, team)


def register_soon(app: App, teams: Teams, team: Team) -> None:
    """`ensure_registered` after the acknowledgement (it lists and joins channels), one at a
    time per workspace; nothing when the workspace is known to be registered."""
    if team.team_id in teams.registered:
        return
    teams.background.start(
        ensure_registered(app, teams, team),
        what="registering a workspace",
        key=_registering(team.team_id),
    )


def _registering(team_id: str) -> str:
    return f"register:{team_id}"


async def on_installed(app: App, teams: Teams, installation: Installation) -> None:
    """A settings row for the new workspace, its installer made admin, and a welcome DM."""
    team_id = str(installation.team_id or "")
    installer = str(installation.user_id or "")
    teams.forget(team_id)
    team = await teams.get(team_id)
    if team is None:
        log.warning("Slack: workspace %s was installed but its token cannot be read", team_id)
        return
    await teams.remember(team_id, [installer])
    missing = await register(app, teams, team, name=str(installation.team_name or team_id))
    channels = app.config.channels
    if not installer:
        return
    who = await team.directory.user(installer)
    user = tr.user_ref(installer)
    message = welcome(
        user,
        who.name,
        mentoring=channels.mentoring.lstrip("#"),
        admin=channels.admin.lstrip("#"),
        missing=missing is not None,
    )
    async with app.uow_factory() as uow:
        person = await uow.people.get(user)
        if person is None:
            person = Person(ref=user, name=who.name, timezone=who.timezone)
        person.is_admin = True
        await uow.people.upsert(person)
        await uow.outbox.add_many(
            [
                OutboxItem(
                    Delivery(op=Op.DM, lane=f"u:{user.key()}", message=message, user=user),
                    key=new_key(),
                    due_at=app.clock.now(),
                )
            ]
        )
        await uow.commit()
    app.runtime.wake()  # deliver the welcome now
    log.info("Slack: installed in workspace %s; the installer is its first admin", team_id)


# --- the Bolt app -----------------------------------------------------------------------------


async def connect_oauth(app: App, env: OAuthEnv) -> AsyncApp:
    """The Bolt app of the OAuth mode: install routes, per-workspace authorization, uninstall."""
    session = aiohttp.ClientSession()
    installations = SlackInstallations(app.engine)
    teams = Teams(app, installations, api_url=env.api_url, session=session)
    store = DbInstallationStore(installations, teams)
    gateway = TeamGateway(teams, session=session)
    app.chat.add(tr.PLATFORM, gateway)
    client = AsyncWebClient(base_url=env.api_url, session=session)

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        try:
            await on_installed(app, teams, args.installation)
        except Exception:
            log.exception("Slack: setting up workspace %s failed", args.installation.team_id)
        return await args.default.success(args)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        log.warning("Slack: an installation failed (%s)", args.reason)
        return await args.default.failure(args)

    settings = AsyncOAuthSettings(
        client_id=env.client_id,
        client_secret=env.client_secret,
        scopes=sorted(manifest_scopes()),
        redirect_uri=env.redirect_uri,
        installation_store=store,
        installation_store_bot_only=True,
        state_store=SignedStateStore(env.state_secret),
        callback_options=AsyncCallbackOptions(success=success, failure=failure),
    )
    bolt = AsyncApp(
        client=client,
        signing_secret=env.signing_secret,
        installation_store=store,
        oauth_flow=AsyncOAuthFlow(client=client, settings=settings),
        process_before_response=True,
    )

    @bolt.middleware
    async def per_workspace(body: dict[str, Any], context: Any, next: Any) -> Any:
        # The installation that authorized the request (in a channel shared with another
        # workspace, the body's team may be the other one): kept with the stored input.
        if context.team_id:
            body[AUTHORIZED_TEAM] = context.team_id
        # Before the acknowledgement (Slack waits 3 s for it): reads, and the workspace of new
        # ids (a row or two, as the inbox writes; the answer to this request needs them), but
        # no Slack call.
        team_id = team_of_body(body)
        team = await teams.get(team_id, quick=True) if team_id else None
        if team is not None:
            await teams.remember(team_id, ids_of_body(body))
            register_soon(app, teams, team)
            _current.set(team)
        return await next()

    async def removed(ack: Any, body: dict[str, Any], event: dict[str, Any]) -> None:
        await ack()
        if event.get("type") == "tokens_revoked" and not (event.get("tokens") or {}).get("bot"):
            return  # only user tokens: the bot is still installed
        await store.async_delete_bot(enterprise_id=None, team_id=team_of_body(body))

    bolt.event("app_uninstalled")(removed)
    bolt.event("tokens_revoked")(removed)

    app.runtime.processor.add(KIND, TeamPreparer(teams, app))
    bot = SlackBot(
        inbox=app.inbox,
        gateway=cast(SlackGateway, _CurrentGateway()),
        directory=cast(SlackDirectory, _CurrentDirectory()),
        config=app.config,
        uow_factory=app.uow_factory,
    )
    register_listeners(bolt, bot)
    return bolt


def oauth_routes(bolt: AsyncApp) -> list[BaseRoute]:
    """``GET /slack/install`` (the "Add to Slack" page) and ``GET /slack/oauth_redirect``."""
    handler = AsyncSlackRequestHandler(bolt)

    async def oauth(request: Request) -> Response:
        return await handler.handle(request)

    return [
        Route("/slack/install", oauth, methods=["GET"]),
        Route("/slack/oauth_redirect", oauth, methods=["GET"]),
    ]
