"""Bolt answers Slack only once a listener returned (``process_before_response``), so nothing
slow may follow ``ack()``: an apology on a response_url (a button press not stored, a coached
draft's [Post] when questions can't be posted) is sent once Slack has the acknowledgement, not
before it. A write an event brings that Slack will not send again once acknowledged (a
configured channel lost or back, the app uninstalled) is done before the acknowledgement while
its budget lasts, so it is not lost at a shutdown; a slower one is acknowledged meanwhile (Slack
wants events answered within 3 seconds) and still done."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import httpx
import pytest

from adapters.slack import runtime
from adapters.slack.channels import ChannelWatch
from adapters.slack.listeners import NOT_NOW, STORE_BEFORE_ACK_SECONDS, SlackBot
from adapters.slack.translate import channel_ref, workspace_ref
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import BOT_USER, TEAM_ID, Call
from tests.adapters.slack.test_slack_channel_archived import CANT
from tests.adapters.slack.test_slack_slow_store import FORM, asked, press_body, told

# How long the fake takes to answer a response_url's POST: an acknowledgement that waited for
# it would come after it was answered.
SLOW_RESPONSE_URL = 0.5
GUARD = 0.05  # the acknowledgement's budget the tests run with (2.5 s in production)
PROMPT = 2.0  # long enough for an acknowledgement that does not wait for a held write


@pytest.fixture(autouse=True)
def short_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SlackBot, "answer_within", GUARD)


async def acked_before_the_apology(
    slack: SlackHarness, sending: Awaitable[httpx.Response], said: str
) -> Call:
    """The response to `sending` came while the apology's POST was not answered yet; then the
    apology (answered)."""
    slack.fake.delay["response_url"] = SLOW_RESPONSE_URL
    response = await sending
    assert response.status_code == 200
    assert not [c for c in told(slack, said) if c.answered]

    def apology() -> list[Call]:
        return [c for c in told(slack, said) if c.answered]

    [sorry] = await slack.fake.wait_for(apology, what="the apology")
    return sorry


async def test_a_button_press_not_stored_is_acknowledged_before_the_apology(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    ts = await asked(slack)
    inbox = slack.app.inbox
    receive = inbox.receive

    async def failing(**kwargs: Any) -> bool:
        if kwargs.get("kind") == "slack":
            raise RuntimeError("database is locked")
        return await receive(**kwargs)

    monkeypatch.setattr(inbox, "receive", failing)
    press = slack.post(press_body(slack, "bob", "mm:claim:1", ts=ts, key="act9"), content_type=FORM)
    sorry = await acked_before_the_apology(slack, press, NOT_NOW)
    assert sorry.params["key"] == "act9"


async def test_a_draft_posted_when_questions_cant_be_is_acknowledged_before_the_answer(
    slack: SlackHarness,
) -> None:
    await slack.event({"type": "channel_archive", "channel": MENTORING, "user": USERS["root"]})
    post = slack.click("alice", "mm:post:1", channel=MENTORING, ts="1.1")
    said = await acked_before_the_apology(slack, post, CANT)
    assert "archived" in said.text()


class Held:
    """Writes held back until `open()`: a slow (or locked) database."""

    def __init__(self) -> None:
        self.opened = asyncio.Event()
        self.done = asyncio.Event()

    def around(self, write: Callable[..., Coroutine[Any, Any, Any]]) -> Callable[..., Any]:
        async def held(*args: Any, **kwargs: Any) -> Any:
            await self.opened.wait()
            try:
                return await write(*args, **kwargs)
            finally:
                self.done.set()

        return held


async def acked_while_held(held: Held, sending: Awaitable[httpx.Response]) -> None:
    response = await asyncio.wait_for(sending, timeout=PROMPT)
    assert response.status_code == 200
    assert not held.done.is_set()  # acknowledged before it was written


async def unusable(slack: SlackHarness) -> bool:
    """Whether the mentoring channel is stored as unusable (what every replica reads)."""
    async with slack.app.uow_factory(read_only=True) as uow:
        found = await uow.workspaces.unusable_channels(workspace_ref(TEAM_ID))
    return channel_ref(MENTORING) in found


ARCHIVED = {"type": "channel_archive", "channel": MENTORING, "user": USERS["root"]}
LEFT = {"type": "group_left", "channel": MENTORING}
INVITED = {"type": "member_joined_channel", "channel": MENTORING, "user": BOT_USER}
UNARCHIVED = {"type": "channel_unarchive", "channel": MENTORING}


@pytest.mark.parametrize(
    ("before", "event", "lost"),
    [
        (None, ARCHIVED, True),
        (None, LEFT, True),
        (LEFT, INVITED, False),
        (ARCHIVED, UNARCHIVED, False),
    ],
)
async def test_a_channel_change_slow_to_store_is_acknowledged_in_time_and_stored(
    slack: SlackHarness,
    monkeypatch: pytest.MonkeyPatch,
    before: dict[str, Any] | None,
    event: dict[str, Any],
    lost: bool,
) -> None:
    if before is not None:
        await slack.event(before)
        assert await unusable(slack)
    held = Held()
    monkeypatch.setattr(ChannelWatch, "_store", held.around(ChannelWatch._store))
    await acked_while_held(held, slack.event(event))
    assert await unusable(slack) is not lost  # not yet
    held.opened.set()
    await asyncio.wait_for(held.done.wait(), timeout=PROMPT)
    assert await unusable(slack) is lost


@pytest.mark.parametrize(("event", "lost"), [(ARCHIVED, True), (LEFT, True)])
async def test_a_channel_change_is_stored_before_it_is_acknowledged(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, event: dict[str, Any], lost: bool
) -> None:
    # Not left to run after the acknowledgement: a shutdown then could lose what Slack will
    # not send again.
    monkeypatch.setattr(SlackBot, "answer_within", STORE_BEFORE_ACK_SECONDS)
    assert (await slack.event(event)).status_code == 200
    assert await unusable(slack) is lost


async def _removed(slack: SlackHarness) -> bool:
    async with slack.app.uow_factory(read_only=True) as uow:
        found = await uow.workspaces.get(workspace_ref(TEAM_ID))
    assert found is not None
    return found.removed_at is not None


async def test_an_uninstall_slow_to_record_is_acknowledged_in_time_and_recorded(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    held = Held()
    monkeypatch.setattr(runtime, "record_removal", held.around(runtime.record_removal))
    await acked_while_held(held, slack.event({"type": "app_uninstalled"}))
    assert not await _removed(slack)
    held.opened.set()
    await asyncio.wait_for(held.done.wait(), timeout=PROMPT)
    assert await _removed(slack)


async def test_an_uninstall_is_recorded_before_it_is_acknowledged(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(SlackBot, "answer_within", STORE_BEFORE_ACK_SECONDS)
    assert (await slack.event({"type": "app_uninstalled"})).status_code == 200
    assert await _removed(slack)
