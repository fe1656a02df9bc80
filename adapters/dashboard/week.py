"""The dashboard's week page: the chat digest's figures for any week so far (``?week=``), the
weekly trend up to it, and the same as CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from bot.app import App
from bot.digest.figures import Digest, IsoWeek, TopicCoverage, minutes_text, most_thanked
from bot.digest.handler import load_digest, workspace_timezone
from bot.digest.tally import WeekTally
from bot.mentors.roster_csv import safe_cell
from bot.recognition.digest import community_lines
from bot.recognition.model import FORGOTTEN_NAME
from bot.refs import WorkspaceRef
from bot.wording import plural

__all__ = ["TREND_WEEKS", "WeekChoice", "choose_week", "trends_csv", "week_digest", "week_page"]

TREND_WEEKS = 8


@dataclass(frozen=True, slots=True)
class WeekChoice:
    """The week a page shows, the current one (no page shows a week to come) and the
    workspace's first (nor one before it: there was nothing to count)."""

    week: IsoWeek
    current: IsoWeek
    first: IsoWeek | None = None

    @property
    def is_current(self) -> bool:
        return self.week == self.current

    @property
    def next(self) -> IsoWeek | None:
        if self.is_current:
            return None
        iso = (self.week.monday() + timedelta(days=7)).isocalendar()
        return IsoWeek(iso.year, iso.week)

    @property
    def previous(self) -> IsoWeek | None:
        if self.first is not None and self.week <= self.first:
            return None
        return self.week.previous()


async def choose_week(app: App, ws: WorkspaceRef, asked: str) -> WeekChoice | str | None:
    """The week ``?week=`` names (this week when empty), or why it can't be shown (a sentence
    for the admin); None when the workspace is unknown."""
    async with app.uow_factory(read_only=True) as uow:
        workspace = await uow.workspaces.get(ws)
        if workspace is None:
            return None
        first_at = await uow.digests.first_activity(ws)
    tz = workspace_timezone(workspace, app.config)
    current = IsoWeek.containing(app.clock.now(), tz)
    # The weeks run from the workspace's first on (the digest's "week before" is "—" before
    # it): one with nothing yet starts this week.
    first = min(IsoWeek.containing(first_at, tz), current) if first_at is not None else current
    if not asked:
        return WeekChoice(current, current, first)
    try:
        week = IsoWeek.parse(asked[:20])
    except ValueError as why:
        return f"{str(why).replace('`', '')}: open This week and step back with Previous week."
    if week > current:
        return f"{week.label} is still to come: this week is {current.label}."
    if week < first:
        return (
            f"{week.label} is before this workspace's first week, {first.label}: there is "
            "nothing to show before it. Open This week and step back with Previous week."
        )
    return WeekChoice(week, current, first)


async def week_digest(app: App, ws: WorkspaceRef, week: IsoWeek) -> Digest | None:
    """The digest of `week` as the chat's says it (the same related skills, so the same
    coverage)."""
    async with app.uow_factory(read_only=True) as uow:
        workspace = await uow.workspaces.get(ws)
        if workspace is None:
            return None
        related = app.bus.services.taxonomy.related
        return await load_digest(
            uow, app.config, workspace, week, now=app.clock.now(), related=related
        )


@dataclass(frozen=True, slots=True)
class TrendRow:
    week: str
    asked: int
    claimed: int
    resolved: int
    unanswered: int
    median_claim: str
    median_resolve: str
    rating: str
    claim_minutes: float | None = None
    resolve_minutes: float | None = None
    expired: int = 0
    cancelled: int = 0
    still_open: int = 0
    average_rating: float | None = None


def _num(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"


async def _trends(app: App, ws: WorkspaceRef, week: IsoWeek) -> list[TrendRow]:
    """`week` and up to `TREND_WEEKS` - 1 weeks before it."""
    async with app.uow_factory(read_only=True) as uow:
        workspace = await uow.workspaces.get(ws)
        if workspace is None:
            return []
        tz = workspace_timezone(workspace, app.config)
        # From the workspace's first week on: weeks before it had nothing to count, not zeros.
        first = await uow.digests.first_activity(ws)
        first_week = IsoWeek.containing(first, tz) if first is not None else week
        rows = []
        for _ in range(TREND_WEEKS):
            if week < first_week:
                break
            start, end = week.bounds(tz)
            t = await uow.digests.tally(ws, start, end, top_mentors=0)
            rows.append(
                TrendRow(
                    week=week.label,
                    asked=t.asked,
                    claimed=t.claimed,
                    resolved=t.resolved,
                    unanswered=t.unanswered,
                    median_claim=minutes_text(t.median_minutes_to_claim),
                    median_resolve=minutes_text(t.median_minutes_to_resolve),
                    rating=f"{t.average_rating:.1f}" if t.average_rating else "n/a",
                    claim_minutes=t.median_minutes_to_claim,
                    resolve_minutes=t.median_minutes_to_resolve,
                    expired=t.expired,
                    cancelled=t.cancelled,
                    still_open=t.still_open,
                    average_rating=t.average_rating,
                )
            )
            week = week.previous()
    return rows


async def week_page(app: App, ws: WorkspaceRef, chosen: WeekChoice) -> dict[str, Any]:
    digest = await week_digest(app, ws, chosen.week)
    trends = await _trends(app, ws, chosen.week)
    moves = {
        "current": chosen.is_current,
        "previous_week": chosen.previous.label if chosen.previous else "",
        "next_week": chosen.next.label if chosen.next else "",
    }
    if digest is None:
        return {"digest": None, "trends": trends, **moves}
    this, before = digest.this, digest.previous
    figures: list[tuple[str, object, object]] = [
        ("Questions asked", this.asked, before.asked),
        ("Claimed", this.claimed, before.claimed),
        ("Resolved", this.resolved, before.resolved),
        # With these, what became of every question asked adds up to the questions asked.
        ("Unanswered", this.unanswered, before.unanswered),
        ("Expired", this.expired, before.expired),
        ("Cancelled", this.cancelled, before.cancelled),
        ("Open or claimed", this.still_open, before.still_open),
        (
            "Median time to claim",
            minutes_text(this.median_minutes_to_claim),
            minutes_text(before.median_minutes_to_claim),
        ),
        (
            "Median time to resolve",
            minutes_text(this.median_minutes_to_resolve),
            minutes_text(before.median_minutes_to_resolve),
        ),
        ("Average rating", _rating(this), _rating(before)),
    ]
    if not digest.previous_known:  # before the workspace's first use: nothing, not zeros
        figures = [(label, now, "—") for label, now, _ in figures]
    span = digest.week.span
    return {
        "digest": digest,
        "week": digest.week.label,
        "span": span + (", so far" if digest.partial else ""),
        "asked_this_week": this.asked,
        # What the chat digest says besides the figures, from the same digest, in its words.
        "thanked": [
            (rank, FORGOTTEN_NAME if name is None else name, plural(points, "point"))
            for rank, name, points in most_thanked(digest)
        ],
        "low_rated": [
            (topic, f"{avg:.1f}/5", plural(n, "rating")) for topic, avg, n in digest.low_rated
        ],
        # The card is headed "Community" already: its first line doesn't say it again.
        "community": (
            [line.plain().removeprefix("Community: ") for line in community_lines(digest.community)]
            if digest.community is not None
            else []
        ),
        "figures": figures,
        # The digest's skill gaps, in its words: topics with at most `gap_max_mentors`.
        "gaps": [(g.topic, g.asked, g.mentors, g.related, _covered_by(g)) for g in digest.gaps],
        "gap_max": plural(app.config.digest.gap_max_mentors, "mentor"),
        "uncovered": [(f"{h:%a %H:00}", n) for h, n in digest.uncovered],
        "trends": trends,
        **moves,
    }


def _covered_by(c: TopicCoverage) -> str:
    """Who covers a gap, as the chat digest says it: "no mentors", "only 1 mentor", and the
    mentors with a related skill besides."""
    said = (
        ("no mentor lists it" if c.related else "no mentors")
        if not c.mentors
        else "only 1 mentor"
        if c.mentors == 1
        else (f"{c.mentors} mentors")
    )
    if not c.related:
        return said
    # "more" only after some who list the topic itself ("no mentors; 1 more" misleads).
    if c.mentors:
        return f"{said}; {c.related} more with a related skill"
    return f"{said}; {c.related} {'has' if c.related == 1 else 'have'} a related skill"


def _rating(t: WeekTally) -> str:
    """The average rating and how many gave it, as the digest says it."""
    if not t.ratings or t.average_rating is None:
        return "n/a"
    return f"{t.average_rating:.1f}/5 from {plural(t.ratings, 'rating')}"


def trends_csv(page: dict[str, Any]) -> str:
    """The week page as CSV: the weekly trend, then skill gaps and uncovered hours. Topics are
    mentors' own words, so no cell may start a spreadsheet formula."""
    out = io.StringIO()
    w = csv.writer(out)

    def row(cells: Sequence[object]) -> None:
        w.writerow([safe_cell(c) for c in cells])

    row(
        [
            "week",
            "asked",
            "claimed",
            "resolved",
            "unanswered",
            "median_minutes_to_claim",
            "median_minutes_to_resolve",
            "average_rating",
            "expired",
            "cancelled",
            "open_or_claimed",
        ]
    )
    for r in page["trends"]:
        row(
            [
                r.week,
                r.asked,
                r.claimed,
                r.resolved,
                r.unanswered,
                _num(r.claim_minutes),
                _num(r.resolve_minutes),
                _num(r.average_rating),  # empty when there is none, as the medians
                r.expired,
                r.cancelled,
                r.still_open,
            ]
        )
    row([])
    row(["skill_gap_topic", "asked", "mentors", "mentors_with_a_related_skill"])
    for topic, asked, mentors, related, _ in page.get("gaps", []):
        row([topic, asked, mentors, related])
    row([])
    row(["uncovered_hour", "asked"])
    for hour in page.get("uncovered", []):
        row(hour)
    return out.getvalue()
