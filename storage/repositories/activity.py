"""Feedback, recognition points and "not my area" answers: what people did with a question."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import Feedback, PointsEntry, QuestionState
from bot.privacy.model import TOMBSTONE_KEYS
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import Repository
from storage.tables import (
    FeedbackRow,
    NotMyAreaRow,
    PointsRow,
    QuestionRow,
    RateEventRow,
    table_of,
)

__all__ = [
    "SqlFeedbackRepository",
    "SqlNotMyAreaRepository",
    "SqlPointsRepository",
    "SqlRateEventRepository",
]

FEEDBACK = table_of(FeedbackRow)
POINTS = table_of(PointsRow)
NOT_MY_AREA = table_of(NotMyAreaRow)
QUESTION = table_of(QuestionRow)
RATE_EVENT = table_of(RateEventRow)


def _feedback(row: sa.Row[Any]) -> Feedback:
    return Feedback(
        question_id=row.question_id,
        rater=UserRef.from_key(row.rater),
        role=row.role,
        score=row.score,
        created_at=row.created_at,
        comment=row.comment,
    )


class SqlFeedbackRepository(Repository):
    """`bot.ports.FeedbackRepository` over SQL."""

    def _key(self, question_id: int, rater: UserRef, role: str) -> sa.ColumnElement[bool]:
        return sa.and_(
            FEEDBACK.c.question_id == question_id,
            FEEDBACK.c.rater == rater.key(),
            FEEDBACK.c.role == role,
        )

    async def add(self, feedback: Feedback) -> bool:
        values = {
            "question_id": feedback.question_id,
            "rater": feedback.rater.key(),
            "role": feedback.role,
            "score": feedback.score,
            "comment": feedback.comment,
            "created_at": feedback.created_at,
        }
        return await self._insert_once(FEEDBACK, values)

    async def get(self, question_id: int, rater: UserRef, role: str) -> Feedback | None:
        stmt = sa.select(FEEDBACK).where(self._key(question_id, rater, role))
        row = (await self._session.execute(stmt)).first()
        return None if row is None else _feedback(row)

    async def change_score(
        self, question_id: int, rater: UserRef, role: str, score: int, *, given_since: datetime
    ) -> bool:
        changed = await self._rowcount(
            sa.update(FEEDBACK)
            .where(self._key(question_id, rater, role), FEEDBACK.c.created_at >= given_since)
            .values(score=score)
        )
        return changed == 1

    async def set_comment(self, question_id: int, rater: UserRef, role: str, comment: str) -> bool:
        changed = await self._rowcount(
            sa.update(FEEDBACK).where(self._key(question_id, rater, role)).values(comment=comment)
        )
        return changed == 1

    async def for_questions(self, question_ids: Sequence[int]) -> list[Feedback]:
        if not question_ids:
            return []
        rows = await self._session.execute(
            sa.select(FEEDBACK)
            .where(FEEDBACK.c.question_id.in_(list(question_ids)))
            .order_by(FEEDBACK.c.created_at, FEEDBACK.c.id)
        )
        return [_feedback(row) for row in rows]

    async def for_mentor(
        self, mentor: UserRef, *, workspace: WorkspaceRef | None
    ) -> list[Feedback]:
        stmt = (
            sa.select(FEEDBACK)
            .join(QUESTION, QUESTION.c.id == FEEDBACK.c.question_id)
            .where(
                QUESTION.c.mentor == mentor.key(),
                FEEDBACK.c.role == "asker",
                # Only a resolved session is rated now; older ratings of others don't count.
                QUESTION.c.state == QuestionState.RESOLVED.value,
            )
            .order_by(FEEDBACK.c.created_at, FEEDBACK.c.id)
        )
        if workspace is not None:
            stmt = stmt.where(QUESTION.c.workspace == workspace.key())
        rows = await self._session.execute(stmt)
        return [_feedback(row) for row in rows]

    async def mentor_ratings(self, workspace: WorkspaceRef) -> dict[UserRef, float]:
        stmt = (
            sa.select(QUESTION.c.mentor, sa.func.avg(FEEDBACK.c.score))
            .join(QUESTION, QUESTION.c.id == FEEDBACK.c.question_id)
            .where(
                QUESTION.c.workspace == workspace.key(),
                QUESTION.c.mentor.is_not(None),
                FEEDBACK.c.role == "asker",
                QUESTION.c.state == QuestionState.RESOLVED.value,
            )
            .group_by(QUESTION.c.mentor)
        )
        rows = await self._session.execute(stmt)
        return {UserRef.from_key(m): float(avg) for m, avg in rows if m is not None}


class SqlPointsRepository(Repository):
    """`bot.ports.PointsRepository` over SQL: an append-only ledger."""

    async def add(self, entry: PointsEntry) -> None:
        await self._session.execute(
            sa.insert(POINTS).values(
                workspace=entry.workspace.key(),
                user=entry.user.key(),
                points=entry.points,
                reason=entry.reason,
                at=entry.at,
                question_id=entry.question_id,
            )
        )

    async def total_since(self, user: UserRef, since: datetime, workspace: WorkspaceRef) -> int:
        total = await self._session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(POINTS.c.points), 0)).where(
                POINTS.c.user == user.key(),
                POINTS.c.at >= since,
                POINTS.c.workspace == workspace.key(),
            )
        )
        return int(total or 0)

    async def given_for(self, user: UserRef, question_id: int, reason: str) -> bool:
        found = await self._session.scalar(
            sa.select(POINTS.c.id)
            .where(
                POINTS.c.user == user.key(),
                POINTS.c.question_id == question_id,
                POINTS.c.reason == reason,
            )
            .limit(1)
        )
        return found is not None

    async def held_for(self, user: UserRef, question_id: int, reason: str) -> int:
        held = await self._session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(POINTS.c.points), 0)).where(
                POINTS.c.user == user.key(),
                POINTS.c.question_id == question_id,
                POINTS.c.reason == reason,
            )
        )
        return int(held or 0)

    async def leaderboard(
        self,
        workspace: WorkspaceRef,
        *,
        since: datetime | None,
        limit: int,
        until: datetime | None = None,
    ) -> list[tuple[UserRef, int]]:
        total = sa.func.sum(POINTS.c.points).label("total")
        stmt = sa.select(POINTS.c.user, total).where(
            POINTS.c.workspace == workspace.key(),
            # A forgotten person's points stay (figures), attributed to nobody: not ranked.
            POINTS.c.user.not_like(TOMBSTONE_KEYS),
        )
        if since is not None:
            stmt = stmt.where(POINTS.c.at >= since)
        if until is not None:
            stmt = stmt.where(POINTS.c.at < until)
        stmt = (
            stmt.group_by(POINTS.c.user)
            .having(total > 0)
            .order_by(total.desc(), POINTS.c.user)
            .limit(limit)
        )
        return [
            (UserRef.from_key(user), int(points))
            for user, points in await self._session.execute(stmt)
        ]


class SqlNotMyAreaRepository(Repository):
    """`bot.ports.NotMyAreaRepository` over SQL."""

    async def add(
        self, *, mentor: UserRef, question_id: int, topics: Sequence[str], at: datetime
    ) -> None:
        await self._session.execute(
            sa.insert(NOT_MY_AREA).values(
                mentor=mentor.key(), question_id=question_id, topics=list(topics), at=at
            )
        )

    async def since(self, workspace: WorkspaceRef, since: datetime) -> dict[UserRef, list[str]]:
        rows = await self._session.execute(
            sa.select(NOT_MY_AREA.c.mentor, NOT_MY_AREA.c.topics)
            .join(QUESTION, QUESTION.c.id == NOT_MY_AREA.c.question_id)
            .where(QUESTION.c.workspace == workspace.key(), NOT_MY_AREA.c.at >= since)
            .order_by(NOT_MY_AREA.c.at, NOT_MY_AREA.c.id)
        )
        said: dict[UserRef, list[str]] = {}
        for mentor, topics in rows:
            said.setdefault(UserRef.from_key(mentor), []).extend(topics)
        return said

    async def said_for(self, mentor: UserRef, question_id: int) -> bool:
        found = await self._session.scalar(
            sa.select(NOT_MY_AREA.c.id)
            .where(NOT_MY_AREA.c.mentor == mentor.key(), NOT_MY_AREA.c.question_id == question_id)
            .limit(1)
        )
        return found is not None

    async def said_by(self, question_id: int) -> set[UserRef]:
        rows = await self._session.execute(
            sa.select(NOT_MY_AREA.c.mentor).where(NOT_MY_AREA.c.question_id == question_id)
        )
        return {UserRef.from_key(mentor) for (mentor,) in rows}


class SqlRateEventRepository(Repository):
    """`bot.ports.RateEventRepository`: one row per limited action (an ask, a claim)."""

    async def record(self, workspace: WorkspaceRef, user: UserRef, kind: str, at: datetime) -> None:
        await self._session.execute(
            sa.insert(RATE_EVENT).values(
                workspace=workspace.key(), user=user.key(), kind=kind, at=at
            )
        )

    async def count_since(
        self, workspace: WorkspaceRef, user: UserRef, kind: str, since: datetime
    ) -> int:
        stmt = sa.select(sa.func.count()).where(
            RATE_EVENT.c.workspace == workspace.key(),
            RATE_EVENT.c.user == user.key(),
            RATE_EVENT.c.kind == kind,
            RATE_EVENT.c.at >= since,
        )
        return int(await self._session.scalar(stmt) or 0)

    async def prune(self, before: datetime) -> int:
        return await self._rowcount(sa.delete(RATE_EVENT).where(RATE_EVENT.c.at < before))
