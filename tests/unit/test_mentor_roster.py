"""The in-memory mentor roster behind ranking: cached for a while, dropped on local writes."""

from __future__ import annotations

from bot.domain import MentorProfile
from bot.mentors.roster_cache import MentorRoster, RosterSnapshot
from bot.refs import UserRef, WorkspaceRef
from tests.unit.fakes import FakeDatabase, FakeUnitOfWork

WS = WorkspaceRef("test", "T1")


def mentor(name: str, *skills: str, active: bool = True) -> MentorProfile:
    return MentorProfile(ref=UserRef("test", name), workspace=WS, skills=skills, active=active)


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def save(db: FakeDatabase, profile: MentorProfile) -> None:
    async with FakeUnitOfWork(db) as uow:
        await uow.mentors.save(profile)
        await uow.commit()


async def names(roster: MentorRoster, db: FakeDatabase) -> list[str]:
    async with FakeUnitOfWork(db) as uow:
        snap = await roster.snapshot(uow, WS)
    return sorted(p.ref.id for p in snap.profiles)


async def test_a_change_by_another_replica_shows_once_the_ttl_has_passed() -> None:
    db, ticks = FakeDatabase(), Ticks()
    roster = MentorRoster(ttl_seconds=30, monotonic=ticks)
    await save(db, mentor("bob", "python"))
    assert await names(roster, db) == ["bob"]
    await save(db, mentor("carol", "python"))  # written elsewhere: no invalidation here
    ticks.now = 29
    assert await names(roster, db) == ["bob"]
    ticks.now = 31
    assert await names(roster, db) == ["bob", "carol"]


async def test_invalidate_drops_the_snapshot_at_once() -> None:
    db = FakeDatabase()
    roster = MentorRoster(ttl_seconds=30, monotonic=Ticks())
    assert await names(roster, db) == []
    await save(db, mentor("bob", "python"))
    roster.invalidate(WS)
    assert await names(roster, db) == ["bob"]


async def test_a_zero_ttl_reads_the_database_every_time() -> None:
    db = FakeDatabase()
    roster = MentorRoster(ttl_seconds=0, monotonic=Ticks())
    assert await names(roster, db) == []
    await save(db, mentor("bob", "python"))
    assert await names(roster, db) == ["bob"]


def test_for_topics_finds_direct_and_related_skills_once_each() -> None:
    snap = RosterSnapshot.of(
        [
            mentor("bob", "python", "pandas"),
            mentor("carol", "numpy"),
            mentor("dave", "excel"),
            mentor("erin", "pandas", active=False),
        ],
        {},
    )
    found = snap.for_topics(["pandas", "python"], {"pandas": {"numpy"}})
    assert sorted(p.ref.id for p in found) == ["bob", "carol"]
