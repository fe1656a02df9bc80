"""`/mentor …`: a mentor's own commands (join, skills, hours, pause, handover, …), with the
skills list and pause duration they take, the usages, and the words people type for a
`/mentor` command that has another name."""

from __future__ import annotations

import re
from datetime import timedelta

from bot import commands as c
from bot.learning import commands as lc
from bot.matching.perspectives import STAGES
from bot.privacy import commands as pc
from bot.textcommands.common import ParseError, UserLookup, _unknown

__all__ = [
    "MENTOR_ABOUT_USAGE",
    "MENTOR_REGION_USAGE",
    "MENTOR_USAGE",
    "parse_duration",
    "parse_mentor",
    "split_skills",
]

MENTOR_USAGE = (
    "Mentor commands: `/mentor join <skill, skill, ...>` · `/mentor skills <skill, ...>` · "
    "`/mentor hours Mon-Fri 09:00-17:00` · `/mentor tz Europe/Berlin` · `/mentor capacity 3` · "
    "`/mentor pause [7d]` · "
    "`/mentor resume` · `/mentor me` · `/mentor list [skill]` · `/mentor leaderboard [month|all]` · "
    "`/mentor why <n>` · "
    "`/mentor handover <n> @someone` · `/mentor stage senior` · `/mentor region Europe` · "
    "`/mentor learn [start|stop]` · `/mentor feedback` · `/mentor home` · `/mentor leave` · "
    "`/mentor mydata`"
)
MENTOR_ABOUT_USAGE = (
    "Say what you can help with in your own words: `/mentor about I can help with pandas and "
    "code reviews`. `/mentor about clear` removes them."
)
MENTOR_REGION_USAGE = (
    "Set where you work like `/mentor region Europe` or `US East`. `/mentor region clear` "
    "removes it."
)


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


_MENTOR_WORDS = (
    "join", "skills", "about", "hours", "tz", "timezone", "capacity", "pause", "resume", "me",
    "profile", "leaderboard", "list", "directory", "handover", "stage", "region", "learn", "feedback",
    "leave", "home", "why", "mydata",
)  # fmt: skip
# What people type for a `/mentor` command that has another name, and where to look instead.
_YOUR_DATA = "`/mentor mydata` sends you everything stored about you, by DM."
_ERASED = (
    "To have what is stored about you erased, ask an admin of this workspace "
    "(`/mentoradmin forget`); " + _YOUR_DATA
)
_MENTOR_MEANT = {
    "export": _YOUR_DATA,
    "data": _YOUR_DATA,
    "download": _YOUR_DATA,
    "forget": _ERASED,
    "delete": _ERASED,
    "erase": _ERASED,
    "stats": "Your own figures are in `/mentor me`; the workspace's are for admins: "
    "`/mentoradmin stats`.",
}


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
        if not rest:  # a forgotten argument must not erase the words: clearing is `clear`
            return ParseError(MENTOR_ABOUT_USAGE)
        return c.SetMentorAbout(actor, rest)
    if sub == "hours":
        return c.SetMentorHours(actor, rest)
    if sub in ("tz", "timezone"):
        return c.SetMentorTimezone(actor, rest)
    if sub == "capacity":
        # ASCII digits only: "²" is a digit to `isdigit`, not to `int`.
        if not re.fullmatch(r"[0-9]{1,4}", rest):
            return ParseError(
                "Say how many sessions a week you take, from 1 to "
                f"{c.MAX_CAPACITY_PER_WEEK}: `/mentor capacity 5`."
            )
        return c.SetMentorCapacity(actor, int(rest))
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
        period = rest.lower() or "month"
        if period not in ("month", "all"):
            return ParseError("Show the leaderboard like `/mentor leaderboard month` or `all`.")
        return c.ShowLeaderboard(actor, period)
    if sub in ("list", "directory"):
        return c.ListMentors(actor, rest)
    if sub == "handover":
        number, _, who = rest.partition(" ")
        found = user_named(who.strip()) if user_named and who.strip() else None
        if not number.lstrip("#").isdigit() or found is None:
            # The number typed, if any: the example reads as the session they meant.
            n = number.lstrip("#") if number.lstrip("#").isdigit() else "3"
            return ParseError(f"Hand a session over like `/mentor handover {n} @carol`.")
        return c.HandOverQuestion(actor, int(number.lstrip("#")), found[0])
    if sub == "stage":
        if not rest:
            return ParseError(
                f"Set your career stage like `/mentor stage senior` ({', '.join(STAGES)})."
            )
        return lc.SetMentorStage(actor, rest)
    if sub == "region":
        if not rest:  # as for `about`: only `/mentor region clear` clears it
            return ParseError(MENTOR_REGION_USAGE)
        return lc.SetMentorRegion(actor, rest)
    if sub in ("learn", "lessons", "training"):
        if not rest:
            return lc.ShowLearning(actor)
        if rest.lower() == "stop":
            return lc.StopLearning(actor)
        if rest.lower() in ("start", "resume", "restart", "again"):
            return lc.ShowLearning(actor, start=True)
        return ParseError(
            "`/mentor learn` shows your lessons; `/mentor learn start` picks stopped ones up "
            "again (or takes finished ones again); `/mentor learn stop` ends them."
        )
    if sub == "feedback":
        return lc.ShowMentorFeedback(actor)
    if sub == "leave":
        return pc.LeaveProgramme(actor)
    if sub == "mydata":
        return pc.ExportMyData(actor)
    if sub == "home":
        return c.ShowHome(actor)
    if sub == "why":
        number = rest.lstrip("#")
        if not number.isdigit():
            return ParseError("Which question? `/mentor why 3`")
        return c.ExplainMatch(actor, int(number))
    if not sub or sub == "help":
        return ParseError(MENTOR_USAGE)
    if sub in _MENTOR_MEANT:
        return ParseError(f"I don't know `/mentor {sub}`. {_MENTOR_MEANT[sub]}")
    return _unknown("/mentor", sub, _MENTOR_WORDS, MENTOR_USAGE)
