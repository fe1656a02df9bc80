"""Start-up: settings from the environment, the retrying Web API client, channel names → ids,
workspace registration, and the Bolt app with its listeners."""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

from adapters.slack.background import Background
from adapters.slack.channels import ChannelWatch
from adapters.slack.errors import api_error, classify, rate_limited
from adapters.slack.gateway import SlackGateway
from adapters.slack.inbox import KIND, SlackPreparer
from adapters.slack.listeners import SlackBot, register_listeners
from adapters.slack.one_team import OneTeam, guard_one_team
from adapters.slack.scopes import missing_scopes
from adapters.slack.translate import PLATFORM, channel_of, channel_ref, workspace_ref
from adapters.slack.uninstall import Uninstall, listen_for_uninstall, record_removal
from adapters.slack.users import SlackDirectory
from bot.commands import RegisterWorkspace
from bot.errors import StartupError
from bot.metrics import Metrics, NullMetrics
from bot.ports import RetryAfter

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import ChannelsSection

__all__ = [
    "DEFAULT_API_URL",
    "ChannelListRefused",
    "ListingPatience",
    "SlackSettings",
    "channel_gone",
    "connect",
    "refusal",
    "resolve_channel",
    "web_client",
]

log = logging.getLogger(__name__)

# Bolt names the loggers of its listeners and middleware after the app ("<name>:<function>"),
# by default after the file that built it: under slack_bolt, bot.logs holds them below WARNING.
BOLT_NAME = "slack_bolt.micromentor"

DEFAULT_API_URL = "https://slack.com/api/"


# Said by `check` (a problem) and at start (a warning) when SLACK_BOT_TOKEN is a rotating token.
ROTATING_TOKEN = (
    "Slack: SLACK_BOT_TOKEN is a rotating token (xoxe.xoxb-…: the app has token rotation on), "
    "which Slack expires 12 hours after issuing it; this single-workspace mode has no refresh "
    "token to trade it for the next one. Install through the OAuth mode instead (SLACK_CLIENT_ID, "
    "SLACK_CLIENT_SECRET, SLACK_STATE_SECRET; README: Install into several workspaces), which "
    "trades it before it expires"
)


@dataclass(frozen=True, slots=True)
class SlackSettings:
    """Deployment values from the environment (DESIGN.md §6)."""

    # Secrets stay out of repr(), so no log line or traceback can show them.
    bot_token: str = field(repr=False)
    signing_secret: str = field(default="", repr=False)
    app_token: str = field(default="", repr=False)
    api_url: str = DEFAULT_API_URL
    port: int = 3000
    host: str = "0.0.0.0"

    @property
    def rotating(self) -> bool:
        """The bot token is one of an app with token rotation on (``xoxe.xoxb-…``): Slack
        expires it 12 hours after issuing it, and this mode holds no refresh token."""
        return self.bot_token.startswith("xoxe.")

    @property
    def socket_mode(self) -> bool:
        return bool(self.app_token)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> SlackSettings:
        api_url = env.get("SLACK_API_URL") or DEFAULT_API_URL
        return cls(
            bot_token=env.get("SLACK_BOT_TOKEN", ""),
            signing_secret=env.get("SLACK_SIGNING_SECRET", ""),
            app_token=env.get("SLACK_APP_TOKEN", ""),
            api_url=api_url if api_url.endswith("/") else api_url + "/",
            port=_port(env.get("PORT")),
            host=env.get("HOST") or "0.0.0.0",
        )


def _port(raw: str | None) -> int:
    from bot.errors import StartupError

    value = (raw or "3000").strip()
    if not value.isdigit() or not 0 <= int(value) <= 65535:
        raise StartupError(f"PORT={value!r} is not a port number (0-65535)")
    return int(value)


# Only the deliverer talks to Slack, with no transaction open. A short rate limit is waited out
# in the call; a longer one is handed back (RetryAfter) so the delivery is rescheduled and the
# worker moves on to other conversations instead of sleeping.
MAX_RATE_LIMIT_WAIT_SECONDS = 2


class BoundedRateLimitRetryHandler(AsyncRateLimitErrorRetryHandler):
    """Retries a 429 after its Retry-After, unless that is longer than `max_wait` seconds."""

    def __init__(self, *, max_retry_count: int, max_wait: float) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.max_wait = max_wait

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        waits = [
            str(v)
            for k, vs in response.headers.items()
            if k.lower() == "retry-after"
            for v in (vs if isinstance(vs, list) else [vs])
        ]
        try:
            wait = float(waits[0]) if waits else 1.0
        except ValueError:
            wait = 1.0
        return wait <= self.max_wait


# Calls that read (or are idempotent by nature) may be repeated blindly after a 5xx or a
# dropped connection. A post may have gone out before its answer was lost: only the outbox
# retries those, after looking for the key of the earlier attempt.
_SAFE_TO_REPEAT = ("auth.test", "conversations.", "users.", "views.publish", "chat.update")


def _safe_to_repeat(request: HttpRequest) -> bool:
    method = request.url.rstrip("/").rsplit("/", 1)[-1]
    return method.startswith(_SAFE_TO_REPEAT)


class _OnlySafeToRepeat:
    """Mixed into slack_sdk's retry handlers: retry only calls that are safe to repeat."""

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        can: bool = _safe_to_repeat(request) and await super()._can_retry_async(  # type: ignore[misc]
            state=state, request=request, response=response, error=error
        )
        return can


class ReadServerErrorRetryHandler(_OnlySafeToRepeat, AsyncServerErrorRetryHandler):
    """Retries a 5xx only for calls that are safe to repeat."""


class ReadConnectionErrorRetryHandler(_OnlySafeToRepeat, AsyncConnectionErrorRetryHandler):
    """Retries a dropped connection only for calls that are safe to repeat."""


class MeasuredWebClient(AsyncWebClient):
    """Reports each call's duration and status to the bot's metrics."""

    metrics: Metrics = NullMetrics()

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        started = time.monotonic()
        status = 0
        try:
            response = await super().api_call(api_method, **kwargs)
            status = response.status_code
            return response
        except SlackApiError as e:
            status = e.response.status_code
            raise
        finally:
            self.metrics.api_call(
                platform="slack",
                method=api_method,
                seconds=time.monotonic() - started,
                status=status,
            )


def web_client(
    settings: SlackSettings,
    *,
    session: aiohttp.ClientSession | None = None,
    metrics: Metrics | None = None,
) -> AsyncWebClient:
    """The Web API client: retries 429 (honouring a short Retry-After; a 429 was not applied),
    and 5xx and connection failures of calls that are safe to repeat. Given a `session`, every
    call reuses its connections (without one, slack_sdk opens a new one per call)."""
    client = MeasuredWebClient(
        token=settings.bot_token,
        base_url=settings.api_url,
        session=session,
        timeout=15,
        retry_handlers=[
            BoundedRateLimitRetryHandler(max_retry_count=3, max_wait=MAX_RATE_LIMIT_WAIT_SECONDS),
            ReadServerErrorRetryHandler(max_retry_count=2),
            ReadConnectionErrorRetryHandler(max_retry_count=2),
        ],
    )
    if metrics is not None:
        client.metrics = metrics
    return client


_BAD_TOKEN = ("invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired")


def unreachable(api_url: str, e: BaseException) -> str:
    """Slack's Web API did not answer at all (a network, DNS or proxy problem, a wrong
    SLACK_API_URL): say where it was tried, not only the socket's own words."""
    return (
        f"Slack: cannot reach {api_url} ({type(e).__name__}); check the network (and a proxy), "
        "or SLACK_API_URL if it is set"
    )


def auth_refused(e: SlackApiError) -> StartupError:
    """What `auth.test` failing at start-up means: a refused token (exit 2: a person must fix
    it), or Slack down or rate limiting (exit 1: a supervisor's restart later may succeed)."""
    status = e.response.status_code
    if status >= 500 or rate_limited(e):
        return StartupError(
            f"Slack: auth.test could not be answered now ({api_error(e)}, HTTP {status}); "
            "Slack is unavailable or rate limiting: try again shortly",
            code=1,
        )
    return StartupError(f"Slack: SLACK_BOT_TOKEN was refused {refusal(e)}")


def refusal(e: SlackApiError) -> str:
    """Slack's error code in parentheses, then what to do about it: the scope to add
    (``missing_scope`` names it in `needed`), or where to copy a token again."""
    code = api_error(e)
    data = e.response.data if isinstance(e.response.data, dict) else {}
    if code == "missing_scope":
        needed = str(data.get("needed") or "").strip()
        what = f"the {needed} scope" if needed else "a scope it needs"
        return (
            f"(missing_scope); the app lacks {what}: add it under OAuth & Permissions (or from "
            "adapters/slack/manifest.yml) and reinstall the app to the workspace"
        )
    if code in _BAD_TOKEN:
        return (
            f"({code}); the token is wrong, revoked or its app was uninstalled: copy the Bot "
            "User OAuth Token (xoxb-…) again from OAuth & Permissions, reinstalling the app if "
            "needed"
        )
    return f"({code})"


class ChannelListRefused(StartupError):
    """Slack refused to list channels, so no configured channel name can be found; `reason` is
    Slack's error and what to do about it (the same for every name)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


# conversations.list is a Tier 2 method (about 20 calls a minute): a Retry-After longer than the
# client waits by itself is waited out here, continuing from the same page, up to this long in
# all (one start-up, or one registration of a workspace); then Slack is said to keep
# rate-limiting.
CHANNEL_LIST_PATIENCE_SECONDS = 90.0


@dataclass(slots=True)
class ListingPatience:
    """One listing of the channels for the names looked up together: how long it waits out
    Slack's rate limits (`seconds` in all) and how (`sleep`; a test's needs no real time), and
    the names it has read so far (`seen`, `cursor`: the next page, "" once read to the end), so
    that finding three names reads the pages once, not once per name."""

    seconds: float = CHANNEL_LIST_PATIENCE_SECONDS
    sleep: Callable[[float], Awaitable[object]] = asyncio.sleep
    waited: float = 0.0
    seen: dict[str, str] = field(default_factory=dict)
    cursor: str | None = None
    # Archived channels by name: one configured by name is said to be archived, not missing.
    archived: dict[str, str] = field(default_factory=dict)

    async def wait_out(self, e: SlackApiError, *, name: str) -> None:
        """Wait what a rate limit asks; ChannelListRefused when that would go past `seconds`."""
        wait = classify(e)
        assert isinstance(wait, RetryAfter)
        if self.waited + wait.seconds > self.seconds:
            reason = (
                f"({api_error(e)}); Slack kept rate-limiting the channel listing "
                f"(conversations.list) after {self.waited:g} s of waiting, asking for "
                f"{wait.seconds:g} s more: start again in a few minutes"
            )
            raise ChannelListRefused(
                f"Slack: could not list channels to find #{name} {reason}", reason=reason
            )
        log.info("Slack: listing channels is rate limited; going on in %g s", wait.seconds)
        await self.sleep(wait.seconds)
        self.waited += wait.seconds


async def resolve_channel(
    client: AsyncWebClient,
    configured: str,
    *,
    key: str,
    patience: ListingPatience | None = None,
) -> str:
    """A channel id as is, or a name (``mentoring`` / ``#mentoring``) looked up page by page,
    waiting out Slack's rate limits (`patience`)."""
    as_id = channel_of(configured)
    if as_id:
        return as_id
    name = configured.strip().lstrip("#").lower()
    listing = patience or ListingPatience()
    while name not in listing.seen and listing.cursor != "":
        try:
            resp = await client.conversations_list(
                types="public_channel,private_channel",
                # Archived ones too: a configured one is then said to be archived (Slack keeps
                # its name taken), not missing.
                exclude_archived=False,
                limit=1000,
                cursor=listing.cursor or "",
            )
        except SlackApiError as e:
            if not isinstance(classify(e), RetryAfter):
                raise ChannelListRefused(
                    f"Slack: could not list channels to find #{name} {refusal(e)}",
                    reason=refusal(e),
                ) from None
            await listing.wait_out(e, name=name)
            continue  # the same page again
        for ch in resp.get("channels") or []:
            found = listing.archived if ch.get("is_archived") else listing.seen
            found.setdefault(str(ch.get("name", "")).lower(), str(ch["id"]))
        listing.cursor = ((resp.get("response_metadata") or {}).get("next_cursor")) or ""
    if name in listing.seen:
        return listing.seen[name]
    if name in listing.archived:
        raise StartupError(
            f"Slack channel #{name} ({listing.archived[name]}, bot.toml [channels] {key}) is "
            f"archived; unarchive it, or set [channels] {key} to another channel name or id."
        )
    raise StartupError(
        f"Slack channel #{name} (bot.toml [channels] {key}) does not exist or the bot cannot see it. "
        f"Create #{name} (for a private channel, invite the app), or set [channels] {key} "
        "to an existing channel name or id."
    )


_GONE = ("channel_not_found", "is_archived")


def channel_gone(channel_id: str, code: str) -> str:
    """The line for a configured channel id that does not exist (or is archived)."""
    if code == "is_archived":
        return (
            f"Slack channel {channel_id} (bot.toml [channels]) is archived; unarchive it or "
            "set [channels] to another channel name or id"
        )
    return (
        f"Slack channel {channel_id} (bot.toml [channels]) does not exist or the bot cannot see "
        "it (for a private channel, invite the app); set [channels] to an existing channel "
        "name or id"
    )


async def resolve_channels(
    client: AsyncWebClient, channels: ChannelsSection, *, patience: ListingPatience | None = None
) -> tuple[str, str, str | None]:
    """The ids of the configured mentoring, admin and (when set) escalation channels; a
    StartupError names one Slack does not have. Rate limits are waited out for all three
    together (`patience`)."""
    patience = patience or ListingPatience()
    mentoring = await resolve_channel(
        client, channels.mentoring, key="mentoring", patience=patience
    )
    admin = await resolve_channel(client, channels.admin, key="admin", patience=patience)
    wider = (
        await resolve_channel(client, channels.escalation, key="escalation", patience=patience)
        if channels.escalation
        else None
    )
    return mentoring, admin, wider


async def join_channel(client: AsyncWebClient, channel_id: str) -> None:
    """Join a public channel, since Slack sends reactions and thread messages only from channels
    the app is in; a private one needs `/invite @Micromentor`, which we say instead of failing."""
    try:
        await client.conversations_join(channel=channel_id)
    except SlackApiError as e:
        if api_error(e) in _GONE:
            from bot.errors import StartupError

            raise StartupError(channel_gone(channel_id, api_error(e))) from None
        log.warning(
            "Slack: could not join channel %s (%s); invite the app with /invite, or claims by "
            "reaction and thread activity there will not reach it",
            channel_id,
            api_error(e),
        )
    except Exception as e:  # joining is a convenience: never a reason not to start
        reason = type(e).__name__
        log.warning(
            "Slack: could not join channel %s (%s); invite the app with /invite, or claims by "
            "reaction and thread activity there will not reach it",
            channel_id,
            reason,
        )


async def connect(
    app: App,
    settings: SlackSettings,
    *,
    client: AsyncWebClient | None = None,
    background: Background | None = None,
) -> AsyncApp:
    """Check the token, resolve channels, register the workspace and build the Bolt app (its
    work after acknowledgements runs in `background`)."""
    session = aiohttp.ClientSession() if client is None else None
    client = client or web_client(settings, session=session, metrics=app.metrics)
    try:
        return await _connect(app, settings, client, session, background or Background())
    except BaseException:
        if session is not None:
            await session.close()
        raise


async def _connect(
    app: App,
    settings: SlackSettings,
    client: AsyncWebClient,
    session: aiohttp.ClientSession | None,
    background: Background,
) -> AsyncApp:
    from bot.errors import StartupError

    try:
        auth = await client.auth_test()
    except SlackApiError as e:
        raise auth_refused(e) from None
    except (aiohttp.ClientError, TimeoutError) as e:
        raise StartupError(unreachable(settings.api_url, e), code=1) from None
    team_id = str(auth["team_id"])
    if settings.rotating:
        log.warning(ROTATING_TOKEN)
    # The line `micromentor check` gives: run goes on (what lacks a scope fails when used).
    scopes = missing_scopes(auth.headers, app.config)
    if scopes:
        log.warning("%s", scopes)
    checked_at = app.clock.now()
    mentoring, admin, wider = await resolve_channels(client, app.config.channels)
    for channel_id in dict.fromkeys(c for c in (mentoring, admin, wider) if c):
        await join_channel(client, channel_id)
    # The configured channels, watched: archived or deleted, questions are not taken.
    watch = ChannelWatch(app.uow_factory, clock=app.clock)
    await watch.watch(
        team_id,
        app.config.channels,
        name=str(auth.get("team") or team_id),
        mentoring=mentoring,
        admin=admin,
        escalation=wider,
        checked_at=checked_at,
    )
    gateway = SlackGateway(
        client,
        thread_mode=app.config.slack.thread_mode,
        workspace_url=str(auth.get("url") or ""),
        session=session,
        clock=app.clock,
        watch=watch,
        team_id=team_id,
    )
    app.chat.add(PLATFORM, gateway)
    workspace = workspace_ref(team_id)
    await app.bus.handle(
        RegisterWorkspace(
            workspace,
            channel_ref(mentoring),
            channel_ref(admin),
            timezone=app.config.bot.timezone,
            name=str(auth.get("team") or team_id),
            escalation_channel=channel_ref(wider) if wider else None,
        )
    )
    log.info("Slack: workspace %s, cards in %s, admin channel %s", team_id, mentoring, admin)
    # process_before_response: Bolt acknowledges only after a listener returned, i.e. after
    # the input is stored (by default it acks events before the listener even runs).
    bolt = AsyncApp(
        name=BOLT_NAME,
        client=client,
        signing_secret=settings.signing_secret or None,
        request_verification_enabled=not settings.socket_mode,
        process_before_response=True,
    )
    directory = SlackDirectory(client, workspace=workspace)
    app.runtime.processor.add(
        KIND,
        SlackPreparer(gateway=gateway, directory=directory, clock=app.clock, config=app.config),
    )
    bot = SlackBot(
        inbox=app.inbox,
        gateway=gateway,
        directory=directory,
        config=app.config,
        uow_factory=app.uow_factory,
        background=background,
        watch=watch,
    )
    # Another workspace's requests (the app installed there too) are not taken as this one's.
    guard_one_team(bolt, OneTeam.of_auth(auth.data if isinstance(auth.data, dict) else {}))
    _note_uninstall(
        bolt, app, bot, team_id=team_id, bot_user=str(auth.get("user_id") or ""), since=checked_at
    )
    register_listeners(bolt, bot)  # last: it ends with the listener for every other event
    return bolt


def _note_uninstall(
    bolt: AsyncApp, app: App, bot: SlackBot, *, team_id: str, bot_user: str, since: datetime
) -> None:
    """The manifest subscribes to `app_uninstalled` and `tokens_revoked`: as in the OAuth mode,
    the workspace is recorded as removed (its nudges wait, no digest is made) unless the event
    is from before `since`, when its token was proven good at start (a late or retried one), or
    names another bot user. The token is the environment's: said loudly, since nothing reaches
    Slack until a new one is set; the start with it takes the workspace up again
    (RegisterWorkspace)."""

    async def removed(uninstall: Uninstall) -> None:
        if uninstall.team_id != team_id or uninstall.spares(bot_user):
            return
        if uninstall.older_than(since):
            log.info(
                "Slack: an uninstall of workspace %s from before this start (a late or retried "
                "event) is ignored",
                team_id,
            )
            return
        log.error(
            "Slack: the app was uninstalled or its bot token revoked; nothing reaches Slack "
            "until it is reinstalled and SLACK_BOT_TOKEN is set to the new token"
        )
        await record_removal(app.bus, team_id)

    listen_for_uninstall(bolt, removed, bot=bot)
