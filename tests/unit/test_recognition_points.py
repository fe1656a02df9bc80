"""Points that mean help: nothing for claiming alone, nothing for thanking oneself, kudos rings of
two earn no more than the caps allow; the leaderboard for this month or all time, or switched off."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.commands import (
    ClaimQuestion,
    ExtendTimebox,
    RateSession,
    RecordThreadActivity,
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


async def test_a_kudos_ring_of_two_earns_the_pair_one_point_a_week(core: Core) -> None:
    # Every kudos is posted (one per giver and receiver a day), but the pair's points count once
    # a week, whichever way they go: thanking each other daily is no way up the board.
    for _ in range(3):
        for _ in range(5):
            await core.reply(thank(core, "alice", "bob"))
            await core.reply(thank(core, "bob", "alice"))
        assert (points_of(core, "alice"), points_of(core, "bob")) == (0, 1)
        core.clock.advance(timedelta(days=1))
    assert len(core.db.rows("kudos")) == 6
    core.clock.set(START + timedelta(days=7))  # the next Monday: a new week
    await core.reply(thank(core, "bob", "alice"))
    await core.reply(thank(core, "alice", "bob"))
    assert (points_of(core, "alice"), points_of(core, "bob")) == (1, 1)


async def test_help_of_every_kind_in_one_day_stops_at_the_daily_cap(core: Core) -> None:
    await core.helped()  # 3
    await core.helped(asker="frank")  # 6
    for giver in ("alice", "carol", "dave", "erin"):  # +4 = 10
        await core.reply(thank(core, giver, "bob"))
    await core.helped(asker="gina")
    assert points_of(core, "bob") == core.config.points.daily_cap == 10


async def test_attendees_rating_a_session_twice_earn_the_speaker_points_once(
    core: Core,
) -> None:
    at = datetime(2026, 11, 24, 14, 0)
    for title in ("one thing", "another thing"):  # one after the other: one talk at a time
        await core.reply(ProposeLightning(core.actor("bob"), "pandas", at, title))
        at += timedelta(minutes=30)
    for n in (1, 2):
        await core.reply(JoinLightning(core.actor("alice"), n))
        await core.reply(JoinLightning(core.actor("carol"), n))  # a talk two people came to
    core.clock.set(START.replace(day=24, hour=16))
    await core.tick()
    await core.helped()  # 3 points of real help first
    for n in (1, 2):
        await core.reply(RateLightning(core.actor("alice"), n, 5))
        await core.reply(RateLightning(core.actor("alice"), n, 5))
    # 3 + 5 + 5 would be 13; the second rating of each session adds nothing; the cap holds.
    assert points_of(core, "bob") == core.config.points.daily_cap == 10
    assert [p.reason for p in core.db.rows("points")].count("lightning") == 2


# --- the leaderboard -------------------------------------------------------------------------


async def test_the_leaderboard_shows_this_month_by_default_or_all_time(core: Core) -> None:
    await core.helped()
    core.clock.set(START.replace(month=12, day=2))
    await core.join("carol", "pandas")
    await core.helped(mentor="carol")
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
    await core.helped()
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
        await core.talked(n)
        assert await core.resolve("bob", n) == f"#{n} is marked resolved."
    assert points_of(core, "bob") == 0
    await core.reply(RateSession(core.actor("alice"), n, 3))
    assert points_of(core, "bob") == core.config.points.resolve
    await core.reply(RateSession(core.actor("alice"), n, 5))  # a corrected click: +2, once
    assert points_of(core, "bob") == core.config.points.resolve + core.config.points.good_rating


async def test_a_session_the_asker_resolved_still_earns_at_once_and_only_once(
    core: Core,
) -> None:
    n = await core.helped()
    assert points_of(core, "bob") == 3
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert points_of(core, "bob") == 3 + 2


async def test_a_forgotten_person_is_left_off_the_leaderboard(core: Core) -> None:
    await core.helped()
    await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), "bob", confirmed=True))
    board = await core.reply(ShowLeaderboard(core.actor("alice"), "all"))
    assert "someone forgotten" not in board and "forgotten-" not in board, board


async def test_a_forgotten_person_is_left_out_of_the_digests_helpers(core: Core) -> None:
    await core.helped()
    await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), "bob", confirmed=True))
    digest = await core.digest()
    assert "someone forgotten" not in digest and "Most helpful" not in digest, digest


async def test_the_digests_most_thanked_leaves_a_forgotten_person_out_too(core: Core) -> None:
    n = await core.helped()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), "bob", confirmed=True))
    digest = await core.digest()
    assert "someone forgotten" not in digest, digest
    assert "forgotten-" not in digest, digest


# --- a corrected rating: the good-rating points follow it ------------------------------------


async def test_a_five_corrected_to_one_takes_the_good_rating_points_back(core: Core) -> None:
    n = await core.helped()
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
    n = await core.helped()
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
    await core.talked(n)
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
    await core.helped()  # bob 3
    await core.helped(mentor="carol")  # carol 3
    core.clock.advance(timedelta(minutes=5))
    await core.helped(mentor="carol")  # carol 6
    await core.helped(mentor="dave")  # dave 3
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
    from bot.commands import AskQuestion, RecordThreadActivity, RegisterMentor
    from tests.unit.core_harness import ALWAYS, QUESTION, start_core_in_two_workspaces
    from tests.unit.core_harness import SECOND_WORKSPACE as B

    core = await start_core_in_two_workspaces()
    await core.join("bob", "python", "pandas")
    await core.reply(RegisterMentor(core.actor("bob", workspace=B), ("pandas",), hours=ALWAYS))
    for asker in ("a1", "a2", "a3", "a4"):
        n = await core.ask(asker, f"{QUESTION} ({asker})")
        await core.reply(ClaimQuestion(core.actor("bob"), n))
        await core.talked(n)
        await core.reply(ResolveQuestion(core.actor(asker), n))
    assert points_of(core, "bob") == 10  # the day's cap, reached here
    said = await core.reply(AskQuestion(core.actor("b1", workspace=B), QUESTION))
    n = int(said.split("#")[1].split()[0].rstrip(".:"))
    await core.reply(ClaimQuestion(core.actor("bob", workspace=B), n))
    core.clock.advance(timedelta(minutes=3))
    await core.handle(RecordThreadActivity(core.actor("bob", workspace=B), question_id=n))
    await core.reply(ResolveQuestion(core.actor("b1", workspace=B), n))
    here = [p for p in core.db.rows("points") if p.workspace == B]
    assert [p.points for p in here] == [3]
    board = await core.reply(ShowLeaderboard(core.actor("b1", workspace=B)))
    assert "bob" in board, board


# --- points that reward real help, not a friend's clicks --------------------------------------


def badges_of(core: Core, name: str) -> set[str]:
    return {b.badge for b in core.db.rows("badges") if b.user == core.user(name)}


async def test_a_session_that_needed_more_time_earns_though_its_thread_stayed_quiet(
    core: Core,
) -> None:
    # Talked through on a call: no words in the thread, but the two asked for more time.
    n = await core.claimed()
    await core.reply(ExtendTimebox(core.actor("alice"), n))
    await core.resolve("alice", n)
    assert points_of(core, "bob") > 0


async def test_a_claim_resolved_at_once_with_no_word_in_its_thread_earns_no_points(
    core: Core,
) -> None:
    # The walk's collusion: a friend asks trivial questions, the mentor claims each, the friend
    # resolves at once and rates 5. The ratings are kept (the mentor sees them); no points.
    for _ in range(4):
        core.clock.advance(timedelta(minutes=5))  # asks spread out, as [limits] expects
        n = await core.resolved(asker="friend")
        said = await core.reply(RateSession(core.actor("friend"), n, 5))
        assert said.startswith(f"Thanks! You rated the help on #{n} 5/5."), said
        assert "point" not in said
    # A word in the thread a minute after the claim is not a few minutes of help either; nor is
    # a session its mentor closed at once, rated 5 by the asker.
    core.clock.advance(timedelta(minutes=5))
    n = await core.claimed(asker="friend")
    core.clock.advance(timedelta(minutes=1))
    await core.handle(RecordThreadActivity(core.actor("bob"), question_id=n))
    await core.resolve("friend", n)
    core.clock.advance(timedelta(minutes=5))
    n = await core.claimed(asker="friend")
    await core.resolve("bob", n)
    await core.reply(RateSession(core.actor("friend"), n, 5))
    core.clock.advance(timedelta(minutes=11))  # the ratings' correction window closes
    await core.tick()
    assert points_of(core, "bob") == 0
    assert [f.score for f in core.db.rows("feedback")] == [5] * 5
    said = await core.reply(ShowLeaderboard(core.actor("alice")))
    assert said.startswith("No points this month"), said
    assert "five_stars" not in badges_of(core, "bob")  # five 5/5s, none for help shown


async def test_one_asker_earns_their_mentor_points_for_two_sessions_a_week(core: Core) -> None:
    for _ in range(2):  # Monday: two sessions with real help, rated 5: 2 x (3 + 2)
        n = await core.helped()
        await core.reply(RateSession(core.actor("alice"), n, 5))
    assert points_of(core, "bob") == 10
    core.clock.advance(timedelta(days=1))  # Tuesday: a fresh daily cap, the same week
    n = await core.helped()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert points_of(core, "bob") == 10  # the pair's third session this week: rated, no points
    n = await core.claimed()
    await core.talked(n)
    await core.resolve("bob", n)  # closed by the mentor: the asker's rating would confirm it
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert points_of(core, "bob") == 10
    await core.helped(asker="carol")  # another asker's session earns as ever
    assert points_of(core, "bob") == 13
    core.clock.set(START + timedelta(days=7))  # the next Monday: a new week for the pair
    await core.helped()
    assert points_of(core, "bob") == 16


async def test_a_lightning_talk_earns_with_two_signed_up_and_a_rating_of_three_or_more(
    core: Core,
) -> None:
    at = datetime(2026, 11, 24, 14, 0)
    for title in ("one friend", "two people"):
        await core.reply(ProposeLightning(core.actor("bob"), "pandas", at, title))
        at += timedelta(minutes=30)
    await core.reply(JoinLightning(core.actor("alice"), 1))  # one friend, nobody else
    for name in ("alice", "carol"):
        await core.reply(JoinLightning(core.actor(name), 2))
    core.clock.set(START.replace(day=24, hour=16))
    await core.tick()
    said = await core.reply(RateLightning(core.actor("alice"), 1, 5))
    assert said.startswith("Thanks for rating #1 5/5"), said
    await core.reply(RateLightning(core.actor("alice"), 2, 2))  # two came, but a poor talk
    assert points_of(core, "bob") == 0
    assert "lightning_speaker" not in badges_of(core, "bob")
    await core.reply(RateLightning(core.actor("carol"), 2, 3))
    assert [(p.points, p.reason) for p in core.db.rows("points")] == [(5, "lightning")]
    assert "lightning_speaker" in badges_of(core, "bob")


async def test_a_forgotten_sign_up_does_not_count_towards_a_talks_two_people(
    core: Core,
) -> None:
    from bot.privacy.commands import ForgetPerson

    at = datetime(2026, 11, 24, 14, 0)
    await core.reply(ProposeLightning(core.actor("bob"), "pandas", at, "two, then one"))
    for name in ("alice", "carol"):
        await core.reply(JoinLightning(core.actor(name), 1))
    await core.reply(ForgetPerson(core.actor("admin"), core.user("carol"), "carol", True))
    core.clock.set(START.replace(day=24, hour=16))
    await core.tick()
    await core.reply(RateLightning(core.actor("alice"), 1, 5))
    assert points_of(core, "bob") == 0  # as the speaker's thanks said: one person came
