"""Points that mean help: nothing for claiming alone, nothing for thanking oneself, kudos rings of
two earn no more than the caps allow; the leaderboard for this month or all time, or switched off."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.commands import (
    ClaimQuestion,
    RateSession,
    ReleaseQuestion,
    ResolveQuestion,
    ShowHome,
    ShowLeaderboard,
)
from bot.config import Config
from bot.lightning.commands import JoinLightning, ProposeLightning, RateLightning
from bot.privacy.commands import ForgetPerson
from bot.recognition.commands import GiveKudos
from tests.unit.core_harness import START, Core, start_core


def points_of(core: Core, name: str) -> int:
    return sum(p.points for p in core.db.rows("points") if p.user == core.user(name))


def thank(core: Core, giver: str, receiver: str) -> GiveKudos:
    return GiveKudos(core.actor(giver), core.user(receiver), receiver, "for all the help")


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    return core


async def test_claiming_and_releasing_over_and_over_earns_nothing(core: Core) -> None:
    n = await core.ask("alice")
    for _ in range(10):
        await core.reply(ClaimQuestion(core.actor("bob"), n))
        await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert core.db.rows("points") == []


async def test_thanking_oneself_earns_nothing(core: Core) -> None:
    for _ in range(3):
        await core.reply(thank(core, "bob", "bob"))
    assert points_of(core, "bob") == 0


async def test_a_kudos_ring_of_two_earns_one_point_each_a_day(core: Core) -> None:
    for day in range(3):
        for _ in range(5):
            await core.reply(thank(core, "alice", "bob"))
            await core.reply(thank(core, "bob", "alice"))
        assert (points_of(core, "alice"), points_of(core, "bob")) == (day + 1, day + 1)
        core.clock.advance(timedelta(days=1))


async def test_help_of_every_kind_in_one_day_stops_at_the_daily_cap(core: Core) -> None:
    await core.resolved()  # 3
    await core.resolved()  # 6
    for giver in ("alice", "carol", "dave", "erin"):  # +4 = 10
        await core.reply(thank(core, giver, "bob"))
    await core.resolved()
    assert points_of(core, "bob") == core.config.points.daily_cap == 10


async def test_a_friend_rating_a_session_nobody_else_came_to_earns_the_speaker_points_once(
    core: Core,
) -> None:
    at = datetime(2026, 11, 24, 14, 0)
    for title in ("one thing", "another thing"):  # one after the other: one talk at a time
        await core.reply(ProposeLightning(core.actor("bob"), "pandas", at, title))
        at += timedelta(minutes=30)
    for n in (1, 2):
        await core.reply(JoinLightning(core.actor("alice"), n))
    core.clock.set(START.replace(day=24, hour=16))
    await core.tick()
    await core.resolved()  # 3 points of real help first
    for n in (1, 2):
        await core.reply(RateLightning(core.actor("alice"), n, 5))
        await core.reply(RateLightning(core.actor("alice"), n, 5))
    # 3 + 5 + 5 would be 13; the second rating of each session adds nothing; the cap holds.
    assert points_of(core, "bob") == core.config.points.daily_cap == 10
    assert [p.reason for p in core.db.rows("points")].count("lightning") == 2


# --- the leaderboard -------------------------------------------------------------------------


async def test_the_leaderboard_shows_this_month_by_default_or_all_time(core: Core) -> None:
    await core.resolved()
    core.clock.set(START.replace(month=12, day=2))
    await core.join("carol", "pandas")
    await core.resolved(mentor="carol")
    month = await core.reply(ShowLeaderboard(core.actor("alice")))
    assert month.splitlines() == [
        "Leaderboard — December 2026 (thank-you points)",
        "1. carol — 3",
    ]
    every = await core.reply(ShowLeaderboard(core.actor("alice"), "all"))
    assert every.splitlines() == [
        "Leaderboard — all time (thank-you points)",
        "1. bob — 3",
        "1. carol — 3",  # a tie shares its place
    ]


async def test_an_admin_can_switch_the_leaderboard_off() -> None:
    core = await start_core(Config.model_validate({"points": {"leaderboard": False}}))
    await core.join("bob", "pandas")
    await core.resolved()
    said = await core.reply(ShowLeaderboard(core.actor("alice")))
    assert said.startswith("The leaderboard is switched off here.")
    [home] = await core.handle(ShowHome(core.actor("bob")))
    assert "Leaderboard" not in home.plain()
    assert points_of(core, "bob") == 3  # points still count (for the digest's thanks)


# --- review: sessions the mentor closed themselves, forgotten people on the board ----------


async def test_a_mentor_resolving_their_own_session_earns_nothing_until_the_asker_rates(
    core: Core,
) -> None:
    # Claim-and-resolve straight away must not be a way to farm points: the asker confirms.
    for _ in range(3):
        n = await core.claimed()
        assert await core.resolve("bob", n) == f"#{n} is marked resolved."
    assert points_of(core, "bob") == 0
    await core.reply(RateSession(core.actor("alice"), n, 3))
    assert points_of(core, "bob") == core.config.points.resolve
    await core.reply(RateSession(core.actor("alice"), n, 5))  # a corrected click: +2, once
    assert points_of(core, "bob") == core.config.points.resolve + core.config.points.good_rating


async def test_a_session_the_asker_resolved_still_earns_at_once_and_only_once(
    core: Core,
) -> None:
    n = await core.resolved()
    assert points_of(core, "bob") == 3
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert points_of(core, "bob") == 3 + 2


async def test_a_forgotten_person_is_left_off_the_leaderboard(core: Core) -> None:
    await core.resolved()
    await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), "bob", confirmed=True))
    board = await core.reply(ShowLeaderboard(core.actor("alice"), "all"))
    assert "someone forgotten" not in board and "forgotten-" not in board, board


async def test_a_forgotten_person_is_left_out_of_the_digests_helpers(core: Core) -> None:
    await core.resolved()
    await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), "bob", confirmed=True))
    digest = await core.digest()
    assert "someone forgotten" not in digest and "Most helpful" not in digest, digest


async def test_the_digests_most_thanked_leaves_a_forgotten_person_out_too(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), "bob", confirmed=True))
    digest = await core.digest()
    assert "someone forgotten" not in digest, digest
    assert "forgotten-" not in digest, digest


# --- a corrected rating: the good-rating points follow it ------------------------------------


async def test_a_five_corrected_to_one_takes_the_good_rating_points_back(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert points_of(core, "bob") == 3 + 2
    core.clock.advance(timedelta(minutes=5))
    said = await core.reply(RateSession(core.actor("alice"), n, 1))
    assert said.startswith("Changed:"), said
    assert points_of(core, "bob") == 3


@pytest.mark.parametrize(
    ("scores", "held"),
    [
        ((1, 5), 2),
        ((5, 1, 5), 2),
        ((1, 5, 1), 0),
        ((5, 4, 1, 2, 5, 4), 2),
    ],
)
async def test_the_good_rating_points_are_held_once_however_often_it_is_corrected(
    core: Core, scores: tuple[int, ...], held: int
) -> None:
    n = await core.resolved()
    for score in scores:
        core.clock.advance(timedelta(seconds=30))
        await core.reply(RateSession(core.actor("alice"), n, score))
    assert points_of(core, "bob") == 3 + held
    good = [p.points for p in core.db.rows("points") if p.reason == "good rating"]
    assert sum(good) == held and all(abs(p) == 2 for p in good)


async def test_a_mentor_whose_good_rating_was_taken_back_is_not_on_the_leaderboard(
    core: Core,
) -> None:
    n = await core.claimed()
    await core.resolve("bob", n)
    await core.reply(RateSession(core.actor("alice"), n, 5))  # resolve + good rating
    core.db.tables["points"] = {
        k: p for k, p in core.db.tables["points"].items() if p.reason != "resolve"
    }
    await core.reply(RateSession(core.actor("alice"), n, 1))
    assert points_of(core, "bob") == 0
    said = await core.reply(ShowLeaderboard(core.actor("alice")))
    assert said.startswith("No points this month"), said


async def _carol_six_bob_and_dave_three(core: Core) -> None:
    """Three mentors' points, two of them equal; the leaderboard gives those one place."""
    await core.join("carol", "pandas")
    await core.join("dave", "pandas")
    await core.resolved()  # bob 3
    await core.resolved(mentor="carol")  # carol 3
    core.clock.advance(timedelta(minutes=5))
    await core.resolved(mentor="carol")  # carol 6
    await core.resolved(mentor="dave")  # dave 3
    board = await core.reply(ShowLeaderboard(core.actor("alice"), "all"))
    assert board.splitlines()[1:] == ["1. carol — 6", "2. bob — 3", "2. dave — 3"]


async def test_people_with_equal_points_share_a_place_on_the_leaderboard(core: Core) -> None:
    await _carol_six_bob_and_dave_three(core)


async def test_the_digest_ranks_ties_among_the_top_mentors_and_most_helpful_as_the_leaderboard(
    core: Core,
) -> None:
    await _carol_six_bob_and_dave_three(core)
    digest = await core.digest()
    # The week's top mentors: the leaderboard's places, not 1, 2, 3; the month so far is the
    # week, so its most helpful (ranked alike: test_digest_figures) are not listed again.
    assert "Most thanked: 1. carol (6 points), 2. bob (3 points), 2. dave (3 points)" in digest, (
        digest
    )
    assert "Most helpful in November 2026: the same as this week's most thanked." in digest


async def test_the_daily_cap_is_counted_in_each_workspace() -> None:
    """A Discord user is the same person in every server: helping four askers in one server
    used up the day's cap, and the session they resolved in the other earned nothing there
    (its leaderboard said "No points this month")."""
    from bot.commands import AskQuestion, RegisterMentor
    from tests.unit.core_harness import ALWAYS, QUESTION, start_core_in_two_workspaces
    from tests.unit.core_harness import SECOND_WORKSPACE as B

    core = await start_core_in_two_workspaces()
    await core.join("bob", "python", "pandas")
    await core.reply(RegisterMentor(core.actor("bob", workspace=B), ("pandas",), hours=ALWAYS))
    for asker in ("a1", "a2", "a3", "a4"):
        n = await core.ask(asker, f"{QUESTION} ({asker})")
        await core.reply(ClaimQuestion(core.actor("bob"), n))
        await core.reply(ResolveQuestion(core.actor(asker), n))
    assert points_of(core, "bob") == 10  # the day's cap, reached here
    said = await core.reply(AskQuestion(core.actor("b1", workspace=B), QUESTION))
    n = int(said.split("#")[1].split()[0].rstrip(".:"))
    await core.reply(ClaimQuestion(core.actor("bob", workspace=B), n))
    await core.reply(ResolveQuestion(core.actor("b1", workspace=B), n))
    here = [p for p in core.db.rows("points") if p.workspace == B]
    assert [p.points for p in here] == [3]
    board = await core.reply(ShowLeaderboard(core.actor("b1", workspace=B)))
    assert "bob" in board, board
