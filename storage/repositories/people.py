"""People, mentor profiles and workspaces: who is who and where the bot posts."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from bot.domain import MentorProfile, Person, Workspace
from bot.hours import WeeklyHours
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from storage.repositories._base import Repository
from storage.tables import (
    AuditRow,
    KudosRow,
    LightningRow,
    LightningRsvpRow,
    MentorProfileRow,
    PersonRow,
    QuestionRow,
    UnusableChannelRow,
    WorkspaceAdminRow,
    WorkspaceRow,
    table_of,
)

__all__ = [
    "SqlMentorRepository",
    "SqlPersonRepository",
    "SqlWorkspaceRepository",
]

PERSON = table_of(PersonRow)
MENTOR = table_of(MentorProfileRow)
WORKSPACE = table_of(WorkspaceRow)
QUESTION = table_of(QuestionRow)
ADMIN = table_of(WorkspaceAdminRow)
UNUSABLE = table_of(UnusableChannelRow)
KUDOS = table_of(KudosRow)
LIGHTNING = table_of(LightningRow)
RSVP = table_of(LightningRsvpRow)
AUDIT = table_of(AuditRow)


_PAGE = 500  # mentor profiles read per statement (see in_workspace)


def _person(row: sa.Row[Any]) -> Person:
    return Person(
        ref=UserRef.from_key(row.key),
        name=row.name,
        timezone=row.timezone,
        left_at=row.left_at,
    )


def _seen_in(ws: str) -> sa.Subquery:
    """Who an admin of workspace `ws` may find (column ``k``): who asked there by name,
    mentored there or has a mentor profile there, gave or received public kudos there, spoke at,
    proposed or signed up for a lightning session there, and its admins (recorded as one, or
    seen acting as one in its audit trail: ``[bot] admins`` too). Someone who only asked
    anonymously is not among them: their appearing would point at the anonymous question
    asked then. So nothing that follows from asking alone counts (badges, the askers' course,
    drafts); each of these is something they did, or were thanked for, in the open."""
    return sa.union(
        sa.select(QUESTION.c.asker.label("k")).where(
            QUESTION.c.workspace == ws, QUESTION.c.anonymous == sa.false()
        ),
        sa.select(QUESTION.c.mentor.label("k")).where(
            QUESTION.c.workspace == ws, QUESTION.c.mentor.is_not(None)
        ),
        sa.select(MENTOR.c.user.label("k")).where(MENTOR.c.workspace == ws),
        # Public kudos only: a private one is between two people (and the mentor of an
        # anonymous question is pointed to thank its asker privately: their appearing here
        # then would tell whose it was).
        sa.select(KUDOS.c.giver.label("k")).where(
            KUDOS.c.workspace == ws, KUDOS.c.private == sa.false()
        ),
        sa.select(KUDOS.c.receiver.label("k")).where(
            KUDOS.c.workspace == ws, KUDOS.c.private == sa.false()
        ),
        sa.select(LIGHTNING.c.speaker.label("k")).where(
            LIGHTNING.c.workspace == ws, LIGHTNING.c.speaker.is_not(None)
        ),
        sa.select(LIGHTNING.c.proposed_by.label("k")).where(
            LIGHTNING.c.workspace == ws, LIGHTNING.c.proposed_by.is_not(None)
        ),
        sa.select(RSVP.c.user.label("k"))
        .join(LIGHTNING, LIGHTNING.c.id == RSVP.c.lightning_id)
        .where(LIGHTNING.c.workspace == ws),
        sa.select(ADMIN.c.person.label("k")).where(ADMIN.c.workspace == ws),
        sa.select(AUDIT.c.actor.label("k")).where(AUDIT.c.workspace == ws),
    ).subquery()


class SqlPersonRepository(Repository):
    """`bot.ports.PersonRepository` over SQL."""

    async def get(self, ref: UserRef) -> Person | None:
        row = (
            await self._session.execute(sa.select(PERSON).where(PERSON.c.key == ref.key()))
        ).first()
        return None if row is None else _person(row)

    async def get_many(self, refs: Sequence[UserRef]) -> dict[UserRef, Person]:
        if not refs:
            return {}
        keys = sorted({r.key() for r in refs})
        rows = await self._session.execute(sa.select(PERSON).where(PERSON.c.key.in_(keys)))
        people = (_person(row) for row in rows)
        return {p.ref: p for p in people}

    async def upsert(self, person: Person) -> None:
        values = {
            "key": person.ref.key(),
            "name": person.name,
            "timezone": person.timezone,
        }
        await self._upsert(PERSON, values, keys=["key"])

    async def admin_of(self, ref: UserRef) -> set[WorkspaceRef]:
        rows = await self._session.execute(
            sa.select(ADMIN.c.workspace).where(ADMIN.c.person == ref.key())
        )
        return {WorkspaceRef.from_key(ws) for (ws,) in rows}

    async def set_admin(self, ref: UserRef, workspace: WorkspaceRef, admin: bool) -> None:
        values = {"person": ref.key(), "workspace": workspace.key()}
        if admin:
            await self._insert_once(ADMIN, values)
        else:
            await self._session.execute(
                sa.delete(ADMIN).where(
                    ADMIN.c.person == values["person"], ADMIN.c.workspace == values["workspace"]
                )
            )

    async def seen_in(
        self, workspace: WorkspaceRef, query: str, *, limit: int, offset: int = 0
    ) -> tuple[list[tuple[UserRef, str, bool, datetime | None]], int]:
        ws = workspace.key()
        seen = _seen_in(ws)
        where: list[sa.ColumnElement[bool]] = [PERSON.c.key.in_(sa.select(seen.c.k))]
        if query.strip():
            typed = query.strip().lower()  # `%` and `_` are what was typed, not wildcards
            where.append(
                sa.or_(
                    sa.func.lower(PERSON.c.name).contains(typed, autoescape=True),
                    sa.func.lower(PERSON.c.key).contains(typed, autoescape=True),
                )
            )
        mentoring = (
            sa.select(MENTOR.c.user)
            .where(
                MENTOR.c.user == PERSON.c.key,
                MENTOR.c.workspace == ws,
                MENTOR.c.active.is_(True),
            )
            .exists()
        )
        total = (
            await self._session.execute(
                sa.select(sa.func.count()).select_from(PERSON).where(*where)
            )
        ).scalar_one()
        rows = await self._session.execute(
            sa.select(PERSON.c.key, PERSON.c.name, PERSON.c.left_at, mentoring.label("active"))
            .where(*where)
            # By name as people read it ("alice" before "Zoë"), on SQLite and PostgreSQL alike.
            .order_by(sa.func.lower(PERSON.c.name), PERSON.c.key)
            .limit(limit)
            .offset(offset)
        )
        found = [(UserRef.from_key(r.key), r.name, bool(r.active), r.left_at) for r in rows]
        return found, int(total)

    async def is_seen_in(self, workspace: WorkspaceRef, user: UserRef) -> bool:
        seen = _seen_in(workspace.key())
        found = await self._session.execute(
            sa.select(seen.c.k).where(seen.c.k == user.key()).limit(1)
        )
        return found.first() is not None


def _mentor(row: sa.Row[Any]) -> MentorProfile:
    return MentorProfile(
        ref=UserRef.from_key(row.user),
        workspace=WorkspaceRef.from_key(row.workspace),
        skills=tuple(row.skills),
        timezone=row.timezone,
        hours=WeeklyHours.parse(row.hours),
        capacity_per_week=row.capacity_per_week,
        paused_until=row.paused_until,
        joined_at=row.joined_at,
        active=row.active,
        about=row.about or "",
        stage=row.stage,
        region=row.region or "",
    )


class SqlMentorRepository(Repository):
    """`bot.ports.MentorRepository` over SQL."""

    async def get(self, ref: UserRef, workspace: WorkspaceRef) -> MentorProfile | None:
        stmt = sa.select(MENTOR).where(
            MENTOR.c.user == ref.key(), MENTOR.c.workspace == workspace.key()
        )
        row = (await self._session.execute(stmt)).first()
        return None if row is None else _mentor(row)

    async def get_many(
        self, refs: Sequence[UserRef], workspace: WorkspaceRef
    ) -> dict[UserRef, MentorProfile]:
        if not refs:
            return {}
        keys = sorted({r.key() for r in refs})
        rows = await self._session.execute(
            sa.select(MENTOR).where(MENTOR.c.workspace == workspace.key(), MENTOR.c.user.in_(keys))
        )
        profiles = (_mentor(row) for row in rows)
        return {p.ref: p for p in profiles}

    async def of_person(self, ref: UserRef) -> list[MentorProfile]:
        rows = await self._session.execute(
            sa.select(MENTOR).where(MENTOR.c.user == ref.key()).order_by(MENTOR.c.workspace)
        )
        return [_mentor(row) for row in rows]

    async def save(self, profile: MentorProfile) -> None:
        values = {
            "user": profile.ref.key(),
            "workspace": profile.workspace.key(),
            "skills": list(profile.skills),
            "timezone": profile.timezone,
            "hours": str(profile.hours),
            "capacity_per_week": profile.capacity_per_week,
            "paused_until": profile.paused_until,
            "joined_at": profile.joined_at,
            "active": profile.active,
            "about": profile.about,
            "stage": profile.stage,
            "region": profile.region,
        }
        await self._upsert(MENTOR, values, keys=["user", "workspace"])

    async def in_workspace(self, workspace: WorkspaceRef) -> list[MentorProfile]:
        # A large roster is read a page at a time (by user, from where the last page ended):
        # one statement's rows are turned into Python objects in one go on the event loop,
        # ~150 ms for 10,000 profiles, and acks would wait that long.
        profiles: list[MentorProfile] = []
        after: str | None = None
        while True:
            stmt = (
                sa.select(MENTOR)
                .where(MENTOR.c.workspace == workspace.key(), MENTOR.c.active.is_(True))
                .order_by(MENTOR.c.user)
                .limit(_PAGE)
            )
            if after is not None:
                stmt = stmt.where(MENTOR.c.user > after)
            rows = (await self._session.execute(stmt)).all()
            profiles.extend(_mentor(row) for row in rows)
            if len(rows) < _PAGE:
                return profiles
            after = rows[-1].user
            await asyncio.sleep(0)  # let acks and other work run between pages


def _workspace(row: sa.Row[Any]) -> Workspace:
    return Workspace(
        ref=WorkspaceRef.from_key(row.key),
        mentoring_channel=ChannelRef.from_key(row.mentoring_channel),
        admin_channel=ChannelRef.from_key(row.admin_channel),
        timezone=row.timezone,
        name=row.name,
        escalation_channel=(
            ChannelRef.from_key(row.escalation_channel) if row.escalation_channel else None
        ),
        removed_at=row.removed_at,
    )


class SqlWorkspaceRepository(Repository):
    """`bot.ports.WorkspaceRepository` over SQL."""

    async def get(self, ref: WorkspaceRef) -> Workspace | None:
        stmt = sa.select(WORKSPACE).where(WORKSPACE.c.key == ref.key())
        row = (await self._session.execute(stmt)).first()
        return None if row is None else _workspace(row)

    async def save(self, workspace: Workspace) -> None:
        values = {
            "key": workspace.ref.key(),
            "mentoring_channel": workspace.mentoring_channel.key(),
            "admin_channel": workspace.admin_channel.key(),
            "timezone": workspace.timezone,
            "name": workspace.name,
            "escalation_channel": (
                workspace.escalation_channel.key() if workspace.escalation_channel else None
            ),
            "removed_at": workspace.removed_at,
        }
        await self._upsert(WORKSPACE, values, keys=["key"])

    async def mark_removed(self, ref: WorkspaceRef, at: datetime) -> bool:
        stmt = (
            sa.update(WORKSPACE)
            .where(WORKSPACE.c.key == ref.key(), WORKSPACE.c.removed_at.is_(None))
            .values(removed_at=at)
        )
        return await self._rowcount(stmt) > 0

    async def restore(self, ref: WorkspaceRef) -> bool:
        stmt = (
            sa.update(WORKSPACE)
            .where(WORKSPACE.c.key == ref.key(), WORKSPACE.c.removed_at.is_not(None))
            .values(removed_at=None)
        )
        return await self._rowcount(stmt) > 0

    async def all(self) -> list[Workspace]:
        rows = await self._session.execute(sa.select(WORKSPACE).order_by(WORKSPACE.c.key))
        return [_workspace(row) for row in rows]

    async def unusable_channels(self, ref: WorkspaceRef) -> dict[ChannelRef, str]:
        stmt = sa.select(UNUSABLE.c.channel, UNUSABLE.c.why).where(
            UNUSABLE.c.workspace == ref.key(), UNUSABLE.c.why.is_not(None)
        )
        rows = await self._session.execute(stmt)
        return {ChannelRef.from_key(row.channel): row.why for row in rows}

    async def mark_unusable(
        self, ref: WorkspaceRef, channel: ChannelRef, why: str, at: datetime
    ) -> bool:
        return await self._channel_state(ref, channel, why, at)

    async def mark_usable(self, ref: WorkspaceRef, channel: ChannelRef, at: datetime) -> bool:
        return await self._channel_state(ref, channel, None, at)

    async def _channel_state(
        self, ref: WorkspaceRef, channel: ChannelRef, why: str | None, at: datetime
    ) -> bool:
        """One statement, so two replicas storing at once can't undo the newer: the state as of
        `at` replaces a stored one only when newer (at the same time, usable wins)."""
        values = {"workspace": ref.key(), "channel": channel.key(), "why": why, "since": at}
        stmt = self._insert(UNUSABLE).values(**values)
        stored, given = UNUSABLE.c.since, stmt.excluded.since
        newer = stored <= given if why is None else stored < given
        stmt = stmt.on_conflict_do_update(
            index_elements=["workspace", "channel"],
            set_={"why": stmt.excluded.why, "since": given},
            where=newer,
        ).returning(UNUSABLE.c.channel)
        return (await self._session.execute(stmt)).first() is not None
