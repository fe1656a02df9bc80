"""Claim and resolve emoji: one spelling for Slack names, Unicode and skin tones on every platform."""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["KNOWN_NAMES", "canonical_emoji", "emoji_set", "shown_emoji"]

# Slack's names for the emoji the bot reacts to, and the Unicode every platform shows. Slack
# names a gendered emoji on its own (🙋‍♀️ is ``woman-raising-hand``, not ``raising_hand`` with a
# tail): each is listed with the emoji it is a form of.
_NAMED = {
    "raised_hand": "✋",
    "hand": "✋",
    "raising_hand": "🙋",
    "woman-raising-hand": "🙋",
    "man-raising-hand": "🙋",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔",
    "ballot_box_with_check": "☑",
}
KNOWN_NAMES = frozenset(_NAMED)
"""The emoji names the bot knows the Unicode of (a name close to one is likely a typo of it)."""
# Skin tones, the emoji variation selector and gendered ZWJ tails: 🙋🏽‍♀️ claims like 🙋.
_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]|\u200d[\u2640\u2642]")
# Slack adds a skin tone to the name (one per person shown: ``::skin-tone-2::skin-tone-5``).
_SLACK_SKIN_TONE = re.compile(r"(::skin-tone-\d)+$")


def canonical_emoji(raw: str) -> str:
    """``:raising_hand::skin-tone-2:``, ``woman-raising-hand``, ``🙋🏽`` → ``🙋``; unknown names stay
    names."""
    name = _SLACK_SKIN_TONE.sub("", raw.strip().strip(":"))
    name = _MODIFIERS.sub("", name)
    return _NAMED.get(name, name)


def emoji_set(configured: Iterable[str]) -> frozenset[str]:
    """The configured emoji as canonical Unicode, so every platform accepts the same set."""
    return frozenset(canonical_emoji(e) for e in configured)


def shown_emoji(configured: Iterable[str]) -> str:
    """The emoji to name in text: the first configured one as the platforms show it (✋, not
    Slack's ``:raised_hand:``, which Discord would print literally)."""
    return canonical_emoji(next(iter(configured)))
