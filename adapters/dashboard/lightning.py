"""The dashboard's lightning sessions coming up in one workspace: what is scheduled (when, in the
workspace's timezone, who speaks, how many signed up) and the proposals waiting for a speaker."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.app import App
from bot.digest.handler import workspace_timezone
from bot.lightning.model import Lightning
from bot.recognition.model import FORGOTTEN_NAME
from bot.refs import UserRef, WorkspaceRef
from bot.wording import plural

__all__ = ["FEW_SIGN_UPS", "SHOWN", "ComingSession", "LightningComing", "coming_lightning"]

# A session with fewer sign-ups than this is flagged: the admin may want to announce it again.
FEW_SIGN_UPS = 2
SHOWN = 20  # sessions listed; the card says how many more there are


@dataclass(frozen=True, slots=True)
class ComingSession:
    """A scheduled session as the card lists it (`speaker`: a name, never a tombstone's id)."""

    number: int
    title: str
    speaker: str
    when: str
    minutes: int
    going: int
    on_now: bool

    @property
    def few(self) -> bool:
        return self.going < FEW_SIGN_UPS

    @property
    def going_text(self) -> str:
        return f"{self.going} signed up" if self.going else "nobody signed up yet"


@dataclass(frozen=True, slots=True)
class WaitingProposal:
    """A session proposed from demand that no mentor has taken yet, and how it came about."""

    number: int
    topic: str
    detail: str


@dataclass(frozen=True, slots=True)
class LightningComing:
    sessions: tuple[ComingSession, ...] = ()
    more: int = 0
    waiting: tuple[WaitingProposal, ...] = ()
    timezone: str = "UTC"


def _day(at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """``Thu Dec 3`` in the workspace's zone, with the year when it isn't this one."""
    local, today = at.astimezone(zone), now.astimezone(zone)
    return f"{local:%a %b} {local.day}" + ("" if local.year == today.year else f", {local.year}")


def _when(at: datetime, now: datetime, zone: ZoneInfo) -> str:
    """``Thu Dec 3 · 15:00`` in the workspace's zone."""
    return f"{_day(at, now, zone)} · {at.astimezone(zone):%H:%M}"


async def coming_lightning(app: App, ws: WorkspaceRef) -> LightningComing:
    """The workspace's coming sessions, soonest first, and its proposals of the last
    `[lightning] window_days` still waiting for a speaker (older ones were overtaken: a new
    proposal on the topic may be made by then)."""
    now = app.clock.now()
    since = now - timedelta(days=app.config.lightning.window_days)
    async with app.uow_factory(read_only=True) as uow:
        workspace = await uow.workspaces.get(ws)
        if workspace is None:
            return LightningComing()
        upcoming = await uow.lightning.upcoming(ws, now)
        shown = upcoming[:SHOWN]
        signed = await uow.lightning.rsvps_for([s.stored_id for s in shown])
        waiting = await uow.lightning.waiting_for_speaker(ws, since)
        # A forgotten person is a tombstone ref with no person behind it: no name, not going.
        refs: list[UserRef] = [s.speaker for s in shown if s.speaker is not None]
        refs += [r.user for rsvps in signed.values() for r in rsvps]
        people = await uow.people.get_many(list(dict.fromkeys(refs)))
    tz = workspace_timezone(workspace, app.config)
    zone = ZoneInfo(tz)
    return LightningComing(
        sessions=tuple(
            _coming(
                s,
                speaker=people[s.speaker].name if s.speaker in people else FORGOTTEN_NAME,
                going=sum(r.user in people for r in signed[s.stored_id]),
                now=now,
                zone=zone,
            )
            for s in shown
        ),
        more=len(upcoming) - len(shown),
        waiting=tuple(_waiting(s, now=now, zone=zone) for s in waiting),
        timezone=tz,
    )


def _coming(
    s: Lightning, *, speaker: str, going: int, now: datetime, zone: ZoneInfo
) -> ComingSession:
    assert s.starts_at is not None
    return ComingSession(
        number=s.number,
        title=s.title or s.topic,
        speaker=speaker,
        when=_when(s.starts_at, now, zone),
        minutes=s.minutes,
        going=going,
        on_now=s.starts_at <= now,
    )


def _waiting(s: Lightning, *, now: datetime, zone: ZoneInfo) -> WaitingProposal:
    asked = f"{plural(len(s.invited), 'mentor')} asked"
    declined = len(set(s.declined))
    return WaitingProposal(
        number=s.number,
        topic=s.topic,
        detail=(
            f"{plural(len(s.question_ids), 'question')} led to it, "
            f"proposed {_day(s.created_at, now, zone)}; {asked}"
            + (f", {declined} said not now" if declined else "")
        ),
    )
