"""Slack token rotation in the OAuth mode. An app with rotation turned on gets, per workspace, a
bot token that lasts 12 hours and a refresh token that trades it for the next pair once (Slack's
"Using token rotation"). `TokenKeeper` trades a token before it is used in its last two hours,
for Bolt's authorization of a request and for every delivery alike, one trade at a time per
workspace across replicas (the row is held meanwhile: `SlackInstallations.rotate`). Bolt's own
rotation is not used: it would trade beside this one, and the loser's refresh token would
already be spent."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.gateway import api_error
from bot.ports import Clock
from storage.slack_installations import Rotated, SlackInstallation, SlackInstallations

__all__ = ["MARGIN", "RefreshFailed", "TokenKeeper"]

log = logging.getLogger(__name__)

# Traded this long before it expires (Bolt's and slack_sdk's default): a replica that was down
# for a while, or a refresh that failed once, still has time.
MARGIN = timedelta(hours=2)
# After a failed trade, the workspace's token is not offered for trading again for this long
# (Bolt asks for it on every request).
PAUSE_AFTER_FAILURE = timedelta(minutes=1)
# oauth.v2.access refusing the refresh token itself: it was revoked or already spent, and no
# later attempt will do better.
REFRESH_REFUSED = frozenset({"invalid_refresh_token", "invalid_grant", "token_revoked"})


class RefreshFailed(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class TokenKeeper:
    """Hands out a workspace's installation with a bot token good for a while."""

    def __init__(
        self,
        installations: SlackInstallations,
        *,
        client: AsyncWebClient,
        client_id: str,
        client_secret: str,
        clock: Clock,
    ) -> None:
        self.installations = installations
        self.client = client
        self._client_id = client_id
        self._client_secret = client_secret
        self.clock = clock
        self._locks: dict[str, asyncio.Lock] = {}
        self._paused: dict[str, datetime] = {}  # team → the time before which no trade is tried

    def due(self, found: SlackInstallation) -> bool:
        """The token expires and is in its last `MARGIN` (a token that does not expire never)."""
        expires = found.bot_token_expires_at
        return (
            bool(found.bot_refresh_token)
            and expires is not None
            and (expires <= self.clock.now() + MARGIN)
        )

    async def fresh(self, found: SlackInstallation, *, expired: bool = False) -> SlackInstallation:
        """`found`, its token traded first when it is due (or Slack called it expired:
        `expired`). A trade that fails leaves `found` as it is (logged), except that a refresh
        token Slack refuses, with the bot token already expired, is as good as an uninstall."""
        if not found.bot_refresh_token or not (expired or self.due(found)):
            return found
        now = self.clock.now()
        if self._paused.get(found.team_id, now) > now:
            return found
        token = found.bot_token

        def still_due(current: SlackInstallation) -> bool:
            # Another replica (or task) may have traded it meanwhile: then it is not this one.
            return current.bot_token == token and (expired or self.due(current))

        lock = self._locks.setdefault(found.team_id, asyncio.Lock())
        async with lock:
            try:
                current = await self.installations.rotate(found.team_id, still_due, self._trade)
            except RefreshFailed as e:
                self._paused[found.team_id] = now + PAUSE_AFTER_FAILURE
                await self._failed(found, e.code, expired=expired)
                return found
        if current is None:
            return found
        if current.bot_token != token:
            self._paused.pop(found.team_id, None)
            log.info("Slack: workspace %s's bot token traded for the next one", found.team_id)
        return current

    async def _trade(self, found: SlackInstallation) -> Rotated:
        """Slack's refresh: the refresh token for a new bot token and refresh token."""
        try:
            answer = await self.client.oauth_v2_access(
                client_id=self._client_id,
                client_secret=self._client_secret,
                grant_type="refresh_token",
                refresh_token=found.bot_refresh_token,
            )
        except SlackApiError as e:
            raise RefreshFailed(api_error(e)) from None
        except (aiohttp.ClientError, TimeoutError) as e:
            raise RefreshFailed(type(e).__name__) from None
        token = answer.get("access_token")
        refresh = answer.get("refresh_token")
        expires_in = answer.get("expires_in")
        if answer.get("token_type") != "bot" or not token or not refresh or not expires_in:
            raise RefreshFailed("an answer without a bot token, refresh token and expiry")
        return Rotated(
            bot_token=str(token),
            refresh_token=str(refresh),
            expires_at=self.clock.now() + timedelta(seconds=int(expires_in)),
        )

    async def _failed(self, found: SlackInstallation, code: str, *, expired: bool) -> None:
        gone = found.bot_token_expires_at is not None and found.bot_token_expires_at <= (
            self.clock.now()
        )
        if code in REFRESH_REFUSED and (expired or gone):
            if await self.installations.deactivate(found.team_id, token=found.bot_token):
                log.error(
                    "Slack: workspace %s's bot token expired and Slack refused its refresh token "
                    "(%s); marked uninstalled until the app is installed there again",
                    found.team_id,
                    code,
                )
            return
        log.error(
            "Slack: could not trade workspace %s's bot token for the next one (%s); trying again "
            "in a minute. It expires at %s",
            found.team_id,
            code,
            found.bot_token_expires_at.isoformat() if found.bot_token_expires_at else "?",
        )
