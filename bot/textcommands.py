"""Parsing the text of `/askmentor`, `/mentor …` and `/mentoradmin …` into commands (shared by
the console and Slack, whose slash commands arrive as text)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import commands as c
from bot.refs import UserRef

__all__ = [
    "ADMIN_USAGE",
    "MENTOR_USAGE",
    "ParseError",
    "parse_admin",
    "parse_ask",
    "parse_duration",
    "parse_mentor",
    "split_skills",
]

MENTOR_USAGE = (
    "Mentor commands: `/mentor join <skill, skill, ...>` · `/mentor skills <skill, ...>` · "
    "`/mentor hours Mon-Fri 09:00-17:00` · `/mentor tz Europe/Berlin` · `/mentor pause [7d]` · "
    "`/mentor resume` · `/mentor me` · `/mentor list [skill]` · `/mentor leaderboard` · `/mentor why <n>` · "
    "`/mentor handover <n> @someone`"
)
ADMIN_USAGE = "Admin commands: `/mentoradmin digest [YYYY-Www]` · `/mentoradmin stats`"


@dataclass(frozen=True, slots=True)
class ParseError:
    """The text could not be turned into a command; `message` tells the user what to type."""

    message: str


def parse_ask(raw: str) -> tuple[bool, str]:
    """``[--anonymous] <question>`` → (anonymous, question)."""
    text = raw.strip()
    for flag in ("--anonymous", "--anon", "-a"):
        if text == flag or text.startswith(flag + " "):
            return True, text[len(flag) :].strip()
    return False, text


def split_skills(raw: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in re.split(r"[,;\n]", raw) if s.strip())


_DURATION = re.compile(r"^\s*(\d{1,4})\s*(m|min|h|d|w)\s*$", re.IGNORECASE)
_UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(raw: str) -> timedelta | None:
    """``30m``, ``12h``, ``7d``, ``2w`` → timedelta; None if not a duration."""
    m = _DURATION.match(raw)
    if not m:
        return None
    return timedelta(**{_UNITS[m[2].lower()]: int(m[1])})


UserLookup = Callable[[str], tuple[UserRef, str] | None]


def parse_mentor(
    actor: c.Actor, raw: str, *, user_named: UserLookup | None = None
) -> c.Command | ParseError:
    """``/mentor <sub> [args]`` text → command; `user_named` turns the platform's way of naming
    someone (``carol``, ``<@U123|carol>``) into a user, for ``handover``."""
    sub, _, rest = raw.strip().partition(" ")
    sub, rest = sub.lower(), rest.strip()
    if sub == "join":
        return c.RegisterMentor(actor, split_skills(rest))
    if sub == "skills":
        return c.UpdateMentorSkills(actor, split_skills(rest))
    if sub == "about":
        return c.SetMentorAbout(actor, rest)
    if sub == "hours":
        return c.SetMentorHours(actor, rest)
    if sub in ("tz", "timezone"):
        return c.SetMentorTimezone(actor, rest)
    if sub == "pause":
        if not rest:
            return c.PauseMentor(actor, None)
        duration = parse_duration(rest)
        if duration is None:
            return ParseError(
                f"I couldn't read `{rest}` as a duration. Try `/mentor pause 7d`, `12h` or `2w`."
            )
        return c.PauseMentor(actor, duration)
    if sub == "resume":
        return c.ResumeMentor(actor)
    if sub in ("me", "profile"):
        return c.ShowMentorProfile(actor)
    if sub == "leaderboard":
        return c.ShowLeaderboard(actor)
    if sub in ("list", "directory"):
        return c.ListMentors(actor, rest)
    if sub == "handover":
        number, _, who = rest.partition(" ")
        found = user_named(who.strip()) if user_named and who.strip() else None
        if not number.lstrip("#").isdigit() or found is None:
            return ParseError("Hand a session over like `/mentor handover 3 @carol`.")
        return c.HandOverQuestion(actor, int(number.lstrip("#")), found[0], found[1])
    if sub == "why":
        number = rest.lstrip("#")
        if not number.isdigit():
            return ParseError("Which question? `/mentor why 3`")
        return c.ExplainMatch(actor, int(number))
    if not sub or sub == "help":
        return ParseError(MENTOR_USAGE)
    return ParseError(f"I don't know `/mentor {sub}`. {MENTOR_USAGE}")


_WEEK = re.compile(r"^\d{4}-W\d{2}$")


def parse_admin(actor: c.Actor, raw: str, *, now: datetime) -> c.Command | ParseError:
    """``/mentoradmin <sub>`` text → command; `now` stamps an on-demand digest."""
    sub, _, rest = raw.strip().partition(" ")
    sub, rest = sub.lower(), rest.strip()
    if sub == "stats":
        return c.ShowStats(actor)
    if sub == "digest":
        rest = rest.upper()  # `2026-w48` is the same week
        if rest and not _WEEK.match(rest):
            return ParseError("Give the week like `2026-W48`, or nothing for this week so far.")
        return c.SendDigest(now=now, workspace=actor.workspace, actor=actor, week=rest or None)
    if not sub or sub == "help":
        return ParseError(ADMIN_USAGE)
    return ParseError(f"I don't know `/mentoradmin {sub}`. {ADMIN_USAGE}")
