"""Fixtures for the Slack adapter: the fake Web API, the real AsyncApp behind Starlette, and a
client that signs requests the way Slack does."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import re
import time
import urllib.parse
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from adapters.slack.runtime import SlackSettings, connect
from adapters.slack.server import http_app
from bot.app import App
from bot.clock import SystemClock
from bot.config import Config
from bot.main import build_app
from bot.ports import Clock
from tests.adapters.slack.fake_slack import APP_ID, TEAM_ID, Call, FakeSlack

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
MENTORING = "C0MENTOR1"

USERS = {
    "alice": "U0ALICE01",
    "bob": "U0BOB0001",
    "carol": "U0CAROL01",
    "dave": "U0DAVE001",
    "root": "U0ROOT001",
}


def signed_headers(
    body: str, *, secret: str = SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """``X-Slack-Signature``: v0 HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


class SlackHarness:
    """Sends signed Slack payloads to the app and reads what it did from the fake."""

    def __init__(self, *, app: App, fake: FakeSlack, http: httpx.AsyncClient) -> None:
        self.app = app
        self.fake = fake
        self.http = http
        self._ids = itertools.count(1)

    async def post(
        self, body: str, *, content_type: str, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        hdrs = {"Content-Type": content_type, **signed_headers(body), **(headers or {})}
        return await self.http.post("/slack/events", content=body, headers=hdrs)

    # --- payloads shaped like Slack documents them -----------------------------------------

    def command_payload(
        self, user: str, command: str, text: str, *, channel: str = MENTORING
    ) -> dict[str, str]:
        """A slash command's fields (form-encoded over HTTP, a JSON object in Socket Mode)."""
        n = next(self._ids)
        return {
            "token": "legacy",
            "team_id": TEAM_ID,
            "team_domain": "fake-team",
            "channel_id": channel,
            "channel_name": "mentoring",
            "user_id": USERS[user],
            "user_name": user,
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(f"cmd{n}"),
            "trigger_id": self.fake.issue_trigger(f"trigger.{n}"),
        }

    def command_body(self, user: str, command: str, text: str, *, channel: str = MENTORING) -> str:
        return urllib.parse.urlencode(self.command_payload(user, command, text, channel=channel))

    async def command(self, user: str, command: str, text: str = "") -> httpx.Response:
        body = self.command_body(user, command, text)
        return await self.post(body, content_type="application/x-www-form-urlencoded")

    def event_payload(
        self, event: dict[str, Any], *, event_id: str | None = None, event_time: int | None = None
    ) -> dict[str, Any]:
        """An Events API callback (the HTTP body, or an events_api envelope's payload); sent
        now unless `event_time` (seconds since the epoch) says when Slack dispatched it."""
        return {
            "token": "legacy",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()) if event_time is None else event_time,
            "event": event,
        }

    def event_body(
        self, event: dict[str, Any], *, event_id: str | None = None, event_time: int | None = None
    ) -> str:
        return json.dumps(self.event_payload(event, event_id=event_id, event_time=event_time))

    async def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        event_time: int | None = None,
        retry: int | None = None,
    ) -> httpx.Response:
        headers = {}
        if retry:
            headers = {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        body = self.event_body(event, event_id=event_id, event_time=event_time)
        return await self.post(body, content_type="application/json", headers=headers)

    @staticmethod
    def reaction_event(
        user: str, channel: str, ts: str, emoji: str = "raising_hand"
    ) -> dict[str, Any]:
        return {
            "type": "reaction_added",
            "user": USERS[user],
            "reaction": emoji,
            "item": {"type": "message", "channel": channel, "ts": ts},
            "item_user": "U0BOT0001",
            "event_ts": f"{time.time():.6f}",
        }

    async def react(
        self, user: str, channel: str, ts: str, emoji: str = "raising_hand"
    ) -> httpx.Response:
        return await self.event(self.reaction_event(user, channel, ts, emoji))

    def interaction_body(self, payload: dict[str, Any]) -> str:
        return urllib.parse.urlencode({"payload": json.dumps(payload)})

    async def click(self, user: str, action_id: str, *, channel: str, ts: str) -> httpx.Response:
        n = next(self._ids)
        return await self._press(
            user,
            action_id,
            n,
            container={"type": "message", "message_ts": ts, "channel_id": channel},
            channel={"id": channel, "name": "mentoring"},
            message={"type": "message", "ts": ts, "text": "card"},
            response_url=self.fake.response_url(f"act{n}"),
        )

    async def click_in_home(self, user: str, action_id: str) -> httpx.Response:
        """A button pressed in the App Home tab: a view container, no channel, no response_url."""
        return await self._press(
            user,
            action_id,
            next(self._ids),
            container={"type": "view", "view_id": "V0HOME001"},
            view={"id": "V0HOME001", "team_id": TEAM_ID, "type": "home", "blocks": []},
        )

    async def _press(self, user: str, action_id: str, n: int, **where: Any) -> httpx.Response:
        """block_actions for one button, with where it was pressed (container, channel…)."""
        payload = {
            "type": "block_actions",
            "user": {"id": USERS[user], "username": user, "team_id": TEAM_ID},
            "api_app_id": "A0APP0001",
            "token": "legacy",
            "trigger_id": self.fake.issue_trigger(f"trigger.{n}"),
            "team": {"id": TEAM_ID, "domain": "fake-team"},
            **where,
            "actions": [_button(action_id)],
        }
        return await self.post(
            self.interaction_body(payload), content_type="application/x-www-form-urlencoded"
        )

    async def submit(self, user: str, view: dict[str, Any]) -> httpx.Response:
        payload = {
            "type": "view_submission",
            "team": {"id": TEAM_ID, "domain": "fake-team"},
            "user": {"id": USERS[user], "username": user, "team_id": TEAM_ID},
            "api_app_id": "A0APP0001",
            "token": "legacy",
            "trigger_id": f"trigger.{next(self._ids)}",
            "view": {"id": "V0VIEW001", "team_id": TEAM_ID, "type": "modal", **view},
        }
        return await self.post(
            self.interaction_body(payload), content_type="application/x-www-form-urlencoded"
        )

    # --- reading what happened --------------------------------------------------------------

    async def settled(self, *, within: float = 10.0) -> None:
        """Until every stored input is processed and every decided message delivered (or given
        up): what a person sees once the bot has caught up."""

        async def busy() -> int:
            async with self.app.uow_factory(read_only=True) as uow:
                return await uow.outbox.pending() + await uow.inbox.pending()

        deadline = asyncio.get_running_loop().time() + within
        while await busy():
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError("the bot did not catch up")
            await asyncio.sleep(0.01)

    async def card_of(self, number: int) -> Call:
        """The chat.postMessage of question #`number`'s card."""
        return await self.fake.wait_for(
            lambda: next(
                (
                    c
                    for c in self.fake.to("chat.postMessage", channel=MENTORING)
                    if f"Question #{number}*" in c.text()
                ),
                None,
            ),
            what=f"card of #{number}",
        )

    def card_ts(self, number: int) -> str:
        for (channel, ts), msg in self.fake.messages.items():
            if channel == MENTORING and f"Question #{number}*" in json.dumps(msg.get("blocks")):
                return ts
        raise AssertionError(f"no card for #{number}")

    async def replies_to(self, user: str, pattern: str, *, count: int = 1) -> list[Call]:
        """Wait until `user` has been told something matching `pattern` privately."""

        def found() -> list[Call]:
            hits = [
                c
                for c in self.fake.calls
                if re.search(pattern, c.text(), re.IGNORECASE)
                and (
                    c.method == "response_url"
                    or (c.method == "chat.postEphemeral" and c.params.get("user") == USERS[user])
                    or (c.method == "chat.postMessage" and c.params.get("channel") == USERS[user])
                )
            ]
            return hits if len(hits) >= count else []

        return list(await self.fake.wait_for(found, what=f"reply to {user} matching {pattern!r}"))

    async def join(self, user: str, skills: str) -> None:
        await self.command(user, "/mentor", f"join {skills}")
        await self.replies_to(user, "mentor")
        await self.command(user, "/mentor", "hours Mon-Sun 00:00-24:00")
        await self.replies_to(user, "00:00")


# The lessons and the next-steps message add DMs to every join, ask and resolve; adapter tests
# switch them on where they test them (the console's end-to-end tests run everything).
QUIET_LEARNING = {"learning": {"enabled": False}, "followup": {"enabled": False}}


def slack_config(**sections: Any) -> Config:
    return Config.model_validate(
        {"bot": {"admins": [f"slack:{USERS['root']}"]}, **QUIET_LEARNING, **sections}
    )


async def start_harness(
    fake: FakeSlack, db_url: str, config: Config, *, clock: Clock | None = None
) -> tuple[App, httpx.AsyncClient]:
    """The app with its workers running (as `micromentor run` has them) behind the Bolt app."""
    for name, uid in USERS.items():
        fake.add_user(uid, name)
    app = await build_app(config, clock=clock or SystemClock(), database_url=db_url)
    settings = SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url)
    bolt = await connect(app, settings)
    app.runtime.start()
    transport = httpx.ASGITransport(app=http_app(bolt))
    return app, httpx.AsyncClient(transport=transport, base_url="http://slack.test")


async def stop_harness(app: App) -> None:
    """Stop the workers (handing back what is in flight) and close the database."""
    await app.runtime.shutdown(grace=2)
    await app.chat.aclose()
    await app.dispose()


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
def slack_settings() -> dict[str, Any]:
    """Override in a module to change bot.toml sections for the harness."""
    return {}


@pytest.fixture
async def slack(
    fake_slack: FakeSlack, sqlite_url: str, slack_settings: dict[str, Any]
) -> AsyncIterator[SlackHarness]:
    app, http = await start_harness(fake_slack, sqlite_url, slack_config(**slack_settings))
    try:
        yield SlackHarness(app=app, fake=fake_slack, http=http)
    finally:
        await http.aclose()
        await stop_harness(app)


def _button(action_id: str) -> dict[str, Any]:
    """The pressed button as block_actions carries it."""
    return {
        "type": "button",
        "action_id": action_id,
        "block_id": "mm",
        "value": action_id,
        "text": {"type": "plain_text", "text": "x"},
        "action_ts": f"{time.time():.6f}",
    }
