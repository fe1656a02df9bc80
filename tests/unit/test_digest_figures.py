"""The digest's figures and text from a hand-built week: counts, medians, ratings, top mentors,
topic coverage and skill gaps, change against last week, ISO weeks in a timezone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.digest.figures import (
    Digest,
    IsoWeek,
    WeekTally,
    build_digest,
    digest_message,
    scheduled_week,
    tally_questions,
    uncovered_hours,
)
from bot.domain import Feedback, MentorProfile, PointsEntry, Question, QuestionState
from bot.hours import WeeklyHours
from bot.recognition.digest import CommunityWeek, community_lines
from bot.refs import UserRef, WorkspaceRef
from tests.unit.fakes import FakeDatabase, FakeUnitOfWork

WS = WorkspaceRef("test", "T1")
MON = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # 2026-W48


def user(name: str) -> UserRef:
    return UserRef("test", name)


def q(
    n: int,
    state: QuestionState,
    *,
    topics: tuple[str, ...] = ("python",),
    claim_after: int | None = None,
    resolve_after: int | None = None,
    asker: str = "alice",
    anonymous: bool = False,
) -> Question:
    created = MON + timedelta(hours=n)
    return Question(
        id=n,
        workspace=WS,
        asker=user(asker),
        text=f"question {n} about {' and '.join(topics)}",
        created_at=created,
        anonymous=anonymous,
        topics=topics,
        state=state,
        claimed_at=created + timedelta(minutes=claim_after) if claim_after is not None else None,
        resolved_at=created + timedelta(minutes=resolve_after)
        if resolve_after is not None
        else None,
    )


def hand_built_week() -> tuple[list[Question], list[Feedback], list[PointsEntry]]:
    questions = [
        q(1, QuestionState.RESOLVED, claim_after=4, resolve_after=30),
        q(2, QuestionState.RESOLVED, topics=("python", "pandas"), claim_after=10, resolve_after=50),
        q(3, QuestionState.RESOLVED, topics=("kubernetes",), claim_after=6, resolve_after=40),
        q(4, QuestionState.UNANSWERED, topics=("kubernetes",)),
        q(5, QuestionState.EXPIRED, topics=("rust",), claim_after=20),
        q(6, QuestionState.OPEN, topics=("kubernetes",), asker="secret-sam", anonymous=True),
        q(7, QuestionState.CANCELLED, topics=()),
    ]
    feedback = [
        Feedback(1, user("alice"), "asker", 5, MON),
        Feedback(2, user("alice"), "asker", 4, MON),
        Feedback(3, user("alice"), "asker", 3, MON),
        Feedback(1, user("bob"), "mentor", 4, MON),
        Feedback(99, user("zed"), "asker", 1, MON),  # another week's question: not counted
    ]
    points = [
        PointsEntry(WS, user("bob"), 3, "resolve", MON),
        PointsEntry(WS, user("bob"), 2, "good rating", MON),
        PointsEntry(WS, user("carol"), 4, "resolve", MON),
        PointsEntry(WS, user("dave"), 1, "claim", MON),
    ]
    return questions, feedback, points


def test_tally_counts_medians_ratings_topics_and_top_mentors_of_a_hand_built_week() -> None:
    questions, feedback, points = hand_built_week()
    t = tally_questions(questions, feedback, points, top_mentors=2)
    assert (t.asked, t.claimed, t.resolved, t.unanswered, t.expired, t.cancelled) == (
        7,
        4,
        3,
        1,
        1,
        1,
    )
    assert t.still_open == 1
    assert t.median_minutes_to_claim == 8.0  # 4, 6, 10, 20
    assert t.median_minutes_to_resolve == 40.0  # 30, 40, 50
    assert (t.average_rating, t.ratings, t.average_clarity) == (4.0, 3, 4.0)
    assert t.clarity_ratings == 1
    assert t.topics == (("kubernetes", 3), ("python", 2), ("pandas", 1), ("rust", 1))
    assert t.top_mentors == ((user("bob"), 5), (user("carol"), 4))


def _mentor(name: str, *skills: str) -> MentorProfile:
    return MentorProfile(ref=user(name), workspace=WS, skills=skills)


def test_skill_gaps_are_topics_asked_with_few_or_no_mentors_biggest_first() -> None:
    questions, feedback, points = hand_built_week()
    this = tally_questions(questions, feedback, points, top_mentors=5)
    digest = build_digest(
        workspace=WS,
        week=IsoWeek(2026, 48),
        tz="UTC",
        this=this,
        previous=WeekTally(),
        mentors=[_mentor("bob", "python", "pandas"), _mentor("carol", "python", "rust")],
        gap_max_mentors=1,
    )
    assert [(c.topic, c.asked, c.mentors) for c in digest.coverage] == [
        ("kubernetes", 3, 0),
        ("python", 2, 2),
        ("pandas", 1, 1),
        ("rust", 1, 1),
    ]
    assert [c.topic for c in digest.gaps] == ["kubernetes", "pandas", "rust"]


def test_cut_topic_lists_say_how_many_more_there_are() -> None:
    topics = tuple((f"topic{i}", 10 - i) for i in range(9))  # 9 topics, none with a mentor
    digest = _week_digest(
        WeekTally(asked=54, topics=topics),
        low_rated=tuple((f"topic{i}", 2.0, 1) for i in range(7)),
    )
    assert len(digest.gaps) == 9
    body = digest_message(digest).plain()
    assert "topic4 (6 asked, no mentors) and 4 more topics — worth recruiting mentors for." in body
    assert "topic7 3/0 and 1 more topic\n" in body  # the chart's 8 topics, in words
    assert "topic4 2.0/5 (1 rating) and 2 more topics — worth a look" in body


def test_a_list_shown_whole_says_no_more() -> None:
    digest = _week_digest(WeekTally(asked=15, topics=(("a", 5), ("b", 5), ("c", 5))))
    assert " more topic" not in digest_message(digest).plain()


def test_mentors_with_a_related_skill_are_said_beside_a_topics_own_mentors() -> None:
    """Matching offers a question to mentors of a related skill too: the digest says how many,
    so "only 1 mentor" does not read as the whole story; the gap itself counts the topic's own."""
    this = WeekTally(asked=1, topics=(("salary negotiation", 1),))
    digest = _week_digest(
        this,
        mentors=[
            _mentor("bob", "salary negotiation"),
            _mentor("carol", "career growth", "negotiation"),
            _mentor("dave", "negotiation"),
            _mentor("erin", "python"),
        ],
        related={"salary negotiation": {"negotiation"}},
    )
    [covered] = digest.coverage
    assert (covered.mentors, covered.related) == (1, 2)
    assert [c.topic for c in digest.gaps] == ["salary negotiation"]
    body = digest_message(digest).plain()
    assert "salary negotiation 1/1 (+2 with a related skill)" in body
    assert "(1 asked, only 1 mentor; 2 more with a related skill)" in body


@pytest.mark.parametrize(
    ("related", "said"),
    [
        (["carol"], "(1 asked, no mentor lists it; 1 has a related skill)"),
        (["carol", "dave"], "(1 asked, no mentor lists it; 2 have a related skill)"),
    ],
)
def test_a_gap_nobody_lists_counts_the_related_mentors_without_saying_more(
    related: list[str], said: str
) -> None:
    # "no mentors; 1 more with a related skill" read as if there were one mentor already.
    digest = _week_digest(
        WeekTally(asked=1, topics=(("salary negotiation", 1),)),
        mentors=[_mentor(name, "negotiation") for name in related],
        related={"salary negotiation": {"negotiation"}},
    )
    body = digest_message(digest).plain()
    assert said in body, body
    assert "more with a related skill" not in body


def test_digest_text_shows_change_against_last_week_and_never_names_askers() -> None:
    questions, feedback, points = hand_built_week()
    this = tally_questions(questions, feedback, points, top_mentors=5)
    previous = WeekTally(asked=9, claimed=4, resolved=1, unanswered=1, average_rating=3.5)
    digest = build_digest(
        workspace=WS,
        week=IsoWeek(2026, 48),
        tz="UTC",
        this=this,
        previous=previous,
        mentors=[_mentor("bob", "python")],
        gap_max_mentors=1,
        names={user("bob"): "Bob B", user("carol"): "Carol C"},
    )
    msg = digest_message(digest, chart=b"\x89PNG fake")
    body = msg.plain()
    assert "2026-W48 (Nov 23–29)" in body
    assert (
        "7 asked (−2 vs last week) · 4 claimed (±0) · 3 resolved (+2) · 1 unanswered (±0)" in body
    )
    assert "to claim 8 min (last week n/a)" in body
    assert "helpfulness: 4.0/5 from 3 ratings (last week 3.5/5)" in body
    assert "1. Bob B (5 points), 2. Carol C (4 points)" in body
    assert "Skill gaps: kubernetes (3 asked, no mentors), pandas (1 asked, no mentors), " in body
    assert "python (2 asked, only 1 mentor)" in body  # a gap with a mentor says why it is one
    assert "alice" not in body and "secret-sam" not in body
    assert msg.mentions() == ()  # thanks by name, no pings in the admin channel
    assert msg.attachment is not None and msg.attachment.filename == "digest-2026-W48.png"
    assert msg.kind == "digest"


def _week_digest(this: WeekTally, **given: Any) -> Digest:
    """Week 48's digest of `this` in UTC, against an empty week before, with no mentors unless
    `given` says otherwise."""
    given = {"tz": "UTC", "previous": WeekTally(), "mentors": [], "gap_max_mentors": 1, **given}
    return build_digest(workspace=WS, week=IsoWeek(2026, 48), this=this, **given)


def test_a_week_without_ratings_says_so_instead_of_n_a_from_0() -> None:
    digest = _week_digest(WeekTally(asked=1))
    body = digest_message(digest).plain()
    assert "Ratings: helpfulness: no ratings (last week n/a) · clarity: no ratings" in body
    assert "from 0" not in body


def test_ratings_name_helpfulness_and_clarity_the_same_way() -> None:
    digest = _week_digest(
        WeekTally(asked=2, average_rating=4.0, ratings=2, average_clarity=3.5, clarity_ratings=1)
    )
    body = digest_message(digest).plain()
    assert (
        "Ratings: helpfulness: 4.0/5 from 2 ratings (last week n/a) · clarity: 3.5/5 from 1 rating"
    ) in body


@pytest.mark.parametrize(
    ("label", "tz", "start_utc"),
    [
        ("2026-W48", "UTC", datetime(2026, 11, 23, 0, 0, tzinfo=UTC)),
        ("2026-W48", "America/Los_Angeles", datetime(2026, 11, 23, 8, 0, tzinfo=UTC)),
        ("2026-W01", "Asia/Tokyo", datetime(2025, 12, 28, 15, 0, tzinfo=UTC)),
    ],
)
def test_iso_week_bounds_are_local_midnights(label: str, tz: str, start_utc: datetime) -> None:
    start, end = IsoWeek.parse(label).bounds(tz)
    assert start == start_utc
    assert end - start == timedelta(days=7)


def test_a_week_with_a_dst_change_is_an_hour_short() -> None:
    start, end = IsoWeek.parse("2026-W13").bounds("Europe/Berlin")  # clocks go forward on Mar 29
    assert end - start == timedelta(days=7, hours=-1)


@pytest.mark.parametrize("bad", ["2026-48", "2026-W54", "W48", ""])
def test_a_malformed_week_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        IsoWeek.parse(bad)


def test_the_previous_week_crosses_the_year() -> None:
    assert IsoWeek.parse("2026-W01").previous() == IsoWeek(2025, 52)


@pytest.mark.parametrize(
    ("now", "tz", "expected"),
    [
        (datetime(2026, 11, 30, 8, 59, tzinfo=UTC), "UTC", None),
        (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "UTC", "2026-W48"),
        (datetime(2026, 12, 3, 12, 0, tzinfo=UTC), "UTC", "2026-W48"),  # caught up on Thursday
        (datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "America/New_York", None),  # 04:00 there
        (datetime(2026, 11, 30, 14, 0, tzinfo=UTC), "America/New_York", "2026-W48"),
        (datetime(2026, 11, 30, 0, 0, tzinfo=UTC), "Asia/Tokyo", "2026-W48"),  # Mon 09:00 JST
    ],
)
def test_the_scheduled_digest_is_due_from_monday_nine_in_the_workspace_timezone(
    now: datetime, tz: str, expected: str | None
) -> None:
    week = scheduled_week(now, tz=tz, weekday="mon", at="09:00")
    assert (week.label if week else None) == expected


def test_hours_with_questions_and_no_mentor_at_work_are_reported_in_local_time() -> None:
    berlin = MentorProfile(
        ref=user("bob"),
        workspace=WS,
        skills=("python",),
        timezone="Europe/Berlin",
        hours=WeeklyHours.parse("Mon-Fri 09:00-17:00"),
    )
    asked: list[tuple[datetime, bool | None, int]] = [
        (datetime(2026, 11, 23, 9, 0, tzinfo=UTC), None, 4),  # Mon 10:00 in Berlin: bob works
        (datetime(2026, 11, 23, 19, 0, tzinfo=UTC), None, 2),  # Mon 20:00 in Berlin: nobody
        (datetime(2026, 11, 28, 10, 0, tzinfo=UTC), None, 3),  # Saturday: nobody
    ]
    uncovered = uncovered_hours(asked, [berlin], tz="Europe/Berlin")
    assert [(f"{h:%a %H:%M}", n) for h, n in uncovered] == [("Sat 11:00", 3), ("Mon 20:00", 2)]
    digest = build_digest(
        workspace=WS,
        week=IsoWeek(2026, 48),
        tz="Europe/Berlin",
        this=WeekTally(asked=9, asked_by_minute=tuple(asked)),
        previous=WeekTally(),
        mentors=[berlin],
        gap_max_mentors=1,
    )
    shown = digest_message(digest).plain()
    assert "Coverage: 5 of 9 questions came while no mentor was in working hours" in shown
    assert "Sat 11:00 ×3, Mon 20:00 ×2" in shown


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        ("08:40", [("Mon 08:00", 1)]),  # before the mentor starts at 09:00
        ("09:10", []),
        ("16:50", []),
        ("17:10", [("Mon 17:00", 1)]),  # after the mentor stopped at 17:00
    ],
)
async def test_coverage_in_a_half_hour_timezone_goes_by_each_question_s_local_time(
    local: str, expected: list[tuple[str, int]]
) -> None:
    """Asia/Kolkata is UTC+05:30: a UTC hour there spans two local hours."""
    kolkata = ZoneInfo("Asia/Kolkata")
    mentor = MentorProfile(
        ref=user("bob"),
        workspace=WS,
        skills=("python",),
        timezone="Asia/Kolkata",
        hours=WeeklyHours.parse("Mon-Fri 09:00-17:00"),
    )
    hour, minute = (int(p) for p in local.split(":"))
    asked_at = datetime(2026, 11, 23, hour, minute, 20, tzinfo=kolkata)  # a Monday
    start, end = IsoWeek(2026, 48).bounds("Asia/Kolkata")
    async with FakeUnitOfWork(FakeDatabase()) as uow:
        await uow.questions.add(
            Question(workspace=WS, asker=user("ann"), text="?", created_at=asked_at)
        )
        tally = await uow.digests.tally(WS, start, end, top_mentors=1)
    uncovered = uncovered_hours(tally.asked_by_minute, [mentor], tz="Asia/Kolkata")
    assert [(f"{h:%a %H:00}", n) for h, n in uncovered] == expected


def test_coverage_goes_by_whether_a_mentor_was_at_work_when_each_question_came() -> None:
    """Recorded when asked, it stands whatever the mentors' hours are now; a question from
    before it was recorded is judged by today's hours."""
    night_owl = MentorProfile(
        ref=user("bob"),
        workspace=WS,
        skills=("python",),
        timezone="UTC",
        hours=WeeklyHours.parse("Mon-Sun 20:00-23:00"),  # changed since: at work at none below
    )
    monday = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    asked = [
        (monday, True, 2),  # someone was at work then
        (monday + timedelta(hours=1), False, 1),  # nobody was
        (monday + timedelta(hours=2), None, 3),  # not recorded: by today's hours, nobody
        (monday + timedelta(hours=10), None, 4),  # not recorded: bob works at 20:00 now
    ]
    uncovered = uncovered_hours(asked, [night_owl], tz="UTC")
    assert [(f"{h:%H:%M}", n) for h, n in uncovered] == [("12:00", 3), ("11:00", 1)]


def test_a_mentor_whose_points_of_the_week_come_to_nothing_is_no_top_mentor() -> None:
    points = [
        PointsEntry(WS, user("bob"), 2, "good rating", MON, question_id=1),
        PointsEntry(WS, user("bob"), -2, "good rating", MON, question_id=1),  # 5 corrected to 1
        PointsEntry(WS, user("carol"), 1, "kudos", MON),
    ]
    assert tally_questions([], [], points, top_mentors=5).top_mentors == ((user("carol"), 1),)
    alone = tally_questions([], [], points[:2], top_mentors=5)
    assert alone.top_mentors == ()
    digest = _week_digest(alone)
    assert "Most thanked: nobody earned points this week." in digest_message(digest).plain()


def test_top_mentors_with_equal_points_share_a_place_and_the_next_place_skips() -> None:
    names = ("bob", "carol", "dave", "erin", "fay")
    points = [
        PointsEntry(WS, user(name), n, "kudos", MON)
        for name, n in zip(names, (3, 3, 2, 1, 1), strict=True)
    ]
    digest = _week_digest(
        tally_questions([], [], points, top_mentors=5), names={user(n): n for n in names}
    )
    line = next(
        ln for ln in digest_message(digest).plain().splitlines() if ln.startswith("Most thanked:")
    )
    assert line == (
        "Most thanked: 1. bob (3 points), 1. carol (3 points), 3. dave (2 points), "
        "4. erin (1 point), 4. fay (1 point)"
    )


def test_a_top_mentor_with_no_name_left_is_named_as_forgotten_never_by_their_id() -> None:
    points = [
        PointsEntry(WS, user("bob"), 3, "kudos", MON),
        PointsEntry(WS, user("forgotten-7947cec9"), 4, "kudos", MON),
    ]
    digest = _week_digest(
        tally_questions([], [], points, top_mentors=5), names={user("bob"): "Bob B"}
    )
    body = digest_message(digest).plain()
    assert "Most thanked: 1. someone forgotten (4 points), 2. Bob B (3 points)" in body, body
    assert "forgotten-" not in body


def test_the_most_helpful_of_the_month_share_places_as_on_the_leaderboard() -> None:
    week = CommunityWeek(
        month="November 2026", helpers=(("bob", 5), ("carol", 5), ("dave", 5), ("erin", 2))
    )
    said = "\n".join(line.plain() for line in community_lines(week))
    assert (
        "Most helpful in November 2026 (worth a thank-you): 1. bob (5 points), "
        "1. carol (5 points), 1. dave (5 points), 4. erin (2 points)"
    ) in said


def test_the_months_most_helpful_are_not_listed_again_when_they_are_the_weeks() -> None:
    week = CommunityWeek(month="November 2026", helpers=(("bob", 5), ("carol", 2)))
    same = [line.plain() for line in community_lines(week, week_thanked=[("bob", 5), ("carol", 2)])]
    assert "Most helpful in November 2026: the same as this week's most thanked." in same
    other = [line.plain() for line in community_lines(week, week_thanked=[("bob", 5)])]
    assert "Most helpful in November 2026 (worth a thank-you): 1. bob (5 points), 2. carol" in (
        "\n".join(other)
    )


def test_a_week_before_2000_is_refused_not_a_crash() -> None:
    """`?week=0001-W01` on the dashboard answered 500: the week before it is no date."""
    with pytest.raises(ValueError, match="is before 2000"):
        IsoWeek.parse("0001-W01")
    assert IsoWeek.parse("2000-W02").previous() == IsoWeek(2000, 1)


def test_the_command_lines_week_note_names_each_workspaces_week_when_they_differ() -> None:
    """Near Monday's midnight a workspace in Tokyo is a week ahead of one in Los Angeles: the
    note on standard error names both weeks instead of the first workspace's alone."""
    from datetime import UTC, datetime

    from bot.config import Config
    from bot.digest.report import _which_week
    from bot.domain import Workspace
    from bot.refs import ChannelRef

    now = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday in Tokyo, Sunday in Los Angeles
    here = ChannelRef("slack", "C1")
    tokyo = Workspace(WorkspaceRef("slack", "T1"), here, here, timezone="Asia/Tokyo")
    la = Workspace(WorkspaceRef("slack", "T2"), here, here, timezone="America/Los_Angeles")
    weeks = [IsoWeek(2026, 48), IsoWeek(2026, 47)]
    said = _which_week(weeks, now, [tokyo, la], Config())
    assert "2026-W47 or 2026-W48" in said and "`--week YYYY-Www` for another" in said
    one = _which_week([IsoWeek(2026, 48)], now, [tokyo], Config())
    assert one.startswith("the last full week, 2026-W48,") and "`--week 2026-W49`" in one
