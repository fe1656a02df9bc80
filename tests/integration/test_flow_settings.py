"""`[flow]` sizes its workers: messages are sent `concurrency` at once, inputs decided
`decide_concurrency` at once (a few: deciding is CPU and database work)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import ManualClock
from bot.config import Config
from bot.main import build_app
from tests.unit.fake_chat import FakeChat


async def test_inputs_are_decided_a_few_at_once_and_messages_sent_many_at_once(
    sqlite_url: str,
) -> None:
    config = Config.model_validate({"flow": {"concurrency": 7, "decide_concurrency": 3}})
    app = await build_app(
        config,
        clock=ManualClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC)),
        gateways={"test": FakeChat(platform="test")},
        database_url=sqlite_url,
    )
    try:
        inbox, outbox = app.runtime.inbox_worker, app.runtime.outbox_worker
        assert inbox.settings.concurrency == 3 and outbox.settings.concurrency == 7
    finally:
        await app.dispose()


def test_the_default_decides_two_at_once_and_sends_sixteen() -> None:
    flow = Config().flow
    assert (flow.decide_concurrency, flow.concurrency) == (2, 16)
