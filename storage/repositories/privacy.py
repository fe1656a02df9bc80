"""People's data rights, retention and dashboard sign-ins, over SQL: `SqlPrivacyRepository`
puts together the export (`privacy_export`) and forgetting (`privacy_erase`) with what is
left here (who left, retention, sign-in grants); the audit trail is `privacy_audit`'s."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.privacy.model import DashboardGrant
from bot.refs import UserRef, WorkspaceRef
from storage.repositories.privacy_audit import SqlAuditRepository
from storage.repositories.privacy_erase import Erasure, bumped
from storage.repositories.privacy_export import PersonExport
from storage.tables import (
    DashboardTokenRow,
    FeedbackRow,
    NudgeRow,
    PersonRow,
    QuestionDraftRow,
    QuestionRow,
    table_of,
)

__all__ = ["SqlAuditRepository", "SqlPrivacyRepository"]

TOKEN = table_of(DashboardTokenRow)
PERSON = table_of(PersonRow)
QUESTION = table_of(QuestionRow)
FEEDBACK = table_of(FeedbackRow)
DRAFT = table_of(QuestionDraftRow)
NUDGE = table_of(NudgeRow)


def _grant(row: sa.Row[Any]) -> DashboardGrant:
    return DashboardGrant(
        admin=UserRef.from_key(row.admin),
        admin_name=row.admin_name,
        workspaces=tuple(WorkspaceRef.from_key(w) for w in row.workspaces),
        expires_at=row.expires_at,
    )


class SqlPrivacyRepository(PersonExport, Erasure):
    """`bot.ports.PrivacyRepository` over SQL."""

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
            .values(text=removed, **bumped(QUESTION))
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
        return None if row is None else _grant(row)

    async def peek_grant(self, token_hash: str, kind: str, at: datetime) -> DashboardGrant | None:
        live = (TOKEN.c.token_hash == token_hash, TOKEN.c.kind == kind, TOKEN.c.expires_at > at)
        row = (
            await self._session.execute(sa.select(TOKEN).where(*live, TOKEN.c.used_at.is_(None)))
        ).first()
        return None if row is None else _grant(row)

    async def end_grant(self, token_hash: str) -> None:
        await self._session.execute(sa.delete(TOKEN).where(TOKEN.c.token_hash == token_hash))
