"""Durations and counts as people read them."""

from __future__ import annotations

import pytest

from bot.wording import duration_text, plural


@pytest.mark.parametrize(
    ("minutes", "said"),
    [
        (None, "n/a"),
        (0, "under a minute"),
        (0.4, "under a minute"),
        (1, "1 min"),
        (59, "59 min"),
        (60, "1 h"),
        (90, "1 h 30 min"),
        (480, "8 h"),
        (1440, "1 day"),
        (3000, "2 days 2 h"),
    ],
)
def test_durations_read_naturally(minutes: float | None, said: str) -> None:
    assert duration_text(minutes) == said


@pytest.mark.parametrize(("n", "said"), [(0, "0 points"), (1, "1 point"), (5, "5 points")])
def test_counts_agree_with_their_noun(n: int, said: str) -> None:
    assert plural(n, "point") == said
