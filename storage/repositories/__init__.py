"""SQL implementations of the repository ports in `bot.ports`, returning domain objects."""

from storage.repositories.activity import (
    SqlFeedbackRepository,
    SqlNotMyAreaRepository,
    SqlPointsRepository,
    SqlRateEventRepository,
)
from storage.repositories.learning import (
    SqlDraftRepository,
    SqlFaqRepository,
    SqlFollowUpRepository,
    SqlLearningRepository,
)
from storage.repositories.lightning import SqlLightningRepository
from storage.repositories.nudges import SqlNudgeRepository
from storage.repositories.once import SqlDigestRunRepository
from storage.repositories.people import (
    SqlMentorRepository,
    SqlPersonRepository,
    SqlWorkspaceRepository,
)
from storage.repositories.privacy import SqlAuditRepository, SqlPrivacyRepository
from storage.repositories.questions import SqlQuestionRepository
from storage.repositories.queues import SqlInboxRepository, SqlOutboxRepository
from storage.repositories.recognition import (
    SqlBadgeRepository,
    SqlKudosRepository,
    SqlStreakRepository,
)
from storage.repositories.topic_choice import SqlTopicChoiceRepository

__all__ = [
    "SqlAuditRepository",
    "SqlBadgeRepository",
    "SqlDigestRunRepository",
    "SqlDraftRepository",
    "SqlFaqRepository",
    "SqlFeedbackRepository",
    "SqlFollowUpRepository",
    "SqlInboxRepository",
    "SqlKudosRepository",
    "SqlLearningRepository",
    "SqlLightningRepository",
    "SqlMentorRepository",
    "SqlNotMyAreaRepository",
    "SqlNudgeRepository",
    "SqlOutboxRepository",
    "SqlPersonRepository",
    "SqlPointsRepository",
    "SqlPrivacyRepository",
    "SqlQuestionRepository",
    "SqlRateEventRepository",
    "SqlStreakRepository",
    "SqlTopicChoiceRepository",
    "SqlWorkspaceRepository",
]
