"""Parsing the text of `/askmentor`, `/mentor …` and `/mentoradmin …` into commands (shared by
the console and Slack, whose slash commands arrive as text)."""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from bot import commands as c
from bot.hygiene import strip_invisible
from bot.learning import commands as lc
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
from bot.matching.perspectives import STAGES
from bot.privacy import commands as pc
from bot.recognition.commands import GiveKudos
from bot.refs import UserRef

__all__ = [
    "ADMIN_USAGE",
    "ASK_HELP",
    "ASK_USAGE",
    "KUDOS_USAGE",
    "LIGHTNING_USAGE",
    "MENTOR_ABOUT_USAGE",
    "MENTOR_REGION_USAGE",
    "MENTOR_USAGE",
    "ParseError",
    "parse_admin",
    "parse_ask",
    "parse_ask_command",
    "parse_duration",
    "parse_flags",
    "parse_kudos",
    "parse_lightning",
    "parse_mentor",
    "parse_when",
    "split_skills",
    "when_problem",
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
ADMIN_USAGE = (
    "Admin commands: `/mentoradmin digest [YYYY-Www]` · `/mentoradmin stats` · "
    "`/mentoradmin audit` · `/mentoradmin dashboard` · `/mentoradmin export @someone` · "
    "`/mentoradmin forget @someone` · the mentor list (for everyone): `/mentor list [skill]`"
)


@dataclass(frozen=True, slots=True)
class ParseError:
    """The text could not be turned into a command; `message` tells the user what to type."""

    message: str


# A dash-word: `--word`, or `-word`, with the dashes a phone or a word processor makes of `--`
# (— em dash, – en dash, ‐ hyphen, − minus, ー the katakana long-vowel mark a Japanese keyboard
# gives) counted as dashes too. Tokens are NFKC-normalised before they are read, so full-width
# `－－ａｎｏｎｙｍｏｕｓ` and the small and half-width forms count as well.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2e3a\u2e3b\u30fc\ufe63\uff0d"
_FLAG = re.compile(rf"^[{_DASHES}]{{1,3}}([A-Za-z][A-Za-z-]*)$")
_ONLY_DASHES = re.compile(rf"^[{_DASHES}]{{1,3}}$")
# A dash-word anywhere in a token: `raise?--anonymous`, `--anonymous🙂`.
_DASH_WORD = re.compile(rf"([{_DASHES}]+)([^\W\d_]+)")
# The one dash that joins a word to the one before it (`semi-anonymous`), not a flag.
_HYPHENS = "-\u2010\u2011"
_ANONYMOUS = {"anonymous", "anon", "a", "anonymously"}
# What a flag picks up in a sentence or a chat: `(--anonymous)`, `--anonymous:`,
# `… --anonymous…`, markdown (`` `--anonymous` ``, `*…*`, `_…_`, `~…~`), guillemets.
_AROUND = "()[]{}<>.,:;!?\"'“”‘’„‚`*_~«»‹›…「」『』【】"
_ONE_STAGE = "Ask for one career stage at most, e.g. `--senior`."
# What ends a sentence, and what may close one after it (`raise?)`, `raise?"`).
_SENTENCE_ENDS = (".", "?", "!", "\u2026", "\u3002", "\uff1f", "\uff01")
_CLOSING = ")]}>\"'\u201d\u2019\u00bb\u203a`*_~"
_SHORT_AT_END = (
    "Your question ends with `-a`: is it part of what you're asking about, or did you mean to ask "
    "anonymously? Nothing was posted. To ask anonymously, start with `--anonymous`; to keep `-a` "
    "in the question, end it with a question mark (`… -a?`)."
)
_INSIDE = (
    "I found `--anonymous` inside your question, so I posted nothing: put it at the start, "
    "e.g. `/askmentor --anonymous How do I ask for a raise?`"
)


def _option_of(flag: str, before: str) -> bool:
    """Whether a short `-a` at the end may be an option of the command the question is about
    (`… hidden files with ls -a`, `docker ps -a`): one dash, after a word that ends no sentence
    and is no flag itself. Read either way it could post a mangled question, or one meant to be
    anonymous under the asker's name, so it is asked about instead."""
    if not re.fullmatch(rf"[{_DASHES}]a", _read(flag), flags=re.IGNORECASE):
        return False
    word = _read(before).rstrip(_CLOSING)
    return not word.endswith(_SENTENCE_ENDS) and _flag(before) is None


def _read(token: str) -> str:
    """`token` as it is read for flags (NFKC: full-width letters and dashes become plain ones)."""
    return unicodedata.normalize("NFKC", token)


def _near_anonymous(word: str) -> bool:
    """`anonymous`, `anon`, `anonymously`, or a typo of one."""
    spelled = _ANONYMOUS - {"a"}
    return process.extractOne(word, spelled, scorer=fuzz.ratio, score_cutoff=80) is not None


def _spelled_out(token: str) -> bool:
    """`anonymous` or `anon` as a word of its own (after a lone `--`)."""
    return _read(token).strip(_AROUND).lower() in _ANONYMOUS - {"a"}


def _flag(token: str) -> str | None:
    """The word of a dash-word token (lower case), else None. The anonymous flag (or a typo of
    it) and a career stage count in brackets, markdown or with punctuation too (`—anonymous—`);
    other options (and `ls -a?`) stay text."""
    token = _read(token)
    m = _FLAG.match(token)
    if m is None:
        m = _FLAG.match(token.lstrip(_AROUND).rstrip(_AROUND + _DASHES))
        if m is None or not (_near_anonymous(m[1].lower()) or m[1].lower() in STAGES):
            return None
    return m[1].lower()


def _joined(dashes: str, token: str) -> str | None:
    """`-- anonymous` (the space a phone puts after a dash) or `-- -anonymous` as one flag, else
    None."""
    if not _ONLY_DASHES.match(_read(dashes)):
        return None
    if _spelled_out(token):
        return dashes + token
    word = _flag(token)
    return token if word is not None and (_near_anonymous(word) or word in STAGES) else None


def _anonymous_inside(tokens: Sequence[str]) -> bool:
    """Whether the question's text holds the anonymous flag away from its ends: `--anonymous
    please`, `raise?--anonymous`, `—anon`, a typo after two dashes (`--anonymus`), `-- anonymous`
    — but not prose: a plain `anonymous`, `semi-anonymous`, a dash before a word that merely
    looks alike (`on call—anyone?`, `final—non-negotiable`), `— anonymous —` set off by
    spaced dashes."""
    for i, token in enumerate(tokens):
        read = _read(token).lower()
        if (
            i + 1 < len(tokens)
            and _ONLY_DASHES.match(read)
            and len(read) >= 2
            and _spelled_out(tokens[i + 1])
        ):
            return True
        for m in _DASH_WORD.finditer(read):
            hyphen = len(m[1]) == 1 and m[1] in _HYPHENS
            joins = hyphen and m.start() > 0 and read[m.start() - 1].isalnum()
            if joins:
                continue
            if m[2] in _ANONYMOUS - {"a"} or (len(m[1]) >= 2 and _near_anonymous(m[2])):
                return True
    return False


def parse_flags(raw: str, *, anonymous: bool = False) -> tuple[bool, str | None, str] | ParseError:
    """``[--anonymous] [--senior] <question> [--anonymous] [--senior]`` → (anonymous, career
    stage asked for, question).

    The flags are read in a run in front and in a run at the end, in any order and case, with
    any dash (`—anonymous` from a phone, `ーーanonymous`, full-width `－－ａｎｏｎｙｍｏｕｓ`,
    `-- anonymous`), in brackets, markdown or with punctuation (`--anonymous:`, `` `--anonymous` ``,
    `«--anonymous»`); a stage flag is any of `STAGES`. Any other dash-word in front, a typo of
    the anonymous flag at the end, and the anonymous flag (or a typo of it) anywhere else in the
    text (`--anonymous please`, `raise?--anonymous`) are refused — a typo must never post a
    question under the asker's name that was meant to be anonymous. The question is the text as
    typed, without its flags. A short `-a` at the end after an unfinished sentence (`… ls -a`)
    is asked about, unless `anonymous` was chosen elsewhere (a form's checkbox): then it is text.
    """
    chosen = anonymous
    tokens = strip_invisible(raw).split()
    anonymous, stage = chosen, None
    while tokens:
        if len(tokens) > 1 and (joined := _joined(tokens[0], tokens[1])) is not None:
            tokens[:2] = [joined]
        if (word := _flag(tokens[0])) is None:
            break
        if word in _ANONYMOUS:
            anonymous = True
        elif word in STAGES:
            if stage is not None:
                return ParseError(_ONE_STAGE)
            stage = word
        else:
            known = ["anonymous", *STAGES]
            close = process.extractOne(word, known, scorer=fuzz.ratio, score_cutoff=70)
            meant = close[0] if close else "anonymous"
            return ParseError(
                f"I don't know the option `{tokens[0]}`. Did you mean `--{meant}`? Nothing was "
                f"posted: e.g. `/askmentor --{meant} How do I ask for a raise?`"
            )
        tokens = tokens[1:]
    while tokens:
        if len(tokens) > 1 and (joined := _joined(tokens[-2], tokens[-1])) is not None:
            tokens[-2:] = [joined]
        if (word := _flag(tokens[-1])) is None:
            break
        if word == "a" and len(tokens) > 1 and _option_of(tokens[-1], tokens[-2]):
            if anonymous:  # asked anonymously already (a form, `--anonymous`): `-a` is text
                break
            return ParseError(_SHORT_AT_END)
        if word in _ANONYMOUS:
            anonymous = True
        elif word in STAGES:
            if stage is not None:
                return ParseError(_ONE_STAGE)
            stage = word
        elif _near_anonymous(word):
            return ParseError(
                f"I don't know the option `{tokens[-1]}`. Did you mean `--anonymous`? Nothing "
                "was posted: e.g. `/askmentor How do I ask for a raise? --anonymous`"
            )
        else:
            break  # `git commit --amend`: an option the question is about
        tokens = tokens[:-1]
    if _anonymous_inside(tokens):
        return ParseError(_INSIDE)
    return anonymous, stage, " ".join(tokens)


def parse_ask(raw: str) -> tuple[bool, str] | ParseError:
    """`parse_flags` without the career stage: (anonymous, question)."""
    parsed = parse_flags(raw)
    return parsed if isinstance(parsed, ParseError) else (parsed[0], parsed[2])


ASK_USAGE = (
    "Ask with `/askmentor [--anonymous] <question>`; cancel your question with "
    "`/askmentor cancel <n>`."
)
ASK_HELP = (
    "`/askmentor <your question>` finds mentors who know the topic and are at work now. "
    "Say what you tried and where you're stuck.\n"
    "• `--anonymous` first: only the mentor who takes it sees your name.\n"
    "• `--senior` (or " + ", ".join(f"`--{s}`" for s in STAGES if s != "senior") + ") first: "
    "a mentor at that career stage.\n"
    "• `/askmentor faq <words>` searches answers given before.\n"
    "• `/askmentor mine` shows your open questions (with your overview, `/mentor home`).\n"
    "• `/askmentor cancel <n>` takes your question back."
)
# `/askmentor mine` (or `list`, `status`) on its own: the asker's open questions, as the home
# view lists them. Only as the whole text: `/askmentor mine crafting?` is a question.
_MINE = ("mine", "list", "status")


def parse_ask_command(
    actor: c.Actor, raw: str, *, anonymous: bool = False
) -> c.Command | ParseError:
    """The text of `/askmentor`: ``cancel <n>``, ``faq <words>``, ``mine`` (the asker's open
    questions, on their home view), or a question with its flags. `anonymous` is an explicit choice made elsewhere (a form's checkbox, a Discord option)."""
    words = raw.split()
    head = words[0].lower() if words else ""
    if len(words) == 1 and head.lstrip("-") in ("help", "h", "?"):
        return ParseError(ASK_HELP)
    if len(words) == 1 and head in _MINE:
        return c.ShowHome(actor)
    if head == "cancel":
        number = words[1].lstrip("#") if len(words) == 2 else ""
        if number.isdigit():
            return c.CancelQuestion(actor, int(number))
        if len(words) <= 2:
            return ParseError("Cancel like `/askmentor cancel 3` (the number of your question).")
        numbers = [w.strip(",").lstrip("#") for w in words[1:]]
        if all(n.isdigit() for n in numbers if n) and any(numbers):
            each = ", then ".join(f"`/askmentor cancel {n}`" for n in numbers if n)
            return ParseError(f"Cancel one question at a time: {each}.")
    elif len(words) == 2 and words[1].lstrip("#").isdigit() and fuzz.ratio(head, "cancel") >= 70:
        # `cancle 3` is no question anyone asks: a typo of `cancel 3`, not "too short".
        n = words[1].lstrip("#")
        return ParseError(f"Did you mean `/askmentor cancel {n}`? {ASK_USAGE}")
    if head == "faq":
        if len(words) == 1:
            return ParseError("Search the FAQ like `/askmentor faq pandas groupby`.")
        return lc.SearchFaq(actor, " ".join(words[1:]))
    parsed = parse_flags(raw, anonymous=anonymous)
    if isinstance(parsed, ParseError):
        return parsed
    flagged, stage, question = parsed
    return c.AskQuestion(actor, question, flagged, stage=stage)


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
        if rest.lower() in ("start", "resume"):
            return lc.ShowLearning(actor, start=True)
        return ParseError(
            "`/mentor learn` shows your lessons; `/mentor learn start` picks stopped ones up "
            "again; `/mentor learn stop` ends them."
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


_WEEK = re.compile(r"^\d{4}-W\d{2}$")


def parse_admin(
    actor: c.Actor, raw: str, *, now: datetime, user_named: UserLookup | None = None
) -> c.Command | ParseError:
    """``/mentoradmin <sub>`` text → command; `now` stamps an on-demand digest; `user_named`
    reads the person of ``export`` and ``forget``."""
    sub, _, rest = raw.strip().partition(" ")
    sub, rest = sub.lower(), rest.strip()
    if sub == "stats":
        return c.ShowStats(actor)
    if sub == "audit":
        return pc.ShowAudit(actor)
    if sub == "dashboard":
        return pc.OpenDashboard(actor)
    if sub in ("export", "forget"):
        who, confirm = rest, False
        if sub == "forget" and rest.lower().endswith(" confirm"):
            who, confirm = rest[: -len(" confirm")].strip(), True
        found = user_named(who) if user_named and who else None
        if found is None:
            return ParseError(f"Name the person like `/mentoradmin {sub} @someone`.")
        if sub == "export":
            return pc.ExportPerson(actor, found[0], found[1])
        return pc.ForgetPerson(actor, found[0], found[1], confirmed=confirm)
    if sub == "digest":
        rest = rest.upper()  # `2026-w48` is the same week
        if rest and not _WEEK.match(rest):
            return ParseError("Give the week like `2026-W48`, or nothing for this week so far.")
        return c.SendDigest(now=now, workspace=actor.workspace, actor=actor, week=rest or None)
    if not sub or sub == "help":
        return ParseError(ADMIN_USAGE)
    if sub in _ADMIN_MEANT:
        return ParseError(f"I don't know `/mentoradmin {sub}`. {_ADMIN_MEANT[sub]}")
    return _unknown("/mentoradmin", sub, _ADMIN_WORDS, ADMIN_USAGE)


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
_ADMIN_WORDS = ("digest", "stats", "audit", "dashboard", "export", "forget")
# What an admin types for something another command shows, and where to look instead.
_MENTOR_LIST = (
    "The mentor list is `/mentor list` (or `/mentor list <skill>`), for admins and members "
    "alike; the dashboard's Mentors page (`/mentoradmin dashboard`) lets you manage them."
)
_ADMIN_MEANT = {"mentors": _MENTOR_LIST, "mentor": _MENTOR_LIST, "list": _MENTOR_LIST}
_LIGHTNING_WORDS = ("propose", "accept", "list", "join", "leave", "rate", "move", "cancel")


def _unknown(command: str, sub: str, known: Sequence[str], usage: str) -> ParseError:
    """An unknown subcommand: the likeliest one it was meant to be (a typo), then the usage."""
    close = process.extractOne(sub, known, scorer=fuzz.ratio, score_cutoff=70)
    guess = f" Did you mean `{command} {close[0]}`?" if close else ""
    # What was typed is shown in a code span: a backtick of theirs would end it (and let the
    # rest be read as formatting), a very long word fill the answer.
    typed = sub.replace("`", "'")
    typed = typed if len(typed) <= 40 else typed[:39] + "…"
    return ParseError(f"I don't know `{command} {typed}`.{guess} {usage}")
