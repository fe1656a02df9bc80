"""The configured channels of each workspace, watched: archived, unarchived, deleted or renamed
(Slack's ``channel_*`` and ``group_*`` events), or refused by Slack when a delivery went there
(``is_archived``, ``channel_not_found``: an event missed is learned at the first failure).

A workspace without a usable mentoring channel takes no questions: `ChannelWatch.cannot_ask`
says so (asked before a slash command's 3-second acknowledgement). What one replica learns is
stored (`WorkspaceRepository.mark_unusable`) and read by every replica through a memo of a few
seconds (`SHARED_SECONDS`), so an archive (or an unarchive) heard by one replica reaches the
others within that, at one database read per workspace every few seconds at most. The operator is told once (by each
replica that learns it) when a configured channel becomes unusable, and once when it is usable
again."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from adapters.slack.translate import channel_of, channel_ref, workspace_ref
from bot.caching import Memo

if TYPE_CHECKING:
    from bot.config import ChannelsSection
    from bot.ports import Clock, UnitOfWorkFactory

__all__ = ["ARCHIVED", "DELETED", "NOT_FOUND", "SHARED_SECONDS", "ChannelWatch", "no_mentoring"]

log = logging.getLogger(__name__)

# How long an ask waits for the stored state of its workspace's channels (then goes by memory).
READ_WITHIN = 0.5

# How long what the database says of a workspace's channels is kept before it is read again: an
# archive or unarchive heard by another replica is taken up here within this many seconds.
SHARED_SECONDS = 3.0

# Why a configured channel can't be used.
ARCHIVED = "archived"
DELETED = "deleted"
NOT_FOUND = "not_found"  # Slack's channel_not_found: deleted, or a private one the app left
# Slack's delivery errors that say the channel is unusable, and why.
_REFUSALS = {"is_archived": ARCHIVED, "channel_not_found": NOT_FOUND}

# What happened to the channel, for the operator's line and the asker's answer.
_HAPPENED = {
    ARCHIVED: "is archived",
    DELETED: "was deleted",
    NOT_FOUND: "can't be found by the app (deleted, or a private channel the app was removed from)",
}
# What the operator does about it (`key`: the ``[channels]`` setting).
_FIX = {
    ARCHIVED: (
        "unarchive it in Slack (taken at once), or set [channels] {key} in bot.toml to another "
        "channel's name or id and restart"
    ),
    DELETED: "set [channels] {key} in bot.toml to another channel's name or id and restart",
    NOT_FOUND: (
        "for a private channel, invite the app back (/invite @Micromentor: taken at once); else "
        "set [channels] {key} in bot.toml to another channel's name or id and restart"
    ),
}
# What each channel is for, when it is gone.
_EFFECT = {
    "mentoring": ("/askmentor there is answered that questions can't be posted (nothing is saved)"),
    "admin": "what goes there (digests, escalations, reports) is skipped",
    "escalation": "escalations to it are skipped",
}

# The answer to a question asked while the workspace's mentoring channel is unusable: not
# taken (its card could go nowhere; an asker told "taken" would wait for mentors who never
# see it). Plain text: it is also shown under a form's field.
NO_MENTORING = (
    "Sorry, questions can't be posted right now: this workspace's mentoring channel {happened}, "
    "so your question was not saved. {how} Please ask again once that is done."
)
_HOW = {
    ARCHIVED: (
        "A workspace admin needs to unarchive the channel, or ask whoever runs Micromentor to "
        "set another mentoring channel."
    ),
    DELETED: "Whoever runs Micromentor needs to set another mentoring channel.",
    NOT_FOUND: (
        "If it is a private channel, someone in it needs to invite the app back "
        "(/invite @Micromentor); otherwise whoever runs Micromentor needs to set another "
        "mentoring channel."
    ),
}
_ASKER_HAPPENED = {
    ARCHIVED: "is archived",
    DELETED: "was deleted",
    NOT_FOUND: "can't be reached by the app",
}


def no_mentoring(why: str) -> str:
    """What someone asking in a workspace whose mentoring channel is unusable (`why`) is told."""
    return NO_MENTORING.format(happened=_ASKER_HAPPENED[why], how=_HOW[why])


@dataclass(slots=True)
class _Workspace:
    """One workspace's configured channels (``[channels]`` key → id), how each was configured
    (for the log), and those unusable now (key → why)."""

    name: str
    channels: dict[str, str]
    configured: dict[str, str]
    unusable: dict[str, str] = field(default_factory=dict)


class ChannelWatch:
    """Per workspace (team id): its configured channels, and which are unusable now. With a
    `uow_factory`, what it learns is stored and what other replicas stored is read (memoised for
    `ttl_seconds`, `SHARED_SECONDS` by default); without one, it is memory alone."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory | None = None,
        *,
        clock: Clock | None = None,
        ttl_seconds: float | None = None,
    ) -> None:
        self._teams: dict[str, _Workspace] = {}
        self._uow_factory = uow_factory
        self._clock = clock
        ttl = SHARED_SECONDS if ttl_seconds is None else ttl_seconds
        self._shared = Memo(ttl_seconds=ttl)

    async def watch(
        self,
        team_id: str,
        channels: ChannelsSection,
        *,
        name: str,
        mentoring: str,
        admin: str,
        escalation: str | None,
        checked: bool = True,
    ) -> None:
        """The workspace was set up with these channel ids. `checked`: Slack found them usable
        (at start-up or its registration), so any earlier unusable state is gone, for every
        replica; else (a process taking up a workspace registered before) what is stored holds."""
        ids = {"mentoring": mentoring, "admin": admin}
        configured = {"mentoring": channels.mentoring, "admin": channels.admin}
        if escalation:
            ids["escalation"] = escalation
            configured["escalation"] = channels.escalation or escalation
        before = self._teams.get(team_id)
        self._teams[team_id] = _Workspace(name or team_id, ids, configured)
        if checked:
            await self._store(team_id, dict.fromkeys(ids.values()))
        if before is not None and before.unusable:
            log.info(
                "Slack: workspace %s (%s) is set up again with usable channels",
                name or team_id,
                team_id,
            )

    def _keys(self, ws: _Workspace, channel_id: str) -> list[str]:
        return [key for key, known in ws.channels.items() if known == channel_id]

    def _where(self, ws: _Workspace, key: str) -> str:
        wanted = ws.configured.get(key, "")
        channel_id = ws.channels[key]
        if channel_of(wanted):
            return channel_id
        return f"#{wanted.strip().lstrip('#')} ({channel_id})"

    async def _load(self, team_id: str) -> dict[str, str]:
        assert self._uow_factory is not None
        async with self._uow_factory(read_only=True) as uow:
            found = await uow.workspaces.unusable_channels(workspace_ref(team_id))
        return {channel.id: why for channel, why in found.items()}

    async def _store(self, team_id: str, changes: dict[str, str | None]) -> None:
        """Store what changed (channel id → why, None: usable again) for every replica to read.
        A database that fails leaves this replica's memory as the only record (said)."""
        if self._uow_factory is None or not changes:
            return
        now = self._clock.now() if self._clock is not None else datetime.now(UTC)
        ref = workspace_ref(team_id)
        try:
            async with self._uow_factory() as uow:
                for channel_id, why in changes.items():
                    if why is None:
                        await uow.workspaces.mark_usable(ref, channel_ref(channel_id))
                    else:
                        await uow.workspaces.mark_unusable(ref, channel_ref(channel_id), why, now)
                await uow.commit()
        except Exception:
            log.warning(
                "Slack: workspace %s: whether its channels are usable could not be stored; "
                "other replicas don't know it, and this one only until it reads the stored "
                "state again (a few seconds): the next event or refused post tells it again",
                team_id,
                exc_info=True,
            )
        finally:
            self._shared.forget(lambda key: key == team_id)

    async def _sync(self, team_id: str, *, quiet: bool = False) -> None:
        """Take up what is stored of the workspace's channels (another replica's news), read at
        most once every few seconds: a channel marked or cleared elsewhere is said here too
        (once), unless `quiet` (this replica is about to say what it learned itself)."""
        ws = self._teams.get(team_id)
        if ws is None or self._uow_factory is None:
            return
        # Asked before a slash command's 3-second acknowledgement: a slow database does not
        # hold it up (the read goes on, and a later ask finds what it read).
        try:
            shared = await self._shared.get(
                team_id, lambda: self._load(team_id), within=READ_WITHIN
            )
        except TimeoutError:
            log.warning(
                "Slack: workspace %s: the stored state of its channels took over %.1f s to "
                "read; this ask goes by what this replica knows",
                team_id,
                READ_WITHIN,
            )
            return
        except Exception:  # the database is down: this replica's memory still answers
            log.warning(
                "Slack: workspace %s: the stored state of its channels could not be read",
                team_id,
                exc_info=True,
            )
            return
        for key, channel_id in ws.channels.items():
            why = shared.get(channel_id)
            if why == ws.unusable.get(key):
                continue
            if why is None:
                ws.unusable.pop(key, None)
                if not quiet:
                    self._said_back(ws, team_id, key)
            else:
                ws.unusable[key] = why
                if not quiet:
                    self._said_lost(ws, team_id, key, why)

    def _said_lost(self, ws: _Workspace, team_id: str, key: str, why: str) -> None:
        log.error(
            "Slack: workspace %s (%s): its %s channel %s %s. Until this is fixed, %s: %s.",
            ws.name,
            team_id,
            key,
            self._where(ws, key),
            _HAPPENED[why],
            _EFFECT.get(key, "what goes there is skipped"),
            _FIX[why].format(key=key),
        )

    def _said_back(self, ws: _Workspace, team_id: str, key: str) -> None:
        after = "questions are taken again" if key == "mentoring" else "deliveries go there again"
        log.info(
            "Slack: workspace %s (%s): its %s channel %s is usable again; %s",
            ws.name,
            team_id,
            key,
            self._where(ws, key),
            after,
        )

    async def lost(
        self, team_id: str, channel_id: str, why: str, *, news_only: bool = False
    ) -> None:
        """A channel of workspace `team_id` is unusable (`why`: `ARCHIVED`, `DELETED`,
        `NOT_FOUND`); for a configured one the operator is told once, with what to do, and every
        replica learns it. With `news_only`, a channel already known unusable (for any reason,
        by any replica) is left as it is."""
        ws = self._teams.get(team_id)
        if ws is None or not self._keys(ws, channel_id):
            return
        await self._sync(team_id, quiet=True)
        changed = False
        for key in self._keys(ws, channel_id):
            known = ws.unusable.get(key)
            if known == why or known == DELETED or (news_only and known is not None):
                continue  # told already (a deleted channel stays deleted)
            ws.unusable[key] = why
            changed = True
            self._said_lost(ws, team_id, key, why)
        if changed:
            await self._store(team_id, {channel_id: why})

    async def refused(self, team_id: str | None, channel_id: str, code: str) -> None:
        """Slack refused a delivery to `channel_id` with `code`: ``is_archived`` or
        ``channel_not_found`` for a configured channel makes it unusable (the event about it
        may have been missed). `team_id` None: whichever workspace was set up with it."""
        why = _REFUSALS.get(code)
        if why is None:
            return
        for team in self._teams_of(team_id, channel_id):
            await self.lost(team, channel_id, why, news_only=True)  # each row after: nothing said

    async def delivered(self, team_id: str | None, channel_id: str) -> None:
        """Slack took a delivery to `channel_id`: usable, whatever was thought (an unarchive
        missed), here or by another replica."""
        for team in self._teams_of(team_id, channel_id):
            await self.back(team, channel_id)

    def _teams_of(self, team_id: str | None, channel_id: str) -> list[str]:
        teams = [team_id] if team_id else list(self._teams)
        return [t for t in teams if t in self._teams and self._keys(self._teams[t], channel_id)]

    async def back(self, team_id: str, channel_id: str) -> None:
        """A channel of workspace `team_id` is usable again (unarchived): said once, and every
        replica takes questions again."""
        ws = self._teams.get(team_id)
        if ws is None or not self._keys(ws, channel_id):
            return
        await self._sync(team_id, quiet=True)
        changed = False
        for key in self._keys(ws, channel_id):
            if ws.unusable.pop(key, None) is None:
                continue
            changed = True
            self._said_back(ws, team_id, key)
        if changed:
            await self._store(team_id, {channel_id: None})

    def renamed(self, team_id: str, channel_id: str, name: str) -> None:
        """A configured channel was renamed: the app goes on posting there (by id), but a
        ``[channels]`` setting by name will not find it at the next start: said once."""
        ws = self._teams.get(team_id)
        if ws is None:
            return
        for key in self._keys(ws, channel_id):
            wanted = ws.configured.get(key, "")
            if channel_of(wanted) or wanted.strip().lstrip("#").lower() == name.lower():
                continue
            log.warning(
                "Slack: workspace %s (%s): its %s channel %s was renamed to #%s. The app goes on "
                "posting there, but at the next start [channels] %s = %r will not find it: set "
                "it to %r (or the id %s) in bot.toml",
                ws.name,
                team_id,
                key,
                self._where(ws, key),
                name,
                key,
                wanted,
                name,
                channel_id,
            )

    async def unusable(self, team_id: str, key: str = "mentoring") -> str | None:
        """Why workspace `team_id`'s `key` channel is unusable now (whichever replica heard it,
        read at most every few seconds); None when it is usable."""
        await self._sync(team_id)
        ws = self._teams.get(team_id)
        return ws.unusable.get(key) if ws is not None else None

    async def cannot_ask(self, team_id: str) -> str | None:
        """What to answer a question asked in workspace `team_id` whose mentoring channel is
        unusable; None when questions are taken there. No Slack call: memory, and the database
        at most once every few seconds per workspace."""
        why = await self.unusable(team_id)
        return no_mentoring(why) if why is not None else None
