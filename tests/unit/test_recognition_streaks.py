"""Weekly helping streaks across weeks and pauses, and the gentle "keep it going" note: at most
one a month, none during a pause."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from bot.commands import (
    Actor,
    PauseMentor,
    RateSession,
    RegisterMentor,
    RegisterWorkspace,
    ResumeMentor,
    ShowMentorProfile,
)
from bot.recognition.model import PausePeriod
from bot.recognition.streaks import helping_streak
from bot.refs import ChannelRef, WorkspaceRef
from tests.unit.core_harness import START, WORKSPACE, Core, start_core

BOB = Core.user("bob")
WEEK = timedelta(days=7)


def weeks(*offsets: int) -> list[datetime]:
    """A resolve on the Monday of each week `offset` weeks from START's week."""
    return [START + o * WEEK for o in offsets]


def test_consecutive_weeks_make_a_streak() -> None:
    s = helping_streak(weeks(0, 1, 2), now=START + 2 * WEEK)
    assert (s.current, s.best, s.this_week) == (3, 3, True)


def test_this_week_does_not_break_the_streak_before_it_is_over() -> None:
    s = helping_streak(weeks(0, 1), now=START + 2 * WEEK + timedelta(days=3))
    assert (s.current, s.this_week) == (2, False)


def test_a_week_without_help_ends_the_streak_but_keeps_the_best() -> None:
    s = helping_streak(weeks(0, 1, 2, 4), now=START + 4 * WEEK)
    assert (s.current, s.best) == (1, 3)


def test_several_sessions_in_one_week_count_as_one_week() -> None:
    twice = [START, START + timedelta(days=2)]
    assert helping_streak(twice, now=START + timedelta(days=3)).current == 1


def test_a_week_paused_for_most_of_it_neither_counts_nor_breaks() -> None:
    pause = PausePeriod(BOB, START + WEEK, START + 2 * WEEK)
    s = helping_streak(weeks(0, 2), now=START + 2 * WEEK, pauses=[pause])
    assert (s.current, s.best) == (2, 2)


def test_a_short_pause_does_not_excuse_a_week() -> None:
    pause = PausePeriod(BOB, START + WEEK, START + WEEK + timedelta(days=2))
    s = helping_streak(weeks(0, 2), now=START + 2 * WEEK, pauses=[pause])
    assert s.current == 1


def test_no_sessions_no_streak() -> None:
    s = helping_streak([], now=START)
    assert (s.current, s.best, s.this_week) == (0, 0, False)


# --- in the flow -----------------------------------------------------------------------------


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    return core


async def resolve_in_weeks(core: Core, count: int) -> None:
    """One resolved session a week for `count` weeks (Mondays), the clock left on the last."""
    for i in range(count):
        if i:
            core.clock.advance(WEEK)
            await core.tick()
        await core.resolved()


def notes(core: Core) -> list[str]:
    return [m for m in core.chat.dms(BOB) if "keeps it going" in m]


async def test_the_streak_is_shown_in_mentor_me(core: Core) -> None:
    await resolve_in_weeks(core, 2)
    [card] = await core.handle(ShowMentorProfile(core.actor("bob")))
    shown = dict((k, v.plain()) for k, v in card.fields)["Helping streak"]
    assert shown == "🔥 2 weeks in a row (best 2)"


async def test_four_weeks_in_a_row_earn_the_streak_badge(core: Core) -> None:
    await resolve_in_weeks(core, 3)
    assert "helping_streak" not in {b.badge for b in core.db.rows("badges")}
    await resolve_in_weeks(core, 2)  # the first of these is in the same week as the last one
    core.clock.advance(WEEK)
    await core.resolved()
    assert "helping_streak" in {b.badge for b in core.db.rows("badges")}


async def test_a_streak_at_risk_gets_one_keep_it_going_note(core: Core) -> None:
    await resolve_in_weeks(core, 2)
    core.clock.advance(WEEK + timedelta(days=3, hours=2))  # Thursday afternoon, nothing yet
    await core.tick()
    [note] = notes(core)
    assert "you've helped 2 weeks in a row" in note and "/mentor pause" in note


async def test_no_note_when_they_helped_this_week(core: Core) -> None:
    await resolve_in_weeks(core, 3)
    core.clock.advance(timedelta(days=3, hours=2))
    await core.tick()
    assert notes(core) == []


async def test_at_most_one_note_a_month(core: Core) -> None:
    await resolve_in_weeks(core, 3)
    core.clock.advance(WEEK + timedelta(days=3, hours=2))
    await core.tick()
    assert len(notes(core)) == 1
    # Back for two weeks, then quiet again within the month: no second note.
    await core.resolved()
    core.clock.advance(WEEK)
    await core.resolved()
    core.clock.advance(WEEK)
    await core.tick()
    assert len(notes(core)) == 1


async def test_no_note_during_a_pause(core: Core) -> None:
    await resolve_in_weeks(core, 2)
    await core.reply(PauseMentor(core.actor("bob"), timedelta(days=14)))
    core.clock.advance(WEEK + timedelta(days=3, hours=2))
    await core.tick()
    assert notes(core) == []


async def test_a_pause_keeps_the_streak_alive(core: Core) -> None:
    await resolve_in_weeks(core, 2)
    core.clock.advance(timedelta(days=1))
    await core.reply(PauseMentor(core.actor("bob"), None))  # until they resume
    core.clock.advance(timedelta(days=13))  # all of the next week paused
    await core.reply(ResumeMentor(core.actor("bob")))
    await core.resolved()
    [card] = await core.handle(ShowMentorProfile(core.actor("bob")))
    assert dict((k, v.plain()) for k, v in card.fields)["Helping streak"].startswith(
        "🔥 3 weeks in a row"
    )


async def test_sessions_the_mentor_resolved_count_only_once_the_asker_rates_them_well(
    core: Core,
) -> None:
    rated = []
    for i in range(3):
        if i:
            core.clock.advance(WEEK)
            await core.tick()
        n = await core.claimed()
        await core.resolve("bob", n)
        rated.append(n)
    [card] = await core.handle(ShowMentorProfile(core.actor("bob")))
    assert "weeks in a row" not in dict((k, v.plain()) for k, v in card.fields)["Helping streak"]
    for n in rated:
        await core.reply(RateSession(core.actor("alice"), n, 5))
    [card] = await core.handle(ShowMentorProfile(core.actor("bob")))
    shown = dict((k, v.plain()) for k, v in card.fields)["Helping streak"]
    assert shown == "🔥 3 weeks in a row (best 3)"


# --- pauses are per workspace ----------------------------------------------------------------

A = WORKSPACE
B = WorkspaceRef(A.platform, "T2")


def test_a_week_paused_in_only_one_of_two_workspaces_is_not_excused() -> None:
    in_b = PausePeriod(BOB, START + WEEK, START + 2 * WEEK, B)
    s = helping_streak(weeks(0, 2), now=START + 2 * WEEK, pauses=[in_b], workspaces={A, B})
    assert s.current == 1


def test_a_week_paused_in_every_workspace_is_excused_even_in_pieces() -> None:
    in_a = PausePeriod(BOB, START + WEEK, START + 2 * WEEK, A)
    in_b = [  # two pauses in B that together cover the week
        PausePeriod(BOB, START + WEEK, START + WEEK + timedelta(days=3), B),
        PausePeriod(BOB, START + WEEK + timedelta(days=3), START + 2 * WEEK, B),
    ]
    s = helping_streak(weeks(0, 2), now=START + 2 * WEEK, pauses=[in_a, *in_b], workspaces={A, B})
    assert s.current == 2


def test_a_pause_of_no_workspace_from_before_applies_in_every_workspace() -> None:
    old = PausePeriod(BOB, START + WEEK, START + 2 * WEEK)
    s = helping_streak(weeks(0, 2), now=START + 2 * WEEK, pauses=[old], workspaces={A, B})
    assert s.current == 2


@pytest.fixture
async def two_workspaces(core: Core) -> Core:
    """bob mentors in A (the harness's workspace) and in B."""
    await core.handle(
        RegisterWorkspace(B, ChannelRef(B.platform, "m2"), ChannelRef(B.platform, "a2"))
    )
    await core.handle(RegisterMentor(in_b(core, "bob"), ("kubernetes",)))
    return core


def in_b(core: Core, name: str) -> Actor:
    return Actor(core.user(name), name, B)


async def streak_shown(core: Core) -> str:
    [card] = await core.handle(ShowMentorProfile(core.actor("bob")))
    return dict((k, v.plain()) for k, v in card.fields)["Helping streak"]


async def test_pausing_in_another_workspace_does_not_keep_the_streak_alive(
    two_workspaces: Core,
) -> None:
    core = two_workspaces
    await resolve_in_weeks(core, 2)
    core.clock.advance(timedelta(days=1))
    await core.reply(PauseMentor(in_b(core, "bob"), None))  # a break in B only; A goes on
    core.clock.advance(timedelta(days=13))  # all of the next week without a session in A
    await core.resolved()
    assert (await streak_shown(core)).startswith("🔥 1 week")


async def test_pausing_in_every_workspace_keeps_the_streak_alive(two_workspaces: Core) -> None:
    core = two_workspaces
    await resolve_in_weeks(core, 2)
    core.clock.advance(timedelta(days=1))
    await core.reply(PauseMentor(in_b(core, "bob"), None))
    await core.reply(PauseMentor(core.actor("bob"), None))
    core.clock.advance(timedelta(days=13))
    await core.reply(ResumeMentor(core.actor("bob")))
    await core.resolved()
    assert (await streak_shown(core)).startswith("🔥 3 weeks in a row")


async def test_resuming_in_one_workspace_leaves_the_pause_in_another_running(
    two_workspaces: Core,
) -> None:
    core = two_workspaces
    await core.reply(PauseMentor(core.actor("bob"), None))
    await core.reply(PauseMentor(in_b(core, "bob"), timedelta(days=14)))
    core.clock.advance(timedelta(days=2))
    await core.reply(ResumeMentor(in_b(core, "bob")))
    pauses = {p.workspace: p for p in core.db.tables["pauses"].values()}
    assert pauses[B].end == core.clock.now()
    assert pauses[A].end > core.clock.now() + timedelta(days=365)  # until bob resumes in A
