"""The badges there are, each with its rule in words and in code (pure: facts in, badges out)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["BADGES", "BADGE_BY_ID", "Badge", "BadgeFacts", "badge_label", "earned_badges"]

SESSIONS_FOR_VETERAN = 10
FIVE_STARS_NEEDED = 5
STREAK_WEEKS_NEEDED = 4
CROSS_TIMEZONE_SESSIONS = 5
CROSS_TIMEZONE_HOURS = 4


@dataclass(frozen=True, slots=True)
class BadgeFacts:
    """What the badge rules look at, for one person (only what a review needs is filled in)."""

    questions_asked: int = 0
    sessions_resolved: int = 0  # as the mentor
    five_star_ratings: int = 0  # asker ratings of 5 on sessions they mentored that showed help
    longest_streak: int = 0  # weeks in a row with a resolved session
    cross_timezone_sessions: int = 0  # resolved with askers CROSS_TIMEZONE_HOURS+ hours away
    faq_entries: int = 0  # FAQ answers written
    lightning_given: int = 0  # lightning talks that earned their speaker points (rated well)


@dataclass(frozen=True, slots=True)
class Badge:
    id: str
    name: str
    emoji: str
    rule: str  # shown to people after "you": how it is earned, a past-tense verb first
    earned: Callable[[BadgeFacts], bool]


BADGES: tuple[Badge, ...] = (
    Badge(
        "first_question",
        "First question",
        "🌱",
        "asked your first question",
        lambda f: f.questions_asked >= 1,
    ),
    Badge(
        "first_session",
        "First session",
        "🤝",
        "resolved your first session as a mentor",
        lambda f: f.sessions_resolved >= 1,
    ),
    Badge(
        "ten_sessions",
        "10 sessions",
        "🏅",
        f"resolved {SESSIONS_FOR_VETERAN} sessions as a mentor",
        lambda f: f.sessions_resolved >= SESSIONS_FOR_VETERAN,
    ),
    Badge(
        "five_stars",
        "Five stars",
        "⭐",
        f"had {FIVE_STARS_NEEDED} sessions rated 5/5 by their askers",
        lambda f: f.five_star_ratings >= FIVE_STARS_NEEDED,
    ),
    Badge(
        "helping_streak",
        "4-week streak",
        "🔥",
        f"helped {STREAK_WEEKS_NEEDED} weeks in a row (a week counts with one resolved session)",
        lambda f: f.longest_streak >= STREAK_WEEKS_NEEDED,
    ),
    Badge(
        "cross_timezone",
        "Across time zones",
        "🌍",
        f"helped in {CROSS_TIMEZONE_SESSIONS} sessions with askers "
        f"{CROSS_TIMEZONE_HOURS}+ hours away",
        lambda f: f.cross_timezone_sessions >= CROSS_TIMEZONE_SESSIONS,
    ),
    Badge(
        "faq_author",
        "FAQ author",
        "📚",
        "wrote an FAQ answer",
        lambda f: f.faq_entries >= 1,
    ),
    Badge(
        "lightning_speaker",
        "Lightning speaker",
        "⚡",
        "gave a lightning session that attendees rated well",
        lambda f: f.lightning_given >= 1,
    ),
)

BADGE_BY_ID = {b.id: b for b in BADGES}


def earned_badges(facts: BadgeFacts, *, among: set[str] | None = None) -> set[str]:
    """The ids of the badges `facts` earn (of `among`, when given)."""
    return {b.id for b in BADGES if (among is None or b.id in among) and b.earned(facts)}


def badge_label(badge_id: str) -> str:
    """``🤝 First session`` (the id itself for a badge this version doesn't know)."""
    badge = BADGE_BY_ID.get(badge_id)
    return f"{badge.emoji} {badge.name}" if badge is not None else badge_id
