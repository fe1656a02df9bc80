"""Lightning sessions and their sign-ups: proposals, schedules, RSVPs and ratings."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from bot.domain import Question, QuestionState
from bot.lightning.model import HeldSession, Lightning, LightningState, Rsvp
from bot.refs import MessageRef, UserRef, WorkspaceRef
from storage.repositories._base import Repository, key_or_none, ref_or_none
from storage.repositories._numbers import next_number
from storage.repositories.questions import _question
from storage.tables import (
    LightningRow,
    LightningRsvpRow,
    PersonRow,
    QuestionRow,
    WorkspaceRow,
    table_of,
)

__all__ = ["SqlLightningRepository", "like_json_element"]

T = table_of(LightningRow)
RSVP = table_of(LightningRsvpRow)
PERSON = table_of(PersonRow)
QUESTION = table_of(QuestionRow)
WORKSPACE = table_of(WorkspaceRow)
_LONGEST = timedelta(hours=2)  # [lightning] minutes is at most 120


def _users(keys: Sequence[str]) -> tuple[UserRef, ...]:
    return tuple(UserRef.from_key(k) for k in keys)


def _session(row: sa.Row[Any]) -> Lightning:
    return Lightning(
        id=row.id,
        workspace=WorkspaceRef.from_key(row.workspace),
        topic=row.topic,
        state=LightningState(row.state),
        minutes=row.minutes,
        title=row.title,
        speaker=ref_or_none(UserRef, row.speaker),
        proposed_by=ref_or_none(UserRef, row.proposed_by),
        starts_at=row.starts_at,
        question_ids=tuple(row.question_ids),
        invited=_users(row.invited),
        declined=_users(row.declined),
        demand_period=row.demand_period,
        card=ref_or_none(MessageRef, row.card),
        created_at=row.created_at,
        held_at=row.held_at,
        rewarded_at=row.rewarded_at,
        local_number=row.number,
    )


def _values(s: Lightning) -> dict[str, Any]:
    return {
        "workspace": s.workspace.key(),
        "topic": s.topic,
        "state": s.state.value,
        "minutes": s.minutes,
        "title": s.title,
        "speaker": key_or_none(s.speaker),
        "proposed_by": key_or_none(s.proposed_by),
        "starts_at": s.starts_at,
        "question_ids": list(s.question_ids),
        "invited": [u.key() for u in s.invited],
        "declined": [u.key() for u in s.declined],
        "demand_period": s.demand_period,
        "created_at": s.created_at,
        "held_at": s.held_at,
        "rewarded_at": s.rewarded_at,
    }


def _rsvp(row: sa.Row[Any]) -> Rsvp:
    return Rsvp(
        lightning_id=row.lightning_id,
        user=UserRef.from_key(row.user),
        at=row.at,
        score=row.score,
        rated_at=row.rated_at,
    )


def like_json_element(column: sa.ColumnElement[Any], value: str) -> sa.ColumnElement[bool]:
    """Whether a JSON list of strings holds `value`, on SQLite and PostgreSQL alike: its text
    contains the element as json.dumps writes it (the way SQLAlchemy stored it)."""
    needle = json.dumps(value).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return sa.cast(column, sa.Text).like(f"%{needle}%", escape="\\")


class SqlLightningRepository(Repository):
    """`bot.ports.LightningRepository` over SQL."""

    async def add(self, session: Lightning) -> Lightning | None:
        number, counted = await next_number(
            self._session, WORKSPACE.c.last_lightning_number, T, session.workspace
        )
        values = {**_values(session), "number": number}
        if session.demand_period is None:
            result = await self._session.execute(sa.insert(T).values(**values).returning(T.c.id))
            session.id = result.scalar_one()
            session.local_number = number
            return session
        stmt = (
            self._insert(T)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["workspace", "topic", "demand_period"])
            .returning(T.c.id)
        )
        found = (await self._session.execute(stmt)).first()
        if found is None:
            if counted:
                # Proposed already: give the number back (this transaction holds the counter's
                # row, so nobody took a later one), or the numbers shown would skip one.
                await self._session.execute(
                    sa.update(WORKSPACE)
                    .where(
                        WORKSPACE.c.key == session.workspace.key(),
                        WORKSPACE.c.last_lightning_number == number,
                    )
                    .values(last_lightning_number=number - 1)
                )
            return None
        session.id = found[0]
        session.local_number = number
        return session

    async def get(self, lightning_id: int) -> Lightning | None:
        row = (await self._session.execute(sa.select(T).where(T.c.id == lightning_id))).first()
        return None if row is None else _session(row)

    async def get_by_number(self, workspace: WorkspaceRef, number: int) -> Lightning | None:
        row = (
            await self._session.execute(
                sa.select(T).where(T.c.workspace == workspace.key(), T.c.number == number)
            )
        ).first()
        return None if row is None else _session(row)

    async def save(self, session: Lightning, *, expected_state: LightningState) -> bool:
        assert session.id is not None
        changed = await self._rowcount(
            sa.update(T)
            .where(T.c.id == session.id, T.c.state == expected_state.value)
            .values(**_values(session))
        )
        return changed == 1

    async def mark_rewarded(self, lightning_id: int, at: datetime) -> bool:
        changed = await self._rowcount(
            sa.update(T)
            .where(T.c.id == lightning_id, T.c.rewarded_at.is_(None))
            .values(rewarded_at=at)
        )
        return changed == 1

    async def set_card(self, lightning_id: int, card: MessageRef) -> None:
        await self._session.execute(
            sa.update(T).where(T.c.id == lightning_id).values(card=card.key())
        )

    async def proposed_since(self, workspace: WorkspaceRef, topic: str, since: datetime) -> bool:
        found = await self._session.scalar(
            sa.select(T.c.id)
            .where(T.c.workspace == workspace.key(), T.c.topic == topic, T.c.created_at >= since)
            .limit(1)
        )
        return found is not None

    async def topic_demand(
        self, workspace: WorkspaceRef, topic: str, since: datetime, *, at_least: int = 0
    ) -> list[Question]:
        on_topic = (
            QUESTION.c.workspace == workspace.key(),
            QUESTION.c.created_at >= since,
            QUESTION.c.state != QuestionState.CANCELLED.value,
            like_json_element(QUESTION.c.topics, topic),
        )
        if at_least > 1:
            counted = await self._session.scalar(
                sa.select(sa.func.count()).select_from(QUESTION).where(*on_topic)
            )
            if (counted or 0) < at_least:
                return []
        rows = await self._session.execute(
            sa.select(QUESTION).where(*on_topic).order_by(QUESTION.c.created_at, QUESTION.c.id)
        )
        return [_question(row) for row in rows]

    async def upcoming(self, workspace: WorkspaceRef, now: datetime) -> list[Lightning]:
        # A session lasts at most _LONGEST; the ones still running are kept by their end.
        rows = await self._session.execute(
            sa.select(T)
            .where(
                T.c.workspace == workspace.key(),
                T.c.state == LightningState.SCHEDULED.value,
                T.c.starts_at >= now - _LONGEST,
            )
            .order_by(T.c.starts_at, T.c.id)
        )
        found = [_session(row) for row in rows]
        return [s for s in found if s.ends_at is not None and s.ends_at > now]

    async def waiting_for_speaker(
        self, workspace: WorkspaceRef, since: datetime
    ) -> list[Lightning]:
        rows = await self._session.execute(
            sa.select(T)
            .where(
                T.c.workspace == workspace.key(),
                T.c.state == LightningState.PROPOSED.value,
                T.c.created_at >= since,
            )
            .order_by(T.c.created_at, T.c.id)
        )
        return [_session(row) for row in rows]

    async def given_by(self, speaker: UserRef) -> int:
        count = await self._session.scalar(
            sa.select(sa.func.count())
            .select_from(T)
            .where(T.c.speaker == speaker.key(), T.c.rewarded_at.is_not(None))
        )
        return int(count or 0)

    async def add_rsvp(self, rsvp: Rsvp) -> bool:
        values = {"lightning_id": rsvp.lightning_id, "user": rsvp.user.key(), "at": rsvp.at}
        return await self._insert_once(RSVP, values, conflict=["lightning_id", "user"])

    async def remove_rsvp(self, lightning_id: int, user: UserRef) -> bool:
        removed = await self._rowcount(
            sa.delete(RSVP).where(RSVP.c.lightning_id == lightning_id, RSVP.c.user == user.key())
        )
        return removed == 1

    async def rsvps(self, lightning_id: int) -> list[Rsvp]:
        rows = await self._session.execute(
            sa.select(RSVP)
            .where(RSVP.c.lightning_id == lightning_id)
            .order_by(RSVP.c.at, RSVP.c.id)
        )
        return [_rsvp(row) for row in rows]

    async def rsvps_for(self, lightning_ids: Sequence[int]) -> dict[int, list[Rsvp]]:
        found: dict[int, list[Rsvp]] = {i: [] for i in lightning_ids}
        if not found:
            return found
        rows = await self._session.execute(
            sa.select(RSVP)
            .where(RSVP.c.lightning_id.in_(list(found)))
            .order_by(RSVP.c.at, RSVP.c.id)
        )
        for row in rows:
            rsvp = _rsvp(row)
            found[rsvp.lightning_id].append(rsvp)
        return found

    async def rate(self, lightning_id: int, user: UserRef, score: int, at: datetime) -> bool:
        changed = await self._rowcount(
            sa.update(RSVP)
            .where(
                RSVP.c.lightning_id == lightning_id,
                RSVP.c.user == user.key(),
                RSVP.c.score.is_(None),
            )
            .values(score=score, rated_at=at)
        )
        return changed == 1

    async def held_between(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[HeldSession]:
        rows = await self._session.execute(
            sa.select(T)
            .where(
                T.c.workspace == workspace.key(),
                T.c.state == LightningState.HELD.value,
                T.c.held_at >= start,
                T.c.held_at < end,
            )
            .order_by(T.c.held_at, T.c.id)
        )
        sessions = [_session(row) for row in rows]
        if not sessions:
            return []
        # A forgotten person's sign-up stays under a tombstone with no person behind it: nobody
        # attended (as the card counts it); its rating, a figure, still counts.
        signed = await self._session.execute(
            sa.select(RSVP.c.lightning_id, RSVP.c.score, PERSON.c.key.is_not(None))
            .select_from(RSVP.outerjoin(PERSON, PERSON.c.key == RSVP.c.user))
            .where(RSVP.c.lightning_id.in_([s.stored_id for s in sessions]))
        )
        attendees: dict[int, int] = {}
        scores: dict[int, list[int]] = {}
        for lightning_id, score, known in signed:
            if known:
                attendees[lightning_id] = attendees.get(lightning_id, 0) + 1
            if score is not None:
                scores.setdefault(lightning_id, []).append(score)
        return [
            HeldSession(s, attendees.get(s.stored_id, 0), tuple(scores.get(s.stored_id, ())))
            for s in sessions
        ]
