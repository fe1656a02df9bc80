"""Retention on the core: a sent message that quotes a question (the session intro, a DM) goes
no later than the question's text does (`[privacy] keep_text_days`), whichever run prunes it."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bot.config import Config
from bot.privacy.commands import ApplyRetention
from bot.privacy.retention import removed_text
from tests.unit.core_harness import QUESTION, Core, start_core


def quoting_the_question(core: Core) -> int:
    """Outbox rows whose message holds the question's text."""
    return sum(QUESTION in json.dumps(r.delivery.to_json()) for r in core.db.rows("outbox"))


@pytest.mark.parametrize("run", ["daily retention", "hourly prune"])
async def test_sent_messages_quoting_a_question_go_when_its_text_does(run: str) -> None:
    # Logs may be kept a week, texts only a day: the intro quoting the question goes with it.
    config = Config.model_validate(
        {"privacy": {"keep_text_days": 1, "keep_log_days": 7}, "flow": {"keep_hours": 120}}
    )
    core = await start_core(config)
    await core.claimed()
    assert quoting_the_question(core) > 0
    core.clock.advance(timedelta(days=2))
    if run == "daily retention":
        await core.handle(ApplyRetention(core.clock.now()))
        assert core.question(1).text.startswith("[removed after")
    else:
        await core.runtime.prune(core.clock.now())
    assert quoting_the_question(core) == 0


@pytest.mark.parametrize(
    ("days", "said"), [(1, "[removed after 1 day]"), (90, "[removed after 90 days]")]
)
def test_the_removed_marker_counts_its_days(days: int, said: str) -> None:
    assert removed_text(days) == said
