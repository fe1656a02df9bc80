"""The community commands: `/kudos` (with its `--private` flag read like the ask flags) and
`/lightning` sessions, with the wall times they take (`parse_when`, and `when_problem` saying
why a date-shaped text is no real time)."""

from __future__ import annotations

import calendar
import re
from datetime import datetime

from rapidfuzz import fuzz, process

from bot import commands as c
from bot.hygiene import strip_invisible
from bot.lightning.commands import (
    AcceptLightning,
    CancelLightning,
    JoinLightning,
    LeaveLightning,
    ListLightning,
    MoveLightning,
    ProposeLightning,
    RateLightning,
)
from bot.recognition.commands import GiveKudos
from bot.textcommands.common import (
    _AROUND,
    _DASHES,
    _FLAG,
    ParseError,
    UserLookup,
    _unknown,
)

__all__ = [
    "KUDOS_USAGE",
    "LIGHTNING_USAGE",
    "parse_kudos",
    "parse_lightning",
    "parse_when",
    "when_problem",
]

KUDOS_USAGE = (
    "Thank someone: `/kudos @name <what they did>` (add `--private` before the name to send it "
    "to them only)."
)
LIGHTNING_USAGE = (
    "Lightning sessions: `/lightning propose <topic> <YYYY-MM-DD HH:MM> <title>` · "
    "`/lightning accept <n> <YYYY-MM-DD HH:MM> <title>` · `/lightning list` · "
    "`/lightning join <n>` · `/lightning leave <n>` · `/lightning rate <n> <1-5>` · "
    "your own session: `/lightning move <n> <YYYY-MM-DD HH:MM>` · `/lightning cancel <n>` "
    "(times in your own timezone)"
)
_LIGHTNING_WORDS = ("propose", "accept", "list", "join", "leave", "rate", "move", "cancel")

_PRIVATE = {"private", "p"}


def _kudos_option(token: str, *, in_front: bool) -> bool | ParseError | None:
    """A `/kudos` option: True for the private flag (any case, any dash); a refusal for any
    other dash-word in front, and for a typo of the flag anywhere (a typo must never post in the
    channel what was meant for one person); None for text."""
    m = _FLAG.match(token.strip(_AROUND))
    if m is None:
        return None
    word = m[1].lower()
    if word in _PRIVATE:
        return True
    near = process.extractOne(word, ["private"], scorer=fuzz.ratio, score_cutoff=70)
    if not in_front and near is None:
        return None  # `thanks for the --dry-run tip`
    return ParseError(
        f"I don't know the option `{token}`. Did you mean `--private`? Nothing was sent: e.g. "
        "`/kudos --private @name thanks for the review`"
    )


def parse_kudos(
    actor: c.Actor, raw: str, *, user_named: UserLookup | None = None
) -> c.Command | ParseError:
    """``[--private] <person> [--private] <why> [--private]`` → GiveKudos; `user_named` reads
    the platform's mention. The private flag counts in front, after the name or at the end, in
    any case (`-p` too); any other dash-word in front, a typo of the flag anywhere, the flag
    spelled out in the middle of the thanks, and a "name" starting with a dash are refused: a
    mistyped flag never posts in the channel, nor thanks a made-up person. The thanks keeps its
    line breaks and spacing."""
    said = strip_invisible(raw)
    words = list(re.finditer(r"\S+", said))
    first, last = 0, len(words)  # words[first:last] are still to read
    private = False

    def flag(at: int, *, in_front: bool) -> bool | ParseError:
        option = _kudos_option(words[at][0], in_front=in_front)
        return False if option is None else option

    while first < last and (option := flag(first, in_front=True)):  # in front
        if isinstance(option, ParseError):
            return option
        private, first = True, first + 1
    if first == last or words[first][0][0] in _DASHES:
        return ParseError(KUDOS_USAGE)
    who = words[first][0]
    first += 1
    while first < last and (option := flag(first, in_front=False)):  # after the name
        if isinstance(option, ParseError):
            return option
        private, first = True, first + 1
    while last > first + 1 and (option := flag(last - 1, in_front=False)):  # at the end
        if isinstance(option, ParseError):
            return option
        private, last = True, last - 1
    for word in words[first:last]:
        m = _FLAG.match(word[0].strip(_AROUND))
        if m is not None and m[1].lower() == "private":
            return ParseError(
                "Put `--private` before the name (or at the very end). Nothing was sent: e.g. "
                "`/kudos --private @name thanks for the review`"
            )
    why = said[words[first].start() : words[last - 1].end()] if first < last else ""
    found = user_named(who) if user_named else None
    if found is None or not why.strip():
        return ParseError(KUDOS_USAGE)
    return GiveKudos(actor, found[0], found[1], why.strip(), private)


def parse_when(raw: str) -> datetime | None:
    """``YYYY-MM-DD HH:MM`` (or ``YYYY-MM-DDTHH:MM``) → a naive wall time; None if not one."""
    try:
        when = datetime.strptime(raw.strip().replace("T", " "), "%Y-%m-%d %H:%M")
    except ValueError:
        return None
    return when


_WHEN_SHAPE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{1,2})$")


def when_problem(raw: str) -> str | None:
    """Why text shaped like ``YYYY-MM-DD HH:MM`` is not a real time (``2026-02-30``: February
    2026 has 28 days), in one polite sentence naming the bad part; None when it is not that
    shape (the usage says what to type) or is a real time."""
    m = _WHEN_SHAPE.match(raw.strip())
    if m is None:
        return None
    year, month, day, hour, minute = (int(g) for g in m.groups())
    date = f"{m[1]}-{m[2]}-{m[3]}"
    if not 1 <= month <= 12:
        return f"Sorry, `{date}` isn't a date: there is no month {month} (months go 01 to 12)."
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"Sorry, `{date}` isn't a date: {calendar.month_name[month]} {year} has {days} days."
    if hour > 23 or minute > 59:
        return f"Sorry, `{m[4]}:{m[5]}` isn't a time of day: use 00:00 to 23:59."
    return None


def _time_and_title(rest: str) -> tuple[datetime, str] | str:
    """``YYYY-MM-DD HH:MM <title>`` (or ``YYYY-MM-DDTHH:MM <title>``); else why not, as a
    sentence to put before the usage ("" when there is nothing more specific to say)."""
    first, _, after = rest.partition(" ")
    if "T" in first:
        raw, title = first, after.strip()
    else:
        parts = rest.split(maxsplit=2)
        if len(parts) < 2:
            return ""
        raw, title = f"{parts[0]} {parts[1]}", parts[2] if len(parts) > 2 else ""
    when = parse_when(raw)
    if when is None:
        return when_problem(raw) or ""
    return (when, title) if title else ""


def parse_lightning(actor: c.Actor, raw: str) -> c.Command | ParseError:
    """``/lightning propose|accept|list|join|leave|rate|move|cancel …`` text → command."""
    sub, _, rest = raw.strip().partition(" ")
    sub, rest = sub.lower(), rest.strip()
    if sub == "list" and not rest:
        return ListLightning(actor)
    if sub == "propose":
        topic, _, tail = rest.partition(" ")
        timed = _time_and_title(tail)
        if not topic or isinstance(timed, str):
            problem = f"{timed} " if topic and timed else ""
            return ParseError(
                f"{problem}Propose like "
                "`/lightning propose pandas 2026-12-03 15:00 groupby in 15 minutes` "
                "(the time in your own timezone)."
            )
        return ProposeLightning(actor, topic, timed[0], timed[1])
    if sub in ("accept", "join", "leave", "rate", "move", "cancel"):
        number, _, tail = rest.partition(" ")
        n = number.lstrip("#")
        if not n.isdigit():
            return ParseError(
                f"Which session? `/lightning {sub} <n> …`, with the number on its card "
                f"(`/lightning list` shows them) — {LIGHTNING_USAGE}"
            )
        if sub == "join":
            return JoinLightning(actor, int(n))
        if sub == "leave":
            return LeaveLightning(actor, int(n))
        if sub == "cancel":
            return CancelLightning(actor, int(n))
        if sub == "move":
            when = parse_when(tail)
            if when is None:
                problem = when_problem(tail) or (
                    "That isn't a time I can read." if tail.strip() else "Give the new time."
                )
                return ParseError(
                    f"{problem} Move like `/lightning move {n} 2026-12-03 15:00` "
                    "(the time in your own timezone)."
                )
            return MoveLightning(actor, int(n), when)
        if sub == "rate":
            score = tail.strip()
            if not score.isdigit() or not 1 <= int(score) <= 5:
                return ParseError(f"Rate from 1 to 5: `/lightning rate {n} 5`.")
            return RateLightning(actor, int(n), int(score))
        timed = _time_and_title(tail)
        if isinstance(timed, str):
            problem = f"{timed} " if timed else ""
            return ParseError(
                f"{problem}Accept like "
                f"`/lightning accept {n} 2026-12-03 15:00 groupby in 15 minutes` "
                "(the time in your own timezone)."
            )
        return AcceptLightning(actor, int(n), timed[0], timed[1])
    if not sub or sub == "help":
        return ParseError(LIGHTNING_USAGE)
    return _unknown("/lightning", sub, _LIGHTNING_WORDS, LIGHTNING_USAGE)
