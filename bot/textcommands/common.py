"""What every text-command parser shares: `ParseError` (the answer when text is no command),
`UserLookup` (how a platform's mention becomes a user), the dash-word pattern that flags are
read with (`--anonymous`, `—private`, full-width dashes), and `_unknown`, the "did you mean"
of an unknown subcommand."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.refs import UserRef

__all__ = ["ParseError", "UserLookup"]


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
# What a flag picks up in a sentence or a chat: `(--anonymous)`, `--anonymous:`,
# `… --anonymous…`, markdown (`` `--anonymous` ``, `*…*`, `_…_`, `~…~`), guillemets.
_AROUND = "()[]{}<>.,:;!?\"'“”‘’„‚`*_~«»‹›…「」『』【】"

UserLookup = Callable[[str], tuple[UserRef, str] | None]


def _unknown(command: str, sub: str, known: Sequence[str], usage: str) -> ParseError:
    """An unknown subcommand: the likeliest one it was meant to be (a typo), then the usage."""
    close = process.extractOne(sub, known, scorer=fuzz.ratio, score_cutoff=70)
    guess = f" Did you mean `{command} {close[0]}`?" if close else ""
    # What was typed is shown in a code span: a backtick of theirs would end it (and let the
    # rest be read as formatting), a very long word fill the answer.
    typed = sub.replace("`", "'")
    typed = typed if len(typed) <= 40 else typed[:39] + "…"
    return ParseError(f"I don't know `{command} {typed}`.{guess} {usage}")
