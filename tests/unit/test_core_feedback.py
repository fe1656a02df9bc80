"""Feedback and recognition: rate once, 1–5, by asker or mentor only; points with a daily cap."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import CommentOnSession, RateSession, ShowLeaderboard
from bot.config import Config, PointsSection
from bot.domain import NudgeKind, NudgeState
from tests.unit.core_harness import Core, start_core


@pytest.fixture
async def core() -> Core:
    return await start_core()


@pytest.mark.parametrize("score", [1, 5])
async def test_asker_rates_the_help_and_the_channel_never_sees_the_score(
    core: Core, score: int
) -> None:
    n = await core.resolved()
    cards = len(core.chat.messages("update_card"))
    said = await core.reply(RateSession(core.actor("alice"), n, score))
    assert said.startswith(f"Thanks! You rated the help on #{n} {score}/5.")
    [fb] = core.db.rows("feedback")
    assert (fb.rater, fb.role, fb.score) == (core.user("alice"), "asker", score)
    # The card in the channel stays as it was: resolved, helped by bob, no score.
    assert len(core.chat.messages("update_card")) == cards
    card = core.chat.card(n).plain()
    assert "helped by bob" in card and "/5" not in card and "rated" not in card


async def test_mentor_rating_is_recorded_as_question_clarity(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(RateSession(core.actor("bob"), n, 4))
    assert said == f"Thanks! You rated how clear #{n} was 4/5. Anything to add?"
    [fb] = core.db.rows("feedback")
    assert (fb.role, fb.score) == ("mentor", 4)


async def test_a_rating_can_be_changed_within_ten_minutes(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 1, role="asker"))
    core.clock.advance(timedelta(minutes=9))
    said = await core.reply(RateSession(core.actor("alice"), n, 5, role="asker"))
    assert said.startswith(f"Changed: you rated the help on #{n} 5/5 (was 1/5).")
    [fb] = core.db.rows("feedback")
    assert fb.score == 5


async def test_a_rating_is_final_after_ten_minutes(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    core.clock.advance(timedelta(minutes=11))
    said = await core.reply(RateSession(core.actor("alice"), n, 1))
    assert said == (
        f"You rated the help on #{n} 5/5 already; a rating can be changed within 10 minutes of "
        "giving it. Thank you!"
    )
    [fb] = core.db.rows("feedback")
    assert fb.score == 5


async def test_the_same_rating_again_changes_nothing(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    said = await core.reply(RateSession(core.actor("alice"), n, 5))
    assert said == f"You rated the help on #{n} 5/5 already. Thank you!"


async def test_the_mentors_same_rating_again_says_it_rated_how_clear_the_question_was(
    core: Core,
) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("bob"), n, 4))
    said = await core.reply(RateSession(core.actor("bob"), n, 4))
    assert said == f"You rated how clear #{n} was 4/5 already. Thank you!"
    core.clock.advance(timedelta(minutes=11))
    said = await core.reply(RateSession(core.actor("bob"), n, 2))
    assert said.startswith(f"You rated how clear #{n} was 4/5 already; a rating can be changed")


@pytest.mark.parametrize(("clicker", "role"), [("bob", "asker"), ("alice", "mentor")])
async def test_a_click_on_the_other_persons_rating_prompt_is_refused(
    core: Core, clicker: str, role: str
) -> None:
    n = await core.resolved()
    said = await core.reply(RateSession(core.actor(clicker), n, 1, role=role))
    assert said.startswith("Those buttons are for the other person")
    assert core.db.rows("feedback") == []


@pytest.mark.parametrize(("clicker", "role"), [("alice", "mentor"), ("bob", "asker")])
async def test_the_other_persons_buttons_before_the_resolve_say_it_isnt_finished(
    core: Core, clicker: str, role: str
) -> None:
    # No prompt exists yet, so there is none "addressed to you" to point at.
    n = await core.claimed()
    said = await core.reply(RateSession(core.actor(clicker), n, 3, role=role))
    assert said == f"#{n} isn't finished yet; you can rate it once it's resolved."
    assert core.db.rows("feedback") == []


async def test_a_wrong_click_corrected_to_five_gives_the_good_rating_points_once(
    core: Core,
) -> None:
    n = await core.helped()
    await core.reply(RateSession(core.actor("alice"), n, 1))
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert points_of(core, "bob") == 3 + 2
    await core.reply(RateSession(core.actor("alice"), n, 3))
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert points_of(core, "bob") == 3 + 2


@pytest.mark.parametrize("score", [0, 6, -1, 10])
async def test_scores_outside_one_to_five_are_refused(core: Core, score: int) -> None:
    n = await core.resolved()
    said = await core.reply(RateSession(core.actor("alice"), n, score))
    assert said == "Ratings go from 1 (not helpful) to 5 (very helpful)."
    assert core.db.rows("feedback") == []


async def test_the_mentor_out_of_range_is_told_the_clarity_scale(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(RateSession(core.actor("bob"), n, 6))
    assert said == "Ratings go from 1 (hard to follow) to 5 (very clear)."
    assert core.db.rows("feedback") == []


async def test_someone_outside_the_session_cannot_rate(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(RateSession(core.actor("zed"), n, 5))
    assert said == f"Only the asker and the mentor of #{n} can rate it."
    assert core.db.rows("feedback") == []


async def test_a_session_that_is_still_running_cannot_be_rated(core: Core) -> None:
    n = await core.claimed()
    said = await core.reply(RateSession(core.actor("alice"), n, 5))
    assert said == f"#{n} isn't finished yet; you can rate it once it's resolved."


async def test_asker_rating_cancels_the_feedback_reminder(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 3))
    feedback = [nd for nd in core.db.rows("nudges") if nd.kind is NudgeKind.FEEDBACK]
    assert [nd.state for nd in feedback] == [NudgeState.CANCELLED]


async def test_comment_is_added_to_the_raters_own_rating(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    said = await core.reply(CommentOnSession(core.actor("alice"), n, "  Quick   and clear. "))
    assert said == f"Thanks, your comment on #{n} is saved."
    [fb] = core.db.rows("feedback")
    assert fb.comment == "Quick and clear."
    # A second comment replaces the first, and says so.
    again = await core.reply(CommentOnSession(core.actor("alice"), n, "Quick, clear and kind."))
    assert again == f"Thanks, your comment on #{n} is saved; it replaces your earlier one."
    [fb] = core.db.rows("feedback")
    assert fb.comment == "Quick, clear and kind."


async def test_comment_before_rating_asks_for_the_rating_first(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(CommentOnSession(core.actor("alice"), n, "Great"))
    assert said == f"Rate #{n} first (1–5), then add your comment."


async def test_empty_comment_is_refused(core: Core) -> None:
    n = await core.resolved()
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert await core.reply(CommentOnSession(core.actor("alice"), n, "   ")) == (
        "The comment is empty; write a sentence or two."
    )


# --- points and leaderboard ------------------------------------------------------------------


def points_of(core: Core, name: str) -> int:
    return sum(e.points for e in core.db.rows("points") if e.user == core.user(name))


async def test_mentor_earns_resolve_and_good_rating_points(core: Core) -> None:
    n = await core.helped()
    assert points_of(core, "bob") == 3
    await core.reply(RateSession(core.actor("alice"), n, 4))
    assert points_of(core, "bob") == 3 + 2
    assert points_of(core, "alice") == 0


@pytest.mark.parametrize("score", [1, 2, 3])
async def test_ratings_below_four_earn_no_points(core: Core, score: int) -> None:
    n = await core.helped()
    await core.reply(RateSession(core.actor("alice"), n, score))
    assert points_of(core, "bob") == 3


async def test_points_stop_at_the_daily_cap(core: Core) -> None:
    for asker in ("alice", "carol", "dave"):  # 3 x (3 + 2) = 15 points' worth of help
        n = await core.helped(asker=asker)
        await core.reply(RateSession(core.actor(asker), n, 5))
    assert points_of(core, "bob") == core.config.points.daily_cap == 10


async def test_the_daily_cap_starts_afresh_the_next_day() -> None:
    core = await start_core(Config(points=PointsSection(daily_cap=3)))
    await core.helped()
    assert points_of(core, "bob") == 3
    core.clock.advance(timedelta(days=1))
    await core.helped()
    assert points_of(core, "bob") == 6


async def test_leaderboard_ranks_people_by_points(core: Core) -> None:
    await core.helped(mentor="bob")
    await core.join("carol", "pandas")
    await core.helped(mentor="carol")
    await core.helped(mentor="carol")
    said = await core.reply(ShowLeaderboard(core.actor("alice")))
    assert said.splitlines() == [
        "Leaderboard — November 2026 (thank-you points)",
        "1. carol — 6",
        "2. bob — 3",
    ]


async def test_empty_leaderboard_says_how_to_get_on_it(core: Core) -> None:
    said = await core.reply(ShowLeaderboard(core.actor("alice")))
    assert said == (
        "No points this month — resolve a session, give a lightning talk or get kudos "
        "to get on the board."
    )
