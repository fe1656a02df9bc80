"""Forgetting a person over SQL (`PrivacyRepository.forget` and what it needs first: where
their records are, which cards name them, which FAQ entries quote them)."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from bot.domain import QuestionState
from bot.learning.model import DraftState, neutral_faq_question
from bot.lightning.model import LightningState
from bot.privacy.model import PastCards
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import Repository
from storage.tables import (
    AuditRow,
    BadgeRow,
    DashboardTokenRow,
    FaqEntryRow,
    FeedbackRow,
    InboxRow,
    KudosRow,
    LearningEnrollmentRow,
    LightningRow,
    LightningRsvpRow,
    MentorPauseRow,
    MentorProfileRow,
    NotMyAreaRow,
    NudgeRow,
    PersonRow,
    PointsRow,
    QuestionDraftRow,
    QuestionRow,
    RateEventRow,
    RecognitionNoteRow,
    SummaryShareRow,
    WorkspaceAdminRow,
    table_of,
)

__all__ = ["Erasure", "bumped"]

AUDIT = table_of(AuditRow)
TOKEN = table_of(DashboardTokenRow)
PERSON = table_of(PersonRow)
MENTOR = table_of(MentorProfileRow)
QUESTION = table_of(QuestionRow)
FEEDBACK = table_of(FeedbackRow)
DRAFT = table_of(QuestionDraftRow)
NUDGE = table_of(NudgeRow)

# Columns that name a person, and what forgetting does with them: "keep" hands the row to the
# tombstone (the figures stay, attributed to nobody), "delete" drops rows that only matter to
# the person themselves.
_PERSON_COLUMNS: tuple[tuple[sa.Table, str, str], ...] = (
    (QUESTION, "asker", "keep"),
    (QUESTION, "mentor", "keep"),
    (QUESTION, "resolved_by", "keep"),
    (QUESTION, "handover_by", "keep"),
    (FEEDBACK, "rater", "keep"),
    (table_of(PointsRow), "user", "keep"),
    (table_of(NotMyAreaRow), "mentor", "keep"),
    (table_of(KudosRow), "giver", "keep"),
    (table_of(KudosRow), "receiver", "keep"),
    (table_of(BadgeRow), "user", "keep"),
    (table_of(FaqEntryRow), "author", "keep"),
    (table_of(SummaryShareRow), "user", "keep"),
    (table_of(LightningRow), "speaker", "keep"),
    (table_of(LightningRow), "proposed_by", "keep"),
    (table_of(LightningRsvpRow), "user", "keep"),
    (AUDIT, "actor", "keep"),
    (AUDIT, "subject", "keep"),
    (NUDGE, "target", "keep"),
    (table_of(RateEventRow), "user", "delete"),
    (table_of(MentorPauseRow), "user", "delete"),
    (table_of(RecognitionNoteRow), "user", "delete"),
    (table_of(LearningEnrollmentRow), "user", "delete"),
    (DRAFT, "asker", "delete"),
    (MENTOR, "user", "delete"),
    (TOKEN, "admin", "delete"),
    (table_of(WorkspaceAdminRow), "person", "delete"),
    (PERSON, "key", "delete"),
)


# Columns that list people (JSON lists of user keys), by table.
_PERSON_LISTS: tuple[tuple[sa.Table, tuple[str, ...]], ...] = (
    (QUESTION, ("suggested", "notified", "released_by")),
    (table_of(LightningRow), ("invited", "declined")),
)


def bumped(table: sa.Table) -> dict[str, Any]:
    """A question row rewritten here gets a new version: a decision that read it before must
    not write the old words or people back (`SqlQuestionRepository.update`)."""
    return {"version": table.c.version + 1} if table is QUESTION else {}


class Erasure(Repository):
    """The forgetting part of `SqlPrivacyRepository`."""

    async def forget(self, user: UserRef, *, tombstone: UserRef, removed: str) -> int:
        key, nobody = user.key(), tombstone.key()
        changed = await self._rowcount(
            sa.update(QUESTION)
            .where(QUESTION.c.asker == key)
            .values(text=removed, **bumped(QUESTION))
        )
        changed += await self._rowcount(
            sa.update(QUESTION)
            .where(QUESTION.c.handover_to == key)
            .values(handover_to=None, handover_by=None, **bumped(QUESTION))
        )
        changed += await self._rowcount(
            sa.update(FEEDBACK)
            .where(FEEDBACK.c.rater == key, FEEDBACK.c.comment != "")
            .values(comment=removed)
        )
        kudos = table_of(KudosRow)
        changed += await self._rowcount(
            sa.update(kudos)
            .where(sa.or_(kudos.c.giver == key, kudos.c.receiver == key))
            .values(text=removed)
        )
        changed += await self._rowcount(
            sa.update(AUDIT).where(AUDIT.c.actor == key).values(actor_name="")
        )
        # A hand-over's detail names whom it went to (`bot.questions.handover`): the tombstone.
        changed += await self._rowcount(
            sa.update(AUDIT)
            .where(AUDIT.c.action == "handover", AUDIT.c.detail == f"to {key}")
            .values(detail=f"to {nobody}")
        )
        changed += await self._replace_in_lists(key, nobody)
        # What they typed waits in processed inputs until those are pruned: drop theirs now.
        inbox = table_of(InboxRow)
        changed += await self._rowcount(
            sa.delete(inbox).where(
                inbox.c.lane == f"u:{key}", inbox.c.state.in_(("done", "failed"))
            )
        )
        # A question the FAQ answered before it was posted is a figure (`count_answered`):
        # its draft is kept, as nobody's and without the words; their other drafts go below.
        changed += await self._rowcount(
            sa.update(DRAFT)
            .where(DRAFT.c.asker == key, DRAFT.c.state == DraftState.ANSWERED.value)
            .values(asker=nobody, text=removed)
        )
        for table, column, what in _PERSON_COLUMNS:
            col = table.c[column]
            if what == "delete":
                changed += await self._rowcount(sa.delete(table).where(col == key))
            else:
                changed += await self._rowcount(
                    sa.update(table).where(col == key).values({column: nobody, **bumped(table)})
                )
        return changed

    async def unquote_faq(self, user: UserRef) -> int:
        faq = table_of(FaqEntryRow)
        asked = sa.select(QUESTION.c.id).where(QUESTION.c.asker == user.key())
        rows = await self._session.execute(
            sa.select(faq.c.id, faq.c.question, faq.c.topics).where(faq.c.question_id.in_(asked))
        )
        changed = 0
        for row in rows.all():
            neutral = neutral_faq_question(row.topics or ())
            if row.question != neutral:
                changed += await self._rowcount(
                    sa.update(faq).where(faq.c.id == row.id).values(question=neutral)
                )
        return changed

    async def _replace_in_lists(self, key: str, nobody: str) -> int:
        """Rows that list the person (a question's suggested, notified and released mentors; a
        lightning session's invited and declined): the tombstone in their place (JSON lists, so
        read, rewritten and written back)."""
        quoted = json.dumps(key)
        changed = 0
        for table, names in _PERSON_LISTS:
            columns = [table.c[name] for name in names]
            rows = await self._session.execute(
                sa.select(table.c.id, *columns).where(
                    sa.or_(
                        *(sa.cast(c, sa.Text).contains(quoted, autoescape=True) for c in columns)
                    )
                )
            )
            for row in rows.all():
                values = {
                    name: [nobody if k == key else k for k in row._mapping[name]]
                    for name in names
                    if key in row._mapping[name]
                }
                if values:
                    changed += await self._rowcount(
                        sa.update(table)
                        .where(table.c.id == row.id)
                        .values({**values, **bumped(table)})
                    )
        return changed

    async def asked_by(self, user: UserRef) -> list[tuple[WorkspaceRef, int]]:
        rows = await self._session.execute(
            sa.select(QUESTION.c.workspace, QUESTION.c.id)
            .where(QUESTION.c.asker == user.key())
            .order_by(QUESTION.c.id)
        )
        return [(WorkspaceRef.from_key(ws), qid) for ws, qid in rows]

    async def past_cards_of(self, user: UserRef, *, limit: int) -> PastCards:
        key = user.key()
        lightning = table_of(LightningRow)
        q = QUESTION
        closed = [s.value for s in QuestionState if s.is_final]
        # The newest `limit` of each kind: a long-time asker's closed cards don't crowd out
        # the "helped by" ones (nor those theirs).
        kinds = (
            sa.and_(q.c.mentor == key, q.c.state == QuestionState.RESOLVED.value),
            # "Asked by" them, above their words; an anonymous card names nobody (and
            # redrawing it would point at them).
            sa.and_(q.c.asker == key, q.c.anonymous == sa.false(), q.c.state.in_(closed)),
        )
        found: set[int] = set()
        for kind in kinds:
            newest = sa.select(q.c.id).where(q.c.card.is_not(None), kind)
            rows = await self._session.execute(newest.order_by(q.c.id.desc()).limit(limit))
            found.update(qid for (qid,) in rows)
        sessions = await self._session.execute(
            sa.select(lightning.c.id)
            .where(
                lightning.c.speaker == key,
                lightning.c.card.is_not(None),
                lightning.c.state.in_((LightningState.HELD.value, LightningState.CANCELLED.value)),
            )
            .order_by(lightning.c.id.desc())
            .limit(limit)
        )
        kudos = table_of(KudosRow)
        thanks = await self._session.execute(
            sa.select(kudos.c.id)
            .where(
                sa.or_(kudos.c.giver == key, kudos.c.receiver == key),
                kudos.c.card.is_not(None),
            )
            .order_by(kudos.c.id.desc())
            .limit(limit)
        )
        return PastCards(
            questions=tuple(sorted(found, reverse=True)),
            lightning=tuple(lid for (lid,) in sessions),
            kudos=tuple(kid for (kid,) in thanks),
        )

    async def workspaces_of(self, user: UserRef) -> set[WorkspaceRef]:
        key = user.key()
        q = QUESTION
        lightning, rsvp = table_of(LightningRow), table_of(LightningRsvpRow)
        parts: list[sa.Select[Any]] = [
            sa.select(q.c.workspace).where(
                sa.or_(
                    q.c.asker == key,
                    q.c.mentor == key,
                    q.c.resolved_by == key,
                    q.c.handover_to == key,
                    q.c.handover_by == key,
                )
            ),
            sa.select(lightning.c.workspace).where(
                sa.or_(lightning.c.speaker == key, lightning.c.proposed_by == key)
            ),
            sa.select(lightning.c.workspace)
            .join(rsvp, rsvp.c.lightning_id == lightning.c.id)
            .where(rsvp.c.user == key),
            sa.select(AUDIT.c.workspace).where(AUDIT.c.actor == key),
        ]
        # Rows that list them (a question they released — they may not claim it again —, were
        # suggested or DM'd about; a lightning talk they were invited to or declined): forget
        # rewrites these too (`_replace_in_lists`, the same JSON-contains test).
        quoted = json.dumps(key)
        for table, names in _PERSON_LISTS:
            parts.append(
                sa.select(table.c.workspace).where(
                    sa.or_(
                        *(
                            sa.cast(table.c[name], sa.Text).contains(quoted, autoescape=True)
                            for name in names
                        )
                    )
                )
            )
        for table, column in (
            (MENTOR, "user"),
            # Admin of a workspace: a record of it (erasing them would end their role there).
            (table_of(WorkspaceAdminRow), "person"),
            (table_of(PointsRow), "user"),
            (table_of(KudosRow), "giver"),
            (table_of(KudosRow), "receiver"),
            (table_of(BadgeRow), "user"),
            (table_of(LearningEnrollmentRow), "user"),
            (DRAFT, "asker"),
            (table_of(FaqEntryRow), "author"),
            # Their asks and claims of the last `[limits]` window (deleted on forget).
            (table_of(RateEventRow), "user"),
        ):
            parts.append(sa.select(table.c.workspace).where(table.c[column] == key))
        for table, column in (
            (FEEDBACK, "rater"),
            (table_of(NotMyAreaRow), "mentor"),
            (table_of(SummaryShareRow), "user"),
        ):
            parts.append(
                sa.select(q.c.workspace)
                .join(table, table.c.question_id == q.c.id)
                .where(table.c[column] == key)
            )
        rows = await self._session.execute(sa.union(*parts))
        return {WorkspaceRef.from_key(ws) for (ws,) in rows}
