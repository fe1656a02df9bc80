"""A short-lived, per-process cache of each workspace's mentors and ratings for ranking.

Ranking runs on every question; reading 10,000 profiles from the database each time would
block the event loop for longer than a Slack ack may take. Profiles change rarely, so each
process keeps a snapshot for `ttl_seconds` and drops it at once when it writes a profile itself;
other replicas see a change within the TTL.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable, Mapping, Set
from dataclasses import dataclass, field

from bot.domain import MentorProfile
from bot.matching.own_words import MentorWords
from bot.ports import UnitOfWork
from bot.refs import UserRef, WorkspaceRef

__all__ = ["MentorRoster", "RosterSnapshot"]


@dataclass(frozen=True, slots=True)
class RosterSnapshot:
    """The active mentors of one workspace, indexed by skill, with their average ratings."""

    profiles: tuple[MentorProfile, ...]
    ratings: Mapping[UserRef, float]
    by_skill: Mapping[str, tuple[MentorProfile, ...]] = field(default_factory=dict)
    words: MentorWords = field(default_factory=MentorWords)

    @classmethod
    def of(
        cls, profiles: Iterable[MentorProfile], ratings: Mapping[UserRef, float]
    ) -> RosterSnapshot:
        listed = tuple(p for p in profiles if p.active)
        index: dict[str, list[MentorProfile]] = {}
        for p in listed:
            for skill in p.skills:
                index.setdefault(skill, []).append(p)
        words = MentorWords((p.ref, p.about) for p in listed if p.about)
        return cls(listed, dict(ratings), {k: tuple(v) for k, v in index.items()}, words)

    def for_topics(
        self,
        topics: Iterable[str],
        related: Mapping[str, Set[str]],
        *,
        also: Iterable[UserRef] = (),
    ) -> list[MentorProfile]:
        """Mentors with any of `topics`, or a skill related to one, or listed in `also` (their
        own words or past help fit), each once."""
        wanted: set[str] = set()
        for t in topics:
            wanted.add(t)
            wanted |= related.get(t, set())
        seen: set[UserRef] = set()
        found: list[MentorProfile] = []
        for skill in wanted:
            for p in self.by_skill.get(skill, ()):
                if p.ref not in seen:
                    seen.add(p.ref)
                    found.append(p)
        extra = set(also) - seen
        if extra:
            found.extend(p for p in self.profiles if p.ref in extra)
        return found


class MentorRoster:
    """Snapshots per workspace, reloaded after `ttl_seconds` or after a local profile write."""

    def __init__(
        self, *, ttl_seconds: float, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._cached: dict[WorkspaceRef, tuple[float, RosterSnapshot]] = {}
        self._loading: dict[WorkspaceRef, asyncio.Lock] = {}
        # Local profile writes so far, per workspace and to all: what was learned from a roster
        # (e.g. "nobody here teaches X") holds while its count is unchanged.
        self._changes: dict[WorkspaceRef, int] = {}
        self._changes_to_all = 0

    def _fresh(self, workspace: WorkspaceRef) -> RosterSnapshot | None:
        hit = self._cached.get(workspace)
        return hit[1] if hit is not None and hit[0] > self._monotonic() else None

    async def snapshot(self, uow: UnitOfWork, workspace: WorkspaceRef) -> RosterSnapshot:
        """The workspace's roster: cached, or loaded once however many callers ask at once."""
        snap = self._fresh(workspace)
        if snap is not None:
            return snap
        async with self._loading.setdefault(workspace, asyncio.Lock()):
            snap = self._fresh(workspace)
            if snap is not None:
                return snap
            snap = RosterSnapshot.of(
                await uow.mentors.in_workspace(workspace),
                await uow.feedback.mentor_ratings(workspace),
            )
            self.prime(workspace, snap)
        return snap

    def prime(self, workspace: WorkspaceRef, snap: RosterSnapshot) -> None:
        """Keep `snap` as the workspace's roster (loaded at start-up, or just now)."""
        if self._ttl > 0:
            self._cached[workspace] = (self._monotonic() + self._ttl, snap)

    def invalidate(self, workspace: WorkspaceRef | None = None) -> None:
        """Forget one workspace's snapshot (all when None)."""
        if workspace is None:
            self._cached.clear()
            self._changes_to_all += 1
        else:
            self._cached.pop(workspace, None)
            self._changes[workspace] = self._changes.get(workspace, 0) + 1

    def changes(self, workspace: WorkspaceRef) -> int:
        """How many times the workspace's roster was invalidated by a local write."""
        return self._changes_to_all + self._changes.get(workspace, 0)
