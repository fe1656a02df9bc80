"""Input hygiene: what people type is cleaned of characters that hide or reorder text before the
bot validates it, stores it or shows it."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["clean_line", "has_visible_text", "strip_invisible"]

# Characters that change how text is shown without being seen: zero-width marks, bidi
# embeddings, overrides and isolates, soft hyphens, byte order marks, interlinear annotation
# (Unicode category Cf), and the Hangul and Braille blanks that render as nothing.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f"
    "\u202a-\u202e\u2060-\u206f\u2800\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb]"
    "|[\U000e0000-\U000e007f]"
)
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_invisible(raw: str) -> str:
    """`raw` without format and bidi control characters (they can hide text, reverse it in a
    card or a name, or make a message look empty); other control characters become spaces.
    Emoji keep their look: a variation selector alone is dropped, which only changes the glyph
    style."""
    return _CONTROL.sub(" ", _INVISIBLE.sub("", raw))


def has_visible_text(text: str) -> bool:
    """Whether anything would show: a letter, digit, symbol or punctuation mark."""
    return any(
        not ch.isspace() and unicodedata.category(ch)[0] in "LNSP" for ch in strip_invisible(text)
    )


def clean_line(raw: str, *, limit: int = 80) -> str:
    """A name or a short label: invisible characters gone, spaces collapsed, at most `limit`."""
    return " ".join(strip_invisible(raw).split())[:limit]
