"""A platform outage (5xx, dropped connections, timeouts: `Unavailable`) is waited out for
`[flow] give_up_after_minutes`, retried at most `retry_max_seconds` apart, instead of giving
every delivery decided during it up after `max_attempts` (about four minutes with the
defaults); other failures still give a delivery up after `max_attempts`."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from bot.commands import HandOverQuestion
from bot.config import Config
from bot.flow.worker import WorkerSettings
from bot.ports import Unavailable
from tests.unit.core_harness import START, Core, start_core
from tests.unit.fake_chat import FakeChat


class _Outage(FakeChat):
    """Every call fails as an unavailable platform's do while the clock is inside the outage."""

    def __init__(self, until: datetime, *, error: type[Exception] = Unavailable) -> None:
        super().__init__(platform="test")
        self.until = until
        self.error = error
        self.core: Core | None = None
        self.failed = 0

    async def _record(self, method: str, result: Any, **args: Any) -> Any:
        if self.core is not None and self.core.clock.now() < self.until:
            self.failed += 1
            raise self.error("503 Service Unavailable")
        return await super()._record(method, result, **args)


async def _core_in_outage(
    until: datetime, config: Config | None = None, **kwargs: Any
) -> tuple[Core, _Outage]:
    chat = _Outage(until, **kwargs)
    core = await start_core(config, chat=chat)
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    chat.core = core  # the outage starts now
    return core, chat


async def _ticks(core: Core, *, minutes: float, every: timedelta) -> None:
    for _ in range(int(timedelta(minutes=minutes) / every)):
        core.clock.advance(every)
        await core.tick()


def _failed(core: Core) -> list[str]:
    return [r.delivery.op.value for r in core.db.tables["outbox"].values() if r.state == "failed"]


def _pending(core: Core) -> int:
    return sum(1 for r in core.db.tables["outbox"].values() if r.state == "pending")


async def test_an_hour_long_outage_delays_what_the_bot_says_but_loses_none_of_it() -> None:
    core, chat = await _core_in_outage(START + timedelta(hours=1))
    n = await core.ask("alice")
    await core.claim("bob", n)
    await _ticks(core, minutes=20, every=timedelta(seconds=10))
    assert chat.failed and not _failed(core)  # still waiting, after five times 254 s
    await _ticks(core, minutes=60, every=timedelta(seconds=10))
    assert not _failed(core) and _pending(core) == 0
    q = core.question(n)
    assert q.card is not None and q.thread is not None  # the card and the session thread
    assert chat.messages("send_dm", user=core.user("alice"))  # "your mentor is bob"


async def test_a_hand_over_offer_hit_by_an_outage_reaches_the_mentor_afterwards() -> None:
    """Not reported as "couldn't reach carol by direct message" after four minutes: carol's
    DMs are open, Slack was down."""
    core, chat = await _core_in_outage(START + timedelta(minutes=90))
    chat.core = None
    n = await core.claimed(asker="alice", mentor="bob")
    chat.core = core
    await core.reply(HandOverQuestion(core.actor("bob"), n, core.user("carol")))
    await _ticks(core, minutes=120, every=timedelta(minutes=1))
    offer, withdrawn = chat.messages("send_dm", user=core.user("carol"))
    assert [a.id for a in offer.actions] == ["accept", "decline"]
    assert not [d for d in chat.dms(core.user("bob")) if "couldn't reach" in d]
    # Never reported refused (the session has since ended at its time box, and the offer with
    # it: carol is told so).
    assert "is withdrawn: its session ended" in withdrawn.plain()
    assert not [r for r in core.db.tables["inbox"].values() if r.key.startswith("refused:")]
    assert not _failed(core)


async def test_an_outage_longer_than_give_up_after_minutes_gives_up_then_not_before() -> None:
    core, chat = await _core_in_outage(START + timedelta(days=1))
    chat.core = None
    n = await core.claimed(asker="alice", mentor="bob")
    chat.core = core
    await core.reply(HandOverQuestion(core.actor("bob"), n, core.user("carol")))
    minutes = Config().flow.give_up_after_minutes
    await _ticks(core, minutes=minutes - 5, every=timedelta(minutes=1))
    assert not _failed(core)
    assert not [r for r in core.db.tables["inbox"].values() if r.key.startswith("refused:")]
    await _ticks(core, minutes=30, every=timedelta(minutes=1))
    assert "dm" in _failed(core)  # the offer (and what was said with it)
    # Still reported to the core (`if_refused`), so nobody is left waiting on the offer.
    [offer] = [r for r in core.db.tables["outbox"].values() if r.delivery.if_refused]
    assert offer.state == "failed"
    reported = [r for r in core.db.tables["inbox"].values() if r.key == f"refused:{offer.key}"]
    assert [r.state for r in reported] == ["done"]


async def test_give_up_after_minutes_is_the_outbox_workers() -> None:
    """The setting reaches the outbox worker: with 30 minutes, an outage's delivery is given
    up after about 30 minutes, not the default's hours."""
    config = Config.model_validate({"flow": {"give_up_after_minutes": 30}})
    core, _ = await _core_in_outage(START + timedelta(days=1), config)
    await core.ask("alice")
    await _ticks(core, minutes=25, every=timedelta(minutes=1))
    assert not _failed(core)
    await _ticks(core, minutes=15, every=timedelta(minutes=1))
    assert _failed(core)


async def test_other_failures_still_give_up_after_max_attempts() -> None:
    core, _ = await _core_in_outage(START + timedelta(days=1), error=RuntimeError)
    await core.ask("alice")
    await _ticks(core, minutes=10, every=timedelta(seconds=10))  # 254 s of back-off
    assert "card" in _failed(core) and _pending(core) == 0


def test_the_time_waited_out_is_bounded_by_give_up_after_not_by_attempts() -> None:
    flow = Config().flow
    settings = WorkerSettings(
        max_attempts=flow.max_attempts,
        retry_base_seconds=flow.retry_base_seconds,
        retry_max_seconds=flow.retry_max_seconds,
        give_up_after_seconds=flow.give_up_after_minutes * 60,
    )
    assert not settings.spent(7, unavailable=False) and settings.spent(8, unavailable=False)
    spent = next(a for a in range(1, 500) if settings.spent(a, unavailable=True))
    waited = settings.waited(spent)
    assert timedelta(minutes=flow.give_up_after_minutes) <= waited
    assert waited < timedelta(minutes=flow.give_up_after_minutes) + settings.backoff(spent)
    assert all(settings.backoff(a) <= timedelta(minutes=5) for a in range(1, spent + 1))
    # A short budget still tries `max_attempts` times.
    brief = WorkerSettings(max_attempts=8, give_up_after_seconds=1.0)
    assert not brief.spent(7, unavailable=True) and brief.spent(8, unavailable=True)


def test_give_up_after_minutes_is_a_validated_flow_setting() -> None:
    assert Config().flow.give_up_after_minutes == 240
    assert (
        Config.model_validate({"flow": {"give_up_after_minutes": 600}}).flow.give_up_after_minutes
        == 600
    )
    for wrong in (0, -5, 10**6, "soon"):
        with pytest.raises(ValidationError):
            Config.model_validate({"flow": {"give_up_after_minutes": wrong}})


async def test_only_the_outbox_waits_an_outage_out() -> None:
    """An input that meets an outage (a Slack look-up while it is prepared) is someone waiting
    for an answer: it is given up after `[flow] inbox_attempts` and they are told, as before,
    not four hours later behind everything else they sent."""
    core = await start_core()
    flow = core.config.flow
    assert core.runtime.outbox_worker.settings.give_up_after_seconds == (
        flow.give_up_after_minutes * 60
    )
    for worker in (core.runtime.inbox_worker, core.runtime.nudge_worker):
        attempts = worker.settings.max_attempts
        assert worker.settings.spent(attempts, unavailable=True), worker.name
