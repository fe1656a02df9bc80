"""Acknowledged means kept: `micromentor run` (Slack HTTP mode, a real process) is killed with
kill -9 or stopped with SIGTERM in the middle of a burst of asks, claims and reactions, started
again, and every acknowledged input has its effect exactly once — one question, one card, one
reply, one session intro — on SQLite and on PostgreSQL.

Cards, thread messages and DMs are exactly once even across kill -9: each carries its delivery's
key as message metadata, and a delivery whose sender died looks for that key before posting
again. An ephemeral answer (Slack's response_url) cannot be looked up, so one that had gone out
in the moment between "sent" and "recorded" when the process was killed is sent again: at
least once, never lost. The test allows exactly that and nothing more; a SIGTERM finishes what
is in flight and doubles nothing."""

from __future__ import annotations

import asyncio
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from storage.engine import create_engine
from tests.adapters.slack.fake_slack import FakeSlack
from tests.e2e.slack_process import MENTORING, BotProcess, Sent, SlackClient

MENTORS = [f"U0MENTOR{i}" for i in range(4)]
ASKERS = [f"U0ASKER{i:02d}" for i in range(24)]
TOPICS = ["pandas DataFrame", "SQL query", "python script", "kubernetes deployment"]
CONFIG = """
[bot]
log_level = "INFO"
admins = []
[flow]
lease_seconds = 5
shutdown_seconds = 6
[nudges]
sweep_seconds = 0.5
[limits]  # a burst of look-alike questions from few people: limits are tested on their own
asks = 0
claims = 0
duplicate_similarity = 0
"""
pytestmark = pytest.mark.timeout(240)


def question(i: int) -> str:
    return f"Case {i}: how do I fix my {TOPICS[i % len(TOPICS)]}? I tried the docs, no luck."


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    slack = FakeSlack()
    await slack.start()
    for uid in MENTORS + ASKERS:
        slack.add_user(uid, uid.lower(), tz="UTC")
    yield slack
    await slack.stop()


async def settled(url: str, *, within: float = 90.0) -> None:
    """Until nothing waits in the inbox or the outbox (leases of the dead process ran out)."""
    engine = create_engine(url)
    deadline = time.monotonic() + within
    try:
        while True:
            async with engine.connect() as conn:
                waiting = (
                    await conn.execute(
                        sa.text(
                            "SELECT (SELECT count(*) FROM inbox WHERE state = 'pending') + "
                            "(SELECT count(*) FROM outbox WHERE state = 'pending')"
                        )
                    )
                ).scalar_one()
            if not waiting:
                return
            if time.monotonic() > deadline:
                raise AssertionError(f"{waiting} inputs or deliveries never finished")
            await asyncio.sleep(0.2)
    finally:
        await engine.dispose()


async def waiting(url: str) -> int:
    """Inputs not processed and deliveries not sent: work the crash interrupted."""
    [row] = await rows(
        url,
        "SELECT (SELECT count(*) FROM inbox WHERE state = 'pending') + "
        "(SELECT count(*) FROM outbox WHERE state = 'pending') AS n",
    )
    return int(row.n)


async def rows(url: str, sql: str) -> list[Any]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return list(await conn.execute(sa.text(sql)))
    finally:
        await engine.dispose()


async def burst(
    client: SlackClient, inputs: list[Any], *, in_flight: int, stop_after: int, stop: Any
) -> list[Sent]:
    """Send `inputs` (coroutine factories) with `in_flight` at once; after `stop_after`
    acknowledgements call `stop()` (the crash) while the rest are still being sent."""
    queue = iter(inputs)
    acked = 0
    stopped = asyncio.Event()
    results: list[Sent] = []

    async def worker() -> None:
        nonlocal acked
        for make in queue:
            if stopped.is_set():
                return
            sent = await make()
            results.append(sent)
            if sent.acked:
                acked += 1
                if acked == stop_after and not stopped.is_set():
                    stopped.set()
                    await stop()

    await asyncio.gather(*(worker() for _ in range(in_flight)))
    return results


def cards_by_question(fake: FakeSlack) -> Counter[int]:
    found: Counter[int] = Counter()
    for call in fake.to("chat.postMessage", channel=MENTORING):
        if call.params.get("thread_ts"):
            continue
        m = re.search(r"Question #(\d+)\*", call.text())
        if m:
            found[int(m[1])] += 1
    return found


def replies_by_key(fake: FakeSlack) -> Counter[str]:
    return Counter(c.params["key"] for c in fake.to("response_url"))


def intros_by_thread(fake: FakeSlack) -> Counter[str]:
    return Counter(
        str(c.params["thread_ts"])
        for c in fake.to("chat.postMessage", channel=MENTORING)
        if c.params.get("thread_ts") and " meet " in c.text()
    )


async def join_mentors(client: SlackClient, fake: FakeSlack) -> None:
    for uid in MENTORS:
        await client.command(uid, "/mentor", "join python, pandas, sql, kubernetes")
        await client.command(uid, "/mentor", "hours Mon-Sun 00:00-24:00")
    await fake.wait_for(lambda: len(replies_by_key(fake)) >= 2 * len(MENTORS), what="joins")


@pytest.mark.parametrize("db", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
@pytest.mark.parametrize(("how", "seed"), [("kill -9", 1), ("kill -9", 2), ("SIGTERM", 1)])
async def test_a_burst_survives_a_crash_with_every_acknowledged_input_done_exactly_once(
    db: str, how: str, seed: int, fake: FakeSlack, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url: str = request.getfixturevalue(f"{db}_url")
    rng = random.Random(f"{db}-{how}-{seed}")
    bot = BotProcess(url, fake.api_url, tmp_path, CONFIG)
    respond_base = fake.api_url.removesuffix("/api/")
    await bot.start()
    client = SlackClient(bot.port, respond_base)
    exits: list[tuple[int, float]] = []
    interrupted: list[int] = []
    crashes: list[float] = []

    async def crash() -> None:
        # The moment the process is gone: a send it made just before dying is still "before".
        if how == "kill -9":
            await bot.kill()
        else:
            exits.append(await bot.terminate())
        crashes.append(time.monotonic())
        interrupted.append(await waiting(url))

    try:
        await join_mentors(client, fake)
        # 1. A burst of 60 asks, 12 in flight; the process goes down after a seeded number.
        asks = [
            (lambda i=i: client.command(ASKERS[i % len(ASKERS)], "/askmentor", question(i)))
            for i in range(60)
        ]
        sent = await burst(client, asks, in_flight=12, stop_after=rng.randint(15, 35), stop=crash)
        await bot.start()
        await settled(url)
        # 2. Claims on the cards: reactions (Slack retries the ones not acknowledged) and
        # buttons; down again in the middle.
        numbers = sorted(cards_by_question(fake))
        ts_of: dict[int, str] = {}
        for (channel, ts), msg in fake.messages.items():
            m = re.search(r"Question #(\d+)\*", str(msg.get("blocks")))
            if channel == MENTORING and m and not msg.get("thread_ts"):
                ts_of[int(m[1])] = ts
        claims: list[Any] = []
        for n in numbers[:24]:
            mentor = MENTORS[n % len(MENTORS)]
            if n % 2:
                claims.append(lambda n=n, m=mentor: client.react(m, ts_of[n], event_id=f"Ev{n}"))
            else:
                claims.append(lambda n=n, m=mentor: client.click(m, f"mm:claim:{n}"))
        sent += await burst(client, claims, in_flight=8, stop_after=rng.randint(4, 12), stop=crash)
        await bot.start()
        # Slack retries an event until it is acknowledged, with the same event id.
        for s in [s for s in sent if s.kind == "event" and not s.acked]:
            n = int(s.key.removeprefix("Ev"))
            sent.append(await client.react(MENTORS[n % len(MENTORS)], ts_of[n], event_id=s.key))
        await settled(url)
        final = await bot.terminate()
    finally:
        await client.close()
        if bot.proc is not None and bot.proc.returncode is None:
            await bot.kill()

    assert final[0] == 0 and final[1] < 10
    if how == "kill -9":
        assert any(interrupted), "the crashes interrupted no work: the test proves nothing"
    for code, took in exits:  # SIGTERM mid-burst: a clean exit within 10 s
        assert code == 0 and took < 10
    acked_asks = [s for s in sent if s.kind == "command" and s.acked]
    assert len(acked_asks) >= 15
    # One question per acknowledged ask (texts are unique), none doubled.
    texts = Counter(r.text for r in await rows(url, "SELECT text FROM question"))
    for i in range(60):
        assert texts[question(i)] <= 1
    asked_texts = {question(i) for i in range(60)}
    assert sum(texts[t] for t in asked_texts) >= len(acked_asks)
    # One card per question; one reply per acknowledged input.
    cards = cards_by_question(fake)
    # Cards show the per-workspace number; the row id can skip values (a PostgreSQL sequence
    # does not roll back with a transaction the crash cut short).
    questions = {r.number for r in await rows(url, "SELECT number FROM question")}
    assert set(cards) == questions and set(cards.values()) == {1}
    replies = replies_by_key(fake)
    for s in sent:
        if s.kind == "event":
            continue
        if s.acked:
            assert replies[s.key] >= 1, (s, "never answered")
        if replies[s.key] > 1:
            assert how == "kill -9" and replies[s.key] == 2, (s, replies[s.key])
            first, again = (c.at for c in fake.to("response_url", key=s.key))
            assert any(first < at < again for at in crashes), (s, "doubled without a crash")
    doubled = sum(n - 1 for n in replies.values())
    assert doubled <= 16 * len(crashes)  # at most what was in flight ([flow] concurrency)
    # One intro per claimed question, in the thread under its card.
    claimed = await rows(url, "SELECT id, card FROM question WHERE mentor IS NOT NULL")
    assert claimed
    intros = intros_by_thread(fake)
    for row in claimed:
        ts = str(row.card).rsplit(":", 1)[-1]
        assert intros[ts] == 1, (row.id, intros[ts])
    # Every reaction Slack delivered (retries included) was taken once: none left behind.
    assert not await rows(url, "SELECT id FROM inbox WHERE state <> 'done'")
    assert not await rows(url, "SELECT id FROM outbox WHERE state <> 'sent'")


@pytest.mark.postgres
async def test_two_replicas_on_one_postgres_share_a_burst_and_a_redelivered_event_once(
    fake: FakeSlack, tmp_path: Path, postgres_url: str
) -> None:
    respond_base = fake.api_url.removesuffix("/api/")
    replicas = []
    for name in ("one", "two"):
        (tmp_path / name).mkdir()
        replicas.append(BotProcess(postgres_url, fake.api_url, tmp_path / name, CONFIG))
    await asyncio.gather(*(r.start() for r in replicas))
    one, two = (
        SlackClient(r.port, respond_base, name=n) for r, n in zip(replicas, "ab", strict=True)
    )
    try:
        await join_mentors(one, fake)
        # Behind a load balancer: asks land on either replica.
        sent = await asyncio.gather(
            *(
                (one if i % 2 else two).command(ASKERS[i % len(ASKERS)], "/askmentor", question(i))
                for i in range(40)
            )
        )
        await settled(postgres_url)
        ts_of: dict[int, str] = {}
        for (channel, ts), msg in fake.messages.items():
            m = re.search(r"Question #(\d+)\*", str(msg.get("blocks")))
            if channel == MENTORING and m and not msg.get("thread_ts"):
                ts_of[int(m[1])] = ts
        # Slack redelivers one event, and the retry reaches the other replica.
        for n, ts in sorted(ts_of.items())[:20]:
            mentor = MENTORS[n % len(MENTORS)]
            both = await asyncio.gather(
                one.react(mentor, ts, event_id=f"EvR{n}"),
                two.react(mentor, ts, event_id=f"EvR{n}"),
            )
            sent += both
        await settled(postgres_url)
        codes = await asyncio.gather(*(r.terminate() for r in replicas))
    finally:
        await one.close()
        await two.close()
        for r in replicas:
            if r.proc is not None and r.proc.returncode is None:
                await r.kill()

    assert all(code == 0 for code, _ in codes)
    assert all(s.acked for s in sent)
    texts = Counter(r.text for r in await rows(postgres_url, "SELECT text FROM question"))
    assert all(texts[question(i)] == 1 for i in range(40))
    cards = cards_by_question(fake)
    assert len(cards) == 40 and set(cards.values()) == {1}
    replies = replies_by_key(fake)
    assert all(replies[s.key] == 1 for s in sent if s.kind == "command")
    claimed = await rows(postgres_url, "SELECT id, card FROM question WHERE mentor IS NOT NULL")
    assert len(claimed) == 20
    intros = intros_by_thread(fake)
    assert all(intros[str(r.card).rsplit(":", 1)[-1]] == 1 for r in claimed)
    taken = await rows(postgres_url, "SELECT key FROM inbox WHERE key LIKE 'slack:ev:EvR%'")
    assert len(taken) == 20  # each redelivered event stored once across both replicas
