"""Recognition records: kudos, badges, and what streaks need (helped sessions, pauses, notes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import QuestionState
from bot.recognition.model import EarnedBadge, HelpedSession, Kudos, PausePeriod
from bot.refs import MessageRef, UserRef, WorkspaceRef
from storage.repositories._base import Repository, ref_or_none
from storage.tables import (
    BadgeRow,
    FeedbackRow,
    KudosRow,
    MentorPauseRow,
    QuestionRow,
    RecognitionNoteRow,
    table_of,
)

__all__ = ["SqlBadgeRepository", "SqlKudosRepository", "SqlStreakRepository"]

KUDOS = table_of(KudosRow)
BADGE = table_of(BadgeRow)
PAUSE = table_of(MentorPauseRow)
NOTE = table_of(RecognitionNoteRow)
QUESTION = table_of(QuestionRow)
FEEDBACK = table_of(FeedbackRow)


def _kudos(row: sa.Row[Any]) -> Kudos:
    return Kudos(
        workspace=WorkspaceRef.from_key(row.workspace),
        giver=UserRef.from_key(row.giver),
        receiver=UserRef.from_key(row.receiver),
        text=row.text,
        at=row.at,
        private=row.private,
        id=row.id,
        card=ref_or_none(MessageRef, row.card),
    )


class SqlKudosRepository(Repository):
    """`bot.ports.KudosRepository` over SQL."""

    async def add(self, kudos: Kudos) -> int:
        added = await self._session.execute(
            sa.insert(KUDOS)
            .values(
                workspace=kudos.workspace.key(),
                giver=kudos.giver.key(),
                receiver=kudos.receiver.key(),
                text=kudos.text,
                private=kudos.private,
                at=kudos.at,
            )
            .returning(KUDOS.c.id)
        )
        return int(added.scalar_one())

    async def get(self, kudos_id: int) -> Kudos | None:
        row = (await self._session.execute(sa.select(KUDOS).where(KUDOS.c.id == kudos_id))).first()
        return None if row is None else _kudos(row)

    async def set_card(self, kudos_id: int, card: MessageRef) -> None:
        await self._session.execute(
            sa.update(KUDOS).where(KUDOS.c.id == kudos_id).values(card=card.key())
        )

    async def given_since(
        self, giver: UserRef, since: datetime, workspace: WorkspaceRef
    ) -> list[Kudos]:
        rows = await self._session.execute(
            sa.select(KUDOS)
            .where(
                KUDOS.c.giver == giver.key(),
                KUDOS.c.at >= since,
                KUDOS.c.workspace == workspace.key(),
            )
            .order_by(KUDOS.c.at, KUDOS.c.id)
        )
        return [_kudos(row) for row in rows]

    async def count_between(self, workspace: WorkspaceRef, start: datetime, end: datetime) -> int:
        count = await self._session.scalar(
            sa.select(sa.func.count())
            .select_from(KUDOS)
            .where(KUDOS.c.workspace == workspace.key(), KUDOS.c.at >= start, KUDOS.c.at < end)
        )
        return int(count or 0)


def _badge(row: sa.Row[Any]) -> EarnedBadge:
    return EarnedBadge(
        workspace=WorkspaceRef.from_key(row.workspace),
        user=UserRef.from_key(row.user),
        badge=row.badge,
        earned_at=row.earned_at,
        announced_at=row.announced_at,
    )


class SqlBadgeRepository(Repository):
    """`bot.ports.BadgeRepository` over SQL."""

    async def add(self, badge: EarnedBadge) -> bool:
        values = {
            "workspace": badge.workspace.key(),
            "user": badge.user.key(),
            "badge": badge.badge,
            "earned_at": badge.earned_at,
            "announced_at": badge.announced_at,
        }
        return await self._insert_once(BADGE, values, conflict=["user", "badge"])

    async def of(self, user: UserRef) -> list[EarnedBadge]:
        rows = await self._session.execute(
            sa.select(BADGE)
            .where(BADGE.c.user == user.key())
            .order_by(BADGE.c.earned_at, BADGE.c.id)
        )
        return [_badge(row) for row in rows]

    async def announce(self, user: UserRef, at: datetime) -> list[EarnedBadge]:
        pending = BADGE.c.user == user.key(), BADGE.c.announced_at.is_(None)
        rows = await self._session.execute(
            sa.select(BADGE).where(*pending).order_by(BADGE.c.earned_at, BADGE.c.id)
        )
        found = [_badge(row) for row in rows]
        if found:
            await self._session.execute(sa.update(BADGE).where(*pending).values(announced_at=at))
        return [
            EarnedBadge(b.workspace, b.user, b.badge, b.earned_at, announced_at=at) for b in found
        ]

    async def last_announced(self, user: UserRef) -> datetime | None:
        row = (
            await self._session.execute(
                sa.select(BADGE.c.announced_at)
                .where(BADGE.c.user == user.key(), BADGE.c.announced_at.is_not(None))
                .order_by(BADGE.c.announced_at.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else row[0]

    async def earned_between(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[EarnedBadge]:
        rows = await self._session.execute(
            sa.select(BADGE)
            .where(
                BADGE.c.workspace == workspace.key(),
                BADGE.c.earned_at >= start,
                BADGE.c.earned_at < end,
            )
            .order_by(BADGE.c.earned_at, BADGE.c.id)
        )
        return [_badge(row) for row in rows]


class SqlStreakRepository(Repository):
    """`bot.ports.StreakRepository` over SQL."""

    async def sessions_of(self, mentor: UserRef, *, since: datetime | None) -> list[HelpedSession]:
        q = QUESTION
        # The asker's rating (one per question: the asker rates once, and may correct it).
        rated = FEEDBACK.c.question_id == q.c.id
        rated &= FEEDBACK.c.role == "asker"
        rated &= FEEDBACK.c.rater == q.c.asker
        stmt = (
            sa.select(q.c.id, q.c.resolved_at, q.c.asker, q.c.resolved_by, FEEDBACK.c.score)
            .select_from(q.outerjoin(FEEDBACK, rated))
            .where(
                q.c.mentor == mentor.key(),
                q.c.state == QuestionState.RESOLVED.value,
                q.c.resolved_at.is_not(None),
            )
        )
        if since is not None:
            stmt = stmt.where(q.c.resolved_at >= since)
        rows = await self._session.execute(stmt.order_by(q.c.resolved_at, q.c.id))
        return [
            HelpedSession(
                qid,
                at,
                UserRef.from_key(asker),
                by_mentor=resolved_by == mentor.key(),
                asker_score=score,
            )
            for qid, at, asker, resolved_by, score in rows
        ]

    async def add_pause(self, pause: PausePeriod) -> None:
        await self._session.execute(
            sa.insert(PAUSE).values(
                user=pause.user.key(),
                start=pause.start,
                end=pause.end,
                workspace=pause.workspace.key() if pause.workspace is not None else None,
            )
        )

    async def end_pauses(self, user: UserRef, at: datetime, *, workspace: WorkspaceRef) -> None:
        here = sa.or_(PAUSE.c.workspace == workspace.key(), PAUSE.c.workspace.is_(None))
        await self._session.execute(
            sa.update(PAUSE)
            .where(PAUSE.c.user == user.key(), PAUSE.c.end > at, here)
            .values(end=at)
        )

    async def pauses(self, user: UserRef, *, since: datetime) -> list[PausePeriod]:
        rows = await self._session.execute(
            sa.select(PAUSE.c.start, PAUSE.c.end, PAUSE.c.workspace)
            .where(PAUSE.c.user == user.key(), PAUSE.c.end > since)
            .order_by(PAUSE.c.start, PAUSE.c.id)
        )
        return [
            PausePeriod(user, start, end, WorkspaceRef.from_key(ws) if ws else None)
            for start, end, ws in rows
        ]

    async def last_note(self, user: UserRef, kind: str) -> datetime | None:
        row = (
            await self._session.execute(
                sa.select(NOTE.c.at)
                .where(NOTE.c.user == user.key(), NOTE.c.kind == kind)
                .order_by(NOTE.c.at.desc())
                .limit(1)
            )
        ).first()
        return None if row is None else row[0]

    async def add_note(self, user: UserRef, kind: str, at: datetime) -> None:
        await self._session.execute(sa.insert(NOTE).values(user=user.key(), kind=kind, at=at))
