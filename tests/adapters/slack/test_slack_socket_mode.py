"""Socket Mode: `start_slack` with an app-level token against the fake's websocket: slash commands,
events and buttons arrive as envelopes and are acked at once; retries claim once; cancelling the
adapter closes the connection and leaves no tasks behind."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import time
import warnings
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.slack import start_slack
from adapters.slack.listeners import WORKING_ON_IT, SlackBot
from adapters.slack.translate import user_ref, workspace_ref
from bot.app import App
from bot.clock import SystemClock
from bot.domain import QuestionState
from bot.errors import StartupError
from bot.main import build_app
from bot.platforms import configured
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness, slack_config
from tests.adapters.slack.fake_slack import APP_ID, TEAM_ID, FakeSlack

APP_TOKEN = f"xapp-1-{APP_ID}-1234-abcdef"
BOT_TOKEN = "xoxb-socket"
QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"

# Coroutines that handle one envelope: slack_sdk's dispatch, and Bolt's listener run after ack().
HANDLING = ("run_message_listeners", "run_ack_function_asynchronously", "_attempt")
# slack_sdk's long-lived Socket Mode tasks: none may outlive the adapter.
CLIENT_LOOPS = ("process_messages", "monitor_current_session", "receive_messages")


def tasks_running(names: tuple[str, ...]) -> list[asyncio.Task[Any]]:
    return [
        t
        for t in asyncio.all_tasks()
        if not t.done() and getattr(t.get_coro(), "__qualname__", "").endswith(names)
    ]


class SocketHarness(SlackHarness):
    """The same Slack payloads as the HTTP harness, delivered as Socket Mode envelopes."""

    def __init__(self, *, app: App, fake: FakeSlack, task: asyncio.Task[None]) -> None:
        super().__init__(app=app, fake=fake, http=None)  # type: ignore[arg-type]
        self.task = task

    async def connected(self) -> None:
        """Wait for the websocket; fail at once if the adapter stopped instead."""
        socket = asyncio.ensure_future(self.fake.socket())
        await asyncio.wait({self.task, socket}, return_when=asyncio.FIRST_COMPLETED)
        if self.task.done():
            socket.cancel()
            with contextlib.suppress(asyncio.CancelledError, AssertionError):
                await socket
            self.task.result()
            raise AssertionError("the Slack adapter returned before connecting")
        await socket

    async def send_command(self, user: str, command: str, text: str = "") -> str:
        return await self.fake.push("slash_commands", self.command_payload(user, command, text))

    async def send_event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_attempt: int = 0
    ) -> str:
        return await self.fake.push(
            "events_api",
            self.event_payload(event, event_id=event_id),
            retry_attempt=retry_attempt,
            retry_reason="timeout" if retry_attempt else "",
        )

    async def idle(self, *, within: float = 10.0) -> None:
        """Wait until every envelope received so far has been handled to the end."""
        deadline = time.monotonic() + within
        while busy := tasks_running(HANDLING):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"envelope handling still running: {busy}")
            await asyncio.wait(busy, timeout=remaining)

    async def stop(self) -> None:
        """Cancel the adapter the way `micromentor run` does at shutdown."""
        self.task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.task

    async def join(self, user: str, skills: str) -> None:
        await self.fake.ack_of(await self.send_command(user, "/mentor", f"join {skills}"))
        await self.replies_to(user, "mentor")
        await self.send_command(user, "/mentor", "hours Mon-Sun 00:00-24:00")
        await self.replies_to(user, "00:00")

    async def asked(self) -> str:
        """bob mentors python, alice asked #1; the card's ts."""
        await self.join("bob", "python, pandas")
        await self.fake.ack_of(await self.send_command("alice", "/askmentor", QUESTION))
        await self.card_of(1)
        return self.card_ts(1)


@pytest.fixture
def socket_env(fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment of `micromentor run` in Socket Mode: no signing secret, no public URL."""
    for name, uid in USERS.items():
        fake_slack.add_user(uid, name)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_APP_TOKEN", APP_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", fake_slack.api_url)
    for name in ("SLACK_SIGNING_SECRET", "DISCORD_TOKEN", "PORT", "HOST"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
async def slack_app(sqlite_url: str) -> AsyncIterator[App]:
    app = await build_app(slack_config(), clock=SystemClock(), database_url=sqlite_url)
    app.runtime.start()
    yield app
    await app.runtime.shutdown(grace=2)
    await app.chat.aclose()
    await app.dispose()


@pytest.fixture
async def socket_slack(
    fake_slack: FakeSlack, slack_app: App, socket_env: None
) -> AsyncIterator[SocketHarness]:
    task = asyncio.create_task(start_slack(slack_app), name="slack")
    harness = SocketHarness(app=slack_app, fake=fake_slack, task=task)
    try:
        await harness.connected()
        yield harness
        await harness.idle()
    finally:
        await harness.stop()


async def state_of(slack: SlackHarness, number: int) -> QuestionState | None:
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(number)
    return q.state if q else None


def claims_shown(slack: SlackHarness, ts: str) -> int:
    updates = slack.fake.to("chat.update", channel=MENTORING, ts=ts)
    return sum("Claimed by" in c.text() for c in updates)


def test_micromentor_run_starts_slack_with_a_bot_and_an_app_token_alone(socket_env: None) -> None:
    assert [p.name for p in configured()] == ["slack"]


async def test_the_connection_is_opened_with_the_app_token(socket_slack: SocketHarness) -> None:
    fake = socket_slack.fake
    opened = fake.to("apps.connections.open")
    assert [c.params["_token"] for c in opened] == [APP_TOKEN]
    assert [c.params["_token"] for c in fake.to("auth.test")][:1] == [BOT_TOKEN]
    assert len(fake.to("socket.open")) == 1


async def test_a_slash_command_envelope_is_acked_at_once_and_answered(
    socket_slack: SocketHarness,
) -> None:
    sent = time.monotonic()
    envelope_id = await socket_slack.send_command("bob", "/mentor", "join python")
    ack = await socket_slack.fake.ack_of(envelope_id, within=3.0)
    assert ack.at - sent < 3.0
    assert ack.params == {"envelope_id": envelope_id}
    await socket_slack.replies_to("bob", "python")
    async with socket_slack.app.uow_factory() as uow:
        mentor = await uow.mentors.get(user_ref(USERS["bob"]), workspace_ref(TEAM_ID))
    assert mentor is not None and "python" in mentor.skills
    assert not socket_slack.fake.to("ack", failed=True)


async def test_askmentor_posts_a_card_and_a_reaction_from_a_mentor_claims_it(
    socket_slack: SocketHarness,
) -> None:
    fake = socket_slack.fake
    ts = await socket_slack.asked()
    card = await socket_slack.card_of(1)
    assert card.params["channel"] == MENTORING and card.params["_token"] == BOT_TOKEN
    envelope_id = await socket_slack.send_event(socket_slack.reaction_event("bob", MENTORING, ts))
    await fake.ack_of(envelope_id)
    intro = await fake.wait_for(
        lambda: fake.to("chat.postMessage", channel=MENTORING, thread_ts=ts), what="thread intro"
    )
    await fake.wait_for(lambda: claims_shown(socket_slack, ts), what="card marked claimed")
    assert len(intro) == 1
    assert await state_of(socket_slack, 1) is QuestionState.CLAIMED


async def test_a_slash_command_slow_to_store_is_acked_in_time_with_a_polite_text(
    socket_slack: SocketHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As over HTTP: the envelope's ack carries the response, which Slack wants within 3 s."""
    monkeypatch.setattr(SlackBot, "answer_within", 0.05)
    inbox = socket_slack.app.inbox
    receive = inbox.receive
    stored = asyncio.Event()  # the store is held back until this is set

    async def slow(**kwargs: Any) -> bool:
        if kwargs.get("kind") == "slack":
            await stored.wait()
        return await receive(**kwargs)

    monkeypatch.setattr(inbox, "receive", slow)
    envelope_id = await socket_slack.send_command("bob", "/mentor", "join python")
    ack = await socket_slack.fake.ack_of(envelope_id, within=2.0)
    assert ack.params == {
        "envelope_id": envelope_id,
        "payload": {"text": WORKING_ON_IT, "response_type": "ephemeral"},
    }
    stored.set()
    await socket_slack.replies_to("bob", "python")
    async with socket_slack.app.uow_factory() as uow:
        mentor = await uow.mentors.get(user_ref(USERS["bob"]), workspace_ref(TEAM_ID))
    assert mentor is not None and "python" in mentor.skills


async def test_an_event_delivered_again_as_a_retry_claims_once(
    socket_slack: SocketHarness,
) -> None:
    fake = socket_slack.fake
    ts = await socket_slack.asked()
    event = socket_slack.reaction_event("bob", MENTORING, ts)
    first = await socket_slack.send_event(event, event_id="Ev0SOCKET1")
    await fake.wait_for(lambda: fake.to("chat.postMessage", thread_ts=ts), what="thread intro")
    retry = await socket_slack.send_event(event, event_id="Ev0SOCKET1", retry_attempt=1)
    await fake.ack_of(first)
    await fake.ack_of(retry)
    await socket_slack.idle()
    assert len(fake.to("chat.postMessage", thread_ts=ts)) == 1
    assert claims_shown(socket_slack, ts) == 1
    assert not [c for c in fake.calls if "claimed #1 first" in c.text()]
    assert await state_of(socket_slack, 1) is QuestionState.CLAIMED


async def test_a_claim_button_in_an_interactive_envelope_claims(
    socket_slack: SocketHarness,
) -> None:
    fake = socket_slack.fake
    ts = await socket_slack.asked()
    payload = {
        "type": "block_actions",
        "user": {"id": USERS["bob"], "username": "bob", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "legacy",
        "container": {"type": "message", "message_ts": ts, "channel_id": MENTORING},
        "trigger_id": "trigger.button",
        "team": {"id": TEAM_ID, "domain": "fake-team"},
        "channel": {"id": MENTORING, "name": "mentoring"},
        "message": {"type": "message", "ts": ts, "text": "card"},
        "response_url": fake.response_url("button"),
        "actions": [
            {
                "type": "button",
                "action_id": "mm:claim:1",
                "block_id": "mm",
                "value": "mm:claim:1",
                "text": {"type": "plain_text", "text": "Claim"},
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }
    envelope_id = await fake.push("interactive", payload)
    assert not fake.envelopes[envelope_id]["accepts_response_payload"]
    await fake.ack_of(envelope_id)
    await fake.wait_for(lambda: fake.to("chat.postMessage", thread_ts=ts), what="thread intro")
    await socket_slack.replies_to("bob", "you claimed #1")


async def test_a_disconnect_request_reconnects_and_envelopes_keep_flowing(
    socket_slack: SocketHarness,
) -> None:
    fake = socket_slack.fake
    await fake.disconnect()
    await fake.wait_for(lambda: len(fake.to("socket.open")) == 2, what="a second connection")
    await fake.wait_for(lambda: fake.to("socket.close"), what="the old connection closed")
    assert len(fake.to("apps.connections.open")) == 2
    await fake.ack_of(await socket_slack.send_command("bob", "/mentor", "join python"))
    await socket_slack.replies_to("bob", "python")


async def test_socket_mode_turned_off_in_the_app_settings_is_said_clearly(
    socket_slack: SocketHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """Slack's `disconnect` with reason `link_disabled`: Socket Mode was switched off for the
    app; an operator must hear it (the reconnect that follows receives nothing)."""
    with caplog.at_level(logging.INFO, logger="adapters.slack.server"):
        await socket_slack.fake.disconnect("link_disabled")
        await socket_slack.fake.wait_for(
            lambda: [r for r in caplog.records if "link_disabled" in r.getMessage()],
            what="the log line",
        )
    [said] = [r for r in caplog.records if "link_disabled" in r.getMessage()]
    assert said.levelno == logging.ERROR and "Socket Mode was turned off" in said.getMessage()


async def test_cancelling_the_adapter_closes_the_websocket_and_leaves_no_tasks(
    socket_slack: SocketHarness,
) -> None:
    fake = socket_slack.fake
    await fake.ack_of(await socket_slack.send_command("bob", "/mentor", "join python"))
    await socket_slack.idle()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        await socket_slack.stop()
        assert socket_slack.task.cancelled()
        await fake.wait_for(lambda: fake.to("socket.close"), what="the websocket closed")
        assert not [w for w in fake.sockets if not w.closed]
        assert tasks_running(CLIENT_LOOPS) == []
        gc.collect()
    assert not [w for w in caught if "Unclosed" in str(w.message)]
    assert len(fake.to("socket.open")) == 1


async def test_a_token_that_is_not_an_app_token_stops_start_up(
    fake_slack: FakeSlack, slack_app: App, socket_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SLACK_APP_TOKEN", "xoxb-not-an-app-token")
    with pytest.raises(StartupError, match=r"SLACK_APP_TOKEN.*not_allowed_token_type"):
        await asyncio.wait_for(start_slack(slack_app), timeout=10)
    assert tasks_running(CLIENT_LOOPS) == []
    assert not fake_slack.to("socket.open")


async def test_an_event_no_listener_takes_is_acknowledged_over_the_socket(
    socket_slack: SocketHarness,
) -> None:
    sent = await socket_slack.send_event({"type": "team_join", "user": {"id": "U0NEW0001"}})
    assert not (await socket_slack.fake.ack_of(sent)).failed


async def test_a_slash_command_from_another_workspace_is_answered_in_its_ack(
    socket_slack: SocketHarness,
) -> None:
    """The app installed in a second workspace without the OAuth mode: that workspace's
    command is answered (the ack's payload, ephemeral) and not taken as this one's."""
    from adapters.slack.one_team import ANOTHER_WORKSPACE

    payload = socket_slack.command_payload("bob", "/mentor", "join python")
    payload["team_id"] = "T0OTHER01"
    envelope_id = await socket_slack.fake.push("slash_commands", payload)
    ack = await socket_slack.fake.ack_of(envelope_id, within=3.0)
    assert ack.params["payload"] == {"response_type": "ephemeral", "text": ANOTHER_WORKSPACE}
    await socket_slack.settled()
    async with socket_slack.app.uow_factory() as uow:
        mentor = await uow.mentors.get(user_ref(USERS["bob"]), workspace_ref(TEAM_ID))
    assert mentor is None
