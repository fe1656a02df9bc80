"""What each dashboard page shows, read from the database for one workspace (plain dicts and
rows for the templates; the templates escape every value)."""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.app import App
from bot.digest.figures import Digest, IsoWeek, minutes_text, most_thanked
from bot.digest.handler import load_digest, workspace_timezone
from bot.digest.tally import WeekTally
from bot.domain import QuestionState
from bot.mentors.roster_csv import safe_cell
from bot.recognition.digest import community_lines
from bot.recognition.model import FORGOTTEN_NAME
from bot.refs import UserRef, WorkspaceRef
from bot.wording import duration_text, plural

__all__ = [
    "PAGE_SIZE",
    "TREND_WEEKS",
    "Paging",
    "audit_page",
    "is_seen_in",
    "mentors_page",
    "people_listing",
    "queue_page",
    "trends_csv",
    "week_digest",
    "week_page",
]

TREND_WEEKS = 8
PAGE_SIZE = 100


def _waited(now: datetime, since: datetime) -> str:
    """How long since `since`, worded as the bot words every duration ("under a minute")."""
    return duration_text(max(0.0, (now - since).total_seconds() / 60))


async def _names(app: App, refs: Sequence[UserRef | None]) -> dict[UserRef, str]:
    wanted = [r for r in dict.fromkeys(refs) if r is not None]
    async with app.uow_factory(read_only=True) as uow:
        people = await uow.people.get_many(wanted)
    return {r: people[r].name if r in people else r.id for r in wanted}


@dataclass(frozen=True, slots=True)
class Paging:
    """Which page of a long list is shown: `number` counts from 1, `total` is every row."""

    number: int
    total: int
    size: int

    @classmethod
    def of(cls, asked: str, total: int, size: int | None = None) -> Paging:
        """The page asked for in ``?page=``, within the pages there are (1 when not a number)."""
        size = size or PAGE_SIZE
        wanted = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 7 else 1
        last = max(1, -(-total // size))
        return cls(number=min(max(1, wanted), last), total=total, size=size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.last < self.total else None


async def queue_page(app: App, ws: WorkspaceRef, page: str = "") -> dict[str, Any]:
    """Open and claimed questions, longest waiting first, a page at a time; anonymous askers
    stay anonymous."""
    states = [QuestionState.OPEN, QuestionState.CLAIMED]
    async with app.uow_factory(read_only=True) as uow:
        paging = Paging.of(page, await uow.questions.count_with_state(ws, states))
        questions = await uow.questions.with_state(
            ws, states, limit=paging.size, offset=paging.offset
        )
    names = await _names(app, [q.asker for q in questions] + [q.mentor for q in questions])
    now = app.clock.now()
    rows = []
    for q in questions:
        rows.append(
            {
                "number": q.number,
                "text": q.text if len(q.text) <= 160 else q.text[:159] + "…",
                "asker": "anonymous" if q.anonymous else names.get(q.asker, q.asker.id),
                "state": q.state.value,
                "mentor": names.get(q.mentor, "") if q.mentor else "",
                # Open: how long the asker has waited; claimed: how long the session has run.
                "waiting": (
                    f"in session {_waited(now, q.claimed_at)}"
                    if q.state is QuestionState.CLAIMED and q.claimed_at is not None
                    else f"waiting {_waited(now, q.created_at)}"
                ),
                "topics": ", ".join(q.topics),
            }
        )
    return {"rows": rows, "paging": paging}


async def week_digest(app: App, ws: WorkspaceRef, week: IsoWeek | None = None) -> Digest | None:
    async with app.uow_factory(read_only=True) as uow:
        workspace = await uow.workspaces.get(ws)
        if workspace is None:
            return None
        now = app.clock.now()
        week = week or IsoWeek.containing(now, workspace_timezone(workspace, app.config))
        return await load_digest(uow, app.config, workspace, week, now=now)


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


async def _trends(app: App, ws: WorkspaceRef) -> list[TrendRow]:
    async with app.uow_factory(read_only=True) as uow:
        workspace = await uow.workspaces.get(ws)
        if workspace is None:
            return []
        tz = workspace_timezone(workspace, app.config)
        week = IsoWeek.containing(app.clock.now(), tz)
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


async def week_page(app: App, ws: WorkspaceRef) -> dict[str, Any]:
    digest = await week_digest(app, ws)
    trends = await _trends(app, ws)
    if digest is None:
        return {"digest": None, "trends": trends}
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
        "gaps": [(g.topic, g.asked, g.mentors) for g in digest.gaps],
        "uncovered": [(f"{h:%a %H:00}", n) for h, n in digest.uncovered],
        "trends": trends,
    }


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
    row(["skill_gap_topic", "asked", "mentors"])
    for gap in page.get("gaps", []):
        row(gap)
    row([])
    row(["uncovered_hour", "asked"])
    for hour in page.get("uncovered", []):
        row(hour)
    return out.getvalue()


async def mentors_page(app: App, ws: WorkspaceRef) -> list[dict[str, Any]]:
    now = app.clock.now()
    async with app.uow_factory(read_only=True) as uow:
        profiles = await uow.mentors.in_workspace(ws)
        load = await uow.questions.mentor_load(ws, now - timedelta(days=7))
    names = await _names(app, [p.ref for p in profiles])
    rows = []
    for p in sorted(profiles, key=lambda p: names.get(p.ref, "").lower()):
        open_now, this_week = load.get(p.ref, (0, 0))
        paused = p.is_paused(now)
        rows.append(
            {
                "key": p.ref.key(),
                "name": names.get(p.ref, p.ref.id),
                "skills": ", ".join(p.skills),
                "hours": str(p.hours),
                "timezone": p.timezone,
                "capacity": p.capacity_per_week,
                "load": f"{this_week} in the last 7 days, {open_now} open",
                "paused": paused,
                "paused_until": (
                    f"{p.paused_until:%Y-%m-%d}"
                    if paused and p.paused_until and p.paused_until < now + timedelta(days=3000)
                    else ""
                ),
            }
        )
    return rows


def _person_rows(
    found: Sequence[tuple[UserRef, str, bool, datetime | None]],
) -> list[dict[str, Any]]:
    return [
        {
            "key": ref.key(),
            "name": name,
            "mentor": mentor,
            "left": f"{left:%Y-%m-%d}" if left else "",
        }
        for ref, name, mentor, left in found
    ]


async def people_listing(app: App, ws: WorkspaceRef, query: str, page: str = "") -> dict[str, Any]:
    """The people page: a page of the people seen in the workspace whose name or id contains
    `query`, by name, and how many there are in all."""
    asked = Paging.of(page, sys.maxsize)
    async with app.uow_factory(read_only=True) as uow:
        found, total = await uow.people.seen_in(ws, query, limit=asked.size, offset=asked.offset)
        paging = Paging.of(page, total)
        if paging.number != asked.number:  # past the last page: show the last one
            found, total = await uow.people.seen_in(
                ws, query, limit=paging.size, offset=paging.offset
            )
    return {"rows": _person_rows(found), "paging": paging}


async def is_seen_in(app: App, ws: WorkspaceRef, person: UserRef) -> bool:
    """Whether `person` is on the workspace's people page (an export or erase asks only there)."""
    async with app.uow_factory(read_only=True) as uow:
        return await uow.people.is_seen_in(ws, person)


async def audit_page(app: App, ws: WorkspaceRef) -> list[dict[str, Any]]:
    """The latest admin actions, with people's names where they are known (ids in small type)."""
    async with app.uow_factory(read_only=True) as uow:
        entries = await uow.audit.recent([ws], limit=200)
    subjects = {e.subject: _person_ref(e.subject) for e in entries}
    names = await _names(app, [e.actor for e in entries] + list(subjects.values()))
    rows = []
    for e in entries:
        subject = subjects[e.subject]
        actor_name = names.get(e.actor, e.actor.id)
        rows.append(
            {
                "at": e.at,
                "actor": actor_name if actor_name != e.actor.id else e.actor_name or e.actor.id,
                "actor_key": e.actor.key(),
                "action": e.action,
                "subject": names.get(subject, "") if subject else e.subject,
                "subject_key": e.subject if subject else "",
                "detail": e.detail,
            }
        )
    return rows


def _person_ref(subject: str) -> UserRef | None:
    """The person an audit entry is about (``slack:U…``), or None (a question, ``#3``, or none)."""
    if ":" not in subject or subject.startswith("#"):
        return None
    try:
        return UserRef.from_key(subject)
    except ValueError:
        return None
