"""Console lines → commands (pure): the grammar of DESIGN.md §4."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz, process

from adapters.console.gateway import PLATFORM
from adapters.console.render import how_to_press
from bot import commands as c
from bot.learning import commands as lc
from bot.lightning.commands import typed
from bot.messages import Action
from bot.refs import MessageRef, ThreadRef, UserRef
from bot.textcommands import (
    ParseError,
    parse_admin,
    parse_ask_command,
    parse_kudos,
    parse_lightning,
    parse_mentor,
)

__all__ = ["HELP", "Meta", "translate"]

HELP = """\
Lines you can type:
  as <name>                                act as user <name> (created on first use; `admin` is
                                           an admin)
  /askmentor [--anonymous] [--senior] <question>
                                           ask a question; prints its number, e.g. #3 (a stage
                                           flag: --early, --mid, --senior, --lead, --executive)
  /askmentor cancel <n> | faq <words>      cancel your question n; search the FAQ
  /askmentor mine                          your open questions (the /mentor home overview)
  /mentor join <skill, skill, ...>         become a mentor; then /mentor skills <skill, ...>,
                                           about <your own words>, hours <Mon-Fri 09:00-17:00>,
                                           tz <Area/City>, pause [7d], resume, me, list [skill],
                                           leaderboard [month|all], why <n>, handover <n> <name>
  /mentor stage <early|mid|senior|lead|executive>
                                           your career stage; also /mentor region <text>,
                                           learn [start|stop], feedback, home, leave, mydata
  /mentoradmin digest [YYYY-Www]           admin commands (user `admin` is an admin); also
                                           stats, audit, dashboard, export <name>,
                                           forget <name> [confirm]
  /kudos [--private] <name> <why>          thank someone (--private: only they see it)
  /lightning propose <topic> <YYYY-MM-DD HH:MM> <title>
                                           offer a 15-minute lightning session
  /lightning accept <n> <YYYY-MM-DD HH:MM> <title>
                                           teach a session proposed to you
  /lightning list | join <n> | leave <n> | rate <n> <1-5>
                                           what's coming; sign up; take yourself off its
                                           list; rate it afterwards
  /lightning move <n> <YYYY-MM-DD HH:MM> | cancel <n>
                                           the speaker (or an admin) moves or calls off a
                                           session; who signed up is told
  react <emoji> <n>                        react to question n's card: ✋ or 🙋 claims, the
                                           asker's ✅ resolves
  click <action> <n>                       press a button: claim, release, resolve, extend,
                                           cancel, notmine, rate:1..rate:5, clarity:1..clarity:5,
                                           share (a resolved question's summary), topic:<name>
                                           (e.g. `click topic:git 3`), topic:other; accept,
                                           decline (a hand-over offered to you); on lightning
                                           session n: join, leave, notnow, lrate:1..lrate:5; on a
                                           held draft n: post, edit, answered (the FAQ shown
                                           answered it); on FAQ entry n: faqok, faqupdate,
                                           faqretire, faqunquote; a lesson's quick check:
                                           mentee:<option> or mentor:<option> <lesson>.
                                           Every printed button shows the line that presses
                                           it: [Say nothing → click mentor:3 1]
  faq <n> <text>                           save resolved question n as an FAQ answer
  comment <n> <text>                       add a comment to your rating of question n
  say <n> <text>                           write in the thread of question n (✅ resolves)
  clock +<N>m | +<N>h | +<N>d              move the clock forward; due nudges and the weekly
                                           digest fire at once
  help | quit"""


@dataclass(frozen=True, slots=True)
class Meta:
    """A console-only instruction: ``as``, ``say``, ``clock``, ``help``, ``quit``."""

    kind: str
    name: str = ""
    delta: timedelta | None = None
    question_id: int = 0
    text: str = ""


_CLOCK = re.compile(r"^\+?(\d{1,5})\s*([mhd])$")
_UNITS = {"m": "minutes", "h": "hours", "d": "days"}
# Skin tones and the emoji variation selector (✋🏽, ✋️) and Slack's ``::skin-tone-N`` suffix:
# a console reaction claims like the same reaction on Slack or Discord.
_EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")


def _emoji(raw: str) -> str:
    name = raw.strip(":").split("::", 1)[0]
    return _EMOJI_MODIFIERS.sub("", name) or raw


def user_name(raw: str) -> str | None:
    """``Zoë`` or ``@Zoë`` → the console user's name, None if it can't be one. Names are compared
    as typed (``Bob`` and ``bob`` are two people, as two platform ids are), in one Unicode form:
    an ``ë`` typed as one character or as ``e`` plus a combining mark is one name."""
    name = unicodedata.normalize("NFC", raw.strip().lstrip("@"))
    return name if _is_name(name) else None


def _is_name(name: str) -> bool:
    """Letters of any script (with their marks), digits, ``_``, ``.`` and ``-``, at most 40:
    ``alice``, ``Zoë``, ``李雷``, ``प्रिया``, ``anne-marie.o``; no spaces, no ``]`` or ``@``."""
    return 0 < len(name) <= 40 and all(
        ch in "_.-" or unicodedata.category(ch)[0] in "LMN" for ch in name
    )


def console_user(raw: str) -> tuple[UserRef, str] | None:
    """``carol`` or ``@carol`` → the console user of that name (as `as carol` creates them)."""
    name = user_name(raw)
    return (UserRef(PLATFORM, name), name) if name is not None else None


def _number(raw: str) -> int | None:
    raw = raw.lstrip("#")
    return int(raw) if raw.isdigit() else None


def translate(
    line: str,
    *,
    actor: c.Actor | None,
    now: datetime,
    card_of: Callable[[int], MessageRef | None],
    thread_of: Callable[[int], ThreadRef | None],
    buttons_on: Callable[[int, str], Sequence[Action] | None] = lambda n, action: None,
) -> c.Command | Meta | ParseError | None:
    """One console line → a command, a console instruction, a parse error, or None (blank)."""
    # A script saved as "UTF-8 with BOM" (Windows Notepad) starts with U+FEFF: not part of the line.
    line = line.strip().lstrip("\ufeff").strip()
    if not line or line.startswith("#"):
        return None
    word, _, rest = line.partition(" ")
    rest = rest.strip()
    low = word.lower()
    if low in ("help", "?", "/help"):
        return Meta("help")
    if low in ("quit", "exit"):
        return Meta("quit")
    if low == "as":
        name = user_name(rest)
        if name is None:
            return ParseError(
                "Give a user name of letters, digits, `_`, `.` or `-` (no spaces): `as alice`."
            )
        return Meta("as", name=name)
    if low == "clock":
        m = _CLOCK.match(rest.replace(" ", ""))
        if not m:
            return ParseError("Move the clock like `clock +10m`, `clock +2h` or `clock +3d`.")
        return Meta("clock", delta=timedelta(**{_UNITS[m[2]]: int(m[1])}))
    if actor is None:
        return ParseError("First say who you are: `as alice`.")
    if low == "/askmentor":
        return parse_ask_command(actor, rest)
    if low == "/mentor":
        return parse_mentor(actor, rest, user_named=console_user)
    if low == "/mentoradmin":
        return parse_admin(actor, rest, now=now, user_named=console_user)
    if low == "/kudos":
        return parse_kudos(actor, rest, user_named=console_user)
    if low == "/lightning":
        return parse_lightning(actor, rest)
    if low == "say":
        num, _, said = rest.partition(" ")
        n = _number(num)
        if n is None or not said.strip():
            return ParseError(f"Write in a thread like `say {n or 3} Have you tried ...?`")
        return Meta("say", question_id=n, text=said.strip())
    if low == "faq":
        num, _, said = rest.partition(" ")
        n = _number(num)
        if n is None or not said.strip():
            return ParseError(
                f"Save an FAQ answer like `faq {n or 3} Use df.groupby([...]).sum()`."
            )
        return lc.SaveFaq(actor, n, said.strip())
    if low == "comment":
        num, _, said = rest.partition(" ")
        n = _number(num)
        if n is None:
            return ParseError("Comment like `comment 3 Very clear, thanks!`")
        return c.CommentOnSession(actor, n, said)
    if low == "react":
        parts = rest.split()
        n = _number(parts[-1]) if len(parts) == 2 else None
        if n is None:
            return ParseError("React like `react ✋ 3`.")
        card = card_of(n)
        if card is None:  # the console knows (or recalls) every question's card: no such question
            return ParseError(f"There is no question #{n}. Check the number and try again.")
        return c.HandleReaction(actor, card, _emoji(parts[0]), thread_of(n))
    if low == "click":
        # a topic's name may have spaces: `click topic:salary negotiation 3`
        parts = rest.rsplit(maxsplit=1)
        n = _number(parts[-1]) if len(parts) == 2 else None
        if n is None or (" " in parts[0] and not parts[0].lower().startswith("topic:")):
            return ParseError("Click like `click claim 3` or `click rate:5 3`.")
        return _click(actor, " ".join(parts[0].lower().split()), n, buttons_on)
    return _not_understood(word)


# What a line may start with (`translate` reads them in this order).
_FIRST_WORDS = (
    "help",
    "quit",
    "as",
    "clock",
    "/askmentor",
    "/mentor",
    "/mentoradmin",
    "/kudos",
    "/lightning",
    "say",
    "faq",
    "comment",
    "react",
    "click",
)


def _not_understood(word: str) -> ParseError:
    """An unknown first word: the likeliest one it was meant to be (a typo) when there is one;
    the console prints the whole help only when there is none."""
    typed = word.lower()
    close = process.extractOne(typed, _FIRST_WORDS, scorer=fuzz.ratio, score_cutoff=70)
    # `/ask` is short for `/askmentor`, not a typo of it: a known word it starts counts too.
    started = [w for w in _FIRST_WORDS if len(typed) >= 3 and w.startswith(typed)]
    meant = close[0] if close else started[0] if len(started) == 1 else None
    guess = f" Did you mean `{meant}`?" if meant else ""
    return ParseError(f"I don't understand `{word}`.{guess}")


# The buttons there are, as "Buttons: ..." lists them when nothing with buttons on a number was
# printed; the plain names among them are what a typo of one may have meant.
_CARD_BUTTONS = (
    "claim",
    "release",
    "resolve",
    "extend",
    "cancel",
    "notmine",
    "accept",
    "decline",
    "rate:1..rate:5",
    "clarity:1..clarity:5",
    "topic:<name>",
    "share",
    "faq",
    "post",
    "edit",
    "answered",
    "faqok",
    "faqupdate",
    "faqretire",
    "faqunquote",
    "mentee:<option>",
    "mentor:<option>",
)
_LIGHTNING_BUTTONS = ("join", "leave", "notnow", "lrate:1..lrate:5")
_BUTTONS = tuple(b for b in _CARD_BUTTONS + _LIGHTNING_BUTTONS if ":" not in b)


def _a_topic(action: str) -> bool:
    return action.startswith("topic:")


def _not_among_the_topics(action: str, printed: Sequence[Action] | None) -> bool:
    """A typed ``topic:<name>`` while topic buttons are shown on that number and none is it:
    a button not there (the platforms show only those), so the ones there are listed."""
    shown = {a.id for a in printed or ()}
    return _a_topic(action) and any(map(_a_topic, shown)) and action not in shown


def _click(
    actor: c.Actor,
    action: str,
    n: int,
    buttons_on: Callable[[int, str], Sequence[Action] | None],
) -> c.Command | ParseError:
    """A button's command; or, for a button not there, the ones `buttons_on` says make sense
    on `n` now (None: nothing with buttons on `n` was printed in this console)."""
    if action == "comment":  # a form on the platforms; a line of its own here
        return ParseError(
            f"In the console, write your comment as a line: `comment {n} Very clear, thanks!`"
        )
    if action == "teach":  # a form on the platforms; a line of its own here
        return ParseError(
            f"In the console, give the time and title as a line: "
            f"`/lightning accept {n} <YYYY-MM-DD HH:MM> <title>`"
        )
    if action == "faq":  # a form on the platforms too
        return ParseError(
            f"In the console, write the FAQ answer as a line: `faq {n} <your short answer>`"
        )
    command = c.button_command(actor, action, n)
    printed = buttons_on(n, action) if command is None or _a_topic(action) else None
    if command is not None and not _not_among_the_topics(action, printed):
        # A lightning session is clicked by the number shown on it, as typed commands name it.
        return typed(command)
    ids = [a.id for a in printed] if printed else _BUTTONS
    near = process.extractOne(action.lower(), ids, scorer=fuzz.ratio, score_cutoff=80)
    meant = f" Did you mean `click {near[0]} {n}`?" if near and near[0] != action else ""
    if printed is None:  # nothing with buttons was printed on n here: what buttons there are
        return ParseError(
            f"There's no `{action}` button.{meant} Buttons: {', '.join(_CARD_BUTTONS)}; "
            f"on a lightning session: {', '.join(_LIGHTNING_BUTTONS)}."
        )
    if not printed:
        return ParseError(
            f"Sorry, there's no `{action}` button on {n}, and nothing there for you to press now."
        )
    return ParseError(
        f"Sorry, there's no `{action}` button on {n}.{meant} What you can press there now: "
        + " · ".join(f"{how_to_press(a)} ({a.label})" for a in printed)
        + "."
    )
