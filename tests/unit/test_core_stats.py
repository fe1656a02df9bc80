"""`/mentoradmin stats`: counts by state, median times to claim and resolve, ratings; admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import CancelQuestion, RateSession, ShowStats
from tests.unit.core_harness import Core, start_core


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    return core


async def stats(core: Core) -> list[str]:
    return (await core.reply(ShowStats(core.actor("admin")))).splitlines()


@pytest.mark.parametrize("who", ["alice", "bob"], ids=["asker", "mentor"])
async def test_non_admins_are_refused_politely(core: Core, who: str) -> None:
    said = await core.reply(ShowStats(core.actor(who)))
    assert said == "Sorry, `/mentoradmin stats` is for admins. Ask one of them if you need it."


async def test_stats_with_no_questions_show_zeros_and_no_times(core: Core) -> None:
    assert await stats(core) == [
        "Micromentor stats (all time)",
        "Questions: 0 — open 0, claimed 0, resolved 0, expired 0, cancelled 0, unanswered 0",
        "Median time to claim: n/a; to resolve: n/a",
        "Average rating: n/a; question clarity: n/a",
        "FAQ: 0 questions answered before they were posted",
        "Mentors: 1",
    ]


async def test_stats_count_questions_by_state(core: Core) -> None:
    await core.ask("alice")  # open
    await core.claimed(asker="dave")  # claimed
    await core.resolved(asker="erin")  # resolved
    cancelled = await core.ask("frank")
    await core.reply(CancelQuestion(core.actor("frank"), cancelled))
    assert (await stats(core))[1] == (
        "Questions: 4 — open 1, claimed 1, resolved 1, expired 0, cancelled 1, unanswered 0"
    )


async def test_stats_give_median_minutes_to_claim_and_to_resolve(core: Core) -> None:
    for claim_after, resolve_after in [(4, 10), (6, 20), (20, 90)]:
        n = await core.ask("alice")
        core.clock.advance(timedelta(minutes=claim_after))
        await core.claim("bob", n)
        core.clock.advance(timedelta(minutes=resolve_after))
        await core.resolve("alice", n)
    # minutes from asking: claim 4, 6, 20 -> median 6; resolve 14, 26, 110 -> median 26
    assert (await stats(core))[2] == "Median time to claim: 6 min; to resolve: 26 min"


async def test_stats_give_average_rating_and_clarity(core: Core) -> None:
    for score in (5, 4, 3):
        n = await core.resolved()
        await core.reply(RateSession(core.actor("alice"), n, score))
        await core.reply(RateSession(core.actor("bob"), n, 2))
    assert (await stats(core))[3] == "Average rating: 4.0/5 (3 ratings); question clarity: 2.0/5"


async def test_stats_never_name_an_anonymous_asker(core: Core) -> None:
    n = await core.ask("alice", anonymous=True)
    await core.claim("bob", n)
    await core.resolve("alice", n)
    [reply] = await core.handle(ShowStats(core.actor("admin")))
    assert "alice" not in reply.plain()
    assert reply.mentions() == ()
