"""Who a Slack user is (name, admin/owner, timezone) from users.info, cached briefly."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import api_error, classify
from adapters.slack.translate import user_ref
from bot.commands import Actor
from bot.ports import RetryAfter
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "SLACKBOT",
    "SlackDirectory",
    "SlackUser",
    "email_lookup",
    "slack_user",
    "workspace_email_lookup",
]

log = logging.getLogger(__name__)

# users.info's answer for an id that names nobody in this workspace.
_NO_SUCH_USER = ("user_not_found", "user_not_visible")

# Slackbot's user id in every workspace (users.info says ``is_bot: false`` for it).
SLACKBOT = "USLACKBOT"


@dataclass(frozen=True, slots=True)
class SlackUser:
    id: str
    name: str
    admin: bool | None = None  # None: not known (the stand-in when users.info fails)
    timezone: str | None = None
    bot: bool = False  # a bot user (an app's, or Slackbot)
    # Slack says there is no such user here (user_not_found) or they were deactivated; False
    # when that is merely unknown (a look-up failed: the stand-in is used).
    missing: bool = False
    # Not a member of this workspace: someone from another organisation in a Slack Connect
    # channel (a guest of this workspace is a member of it).
    outsider: bool = False


class SlackDirectory:
    """users.info look-ups with a short cache, turned into core `Actor`s."""

    def __init__(
        self,
        client: AsyncWebClient,
        *,
        workspace: WorkspaceRef,
        ttl_seconds: float = 600.0,
        admins: frozenset[str] = frozenset(),
    ) -> None:
        self.client = client
        self.workspace = workspace
        self.admins = admins  # admins here besides Slack's (the first installer)
        self.ttl = ttl_seconds
        self._cache: dict[str, tuple[float, SlackUser]] = {}
        # The user object's `updated` (Slack's time of its last change) behind a cached entry: a
        # user_change that Slack redelivers late must not undo a newer one (an admin demoted).
        self._updated: dict[str, float] = {}
        self._quiet_until = 0.0  # a rate limit's Retry-After: no users.info call before then

    def known(self, user_id: str) -> SlackUser | None:
        """What users.info said about the user a short while ago, without asking again (for
        the 3 seconds of a trigger_id, where no call can be afforded)."""
        hit = self._cache.get(user_id)
        return hit[1] if hit and hit[0] > time.monotonic() else None

    async def user(self, user_id: str, *, fallback_name: str = "") -> SlackUser:
        hit = self._cache.get(user_id)
        now = time.monotonic()
        if hit and hit[0] > now:
            return hit[1]
        # Without an answer, what Slack said earlier (expired) beats a stand-in: the stand-in has
        # no name and no admin flag, and the person's record would be rewritten with both.
        known = hit[1] if hit else SlackUser(user_id, fallback_name or user_id)
        if now < self._quiet_until:
            return known
        try:
            resp = await self.client.users_info(user=user_id)
        except SlackApiError as e:
            if api_error(e) in _NO_SUCH_USER:
                gone = SlackUser(user_id, fallback_name or user_id, missing=True)
                self._cache[user_id] = (now + self.ttl, gone)
                return gone
            log.warning("users.info failed for a user: %s", api_error(e))
            wait = classify(e)
            if isinstance(wait, RetryAfter):
                self._quiet_until = now + wait.seconds
            return known
        except Exception as e:  # the command must go on (a timeout, a dropped connection)
            log.warning("users.info failed for a user: %s", type(e).__name__)
            return known
        info = resp.get("user") or {}
        found = slack_user(user_id, info, fallback_name=fallback_name, team=self.workspace.id)
        self._cache[user_id] = (now + self.ttl, found)
        self._note_updated(user_id, info)
        return found

    def refresh(self, info: Mapping[str, Any]) -> None:
        """A ``user_change`` event's user object replaces what users.info said about someone we
        know, at once: a rename shows, and an admin who no longer is one stops being one now
        rather than when the cache expires."""
        user_id = str(info.get("id") or "")
        if user_id not in self._cache:
            return
        stamp, seen = _updated(info), self._updated.get(user_id)
        if stamp is not None and seen is not None and stamp < seen:
            return  # an older change, redelivered after a newer one
        found = slack_user(user_id, info, team=self.workspace.id)
        self._cache[user_id] = (time.monotonic() + self.ttl, found)
        self._note_updated(user_id, info)

    def _note_updated(self, user_id: str, info: Mapping[str, Any]) -> None:
        stamp = _updated(info)
        if stamp is not None:
            self._updated[user_id] = max(stamp, self._updated.get(user_id, stamp))

    async def actor(self, user_id: str, *, fallback_name: str = "") -> Actor:
        return self.actor_of(await self.user(user_id, fallback_name=fallback_name))

    def actor_of(self, u: SlackUser) -> Actor:
        """The actor of someone already looked up (no second look-up)."""
        return Actor(
            user=user_ref(u.id),
            name=u.name,
            workspace=self.workspace,
            platform_admin=True if u.id in self.admins else u.admin,
            timezone=u.timezone,
        )


def _updated(info: Mapping[str, Any]) -> float | None:
    """A user object's ``updated`` (seconds since the epoch), when Slack gave one."""
    value = info.get("updated")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def slack_user(
    user_id: str, info: Mapping[str, Any], *, fallback_name: str = "", team: str | None = None
) -> SlackUser:
    """A Slack user object (users.info's ``user``, a ``user_change`` event's) as we keep it.

    Admin and owner flags count only for a member of `team` (this workspace): someone from
    another organisation in a Slack Connect channel is an admin of *their* workspace, not here."""
    profile = info.get("profile") or {}
    name = (
        profile.get("display_name")
        or profile.get("real_name")
        or info.get("real_name")
        or info.get("name")
        or fallback_name
        or user_id
    )
    return SlackUser(
        id=user_id,
        name=str(name),
        admin=_flagged_admin(info) and (team is None or _member_of(info, team)),
        timezone=info.get("tz") or None,
        bot=bool(info.get("is_bot")) or user_id == SLACKBOT,
        missing=bool(info.get("deleted")),
        outsider=team is not None and not _member_of(info, team),
    )


def _flagged_admin(info: Mapping[str, Any]) -> bool:
    return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))


def _member_of(info: Mapping[str, Any], team: str) -> bool:
    """Whether the user belongs to `team`: their home ``team_id`` is it or, on Enterprise Grid,
    it is one of their organisation's workspaces they are in (``enterprise_user.teams``). A user
    object without a ``team_id`` is not taken as an outsider."""
    home = info.get("team_id")
    if not home or home == team:
        return True
    grid = info.get("enterprise_user") or {}
    return isinstance(grid, Mapping) and team in (grid.get("teams") or ())


def email_lookup(
    client: AsyncWebClient,
) -> Callable[[WorkspaceRef, str], Awaitable[tuple[UserRef, str] | None]]:
    """users.lookupByEmail (scope ``users:read.email``) for roster rows that give an e-mail."""

    async def lookup(workspace: WorkspaceRef, email: str) -> tuple[UserRef, str] | None:
        if workspace.platform != "slack":
            return None
        try:
            resp = await client.users_lookupByEmail(email=email)
        except SlackApiError as e:
            if api_error(e) != "users_not_found":
                log.warning("users.lookupByEmail failed: %s", api_error(e))
            return None
        except (aiohttp.ClientError, TimeoutError) as e:
            from adapters.slack.runtime import unreachable
            from bot.errors import StartupError

            # Every e-mail row would fail alike: stop the import (it applies all rows or none).
            raise StartupError(unreachable(client.base_url, e), code=1) from None
        info = resp.get("user") or {}
        if not info.get("id") or info.get("deleted"):
            return None
        profile = info.get("profile") or {}
        name = profile.get("display_name") or profile.get("real_name") or info.get("name") or ""
        return user_ref(str(info["id"])), str(name or info["id"])

    return lookup


def workspace_email_lookup(
    token_of: Callable[[str], Awaitable[str | None]], *, base_url: str, token: str | None
) -> Callable[[WorkspaceRef, str], Awaitable[tuple[UserRef, str] | str | None]]:
    """users.lookupByEmail in the row's own workspace: with the bot token its installation holds
    (`token_of(team_id)`, the OAuth mode's, looked up once per workspace), else with `token`
    (``SLACK_BOT_TOKEN``); a lookup with another workspace's token would find someone else's
    account, or nobody. What to say instead when there is no token for the workspace."""
    lookups: dict[str, Callable[[WorkspaceRef, str], Awaitable[tuple[UserRef, str] | None]]] = {}
    shared = AsyncWebClient(token=token, base_url=base_url) if token else None
    shared_team: list[str] = []  # the workspace `token` is for (auth.test, asked once)

    async def token_team() -> str:
        if shared is not None and not shared_team:
            try:
                shared_team.append(str((await shared.auth_test()).get("team_id") or ""))
            except SlackApiError as e:
                log.warning("auth.test failed for SLACK_BOT_TOKEN: %s", api_error(e))
                shared_team.append("")
        return shared_team[0] if shared_team else ""

    async def lookup(workspace: WorkspaceRef, email: str) -> tuple[UserRef, str] | str | None:
        if workspace.platform != "slack":
            return "only Slack looks people up by e-mail: give their id in the `user` column"
        found = lookups.get(workspace.id)
        if found is None:
            own = await token_of(workspace.id)
            if own is not None:
                found = email_lookup(AsyncWebClient(token=own, base_url=base_url))
            elif shared is not None and await token_team() == workspace.id:
                found = email_lookup(shared)
            else:
                return (
                    f"look-up by e-mail needs the app installed in {workspace.key()} "
                    "(SLACK_BOT_TOKEN is another workspace's)"
                    if shared is not None
                    else f"look-up by e-mail needs the app installed in {workspace.key()}"
                )
            lookups[workspace.id] = found
        return await found(workspace, email)

    return lookup
