"""The app removed from a workspace, in both modes: what ``app_uninstalled`` and
``tokens_revoked`` say (`Uninstall`), their listeners (`listen_for_uninstall`), and the core's
record of the removal (`record_removal`: its nudges wait, no digest is made)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from adapters.slack import translate as tr
from bot.commands import RemoveWorkspace

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from adapters.slack.listeners import SlackBot
    from bot.messagebus import MessageBus

__all__ = ["Uninstall", "listen_for_uninstall", "record_removal"]


@dataclass(frozen=True, slots=True)
class Uninstall:
    """``app_uninstalled``, or ``tokens_revoked`` naming bot tokens, for workspace `team_id`."""

    team_id: str
    event_time: float | None  # the envelope's: seconds since the epoch
    bot_users: tuple[str, ...] | None  # tokens_revoked: the bot users whose tokens were revoked

    @classmethod
    def of(cls, body: Mapping[str, Any], event: Mapping[str, Any]) -> Uninstall | None:
        """None for ``tokens_revoked`` of user tokens only (the bot is still installed), or a
        body that names no workspace."""
        from adapters.slack.teams import team_of_body  # teams imports runtime, which needs this

        bots = None
        if event.get("type") == "tokens_revoked":
            bots = tuple(str(b) for b in (event.get("tokens") or {}).get("bot") or ())
            if not bots:
                return None
        team_id = team_of_body(body)
        if not team_id:
            return None
        when = body.get("event_time")
        return cls(team_id, float(when) if isinstance(when, int | float) else None, bots)

    def older_than(self, since: datetime | None) -> bool:
        """The event happened before `since` (the installation, the token proven good): a late
        or retried one (Slack retries an event for minutes, and sends ``tokens_revoked`` before
        or after ``app_uninstalled``). Whole seconds, as Slack's event_time: an uninstall in the
        second of `since` counts."""
        if self.event_time is None or since is None:
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)  # stored as UTC (SQLite keeps no zone)
        return self.event_time < int(since.timestamp())

    def spares(self, bot_user: str | None) -> bool:
        """Revoked tokens that are not `bot_user`'s (another app's bot; unknown: not spared)."""
        return self.bot_users is not None and bool(bot_user) and bot_user not in self.bot_users


def listen_for_uninstall(
    bolt: AsyncApp, removed: Callable[[Uninstall], Awaitable[None]], *, bot: SlackBot
) -> None:
    """Both events: `removed`, then acknowledged (unhandled, Slack would send them again); a
    removal slow to record is acknowledged meanwhile and recorded on its own
    (`SlackBot.before_ack`)."""

    async def gone(ack: Any, body: dict[str, Any], event: dict[str, Any], context: Any) -> None:
        uninstall = Uninstall.of(body, event)
        if uninstall is not None:
            await bot.before_ack(removed(uninstall), context=context, what="recording an uninstall")
        await ack()

    bolt.event("app_uninstalled")(gone)
    bolt.event("tokens_revoked")(gone)


async def record_removal(bus: MessageBus, team_id: str) -> None:
    """The core holds the workspace's reminders and digests until the app is back. A failure
    is logged by the bus."""
    await bus.handle(RemoveWorkspace(tr.workspace_ref(team_id)))
