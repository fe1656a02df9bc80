"""In-memory fakes of the core's ports: a unit of work with every repository, and a chat gateway.

`FakeDatabase` holds committed rows; each `FakeUnitOfWork` reads them (read committed, plus its
own uncommitted writes) and writes them back only on commit, like the SQL unit of work. Rows an
open unit of work has changed are locked until it ends, so a conditional update waits for the
other transaction and then re-checks the committed row: of any number of concurrent claims
exactly one wins, as on PostgreSQL. `FakeChat` records every call and can be told to fail.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from types import TracebackType
from typing import Any, Self, TypeVar

from bot import ports
from bot.digest.figures import WeekTally, tally_questions
from bot.domain import (
    Feedback,
    MentorProfile,
    Nudge,
    NudgeKind,
    NudgeState,
    Person,
    PointsEntry,
    Question,
    QuestionState,
    Workspace,
)
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Delivery, OutboxItem
from bot.learning.model import (
    Draft,
    DraftState,
    Enrollment,
    FaqEntry,
    FaqState,
    Track,
    neutral_faq_question,
)
from bot.lightning.model import HeldSession, Lightning, LightningState, Rsvp
from bot.matching.learned import Lesson
from bot.privacy.model import AuditEntry, DashboardGrant, PastCards, PersonData, is_tombstone
from bot.recognition.model import EarnedBadge, HelpedSession, Kudos, PausePeriod
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef, WorkspaceRef
from tests.unit.fake_chat import ChatCall, ChatFailure, FakeChat

__all__ = [
    "ChatCall",
    "ChatFailure",
    "FakeChat",
    "FakeDatabase",
    "FakeUnitOfWork",
    "NotMyArea",
]

TABLES = (
    "audit",
    "left",
    "grants",
    "questions",
    "people",
    "admins",
    "mentors",
    "feedback",
    "points",
    "nudges",
    "not_my_area",
    "topic_choices",
    "inbox",
    "outbox",
    "workspaces",
    "unusable_channels",
    "digests",
    "rate_events",
    "lightning",
    "rsvps",
    "kudos",
    "badges",
    "pauses",
    "notes",
    "learning",
    "drafts",
    "faq",
    "shares",
)
_DELETED = object()
R = TypeVar("R")
LOCK_TIMEOUT = 2.0  # a fake lock held this long means a deadlock in the code under test


@dataclass(frozen=True, slots=True)
class NotMyArea:
    mentor: UserRef
    question_id: int
    topics: tuple[str, ...]
    at: datetime


@dataclass
class FakeDatabase:
    """The committed rows, table by table (key -> row), and the row locks of open transactions."""

    tables: dict[str, dict[Any, Any]] = field(default_factory=lambda: {t: {} for t in TABLES})
    commits: int = 0
    rollbacks: int = 0
    _ids: dict[str, Iterator[int]] = field(default_factory=dict)
    _locks: dict[tuple[str, Any], FakeUnitOfWork] = field(default_factory=dict)

    def next_id(self, table: str) -> int:
        """Sequences are not transactional, as in SQL."""
        return next(self._ids.setdefault(table, itertools.count(1)))

    def uow_factory(self) -> Callable[..., FakeUnitOfWork]:
        def factory(*, read_only: bool = False, urgent: bool = False) -> FakeUnitOfWork:
            return FakeUnitOfWork(self)

        return factory

    def question(self, question_id: int) -> Question:
        """A committed question (a copy)."""
        found: Question = self.tables["questions"][question_id]
        return _copy(found)

    def rows(self, table: str) -> list[Any]:
        return [copy.deepcopy(v) for v in self.tables[table].values()]

    def snapshot(self) -> dict[str, dict[Any, Any]]:
        return copy.deepcopy(self.tables)


class FakeUnitOfWork:
    """`bot.ports.UnitOfWork` in memory; leaving ``async with`` uncommitted rolls back."""

    def __init__(self, db: FakeDatabase) -> None:
        self.db = db
        self._writes: dict[str, dict[Any, Any]] = {}
        self._released = asyncio.Event()
        self._open = False
        self.questions: ports.QuestionRepository = FakeQuestionRepository(self)
        self.people: ports.PersonRepository = FakePersonRepository(self)
        self.mentors: ports.MentorRepository = FakeMentorRepository(self)
        self.feedback: ports.FeedbackRepository = FakeFeedbackRepository(self)
        self.points: ports.PointsRepository = FakePointsRepository(self)
        self.nudges: ports.NudgeRepository = FakeNudgeRepository(self)
        self.not_my_area: ports.NotMyAreaRepository = FakeNotMyAreaRepository(self)
        self.topic_choices: ports.TopicChoiceRepository = FakeTopicChoiceRepository(self)
        self.inbox: ports.InboxRepository = FakeInboxRepository(self)
        self.outbox: ports.OutboxRepository = FakeOutboxRepository(self)
        self.workspaces: ports.WorkspaceRepository = FakeWorkspaceRepository(self)
        self.digests: ports.DigestRunRepository = FakeDigestRunRepository(self)
        self.rate_events: ports.RateEventRepository = FakeRateEventRepository(self)
        self.lightning: ports.LightningRepository = FakeLightningRepository(self)
        self.kudos: ports.KudosRepository = FakeKudosRepository(self)
        self.badges: ports.BadgeRepository = FakeBadgeRepository(self)
        self.streaks: ports.StreakRepository = FakeStreakRepository(self)
        self.learning: ports.LearningRepository = FakeLearningRepository(self)
        self.drafts: ports.DraftRepository = FakeDraftRepository(self)
        self.faq: ports.FaqRepository = FakeFaqRepository(self)
        self.followups: ports.FollowUpRepository = FakeFollowUpRepository(self)
        self.audit: ports.AuditRepository = FakeAuditRepository(self)
        self.privacy: ports.PrivacyRepository = FakePrivacyRepository(self)

    async def __aenter__(self) -> Self:
        if self._open:
            raise RuntimeError("this unit of work is already open")
        self._open = True
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.rollback()
        self._open = False

    async def commit(self) -> None:
        self._require_open()
        for table, rows in self._writes.items():
            for key, value in rows.items():
                if value is _DELETED:
                    self.db.tables[table].pop(key, None)
                else:
                    self.db.tables[table][key] = value
        if self._writes:
            self.db.commits += 1
        self._writes = {}
        self._unlock()

    def in_transaction(self) -> bool:
        return bool(self._writes)

    async def rollback(self) -> None:
        if self._writes:
            self.db.rollbacks += 1
        self._writes = {}
        self._unlock()

    # -- what the repositories use -----------------------------------------------------------

    def _require_open(self) -> None:
        if not self._open:
            raise RuntimeError("use the unit of work inside `async with`")

    def rows(self, table: str) -> dict[Any, Any]:
        """Committed rows with this transaction's own writes on top (not copies: read only)."""
        self._require_open()
        merged = dict(self.db.tables[table])
        for key, value in self._writes.get(table, {}).items():
            if value is _DELETED:
                merged.pop(key, None)
            else:
                merged[key] = value
        return merged

    def get(self, table: str, key: Any) -> Any:
        return self.rows(table).get(key)

    def put(self, table: str, key: Any, value: Any) -> None:
        self._require_open()
        self._writes.setdefault(table, {})[key] = (
            value if value is _DELETED else copy.deepcopy(value)
        )

    async def lock(self, table: str, key: Any) -> None:
        """Take the row lock, waiting for another open transaction that holds it."""
        while (holder := self.db._locks.get((table, key))) not in (None, self):
            assert holder is not None
            try:
                await asyncio.wait_for(holder._released.wait(), LOCK_TIMEOUT)
            except TimeoutError:
                raise RuntimeError(f"fake row lock on {table}[{key!r}] never released") from None
        self.db._locks[(table, key)] = self

    def locked_by_other(self, table: str, key: Any) -> bool:
        return self.db._locks.get((table, key)) not in (None, self)

    def _unlock(self) -> None:
        for k in [k for k, holder in self.db._locks.items() if holder is self]:
            del self.db._locks[k]
        self._released.set()
        self._released = asyncio.Event()


def _copy(value: R) -> R:
    return copy.deepcopy(value)


class _Repository:
    table = ""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self._uow = uow

    def _rows(self) -> dict[Any, Any]:
        return self._uow.rows(self.table)


class FakeQuestionRepository(_Repository):
    table = "questions"

    async def add(self, question: Question) -> Question:
        await self._uow.lock("workspaces", question.workspace)  # the counter's row
        question.id = self._uow.db.next_id(self.table)
        question.local_number = 1 + max(
            (q.number for q in self._rows().values() if q.workspace == question.workspace),
            default=0,
        )
        question.version = 0
        self._uow.put(self.table, question.id, question)
        await self._uow.lock(self.table, question.id)
        return question

    async def get(self, question_id: int) -> Question | None:
        return _copy(self._rows().get(question_id))

    async def get_many(self, question_ids: Sequence[int]) -> dict[int, Question]:
        rows = self._rows()
        return {i: q for i in question_ids if (q := _copy(rows.get(i))) is not None}

    async def get_by_number(self, workspace: WorkspaceRef, number: int) -> Question | None:
        return await self._first(lambda q: q.workspace == workspace and q.number == number)

    async def _first(self, match: Callable[[Question], bool]) -> Question | None:
        return _copy(next((q for q in self._rows().values() if match(q)), None))

    async def get_by_card(self, card: MessageRef) -> Question | None:
        return await self._first(lambda q: q.card == card)

    async def get_by_thread(self, thread: ThreadRef) -> Question | None:
        return await self._first(lambda q: q.thread == thread)

    async def update(self, question: Question, *, expected_state: QuestionState) -> bool:
        if question.id is None:
            raise ValueError("cannot update a question that was never stored")
        await self._uow.lock(self.table, question.id)
        current = self._rows().get(question.id)
        if current is None or current.state is not expected_state:
            return False
        if current.version != question.version:
            raise ports.StaleWrite(f"question {question.id} changed since it was read")
        question.version += 1
        # Activity recorded by `touch` (no version) is never set back, as in SQL.
        if current.last_activity_at is not None and (
            question.last_activity_at is None
            or question.last_activity_at < current.last_activity_at
        ):
            question.last_activity_at = current.last_activity_at
        # Where the card and thread are is the deliverer's to record, as in SQL.
        self._uow.put(
            self.table, question.id, replace(question, card=current.card, thread=current.thread)
        )
        return True

    async def touch(self, question_id: int, at: datetime) -> None:
        await self._set(question_id, last_activity_at=at)

    async def _set(self, question_id: int, **changes: Any) -> None:
        await self._uow.lock(self.table, question_id)
        current = self._rows().get(question_id)
        if current is not None:
            self._uow.put(self.table, question_id, replace(current, **changes))

    async def set_card(self, question_id: int, card: MessageRef) -> None:
        await self._set(question_id, card=card)

    async def set_thread(self, question_id: int, thread: ThreadRef) -> None:
        await self._set(question_id, thread=thread)

    def _sorted(self, match: Callable[[Question], bool], *, newest: bool = False) -> list[Question]:
        found = sorted(
            (q for q in self._rows().values() if match(q)), key=lambda q: (q.created_at, q.id)
        )
        return _copy(found[::-1] if newest else found)

    async def open_for(self, user: UserRef) -> list[Question]:
        return self._sorted(
            lambda q: user in (q.asker, q.mentor) and not q.state.is_final, newest=True
        )

    async def with_state(
        self,
        workspace: WorkspaceRef,
        states: Sequence[QuestionState],
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[Question]:
        found = self._sorted(lambda q: q.workspace == workspace and q.state in states)
        return found[offset:] if limit is None else found[offset : offset + limit]

    async def count_with_state(
        self, workspace: WorkspaceRef, states: Sequence[QuestionState]
    ) -> int:
        return len(await self.with_state(workspace, states))

    async def created_between(
        self, workspace: WorkspaceRef, start: datetime | None, end: datetime | None
    ) -> list[Question]:
        return self._sorted(
            lambda q: (
                q.workspace == workspace
                and (start is None or q.created_at >= start)
                and (end is None or q.created_at < end)
            )
        )

    async def resolved(
        self, workspace: WorkspaceRef, *, limit: int | None = None
    ) -> list[Question]:
        found = [
            q
            for q in self._rows().values()
            if q.workspace == workspace and q.state is QuestionState.RESOLVED
        ]
        found.sort(key=lambda q: (q.resolved_at, q.id), reverse=True)
        return _copy(found[:limit] if limit is not None else found)

    async def resolved_texts(
        self, workspace: WorkspaceRef, *, after: int = 0, limit: int | None = None
    ) -> list[tuple[int, str, tuple[str, ...]]]:
        found = sorted(
            (q.number, q.text, q.topics)
            for q in self._rows().values()
            if q.workspace == workspace and q.state is QuestionState.RESOLVED and q.number > after
        )
        return found[:limit] if limit is not None else found

    async def recent_claim_waits(
        self, workspace: WorkspaceRef, *, since: datetime, limit: int
    ) -> list[float]:
        claimed = sorted(
            (
                q
                for q in self._rows().values()
                if q.workspace == workspace and q.claimed_at is not None and q.created_at >= since
            ),
            key=lambda q: q.created_at,
            reverse=True,
        )[:limit]
        return [
            (q.claimed_at - q.created_at).total_seconds() / 60
            for q in claimed
            if q.claimed_at is not None
        ]

    async def mentor_load(
        self, workspace: WorkspaceRef, since: datetime
    ) -> dict[UserRef, tuple[int, int]]:
        load: dict[UserRef, tuple[int, int]] = {}
        for q in self._rows().values():
            if q.workspace != workspace or q.mentor is None:
                continue
            n_open, n_recent = load.get(q.mentor, (0, 0))
            load[q.mentor] = (
                n_open + (q.state is QuestionState.CLAIMED),
                n_recent + (q.claimed_at is not None and q.claimed_at >= since),
            )
        return {ref: counts for ref, counts in load.items() if any(counts)}


class FakePersonRepository(_Repository):
    table = "people"

    def _with_left(self, person: Person) -> Person:
        # `left_at` lives in the privacy repository's table, as the column the SQL one reads.
        return replace(person, left_at=self._uow.rows("left").get(person.ref))

    async def get(self, ref: UserRef) -> Person | None:
        found = self._rows().get(ref)
        return None if found is None else self._with_left(_copy(found))

    async def get_many(self, refs: Sequence[UserRef]) -> dict[UserRef, Person]:
        rows = self._rows()
        return {r: self._with_left(_copy(rows[r])) for r in refs if r in rows}

    async def upsert(self, person: Person) -> None:
        await self._uow.lock(self.table, person.ref)
        # Saving a person never changes `left_at` (as the SQL upsert leaves the column alone).
        self._uow.put(self.table, person.ref, replace(person, left_at=None))

    async def admin_of(self, ref: UserRef) -> set[WorkspaceRef]:
        # Keyed by (person, workspace), as the SQL `workspace_admin`: a row while they are one.
        return {ws for (user, ws) in self._uow.rows("admins") if user == ref}

    async def set_admin(self, ref: UserRef, workspace: WorkspaceRef, admin: bool) -> None:
        key = (ref, workspace)
        await self._uow.lock("admins", key)
        if admin:
            self._uow.put("admins", key, True)
        elif key in self._uow.rows("admins"):
            self._uow.put("admins", key, _DELETED)

    async def seen_in(
        self, workspace: WorkspaceRef, query: str, *, limit: int, offset: int = 0
    ) -> tuple[list[tuple[UserRef, str, bool, datetime | None]], int]:
        return [], 0

    async def is_seen_in(self, workspace: WorkspaceRef, user: UserRef) -> bool:
        return False


class FakeMentorRepository(_Repository):
    """Keyed by (user, workspace), as the SQL table: one profile per person and workspace."""

    table = "mentors"

    async def get(self, ref: UserRef, workspace: WorkspaceRef) -> MentorProfile | None:
        return _copy(self._rows().get((ref, workspace)))

    async def get_many(
        self, refs: Sequence[UserRef], workspace: WorkspaceRef
    ) -> dict[UserRef, MentorProfile]:
        rows = self._rows()
        return {r: p for r in refs if (p := _copy(rows.get((r, workspace)))) is not None}

    async def save(self, profile: MentorProfile) -> None:
        key = (profile.ref, profile.workspace)
        await self._uow.lock(self.table, key)
        self._uow.put(self.table, key, profile)

    async def of_person(self, ref: UserRef) -> list[MentorProfile]:
        found = [p for (user, _), p in self._rows().items() if user == ref]
        return _copy(sorted(found, key=lambda p: p.workspace.key()))

    async def in_workspace(self, workspace: WorkspaceRef) -> list[MentorProfile]:
        found = [p for p in self._rows().values() if p.workspace == workspace and p.active]
        return _copy(sorted(found, key=lambda p: p.ref.key()))


class FakeFeedbackRepository(_Repository):
    table = "feedback"

    async def add(self, feedback: Feedback) -> bool:
        key = (feedback.question_id, feedback.rater, feedback.role)
        await self._uow.lock(self.table, key)  # the unique index makes a concurrent insert wait
        if key in self._rows():
            return False
        self._uow.put(self.table, key, feedback)
        return True

    async def get(self, question_id: int, rater: UserRef, role: str) -> Feedback | None:
        return _copy(self._rows().get((question_id, rater, role)))

    async def change_score(
        self, question_id: int, rater: UserRef, role: str, score: int, *, given_since: datetime
    ) -> bool:
        key = (question_id, rater, role)
        await self._uow.lock(self.table, key)
        current = self._rows().get(key)
        if current is None or current.created_at < given_since:
            return False
        self._uow.put(self.table, key, replace(current, score=score))
        return True

    async def set_comment(self, question_id: int, rater: UserRef, role: str, comment: str) -> bool:
        key = (question_id, rater, role)
        await self._uow.lock(self.table, key)
        current = self._rows().get(key)
        if current is None:
            return False
        self._uow.put(self.table, key, replace(current, comment=comment))
        return True

    async def for_questions(self, question_ids: Sequence[int]) -> list[Feedback]:
        wanted = set(question_ids)
        found = [f for f in self._rows().values() if f.question_id in wanted]
        return _copy(sorted(found, key=lambda f: f.created_at))

    async def for_mentor(
        self, mentor: UserRef, *, workspace: WorkspaceRef | None
    ) -> list[Feedback]:
        questions = self._uow.rows("questions")
        found = [
            f
            for f in self._rows().values()
            if f.role == "asker"
            and f.question_id in questions
            and questions[f.question_id].mentor == mentor
            and questions[f.question_id].state is QuestionState.RESOLVED
            and (workspace is None or questions[f.question_id].workspace == workspace)
        ]
        return _copy(sorted(found, key=lambda f: f.created_at))

    async def mentor_ratings(self, workspace: WorkspaceRef) -> dict[UserRef, float]:
        questions = self._uow.rows("questions")
        scores: dict[UserRef, list[int]] = {}
        for f in self._rows().values():
            q = questions.get(f.question_id)
            if (
                f.role == "asker"
                and q is not None
                and q.workspace == workspace
                and q.mentor
                and q.state is QuestionState.RESOLVED
            ):
                scores.setdefault(q.mentor, []).append(f.score)
        return {mentor: sum(s) / len(s) for mentor, s in scores.items()}


class FakePointsRepository(_Repository):
    table = "points"

    async def add(self, entry: PointsEntry) -> None:
        self._uow.put(self.table, self._uow.db.next_id(self.table), entry)

    async def total_since(self, user: UserRef, since: datetime, workspace: WorkspaceRef) -> int:
        return sum(
            e.points
            for e in self._rows().values()
            if e.user == user and e.at >= since and e.workspace == workspace
        )

    async def given_for(self, user: UserRef, question_id: int, reason: str) -> bool:
        return any(
            e.user == user and e.question_id == question_id and e.reason == reason
            for e in self._rows().values()
        )

    async def held_for(self, user: UserRef, question_id: int, reason: str) -> int:
        return sum(
            e.points
            for e in self._rows().values()
            if e.user == user and e.question_id == question_id and e.reason == reason
        )

    async def leaderboard(
        self,
        workspace: WorkspaceRef,
        *,
        since: datetime | None,
        limit: int,
        until: datetime | None = None,
    ) -> list[tuple[UserRef, int]]:
        totals: dict[UserRef, int] = {}
        for e in self._rows().values():
            if (
                e.workspace == workspace
                and (since is None or e.at >= since)
                and (until is None or e.at < until)
                and not is_tombstone(e.user)
            ):
                totals[e.user] = totals.get(e.user, 0) + e.points
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0].key()))
        return [(ref, total) for ref, total in ranked if total > 0][:limit]


class _FakeLeased(_Repository):
    """The leased-queue operations of the inbox, the outbox and nudges (as
    `storage.repositories._leased`): ending an attempt takes the lease as leased."""

    FAILED: Any = "failed"

    async def _change(self, item_id: int, **changes: Any) -> Any:
        await self._uow.lock(self.table, item_id)
        changed = replace(self._rows()[item_id], **changes)
        self._uow.put(self.table, item_id, changed)
        return changed

    def _lost(self, item_id: int, lease_until: datetime | None) -> bool:
        """Given the lease as leased: True when it is no longer ours (see `LeasedQueue`)."""
        if lease_until is None:
            return False
        current = self._rows().get(item_id)
        return current is None or current.state != "pending" or current.lease_until != lease_until

    async def hold(self, item_id: int, *, lease_until: datetime, until: datetime) -> bool:
        await self._uow.lock(self.table, item_id)
        if self._lost(item_id, lease_until):
            return False
        await self._change(item_id, lease_until=until)
        return True

    async def retry(
        self, item_id: int, *, due_at: datetime, error: str, lease_until: datetime | None = None
    ) -> bool:
        if self._lost(item_id, lease_until):
            return False
        await self._change(item_id, due_at=due_at, lease_until=None, last_error=error)
        return True

    async def fail(self, item_id: int, *, error: str, lease_until: datetime | None = None) -> bool:
        if self._lost(item_id, lease_until):
            return False
        await self._change(item_id, state=self.FAILED, lease_until=None, last_error=error)
        return True

    async def release(
        self, item_ids: Sequence[int], *, lease_until: datetime | None = None
    ) -> None:
        for item_id in item_ids:
            current = self._rows()[item_id]
            if current.state == "pending" and not self._lost(item_id, lease_until):
                await self._change(item_id, lease_until=None, attempts=max(current.attempts - 1, 0))

    async def postpone(
        self,
        item_id: int,
        *,
        due_at: datetime,
        lease_until: datetime | None = None,
        error: str | None = None,
    ) -> None:
        if self._lost(item_id, lease_until):
            return
        current = self._rows()[item_id]
        why = {} if error is None else {"last_error": error}
        await self._change(
            item_id,
            due_at=due_at,
            lease_until=None,
            attempts=max(current.attempts - 1, 0),
            **why,
        )


class FakeNudgeRepository(_FakeLeased):
    table = "nudges"
    FAILED = NudgeState.FAILED

    async def add(self, nudge: Nudge) -> Nudge:
        nudge.id = self._uow.db.next_id(self.table)
        self._uow.put(self.table, nudge.id, nudge)
        await self._uow.lock(self.table, nudge.id)
        return nudge

    async def add_many(self, nudges: Sequence[Nudge]) -> None:
        for nudge in nudges:
            await self.add(nudge)

    async def cancel(self, question_id: int, kinds: Sequence[NudgeKind] | None = None) -> int:
        cancelled = 0
        for n in list(self._rows().values()):
            if n.question_id == question_id and (kinds is None or n.kind in kinds):
                await self._uow.lock(self.table, n.id)
                if self._rows()[n.id].state is NudgeState.PENDING:  # re-checked after the lock
                    await self._change(n.id, state=NudgeState.CANCELLED)
                    cancelled += 1
        return cancelled

    async def cancel_subject(self, kind: NudgeKind, subject_id: int) -> int:
        cancelled = 0
        for n in list(self._rows().values()):
            if n.kind is kind and n.subject_id == subject_id:
                await self._uow.lock(self.table, n.id)
                if self._rows()[n.id].state is NudgeState.PENDING:  # re-checked after the lock
                    await self._change(n.id, state=NudgeState.CANCELLED)
                    cancelled += 1
        return cancelled

    async def cancel_ids(self, ids: Sequence[int]) -> int:
        cancelled = 0
        for nudge_id in dict.fromkeys(ids):
            if nudge_id not in self._rows():
                continue
            await self._uow.lock(self.table, nudge_id)
            if self._rows()[nudge_id].state is NudgeState.PENDING:  # re-checked after the lock
                await self._change(nudge_id, state=NudgeState.CANCELLED)
                cancelled += 1
        return cancelled

    @staticmethod
    def _due(n: Nudge, now: datetime) -> bool:
        return (
            n.state is NudgeState.PENDING
            and n.due_at <= now
            and (n.lease_until is None or n.lease_until < now)
        )

    async def lease(self, now: datetime, *, lease: timedelta, limit: int) -> list[Nudge]:
        workspaces = self._uow.rows("workspaces")
        removed = {ref for ref, ws in workspaces.items() if ws.removed_at is not None}
        return await _lease(
            self,
            now,
            lease=lease,
            limit=limit,
            laned=False,
            only=lambda n: n.workspace not in removed,
        )

    async def mark_sent(self, nudge_id: int, at: datetime) -> None:
        await self._change(nudge_id, state=NudgeState.SENT, sent_at=at, lease_until=None)

    def _pending(self, match: Callable[[Nudge], bool]) -> list[Nudge]:
        found = [n for n in self._rows().values() if n.state is NudgeState.PENDING and match(n)]
        return _copy(sorted(found, key=lambda n: (n.due_at, n.id)))

    async def pending_for(self, question_id: int) -> list[Nudge]:
        return self._pending(lambda n: n.question_id == question_id)

    async def pending_of_kind(self, kind: NudgeKind, target: UserRef) -> list[Nudge]:
        return self._pending(lambda n: n.kind is kind and n.target == target)

    async def pending_about(self, kind: NudgeKind, subject_id: int) -> list[Nudge]:
        return self._pending(lambda n: n.kind is kind and n.subject_id == subject_id)

    async def next_due(self, after: datetime, until: datetime) -> datetime | None:
        due = [n.due_at for n in self._pending(lambda n: after < n.due_at <= until)]
        return min(due, default=None)


class FakeNotMyAreaRepository(_Repository):
    table = "not_my_area"

    async def add(
        self, *, mentor: UserRef, question_id: int, topics: Sequence[str], at: datetime
    ) -> None:
        record = NotMyArea(mentor, question_id, tuple(topics), at)
        self._uow.put(self.table, self._uow.db.next_id(self.table), record)

    async def since(self, workspace: WorkspaceRef, since: datetime) -> dict[UserRef, list[str]]:
        questions = self._uow.rows("questions")
        said: dict[UserRef, list[str]] = {}
        for r in sorted(self._rows().values(), key=lambda r: r.at):
            q = questions.get(r.question_id)
            if q is not None and q.workspace == workspace and r.at >= since:
                said.setdefault(r.mentor, []).extend(r.topics)
        return said

    async def said_for(self, mentor: UserRef, question_id: int) -> bool:
        return any(
            r.mentor == mentor and r.question_id == question_id for r in self._rows().values()
        )

    async def said_by(self, question_id: int) -> set[UserRef]:
        return {r.mentor for r in self._rows().values() if r.question_id == question_id}


@dataclass(frozen=True, slots=True)
class TopicChoice:
    workspace: WorkspaceRef
    question_id: int
    topic: str
    at: datetime


class FakeTopicChoiceRepository(_Repository):
    table = "topic_choices"

    async def choose_topic(
        self, *, workspace: WorkspaceRef, question_id: int, topic: str, at: datetime
    ) -> None:
        self._uow.put(self.table, question_id, TopicChoice(workspace, question_id, topic, at))

    async def chosen_topic(self, question_id: int) -> str | None:
        found = self._rows().get(question_id)
        return None if found is None else str(found.topic)

    async def lessons(self, workspace: WorkspaceRef, *, min_rating: int) -> list[Lesson]:
        questions = self._uow.rows("questions")
        found: dict[int, Lesson] = {}
        for f in self._uow.rows("feedback").values():
            q = questions.get(f.question_id)
            if (
                q is not None
                and q.workspace == workspace
                and q.state is QuestionState.RESOLVED
                and q.mentor is not None
                and f.role == "asker"
                and f.score >= min_rating
            ):
                found[q.id] = Lesson(q.id, q.text, q.mentor, tuple(q.topics))
        for c in self._rows().values():
            q = questions.get(c.question_id)
            if c.workspace != workspace or not c.topic or q is None:
                continue
            known = found.get(c.question_id)
            if known is None:
                found[c.question_id] = Lesson(c.question_id, q.text, None, (c.topic,))
            elif c.topic not in known.topics:
                found[c.question_id] = Lesson(
                    c.question_id, q.text, known.mentor, (*known.topics, c.topic)
                )
        return [found[k] for k in sorted(found)]


async def _lease(
    repo: Any,
    now: datetime,
    *,
    lease: timedelta,
    limit: int,
    laned: bool,
    only: Callable[[Any], bool] | None = None,
) -> list[Any]:
    """Leasing as in SQL: due, unleased, not locked by another open transaction (SKIP LOCKED),
    and in laned queues only the first pending row of each lane."""
    uow: FakeUnitOfWork = repo._uow
    rows = repo._rows()
    pending = sorted((r for r in rows.values() if str(r.state) == "pending"), key=lambda r: r.id)
    first_of_lane: dict[str, int] = {}
    for r in pending if laned else ():
        first_of_lane.setdefault(_lane(r), r.id)
    due = sorted(
        (
            r
            for r in pending
            if r.due_at <= now
            and (r.lease_until is None or r.lease_until < now)
            and (not laned or first_of_lane[_lane(r)] == r.id)
            and (only is None or only(r))
        ),
        key=lambda r: (r.due_at, r.id),
    )
    leased = []
    for r in due:
        if len(leased) == limit:
            break
        if uow.locked_by_other(repo.table, r.id):
            continue
        await uow.lock(repo.table, r.id)
        changed = replace(repo._rows()[r.id], lease_until=now + lease, attempts=r.attempts + 1)
        uow.put(repo.table, r.id, changed)
        leased.append(_copy(changed))
    return leased


def _lane(row: Any) -> str:
    lane = getattr(row, "lane", None)
    if lane is None:
        lane = row.delivery.lane
    return str(lane)


class _FakeQueue(_FakeLeased):
    """The queue operations the inbox and the outbox share."""

    async def lease(self, now: datetime, *, lease: timedelta, limit: int) -> list[Any]:
        return await _lease(self, now, lease=lease, limit=limit, laned=True)

    async def _prune(self, before: datetime, at: Callable[[Any], datetime]) -> int:
        gone = [k for k, r in self._rows().items() if r.state != "pending" and at(r) < before]
        for key in gone:
            await self._uow.lock(self.table, key)
            self._uow.put(self.table, key, _DELETED)
        return len(gone)


class FakeInboxRepository(_FakeQueue):
    table = "inbox"

    async def add(self, item: InboxItem, *, renew_before: datetime | None = None) -> bool:
        await self._uow.lock(self.table, ("key", item.key))  # the unique key makes others wait
        known = next((r for r in self._rows().values() if r.key == item.key), None)
        if known is not None:
            if (
                renew_before is None
                or known.state == "pending"
                or known.received_at >= renew_before
            ):
                return False
            await self._uow.lock(self.table, known.id)
            self._uow.put(self.table, known.id, _DELETED)  # taken again under a new id
        item.id = self._uow.db.next_id(self.table)
        self._uow.put(self.table, item.id, item)
        await self._uow.lock(self.table, item.id)
        return True

    async def add_many(self, items: Sequence[InboxItem]) -> set[str]:
        return {item.key for item in items if await self.add(item)}

    async def start(self, item_id: int, *, lease_until: datetime, at: datetime) -> bool:
        await self._uow.lock(self.table, item_id)
        current = self._rows().get(item_id)
        if current is None or current.state != "pending" or current.lease_until != lease_until:
            return False
        await self._change(item_id, state="done", lease_until=None, payload={})
        return True

    async def prune(self, before: datetime) -> int:
        return await self._prune(before, lambda r: r.received_at)

    async def pending(self) -> int:
        return sum(r.state == "pending" for r in self._rows().values())


class FakeOutboxRepository(_FakeQueue):
    table = "outbox"

    async def add_many(self, rows: Sequence[OutboxItem]) -> None:
        for row in rows:
            await self._uow.lock(self.table, ("key", row.key))  # the unique key makes others wait
            if any(r.key == row.key for r in self._rows().values()):
                continue  # stored already (as the SQL repository's ON CONFLICT DO NOTHING)
            row.id = self._uow.db.next_id(self.table)
            self._uow.put(self.table, row.id, row)
            await self._uow.lock(self.table, row.id)

    async def sent(self, item_id: int, *, at: datetime, result: str | None) -> None:
        await self._change(item_id, state="sent", sent_at=at, lease_until=None, result=result)

    async def sent_many(self, sent: Sequence[tuple[int, datetime, str | None]]) -> None:
        for item_id, at, result in sent:
            await self.sent(item_id, at=at, result=result)

    async def scrub(self, rows: Sequence[tuple[int, Delivery]]) -> None:
        for item_id, delivery in rows:
            await self._change(item_id, delivery=delivery)

    async def fail(self, item_id: int, *, error: str, lease_until: datetime | None = None) -> bool:
        if self._lost(item_id, lease_until):
            return False
        row = await self._change(item_id, state="failed", lease_until=None, last_error=error)
        if row.delivery.secret:
            await self._change(item_id, delivery=row.delivery.scrubbed())
        return True

    async def prune(self, before: datetime) -> int:
        return await self._prune(before, lambda r: r.due_at)

    async def pending(self) -> int:
        return sum(r.state == "pending" for r in self._rows().values())


class FakeWorkspaceRepository(_Repository):
    table = "workspaces"

    async def get(self, ref: WorkspaceRef) -> Workspace | None:
        return _copy(self._rows().get(ref))

    async def save(self, workspace: Workspace) -> None:
        await self._uow.lock(self.table, workspace.ref)
        self._uow.put(self.table, workspace.ref, workspace)

    async def all(self) -> list[Workspace]:
        return _copy(sorted(self._rows().values(), key=lambda w: w.ref.key()))

    async def mark_removed(self, ref: WorkspaceRef, at: datetime) -> bool:
        await self._uow.lock(self.table, ref)
        ws = self._rows().get(ref)
        if ws is None or ws.removed_at is not None:
            return False
        self._uow.put(self.table, ref, replace(ws, removed_at=at))
        return True

    async def restore(self, ref: WorkspaceRef) -> bool:
        await self._uow.lock(self.table, ref)
        ws = self._rows().get(ref)
        if ws is None or ws.removed_at is None:
            return False
        self._uow.put(self.table, ref, replace(ws, removed_at=None))
        return True

    # Keyed by (workspace, channel), as the SQL `unusable_channel`: (why, since), why None once
    # usable again.
    async def unusable_channels(self, ref: WorkspaceRef) -> dict[ChannelRef, str]:
        rows = self._uow.rows("unusable_channels")
        return {
            channel: why
            for (ws, channel), (why, _) in rows.items()
            if ws == ref and why is not None
        }

    async def mark_unusable(
        self, ref: WorkspaceRef, channel: ChannelRef, why: str, at: datetime
    ) -> bool:
        return await self._channel_state(ref, channel, why, at)

    async def mark_usable(self, ref: WorkspaceRef, channel: ChannelRef, at: datetime) -> bool:
        return await self._channel_state(ref, channel, None, at)

    async def _channel_state(
        self, ref: WorkspaceRef, channel: ChannelRef, why: str | None, at: datetime
    ) -> bool:
        key = (ref, channel)
        await self._uow.lock("unusable_channels", key)
        stored = self._uow.rows("unusable_channels").get(key)
        if stored is not None and (at < stored[1] or (at == stored[1] and why is not None)):
            return False
        self._uow.put("unusable_channels", key, (why, at))
        return True


@dataclass(frozen=True, slots=True)
class RateEvent:
    workspace: WorkspaceRef
    user: UserRef
    kind: str
    at: datetime


class FakeRateEventRepository(_Repository):
    table = "rate_events"

    async def record(self, workspace: WorkspaceRef, user: UserRef, kind: str, at: datetime) -> None:
        key = self._uow.db.next_id(self.table)
        self._uow.put(self.table, key, RateEvent(workspace, user, kind, at))

    async def count_since(
        self, workspace: WorkspaceRef, user: UserRef, kind: str, since: datetime
    ) -> int:
        return sum(
            e.workspace == workspace and e.user == user and e.kind == kind and e.at >= since
            for e in self._rows().values()
        )

    async def prune(self, before: datetime) -> int:
        old = [k for k, e in self._rows().items() if e.at < before]
        for k in old:
            self._uow.put(self.table, k, _DELETED)
        return len(old)


class FakeDigestRunRepository(_Repository):
    table = "digests"

    async def start(self, workspace: WorkspaceRef, period: str, at: datetime) -> bool:
        key = (workspace, period)
        await self._uow.lock(self.table, key)
        if key in self._rows():
            return False
        self._uow.put(self.table, key, at)
        return True

    async def tally(
        self, workspace: WorkspaceRef, start: datetime, end: datetime, *, top_mentors: int
    ) -> WeekTally:
        questions = [
            q
            for q in self._uow.rows("questions").values()
            if q.workspace == workspace and start <= q.created_at < end
        ]
        points = [
            p
            for p in self._uow.rows("points").values()
            if p.workspace == workspace and start <= p.at < end and not is_tombstone(p.user)
        ]
        feedback = list(self._uow.rows("feedback").values())
        return tally_questions(questions, feedback, points, top_mentors=top_mentors)

    async def first_activity(self, workspace: WorkspaceRef) -> datetime | None:
        questions = self._uow.rows("questions").values()
        found = [q.created_at for q in questions if q.workspace == workspace]
        found += [
            p.joined_at
            for (_, ws), p in self._uow.rows("mentors").items()
            if ws == workspace and p.joined_at is not None
        ]
        found += [k.at for k in self._uow.rows("kudos").values() if k.workspace == workspace]
        return min(found, default=None)


class FakeLightningRepository(_Repository):
    table = "lightning"

    async def add(self, session: Lightning) -> Lightning | None:
        if session.demand_period is not None:
            key = ("demand", session.workspace, session.topic, session.demand_period)
            await self._uow.lock(self.table, key)  # the unique index makes a concurrent one wait
            if any(
                (s.workspace, s.topic, s.demand_period) == key[1:] for s in self._rows().values()
            ):
                return None
        await self._uow.lock("workspaces", session.workspace)  # the counter's row
        session.id = self._uow.db.next_id(self.table)
        session.local_number = 1 + max(
            (s.number for s in self._rows().values() if s.workspace == session.workspace),
            default=0,
        )
        self._uow.put(self.table, session.id, session)
        await self._uow.lock(self.table, session.id)
        return session

    async def get(self, lightning_id: int) -> Lightning | None:
        return _copy(self._rows().get(lightning_id))

    async def get_by_number(self, workspace: WorkspaceRef, number: int) -> Lightning | None:
        for s in self._rows().values():
            if s.workspace == workspace and s.number == number:
                return _copy(s)
        return None

    async def save(self, session: Lightning, *, expected_state: LightningState) -> bool:
        assert session.id is not None
        await self._uow.lock(self.table, session.id)
        current = self._rows()[session.id]
        if current.state is not expected_state:
            return False
        self._uow.put(self.table, session.id, replace(session, card=current.card))
        return True

    async def mark_rewarded(self, lightning_id: int, at: datetime) -> bool:
        await self._uow.lock(self.table, lightning_id)
        current = self._rows()[lightning_id]
        if current.rewarded_at is not None:
            return False
        self._uow.put(self.table, lightning_id, replace(current, rewarded_at=at))
        return True

    async def set_card(self, lightning_id: int, card: MessageRef) -> None:
        await self._uow.lock(self.table, lightning_id)
        current = self._rows().get(lightning_id)
        if current is not None:
            self._uow.put(self.table, lightning_id, replace(current, card=card))

    async def proposed_since(self, workspace: WorkspaceRef, topic: str, since: datetime) -> bool:
        return any(
            s.workspace == workspace and s.topic == topic and s.created_at >= since
            for s in self._rows().values()
        )

    async def topic_demand(
        self, workspace: WorkspaceRef, topic: str, since: datetime, *, at_least: int = 0
    ) -> list[Question]:
        found = sorted(
            (
                q
                for q in self._uow.rows("questions").values()
                if q.workspace == workspace
                and q.created_at >= since
                and q.state is not QuestionState.CANCELLED
                and topic in q.topics
            ),
            key=lambda q: (q.created_at, q.id),
        )
        return _copy(found) if len(found) >= at_least else []

    async def upcoming(self, workspace: WorkspaceRef, now: datetime) -> list[Lightning]:
        found = [
            s
            for s in self._rows().values()
            if s.workspace == workspace
            and s.state is LightningState.SCHEDULED
            and s.ends_at is not None
            and s.ends_at > now
        ]
        return _copy(sorted(found, key=lambda s: (s.starts_at, s.id)))

    async def waiting_for_speaker(
        self, workspace: WorkspaceRef, since: datetime
    ) -> list[Lightning]:
        found = [
            s
            for s in self._rows().values()
            if s.workspace == workspace
            and s.state is LightningState.PROPOSED
            and s.created_at >= since
        ]
        return _copy(sorted(found, key=lambda s: (s.created_at, s.id)))

    async def given_by(self, speaker: UserRef) -> int:
        return sum(
            s.speaker == speaker and s.rewarded_at is not None for s in self._rows().values()
        )

    async def add_rsvp(self, rsvp: Rsvp) -> bool:
        key = (rsvp.lightning_id, rsvp.user)
        await self._uow.lock("rsvps", key)
        if key in self._uow.rows("rsvps"):
            return False
        self._uow.put("rsvps", key, rsvp)
        return True

    async def remove_rsvp(self, lightning_id: int, user: UserRef) -> bool:
        key = (lightning_id, user)
        await self._uow.lock("rsvps", key)
        if key not in self._uow.rows("rsvps"):
            return False
        self._uow.put("rsvps", key, _DELETED)
        return True

    async def rsvps(self, lightning_id: int) -> list[Rsvp]:
        found = [r for r in self._uow.rows("rsvps").values() if r.lightning_id == lightning_id]
        return _copy(sorted(found, key=lambda r: r.at))

    async def rsvps_for(self, lightning_ids: Sequence[int]) -> dict[int, list[Rsvp]]:
        return {i: await self.rsvps(i) for i in lightning_ids}

    async def rate(self, lightning_id: int, user: UserRef, score: int, at: datetime) -> bool:
        key = (lightning_id, user)
        await self._uow.lock("rsvps", key)
        current = self._uow.rows("rsvps").get(key)
        if current is None or current.score is not None:
            return False
        self._uow.put("rsvps", key, replace(current, score=score, rated_at=at))
        return True

    async def held_between(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[HeldSession]:
        rsvps = list(self._uow.rows("rsvps").values())
        people = self._uow.rows("people")
        held = sorted(
            (
                s
                for s in self._rows().values()
                if s.workspace == workspace
                and s.state is LightningState.HELD
                and s.held_at is not None
                and start <= s.held_at < end
            ),
            key=lambda s: (s.held_at, s.id),
        )
        return [
            HeldSession(
                _copy(s),
                sum(r.lightning_id == s.id and r.user in people for r in rsvps),
                tuple(r.score for r in rsvps if r.lightning_id == s.id and r.score is not None),
            )
            for s in held
        ]


class FakeKudosRepository(_Repository):
    table = "kudos"

    async def add(self, kudos: Kudos) -> int:
        kudos_id = self._uow.db.next_id(self.table)
        self._uow.put(self.table, kudos_id, replace(kudos, id=kudos_id))
        return kudos_id

    async def get(self, kudos_id: int) -> Kudos | None:
        found: Kudos | None = self._rows().get(kudos_id)
        return found

    async def set_card(self, kudos_id: int, card: MessageRef) -> None:
        await self._uow.lock(self.table, kudos_id)
        current = self._rows().get(kudos_id)
        if current is not None:
            self._uow.put(self.table, kudos_id, replace(current, card=card))

    async def given_since(
        self, giver: UserRef, since: datetime, workspace: WorkspaceRef
    ) -> list[Kudos]:
        found = [
            k
            for k in self._rows().values()
            if k.giver == giver and k.at >= since and k.workspace == workspace
        ]
        return _copy(sorted(found, key=lambda k: k.at))

    async def count_between(self, workspace: WorkspaceRef, start: datetime, end: datetime) -> int:
        return sum(k.workspace == workspace and start <= k.at < end for k in self._rows().values())


class FakeBadgeRepository(_Repository):
    table = "badges"

    async def add(self, badge: EarnedBadge) -> bool:
        key = (badge.user, badge.badge)
        await self._uow.lock(self.table, key)
        if key in self._rows():
            return False
        self._uow.put(self.table, key, badge)
        return True

    async def of(self, user: UserRef) -> list[EarnedBadge]:
        found = [b for b in self._rows().values() if b.user == user]
        return _copy(sorted(found, key=lambda b: b.earned_at))

    async def announce(self, user: UserRef, at: datetime) -> list[EarnedBadge]:
        announced = []
        for key, b in sorted(self._rows().items(), key=lambda kv: kv[1].earned_at):
            if b.user == user and b.announced_at is None:
                await self._uow.lock(self.table, key)
                changed = replace(b, announced_at=at)
                self._uow.put(self.table, key, changed)
                announced.append(changed)
        return announced

    async def last_announced(self, user: UserRef) -> datetime | None:
        times = [
            b.announced_at
            for b in self._rows().values()
            if b.user == user and b.announced_at is not None
        ]
        return max(times, default=None)

    async def earned_between(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[EarnedBadge]:
        found = [
            b
            for b in self._rows().values()
            if b.workspace == workspace and start <= b.earned_at < end
        ]
        return _copy(sorted(found, key=lambda b: b.earned_at))


class FakeStreakRepository(_Repository):
    table = "pauses"

    async def sessions_of(self, mentor: UserRef, *, since: datetime | None) -> list[HelpedSession]:
        found = sorted(
            (
                q
                for q in self._uow.rows("questions").values()
                if q.mentor == mentor
                and q.state is QuestionState.RESOLVED
                and q.resolved_at is not None
                and (since is None or q.resolved_at >= since)
            ),
            key=lambda q: (q.resolved_at, q.id),
        )
        scores = {
            f.question_id: f.score for f in self._uow.rows("feedback").values() if f.role == "asker"
        }
        return [
            HelpedSession(
                q.pk,
                q.resolved_at,
                q.asker,
                by_mentor=q.resolved_by == mentor,
                asker_score=scores.get(q.pk),
            )
            for q in found
        ]

    async def add_pause(self, pause: PausePeriod) -> None:
        self._uow.put(self.table, self._uow.db.next_id(self.table), pause)

    async def end_pauses(self, user: UserRef, at: datetime, *, workspace: WorkspaceRef) -> None:
        for key, p in list(self._rows().items()):
            if p.user == user and p.end > at and p.workspace in (None, workspace):
                await self._uow.lock(self.table, key)
                self._uow.put(self.table, key, replace(p, end=at))

    async def pauses(self, user: UserRef, *, since: datetime) -> list[PausePeriod]:
        found = [p for p in self._rows().values() if p.user == user and p.end > since]
        return _copy(sorted(found, key=lambda p: p.start))

    async def last_note(self, user: UserRef, kind: str) -> datetime | None:
        times = [at for (u, k, at) in self._uow.rows("notes").values() if u == user and k == kind]
        return max(times, default=None)

    async def add_note(self, user: UserRef, kind: str, at: datetime) -> None:
        self._uow.put("notes", self._uow.db.next_id("notes"), (user, kind, at))


class FakeLearningRepository(_Repository):
    table = "learning"

    async def get(self, user: UserRef, track: Track) -> Enrollment | None:
        return _copy(self._rows().get((user, track)))

    async def save(self, enrollment: Enrollment) -> None:
        key = (enrollment.user, enrollment.track)
        await self._uow.lock(self.table, key)
        self._uow.put(self.table, key, enrollment)

    async def for_user(self, user: UserRef) -> list[Enrollment]:
        return _copy([e for (u, _), e in self._rows().items() if u == user])


class FakeDraftRepository(_Repository):
    table = "drafts"

    async def add(self, draft: Draft) -> Draft:
        draft.id = self._uow.db.next_id(self.table)
        self._uow.put(self.table, draft.id, draft)
        await self._uow.lock(self.table, draft.id)
        return draft

    async def get(self, draft_id: int) -> Draft | None:
        return _copy(self._rows().get(draft_id))

    async def pending(self, workspace: WorkspaceRef, asker: UserRef) -> list[Draft]:
        return _copy(
            sorted(
                (
                    d
                    for d in self._rows().values()
                    if d.workspace == workspace
                    and d.asker == asker
                    and d.state is DraftState.PENDING
                ),
                key=lambda d: d.number,
            )
        )

    async def close(self, draft_id: int, state: DraftState) -> bool:
        await self._uow.lock(self.table, draft_id)  # waits for another click, then re-checks
        current = self._rows().get(draft_id)
        if current is None or current.state is not DraftState.PENDING:
            return False
        self._uow.put(self.table, draft_id, replace(current, state=state))
        return True

    async def close_pending(
        self, workspace: WorkspaceRef, asker: UserRef, state: DraftState
    ) -> list[int]:
        waiting = [
            d.number
            for d in self._rows().values()
            if d.workspace == workspace and d.asker == asker and d.state is DraftState.PENDING
        ]
        return [n for n in sorted(waiting) if await self.close(n, state)]

    async def count_answered(
        self, workspace: WorkspaceRef, since: datetime, until: datetime
    ) -> int:
        return sum(
            1
            for d in self._rows().values()
            if d.workspace == workspace
            and d.state is DraftState.ANSWERED
            and since <= d.created_at < until
        )


class FakeFaqRepository(_Repository):
    table = "faq"

    async def add(self, entry: FaqEntry) -> FaqEntry:
        await self._uow.lock(self.table, ("question", entry.question_id))
        if any(e.question_id == entry.question_id for e in self._rows().values()):
            raise ValueError("an FAQ entry for this question exists (unique in SQL)")
        entry.id = self._uow.db.next_id(self.table)
        self._uow.put(self.table, entry.id, entry)
        return entry

    async def get(self, entry_id: int) -> FaqEntry | None:
        return _copy(self._rows().get(entry_id))

    async def for_question(self, question_id: int) -> FaqEntry | None:
        return _copy(next((e for e in self._rows().values() if e.question_id == question_id), None))

    async def update(self, entry: FaqEntry) -> None:
        if entry.id is None:
            raise ValueError("cannot update an FAQ entry that was never stored")
        await self._uow.lock(self.table, entry.id)
        self._uow.put(self.table, entry.id, entry)

    async def visible(self, workspace: WorkspaceRef, *, verified_since: datetime) -> list[FaqEntry]:
        found = [
            e
            for e in self._rows().values()
            if e.workspace == workspace
            and e.state is FaqState.ACTIVE
            and e.verified_at >= verified_since
        ]
        return _copy(sorted(found, key=lambda e: e.number, reverse=True))

    async def count_by_author(self, workspace: WorkspaceRef, author: UserRef) -> int:
        return sum(
            e.workspace == workspace and e.author == author and e.state is FaqState.ACTIVE
            for e in self._rows().values()
        )


class FakeFollowUpRepository(_Repository):
    table = "shares"

    async def share(self, question_id: int, user: UserRef, at: datetime) -> bool:
        key = (question_id, user)
        await self._uow.lock(self.table, key)
        if key in self._rows():
            return False
        self._uow.put(self.table, key, at)
        return True

    async def shared_by(self, question_id: int) -> list[UserRef]:
        found = sorted((at, u.key(), u) for (q, u), at in self._rows().items() if q == question_id)
        return [u for _, _, u in found]

    def _asked(self, workspace: WorkspaceRef, asker: UserRef) -> list[Question]:
        return [
            q
            for q in self._uow.rows("questions").values()
            if q.workspace == workspace and q.asker == asker
        ]

    async def asked_topics(
        self,
        workspace: WorkspaceRef,
        asker: UserRef,
        since: datetime,
        *,
        up_to: tuple[datetime, int] | None = None,
    ) -> list[tuple[str, ...]]:
        return [
            q.topics
            for q in self._asked(workspace, asker)
            if q.created_at >= since
            and (up_to is None or (q.created_at, q.number) <= up_to)
            and q.state is not QuestionState.CANCELLED
        ]

    async def mentors_met(
        self, workspace: WorkspaceRef, asker: UserRef, since: datetime, *, anonymous: bool = False
    ) -> dict[UserRef, int]:
        met: dict[UserRef, int] = {}
        for q in self._asked(workspace, asker):
            if anonymous and not q.anonymous:
                continue
            claimed = q.claimed_at is not None and q.claimed_at >= since
            # On anonymous questions its mentor counts too while the session went on since.
            going = anonymous and q.last_activity_at is not None and q.last_activity_at >= since
            lately = q.mentor is not None and (claimed or going)
            if lately:
                assert q.mentor is not None
                met[q.mentor] = met.get(q.mentor, 0) + 1
            # As the SQL one: on anonymous questions, those who released it count too when it
            # may have been claimed since `since` (every claim sets `last_activity_at`).
            maybe = lately or any(
                t is not None and t >= since for t in (q.last_activity_at, q.created_at)
            )
            if anonymous and maybe:
                for released in dict.fromkeys(q.released_by):
                    if released != q.mentor or not lately:
                        met[released] = met.get(released, 0) + 1
        return met

    async def topic_ratings(
        self, workspace: WorkspaceRef, start: datetime, end: datetime
    ) -> list[tuple[str, float, int]]:
        questions = self._uow.rows("questions")
        scores: dict[str, list[int]] = {}
        for f in self._uow.rows("feedback").values():
            q = questions.get(f.question_id)
            if f.role != "asker" or q is None or q.workspace != workspace:
                continue
            if start <= q.created_at < end and q.state is QuestionState.RESOLVED:
                for t in q.topics:
                    scores.setdefault(t, []).append(f.score)
        return sorted(
            ((t, sum(s) / len(s), len(s)) for t, s in scores.items()),
            key=lambda item: (item[1], -item[2], item[0]),
        )


class FakeAuditRepository(_Repository):
    table = "audit"

    async def add(self, entry: AuditEntry) -> None:
        key = self._uow.db.next_id(self.table)
        self._uow.put(self.table, key, replace(entry, id=key))

    async def recent(
        self,
        workspaces: Sequence[WorkspaceRef],
        *,
        limit: int,
        action: str = "",
        actor: UserRef | None = None,
    ) -> list[AuditEntry]:
        found = [
            e
            for e in self._rows().values()
            if e.workspace in workspaces
            and (not action or e.action == action)
            and (actor is None or e.actor == actor)
        ]
        return sorted(found, key=lambda e: (e.at, e.id), reverse=True)[:limit]


class FakePrivacyRepository(_Repository):
    """Only what the core's unit tests reach; the SQL one is tested on real databases."""

    table = "left"

    async def person_data(
        self, user: UserRef, *, workspace: WorkspaceRef | None = None, anonymous: bool = True
    ) -> PersonData:
        def here(ws: WorkspaceRef) -> bool:
            return workspace is None or ws == workspace

        questions = [q for q in self._uow.rows("questions").values() if here(q.workspace)]
        person = self._uow.rows("people").get(user)
        profiles = [
            p for (ref, ws), p in self._uow.rows("mentors").items() if ref == user and here(ws)
        ]
        return PersonData(
            user=user,
            sections={
                "person": [{"key": user.key(), "name": person.name}] if person else [],
                "mentor_profile": [
                    {"workspace": p.workspace.key(), "skills": list(p.skills)}
                    for p in sorted(profiles, key=lambda p: p.workspace.key())
                ],
                "questions_asked": [
                    {"workspace": q.workspace.key(), "number": q.number, "text": q.text}
                    for q in questions
                    if q.asker == user and (anonymous or not q.anonymous)
                ],
                "sessions_mentored": [
                    {"workspace": q.workspace.key(), "number": q.number}
                    for q in questions
                    if q.mentor == user
                ],
            },
            workspace=workspace,
        )

    async def workspaces_of(self, user: UserRef) -> set[WorkspaceRef]:
        # Any stored row with a workspace that names them (the SQL one lists its columns).
        people = (
            "asker", "mentor", "resolved_by", "handover_to", "handover_by", "user", "giver", "receiver",
            "speaker", "proposed_by", "author",
        )  # fmt: skip
        found = {ws for ref, ws in self._uow.rows("mentors") if ref == user}
        found |= {ws for ref, ws in self._uow.rows("admins") if ref == user}
        # ... or lists them (like the SQL one's JSON lists: released, suggested, notified; invited,
        # declined), and their asks and claims of the `[limits]` window.
        lists = ("released_by", "suggested", "notified", "invited", "declined")
        tables = ("questions", "points", "kudos", "badges", "lightning", "learning")
        for table in (*tables, "drafts", "faq", "rate_events"):
            for row in self._uow.rows(table).values():
                ws = getattr(row, "workspace", None)
                if ws is not None and (
                    any(getattr(row, a, None) == user for a in people)
                    or any(user in getattr(row, a, ()) for a in lists)
                ):
                    found.add(ws)
        return found

    async def forget(self, user: UserRef, *, tombstone: UserRef, removed: str) -> int:
        changed = 0
        for key, q in self._uow.rows("questions").items():
            if q.asker == user:
                q = replace(q, text=removed, asker=tombstone)
                self._uow.put("questions", key, q)
                changed += 1
            if q.mentor == user:  # as the SQL one: the session stays, the tombstone's
                self._uow.put("questions", key, replace(q, mentor=tombstone))
                changed += 1
        for key, entry in self._uow.rows("faq").items():  # kept, as the tombstone's
            if entry.author == user:
                self._uow.put("faq", key, replace(entry, author=tombstone))
                changed += 1
        for key, k in self._uow.rows("kudos").items():  # kept, as the tombstone's, no words
            if user in (k.giver, k.receiver):
                self._uow.put(
                    "kudos",
                    key,
                    replace(
                        k,
                        text=removed,
                        giver=tombstone if k.giver == user else k.giver,
                        receiver=tombstone if k.receiver == user else k.receiver,
                    ),
                )
                changed += 1
        for key, entry in self._uow.rows("points").items():  # kept, as the tombstone's
            if entry.user == user:
                self._uow.put("points", key, replace(entry, user=tombstone))
                changed += 1
        for key, nudge in self._uow.rows("nudges").items():  # kept, as the tombstone's
            if nudge.target == user:
                self._uow.put("nudges", key, replace(nudge, target=tombstone))
                changed += 1
        if user in self._uow.rows("people"):
            self._uow.put("people", user, _DELETED)
            changed += 1
        for table in ("mentors", "admins"):
            for key in [k for k in self._uow.rows(table) if k[0] == user]:
                self._uow.put(table, key, _DELETED)
                changed += 1
        return changed

    async def unquote_faq(self, user: UserRef) -> int:
        asked = {q.pk for q in self._uow.rows("questions").values() if q.asker == user}
        changed = 0
        for key, entry in self._uow.rows("faq").items():
            neutral = neutral_faq_question(entry.topics)
            if entry.question_id in asked and entry.question != neutral:
                self._uow.put("faq", key, replace(entry, question=neutral))
                changed += 1
        return changed

    async def asked_by(self, user: UserRef) -> list[tuple[WorkspaceRef, int]]:
        asked = [q for q in self._uow.rows("questions").values() if q.asker == user]
        return [(q.workspace, q.pk) for q in sorted(asked, key=lambda q: q.pk)]

    async def past_cards_of(self, user: UserRef, *, limit: int) -> PastCards:
        over = (LightningState.HELD, LightningState.CANCELLED)
        carded = [q for q in self._uow.rows("questions").values() if q.card is not None]
        helped = sorted(
            (q.pk for q in carded if q.mentor == user and q.state is QuestionState.RESOLVED),
            reverse=True,
        )[:limit]
        asked = sorted(
            (q.pk for q in carded if q.asker == user and not q.anonymous and q.state.is_final),
            reverse=True,
        )[:limit]
        questions = sorted({*helped, *asked}, reverse=True)
        sessions = sorted(
            (
                s.stored_id
                for s in self._uow.rows("lightning").values()
                if s.speaker == user and s.card is not None and s.state in over
            ),
            reverse=True,
        )
        thanks = sorted(
            (
                kid
                for kid, k in self._uow.rows("kudos").items()
                if user in (k.giver, k.receiver) and k.card is not None
            ),
            reverse=True,
        )
        return PastCards(
            questions=tuple(questions),
            lightning=tuple(sessions[:limit]),
            kudos=tuple(thanks[:limit]),
        )

    async def mark_left(self, user: UserRef, at: datetime) -> None:
        if user not in self._rows():
            self._uow.put(self.table, user, at)

    async def mark_back(self, user: UserRef) -> None:
        if user in self._rows():
            self._uow.put(self.table, user, _DELETED)

    async def left_at(self, user: UserRef) -> datetime | None:
        found: datetime | None = self._rows().get(user)
        return found

    async def redact_texts(self, before: datetime, *, removed: str) -> tuple[int, int]:
        texts = 0
        for key, q in self._uow.rows("questions").items():
            if q.created_at < before and not q.text.startswith("[removed"):
                self._uow.put("questions", key, replace(q, text=removed))
                texts += 1
        return texts, 0

    async def prune_logs(self, before: datetime) -> int:
        return 0

    async def add_grant(
        self, token_hash: str, kind: str, grant: DashboardGrant, at: datetime
    ) -> None:
        self._uow.put("grants", token_hash, (kind, grant, None))

    async def use_grant(self, token_hash: str, kind: str, at: datetime) -> DashboardGrant | None:
        found = self._uow.rows("grants").get(token_hash)
        if found is None or found[0] != kind or found[1].expires_at <= at:
            return None
        if kind == "link":
            if found[2] is not None:
                return None
            self._uow.put("grants", token_hash, (kind, found[1], at))
        grant: DashboardGrant = found[1]
        return grant

    async def peek_grant(self, token_hash: str, kind: str, at: datetime) -> DashboardGrant | None:
        found = self._uow.rows("grants").get(token_hash)
        if found is None or found[0] != kind or found[1].expires_at <= at or found[2] is not None:
            return None
        grant: DashboardGrant = found[1]
        return grant

    async def end_grant(self, token_hash: str) -> None:
        self._uow.put("grants", token_hash, _DELETED)
