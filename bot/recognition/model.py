"""Recognition records: kudos, earned badges, helped sessions and mentor pauses (plain data), and
the places of a ranked list, shared by the leaderboard and the weekly digest."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.refs import MessageRef, UserRef, WorkspaceRef

__all__ = [
    "FORGOTTEN_NAME",
    "GOOD_RATING",
    "EarnedBadge",
    "HelpedSession",
    "Kudos",
    "PausePeriod",
    "places",
]

# How the leaderboard and the digest name someone whose data was erased (their points stay,
# attributed to nobody): never their tombstone id.
FORGOTTEN_NAME = "someone forgotten"


def places(scores: Iterable[int]) -> list[int]:
    """The place of each of `scores` (most first): equal scores share a place and the next place
    skips ("1, 1, 3"), for who is listed first in a tie is no ranking. The leaderboard and the
    digest's lists number people with this, so they never disagree."""
    out: list[int] = []
    previous: int | None = None
    for i, score in enumerate(scores, 1):
        out.append(out[-1] if out and score == previous else i)
        previous = score
    return out


# An asker's rating this high or higher is good: it earns the mentor the good-rating points, and
# it confirms a session the mentor marked resolved themselves.
GOOD_RATING = 4


@dataclass(frozen=True, slots=True)
class Kudos:
    """Public (or private) thanks from one person to another."""

    workspace: WorkspaceRef
    giver: UserRef
    receiver: UserRef
    text: str
    at: datetime
    private: bool = False
    id: int | None = None  # once stored
    card: MessageRef | None = None  # the public post, once it went out


@dataclass(frozen=True, slots=True)
class EarnedBadge:
    """A badge someone earned; `announced_at` is when their badge DM named it."""

    workspace: WorkspaceRef
    user: UserRef
    badge: str
    earned_at: datetime
    announced_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class HelpedSession:
    """A session a mentor resolved: when, and for whom (streaks and the cross-timezone badge)."""

    question_id: int
    resolved_at: datetime
    asker: UserRef
    by_mentor: bool = False  # the mentor marked it resolved themselves
    asker_score: int | None = None  # the asker's rating of the help, if they gave one

    @property
    def confirmed(self) -> bool:
        """Whether it counts as help: resolved by the asker (or an admin), or, when its mentor
        closed it themselves, rated well by the asker (no farming by claim-and-resolve)."""
        return not self.by_mentor or (self.asker_score or 0) >= GOOD_RATING


@dataclass(frozen=True, slots=True)
class PausePeriod:
    """A mentor's pause in one workspace; `end` is when it ends (or ended, if they resumed
    early). `workspace` None: a pause recorded before pauses were per workspace, which applies
    in every workspace."""

    user: UserRef
    start: datetime
    end: datetime
    workspace: WorkspaceRef | None = None
