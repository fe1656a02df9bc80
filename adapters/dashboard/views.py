"""What each dashboard page but the week's shows (that is `week`), read from the database for
one workspace (plain dicts and rows for the templates; the templates escape every value)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.app import App
from bot.domain import QuestionState
from bot.refs import UserRef, WorkspaceRef
from bot.wording import duration_text

__all__ = [
    "PAGE_SIZE",
    "Paging",
    "audit_page",
    "is_seen_in",
    "mentors_page",
    "people_listing",
    "queue_page",
]

PAGE_SIZE = 100


def _waited(now: datetime, since: datetime) -> str:
    """How long since `since`, worded as the bot words every duration ("under a minute")."""
    return duration_text(max(0.0, (now - since).total_seconds() / 60))


async def _names(app: App, refs: Sequence[UserRef | None]) -> dict[UserRef, str]:
    wanted = [r for r in dict.fromkeys(refs) if r is not None]
    async with app.uow_factory(read_only=True) as uow:
        people = await uow.people.get_many(wanted)
    return {r: people[r].name if r in people else r.id for r in wanted}


@dataclass(frozen=True, slots=True)
class Paging:
    """Which page of a long list is shown: `number` counts from 1, `total` is every row."""

    number: int
    total: int
    size: int

    @classmethod
    def of(cls, asked: str, total: int, size: int | None = None) -> Paging:
        """The page asked for in ``?page=``, within the pages there are (1 when not a number)."""
        size = size or PAGE_SIZE
        wanted = int(asked) if asked.isascii() and asked.isdigit() and len(asked) < 7 else 1
        last = max(1, -(-total // size))
        return cls(number=min(max(1, wanted), last), total=total, size=size)

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        return self.offset + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.offset + self.size, self.total)

    @property
    def previous(self) -> int | None:
        return self.number - 1 if self.number > 1 else None

    @property
    def next(self) -> int | None:
        return self.number + 1 if self.last < self.total else None


async def queue_page(app: App, ws: WorkspaceRef, page: str = "") -> dict[str, Any]:
    """Open and claimed questions, longest waiting first, a page at a time; anonymous askers
    stay anonymous."""
    states = [QuestionState.OPEN, QuestionState.CLAIMED]
    async with app.uow_factory(read_only=True) as uow:
        paging = Paging.of(page, await uow.questions.count_with_state(ws, states))
        questions = await uow.questions.with_state(
            ws, states, limit=paging.size, offset=paging.offset
        )
    names = await _names(app, [q.asker for q in questions] + [q.mentor for q in questions])
    now = app.clock.now()
    rows = []
    for q in questions:
        rows.append(
            {
                "number": q.number,
                "text": q.text if len(q.text) <= 160 else q.text[:159] + "…",
                "asker": "anonymous" if q.anonymous else names.get(q.asker, q.asker.id),
                "state": q.state.value,
                "mentor": names.get(q.mentor, "") if q.mentor else "",
                # Open: how long the asker has waited; claimed: how long the session has run.
                "waiting": (
                    f"in session {_waited(now, q.claimed_at)}"
                    if q.state is QuestionState.CLAIMED and q.claimed_at is not None
                    else f"waiting {_waited(now, q.created_at)}"
                ),
                "topics": ", ".join(q.topics),
            }
        )
    return {"rows": rows, "paging": paging}


async def mentors_page(app: App, ws: WorkspaceRef) -> list[dict[str, Any]]:
    now = app.clock.now()
    async with app.uow_factory(read_only=True) as uow:
        profiles = await uow.mentors.in_workspace(ws)
        load = await uow.questions.mentor_load(ws, now - timedelta(days=7))
    names = await _names(app, [p.ref for p in profiles])
    rows = []
    for p in sorted(profiles, key=lambda p: names.get(p.ref, "").lower()):
        open_now, this_week = load.get(p.ref, (0, 0))
        paused = p.is_paused(now)
        rows.append(
            {
                "key": p.ref.key(),
                "name": names.get(p.ref, p.ref.id),
                "skills": ", ".join(p.skills),
                "hours": str(p.hours),
                "timezone": p.timezone,
                "capacity": p.capacity_per_week,
                "load": f"{this_week} in the last 7 days, {open_now} open",
                "paused": paused,
                "paused_until": (
                    f"{p.paused_until:%Y-%m-%d}"
                    if paused and p.paused_until and p.paused_until < now + timedelta(days=3000)
                    else ""
                ),
            }
        )
    return rows


def _person_rows(
    found: Sequence[tuple[UserRef, str, bool, datetime | None]],
) -> list[dict[str, Any]]:
    return [
        {
            "key": ref.key(),
            "name": name,
            "mentor": mentor,
            "left": f"{left:%Y-%m-%d}" if left else "",
        }
        for ref, name, mentor, left in found
    ]


async def people_listing(app: App, ws: WorkspaceRef, query: str, page: str = "") -> dict[str, Any]:
    """The people page: a page of the people seen in the workspace whose name or id contains
    `query`, by name, and how many there are in all."""
    asked = Paging.of(page, sys.maxsize)
    async with app.uow_factory(read_only=True) as uow:
        found, total = await uow.people.seen_in(ws, query, limit=asked.size, offset=asked.offset)
        paging = Paging.of(page, total)
        if paging.number != asked.number:  # past the last page: show the last one
            found, total = await uow.people.seen_in(
                ws, query, limit=paging.size, offset=paging.offset
            )
    return {"rows": _person_rows(found), "paging": paging}


async def is_seen_in(app: App, ws: WorkspaceRef, person: UserRef) -> bool:
    """Whether `person` is on the workspace's people page (an export or erase asks only there)."""
    async with app.uow_factory(read_only=True) as uow:
        return await uow.people.is_seen_in(ws, person)


async def audit_page(app: App, ws: WorkspaceRef) -> list[dict[str, Any]]:
    """The latest admin actions, with people's names where they are known (ids in small type)."""
    async with app.uow_factory(read_only=True) as uow:
        entries = await uow.audit.recent([ws], limit=200)
    subjects = {e.subject: _person_ref(e.subject) for e in entries}
    names = await _names(app, [e.actor for e in entries] + list(subjects.values()))
    rows = []
    for e in entries:
        subject = subjects[e.subject]
        actor_name = names.get(e.actor, e.actor.id)
        rows.append(
            {
                "at": e.at,
                "actor": actor_name if actor_name != e.actor.id else e.actor_name or e.actor.id,
                "actor_key": e.actor.key(),
                "action": e.action,
                "subject": names.get(subject, "") if subject else e.subject,
                "subject_key": e.subject if subject else "",
                "detail": e.detail,
            }
        )
    return rows


def _person_ref(subject: str) -> UserRef | None:
    """The person an audit entry is about (``slack:U…``), or None (a question, ``#3``, or none)."""
    if ":" not in subject or subject.startswith("#"):
        return None
    try:
        return UserRef.from_key(subject)
    except ValueError:
        return None
