"""How a reminder names the day of a session: as the reader counts days, in their own zone."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.lightning.times import day_word

NOW = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # Monday 22:30 UTC


@pytest.mark.parametrize(
    ("when", "tz", "said"),
    [
        (datetime(2026, 11, 30, 23, 0, tzinfo=UTC), "UTC", "today"),
        (datetime(2026, 11, 30, 20, 0, tzinfo=UTC), "UTC", "today"),  # sent late, after a restart
        (datetime(2026, 12, 1, 9, 0, tzinfo=UTC), "UTC", "tomorrow"),
        (datetime(2026, 12, 2, 9, 0, tzinfo=UTC), "UTC", "on Wed"),
        (datetime(2026, 12, 5, 9, 0, tzinfo=UTC), None, "on Sat"),  # no zone known: UTC
        # In Tokyo it is already Tuesday 07:30: a Tuesday session is today there.
        (datetime(2026, 12, 1, 3, 0, tzinfo=UTC), "Asia/Tokyo", "today"),
        # In Honolulu it is still Monday 12:30: Wednesday 05:00 UTC is Tuesday evening there.
        (datetime(2026, 12, 2, 5, 0, tzinfo=UTC), "Pacific/Honolulu", "tomorrow"),
        (datetime(2026, 12, 3, 5, 0, tzinfo=UTC), "Pacific/Honolulu", "on Wed"),
        (datetime(2026, 12, 2, 9, 0, tzinfo=UTC), "Not/A_Zone", "on Wed"),  # unknown: UTC
    ],
)
def test_the_day_is_named_as_the_reader_counts_it(
    when: datetime, tz: str | None, said: str
) -> None:
    assert day_word(when, NOW, tz) == said
