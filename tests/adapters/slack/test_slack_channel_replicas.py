"""Two replicas over one database (PostgreSQL, as a deployment with several has it; SQLite
too): Slack sends a channel's ``channel_archive`` / ``channel_unarchive`` to one of them, and
the other refuses (or takes) questions as well within a few seconds, without a refused card
costing an asker their question first."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from adapters.slack import channels
from adapters.slack.translate import workspace_ref
from tests.adapters.slack.conftest import (
    MENTORING,
    TEAM_ID,
    USERS,
    SlackHarness,
    slack_config,
    start_harness,
    stop_harness,
)
from tests.adapters.slack.fake_slack import FakeSlack
from tests.adapters.slack.test_slack_channel_archived import (
    CANT,
    ack_text,
    ask,
    said_to_operator,
)

SECOND = "How do I sum one column of a pandas DataFrame by group?"
THIRD = "Which pandas method pivots a long table into a wide one?"
START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # when the watches found the channels usable
MINUTE = timedelta(minutes=1)


@pytest.fixture
async def replicas(
    fake_slack: FakeSlack, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[SlackHarness, SlackHarness]]:
    """Two `micromentor run` of one workspace on one database, behind one load balancer (the
    test picks which replica a request reaches). What one stores, the other reads within a
    tenth of a second here (a few seconds in production)."""
    monkeypatch.setattr(channels, "SHARED_SECONDS", 0.1)
    started = []
    try:
        for n in range(2):
            app, http = await start_harness(fake_slack, db_url, slack_config())
            started.append(SlackHarness(app=app, fake=fake_slack, http=http))
            # Payload ids (trigger, event) of the two never meet: one input is not a retry.
            started[-1]._ids = itertools.count(1 + 1000 * n)
        yield started[0], started[1]
    finally:
        for harness in started:
            await harness.http.aclose()
            await stop_harness(harness.app)


async def questions(slack: SlackHarness) -> int:
    async with slack.app.uow_factory(read_only=True) as uow:
        found = [await uow.questions.get_by_number(workspace_ref(TEAM_ID), n) for n in range(1, 5)]
    return sum(q is not None for q in found)


async def test_an_archive_heard_by_one_replica_stops_questions_on_the_other(
    replicas: tuple[SlackHarness, SlackHarness], caplog: pytest.LogCaptureFixture
) -> None:
    one, two = replicas
    with caplog.at_level(logging.INFO, logger="adapters.slack"):
        archived = {"type": "channel_archive", "channel": MENTORING, "user": USERS["root"]}
        assert (await one.event(archived)).status_code == 200
        # The other replica never saw the event: its asker is told, and nothing is stored.
        refused = await ask(two)
        assert CANT in ack_text(refused) and "archived" in ack_text(refused)
        assert CANT in ack_text(await ask(two, SECOND))
        await two.settled()
        assert await questions(two) == 0
        assert not two.fake.to("chat.postMessage", channel=MENTORING)
        # Told once by the replica that heard it, once by the one that learned it from it.
        assert len(said_to_operator(caplog, "mentoring channel", "is archived")) == 2

        # The unarchive reaches the other replica: both take questions again.
        await two.event({"type": "channel_unarchive", "channel": MENTORING})
        await _stale()
        assert CANT not in ack_text(await ask(one))
        assert CANT not in ack_text(await ask(two, SECOND))
        await one.card_of(1)
        await one.card_of(2)
        assert await questions(one) == 2


async def test_an_unarchive_heard_by_one_replica_lets_the_other_take_questions(
    replicas: tuple[SlackHarness, SlackHarness],
) -> None:
    one, two = replicas
    archived = {"type": "channel_archive", "channel": MENTORING, "user": USERS["root"]}
    # Both knew the channel archived (each heard it, or had a card refused).
    for replica in replicas:
        assert (await replica.event(archived)).status_code == 200
        assert CANT in ack_text(await ask(replica))
    # Slack sends the unarchive to one of them; the other takes the next question at once,
    # before any card of its own could have told it so.
    await one.event({"type": "channel_unarchive", "channel": MENTORING})
    await _stale()
    assert CANT not in ack_text(await ask(two, SECOND))
    await two.card_of(1)
    assert await questions(two) == 1


async def test_a_card_refused_on_one_replica_stops_questions_on_the_other(
    replicas: tuple[SlackHarness, SlackHarness],
) -> None:
    one, two = replicas
    await _stale()
    assert CANT not in ack_text(await ask(one))
    await one.card_of(1)
    # The archive event was missed; the next card is refused (by whichever replica sent it).
    one.fake.refuse[MENTORING] = "is_archived"
    assert CANT not in ack_text(await ask(one, SECOND))
    await one.fake.wait_for(
        lambda: one.fake.to("chat.postMessage", failed=True, channel=MENTORING),
        what="the refused card",
    )
    await one.settled()
    await _stale()
    # Neither replica takes the next question: no second asker per replica loses theirs.
    for replica in replicas:
        assert CANT in ack_text(await ask(replica, THIRD))
    await two.settled()
    assert await questions(two) == 2


async def test_a_retried_archive_older_than_the_unarchive_another_replica_stored_is_left_out(
    replicas: tuple[SlackHarness, SlackHarness],
) -> None:
    """The archive (of second 100) was not taken in time by the replica it was sent to, and
    Slack retries it after the other replica stored the unarchive (of second 200): the retry is
    older news for both, and both go on taking questions."""
    one, two = replicas
    at = int(time.time()) + 100  # after the start-up checks found the channel usable
    await two.event({"type": "channel_unarchive", "channel": MENTORING}, event_time=at + 100)
    archived = {"type": "channel_archive", "channel": MENTORING, "user": USERS["root"]}
    retried = await one.event(archived, event_id="Ev0ARCHIVE", event_time=at, retry=1)
    assert retried.status_code == 200
    await _stale()
    assert CANT not in ack_text(await ask(one))
    assert CANT not in ack_text(await ask(two, SECOND))
    await one.card_of(1)
    await one.card_of(2)
    assert await questions(one) == 2


async def _stale() -> None:
    """Longer than the replicas keep what they read of the database (`SHARED_SECONDS`)."""
    await asyncio.sleep(0.15)


class _Ticks:
    """A clock for `Memo` the test moves by hand."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


async def test_the_ask_reads_the_database_once_per_few_seconds_and_says_it_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check before an acknowledgement reads the shared state at most once every
    `SHARED_SECONDS` per workspace (however many asks), and the operator's line is said once
    by a replica that learns it from the database, not at every read."""
    from bot.caching import Memo
    from bot.config import ChannelsSection
    from tests.unit.fakes import FakeDatabase

    db = FakeDatabase()
    reads = 0
    factory = db.uow_factory()

    def counting(*, read_only: bool = False, urgent: bool = False) -> object:
        nonlocal reads
        reads += read_only
        return factory(read_only=read_only, urgent=urgent)

    ticks = _Ticks()
    hearing, other = channels.ChannelWatch(factory), channels.ChannelWatch(counting)  # type: ignore[arg-type]
    other._shared = Memo(ttl_seconds=channels.SHARED_SECONDS, monotonic=ticks)
    for watch in (hearing, other):
        await watch.watch(
            TEAM_ID,
            ChannelsSection(),
            name="Acme",
            mentoring=MENTORING,
            admin="C0ADMINS1",
            escalation=None,
            checked_at=START,
        )
    reads = 0
    with caplog.at_level(logging.INFO, logger="adapters.slack"):
        await hearing.lost(TEAM_ID, MENTORING, channels.ARCHIVED, at=START + MINUTE)
        for _ in range(50):
            assert await other.cannot_ask(TEAM_ID) is not None
        assert reads == 1
        for _ in range(5):  # an hour of asks: read again every few seconds, said once
            ticks.now += channels.SHARED_SECONDS + 1
            assert await other.cannot_ask(TEAM_ID) is not None
        assert reads == 6
        assert len(said_to_operator(caplog, "mentoring channel", "is archived")) == 2
        await hearing.back(TEAM_ID, MENTORING, at=START + 2 * MINUTE)
        ticks.now += channels.SHARED_SECONDS + 1
        assert await other.cannot_ask(TEAM_ID) is None
        assert await other.cannot_ask(TEAM_ID) is None
        assert len(said_to_operator(caplog, "is usable again")) == 2


async def test_a_slow_read_of_the_stored_state_does_not_hold_up_the_ask(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A database slower than `READ_WITHIN`: the ask goes by this replica's memory (inside
    Slack's 3 seconds) while the read is still held up, the read goes on, and a later ask
    finds what it read."""
    from bot.config import ChannelsSection
    from tests.unit.fakes import FakeDatabase

    monkeypatch.setattr(channels, "READ_WITHIN", 0.01)
    db = FakeDatabase()
    factory = db.uow_factory()
    release = asyncio.Event()
    slow = False

    @contextlib.asynccontextmanager
    async def slow_reads(*, read_only: bool = False, urgent: bool = False) -> Any:
        if read_only and slow:
            await release.wait()
        async with factory(read_only=read_only, urgent=urgent) as uow:
            yield uow

    hearing, other = channels.ChannelWatch(factory), channels.ChannelWatch(slow_reads)  # type: ignore[arg-type]
    for watch in (hearing, other):
        await watch.watch(
            TEAM_ID, ChannelsSection(), name="Acme", mentoring=MENTORING, admin="C0ADMINS1",
            escalation=None, checked_at=START,
        )  # fmt: skip
    await hearing.lost(TEAM_ID, MENTORING, channels.ARCHIVED, at=START + MINUTE)
    slow = True
    assert await other.cannot_ask(TEAM_ID) is None  # what it knew (nothing), not held up
    assert not release.is_set()
    release.set()
    for _ in range(1000):  # the read, let go, finishes in a few turns of the loop
        if await other.cannot_ask(TEAM_ID) is not None:
            break
        await asyncio.sleep(0)
    assert await other.cannot_ask(TEAM_ID) is not None
