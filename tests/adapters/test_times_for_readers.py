"""Times in the reader's zone: Slack and Discord get a timestamp each client shows in its
reader's own timezone; the console shows the viewer's; the fallback (notifications, logs) names
the one zone the message was written for, so no message mixes zones."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from adapters.console.render import render_text as console_text
from adapters.discord.render import render_text as discord_text
from adapters.slack.render import render_text as slack_text
from bot.messages import text, when

ENDS = datetime(2026, 11, 23, 10, 20, tzinfo=UTC)
EPOCH = int(ENDS.timestamp())


def test_slack_shows_each_reader_their_own_time() -> None:
    rendered = slack_text(text("Time box: until ", when(ENDS, "Europe/Berlin"), "."))
    assert rendered == f"Time box: until <!date^{EPOCH}^{{time}}|11:20 CET>."


def test_slack_dates_carry_the_day_too() -> None:
    rendered = slack_text(text(when(ENDS, "UTC", with_date=True)))
    assert rendered == f"<!date^{EPOCH}^{{date_short_pretty}} {{time}}|Mon 2026-11-23 10:20 UTC>"


def test_discord_shows_each_reader_their_own_time() -> None:
    assert discord_text(text(when(ENDS, "Europe/Berlin")), guild_of=lambda _: None) == (
        f"<t:{EPOCH}:t>"
    )
    assert discord_text(text(when(ENDS, with_date=True)), guild_of=lambda _: None) == (
        f"<t:{EPOCH}:f>"
    )


def test_the_console_shows_the_viewers_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        assert console_text(text("until ", when(ENDS, "Europe/Berlin"))) == "until 05:20 EST"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_the_fallback_is_in_one_zone() -> None:
    assert text("until ", when(ENDS, "Europe/Berlin")).plain() == "until 11:20 CET"
