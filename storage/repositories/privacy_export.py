"""One person's stored data, as their export reads it (`PrivacyRepository.person_data`), over
SQL: theirs whole, or what an admin of one workspace may read of them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.privacy.model import PersonData
from bot.refs import UserRef, WorkspaceRef
from storage.repositories._base import Repository
from storage.tables import (
    BadgeRow,
    FaqEntryRow,
    FeedbackRow,
    KudosRow,
    LearningEnrollmentRow,
    LightningRow,
    LightningRsvpRow,
    MentorPauseRow,
    MentorProfileRow,
    NotMyAreaRow,
    PersonRow,
    PointsRow,
    QuestionDraftRow,
    QuestionRow,
    SummaryShareRow,
    table_of,
)

__all__ = ["PersonExport"]

PERSON = table_of(PersonRow)
MENTOR = table_of(MentorProfileRow)
QUESTION = table_of(QuestionRow)
FEEDBACK = table_of(FeedbackRow)
DRAFT = table_of(QuestionDraftRow)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _dicts(rows: Any, *, drop: Sequence[str] = ()) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row._mapping.items() if k not in drop} for row in rows]


def _resolver(question: dict[str, Any], asker: str) -> str | None:
    """Who resolved an asker's question, as the asker knows them."""
    by = question.get("resolved_by")
    if by is None:
        return None
    if by == asker:
        return "you"
    if by == question.get("mentor"):
        return "your mentor"
    return "an admin"


class PersonExport(Repository):
    """The export part of `SqlPrivacyRepository`."""

    async def _rows(
        self, stmt: sa.Select[Any], *, drop: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        return _dicts(await self._session.execute(stmt), drop=drop)

    async def person_data(
        self, user: UserRef, *, workspace: WorkspaceRef | None = None, anonymous: bool = True
    ) -> PersonData:
        key = user.key()
        q = QUESTION
        # Scoped to one workspace (an admin's export): rows of that workspace only; tables
        # without a workspace column go by their question (ratings, not-my-area) or their
        # session (lightning sign-ups); pauses recorded before they had a workspace are left out.
        here: Any = sa.true() if workspace is None else q.c.workspace == workspace.key()
        # Without `anonymous` (an export someone else reads): no question they asked
        # anonymously, and nothing that points at one (a rating, points, the draft).
        shown: Any = sa.true() if anonymous else q.c.anonymous == sa.false()
        hidden = sa.select(q.c.id).where(q.c.asker == key, q.c.anonymous == sa.true())
        in_here = sa.select(q.c.id).where(here)
        mine = sa.select(q.c.id).where(q.c.asker == key, here, shown)
        mentored = sa.select(q.c.id).where(q.c.mentor == key, here)

        def not_hidden(table: sa.Table) -> Any:
            if anonymous:
                return sa.true()
            if "anonymous" in table.c:
                return table.c.anonymous == sa.false()
            if "question_id" in table.c:
                qid = table.c.question_id
                return sa.or_(qid.is_(None), qid.not_in(hidden))
            return sa.true()

        def scoped(table: sa.Table) -> Any:
            return sa.true() if workspace is None else table.c.workspace == workspace.key()

        sections: dict[str, Any] = {
            "person": await self._rows(sa.select(PERSON).where(PERSON.c.key == key)),
            "mentor_profile": await self._rows(
                sa.select(MENTOR).where(MENTOR.c.user == key, scoped(MENTOR))
            ),
            # Their own questions, whole; what `card`/`thread` say is where they were posted.
            # Nobody they were not shown: not the mentors suggested, told or who let it go, not
            # one asked to take it over, and who resolved it as they saw it (no admin's id).
            "questions_asked": [
                {**row, "resolved_by": _resolver(row, key)}
                for row in await self._rows(
                    sa.select(q).where(q.c.asker == key, here, shown).order_by(q.c.id),
                    drop=(
                        "suggested",
                        "notified",
                        "released_by",
                        "handover_to",
                        "handover_by",
                        "version",  # bookkeeping, nothing about them
                    ),
                )
            ],
            # Sessions they mentored: not the asker's words, only what they did.
            "sessions_mentored": await self._rows(
                sa.select(
                    q.c.workspace,
                    q.c.number,
                    q.c.state,
                    q.c.topics,
                    q.c.claimed_at,
                    q.c.resolved_at,
                    q.c.closed_at,
                )
                .where(q.c.mentor == key, here)
                .order_by(q.c.id)
            ),
            "ratings_given": await self._rows(
                sa.select(FEEDBACK)
                .where(
                    FEEDBACK.c.rater == key,
                    FEEDBACK.c.question_id.in_(in_here),
                    not_hidden(FEEDBACK),
                )
                .order_by(FEEDBACK.c.id)
            ),
            # Scores others gave them (askers of their sessions; mentors on their questions'
            # clarity), without who gave them or their comments.
            "ratings_received": await self._rows(
                sa.select(
                    FEEDBACK.c.question_id, FEEDBACK.c.role, FEEDBACK.c.score, FEEDBACK.c.created_at
                )
                .where(
                    sa.or_(
                        sa.and_(FEEDBACK.c.role == "asker", FEEDBACK.c.question_id.in_(mentored)),
                        sa.and_(FEEDBACK.c.role == "mentor", FEEDBACK.c.question_id.in_(mine)),
                    )
                )
                .order_by(FEEDBACK.c.id)
            ),
        }
        lightning = table_of(LightningRow)
        rsvp = table_of(LightningRsvpRow)
        not_mine = table_of(NotMyAreaRow)
        shares = table_of(SummaryShareRow)
        for name, table, column, where in (
            ("points", table_of(PointsRow), "user", None),
            ("kudos_given", table_of(KudosRow), "giver", None),
            ("kudos_received", table_of(KudosRow), "receiver", None),
            ("badges", table_of(BadgeRow), "user", None),
            ("courses", table_of(LearningEnrollmentRow), "user", None),
            ("drafts", DRAFT, "asker", None),
            ("faq_entries", table_of(FaqEntryRow), "author", None),
            ("not_my_area", not_mine, "mentor", not_mine.c.question_id.in_(in_here)),
            # "Share summary" consents: the session's short answer shapes next-steps advice.
            ("summary_shares", shares, "user", shares.c.question_id.in_(in_here)),
            ("pauses", table_of(MentorPauseRow), "user", None),
            ("lightning_given", lightning, "speaker", None),
            (
                "lightning_signups",
                rsvp,
                "user",
                rsvp.c.lightning_id.in_(sa.select(lightning.c.id).where(scoped(lightning))),
            ),
        ):
            if workspace is not None and "workspace" not in table.c and where is None:
                continue  # a table with no way to tell its workspace
            sections[name] = await self._rows(
                sa.select(table)
                .where(
                    table.c[column] == key,
                    scoped(table) if where is None else where,
                    not_hidden(table),
                )
                .order_by(*table.primary_key.columns),
                # Who else was asked to give the session, and who said no, is theirs.
                drop=("invited", "declined") if name == "lightning_given" else (),
            )
        if not anonymous:
            # The first-question badge and the askers' course start with someone's first
            # question: when that was anonymous, their dates would point at its card.
            first = await self._first_asked_anonymously(key, here)
            sections["badges"] = [
                b
                for b in sections["badges"]
                if not (b["badge"] == "first_question" and b["workspace"] in first)
            ]
            sections["courses"] = [
                c
                for c in sections["courses"]
                if not (c["track"] == "mentee" and c["workspace"] in first)
            ]
            # A private thank-you is between two people, and the mentor of an anonymous
            # question is pointed to thank its asker privately: one's date and giver would
            # point at the anonymous session. The person gets them in their own copy.
            private_at = {
                (k["workspace"], k["at"])
                for k in sections.get("kudos_received", [])
                if k.get("private")
            }
            for name in ("kudos_given", "kudos_received"):
                if name in sections:
                    sections[name] = [k for k in sections[name] if not k.get("private")]
            # ...nor the points a private thank-you gave (stored in the same decision, so
            # at the same instant): their date would tell as much.
            sections["points"] = [
                p
                for p in sections["points"]
                if not (p["reason"] == "kudos" and (p["workspace"], p["at"]) in private_at)
            ]
        return PersonData(user=user, sections=sections, workspace=workspace)

    async def _first_asked_anonymously(self, key: str, here: Any) -> set[str]:
        """The workspaces where the first question `key` asked was anonymous."""
        q = QUESTION
        rows = await self._session.execute(
            sa.select(q.c.workspace, q.c.anonymous)
            .where(q.c.asker == key, here)
            .order_by(q.c.workspace, q.c.created_at, q.c.id)
        )
        first: dict[str, bool] = {}
        for workspace, anonymous in rows:
            first.setdefault(workspace, bool(anonymous))
        return {workspace for workspace, anonymous in first.items() if anonymous}
