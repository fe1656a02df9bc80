"""Bolt's installation store on the bot's database: an installation saved at the end of the
install flow, the bot token Bolt authorizes each request with (traded for the next one first
when the app rotates its tokens and this one is about to expire: `Teams.installation`), and the
workspace marked uninstalled when the app is removed there (bot tokens only; no per-user
installs)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from logging import Logger

from slack_bolt.error import BoltError
from slack_sdk.oauth.installation_store.async_installation_store import AsyncInstallationStore
from slack_sdk.oauth.installation_store.models.bot import Bot
from slack_sdk.oauth.installation_store.models.installation import Installation

from adapters.slack.teams import Teams
from adapters.slack.uninstall import Uninstall
from storage.slack_installations import SlackInstallation, SlackInstallations

__all__ = ["DbInstallationStore", "InstallRefused"]

log = logging.getLogger(__name__)


class InstallRefused(BoltError):
    """An installation the app does not take (Bolt answers its failure handler with it, as
    ``storage_error``): `why` is for the installer's page and the log."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why


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
            raise InstallRefused(  # Bolt calls the failure handler (storage_error)
                "Organisation-wide (Enterprise Grid) installs are not supported: Micromentor "
                "is installed in one workspace at a time."
            )
        scopes = installation.bot_scopes
        expires = installation.bot_token_expires_at  # seconds since the epoch, with rotation
        await self.installations.save(
            SlackInstallation(
                team_id=installation.team_id,
                bot_token=installation.bot_token,
                bot_refresh_token=installation.bot_refresh_token,
                bot_token_expires_at=datetime.fromtimestamp(expires, UTC) if expires else None,
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
        if self.teams is not None:  # traded first when due (token rotation)
            found = await self.teams.installation(team_id or "")
        else:
            found = await self.installations.find(team_id or "")
        if found is None or not found.active or not found.bot_token:
            return None
        # Without its refresh token: Bolt rotates a bot that has one, beside the keeper.
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

    async def uninstalled(self, uninstall: Uninstall) -> None:
        """``app_uninstalled`` or ``tokens_revoked`` for the workspace: its installation marked
        uninstalled, unless the event is older than the installation (`Uninstall.older_than`:
        one may arrive after the app was installed there again) or names another bot user.
        The installation's token is checked again in the update: a reinstall meanwhile brought
        a new one."""
        team_id = uninstall.team_id
        found = await self.installations.find(team_id)
        if found is None or not found.active:
            return
        if uninstall.older_than(found.installed_at):
            log.info(
                "Slack: an uninstall of workspace %s from before its current installation "
                "(a late or retried event) is ignored",
                team_id,
            )
            return
        if uninstall.spares(found.bot_user_id):
            log.info(
                "Slack: revoked tokens of workspace %s are not its current bot's; ignored",
                team_id,
            )
            return
        await self._remove(team_id, token=found.bot_token)

    async def _remove(self, team_id: str | None, *, token: str | None = None) -> None:
        if not team_id:
            return
        if not await self.installations.deactivate(team_id, token=token) and token is not None:
            return  # installed again meanwhile (a new token), or already uninstalled
        if self.teams is not None:
            self.teams.forget(team_id)
            await self.teams.removed(team_id)
        log.info("Slack: workspace %s uninstalled; nothing more is delivered there", team_id)
