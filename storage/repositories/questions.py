"""Questions: storage, lookups and the conditional UPDATE that makes claims race-safe.

An update is optimistic: it writes only over the version of the row it read (and the state it
expects), and bumps the version, so two concurrent decisions on one question cannot undo each
other: the later one gets `StaleWrite` and is decided again (`MessageBus.decide`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import Question, QuestionState
from bot.ports import StaleWrite
from bot.refs import MessageRef, ThreadRef, UserRef, WorkspaceRef
from storage.repositories._base import DbSession, Repository, key_or_none, ref_or_none
from storage.repositories._numbers import next_number
from storage.tables import QuestionRow, WorkspaceRow, table_of

__all__ = ["SqlQuestionRepository"]

T = table_of(QuestionRow)
WORKSPACE = table_of(WorkspaceRow)
_FINAL = [s.value for s in QuestionState if s.is_final]


def _values(q: Question) -> dict[str, Any]:
    return {
        "workspace": q.workspace.key(),
        "asker": q.asker.key(),
        "text": q.text,
        "created_at": q.created_at,
        "anonymous": q.anonymous,
        "topics": list(q.topics),
        "state": q.state.value,
        "mentor": key_or_none(q.mentor),
        "suggested": [u.key() for u in q.suggested],
        "card": key_or_none(q.card),
        "thread": key_or_none(q.thread),
        "claimed_at": q.claimed_at,
        "resolved_at": q.resolved_at,
        "resolve_pressed_at": q.resolve_pressed_at,
        "resolved_by": key_or_none(q.resolved_by),
        "closed_at": q.closed_at,
        "timebox_ends_at": q.timebox_ends_at,
        "last_activity_at": q.last_activity_at,
        "extensions": q.extensions,
        "claims": q.claims,
        "number": q.local_number,
        "released_by": [u.key() for u in q.released_by],
        "notified": [u.key() for u in q.notified],
        "handover_to": key_or_none(q.handover_to),
        "handover_by": key_or_none(q.handover_by),
        "wanted_stage": q.wanted_stage,
        "mentor_at_work": q.mentor_at_work,
        "version": q.version,
    }


def _changeable(q: Question) -> dict[str, Any]:
    """What a handler may change: not where the card and thread are, which only the deliverer
    records (a handler that read the question before the card went out must not erase it)."""
    values = _values(q)
    del values["card"], values["thread"], values["number"], values["workspace"]
    del values["version"]  # the update's own: the one read, plus one
    return values


def _question(row: sa.Row[Any]) -> Question:
    return Question(
        id=row.id,
        workspace=WorkspaceRef.from_key(row.workspace),
        asker=UserRef.from_key(row.asker),
        text=row.text,
        created_at=row.created_at,
        anonymous=row.anonymous,
        topics=tuple(row.topics),
        state=QuestionState(row.state),
        mentor=ref_or_none(UserRef, row.mentor),
        suggested=tuple(UserRef.from_key(k) for k in row.suggested),
        card=ref_or_none(MessageRef, row.card),
        thread=ref_or_none(ThreadRef, row.thread),
        claimed_at=row.claimed_at,
        resolved_at=row.resolved_at,
        resolve_pressed_at=row.resolve_pressed_at,
        resolved_by=ref_or_none(UserRef, row.resolved_by),
        closed_at=row.closed_at,
        timebox_ends_at=row.timebox_ends_at,
        last_activity_at=row.last_activity_at,
        extensions=row.extensions,
        claims=row.claims,
        local_number=row.number,
        released_by=tuple(UserRef.from_key(k) for k in row.released_by),
        notified=tuple(UserRef.from_key(k) for k in row.notified),
        handover_to=ref_or_none(UserRef, row.handover_to),
        handover_by=ref_or_none(UserRef, row.handover_by),
        wanted_stage=row.wanted_stage,
        mentor_at_work=row.mentor_at_work,
        version=row.version,
    )


class SqlQuestionRepository(Repository):
    """`bot.ports.QuestionRepository` over SQL.

    A question this transaction wrote (added, or updated under its row lock) is read back from
    memory: the reactions to an event re-read it, and nobody else can have changed it."""

    def __init__(self, session: DbSession, dialect: str) -> None:
        super().__init__(session, dialect)
        self._written: dict[int, Question] = {}

    async def add(self, question: Question) -> Question:
        number, _ = await next_number(self._session, WORKSPACE.c.last_number, T, question.workspace)
        question.local_number = number
        question.version = 0
        result = await self._session.execute(
            sa.insert(T).values(**_values(question)).returning(T.c.id)
        )
        question.id = result.scalar_one()
        self._written[question.id] = replace(question)
        return question

    async def _one(self, where: sa.ColumnElement[bool]) -> Question | None:
        row = (await self._session.execute(sa.select(T).where(where).limit(1))).first()
        return None if row is None else _question(row)

    async def _many(self, stmt: sa.Select[Any]) -> list[Question]:
        return [_question(row) for row in await self._session.execute(stmt)]

    async def get(self, question_id: int) -> Question | None:
        known = self._written.get(question_id)
        if known is not None:
            return replace(known)
        return await self._one(T.c.id == question_id)

    async def get_many(self, question_ids: Sequence[int]) -> dict[int, Question]:
        found = {i: replace(self._written[i]) for i in question_ids if i in self._written}
        wanted = sorted({i for i in question_ids if i not in found})
        if wanted:
            for q in await self._many(sa.select(T).where(T.c.id.in_(wanted))):
                assert q.id is not None
                found[q.id] = q
        return found

    async def get_by_number(self, workspace: WorkspaceRef, number: int) -> Question | None:
        return await self._one(sa.and_(T.c.workspace == workspace.key(), T.c.number == number))

    async def get_by_card(self, card: MessageRef) -> Question | None:
        return await self._one(T.c.card == card.key())

    async def get_by_thread(self, thread: ThreadRef) -> Question | None:
        return await self._one(T.c.thread == thread.key())

    async def update(self, question: Question, *, expected_state: QuestionState) -> bool:
        """Write `question` over the row if it is still in `expected_state` at the version it
        was read at; False (nothing written) when it has left that state, `StaleWrite` when it
        is in it at another version (changed by another decision since it was read: the bus
        decides again). On success `question` carries the new version, so the decision may
        update it again."""
        if question.id is None:
            raise ValueError("cannot update a question that was never stored")
        values = _changeable(question)
        values["version"] = question.version + 1
        if question.last_activity_at is None:
            del values["last_activity_at"]
        else:
            # `touch` records activity without a version (a message in the thread must not
            # refuse the extend clicked meanwhile): never write an older time over it.
            at = sa.literal(question.last_activity_at, T.c.last_activity_at.type)
            values["last_activity_at"] = sa.case(
                (T.c.last_activity_at.is_(None), at),
                (T.c.last_activity_at < at, at),
                else_=T.c.last_activity_at,
            )
        found = await self._session.execute(
            sa.update(T)
            .where(
                T.c.id == question.id,
                T.c.state == expected_state.value,
                T.c.version == question.version,
            )
            .values(**values)
            .returning(T.c.last_activity_at)
        )
        row = found.first()
        if row is None:
            state = await self._session.scalar(sa.select(T.c.state).where(T.c.id == question.id))
            if state == expected_state.value:  # the same state, changed meanwhile: decide again
                raise StaleWrite(f"question {question.id} changed since it was read")
            return False
        question.version += 1
        question.last_activity_at = row.last_activity_at
        current = self._written.get(question.id)
        # card and thread are the deliverer's: keep what was read, not what was passed
        self._written[question.id] = replace(
            question,
            card=current.card if current else question.card,
            thread=current.thread if current else question.thread,
        )
        return True

    async def touch(self, question_id: int, at: datetime) -> None:
        self._written.pop(question_id, None)
        await self._session.execute(
            sa.update(T).where(T.c.id == question_id).values(last_activity_at=at)
        )

    async def set_card(self, question_id: int, card: MessageRef) -> None:
        self._written.pop(question_id, None)
        await self._session.execute(
            sa.update(T).where(T.c.id == question_id).values(card=card.key())
        )

    async def set_thread(self, question_id: int, thread: ThreadRef) -> None:
        self._written.pop(question_id, None)
        await self._session.execute(
            sa.update(T).where(T.c.id == question_id).values(thread=thread.key())
        )

    async def open_for(self, user: UserRef) -> list[Question]:
        key = user.key()
        return await self._many(
            sa.select(T)
            .where(sa.or_(T.c.asker == key, T.c.mentor == key), T.c.state.not_in(_FINAL))
            .order_by(T.c.created_at.desc(), T.c.id.desc())
        )

    async def with_state(
        self,
        workspace: WorkspaceRef,
        states: Sequence[QuestionState],
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Question]:
        stmt = (
            sa.select(T)
            .where(T.c.workspace == workspace.key(), T.c.state.in_([s.value for s in states]))
            .order_by(T.c.created_at, T.c.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        if offset:
            stmt = stmt.offset(offset)
        return await self._many(stmt)

    async def count_with_state(
        self, workspace: WorkspaceRef, states: Sequence[QuestionState]
    ) -> int:
        found = await self._session.execute(
            sa.select(sa.func.count())
            .select_from(T)
            .where(T.c.workspace == workspace.key(), T.c.state.in_([s.value for s in states]))
        )
        return int(found.scalar_one())

    async def created_between(
        self, workspace: WorkspaceRef, start: datetime | None, end: datetime | None
    ) -> list[Question]:
        stmt = sa.select(T).where(T.c.workspace == workspace.key())
        if start is not None:
            stmt = stmt.where(T.c.created_at >= start)
        if end is not None:
            stmt = stmt.where(T.c.created_at < end)
        return await self._many(stmt.order_by(T.c.created_at, T.c.id))

    async def resolved(
        self, workspace: WorkspaceRef, *, limit: int | None = None
    ) -> list[Question]:
        stmt = (
            sa.select(T)
            .where(T.c.workspace == workspace.key(), T.c.state == QuestionState.RESOLVED.value)
            .order_by(T.c.resolved_at.desc(), T.c.id.desc())
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        return await self._many(stmt)

    async def resolved_texts(
        self, workspace: WorkspaceRef, *, after: int = 0, limit: int | None = None
    ) -> list[tuple[int, str, tuple[str, ...]]]:
        rows = await self._session.execute(
            sa.select(T.c.id, T.c.text, T.c.topics)
            .where(
                T.c.workspace == workspace.key(),
                T.c.state == QuestionState.RESOLVED.value,
                T.c.id > after,
            )
            .order_by(T.c.id)
            .limit(limit)
        )
        return [(qid, text, tuple(topics)) for qid, text, topics in rows]

    async def recent_claim_waits(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> list[float]:
        rows = await self._session.execute(
            # The digest's and stats' definition: questions asked since `since` that were
            # claimed, from asking to claim.
            sa.select(T.c.created_at, T.c.claimed_at)
            .where(
                T.c.workspace == workspace.key(),
                T.c.created_at >= since,
                T.c.claimed_at.is_not(None),
            )
            .order_by(T.c.created_at.desc())
            .limit(limit)
        )
        return [(claimed - created).total_seconds() / 60 for created, claimed in rows]

    async def mentor_load(
        self, workspace: WorkspaceRef, since: datetime
    ) -> dict[UserRef, tuple[int, int]]:
        # Two index-backed queries instead of a scan of the workspace's whole history:
        # sessions open now (workspace, state) and claims since `since` (workspace, claimed_at).
        load: dict[UserRef, tuple[int, int]] = {}
        open_rows = await self._session.execute(
            sa.select(T.c.mentor, sa.func.count())
            .where(
                T.c.workspace == workspace.key(),
                T.c.state == QuestionState.CLAIMED.value,
                T.c.mentor.is_not(None),
            )
            .group_by(T.c.mentor)
        )
        for mentor, n in open_rows:
            load[UserRef.from_key(mentor)] = (int(n), 0)
        recent_rows = await self._session.execute(
            sa.select(T.c.mentor, sa.func.count())
            .where(
                T.c.workspace == workspace.key(),
                T.c.claimed_at >= since,
                T.c.mentor.is_not(None),
            )
            .group_by(T.c.mentor)
        )
        for mentor, n in recent_rows:
            ref = UserRef.from_key(mentor)
            load[ref] = (load.get(ref, (0, 0))[0], int(n))
        return load
