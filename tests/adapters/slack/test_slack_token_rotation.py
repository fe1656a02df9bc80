"""Slack token rotation in the OAuth mode, against the loopback fake playing Slack as "Using token
rotation" documents it: an install's bot token lasts 12 hours and comes with a refresh token that
trades it for the next pair once. The bot trades it in its last two hours (before a request is
answered and before a delivery), once across replicas, and after an unexpected
``token_expired``; a refresh token Slack refuses once the token has expired is an uninstall."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.ext.asyncio import AsyncEngine

from adapters.slack.token_rotation import TokenKeeper
from bot.clock import ManualClock
from bot.refs import UserRef
from storage.slack_installations import SlackInstallation, SlackInstallations
from tests.adapters.slack.fake_slack import TOKEN_SECONDS, FakeSlack
from tests.adapters.slack.test_slack_oauth import (
    ALPHA,
    CLIENT,
    QUESTION,
    OAuthHarness,
    _dm,
    running,
)

REFRESHES = {"grant_type": "refresh_token"}
SECOND = "How do I read only two columns of a parquet file into a pandas DataFrame?"
THIRD = "How do I profile a slow pandas merge on two large DataFrames?"


@pytest.fixture
async def rotating(sqlite_url: str) -> AsyncIterator[tuple[OAuthHarness, ManualClock]]:
    """Alpha installs an app with token rotation on; the bot's clock is moved by the test."""
    fake = FakeSlack()
    await fake.start()
    fake.oauth_client = CLIENT
    fake.add_workspace(
        ALPHA.team,
        ALPHA.name,
        token=ALPHA.token,
        installer=ALPHA.installer,
        code=ALPHA.code,
        channels={"mentoring": ALPHA.mentoring, "mentor-admins": ALPHA.admins},
        rotating=True,
    )
    clock = ManualClock(datetime.now(UTC))  # Bolt dates the install's expiry by the wall clock
    async with running(fake, sqlite_url, clock) as harness:
        assert (await harness.install(ALPHA)).status_code == 200
        await harness.settled()
        yield harness, clock


async def _installed(harness: OAuthHarness) -> SlackInstallation:
    found = await SlackInstallations(harness.app.engine).find(ALPHA.team)
    assert found is not None
    return found


async def test_an_install_keeps_its_refresh_token_and_the_token_is_traded_in_its_last_hours(
    rotating: tuple[OAuthHarness, ManualClock],
) -> None:
    harness, clock = rotating
    fake = harness.fake
    found = await _installed(harness)
    assert found.bot_token == ALPHA.token and found.bot_refresh_token
    assert found.bot_token_expires_at is not None
    lasts = found.bot_token_expires_at - clock.now()
    assert abs(lasts - timedelta(seconds=TOKEN_SECONDS)) < timedelta(minutes=1)  # wall clock
    assert found.bot_refresh_token not in repr(found)

    # Nine hours on, the token has three left: used as it is.
    clock.advance(timedelta(hours=9))
    await harness.command(ALPHA, ALPHA.asker, "/askmentor", QUESTION)
    await fake.wait_for(
        lambda: harness.with_token("chat.postMessage", ALPHA.token, channel=ALPHA.mentoring),
        what="the card, with the first token",
    )
    assert not fake.to("oauth.v2.access", **REFRESHES)

    # Ten and a half hours on, it is in its last two: traded before the request is answered,
    # once, and the answer goes out with the new token.
    clock.advance(timedelta(hours=1, minutes=30))
    await harness.command(ALPHA, ALPHA.asker, "/askmentor", SECOND)
    await harness.settled()
    [traded] = fake.to("oauth.v2.access", **REFRESHES)
    assert traded.params["refresh_token"] == found.bot_refresh_token
    now = await _installed(harness)
    assert now.bot_token not in (None, ALPHA.token) and now.active
    assert now.bot_refresh_token not in (None, found.bot_refresh_token)
    assert now.bot_token_expires_at is not None
    assert now.bot_token_expires_at - clock.now() == timedelta(seconds=TOKEN_SECONDS)
    cards = harness.with_token("chat.postMessage", str(now.bot_token), channel=ALPHA.mentoring)
    assert [c for c in cards if "parquet" in c.text()]

    # The next request finds a fresh token: no second trade.
    await harness.command(ALPHA, ALPHA.asker, "/askmentor", THIRD)
    await harness.settled()
    assert len(fake.to("oauth.v2.access", **REFRESHES)) == 1


async def test_a_delivery_after_an_unforeseen_token_expired_goes_out_with_the_next_token(
    rotating: tuple[OAuthHarness, ManualClock],
) -> None:
    harness, clock = rotating
    fake = harness.fake
    # Slack calls the token expired although its recorded expiry is hours away (a clock set
    # wrong): the delivery is retried, the token traded first, and the workspace stays installed.
    fake.dead_tokens[ALPHA.token] = "token_expired"
    async with harness.app.uow_factory() as uow:
        item = _dm(UserRef("slack", ALPHA.installer), "still there?")
        await uow.outbox.add_many([replace(item, due_at=clock.now())])
        await uow.commit()
    harness.app.runtime.wake()
    await fake.wait_for(
        lambda: [c for c in fake.to("chat.postMessage", failed=True) if "still" in c.text()],
        what="the refused attempt",
    )

    def delivered() -> bool:
        return any(
            "still there?" in c.text() and fake.token_of(c) != ALPHA.token
            for c in fake.to("chat.postMessage", channel=ALPHA.installer)
        )

    for _ in range(50):  # the retry's backoff passes on the bot's clock
        if delivered():
            break
        clock.advance(timedelta(minutes=1))
        harness.app.runtime.wake()
        await asyncio.sleep(0.05)
    assert delivered()
    assert len(fake.to("oauth.v2.access", **REFRESHES)) == 1
    now = await _installed(harness)
    assert now.active and now.bot_token != ALPHA.token


async def test_a_refused_refresh_is_tried_again_later_until_the_token_has_expired(
    rotating: tuple[OAuthHarness, ManualClock], caplog: pytest.LogCaptureFixture
) -> None:
    harness, clock = rotating
    fake = harness.fake
    fake.refresh_tokens.clear()  # Slack no longer knows the refresh token (revoked)

    # In its last hours: the trade fails, the token still works, and a second request within
    # the minute does not ask Slack again.
    clock.advance(timedelta(hours=11))
    with caplog.at_level("ERROR"):
        await harness.command(ALPHA, ALPHA.asker, "/askmentor", QUESTION)
        await harness.command(ALPHA, ALPHA.asker, "/askmentor", SECOND)
        await harness.settled()
    assert len(fake.to("oauth.v2.access", **REFRESHES)) == 1
    cards = harness.with_token("chat.postMessage", ALPHA.token, channel=ALPHA.mentoring)
    assert len(cards) == 2
    said = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.token_rotation"]
    assert said and "invalid_refresh_token" in said[0] and ALPHA.team in said[0]
    assert all(ALPHA.token not in m and "xoxe-" not in m for m in said)
    assert (await _installed(harness)).active

    # Past its expiry, with the refresh token still refused: as good as uninstalled.
    clock.advance(timedelta(hours=1, minutes=5))
    fake.dead_tokens[ALPHA.token] = "token_expired"
    await harness.command(ALPHA, ALPHA.asker, "/askmentor", THIRD)
    await harness.settled()
    assert len(fake.to("oauth.v2.access", **REFRESHES)) == 2
    gone = await _installed(harness)
    assert not gone.active and gone.bot_token is None and gone.bot_refresh_token is None


@pytest.fixture
async def due(db_engine: AsyncEngine) -> AsyncIterator[tuple[FakeSlack, SlackInstallations, str]]:
    """Alpha's rotating token, in its last half hour, stored as the trade found it; the fake
    Slack holding its refresh token."""
    fake = FakeSlack()
    await fake.start()
    fake.oauth_client = CLIENT
    fake.add_workspace(
        ALPHA.team, ALPHA.name, token=ALPHA.token, installer=ALPHA.installer, code=ALPHA.code,
        rotating=True,
    )  # fmt: skip
    [refresh] = fake.refresh_tokens
    installations = SlackInstallations(db_engine)
    await installations.save(
        SlackInstallation(
            team_id=ALPHA.team,
            bot_token=ALPHA.token,
            bot_refresh_token=refresh,
            bot_token_expires_at=NOON + timedelta(minutes=30),
            installed_at=NOON - timedelta(hours=11, minutes=30),
        )
    )
    try:
        yield fake, installations, refresh
    finally:
        await fake.stop()


NOON = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _keeper(fake: FakeSlack, installations: SlackInstallations) -> TokenKeeper:
    return TokenKeeper(
        installations,
        client=AsyncWebClient(base_url=fake.api_url),
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        clock=ManualClock(NOON),
    )


async def test_two_replicas_finding_the_token_due_together_trade_it_once(
    due: tuple[FakeSlack, SlackInstallations, str], db_engine: AsyncEngine
) -> None:
    """Each refresh token works once: the replica that claims the trade spends it; the other
    goes on with the token it has (good for another half hour) and finds the new one stored."""
    fake, installations, _ = due
    fake.delay["oauth.v2.access"] = 0.3  # the first trade is still out when the second asks
    replicas = [_keeper(fake, SlackInstallations(db_engine)) for _ in range(2)]
    found = await installations.find(ALPHA.team)
    assert found is not None
    results = await asyncio.gather(*(r.fresh(found) for r in replicas))

    assert len(fake.to("oauth.v2.access", **REFRESHES)) == 1
    stored = await installations.find(ALPHA.team)
    assert stored is not None and stored.active and stored.bot_token != ALPHA.token
    assert stored.bot_refresh_token in fake.refresh_tokens  # the unspent one is kept
    assert stored.bot_token_trading_until is None  # the claim ended with the trade
    assert {r.bot_token for r in results} <= {ALPHA.token, stored.bot_token}
    assert stored.bot_token in {r.bot_token for r in results}
    again = await replicas[1].fresh(stored)
    assert again.bot_token == stored.bot_token  # not due: used as it is
    assert len(fake.to("oauth.v2.access", **REFRESHES)) == 1


async def test_no_transaction_stays_open_while_slack_is_asked(
    due: tuple[FakeSlack, SlackInstallations, str],
) -> None:
    """Another writer (storing an input before its acknowledgement, say) is never held up by a
    trade: SQLite has one writer at a time."""
    fake, installations, _ = due
    fake.delay["oauth.v2.access"] = 1.0
    found = await installations.find(ALPHA.team)
    assert found is not None
    trade = asyncio.create_task(_keeper(fake, installations).fresh(found))
    await fake.wait_for(lambda: fake.to("oauth.v2.access", **REFRESHES), what="the trade")
    await installations.remember({"C0ELSEWHERE": ALPHA.team})  # a write meanwhile
    assert not trade.done()  # it went through while Slack was still answering the trade
    assert (await trade).bot_token != ALPHA.token


async def test_a_trade_is_stored_even_when_whoever_needed_the_token_stops_waiting(
    due: tuple[FakeSlack, SlackInstallations, str],
) -> None:
    """Slack spends the refresh token as it answers: a delivery whose deadline runs out meanwhile
    must not leave the spent one stored, or the workspace is lost at the next trade."""
    fake, installations, spent = due
    fake.delay["oauth.v2.access"] = 0.3
    keeper = _keeper(fake, installations)
    found = await installations.find(ALPHA.team)
    assert found is not None
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await keeper.fresh(found)
    await fake.wait_for(lambda: fake.to("oauth.v2.access", **REFRESHES), what="the trade")
    for _ in range(100):  # the trade goes on by itself
        stored = await installations.find(ALPHA.team)
        assert stored is not None
        if stored.bot_refresh_token != spent:
            break
        await asyncio.sleep(0.02)
    assert stored.bot_refresh_token in fake.refresh_tokens and stored.bot_token != ALPHA.token


async def test_a_traded_pair_that_could_not_be_stored_is_used_and_stored_at_the_next_use(
    due: tuple[FakeSlack, SlackInstallations, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake, installations, _ = due
    keeper = _keeper(fake, installations)
    store = installations.traded

    async def fails(*args: object, **kwargs: object) -> bool:
        raise OSError("the database went away")

    monkeypatch.setattr(installations, "traded", fails)
    found = await installations.find(ALPHA.team)
    assert found is not None
    first = await keeper.fresh(found)
    assert first.bot_token != ALPHA.token  # used at once
    still = await installations.find(ALPHA.team)
    assert still is not None and still.bot_token == ALPHA.token  # not stored yet
    monkeypatch.setattr(installations, "traded", store)
    second = await keeper.fresh(still)  # the row still looks due: the pair is stored, not traded
    stored = await installations.find(ALPHA.team)
    assert stored is not None and stored.bot_token == first.bot_token == second.bot_token
    assert len(fake.to("oauth.v2.access", **REFRESHES)) == 1
