"""Inputs being taken in go first: deciding waits while an input is stored and acknowledged
(for a moment at most), so a burst's acknowledgements never queue behind its decisions."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from starlette.applications import Starlette

from adapters.slack.server import slack_routes
from bot.clock import ManualClock
from bot.commands import Actor, ShowLeaderboard
from bot.config import Config
from bot.flow.intake import Intake
from bot.flow.outbox import ReplyTo
from bot.main import build_app
from bot.refs import UserRef, WorkspaceRef
from tests.adapters.slack.conftest import signed_headers
from tests.unit.fake_chat import FakeChat


async def _until(condition, *, tries: int = 500) -> None:  # type: ignore[no-untyped-def]
    """Let the workers run (their database calls go to another thread) until `condition`."""
    for _ in range(tries):
        if await condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


@pytest.mark.parametrize("at_once", [1, 2])  # one at a time, or a few under a semaphore
async def test_a_stored_input_waits_to_be_decided_while_another_is_being_taken_in(
    sqlite_url: str, at_once: int
) -> None:
    app = await build_app(
        Config.model_validate({"flow": {"decide_concurrency": at_once}}),
        clock=ManualClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC)),
        gateways={"test": FakeChat(platform="test")},
        database_url=sqlite_url,
    )
    worker = app.runtime.inbox_worker
    app.inbox.intake.most = 60.0  # far longer than the test: only the intake ends the wait
    ann = Actor(UserRef("test", "U1"), "Ann", WorkspaceRef("test", "W1"))
    try:
        await app.inbox.receive_command(ShowLeaderboard(ann), key="board-1")
        with app.inbox.intake.taking_in():  # e.g. a Slack request still being acknowledged
            draining = asyncio.create_task(worker.drain())

            async def leased() -> bool:
                async with app.uow_factory(read_only=True) as uow:
                    rows = await uow.inbox.lease(app.clock.now(), lease=worker.lease, limit=10)
                return not rows  # the worker holds it

            await _until(leased)
            for _ in range(50):
                await asyncio.sleep(0)
            assert worker.processed == 0 and not draining.done()
        assert await asyncio.wait_for(draining, 10) == 1
        assert worker.processed == 1
    finally:
        await app.dispose()


async def test_the_wait_is_bounded_so_a_stream_that_never_pauses_is_still_decided() -> None:
    intake = Intake(most=0.0)
    with intake.taking_in():
        await asyncio.wait_for(intake.turn(), 5)  # returns although an input is being taken
        assert intake.taking == 1
    assert intake.taking == 0


async def test_turn_returns_once_the_last_input_is_taken_in() -> None:
    intake = Intake(most=60.0)
    first, second = intake.taking_in(), intake.taking_in()
    first.__enter__()
    second.__enter__()
    waiting = asyncio.create_task(intake.turn())
    await asyncio.sleep(0)
    first.__exit__(None, None, None)
    await asyncio.sleep(0)
    assert not waiting.done()  # one is still being taken in
    second.__exit__(None, None, None)
    await asyncio.wait_for(waiting, 5)


async def test_a_slack_request_counts_as_taken_in_from_its_arrival_to_its_answer() -> None:
    intake = Intake()
    seen: list[int] = []

    async def authorize(**_: object) -> AuthorizeResult:  # no network: a known bot token
        return AuthorizeResult(enterprise_id=None, team_id="T1", bot_token="xoxb-test")

    bolt = AsyncApp(signing_secret="secret", authorize=authorize, process_before_response=True)

    @bolt.command("/askmentor")
    async def record(ack) -> None:  # type: ignore[no-untyped-def]
        seen.append(intake.taking)
        await ack()

    body = urlencode(
        {
            "command": "/askmentor",
            "text": "hi",
            "user_id": "U1",
            "team_id": "T1",
            "trigger_id": "t1",
            "channel_id": "C1",
        }
    )
    web = Starlette(routes=slack_routes(bolt, intake))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=web), base_url="http://slack.test"
    ) as http:
        answer = await http.post(
            "/slack/events",
            content=body,
            headers={
                **signed_headers(body, secret="secret"),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        )
    assert answer.status_code == 200
    assert seen == [1] and intake.taking == 0


class _HeldChat(FakeChat):
    """Its replies wait until `go` is set: a delivery still being made."""

    def __init__(self) -> None:
        super().__init__(platform="test")
        self.entered = asyncio.Event()
        self.go = asyncio.Event()

    async def reply(self, *args: Any, **kwargs: Any) -> Any:
        self.entered.set()
        await self.go.wait()
        return await super().reply(*args, **kwargs)


async def test_a_drain_returns_only_after_the_drain_already_under_way_has_ended(
    sqlite_url: str,
) -> None:
    """The console reads its next line when its drain returns. Should the scheduler's tick be
    draining then, the console's drain finds the rows the tick leased taken: it waits for the
    tick's drain to end, so the answer to the line before has been given."""
    chat = _HeldChat()
    app = await build_app(
        Config(),
        clock=ManualClock(datetime(2026, 11, 25, 14, 0, tzinfo=UTC)),
        gateways={"test": chat},
        database_url=sqlite_url,
        deliver_now=True,
    )
    ann = Actor(UserRef("test", "U1"), "Ann", WorkspaceRef("test", "W1"))
    try:
        await app.inbox.receive_command(
            ShowLeaderboard(ann), key="board-1", reply_to=ReplyTo(ann.user)
        )
        tick = asyncio.create_task(app.runtime.tick())
        await asyncio.wait_for(chat.entered.wait(), 10)  # the tick is delivering the answer
        console = asyncio.create_task(app.runtime.drain())
        await app.runtime.tick()  # another tick meanwhile leaves it to the drain under way
        # Its database calls go to another thread: time enough for a drain that found nothing
        # left to lease to return (as it did).
        done, _ = await asyncio.wait({console}, timeout=1.0)
        assert not done
        chat.go.set()
        await asyncio.wait_for(console, 10)
        assert tick.done()
        assert [call.method for call in chat.calls] == ["reply"]
    finally:
        chat.go.set()
        await app.dispose()
