"""The configured channels of each workspace, watched: archived, unarchived, deleted or renamed
(Slack's ``channel_*`` and ``group_*`` events), or refused by Slack when a delivery went there
(``is_archived``, ``channel_not_found``: an event missed is learned at the first failure).

A workspace without a usable mentoring channel takes no questions: `ChannelWatch.cannot_ask`
says so (asked before a slash command's 3-second acknowledgement). What one replica learns is
stored (`WorkspaceRepository.mark_unusable`) and read by every replica through a memo of a few
seconds (`SHARED_SECONDS`), so an archive (or an unarchive) heard by one replica reaches the
others within that, at one database read per workspace every few seconds at most. The operator is told once (by each
replica that learns it) when a configured channel becomes unusable, and once when it is usable
again.

News arrive out of order (Slack retries an event; a post's answer comes after an event sent
meanwhile; replicas hear different ones), so each carries when it was so: an event's time, or
when the call that showed it began. What is stored, and what each replica applied, is only
replaced by newer news."""

from __future__ import annotations

import logging
from collections.abc import Iterable
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
    (for the log), those unusable now (key → why), and as of when this replica knows each
    (channel id → the time of the news it applied last)."""

    name: str
    channels: dict[str, str]
    configured: dict[str, str]
    unusable: dict[str, str] = field(default_factory=dict)
    as_of: dict[str, datetime] = field(default_factory=dict)

    def outdated(self, channel_id: str, at: datetime, *, usable: bool) -> bool:
        """Whether news of `channel_id` as of `at` is older than what this replica applied (at
        the same time, usable wins, as in the database)."""
        applied = self.as_of.get(channel_id)
        if applied is None:
            return False
        return at < applied if usable else at <= applied


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
        checked_at: datetime | None,
    ) -> None:
        """The workspace was set up with these channel ids. `checked_at`: when Slack was asked
        and found them usable (at start-up or its registration), so any earlier unusable state
        is gone, for every replica; None (a process taking up a workspace registered before):
        what is stored holds."""
        ids = {"mentoring": mentoring, "admin": admin}
        configured = {"mentoring": channels.mentoring, "admin": channels.admin}
        if escalation:
            ids["escalation"] = escalation
            configured["escalation"] = channels.escalation or escalation
        before = self._teams.get(team_id)
        ws = _Workspace(name or team_id, ids, configured)
        self._teams[team_id] = ws
        if checked_at is not None:
            ws.as_of = dict.fromkeys(ids.values(), checked_at)
            await self._store(team_id, ws.as_of, None, at=checked_at)
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

    def now(self) -> datetime:
        """This replica's clock: when a call to Slack begins, for the news its answer brings."""
        return self._clock.now() if self._clock is not None else datetime.now(UTC)

    async def _store(
        self, team_id: str, channel_ids: Iterable[str], why: str | None, *, at: datetime
    ) -> bool:
        """Store that the channels were unusable (`why`; None: usable) at `at`, for every replica
        to read; False when newer news of one of them is stored (another replica's). A database
        that fails leaves this replica's memory as the only record (said): True."""
        if self._uow_factory is None:
            return True
        ref = workspace_ref(team_id)
        taken = []
        try:
            async with self._uow_factory() as uow:
                for channel_id in channel_ids:
                    channel = channel_ref(channel_id)
                    if why is None:
                        taken.append(await uow.workspaces.mark_usable(ref, channel, at))
                    else:
                        taken.append(await uow.workspaces.mark_unusable(ref, channel, why, at))
                await uow.commit()
        except Exception:
            log.warning(
                "Slack: workspace %s: whether its channels are usable could not be stored; "
                "other replicas don't know it, and this one only until it reads the stored "
                "state again (a few seconds): the next event or refused post tells it again",
                team_id,
                exc_info=True,
            )
            return True
        finally:
            self._shared.forget(lambda key: key == team_id)
        return all(taken)

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
        self, team_id: str, channel_id: str, why: str, *, at: datetime, news_only: bool = False
    ) -> None:
        """A channel of workspace `team_id` was unusable at `at` (`why`: `ARCHIVED`, `DELETED`,
        `NOT_FOUND`); for a configured one the operator is told once, with what to do, and every
        replica learns it, unless newer news of it came first (to any replica). With
        `news_only` (a refused post, frequent), a channel already known unusable (for any
        reason, by this replica) is left as it is, and nothing is stored."""
        ws = self._teams.get(team_id)
        if ws is None or not self._keys(ws, channel_id):
            return
        await self._sync(team_id, quiet=True)
        keys = self._keys(ws, channel_id)
        if ws.outdated(channel_id, at, usable=False) or any(
            ws.unusable.get(key) == DELETED
            for key in keys  # a deleted channel stays deleted
        ):
            return
        told = [key for key in keys if ws.unusable.get(key) != why]
        if news_only:
            told = [key for key in told if key not in ws.unusable]
            if not told:
                return
        if not await self._store(team_id, [channel_id], why, at=at):
            return  # newer news stored: read at the next ask
        ws.as_of[channel_id] = at
        for key in told:
            ws.unusable[key] = why
            self._said_lost(ws, team_id, key, why)

    async def refused(
        self, team_id: str | None, channel_id: str, code: str, *, at: datetime
    ) -> None:
        """Slack refused a delivery to `channel_id`, begun at `at`, with `code`: ``is_archived``
        or ``channel_not_found`` for a configured channel makes it unusable (the event about it
        may have been missed). `team_id` None: whichever workspace was set up with it."""
        why = _REFUSALS.get(code)
        if why is None:
            return
        for team in self._teams_of(team_id, channel_id):
            await self.lost(team, channel_id, why, at=at, news_only=True)

    async def delivered(self, team_id: str | None, channel_id: str, *, at: datetime) -> None:
        """Slack took a delivery to `channel_id`, begun at `at`: usable, whatever was thought
        before then (an unarchive missed), here or by another replica."""
        for team in self._teams_of(team_id, channel_id):
            await self.back(team, channel_id, at=at, news_only=True)

    def _teams_of(self, team_id: str | None, channel_id: str) -> list[str]:
        teams = [team_id] if team_id else list(self._teams)
        return [t for t in teams if t in self._teams and self._keys(self._teams[t], channel_id)]

    async def back(
        self, team_id: str, channel_id: str, *, at: datetime, news_only: bool = False
    ) -> None:
        """A channel of workspace `team_id` was usable again at `at` (unarchived): said once,
        and every replica takes questions again, unless newer news of it came first. With
        `news_only` (a delivered post, frequent), nothing is stored unless this replica thought
        it unusable."""
        ws = self._teams.get(team_id)
        if ws is None or not self._keys(ws, channel_id):
            return
        await self._sync(team_id, quiet=True)
        if ws.outdated(channel_id, at, usable=True):
            return
        told = [key for key in self._keys(ws, channel_id) if key in ws.unusable]
        if news_only and not told:
            return
        if not await self._store(team_id, [channel_id], None, at=at):
            return  # newer news stored: read at the next ask
        ws.as_of[channel_id] = at
        for key in told:
            del ws.unusable[key]
            self._said_back(ws, team_id, key)

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
