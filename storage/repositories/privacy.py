"""People's data rights, retention, the audit trail and dashboard sign-ins, over SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import QuestionState
from bot.learning.model import neutral_faq_question
from bot.lightning.model import LightningState
from bot.privacy.model import AuditEntry, DashboardGrant, PastCards, PersonData
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

__all__ = ["SqlAuditRepository", "SqlPrivacyRepository"]

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


def _bumped(table: sa.Table) -> dict[str, Any]:
    """A question row rewritten here gets a new version: a decision that read it before must
    not write the old words or people back (`SqlQuestionRepository.update`)."""
    return {"version": table.c.version + 1} if table is QUESTION else {}


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


def _audit(row: sa.Row[Any]) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        workspace=WorkspaceRef.from_key(row.workspace),
        actor=UserRef.from_key(row.actor),
        actor_name=row.actor_name,
        action=row.action,
        subject=row.subject,
        detail=row.detail,
        at=row.at,
    )


class SqlAuditRepository(Repository):
    """`bot.ports.AuditRepository` over SQL."""

    async def add(self, entry: AuditEntry) -> None:
        await self._session.execute(
            sa.insert(AUDIT).values(
                workspace=entry.workspace.key(),
                actor=entry.actor.key(),
                actor_name=entry.actor_name,
                action=entry.action,
                subject=entry.subject,
                detail=entry.detail,
                at=entry.at,
            )
        )

    async def recent(
        self,
        workspaces: Sequence[WorkspaceRef],
        *,
        limit: int,
        action: str = "",
        actor: UserRef | None = None,
    ) -> list[AuditEntry]:
        stmt = sa.select(AUDIT).where(AUDIT.c.workspace.in_([w.key() for w in workspaces]))
        if action:
            stmt = stmt.where(AUDIT.c.action == action)
        if actor is not None:
            stmt = stmt.where(AUDIT.c.actor == actor.key())
        rows = await self._session.execute(
            stmt.order_by(AUDIT.c.at.desc(), AUDIT.c.id.desc()).limit(limit)
        )
        return [_audit(row) for row in rows]


class SqlPrivacyRepository(Repository):
    """`bot.ports.PrivacyRepository` over SQL."""

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
        for name, table, column, where in (
            ("points", table_of(PointsRow), "user", None),
            ("kudos_given", table_of(KudosRow), "giver", None),
            ("kudos_received", table_of(KudosRow), "receiver", None),
            ("badges", table_of(BadgeRow), "user", None),
            ("courses", table_of(LearningEnrollmentRow), "user", None),
            ("drafts", DRAFT, "asker", None),
            ("faq_entries", table_of(FaqEntryRow), "author", None),
            ("not_my_area", not_mine, "mentor", not_mine.c.question_id.in_(in_here)),
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

    async def forget(self, user: UserRef, *, tombstone: UserRef, removed: str) -> int:
        key, nobody = user.key(), tombstone.key()
        changed = await self._rowcount(
            sa.update(QUESTION)
            .where(QUESTION.c.asker == key)
            .values(text=removed, **_bumped(QUESTION))
        )
        changed += await self._rowcount(
            sa.update(QUESTION)
            .where(QUESTION.c.handover_to == key)
            .values(handover_to=None, handover_by=None, **_bumped(QUESTION))
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
        changed += await self._replace_in_lists(key, nobody)
        # What they typed waits in processed inputs until those are pruned: drop theirs now.
        inbox = table_of(InboxRow)
        changed += await self._rowcount(
            sa.delete(inbox).where(
                inbox.c.lane == f"u:{key}", inbox.c.state.in_(("done", "failed"))
            )
        )
        for table, column, what in _PERSON_COLUMNS:
            col = table.c[column]
            if what == "delete":
                changed += await self._rowcount(sa.delete(table).where(col == key))
            else:
                changed += await self._rowcount(
                    sa.update(table).where(col == key).values({column: nobody, **_bumped(table)})
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
                        .values({**values, **_bumped(table)})
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
        questions = await self._session.execute(
            sa.select(QUESTION.c.id)
            .where(
                QUESTION.c.mentor == key,
                QUESTION.c.card.is_not(None),
                QUESTION.c.state == QuestionState.RESOLVED.value,
            )
            .order_by(QUESTION.c.id.desc())
            .limit(limit)
        )
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
        return PastCards(
            questions=tuple(qid for (qid,) in questions),
            lightning=tuple(lid for (lid,) in sessions),
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

    async def mark_left(self, user: UserRef, at: datetime) -> None:
        await self._session.execute(
            sa.update(PERSON)
            .where(PERSON.c.key == user.key(), PERSON.c.left_at.is_(None))
            .values(left_at=at)
        )

    async def mark_back(self, user: UserRef) -> None:
        await self._session.execute(
            sa.update(PERSON)
            .where(PERSON.c.key == user.key(), PERSON.c.left_at.is_not(None))
            .values(left_at=None)
        )

    async def left_at(self, user: UserRef) -> datetime | None:
        found: datetime | None = await self._session.scalar(
            sa.select(PERSON.c.left_at).where(PERSON.c.key == user.key())
        )
        return found

    async def redact_texts(self, before: datetime, *, removed: str) -> tuple[int, int]:
        texts = await self._rowcount(
            sa.update(QUESTION)
            .where(QUESTION.c.created_at < before, ~QUESTION.c.text.startswith("[removed"))
            .values(text=removed, **_bumped(QUESTION))
        )
        texts += await self._rowcount(
            sa.update(DRAFT)
            .where(DRAFT.c.created_at < before, ~DRAFT.c.text.startswith("[removed"))
            .values(text=removed)
        )
        # An FAQ entry's question is not redacted: it is the entry's own published text, like
        # its answer (its asker was told of it and may take their words out, `unquote_faq`).
        comments = await self._rowcount(
            sa.update(FEEDBACK)
            .where(
                FEEDBACK.c.created_at < before,
                FEEDBACK.c.comment != "",
                ~FEEDBACK.c.comment.startswith("[removed"),
            )
            .values(comment=removed)
        )
        return texts, comments

    async def prune_logs(self, before: datetime) -> int:
        finished = NUDGE.c.state.in_(("sent", "cancelled", "failed"))
        gone = await self._rowcount(
            sa.delete(NUDGE).where(
                finished, sa.func.coalesce(NUDGE.c.sent_at, NUDGE.c.due_at) < before
            )
        )
        gone += await self._rowcount(sa.delete(TOKEN).where(TOKEN.c.expires_at < before))
        return gone

    async def add_grant(
        self, token_hash: str, kind: str, grant: DashboardGrant, at: datetime
    ) -> None:
        await self._session.execute(
            sa.insert(TOKEN).values(
                token_hash=token_hash,
                kind=kind,
                admin=grant.admin.key(),
                admin_name=grant.admin_name,
                workspaces=[w.key() for w in grant.workspaces],
                created_at=at,
                expires_at=grant.expires_at,
            )
        )

    async def use_grant(self, token_hash: str, kind: str, at: datetime) -> DashboardGrant | None:
        live = (TOKEN.c.token_hash == token_hash, TOKEN.c.kind == kind, TOKEN.c.expires_at > at)
        if kind == "link":
            # One conditional UPDATE: of two uses of the same link (even at once) one wins.
            taken = await self._rowcount(
                sa.update(TOKEN).where(*live, TOKEN.c.used_at.is_(None)).values(used_at=at)
            )
            if not taken:
                return None
        row = (await self._session.execute(sa.select(TOKEN).where(*live))).first()
        if row is None:
            return None
        return DashboardGrant(
            admin=UserRef.from_key(row.admin),
            admin_name=row.admin_name,
            workspaces=tuple(WorkspaceRef.from_key(w) for w in row.workspaces),
            expires_at=row.expires_at,
        )

    async def end_grant(self, token_hash: str) -> None:
        await self._session.execute(sa.delete(TOKEN).where(TOKEN.c.token_hash == token_hash))
