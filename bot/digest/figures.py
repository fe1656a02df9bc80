"""The weekly digest: ISO weeks in a workspace's timezone, the week's figures and their text."""

from __future__ import annotations

import re
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.digest.tally import WeekTally
from bot.domain import Feedback, MentorProfile, PointsEntry, Question, QuestionState
from bot.messages import Attachment, Bold, ChatMessage, Text, UserText, lines, text
from bot.recognition.digest import CommunityWeek, community_lines
from bot.recognition.model import FORGOTTEN_NAME, places
from bot.refs import UserRef, WorkspaceRef
from bot.wording import duration_text, plural

__all__ = [
    "Digest",
    "IsoWeek",
    "TopicCoverage",
    "WeekTally",
    "build_digest",
    "digest_message",
    "minutes_text",
    "most_thanked",
    "scheduled_week",
    "tally_questions",
    "uncovered_hours",
]

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


FIRST_YEAR = 2000  # the earliest week anyone can ask for


@dataclass(frozen=True, slots=True, order=True)
class IsoWeek:
    """An ISO week such as ``2026-W48``: Monday 00:00 to the next Monday 00:00, local time."""

    year: int
    week: int

    @classmethod
    def parse(cls, label: str) -> IsoWeek:
        m = _WEEK.match(label.strip().upper())
        if not m:
            raise ValueError(f"`{label}` is not a week like `2026-W48`")
        year, week = int(m[1]), int(m[2])
        if year < FIRST_YEAR:  # nothing was asked then (and the week before year 1 is no date)
            raise ValueError(f"`{label.strip()}` is before {FIRST_YEAR}: no question is that old")
        try:
            date.fromisocalendar(year, week, 1)
        except ValueError:
            raise ValueError(f"{year} has no week {week}") from None
        return cls(year, week)

    @classmethod
    def containing(cls, when: datetime, tz: str) -> IsoWeek:
        iso = when.astimezone(ZoneInfo(tz)).isocalendar()
        return cls(iso.year, iso.week)

    @property
    def label(self) -> str:
        return f"{self.year}-W{self.week:02d}"

    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    def bounds(self, tz: str) -> tuple[datetime, datetime]:
        """``[start, end)`` in UTC: the local midnights, so DST weeks have 167 or 169 h."""
        zone = ZoneInfo(tz)
        start = datetime.combine(self.monday(), time(), tzinfo=zone)
        end = datetime.combine(self.monday() + timedelta(days=7), time(), tzinfo=zone)
        return start.astimezone(UTC), end.astimezone(UTC)

    def previous(self) -> IsoWeek:
        iso = (self.monday() - timedelta(days=7)).isocalendar()
        return IsoWeek(iso.year, iso.week)

    @property
    def span(self) -> str:
        """Its dates, as the digest and the dashboard both say them: "Nov 23–29",
        "Nov 30–Dec 6"; week 1 starting in December says each end's year."""
        monday = self.monday()
        sunday = monday + timedelta(days=6)
        if monday.year != sunday.year:
            return (
                f"{monday:%b} {monday.day}, {monday.year}–{sunday:%b} {sunday.day}, {sunday.year}"
            )
        same = monday.month == sunday.month
        return f"{monday:%b} {monday.day}–{'' if same else f'{sunday:%b} '}{sunday.day}"


LATE_GRACE = timedelta(days=1)  # a digest missed at its slot is still sent this long after it


def _slot(week: IsoWeek, *, tz: str, weekday: str, hour: int, minute: int) -> datetime:
    day = week.monday() + timedelta(days=WEEKDAYS.index(weekday))
    return datetime.combine(day, time(hour % 24, minute), tzinfo=ZoneInfo(tz))


def scheduled_week(now: datetime, *, tz: str, weekday: str, at: str) -> IsoWeek | None:
    """The week whose digest is due by `now`: the last full week, once this week's slot passed.

    Before this week's slot, last week's digest belongs to last week's slot: it is caught up
    only within :data:`LATE_GRACE` of that slot (a slot late in the week, e.g. Sunday 23:00,
    whose replicas were all down at the time and back after midnight), not days later.
    """
    this_week = IsoWeek.containing(now, tz)
    hour, minute = (int(p) for p in at.split(":"))
    if now >= _slot(this_week, tz=tz, weekday=weekday, hour=hour, minute=minute):
        return this_week.previous()
    last_week = this_week.previous()
    if now < _slot(last_week, tz=tz, weekday=weekday, hour=hour, minute=minute) + LATE_GRACE:
        return last_week.previous()
    return None


def _minutes(later: datetime, earlier: datetime) -> float:
    return (later - earlier).total_seconds() / 60


def tally_questions(
    questions: Sequence[Question],
    feedback: Iterable[Feedback],
    points: Iterable[PointsEntry],
    *,
    top_mentors: int,
) -> WeekTally:
    """The tally in plain Python (the SQL repositories compute the same in the database)."""
    states = Counter(q.state for q in questions)
    to_claim = [_minutes(q.claimed_at, q.created_at) for q in questions if q.claimed_at]
    to_resolve = [
        _minutes(q.resolved_at, q.created_at)
        for q in questions
        if q.resolved_at and q.state is QuestionState.RESOLVED
    ]
    # Only a resolved session is rated now; older ratings of others don't count.
    rated = {q.id for q in questions if q.state is QuestionState.RESOLVED}
    mine = [f for f in feedback if f.question_id in rated]
    helpful = [f.score for f in mine if f.role == "asker"]
    clarity = [f.score for f in mine if f.role == "mentor"]
    topics = Counter(t for q in questions for t in q.topics)
    by_minute = Counter(
        (q.created_at.astimezone(UTC).replace(second=0, microsecond=0), q.mentor_at_work)
        for q in questions
    )
    earned: Counter[UserRef] = Counter()
    for p in points:
        earned[p.user] += p.points
    return WeekTally(
        asked=len(questions),
        claimed=sum(1 for q in questions if q.claimed_at is not None),
        resolved=states[QuestionState.RESOLVED],
        unanswered=states[QuestionState.UNANSWERED],
        expired=states[QuestionState.EXPIRED],
        cancelled=states[QuestionState.CANCELLED],
        still_open=states[QuestionState.OPEN] + states[QuestionState.CLAIMED],
        in_session=states[QuestionState.CLAIMED],
        median_minutes_to_claim=statistics.median(to_claim) if to_claim else None,
        median_minutes_to_resolve=statistics.median(to_resolve) if to_resolve else None,
        average_rating=statistics.fmean(helpful) if helpful else None,
        ratings=len(helpful),
        average_clarity=statistics.fmean(clarity) if clarity else None,
        clarity_ratings=len(clarity),
        topics=tuple(sorted(topics.items(), key=lambda kv: (-kv[1], kv[0]))),
        # Points given and taken back (a corrected rating) come to nothing: nobody to thank.
        top_mentors=tuple(
            sorted(
                ((ref, n) for ref, n in earned.items() if n > 0),
                key=lambda kv: (-kv[1], kv[0].key()),
            )
        )[:top_mentors],
        asked_by_minute=tuple(
            (minute, at_work, n)
            for (minute, at_work), n in sorted(by_minute.items(), key=_by_minute_order)
        ),
    )


@dataclass(frozen=True, slots=True)
class TopicCoverage:
    topic: str
    asked: int
    mentors: int  # active mentors listing the topic itself
    related: int = 0  # and those listing only a related skill (matching suggests them too)


@dataclass(frozen=True, slots=True)
class Digest:
    """Everything the weekly digest reports for one workspace and week."""

    workspace: WorkspaceRef
    week: IsoWeek
    tz: str
    this: WeekTally
    previous: WeekTally
    coverage: tuple[TopicCoverage, ...] = ()
    gaps: tuple[TopicCoverage, ...] = ()
    # Hours (local start) in which questions came while no mentor was in working hours.
    uncovered: tuple[tuple[datetime, int], ...] = ()
    partial: bool = False
    names: dict[UserRef, str] = field(default_factory=dict)
    # Kudos, badges, lightning sessions and the month's helpers (None where not gathered).
    community: CommunityWeek | None = None
    # (topic, average asker rating, ratings) of the week's topics rated low, lowest first.
    low_rated: tuple[tuple[str, float, int], ...] = ()
    # False when the week before came before the workspace's first use: no "vs last week".
    previous_known: bool = True


def _listing(c: TopicCoverage) -> str:
    """Who covers a gap: "no mentors", "only 1 mentor", "2 mentors", and the related ones."""
    said = (
        ("no mentor lists it" if c.related else "no mentors")
        if not c.mentors
        else "only 1 mentor"
        if c.mentors == 1
        else (f"{c.mentors} mentors")
    )
    if c.related:
        said += "; " + _related(c)
    return said


def _related(c: TopicCoverage) -> str:
    """The mentors with a related skill: "more" only after some who list the topic itself
    ("no mentors; 1 more" would read as if there were one)."""
    if c.mentors:
        return f"{c.related} more with a related skill"
    return f"{c.related} {'has' if c.related == 1 else 'have'} a related skill"


def build_digest(
    *,
    workspace: WorkspaceRef,
    week: IsoWeek,
    tz: str,
    this: WeekTally,
    previous: WeekTally,
    mentors: Sequence[MentorProfile],
    gap_max_mentors: int,
    related: Mapping[str, Set[str]] | None = None,
    partial: bool = False,
    names: dict[UserRef, str] | None = None,
    low_rated: tuple[tuple[str, float, int], ...] = (),
) -> Digest:
    """Join the tallies with mentor coverage: topics asked against how many mentors list them,
    and how many more list a related skill (`related`: the taxonomy's, as matching uses it). A
    gap counts only mentors listing the topic: related ones are said beside it, so a digest does
    not call "only 1 mentor" what matching offered to three."""
    active = [set(m.skills) for m in mentors if m.active]
    per_skill = Counter(s for skills in active for s in skills)
    near = related or {}

    def related_only(topic: str) -> int:
        others = near.get(topic, set())
        return sum(1 for skills in active if topic not in skills and not others.isdisjoint(skills))

    coverage = tuple(
        TopicCoverage(t, n, per_skill.get(t, 0), related_only(t)) for t, n in this.topics
    )
    gaps = tuple(
        sorted(
            (c for c in coverage if c.mentors <= gap_max_mentors),
            key=lambda c: (c.mentors - c.asked, c.topic),
        )
    )
    return Digest(
        workspace=workspace,
        week=week,
        tz=tz,
        this=this,
        previous=previous,
        coverage=coverage,
        gaps=gaps,
        uncovered=uncovered_hours(this.asked_by_minute, mentors, tz=tz),
        partial=partial,
        names=dict(names or {}),
        low_rated=low_rated,
    )


def _by_minute_order(item: tuple[tuple[datetime, bool | None], int]) -> tuple[datetime, int]:
    (minute, at_work), _ = item
    return minute, {None: 0, False: 1, True: 2}[at_work]


def uncovered_hours(
    asked_by_minute: Iterable[tuple[datetime, bool | None, int]],
    mentors: Sequence[MentorProfile],
    *,
    tz: str,
) -> tuple[tuple[datetime, int], ...]:
    """The local hours with questions asked while no mentor was in working hours, busiest first.

    Whether a mentor was at work is what was recorded when each was asked; a question asked
    before that was recorded (None) is judged by `mentors` as they are now. Each is judged at
    its own minute and listed under its local hour, so timezones 30 or 45 minutes off UTC come
    out right. Mentors share a few schedules, so each distinct (hours, timezone) is checked
    once a minute with such questions.
    """
    schedules = {(m.hours, m.timezone) for m in mentors if m.active}
    zone = ZoneInfo(tz)
    # Keyed by local hour and UTC offset: a DST fall-back's two 01:00 hours stay apart.
    missed: dict[tuple[datetime, timedelta | None], tuple[datetime, datetime, int]] = {}
    for minute, at_work, asked in asked_by_minute:
        if at_work is None:
            at_work = any(h.contains(minute, z) for h, z in schedules)
        if at_work:
            continue
        local = minute.astimezone(zone)
        hour = local.replace(minute=0, second=0, microsecond=0)
        key = (hour.replace(tzinfo=None), local.utcoffset())
        _, first, n = missed.get(key, (hour, minute, 0))
        missed[key] = (hour, min(first, minute), n + asked)
    ranked = sorted(missed.values(), key=lambda hfn: (-hfn[2], hfn[1]))
    return tuple((hour, n) for hour, _, n in ranked)


def minutes_text(value: float | None) -> str:
    """``under a minute``, ``12 min``, ``2 h 30 min``; ``n/a`` when there is nothing to measure."""
    return duration_text(value)


def _delta(now: int, before: int) -> str:
    d = now - before
    return f"{'+' if d > 0 else '±' if d == 0 else '−'}{abs(d)}"


def _rating_text(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}/5"


ANOTHER_WEEK = "`/mentoradmin digest YYYY-Www`"  # how a reader of the digest asks for another
_TOPICS_SHOWN = 8  # topics on the "Topics asked / mentors" line (and the chart's bars)
_LISTED = 5  # skill gaps, low-rated topics


def _more(total: int, shown: int) -> str:
    """What a cut list of topics leaves out: `` and 3 more topics`` (nothing when it is all
    shown), so a list the chart shows more of does not read as the whole of it."""
    if total <= shown:
        return ""
    return f" and {plural(total - shown, 'more topic', 'more topics')}"


def most_thanked(digest: Digest) -> list[tuple[int, str | None, int]]:
    """The week's most helpful people as the digest ranks them: (place, name — None for someone
    forgotten —, points); equal points, equal place ("1, 1, 3"), as on the leaderboard."""
    top = digest.this.top_mentors
    ranks = places(pts for _, pts in top)
    return [(rank, digest.names.get(ref), pts) for rank, (ref, pts) in zip(ranks, top, strict=True)]


def digest_message(
    digest: Digest,
    *,
    chart: bytes | None = None,
    note: str | None = None,
    another_week: str = ANOTHER_WEEK,
) -> ChatMessage:
    """The digest as one message (the chart attached where the platform allows); its footer
    says how to see `another_week` (in chat the command, at the terminal the CLI's option)."""
    t, p = digest.this, digest.previous
    span = digest.week.span
    title = f"Micromentor weekly digest — {digest.week.label} ({span}{', so far' if digest.partial else ''})"
    # The week before the workspace's first use has no figures to compare with (not zeros).
    known = digest.previous_known

    def vs(now: int, before: int, said: str = "") -> str:
        return f" ({_delta(now, before)}{said})" if known else ""

    def last_week(said: str) -> str:
        return f" (last week {said})" if known else ""

    parts: list[Text] = [
        text(
            Bold("Questions: "),
            f"{t.asked} asked{vs(t.asked, p.asked, ' vs last week')} · "
            f"{t.claimed} claimed{vs(t.claimed, p.claimed)} · "
            f"{t.resolved} resolved{vs(t.resolved, p.resolved)} · "
            f"{t.unanswered} unanswered{vs(t.unanswered, p.unanswered)}"
            + (f" · {t.expired} expired" if t.expired else "")
            + (f" · {t.cancelled} cancelled" if t.cancelled else "")
            + (f" · {t.still_open} not resolved yet" if t.still_open else ""),
        ),
        text(
            Bold("Median time: "),
            f"to claim {minutes_text(t.median_minutes_to_claim)}"
            f"{last_week(minutes_text(p.median_minutes_to_claim))} · "
            f"to resolve {minutes_text(t.median_minutes_to_resolve)}"
            f"{last_week(minutes_text(p.median_minutes_to_resolve))}",
        ),
        text(
            Bold("Ratings: "),
            (
                f"helpfulness: {_rating_text(t.average_rating)} from {plural(t.ratings, 'rating')}"
                if t.ratings
                else "helpfulness: no ratings"
            )
            + f"{last_week(_rating_text(p.average_rating))} · "
            "clarity: "
            + (
                "no ratings"
                if t.average_clarity is None
                else f"{_rating_text(t.average_clarity)} from {plural(t.clarity_ratings, 'rating')}"
            ),
        ),
    ]
    if t.top_mentors:
        thanks: list[str | UserText] = []
        for i, (rank, name, pts) in enumerate(most_thanked(digest)):
            # A forgotten person (no name left) is named as everywhere else: never their
            # tombstone id.
            named: str | UserText = UserText(name) if name is not None else FORGOTTEN_NAME
            thanks += [f"{', ' if i else ''}{rank}. ", named]
            thanks.append(f" ({plural(pts, 'point')})")
        parts.append(text(Bold("Most thanked: "), *thanks))
    else:
        parts.append(text(Bold("Most thanked: "), "nobody earned points this week."))
    if digest.coverage:
        shown = digest.coverage[:_TOPICS_SHOWN]
        parts.append(
            text(
                Bold("Topics asked / mentors: "),
                *[
                    part
                    for i, c in enumerate(shown)
                    for part in (
                        (", " if i else ""),
                        UserText(c.topic),
                        f" {c.asked}/{c.mentors}",
                        f" (+{c.related} with a related skill)" if c.related else "",
                    )
                ],
                _more(len(digest.coverage), len(shown)),
            )
        )
    if digest.gaps:
        parts.append(
            text(
                Bold("Skill gaps: "),
                *[
                    part
                    for i, c in enumerate(digest.gaps[:_LISTED])
                    for part in (
                        ", " if i else "",
                        UserText(c.topic),
                        f" ({c.asked} asked, {_listing(c)})",
                    )
                ],
                _more(len(digest.gaps), _LISTED),
                " — worth recruiting mentors for.",
            )
        )
    if digest.low_rated:
        parts.append(
            text(
                Bold("Low-rated topics: "),
                *[
                    part
                    for i, (topic, avg, n) in enumerate(digest.low_rated[:_LISTED])
                    for part in (
                        ", " if i else "",
                        UserText(topic),
                        f" {avg:.1f}/5 ({n} rating{'s' if n != 1 else ''})",
                    )
                ],
                _more(len(digest.low_rated), _LISTED),
                " — worth a look at how those sessions go.",
            )
        )
    if digest.uncovered:
        missed = sum(n for _, n in digest.uncovered)
        busiest = ", ".join(f"{h:%a %H:00} ×{n}" for h, n in digest.uncovered[:4])
        parts.append(
            text(
                Bold("Coverage: "),
                f"{missed} of {t.asked} questions came while no mentor was in working hours "
                f"({busiest}, {digest.tz}) — mentors in other hours or timezones would help.",
            )
        )
    if digest.community is not None:
        week_thanked = [(name, pts) for _, name, pts in most_thanked(digest)]
        parts += community_lines(digest.community, week_thanked=week_thanked)
    if note:
        parts.append(text(note))
    attachment = (
        Attachment(f"digest-{digest.week.label}.png", chart, "image/png") if chart else None
    )
    return ChatMessage(
        title=text(Bold(title)),
        body=lines(parts),
        footer=text(
            "Counts follow the questions asked in the week; askers are never named. "
            f"{another_week} for another week."
        ),
        attachment=attachment,
        kind="digest",
    )
