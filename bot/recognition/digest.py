"""The digest's community lines: kudos given, badges earned and lightning sessions held in the
week, and the month's most helpful people for admins to thank (rewards stay outside the bot)."""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from bot.messages import Bold, Text, UserText, text
from bot.recognition.catalogue import badge_label
from bot.recognition.model import FORGOTTEN_NAME, places
from bot.refs import UserRef, WorkspaceRef
from bot.wording import plural

if TYPE_CHECKING:
    from bot.ports import UnitOfWork

__all__ = ["CommunityWeek", "HeldLine", "community_lines", "community_week"]


@dataclass(frozen=True, slots=True)
class HeldLine:
    title: str
    speaker: str
    attendees: int
    average_rating: float | None
    ratings: int


@dataclass(frozen=True, slots=True)
class CommunityWeek:
    kudos: int = 0
    badges: tuple[tuple[str, int], ...] = ()  # (badge id, how many earned it), most first
    lightning: tuple[HeldLine, ...] = ()  # held: someone signed up
    unattended: int = 0  # sessions whose time passed with nobody signed up (not held)
    month: str = ""  # e.g. "December 2026"
    helpers: tuple[tuple[str, int], ...] = ()  # (name, points this month), most first


async def community_week(
    uow: UnitOfWork,
    workspace: WorkspaceRef,
    start: datetime,
    end: datetime,
    *,
    month_start: datetime,
    month: str,
    top: int,
) -> CommunityWeek:
    """The figures of ``[start, end)``; helpers earned their points from `month_start` to `end`."""
    kudos = await uow.kudos.count_between(workspace, start, end)
    earned = Counter(b.badge for b in await uow.badges.earned_between(workspace, start, end))
    ended = await uow.lightning.held_between(workspace, start, end)
    # Nobody signed up (a forgotten one's rating still counts): it most likely didn't take
    # place, so it is not "held"; counted apart.
    held = [h for h in ended if h.attendees or h.ratings]
    helpers = await uow.points.leaderboard(workspace, since=month_start, until=end, limit=top)
    people = await uow.people.get_many(
        [h.session.speaker for h in held if h.session.speaker] + [ref for ref, _ in helpers]
    )

    def name(ref: UserRef | None) -> str:
        # A forgotten speaker is named as on the leaderboard: never their tombstone id.
        if ref is None:
            return "?"
        found = people.get(ref)
        return found.name if found is not None else FORGOTTEN_NAME

    return CommunityWeek(
        kudos=kudos,
        badges=tuple(sorted(earned.items(), key=lambda kv: (-kv[1], kv[0]))),
        lightning=tuple(
            HeldLine(
                title=h.session.title,
                speaker=name(h.session.speaker),
                attendees=h.attendees,
                average_rating=statistics.fmean(h.ratings) if h.ratings else None,
                ratings=len(h.ratings),
            )
            for h in held
        ),
        unattended=len(ended) - len(held),
        month=month,
        # A forgotten person's points stay, attributed to nobody: never their tombstone id.
        helpers=tuple(
            (people[ref].name if ref in people else FORGOTTEN_NAME, pts) for ref, pts in helpers
        ),
    )


def community_lines(
    c: CommunityWeek, *, week_thanked: Sequence[tuple[str | None, int]] = ()
) -> list[Text]:
    """The digest's lines for `c` (askers are never named: badges are counted, not listed);
    the month's most helpful are not listed again when they are `week_thanked`, the week's
    most thanked (names, points) said just before (early in a month, often)."""
    badges = ", ".join(f"{n}× {badge_label(b)}" for b, n in c.badges) or "none"
    out = [text(Bold("Community: "), f"{c.kudos} kudos given · badges earned: {badges}")]
    if c.lightning:
        parts: list[str | UserText] = []
        for i, h in enumerate(c.lightning):
            rated = (
                f", rated {h.average_rating:.1f}/5 by {h.ratings}"
                if h.average_rating is not None
                else ""
            )
            parts += [
                "; " if i else "",
                "“",
                UserText(h.title),
                "” by ",
                UserText(h.speaker),
                f" ({h.attendees} signed up{rated})",
            ]
        if c.unattended:
            parts.append(f"; {c.unattended} more had nobody signed up")
        out.append(text(Bold(f"Lightning sessions held: {len(c.lightning)} — "), *parts))
    else:
        nobody = f" ({c.unattended} had nobody signed up)" if c.unattended else ""
        out.append(text(Bold("Lightning sessions held: "), f"none this week{nobody}"))
    if c.helpers and list(c.helpers) == list(week_thanked):
        out.append(
            text(Bold(f"Most helpful in {c.month}: "), "the same as this week's most thanked.")
        )
    elif c.helpers:
        thanks: list[str | UserText] = []
        # Equal points, equal place ("1, 1, 3"), as on the leaderboard.
        ranks = places(pts for _, pts in c.helpers)
        for i, (rank, (who, pts)) in enumerate(zip(ranks, c.helpers, strict=True)):
            thanks += [f"{', ' if i else ''}{rank}. ", UserText(who), f" ({plural(pts, 'point')})"]
        out.append(text(Bold(f"Most helpful in {c.month} (worth a thank-you): "), *thanks))
    return out
