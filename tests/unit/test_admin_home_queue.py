"""The admin's home view sums up the queue: its oldest wait reads as every duration does."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import AskQuestion, ShowHome
from tests.unit.core_harness import Core, start_core

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"


@pytest.mark.parametrize(
    ("waited", "reads"),
    [
        (timedelta(seconds=20), "under a minute"),
        (timedelta(minutes=12), "12 min"),
        (timedelta(hours=2), "2 h"),
        (timedelta(hours=2, minutes=5), "2 h 5 min"),
    ],
)
async def test_the_oldest_wait_reads_as_people_say_it(waited: timedelta, reads: str) -> None:
    core: Core = await start_core()
    await core.join("bob", "pandas")
    await core.reply(AskQuestion(core.actor("alice"), QUESTION))
    core.clock.advance(waited)
    home = await core.reply(ShowHome(core.actor("admin")))
    assert f"1 open (oldest waiting {reads}), 0 in a session." in home, home
