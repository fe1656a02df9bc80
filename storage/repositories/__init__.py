"""SQL implementations of the repository ports in `bot.ports`, returning domain objects."""

from storage.repositories.activity import (
    SqlFeedbackRepository,
    SqlNotMyAreaRepository,
    SqlPointsRepository,
)
from storage.repositories.directory import (
    SqlMentorRepository,
    SqlPersonRepository,
    SqlWorkspaceRepository,
)
from storage.repositories.nudges import SqlNudgeRepository
from storage.repositories.once import SqlDigestRunRepository, SqlProcessedEventRepository
from storage.repositories.questions import SqlQuestionRepository

__all__ = [
    "SqlDigestRunRepository",
    "SqlFeedbackRepository",
    "SqlMentorRepository",
    "SqlNotMyAreaRepository",
    "SqlNudgeRepository",
    "SqlPersonRepository",
    "SqlPointsRepository",
    "SqlProcessedEventRepository",
    "SqlQuestionRepository",
    "SqlWorkspaceRepository",
]
