"""The Slack adapter's own tables (migration 0006): one installation per workspace (its bot
token, from Bolt's OAuth flow) and which workspace each Slack channel or user id belongs to, so a
delivery goes out with the token of its workspace. Read and written on the engine directly: they
are the adapter's bookkeeping, not the core's."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.tables import SlackInstallationRow, SlackObjectRow, table_of

__all__ = ["Rotated", "SlackInstallation", "SlackInstallations"]

installation_table = table_of(SlackInstallationRow)
object_table = table_of(SlackObjectRow)


@dataclass(frozen=True, slots=True)
class SlackInstallation:
    team_id: str
    bot_token: str | None = field(default=None, repr=False)  # a secret: never in repr or logs
    # Token rotation: the refresh token (a secret too) and when the bot token expires.
    bot_refresh_token: str | None = field(default=None, repr=False)
    bot_token_expires_at: datetime | None = None
    bot_token_trading_until: datetime | None = None  # a replica's claim on trading it
    enterprise_id: str | None = None
    app_id: str | None = None
    team_name: str = ""
    bot_id: str | None = None
    bot_user_id: str | None = None
    bot_scopes: str = ""
    # Who installed the app first (a reinstall keeps it): the workspace's admin by installing,
    # whatever Slack says of their role (`SlackInstallations.save`).
    installer_user_id: str | None = None
    installed_at: datetime | None = None
    active: bool = True


class SlackInstallations:
    """Installations and the Slack id → workspace map, on the bot's database."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    def _insert(self, table: sa.Table) -> postgresql.Insert | sqlite.Insert:
        if self.engine.dialect.name == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def save(self, inst: SlackInstallation) -> None:
        """Insert or replace the workspace's installation (a reinstall reactivates it). The
        installer recorded is the first one: whoever installs the app again (any member may run
        "Add to Slack") does not become the one its installing made an admin."""
        values = {
            "team_id": inst.team_id,
            "enterprise_id": inst.enterprise_id,
            "app_id": inst.app_id,
            "team_name": inst.team_name,
            "bot_token": inst.bot_token,
            "bot_refresh_token": inst.bot_refresh_token,
            "bot_token_expires_at": inst.bot_token_expires_at,
            "bot_id": inst.bot_id,
            "bot_user_id": inst.bot_user_id,
            "bot_scopes": inst.bot_scopes,
            "installer_user_id": inst.installer_user_id,
            "installed_at": inst.installed_at or datetime.now(UTC),
            "active": True,
        }
        stmt = self._insert(installation_table).values(**values)
        kept = {
            "installer_user_id": sa.func.coalesce(
                installation_table.c.installer_user_id, stmt.excluded.installer_user_id
            )
        }
        stmt = stmt.on_conflict_do_update(
            index_elements=["team_id"],
            set_={k: v for k, v in values.items() if k != "team_id"} | kept,
        )
        async with self.engine.begin() as conn:
            await conn.execute(stmt)

    async def find(self, team_id: str) -> SlackInstallation | None:
        async with self.engine.connect() as conn:
            row = (
                await conn.execute(
                    sa.select(installation_table).where(installation_table.c.team_id == team_id)
                )
            ).first()
        return _installation(row._mapping) if row is not None else None

    async def active_teams(self) -> list[str]:
        """The team ids of the workspaces the app is installed in now (active, with a token)."""
        t = installation_table
        async with self.engine.connect() as conn:
            rows = await conn.execute(
                sa.select(t.c.team_id)
                .where(t.c.active.is_(True), t.c.bot_token.is_not(None))
                .order_by(t.c.team_id)
            )
            return [str(team) for (team,) in rows]

    async def claim_trade(
        self, team_id: str, token: str, *, now: datetime, until: datetime
    ) -> bool:
        """Take the trade of the workspace's bot token `token` for the next one, until `until`:
        True when this caller has it. Each refresh token works once, so of replicas (or tasks)
        finding the token due together only one trades it; the others go on with the token
        they have (still good for a while) or the one the trade stored. No transaction stays
        open while Slack is asked: the claim is a row of its own."""
        t = installation_table
        stmt = (
            sa.update(t)
            .where(
                t.c.team_id == team_id,
                t.c.active.is_(True),
                t.c.bot_token == token,
                sa.or_(t.c.bot_token_trading_until.is_(None), t.c.bot_token_trading_until < now),
            )
            .values(bot_token_trading_until=until)
        )
        async with self.engine.begin() as conn:
            done = await conn.execute(stmt)
        return bool(done.rowcount)

    async def traded(self, team_id: str, spent: str, new: Rotated) -> bool:
        """Store the pair traded for the refresh token `spent`, ending the claim; False when
        the row no longer holds `spent` (reinstalled or uninstalled meanwhile)."""
        t = installation_table
        stmt = (
            sa.update(t)
            .where(t.c.team_id == team_id, t.c.bot_refresh_token == spent)
            .values(
                bot_token=new.bot_token,
                bot_refresh_token=new.refresh_token,
                bot_token_expires_at=new.expires_at,
                bot_token_trading_until=None,
            )
        )
        async with self.engine.begin() as conn:
            done = await conn.execute(stmt)
        return bool(done.rowcount)

    async def release_trade(self, team_id: str) -> None:
        """A trade that failed: the claim ends at once (nothing was spent)."""
        t = installation_table
        async with self.engine.begin() as conn:
            await conn.execute(
                sa.update(t).where(t.c.team_id == team_id).values(bot_token_trading_until=None)
            )

    async def deactivate(self, team_id: str, *, token: str | None = None) -> bool:
        """Uninstalled or tokens revoked: forget the token, keep the row as inactive. With
        `token`, only while that is still the workspace's token (a reinstall since brought a new
        one). True when this call deactivated it (it was active)."""
        t = installation_table
        stmt = sa.update(t).where(t.c.team_id == team_id, t.c.active.is_(True))
        if token is not None:
            stmt = stmt.where(t.c.bot_token == token)
        async with self.engine.begin() as conn:
            done = await conn.execute(
                stmt.values(bot_token=None, bot_refresh_token=None, active=False)
            )
        return bool(done.rowcount)

    async def remember(self, ids: Mapping[str, str]) -> dict[str, str]:
        """Record which workspace (team id) each Slack id belongs to; the first sighting wins
        (an id in two workspaces, an Enterprise Grid user or a Slack Connect channel, keeps the
        one it was first seen in). Returns what is recorded for these ids now (another
        replica's earlier sighting, perhaps), so that a cache holds the same answer."""
        rows = [{"slack_id": k, "team_id": v} for k, v in ids.items() if k and v]
        if not rows:
            return {}
        t = object_table
        async with self.engine.begin() as conn:
            for row in rows:
                await conn.execute(self._insert(t).values(**row).on_conflict_do_nothing())
            found = await conn.execute(
                sa.select(t.c.slack_id, t.c.team_id).where(
                    t.c.slack_id.in_([row["slack_id"] for row in rows])
                )
            )
            return {str(slack_id): str(team_id) for slack_id, team_id in found}

    async def team_of(self, slack_id: str) -> str | None:
        async with self.engine.connect() as conn:
            found = await conn.scalar(
                sa.select(object_table.c.team_id).where(object_table.c.slack_id == slack_id)
            )
        return str(found) if found is not None else None


@dataclass(frozen=True, slots=True)
class Rotated:
    """What Slack's refresh (``oauth.v2.access``, ``grant_type=refresh_token``) handed out."""

    bot_token: str = field(repr=False)
    refresh_token: str = field(repr=False)
    expires_at: datetime


def _installation(m: RowMapping) -> SlackInstallation:
    return SlackInstallation(
        team_id=str(m["team_id"]),
        bot_token=m["bot_token"],
        bot_refresh_token=m["bot_refresh_token"],
        bot_token_expires_at=m["bot_token_expires_at"],
        bot_token_trading_until=m["bot_token_trading_until"],
        enterprise_id=m["enterprise_id"],
        app_id=m["app_id"],
        team_name=str(m["team_name"]),
        bot_id=m["bot_id"],
        bot_user_id=m["bot_user_id"],
        bot_scopes=str(m["bot_scopes"]),
        installer_user_id=m["installer_user_id"],
        installed_at=m["installed_at"],
        active=bool(m["active"]),
    )
