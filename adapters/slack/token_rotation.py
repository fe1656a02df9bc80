"""Slack token rotation in the OAuth mode. An app with rotation turned on gets, per workspace, a
bot token that lasts 12 hours and a refresh token that trades it for the next pair once (Slack's
"Using token rotation": the refresh token is then revoked). `TokenKeeper` trades a token before
it is used in its last two hours, for Bolt's authorization of a request and for every delivery
alike: one trade at a time per workspace across replicas (a claim on its row:
`SlackInstallations.claim_trade`), no transaction open while Slack is asked, and a trade once
begun is seen through to its write even when whoever needed the token stops waiting (a spent
refresh token not replaced by the new one would lose the workspace). Bolt's own rotation is not
used: it would trade beside this one."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import datetime, timedelta

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import SQLAlchemyError

from adapters.slack.errors import api_error
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
# How long a replica's claim on a trade lasts: the refresh call's own time-out (30 s) and more.
# A replica that died holding it leaves the trade to another one after that.
CLAIM = timedelta(minutes=2)
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
        self._trading: dict[str, asyncio.Task[SlackInstallation]] = {}  # team → its trade
        self._paused: dict[str, datetime] = {}  # team → no trade tried before
        # team → (the refresh token spent, the pair it bought) whose write failed: stored
        # before anything else is tried, and used meanwhile.
        self._unsaved: dict[str, tuple[str, Rotated]] = {}

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
        team = found.team_id
        if team in self._unsaved:
            return await self._store_unsaved(found)
        if not found.bot_refresh_token or not (expired or self.due(found)):
            return found
        now = self.clock.now()
        if self._paused.get(team, now) > now:
            return found
        task = self._trading.get(team)
        if task is None:
            task = asyncio.create_task(self._trade_once(found, expired=expired))
            self._trading[team] = task
            task.add_done_callback(lambda _: self._trading.pop(team, None))
        # Shielded: a caller that stops waiting (a delivery's deadline, a shutdown) leaves the
        # trade to finish and store what Slack handed out.
        return await asyncio.shield(task)

    async def _trade_once(self, found: SlackInstallation, *, expired: bool) -> SlackInstallation:
        team, now = found.team_id, self.clock.now()
        assert found.bot_token is not None and found.bot_refresh_token is not None
        if not await self.installations.claim_trade(
            team, found.bot_token, now=now, until=now + CLAIM
        ):
            # Traded by another replica meanwhile (its token is stored), or being traded there
            # (this token is still good for a while).
            return await self.installations.find(team) or found
        try:
            new = await self._trade(found)
        except RefreshFailed as e:
            await self.installations.release_trade(team)
            self._paused[team] = now + PAUSE_AFTER_FAILURE
            await self._failed(found, e.code, expired=expired)
            return await self.installations.find(team) or found
        self._paused.pop(team, None)
        self._unsaved[team] = (found.bot_refresh_token, new)
        log.info("Slack: workspace %s's bot token traded for the next one", team)
        return await self._store_unsaved(found)

    async def _store_unsaved(self, found: SlackInstallation) -> SlackInstallation:
        """Store the pair a trade bought (again, when storing it failed before); `found` with
        it either way: the new token works at once, the spent refresh token never again."""
        spent, new = self._unsaved[found.team_id]
        try:
            if not await self.installations.traded(found.team_id, spent, new):
                log.warning(
                    "Slack: workspace %s was reinstalled or removed while its token was traded; "
                    "the traded token is not kept",
                    found.team_id,
                )
                del self._unsaved[found.team_id]
                return found
        except (SQLAlchemyError, OSError) as e:
            log.error(
                "Slack: could not store workspace %s's traded token (%s); using it and storing "
                "it again on its next use",
                found.team_id,
                type(e).__name__,
            )
        else:
            del self._unsaved[found.team_id]
        return replace(
            found,
            bot_token=new.bot_token,
            bot_refresh_token=new.refresh_token,
            bot_token_expires_at=new.expires_at,
        )

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
