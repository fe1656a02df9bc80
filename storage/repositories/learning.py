"""Learning: course progress, coached drafts, FAQ entries, "Share summary" consents, and the
look-ups over past sessions that follow-ups and ranking need."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import QuestionState
from bot.learning.model import Draft, DraftState, Enrollment, FaqEntry, FaqState, Track
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import Repository
from storage.tables import (
    FaqEntryRow,
    FeedbackRow,
    LearningEnrollmentRow,
    QuestionDraftRow,
    QuestionRow,
    SummaryShareRow,
    table_of,
)

__all__ = [
    "SqlDraftRepository",
    "SqlFaqRepository",
    "SqlFollowUpRepository",
    "SqlLearningRepository",
]

ENROLLMENT = table_of(LearningEnrollmentRow)
DRAFT = table_of(QuestionDraftRow)
FAQ = table_of(FaqEntryRow)
SHARE = table_of(SummaryShareRow)
QUESTION = table_of(QuestionRow)
FEEDBACK = table_of(FeedbackRow)


def _enrollment(row: sa.Row[Any]) -> Enrollment:
    return Enrollment(
        user=UserRef.from_key(row.user),
        workspace=WorkspaceRef.from_key(row.workspace),
        track=Track(row.track),
        started_at=row.started_at,
        next_lesson=row.next_lesson,
        last_sent_at=row.last_sent_at,
        completed_at=row.completed_at,
        stopped_at=row.stopped_at,
        checks_right=row.checks_right,
        checks_answered=tuple(row.checks_answered),
    )


class SqlLearningRepository(Repository):
    """`bot.ports.LearningRepository` over SQL."""

    async def get(self, user: UserRef, track: Track) -> Enrollment | None:
        row = (
            await self._session.execute(
                sa.select(ENROLLMENT).where(
                    ENROLLMENT.c.user == user.key(), ENROLLMENT.c.track == track.value
                )
            )
        ).first()
        return None if row is None else _enrollment(row)

    async def save(self, enrollment: Enrollment) -> None:
        values = {
            "user": enrollment.user.key(),
            "workspace": enrollment.workspace.key(),
            "track": enrollment.track.value,
            "next_lesson": enrollment.next_lesson,
            "started_at": enrollment.started_at,
            "last_sent_at": enrollment.last_sent_at,
            "completed_at": enrollment.completed_at,
            "stopped_at": enrollment.stopped_at,
            "checks_right": enrollment.checks_right,
            "checks_answered": list(enrollment.checks_answered),
        }
        await self._upsert(ENROLLMENT, values, keys=["user", "track"])

    async def for_user(self, user: UserRef) -> list[Enrollment]:
        rows = await self._session.execute(
            sa.select(ENROLLMENT).where(ENROLLMENT.c.user == user.key()).order_by(ENROLLMENT.c.id)
        )
        return [_enrollment(row) for row in rows]


def _draft(row: sa.Row[Any]) -> Draft:
    return Draft(
        id=row.id,
        workspace=WorkspaceRef.from_key(row.workspace),
        asker=UserRef.from_key(row.asker),
        text=row.text,
        created_at=row.created_at,
        anonymous=row.anonymous,
        stage=row.stage,
        state=DraftState(row.state),
    )


class SqlDraftRepository(Repository):
    """`bot.ports.DraftRepository` over SQL."""

    async def add(self, draft: Draft) -> Draft:
        result = await self._session.execute(
            sa.insert(DRAFT)
            .values(
                workspace=draft.workspace.key(),
                asker=draft.asker.key(),
                text=draft.text,
                anonymous=draft.anonymous,
                stage=draft.stage,
                state=draft.state.value,
                created_at=draft.created_at,
            )
            .returning(DRAFT.c.id)
        )
        draft.id = result.scalar_one()
        return draft

    async def get(self, draft_id: int) -> Draft | None:
        row = (await self._session.execute(sa.select(DRAFT).where(DRAFT.c.id == draft_id))).first()
        return None if row is None else _draft(row)

    async def pending(self, workspace: WorkspaceRef, asker: UserRef) -> list[Draft]:
        rows = await self._session.execute(
            sa.select(DRAFT)
            .where(
                DRAFT.c.workspace == workspace.key(),
                DRAFT.c.asker == asker.key(),
                DRAFT.c.state == DraftState.PENDING.value,
            )
            .order_by(DRAFT.c.id)
        )
        return [_draft(row) for row in rows]

    async def close(self, draft_id: int, state: DraftState) -> bool:
        changed = await self._rowcount(
            sa.update(DRAFT)
            .where(DRAFT.c.id == draft_id, DRAFT.c.state == DraftState.PENDING.value)
            .values(state=state.value)
        )
        return changed == 1

    async def close_pending(
        self, workspace: WorkspaceRef, asker: UserRef, state: DraftState
    ) -> list[int]:
        result = await self._session.execute(
            sa.update(DRAFT)
            .where(
                DRAFT.c.workspace == workspace.key(),
                DRAFT.c.asker == asker.key(),
                DRAFT.c.state == DraftState.PENDING.value,
            )
            .values(state=state.value)
            .returning(DRAFT.c.id)
        )
        return sorted(result.scalars().all())

    async def count_answered(
        self, workspace: WorkspaceRef, since: datetime, until: datetime
    ) -> int:
        count = await self._session.scalar(
            sa.select(sa.func.count()).where(
                DRAFT.c.workspace == workspace.key(),
                DRAFT.c.state == DraftState.ANSWERED.value,
                DRAFT.c.created_at >= since,
                DRAFT.c.created_at < until,
            )
        )
        return int(count or 0)


def _faq(row: sa.Row[Any]) -> FaqEntry:
    return FaqEntry(
        id=row.id,
        workspace=WorkspaceRef.from_key(row.workspace),
        question_id=row.question_id,
        author=UserRef.from_key(row.author),
        question=row.question,
        answer=row.answer,
        topics=tuple(row.topics),
        state=FaqState(row.state),
        created_at=row.created_at,
        updated_at=row.updated_at,
        verified_at=row.verified_at,
    )


def _faq_values(entry: FaqEntry) -> dict[str, Any]:
    return {
        "workspace": entry.workspace.key(),
        "question_id": entry.question_id,
        "author": entry.author.key(),
        "question": entry.question,
        "answer": entry.answer,
        "topics": list(entry.topics),
        "state": entry.state.value,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "verified_at": entry.verified_at,
    }


class SqlFaqRepository(Repository):
    """`bot.ports.FaqRepository` over SQL."""

    async def add(self, entry: FaqEntry) -> FaqEntry:
        result = await self._session.execute(
            sa.insert(FAQ).values(**_faq_values(entry)).returning(FAQ.c.id)
        )
        entry.id = result.scalar_one()
        return entry

    async def _one(self, where: sa.ColumnElement[bool]) -> FaqEntry | None:
        row = (await self._session.execute(sa.select(FAQ).where(where))).first()
        return None if row is None else _faq(row)

    async def get(self, entry_id: int) -> FaqEntry | None:
        return await self._one(FAQ.c.id == entry_id)

    async def for_question(self, question_id: int) -> FaqEntry | None:
        return await self._one(FAQ.c.question_id == question_id)

    async def update(self, entry: FaqEntry) -> None:
        if entry.id is None:
            raise ValueError("cannot update an FAQ entry that was never stored")
        await self._session.execute(
            sa.update(FAQ).where(FAQ.c.id == entry.id).values(**_faq_values(entry))
        )

    async def visible(self, workspace: WorkspaceRef, *, verified_since: datetime) -> list[FaqEntry]:
        rows = await self._session.execute(
            sa.select(FAQ)
            .where(
                FAQ.c.workspace == workspace.key(),
                FAQ.c.state == FaqState.ACTIVE.value,
                FAQ.c.verified_at >= verified_since,
            )
            .order_by(FAQ.c.id.desc())
        )
        return [_faq(row) for row in rows]

    async def count_by_author(self, workspace: WorkspaceRef, author: UserRef) -> int:
        count = await self._session.scalar(
            sa.select(sa.func.count())
            .select_from(FAQ)
            .where(
                FAQ.c.workspace == workspace.key(),
                FAQ.c.author == author.key(),
                FAQ.c.state == FaqState.ACTIVE.value,
            )
        )
        return int(count or 0)


class SqlFollowUpRepository(Repository):
    """`bot.ports.FollowUpRepository` over SQL."""

    async def share(self, question_id: int, user: UserRef, at: datetime) -> bool:
        return await self._insert_once(
            SHARE,
            {"question_id": question_id, "user": user.key(), "at": at},
            conflict=["question_id", "user"],
        )

    async def shared_by(self, question_id: int) -> list[UserRef]:
        rows = await self._session.execute(
            sa.select(SHARE.c.user).where(SHARE.c.question_id == question_id).order_by(SHARE.c.id)
        )
        return [UserRef.from_key(user) for (user,) in rows]

    async def asked_topics(
        self,
        workspace: WorkspaceRef,
        asker: UserRef,
        since: datetime,
        *,
        up_to: tuple[datetime, int] | None = None,
    ) -> list[tuple[str, ...]]:
        query = sa.select(QUESTION.c.topics).where(
            QUESTION.c.asker == asker.key(),
            QUESTION.c.workspace == workspace.key(),
            QUESTION.c.created_at >= since,
            QUESTION.c.state != QuestionState.CANCELLED.value,
        )
        if up_to is not None:
            at, number = up_to  # numbers are the workspace's, as is every question here
            query = query.where(
                sa.or_(
                    QUESTION.c.created_at < at,
                    sa.and_(QUESTION.c.created_at == at, QUESTION.c.number <= number),
                )
            )
        rows = await self._session.execute(query)
        return [tuple(topics) for (topics,) in rows]

    async def mentors_met(
        self, workspace: WorkspaceRef, asker: UserRef, since: datetime, *, anonymous: bool = False
    ) -> dict[UserRef, int]:
        if anonymous:
            return await self._knew_anonymous(workspace, asker, since)
        rows = await self._session.execute(
            sa.select(QUESTION.c.mentor, sa.func.count())
            .where(
                QUESTION.c.asker == asker.key(),
                QUESTION.c.workspace == workspace.key(),
                QUESTION.c.mentor.is_not(None),
                QUESTION.c.claimed_at >= since,
                *([QUESTION.c.anonymous == sa.true()] if anonymous else []),
            )
            .group_by(QUESTION.c.mentor)
        )
        return {UserRef.from_key(mentor): int(n) for mentor, n in rows}

    async def _knew_anonymous(
        self, workspace: WorkspaceRef, asker: UserRef, since: datetime
    ) -> dict[UserRef, int]:
        """The mentors who claimed one of the asker's anonymous questions since `since`: its
        mentor now, and those who released it (`released_by`). A release clears `claimed_at`
        and keeps no date of its own; every claim sets `last_activity_at`, so a question whose
        last activity is before `since` was claimed by nobody since (else its releasers count,
        erring on the side of the asker). A mentor who handed the session over is among those
        who released it (`accept_hand_over`)."""
        # Its mentor now: claimed in the window, or a session still going on in it.
        claimed_lately = sa.or_(
            QUESTION.c.claimed_at >= since, QUESTION.c.last_activity_at >= since
        )
        rows = await self._session.execute(
            sa.select(QUESTION.c.mentor, claimed_lately, QUESTION.c.released_by).where(
                QUESTION.c.asker == asker.key(),
                QUESTION.c.workspace == workspace.key(),
                QUESTION.c.anonymous == sa.true(),
                sa.or_(
                    claimed_lately,
                    QUESTION.c.last_activity_at >= since,
                    QUESTION.c.created_at >= since,
                ),
            )
        )
        met: dict[UserRef, int] = defaultdict(int)
        for mentor, lately, released_by in rows:
            if mentor is not None and lately:
                met[UserRef.from_key(mentor)] += 1
            for released in dict.fromkeys(released_by or ()):
                if released != mentor or not lately:
                    met[UserRef.from_key(released)] += 1
        return dict(met)

    async def topic_ratings(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[tuple[str, float, int]]:
        # Topics are a JSON list per question: the few rated questions of a week are read and
        # counted here, the same on SQLite and PostgreSQL.
        rows = await self._session.execute(
            sa.select(QUESTION.c.topics, FEEDBACK.c.score)
            .join(FEEDBACK, FEEDBACK.c.question_id == QUESTION.c.id)
            .where(
                QUESTION.c.workspace == workspace.key(),
                QUESTION.c.created_at >= start,
                QUESTION.c.created_at < end,
                FEEDBACK.c.role == "asker",
                # Only a resolved session is rated now; older ratings of others don't count.
                QUESTION.c.state == QuestionState.RESOLVED.value,
            )
        )
        scores: dict[str, list[int]] = defaultdict(list)
        for topics, score in rows:
            for topic in topics:
                scores[topic].append(int(score))
        return sorted(
            ((t, sum(s) / len(s), len(s)) for t, s in scores.items()),
            key=lambda item: (item[1], -item[2], item[0]),
        )
