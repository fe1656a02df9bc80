"""Learned expertise: who helped with questions like this one, and which topics they were, per
workspace.

Every resolved session the asker rated well is a *lesson* (the question's text, its mentor, its
topics); so is a topic an asker picked when the bot was unsure (text and topic, no mentor). A new
question is compared with the lessons of its own workspace; the `neighbours` closest count, each
by its *likeness*: the share of the new question's words (weighted by a smoothed IDF, so that a
theme every lesson shares still counts) that the lesson holds, 0-1. A mentor's or a topic's learned
score combines the likenesses of its lessons as independent evidence,
``1 − Π(1 − likeness)``, so two lessons at 0.5 make 0.75. Lessons below `min_likeness` are
ignored. Nothing crosses workspaces. Built from the database at start; taught on every good
rating and every topic picked.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from bot.matching._text import content_terms
from bot.matching.bm25 import Bm25Index
from bot.refs import UserRef, WorkspaceRef

__all__ = ["LearnedExpertise", "Lesson"]


@dataclass(frozen=True, slots=True)
class Lesson:
    """One thing learned: a question (by id), its text, who helped well, the topics it was about."""

    question_id: int
    text: str
    mentor: UserRef | None = None
    topics: tuple[str, ...] = ()


class _Workspace:
    def __init__(self) -> None:
        self.index: Bm25Index[int] = Bm25Index()
        self.lessons: dict[int, Lesson] = {}


class LearnedExpertise:
    """The lessons of every workspace, each workspace on its own."""

    def __init__(self, *, neighbours: int = 8, min_likeness: float = 0.3) -> None:
        self.neighbours = neighbours
        self.min_likeness = min_likeness
        self._spaces: dict[WorkspaceRef, _Workspace] = {}

    def __len__(self) -> int:
        return sum(len(s.lessons) for s in self._spaces.values())

    def count(self, workspace: WorkspaceRef) -> int:
        space = self._spaces.get(workspace)
        return len(space.lessons) if space else 0

    def teach(self, workspace: WorkspaceRef, lesson: Lesson) -> None:
        """Learn `lesson` (merged with what is known of the same question: a picked topic and
        a good rating of the same question make one lesson)."""
        space = self._spaces.setdefault(workspace, _Workspace())
        known = space.lessons.get(lesson.question_id)
        if known is not None:
            lesson = Lesson(
                lesson.question_id,
                lesson.text or known.text,
                lesson.mentor or known.mentor,
                tuple(dict.fromkeys((*known.topics, *lesson.topics))),
            )
        space.lessons[lesson.question_id] = lesson
        space.index.add(lesson.question_id, lesson.text)

    def teach_many(self, workspace: WorkspaceRef, lessons: Iterable[Lesson]) -> None:
        for lesson in lessons:
            self.teach(workspace, lesson)

    def forget(self, workspace: WorkspaceRef, question_id: int) -> bool:
        space = self._spaces.get(workspace)
        if space is None or space.lessons.pop(question_id, None) is None:
            return False
        space.index.remove(question_id)
        return True

    def forget_mentor(self, mentor: UserRef) -> int:
        """A forgotten mentor's name leaves every lesson (each lesson's text and topics stay:
        they are the asker's); how many lessons named them."""
        changed = 0
        for space in self._spaces.values():
            for qid, lesson in list(space.lessons.items()):
                if lesson.mentor == mentor:
                    space.lessons[qid] = Lesson(qid, lesson.text, None, lesson.topics)
                    changed += 1
        return changed

    def forget_workspace(self, workspace: WorkspaceRef) -> None:
        self._spaces.pop(workspace, None)

    def nearest(
        self, workspace: WorkspaceRef, text: str, *, exclude: int | None = None
    ) -> list[tuple[Lesson, float]]:
        """The closest lessons of `workspace` with their likeness (0-1), best first."""
        space = self._spaces.get(workspace)
        if space is None or not space.lessons:
            return []
        likeness = space.index.coverage(content_terms(text))
        best = sorted(likeness.items(), key=lambda kv: (-kv[1], -kv[0]))
        out: list[tuple[Lesson, float]] = []
        for qid, like in best:
            if qid == exclude:
                continue
            if like < self.min_likeness or len(out) >= self.neighbours:
                break
            out.append((space.lessons[qid], round(min(like, 1.0), 4)))
        return out

    def helped(
        self, workspace: WorkspaceRef, text: str, *, exclude: int | None = None
    ) -> dict[UserRef, float]:
        """Mentors who helped well with similar questions here, each with a 0-1 score."""
        return _combine(
            (lesson.mentor, like)
            for lesson, like in self.nearest(workspace, text, exclude=exclude)
            if lesson.mentor is not None
        )

    def topics(
        self, workspace: WorkspaceRef, text: str, *, exclude: int | None = None
    ) -> dict[str, float]:
        """Topics that similar questions here were about, each with a 0-1 score."""
        return _combine(
            (topic, like)
            for lesson, like in self.nearest(workspace, text, exclude=exclude)
            for topic in lesson.topics
        )


K = TypeVar("K", bound=Hashable)


def _combine(pairs: Iterable[tuple[K, float]]) -> dict[K, float]:
    missing: dict[K, float] = {}
    for key, likeness in pairs:
        missing[key] = missing.get(key, 1.0) * (1.0 - likeness)
    return {key: round(1.0 - rest, 4) for key, rest in missing.items()}
