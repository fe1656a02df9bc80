"""The weekly digest's figures computed in the database (counts, medians, topics, points)."""

from __future__ import annotations

import statistics
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from bot.digest.tally import WeekTally
from bot.domain import QuestionState
from bot.privacy.model import TOMBSTONE_KEYS
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import DbSession
from storage.tables import FeedbackRow, PointsRow, QuestionRow, table_of

__all__ = ["week_tally"]

Q = table_of(QuestionRow)
F = table_of(FeedbackRow)
P = table_of(PointsRow)


def _count_if(cond: sa.ColumnElement[bool]) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)


async def _medians(
    session: DbSession, dialect: str, cohort: sa.ColumnElement[bool]
) -> tuple[float | None, float | None]:
    resolved = sa.and_(Q.c.state == QuestionState.RESOLVED.value, Q.c.resolved_at.is_not(None))
    claimed = Q.c.claimed_at.is_not(None)
    if dialect == "postgresql":

        def median(later: Any, cond: sa.ColumnElement[bool]) -> Any:
            minutes = sa.extract("epoch", later - Q.c.created_at) / 60
            return sa.func.percentile_cont(0.5).within_group(minutes).filter(cond)

        row = (
            await session.execute(
                sa.select(median(Q.c.claimed_at, claimed), median(Q.c.resolved_at, resolved)).where(
                    cohort
                )
            )
        ).one()
        return (
            None if row[0] is None else float(row[0]),
            None if row[1] is None else float(row[1]),
        )

    # SQLite has no percentile: fetch the two durations (two floats a question) and take them here.
    def minutes(later: Any) -> Any:
        return (sa.func.julianday(later) - sa.func.julianday(Q.c.created_at)) * 1440

    rows = await session.execute(
        sa.select(
            sa.case((claimed, minutes(Q.c.claimed_at)), else_=None),
            sa.case((resolved, minutes(Q.c.resolved_at)), else_=None),
        ).where(cohort, sa.or_(claimed, resolved))
    )
    to_claim: list[float] = []
    to_resolve: list[float] = []
    for c, r in rows:
        if c is not None:
            to_claim.append(float(c))
        if r is not None:
            to_resolve.append(float(r))
    return (
        statistics.median(to_claim) if to_claim else None,
        statistics.median(to_resolve) if to_resolve else None,
    )


async def week_tally(
    session: DbSession,
    dialect: str,
    *,
    workspace: WorkspaceRef,
    start: datetime,
    end: datetime,
    top_mentors: int,
) -> WeekTally:
    """One indexed range over ``question (workspace, created_at)`` per figure; no row objects."""
    ws = workspace.key()
    cohort = sa.and_(Q.c.workspace == ws, Q.c.created_at >= start, Q.c.created_at < end)
    state = Q.c.state
    counts = (
        await session.execute(
            sa.select(
                sa.func.count(),
                _count_if(Q.c.claimed_at.is_not(None)),
                _count_if(state == QuestionState.RESOLVED.value),
                _count_if(state == QuestionState.UNANSWERED.value),
                _count_if(state == QuestionState.EXPIRED.value),
                _count_if(state == QuestionState.CANCELLED.value),
                _count_if(state.in_([QuestionState.OPEN.value, QuestionState.CLAIMED.value])),
                _count_if(state == QuestionState.CLAIMED.value),
            ).where(cohort)
        )
    ).one()
    to_claim, to_resolve = await _medians(session, dialect, cohort)
    ratings = {
        role: (float(avg), int(n))
        for role, avg, n in await session.execute(
            sa.select(F.c.role, sa.func.avg(F.c.score), sa.func.count())
            .select_from(F.join(Q, Q.c.id == F.c.question_id))
            # Only a resolved session is rated now; older ratings of others don't count.
            .where(cohort, state == QuestionState.RESOLVED.value)
            .group_by(F.c.role)
        )
    }
    each = (sa.func.json_array_elements_text if dialect == "postgresql" else sa.func.json_each)(
        Q.c.topics
    ).table_valued("value")
    topic_rows = await session.execute(
        sa.select(each.c.value, sa.func.count())
        .select_from(Q.join(each, sa.true()))
        .where(cohort)
        .group_by(each.c.value)
    )
    topics = sorted(((str(t), int(n)) for t, n in topic_rows), key=lambda kv: (-kv[1], kv[0]))
    total = sa.func.sum(P.c.points).label("total")
    board = await session.execute(
        sa.select(P.c.user, total)
        # A forgotten person's points stay (figures), attributed to nobody: not ranked.
        .where(
            P.c.workspace == ws, P.c.at >= start, P.c.at < end, P.c.user.not_like(TOMBSTONE_KEYS)
        )
        .group_by(P.c.user)
        .having(total > 0)  # points given and taken back (a corrected rating) thank nobody
        .order_by(total.desc(), P.c.user)
        .limit(top_mentors)
    )
    # By minute, not hour: a UTC hour straddles two local hours in +05:30 or +05:45.
    if dialect == "postgresql":
        minute: Any = sa.func.date_trunc("minute", sa.func.timezone("UTC", Q.c.created_at))
    else:
        minute = sa.func.strftime("%Y-%m-%d %H:%M:00", Q.c.created_at)
    at_work = Q.c.mentor_at_work
    minute_rows = await session.execute(
        sa.select(minute, at_work, sa.func.count())
        .where(cohort)
        .group_by(minute, at_work)
        .order_by(minute, sa.case((at_work.is_(None), 0), (at_work.is_(False), 1), else_=2))
    )
    helpful = ratings.get("asker")
    clarity = ratings.get("mentor")
    return WeekTally(
        asked=int(counts[0]),
        claimed=int(counts[1]),
        resolved=int(counts[2]),
        unanswered=int(counts[3]),
        expired=int(counts[4]),
        cancelled=int(counts[5]),
        still_open=int(counts[6]),
        in_session=int(counts[7]),
        median_minutes_to_claim=to_claim,
        median_minutes_to_resolve=to_resolve,
        average_rating=helpful[0] if helpful else None,
        ratings=helpful[1] if helpful else 0,
        average_clarity=clarity[0] if clarity else None,
        clarity_ratings=clarity[1] if clarity else 0,
        topics=tuple(topics),
        top_mentors=tuple((UserRef.from_key(u), int(n)) for u, n in board),
        asked_by_minute=tuple(
            (_utc_minute(m), None if w is None else bool(w), int(n)) for m, w, n in minute_rows
        ),
    )


def _utc_minute(value: Any) -> datetime:
    """A minute bucket from either database (naive UTC datetime or ``YYYY-MM-DD HH:MM:00``)."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when.replace(tzinfo=UTC)
