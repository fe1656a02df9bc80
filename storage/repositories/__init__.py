"""SQL implementations of the repository ports in `bot.ports`, returning domain objects."""

from storage.repositories.activity import (
    SqlFeedbackRepository,
    SqlNotMyAreaRepository,
    SqlPointsRepository,
    SqlRateEventRepository,
)
from storage.repositories.learning import SqlLearningRepository
from storage.repositories.nudges import SqlNudgeRepository
from storage.repositories.once import SqlDigestRunRepository
from storage.repositories.people import (
    SqlMentorRepository,
    SqlPersonRepository,
    SqlWorkspaceRepository,
)
from storage.repositories.questions import SqlQuestionRepository
from storage.repositories.queues import SqlInboxRepository, SqlOutboxRepository

__all__ = [
    "SqlDigestRunRepository",
    "SqlFeedbackRepository",
    "SqlInboxRepository",
    "SqlLearningRepository",
    "SqlMentorRepository",
    "SqlNotMyAreaRepository",
    "SqlNudgeRepository",
    "SqlOutboxRepository",
    "SqlPersonRepository",
    "SqlPointsRepository",
    "SqlQuestionRepository",
    "SqlRateEventRepository",
    "SqlWorkspaceRepository",
]
