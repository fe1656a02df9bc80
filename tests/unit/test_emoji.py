"""Claim and resolve emoji are one set on every platform (Slack names, Unicode, skin tones)."""

from __future__ import annotations

import pytest

from bot.config import Config
from bot.emoji import canonical_emoji, emoji_set, shown_emoji


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("raised_hand", "✋"),
        (":hand:", "✋"),
        ("✋🏽", "✋"),
        ("✋\ufe0f", "✋"),
        ("raising_hand::skin-tone-2", "🙋"),
        (":raising_hand::skin-tone-2:", "🙋"),
        ("🙋🏽\u200d♀\ufe0f", "🙋"),
        ("white_check_mark", "✅"),
        ("✔️", "✔"),
        ("tada", "tada"),
    ],
)
def test_every_spelling_of_an_emoji_is_one_emoji(raw: str, canonical: str) -> None:
    assert canonical_emoji(raw) == canonical


def test_the_default_claim_set_is_the_same_whichever_platform_sends_it() -> None:
    claim = emoji_set(Config().claim.emoji)
    assert claim == {"✋", "🙋"}
    assert all(canonical_emoji(e) in claim for e in ("raised_hand", "raising_hand", "✋", "🙋"))


def test_the_card_names_the_emoji_as_the_platforms_show_it() -> None:
    assert shown_emoji(Config().claim.emoji) == "✋"
    assert shown_emoji(["raising_hand", "✋"]) == "🙋"
