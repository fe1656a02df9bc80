"""Multi-workspace Slack (OAuth): Bolt's install flow at ``/slack/install`` and
``/slack/oauth_redirect``, installations in the bot's database, each request authorized by the
token of its workspace, and every delivery sent with the token of the workspace it belongs to.

Which workspace a delivery belongs to: the core's refs carry Slack ids only (channel, user, the
channel of a thread or message), so the adapter records the workspace of every id it sees (the
ids of each request, the channels resolved at install, conversations it opens or posts to) in
``slack_object``, and looks the id up when delivering.

This module wires the OAuth mode (`connect_oauth`) and its routes; the parts live beside it:
`oauth_state`, `installation_store`, `teams`, `team_gateway` and `registration`."""

from __future__ import annotations

import contextvars
import html
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

import aiohttp
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_callback_options import (
    AsyncCallbackOptions,
    AsyncFailureArgs,
    AsyncSuccessArgs,
)
from slack_bolt.oauth.async_oauth_flow import AsyncOAuthFlow
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.web.async_client import AsyncWebClient
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from adapters.slack import translate as tr
from adapters.slack.background import Background
from adapters.slack.gateway import SlackGateway
from adapters.slack.inbox import KIND
from adapters.slack.installation_store import DbInstallationStore, InstallRefused
from adapters.slack.listeners import SlackBot, register_listeners
from adapters.slack.oauth_state import SignedStateStore
from adapters.slack.registration import TeamPreparer, on_installed, register_soon
from adapters.slack.runtime import BOLT_NAME, DEFAULT_API_URL, SlackSettings
from adapters.slack.scopes import manifest_scopes
from adapters.slack.team_gateway import TeamGateway
from adapters.slack.teams import AUTHORIZED_TEAM, Team, Teams, ids_of_body, team_of_body
from adapters.slack.token_rotation import TokenKeeper
from adapters.slack.uninstall import listen_for_uninstall
from adapters.slack.users import SlackDirectory
from storage.slack_installations import SlackInstallations

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["OAuthEnv", "RedactSecrets", "connect_oauth", "oauth_routes", "redacted"]

log = logging.getLogger(__name__)

OAUTH_VARS = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET")

# What a log line must not carry: the install's one-time OAuth code (Bolt logs a failed
# exchange as "... with code: <code> - error: ...") and Slack tokens.
_SECRETS = re.compile(r"(\bcode\s*[:=]\s*)[^\s&,;]+|\bxox[a-z]-[A-Za-z0-9-]+|\bxoxe[.-][\w.-]+")


def redacted(message: str) -> str:
    """`message` without OAuth codes or tokens."""
    return _SECRETS.sub(
        lambda m: f"{m.group(1)}[redacted]" if m.group(1) else "[redacted]", message
    )


class RedactSecrets(logging.Filter):
    """Rewrites a record's message without OAuth codes or tokens (on the OAuth flow's logger:
    its warning of a failed code exchange names the code)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redacted(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True


# The OAuth flow's logger (Bolt's own name for it), given to the flow explicitly.
FLOW_LOG = logging.getLogger("slack_bolt.oauth.async_oauth_flow")
if not any(isinstance(f, RedactSecrets) for f in FLOW_LOG.filters):
    FLOW_LOG.addFilter(RedactSecrets())


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


# --- the request's workspace, for the listeners ------------------------------------------------

_current: contextvars.ContextVar[Team] = contextvars.ContextVar("slack_team")


class _CurrentGateway:
    """The gateway of the workspace of the request being handled (set by a middleware)."""

    def __getattr__(self, name: str) -> Any:
        return getattr(_current.get().gateway, name)


class _CurrentDirectory:
    def __getattr__(self, name: str) -> Any:
        return getattr(_current.get().directory, name)


# --- the Bolt app -----------------------------------------------------------------------------


async def connect_oauth(
    app: App, env: OAuthEnv, *, background: Background | None = None
) -> AsyncApp:
    """The Bolt app of the OAuth mode: install routes, per-workspace authorization, uninstall
    (its work after acknowledgements runs in `background`)."""
    session = aiohttp.ClientSession()
    installations = SlackInstallations(app.engine)
    background = background or Background()
    client = AsyncWebClient(base_url=env.api_url, session=session)
    keeper = TokenKeeper(
        installations,
        client=client,
        client_id=env.client_id,
        client_secret=env.client_secret,
        clock=app.clock,
    )
    teams = Teams(
        app,
        installations,
        api_url=env.api_url,
        session=session,
        background=background,
        keeper=keeper,
    )
    store = DbInstallationStore(installations, teams)
    gateway = TeamGateway(teams, session=session)
    app.chat.add(tr.PLATFORM, gateway)

    async def success(args: AsyncSuccessArgs) -> BoltResponse:
        try:
            await on_installed(app, teams, args.installation)
        except Exception:
            log.exception("Slack: setting up workspace %s failed", args.installation.team_id)
        return await args.default.success(args)

    async def failure(args: AsyncFailureArgs) -> BoltResponse:
        error = args.error
        if error is None:
            log.warning("Slack: an installation failed (%s)", args.reason)
        else:
            log.warning(
                "Slack: an installation failed (%s): %s",
                args.reason,
                redacted(str(error)) or type(error).__name__,
            )
        if isinstance(error, InstallRefused):  # why, in words for the installer
            return refused_page(args, error.why)
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
        name=BOLT_NAME,
        client=client,
        signing_secret=env.signing_secret,
        installation_store=store,
        oauth_flow=AsyncOAuthFlow(client=client, settings=settings, logger=FLOW_LOG),
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

    app.runtime.processor.add(KIND, TeamPreparer(teams, app))
    bot = SlackBot(
        inbox=app.inbox,
        gateway=cast(SlackGateway, _CurrentGateway()),
        directory=cast(SlackDirectory, _CurrentDirectory()),
        config=app.config,
        uow_factory=app.uow_factory,
        background=background,
        watch=teams.watch,
    )
    listen_for_uninstall(bolt, store.uninstalled, bot=bot)
    register_listeners(bolt, bot)  # last: it ends with the listener for every other event
    return bolt


def refused_page(args: AsyncFailureArgs, why: str) -> BoltResponse:
    """The installer's page when the app refused the installation: what went wrong, in words."""
    install = html.escape(args.settings.install_path)
    body = (
        '<html><head><meta charset="utf-8"><title>Micromentor was not installed</title>'
        "<style>body { padding: 10px 15px; font-family: verdana; text-align: center; }</style>"
        "</head><body><h2>Micromentor was not installed</h2>"
        f"<p>{html.escape(why)}</p>"
        f'<p>To try again, start from <a href="{install}">here</a>.</p></body></html>'
    )
    return BoltResponse(
        status=args.suggested_status_code,
        headers={
            "Content-Type": "text/html; charset=utf-8",
            "Set-Cookie": args.settings.state_utils.build_set_cookie_for_deletion(),
        },
        body=body,
    )


def oauth_routes(bolt: AsyncApp) -> list[BaseRoute]:
    """``GET /slack/install`` (the "Add to Slack" page) and ``GET /slack/oauth_redirect``."""
    handler = AsyncSlackRequestHandler(bolt)

    async def oauth(request: Request) -> Response:
        return await handler.handle(request)

    return [
        Route("/slack/install", oauth, methods=["GET"]),
        Route("/slack/oauth_redirect", oauth, methods=["GET"]),
    ]
