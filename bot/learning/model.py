"""The learning feature's plain data: course progress, coached drafts, FAQ entries, next steps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "Draft",
    "DraftState",
    "Enrollment",
    "FaqEntry",
    "FaqState",
    "NextSteps",
    "Resource",
    "SuggestionRequest",
    "Track",
    "neutral_faq_question",
]


class Track(StrEnum):
    """Which course: for askers (how to ask well) or for mentors (how to run a short session)."""

    MENTEE = "mentee"
    MENTOR = "mentor"


@dataclass(slots=True)
class Enrollment:
    """Someone's progress through one course."""

    user: UserRef
    workspace: WorkspaceRef
    track: Track
    started_at: datetime
    next_lesson: int = 1  # the lesson (1-based) that comes next
    last_sent_at: datetime | None = None
    # When the last lesson was sent: no lesson is to come. The course is complete only once
    # that lesson's quick check is answered too (its number in `checks_answered`).
    completed_at: datetime | None = None
    stopped_at: datetime | None = None
    checks_right: int = 0
    checks_answered: tuple[int, ...] = ()  # lessons whose quick check was answered

    @property
    def active(self) -> bool:
        return self.completed_at is None and self.stopped_at is None


class DraftState(StrEnum):
    PENDING = "pending"  # shown to the asker with [Post as is] [Edit] (or [That answers it])
    POSTED = "posted"
    EDITED = "edited"  # replaced by an edited question (or handed back to edit)
    REPLACED = "replaced"  # its asker asked again in the workspace while it waited
    ANSWERED = "answered"  # [That answers it]: an FAQ entry offered with it answered it


@dataclass(slots=True)
class Draft:
    """A question held back for coaching, or for an FAQ entry that likely answers it: only its
    asker sees it until posted."""

    workspace: WorkspaceRef
    asker: UserRef
    text: str
    created_at: datetime
    anonymous: bool = False
    stage: str | None = None
    state: DraftState = DraftState.PENDING
    id: int | None = None

    @property
    def number(self) -> int:
        assert self.id is not None, "draft not stored yet"
        return self.id


class FaqState(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


@dataclass(slots=True)
class FaqEntry:
    """A short answer a mentor saved from a resolved session, kept true by re-verification."""

    workspace: WorkspaceRef
    question_id: int
    author: UserRef
    question: str
    answer: str
    created_at: datetime
    verified_at: datetime
    topics: tuple[str, ...] = ()
    state: FaqState = FaqState.ACTIVE
    updated_at: datetime | None = None
    id: int | None = None

    @property
    def number(self) -> int:
        assert self.id is not None, "FAQ entry not stored yet"
        return self.id


def neutral_faq_question(topics: Sequence[str]) -> str:
    """An FAQ entry's question in nobody's words: what its asker gets when they take their
    words out, and what forgetting an asker leaves. Its topics still find it."""
    return f"A question about {', '.join(topics)}" if topics else "A question from a session"


@dataclass(frozen=True, slots=True)
class Resource:
    """Something to read (with a link) or to practise (no link)."""

    title: str
    url: str = ""


@dataclass(frozen=True, slots=True)
class SuggestionRequest:
    """What a suggester may know about a session: the question and its topics, and the
    mentor's short summary only when both people pressed "Share summary". Never the thread."""

    question: str
    topics: tuple[str, ...]
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class NextSteps:
    """Suggestions after a session: related topics to explore and resources."""

    topics: tuple[str, ...] = ()
    resources: tuple[Resource, ...] = ()
    source: str = "offline"  # offline | llm
