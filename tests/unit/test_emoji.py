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


@pytest.mark.parametrize(
    "slack_name",
    [
        "woman-raising-hand",
        "man-raising-hand",
        ":woman-raising-hand::skin-tone-3:",
        "man-raising-hand::skin-tone-6",
        "raising_hand::skin-tone-2::skin-tone-5",
    ],
)
def test_slack_s_gendered_raising_hands_claim_like_the_raising_hand(slack_name: str) -> None:
    """Slack names 🙋‍♀️ and 🙋‍♂️ on their own (its reaction_added sends the name, never the
    Unicode): they are the 🙋 of the default claim set, with any skin tone."""
    assert canonical_emoji(slack_name) == "🙋"
    assert canonical_emoji(slack_name) in emoji_set(Config().claim.emoji)


def test_the_default_claim_set_is_the_same_whichever_platform_sends_it() -> None:
    claim = emoji_set(Config().claim.emoji)
    assert claim == {"✋", "🙋"}
    assert all(canonical_emoji(e) in claim for e in ("raised_hand", "raising_hand", "✋", "🙋"))


def test_the_card_names_the_emoji_as_the_platforms_show_it() -> None:
    assert shown_emoji(Config().claim.emoji) == "✋"
    assert shown_emoji(["raising_hand", "✋"]) == "🙋"
