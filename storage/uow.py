"""The SQL unit of work: one AsyncSession, one transaction, every repository over it."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.ports import (
    AuditRepository,
    BadgeRepository,
    DigestRunRepository,
    DraftRepository,
    FaqRepository,
    FeedbackRepository,
    FollowUpRepository,
    InboxRepository,
    KudosRepository,
    LearningRepository,
    LightningRepository,
    MentorRepository,
    NotMyAreaRepository,
    NudgeRepository,
    OutboxRepository,
    PersonRepository,
    PointsRepository,
    PrivacyRepository,
    QuestionRepository,
    RateEventRepository,
    StreakRepository,
    TopicChoiceRepository,
    WorkspaceRepository,
)
from storage.engine import READ_ONLY
from storage.gate import GatedSession, WriterGate
from storage.repositories import (
    SqlAuditRepository,
    SqlBadgeRepository,
    SqlDigestRunRepository,
    SqlDraftRepository,
    SqlFaqRepository,
    SqlFeedbackRepository,
    SqlFollowUpRepository,
    SqlInboxRepository,
    SqlKudosRepository,
    SqlLearningRepository,
    SqlLightningRepository,
    SqlMentorRepository,
    SqlNotMyAreaRepository,
    SqlNudgeRepository,
    SqlOutboxRepository,
    SqlPersonRepository,
    SqlPointsRepository,
    SqlPrivacyRepository,
    SqlQuestionRepository,
    SqlRateEventRepository,
    SqlStreakRepository,
    SqlTopicChoiceRepository,
    SqlWorkspaceRepository,
)
from storage.repositories._base import DbSession

__all__ = ["SqlUnitOfWork", "make_uow_factory"]


class SqlUnitOfWork:
    """`bot.ports.UnitOfWork` over SQL: ``async with`` opens it; leaving uncommitted rolls back."""

    questions: QuestionRepository
    people: PersonRepository
    mentors: MentorRepository
    feedback: FeedbackRepository
    points: PointsRepository
    nudges: NudgeRepository
    not_my_area: NotMyAreaRepository
    topic_choices: TopicChoiceRepository
    inbox: InboxRepository
    outbox: OutboxRepository
    workspaces: WorkspaceRepository
    digests: DigestRunRepository
    rate_events: RateEventRepository
    lightning: LightningRepository
    kudos: KudosRepository
    badges: BadgeRepository
    streaks: StreakRepository
    learning: LearningRepository
    drafts: DraftRepository
    faq: FaqRepository
    followups: FollowUpRepository
    audit: AuditRepository
    privacy: PrivacyRepository

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        dialect: str,
        *,
        gate: WriterGate | None = None,
        urgent: bool = False,
    ) -> None:
        self._sessions = sessions
        self._dialect = dialect
        self._gate = gate
        self._urgent = urgent
        self._session: DbSession | None = None

    async def __aenter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open")
        plain = self._sessions()
        session: DbSession = (
            plain if self._gate is None else GatedSession(plain, self._gate, urgent=self._urgent)
        )
        self._session = session
        dialect = self._dialect
        self.questions = SqlQuestionRepository(session, dialect)
        self.people = SqlPersonRepository(session, dialect)
        self.mentors = SqlMentorRepository(session, dialect)
        self.feedback = SqlFeedbackRepository(session, dialect)
        self.points = SqlPointsRepository(session, dialect)
        self.nudges = SqlNudgeRepository(session, dialect)
        self.not_my_area = SqlNotMyAreaRepository(session, dialect)
        self.topic_choices = SqlTopicChoiceRepository(session, dialect)
        self.inbox = SqlInboxRepository(session, dialect)
        self.outbox = SqlOutboxRepository(session, dialect)
        self.workspaces = SqlWorkspaceRepository(session, dialect)
        self.digests = SqlDigestRunRepository(session, dialect)
        self.rate_events = SqlRateEventRepository(session, dialect)
        self.lightning = SqlLightningRepository(session, dialect)
        self.kudos = SqlKudosRepository(session, dialect)
        self.badges = SqlBadgeRepository(session, dialect)
        self.streaks = SqlStreakRepository(session, dialect)
        self.learning = SqlLearningRepository(session, dialect)
        self.drafts = SqlDraftRepository(session, dialect)
        self.faq = SqlFaqRepository(session, dialect)
        self.followups = SqlFollowUpRepository(session, dialect)
        self.audit = SqlAuditRepository(session, dialect)
        self.privacy = SqlPrivacyRepository(session, dialect)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._require(), None
        try:
            await session.rollback()  # a no-op after commit(); discards anything uncommitted
        finally:
            await session.close()

    def _require(self) -> DbSession:
        if self._session is None:
            raise RuntimeError("use the unit of work inside `async with`")
        return self._session

    async def commit(self) -> None:
        await self._require().commit()

    def in_transaction(self) -> bool:
        return self._session is not None and self._session.in_transaction()

    async def rollback(self) -> None:
        await self._require().rollback()


def make_uow_factory(engine: AsyncEngine) -> Callable[..., SqlUnitOfWork]:
    """A factory of fresh units of work on `engine` (pass it where a `UnitOfWorkFactory` goes).

    ``factory(read_only=True)`` gives one whose SQLite transaction is deferred: it reads a
    snapshot without taking the write lock, so it never waits for a writer nor holds one up.
    On SQLite, writing ones take turns at a `WriterGate`; `urgent=True` goes first (an input
    being stored before its acknowledgement)."""
    sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
    reading = async_sessionmaker(
        engine.execution_options(**{READ_ONLY: True}), expire_on_commit=False, autoflush=False
    )
    dialect = engine.dialect.name
    gate = WriterGate() if dialect == "sqlite" else None

    def factory(*, read_only: bool = False, urgent: bool = False) -> SqlUnitOfWork:
        if read_only:
            return SqlUnitOfWork(reading, dialect)
        return SqlUnitOfWork(sessions, dialect, gate=gate, urgent=urgent)

    return factory
