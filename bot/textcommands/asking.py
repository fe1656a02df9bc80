"""`/askmentor`: reading its flags (`--anonymous`, a career stage like `--senior`) in front of
and behind a question, with the dashes, Unicode forms, punctuation and typos people type them
with, and its subcommands (`cancel <n>`, `faq <words>`, `mine`); `ASK_USAGE` and `ASK_HELP`."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from rapidfuzz import fuzz, process

from bot import commands as c
from bot.hygiene import strip_invisible
from bot.learning import commands as lc
from bot.matching.perspectives import STAGE_ALIASES, STAGES
from bot.textcommands.common import _AROUND, _DASHES, _FLAG, ParseError
from bot.textcommands.mentor import parse_mentor

__all__ = ["ASK_HELP", "ASK_USAGE", "parse_ask", "parse_ask_command", "parse_flags"]

# A token of dashes only: the `--` of `-- anonymous` (the space a phone puts after a dash).
_ONLY_DASHES = re.compile(rf"^[{_DASHES}]{{1,3}}$")
# A dash-word anywhere in a token: `raise?--anonymous`, `--anonymous🙂`.
_DASH_WORD = re.compile(rf"([{_DASHES}]+)([^\W\d_]+)")
# The one dash that joins a word to the one before it (`semi-anonymous`), not a flag.
_HYPHENS = "-\u2010\u2011"
_ANONYMOUS = {"anonymous", "anon", "a", "anonymously"}
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
        elif word in STAGES or word in STAGE_ALIASES:  # in front only: `--junior` is early
            if stage is not None:
                return ParseError(_ONE_STAGE)
            stage = STAGE_ALIASES.get(word, word)
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
    "• `/askmentor learn` shows your short lessons on asking well (`learn stop` ends them).\n"
    "• `/askmentor cancel <n>` takes your question back."
)
# `/askmentor mine` (or `list`, `status`) on its own: the asker's open questions, as the home
# view lists them. Only as the whole text: `/askmentor mine crafting?` is a question.
_MINE = ("mine", "list", "status")
# An asker's own lessons and data live under `/mentor` for everyone; askers find them here too,
# as the whole text (`/askmentor learn stop`): `/askmentor learn pandas fast?` is a question.
_ALSO_MENTOR = ("learn", "lessons", "mydata")
_LEARN_WORDS = ("start", "stop", "restart", "again", "resume")


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
    if head in _ALSO_MENTOR and (
        len(words) == 1
        or (len(words) == 2 and head != "mydata" and words[1].lower() in _LEARN_WORDS)
    ):
        return parse_mentor(actor, raw)
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
