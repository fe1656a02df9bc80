"""What matching learns from: topics askers picked, and sessions their askers rated well."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from bot.domain import QuestionState
from bot.matching.learned import Lesson
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import Repository
from storage.tables import FeedbackRow, QuestionRow, TopicChoiceRow, table_of

__all__ = ["SqlTopicChoiceRepository"]

CHOICE = table_of(TopicChoiceRow)
QUESTION = table_of(QuestionRow)
FEEDBACK = table_of(FeedbackRow)


class SqlTopicChoiceRepository(Repository):
    """`bot.ports.TopicChoiceRepository` over SQL."""

    async def choose_topic(
        self, *, workspace: WorkspaceRef, question_id: int, topic: str, at: datetime
    ) -> None:
        values = {
            "question_id": question_id,
            "workspace": workspace.key(),
            "topic": topic,
            "chosen_at": at,
        }
        await self._upsert(CHOICE, values, keys=["question_id"])

    async def chosen_topic(self, question_id: int) -> str | None:
        topic: str | None = await self._session.scalar(
            sa.select(CHOICE.c.topic).where(CHOICE.c.question_id == question_id)
        )
        return topic

    async def lessons(self, workspace: WorkspaceRef, *, min_rating: int) -> list[Lesson]:
        ws = workspace.key()
        rated = await self._session.execute(
            sa.select(QUESTION.c.id, QUESTION.c.text, QUESTION.c.mentor, QUESTION.c.topics)
            .join(FEEDBACK, FEEDBACK.c.question_id == QUESTION.c.id)
            .where(
                QUESTION.c.workspace == ws,
                QUESTION.c.state == QuestionState.RESOLVED.value,
                QUESTION.c.mentor.is_not(None),
                FEEDBACK.c.role == "asker",
                FEEDBACK.c.score >= min_rating,
            )
            .order_by(QUESTION.c.id)
        )
        found: dict[int, Lesson] = {
            qid: Lesson(qid, text, UserRef.from_key(mentor), tuple(topics or ()))
            for qid, text, mentor, topics in rated
        }
        picked = await self._session.execute(
            sa.select(CHOICE.c.question_id, CHOICE.c.topic, QUESTION.c.text)
            .join(QUESTION, QUESTION.c.id == CHOICE.c.question_id)
            .where(CHOICE.c.workspace == ws, CHOICE.c.topic != "")
            .order_by(CHOICE.c.question_id)
        )
        for qid, topic, text in picked:
            known = found.get(qid)
            if known is None:
                found[qid] = Lesson(qid, text, None, (topic,))
            elif topic not in known.topics:
                found[qid] = Lesson(qid, text, known.mentor, (*known.topics, topic))
        return [found[k] for k in sorted(found)]
