"""The digest as an admin reads it: a week that spans two years says both; a workspace's
first week compares with nothing (not with a week of zeros from before it was used); what
became of the questions adds up to the questions asked."""

from __future__ import annotations

from dataclasses import replace

from bot.digest.figures import IsoWeek, WeekTally, build_digest, digest_message
from bot.refs import WorkspaceRef

WS = WorkspaceRef("test", "T1")


def _body(week: IsoWeek, this: WeekTally, *, known: bool = True) -> str:
    digest = build_digest(
        workspace=WS,
        week=week,
        tz="UTC",
        this=this,
        previous=WeekTally(),
        mentors=[],
        gap_max_mentors=1,
    )
    if not known:
        digest = replace(digest, previous_known=False)
    return digest_message(digest).plain()


def test_a_week_across_new_year_says_each_ends_year() -> None:
    body = _body(IsoWeek(2026, 1), WeekTally(asked=1))
    assert "2026-W01 (Dec 29, 2025–Jan 4, 2026)" in body
    assert "2026-W48 (Nov 23–29)" in _body(IsoWeek(2026, 48), WeekTally())
    # Across two months: the second month said, no leading zero (as the dashboard says it).
    assert "2026-W49 (Nov 30–Dec 6)" in _body(IsoWeek(2026, 49), WeekTally())


def test_the_first_week_of_a_workspace_compares_with_nothing() -> None:
    this = WeekTally(asked=3, claimed=2, resolved=1, still_open=2, average_rating=4.0, ratings=1)
    first = _body(IsoWeek(2026, 48), this, known=False)
    assert "3 asked · 2 claimed · 1 resolved · 0 unanswered · 2 not resolved yet" in first
    assert "vs last week" not in first and "last week" not in first
    assert "helpfulness: 4.0/5 from 1 rating · clarity: no ratings" in first
    later = _body(IsoWeek(2026, 48), this)
    assert "3 asked (+3 vs last week) · 2 claimed (+2)" in later
    assert "(last week n/a)" in later


def test_expired_and_cancelled_questions_are_counted_so_the_figures_add_up() -> None:
    this = WeekTally(asked=7, claimed=6, resolved=1, expired=1, cancelled=1, still_open=4)
    body = _body(IsoWeek(2026, 48), this)
    assert (
        "1 resolved (+1) · 0 unanswered (±0) · 1 expired · 1 cancelled · 4 not resolved yet" in body
    )
    quiet = _body(IsoWeek(2026, 48), WeekTally(asked=1, resolved=1))
    assert "expired" not in quiet and "cancelled" not in quiet  # only when there are some
