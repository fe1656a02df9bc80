"""Multi-workspace Slack (OAuth) against the loopback fake: two workspaces installed through
``/slack/install`` → ``/slack/oauth_redirect``, each one's requests answered with its own bot
token, the installer made admin and welcomed, and an uninstall that stops deliveries there."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import re
import time
import urllib.parse
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette

from adapters.slack import start_slack_oauth, sync_mentor_groups
from adapters.slack.background import Background
from adapters.slack.check import check_slack_oauth
from adapters.slack.installation_store import DbInstallationStore
from adapters.slack.oauth import OAuthEnv, connect_oauth, oauth_routes
from adapters.slack.oauth_state import SignedStateStore
from adapters.slack.server import slack_routes
from adapters.slack.teams import Teams
from adapters.slack.translate import workspace_ref
from bot.app import App
from bot.clock import SystemClock
from bot.commands import RegisterWorkspace
from bot.flow.outbox import Delivery, Op, OutboxItem, new_key
from bot.main import build_app
from bot.messages import ChatMessage, text
from bot.platforms import NOTE, configured, credential_problems
from bot.ports import Clock
from bot.refs import ChannelRef, UserRef
from storage.slack_installations import SlackInstallation, SlackInstallations
from storage.tables import SlackInstallationRow, table_of
from tests.adapters.slack.conftest import SECRET, signed_headers, slack_config
from tests.adapters.slack.fake_slack import APP_ID, BOT_USER, Call, FakeSlack

CLIENT = ("1111.2222", "client-secret-value")
QUESTION = "How do I group a pandas DataFrame by two columns and sum?"


@dataclass(frozen=True)
class Ws:
    team: str
    name: str
    token: str
    installer: str
    asker: str
    mentoring: str
    admins: str
    code: str


ALPHA = Ws(
    "T0ALPHA01", "Alpha", "xoxb-alpha-token", "U0AINST01", "U0AASK001", "C0AMENTOR", "C0AADMINS",
    "code-alpha",
)  # fmt: skip
BETA = Ws(
    "T0BETA001", "Beta", "xoxb-beta-token", "U0BINST01", "U0BASK001", "C0BMENTOR", "C0BADMINS",
    "code-beta",
)  # fmt: skip


class OAuthHarness:
    def __init__(
        self, app: App, fake: FakeSlack, http: httpx.AsyncClient, bolt: AsyncApp | None = None
    ) -> None:
        self.app = app
        self.fake = fake
        self.http = http
        self.bolt = bolt
        self._n = 0

    async def install(self, ws: Ws) -> httpx.Response:
        page = await self.http.get("/slack/install")
        assert page.status_code == 200, page.text
        state = re.search(r"state=([A-Za-z0-9_.\-]+)", page.text)
        assert state is not None and CLIENT[0] in page.text
        cookie = page.headers["set-cookie"].split(";")[0]  # Secure: not sent back over http
        return await self.http.get(
            "/slack/oauth_redirect",
            params={"code": ws.code, "state": state.group(1)},
            headers={"Cookie": cookie},
        )

    async def post(self, body: str, content_type: str) -> httpx.Response:
        headers = {"Content-Type": content_type, **signed_headers(body)}
        return await self.http.post("/slack/events", content=body, headers=headers)

    async def command(self, ws: Ws, user: str, command: str, said: str) -> httpx.Response:
        self._n += 1
        body = {
            "token": "legacy",
            "team_id": ws.team,
            "team_domain": ws.name.lower(),
            "channel_id": ws.mentoring,
            "channel_name": "mentoring",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": said,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": self.fake.response_url(f"cmd{self._n}"),
            "trigger_id": f"trigger.{self._n}",
        }
        return await self.post(urllib.parse.urlencode(body), "application/x-www-form-urlencoded")

    async def event(
        self, ws: Ws, event: dict[str, Any], *, event_time: int | None = None
    ) -> httpx.Response:
        self._n += 1
        body = {
            "token": "legacy",
            "team_id": ws.team,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": f"Ev{self._n:08d}",
            "event_time": int(time.time()) if event_time is None else event_time,
            "event": event,
            "authorizations": [{"team_id": ws.team, "user_id": "U0BOT0001", "is_bot": True}],
        }
        return await self.post(json.dumps(body), "application/json")

    async def settled(self) -> None:
        async def busy() -> int:
            async with self.app.uow_factory(read_only=True) as uow:
                return await uow.outbox.pending() + await uow.inbox.pending()

        deadline = time.monotonic() + 10
        while await busy():
            assert time.monotonic() < deadline, "the bot did not catch up"
            await asyncio.sleep(0.01)  # polling the queues, as the other Slack harness does

    def with_token(self, method: str, token: str, **where: Any) -> list[Call]:
        return [c for c in self.fake.to(method, **where) if self.fake.token_of(c) == token]

    async def replied(self, ws: Ws, user: str, command: str, said: str) -> str:
        """A command's answer: its acknowledgement and what reached its response_url or came
        as an ephemeral message, together."""
        before = len(self.fake.calls)
        ack = await self.command(ws, user, command, said)
        assert ack.status_code == 200, ack.text
        await self.settled()
        later = self.fake.calls[before:]
        return ack.text + "".join(
            c.text() for c in later if c.method in ("response_url", "chat.postEphemeral")
        )


@pytest.fixture
async def oauth(sqlite_url: str) -> AsyncIterator[OAuthHarness]:
    fake = FakeSlack()
    await fake.start()
    fake.oauth_client = CLIENT
    for ws in (ALPHA, BETA):
        fake.add_workspace(
            ws.team,
            ws.name,
            token=ws.token,
            installer=ws.installer,
            code=ws.code,
            channels={"general": f"C0{ws.team[2:6]}GEN", "mentoring": ws.mentoring,
                      "mentor-admins": ws.admins},
        )  # fmt: skip
    async with running(fake, sqlite_url, SystemClock()) as harness:
        yield harness


@contextlib.asynccontextmanager
async def running(fake: FakeSlack, sqlite_url: str, clock: Clock) -> AsyncIterator[OAuthHarness]:
    """The OAuth mode's app on `fake` (started, its OAuth client set), served in process; all
    stopped afterwards, `fake` too."""
    app = await build_app(slack_config(), clock=clock, database_url=sqlite_url)
    env = OAuthEnv(
        client_id=CLIENT[0],
        client_secret=CLIENT[1],
        state_secret="state-secret-value",
        signing_secret=SECRET,
        api_url=fake.api_url,
    )
    bolt = await connect_oauth(app, env)
    app.runtime.start()
    web = Starlette(routes=[*slack_routes(bolt), *oauth_routes(bolt)])
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=web), base_url="http://slack.test")
    try:
        yield OAuthHarness(app, fake, http, bolt)
    finally:
        await http.aclose()
        await app.runtime.shutdown(grace=2)
        await app.chat.aclose()
        await app.dispose()
        await fake.stop()


async def test_two_workspaces_each_answered_with_its_own_token(oauth: OAuthHarness) -> None:
    fake = oauth.fake
    for ws in (ALPHA, BETA):
        done = await oauth.install(ws)
        assert done.status_code == 200, done.text
    assert len(fake.to("oauth.v2.access")) == 2

    # Each installer is welcomed in a DM sent with their workspace's token, as its first admin.
    for ws in (ALPHA, BETA):
        [dm] = await fake.wait_for(
            lambda ws=ws: oauth.with_token("chat.postMessage", ws.token, channel=ws.installer),
            what=f"welcome DM in {ws.name}",
        )
        assert "first Micromentor admin" in dm.text()
        async with oauth.app.uow_factory(read_only=True) as uow:
            person = await uow.people.get(UserRef("slack", ws.installer))
            admin_of = await uow.people.admin_of(UserRef("slack", ws.installer))
            workspace = await uow.workspaces.get(workspace_ref(ws.team))
        assert person is not None and admin_of == {workspace_ref(ws.team)}
        assert workspace is not None and workspace.mentoring_channel.id == ws.mentoring

    # A command from each workspace: the card goes to that workspace's channel, with its token.
    for ws in (ALPHA, BETA):
        asked = await oauth.command(ws, ws.asker, "/askmentor", QUESTION)
        assert asked.status_code == 200
    for ws in (ALPHA, BETA):
        await fake.wait_for(
            lambda ws=ws: oauth.with_token("chat.postMessage", ws.token, channel=ws.mentoring),
            what=f"card in {ws.name}",
        )
    # An event from each: the App Home is published with the workspace's own token.
    for ws in (ALPHA, BETA):
        opened = await oauth.event(
            ws, {"type": "app_home_opened", "user": ws.asker, "tab": "home", "channel": "D0X"}
        )
        assert opened.status_code == 200
        await fake.wait_for(
            lambda ws=ws: oauth.with_token("views.publish", ws.token, user_id=ws.asker),
            what=f"home in {ws.name}",
        )
    # No call to a workspace's channels or people ever carried the other workspace's token.
    for ws, other in ((ALPHA, BETA), (BETA, ALPHA)):
        for c in fake.calls:
            target = c.params.get("channel") or c.params.get("user_id") or c.params.get("user")
            if target in (ws.mentoring, ws.installer, ws.asker):
                assert fake.token_of(c) != other.token, c
    # Tokens never reach the logs' repr of an installation.
    installs = SlackInstallations(oauth.app.engine)
    found = await installs.find(ALPHA.team)
    assert found is not None and ALPHA.token not in repr(found)


async def _removed_at(oauth: OAuthHarness, ws: Any) -> datetime | None:
    """When the core was told the app was removed from `ws` (None: it is there)."""
    async with oauth.app.uow_factory(read_only=True) as uow:
        found = await uow.workspaces.get(workspace_ref(ws.team))
    assert found is not None
    return found.removed_at


async def test_uninstall_stops_deliveries_to_that_workspace(oauth: OAuthHarness) -> None:
    fake = oauth.fake
    for ws in (ALPHA, BETA):
        assert (await oauth.install(ws)).status_code == 200
    await oauth.settled()

    gone = await oauth.event(BETA, {"type": "app_uninstalled"})
    assert gone.status_code == 200
    found = await SlackInstallations(oauth.app.engine).find(BETA.team)
    assert found is not None and not found.active and found.bot_token is None
    # The core knows too (every replica): Beta's reminders wait and it gets no digest.
    assert await _removed_at(oauth, BETA) is not None
    assert await _removed_at(oauth, ALPHA) is None
    calls_before = len(oauth.with_token("chat.postMessage", BETA.token))

    # A request from the uninstalled workspace is not taken, and a message already decided for
    # it is not delivered (refused, not retried); the other workspace carries on.
    await oauth.command(BETA, BETA.asker, "/askmentor", QUESTION)
    user = UserRef("slack", BETA.installer)
    async with oauth.app.uow_factory() as uow:
        await uow.outbox.add_many(
            [
                OutboxItem(
                    Delivery(
                        op=Op.DM,
                        lane=f"u:{user.key()}",
                        message=ChatMessage(body=text("still there?")),
                        user=user,
                    ),
                    key=new_key(),
                    due_at=oauth.app.clock.now(),
                )
            ]
        )
        await uow.commit()
    oauth.app.runtime.wake()
    await oauth.command(ALPHA, ALPHA.asker, "/askmentor", QUESTION)
    await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", ALPHA.token, channel=ALPHA.mentoring),
        what="card in Alpha",
    )
    await oauth.settled()
    assert len(oauth.with_token("chat.postMessage", BETA.token)) == calls_before

    # tokens_revoked for a workspace that is already gone does not crash either.
    again = await oauth.event(BETA, {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT0001"]}})
    assert again.status_code == 200


async def test_a_forged_or_expired_state_is_refused() -> None:
    store = SignedStateStore("secret", expires_in=600)
    state = await store.async_issue()
    assert await store.async_consume(state)
    assert not await SignedStateStore("other").async_consume(state)
    assert not await store.async_consume(state[:-1] + ("0" if state[-1] != "0" else "1"))
    expired = await SignedStateStore("secret", expires_in=-1).async_issue()
    assert not await store.async_consume(expired)


def test_oauth_credentials_select_the_oauth_mode_and_partial_ones_are_one_line() -> None:
    full = {
        "SLACK_CLIENT_ID": "1.2",
        "SLACK_CLIENT_SECRET": "s",
        "SLACK_STATE_SECRET": "t",
        "SLACK_SIGNING_SECRET": "u",
    }
    assert [p.name for p in configured(full)] == ["slack-oauth"]
    assert credential_problems(full) == []
    [partial] = credential_problems({"SLACK_CLIENT_ID": "1.2", "SLACK_SIGNING_SECRET": "u"})
    assert partial.startswith("slack-oauth:") and "SLACK_CLIENT_SECRET" in partial
    [unsigned] = credential_problems({k: v for k, v in full.items() if k != "SLACK_SIGNING_SECRET"})
    assert "SLACK_SIGNING_SECRET missing" in unsigned
    [both] = credential_problems({**full, "SLACK_BOT_TOKEN": "xoxb-1"})
    assert "not both" in both


GAMMA = Ws("T0GAMMA01", "Gamma", "xoxb-gamma", "U0GINST01", "U0GASK001", "C0GMENTOR",
           "C0GADMINS", "code-gamma")  # fmt: skip


async def install_without_channels(oauth: OAuthHarness) -> Ws:
    """A third workspace, installed before its mentoring channels exist."""
    oauth.fake.add_workspace(
        GAMMA.team, GAMMA.name, token=GAMMA.token, installer=GAMMA.installer, code=GAMMA.code,
        channels={"general": "C0GGENERAL"},
    )  # fmt: skip
    assert (await oauth.install(GAMMA)).status_code == 200
    return GAMMA


async def test_a_workspace_without_the_channels_is_told_and_registered_once_they_exist(
    oauth: OAuthHarness,
) -> None:
    fake = oauth.fake
    gamma = await install_without_channels(oauth)
    [dm] = await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", gamma.token, channel=gamma.installer),
        what="welcome DM",
    )
    assert "Create #mentoring" in dm.text()
    async with oauth.app.uow_factory(read_only=True) as uow:
        assert await uow.workspaces.get(workspace_ref(gamma.team)) is None

    fake.workspaces[gamma.token]["channels"].update(
        {"mentoring": gamma.mentoring, "mentor-admins": gamma.admins}
    )
    await oauth.command(gamma, gamma.asker, "/askmentor", QUESTION)
    await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", gamma.token, channel=gamma.mentoring),
        what="card in Gamma",
    )


async def test_an_install_slack_rate_limits_is_not_held_and_not_told_to_create_channels(
    oauth: OAuthHarness,
) -> None:
    # The listing runs inside the browser's redirect: a long Retry-After is not waited out
    # there, and the installer is told the truth (the channels may well exist).
    fake = oauth.fake
    fake.add_workspace(
        GAMMA.team, GAMMA.name, token=GAMMA.token, installer=GAMMA.installer, code=GAMMA.code,
        channels={"mentoring": GAMMA.mentoring, "mentor-admins": GAMMA.admins},
    )  # fmt: skip
    fake.fail_next("conversations.list", status=429, headers={"Retry-After": "30"})
    started = time.monotonic()
    assert (await oauth.install(GAMMA)).status_code == 200
    assert time.monotonic() - started < 5
    [dm] = await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", GAMMA.token, channel=GAMMA.installer),
        what="welcome DM",
    )
    assert "would not let me look at the channels just now" in dm.text()
    assert "Create #mentoring" not in dm.text()
    await oauth.command(GAMMA, GAMMA.asker, "/askmentor", QUESTION)  # registered now
    await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", GAMMA.token, channel=GAMMA.mentoring),
        what="card in Gamma",
    )


async def test_a_workspaces_user_look_ups_stay_cached_past_its_token_check(
    oauth: OAuthHarness,
) -> None:
    assert (await oauth.install(ALPHA)).status_code == 200
    teams = Teams(
        oauth.app, SlackInstallations(oauth.app.engine), api_url=oauth.fake.api_url, session=None
    )
    first = await teams.get(ALPHA.team)
    assert first is not None
    await first.directory.user(ALPHA.asker)
    first.expires = 0.0  # a minute later the installation is read again (it may be gone)
    again = await teams.get(ALPHA.team)
    assert again is not None and again is not first
    await again.directory.user(ALPHA.asker)
    # users.info answers are kept for minutes, not thrown away with each token check.
    assert len(oauth.fake.to("users.info", user=ALPHA.asker)) == 1


async def test_which_thread_a_message_is_in_outlives_the_gateway_rebuilt_each_minute(
    oauth: OAuthHarness,
) -> None:
    """A ✅ on a reply the bot saw needs no conversations.replies call (`ThreadMemory`), also
    after the installation was read again and the workspace's gateway rebuilt."""
    assert (await oauth.install(ALPHA)).status_code == 200
    teams = Teams(
        oauth.app, SlackInstallations(oauth.app.engine), api_url=oauth.fake.api_url, session=None
    )
    first = await teams.get(ALPHA.team)
    assert first is not None
    first.gateway.learn(
        {"type": "message", "channel": "C1", "ts": "2.000200", "thread_ts": "1.000100"}
    )
    first.expires = 0.0
    again = await teams.get(ALPHA.team)
    assert again is not None and again.gateway is not first.gateway
    thread = await again.gateway.thread_of("C1", "2.000200")
    assert thread == await first.gateway.thread_of("C1", "1.000100")
    assert oauth.fake.to("conversations.replies") == []


def _dm(user: UserRef, said: str) -> OutboxItem:
    return OutboxItem(
        Delivery(op=Op.DM, lane=f"u:{user.key()}", message=ChatMessage(body=text(said)), user=user),
        key=new_key(),
        due_at=SystemClock().now(),
    )


@pytest.mark.parametrize(
    "code", ["invalid_auth", "account_inactive", "token_revoked", "not_authed"]
)
async def test_a_dead_token_found_while_delivering_uninstalls_only_that_workspace(
    oauth: OAuthHarness, code: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake = oauth.fake
    for ws in (ALPHA, BETA):
        assert (await oauth.install(ws)).status_code == 200
    await oauth.settled()
    # Beta's token stops working without an app_uninstalled event reaching us (missed while
    # down, or the workspace was deleted).
    fake.dead_tokens[BETA.token] = code
    beta_user, alpha_user = UserRef("slack", BETA.installer), UserRef("slack", ALPHA.installer)
    async with oauth.app.uow_factory() as uow:
        await uow.outbox.add_many(
            [_dm(beta_user, "first"), _dm(beta_user, "second"), _dm(alpha_user, "hello")]
        )
        await uow.commit()
    calls_before = len([c for c in fake.calls if fake.token_of(c) == BETA.token])
    with caplog.at_level("INFO"):
        oauth.app.runtime.wake()
        await oauth.settled()

    found = await SlackInstallations(oauth.app.engine).find(BETA.team)
    assert found is not None and not found.active and found.bot_token is None
    # The first delivery found the token dead; the one queued behind it was not tried with it.
    tried = [c for c in fake.calls if fake.token_of(c) == BETA.token][calls_before:]
    assert [c.method for c in tried] == ["chat.postMessage"]
    # The other workspace is not affected.
    assert [c for c in oauth.with_token("chat.postMessage", ALPHA.token) if "hello" in c.text()]
    alpha = await SlackInstallations(oauth.app.engine).find(ALPHA.team)
    assert alpha is not None and alpha.active
    # One line for the operator: the workspace and Slack's error, no user ids nor text.
    said = [r.getMessage() for r in caplog.records if r.name == "adapters.slack.teams"]
    gone = [m for m in said if "refused the app's token" in m]
    assert len(gone) == 1 and BETA.team in gone[0] and code in gone[0]
    assert BETA.installer not in gone[0] and "first" not in gone[0]


async def test_a_slow_registration_does_not_hold_the_commands_acknowledgement(
    oauth: OAuthHarness,
) -> None:
    fake = oauth.fake
    gamma = await install_without_channels(oauth)
    await oauth.settled()
    fake.workspaces[gamma.token]["channels"].update(
        {"mentoring": gamma.mentoring, "mentor-admins": gamma.admins}
    )
    fake.page_size = 10  # one conversations.list finds both channel names...
    fake.delay["conversations.list"] = 3.0  # ...slowly: registering takes 3 s
    listed = len(fake.to("conversations.list"))

    started = time.monotonic()
    first, second = await asyncio.gather(
        oauth.command(gamma, gamma.asker, "/askmentor", QUESTION),
        oauth.command(gamma, gamma.installer, "/mentor", "help"),
    )
    took = time.monotonic() - started
    assert first.status_code == second.status_code == 200
    assert took < 1.0, f"the acknowledgements waited {took:.2f}s for the registration"

    # The question is still handled as in a registered workspace, once registering is done,
    # and the two requests registered it once.
    await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", gamma.token, channel=gamma.mentoring),
        what="card in Gamma",
    )
    assert len(fake.to("conversations.list")) - listed == 1


async def test_an_oauth_state_is_accepted_once() -> None:
    store = SignedStateStore("secret", expires_in=600)
    state = await store.async_issue()
    assert await store.async_consume(state)
    assert not await store.async_consume(state)  # a replayed callback
    assert await store.async_consume(await store.async_issue())  # a new one is fine


async def test_a_second_registration_is_not_started_while_one_runs() -> None:
    background = Background()
    release = asyncio.Event()
    runs: list[str] = []

    async def register(n: str) -> None:
        runs.append(n)
        await release.wait()

    assert background.start(register("first"), what="registering", key="register:T1")
    assert not background.start(register("second"), what="registering", key="register:T1")
    assert background.start(register("other team"), what="registering", key="register:T2")
    await asyncio.sleep(0)
    release.set()
    await background.wait()
    assert runs == ["first", "other team"]
    assert background.start(register("again"), what="registering", key="register:T1")
    await background.wait()


async def test_draining_at_shutdown_lets_quick_work_end_and_cancels_what_hangs() -> None:
    background = Background()
    ended: list[str] = []

    async def quick() -> None:
        await asyncio.sleep(0.05)
        ended.append("quick")

    async def hangs() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            ended.append("hung, cancelled")

    background.start(quick(), what="opening a form")
    background.start(hangs(), what="registering", key="register:T1")
    started = asyncio.get_running_loop().time()
    await background.drain(within=0.3)
    took = asyncio.get_running_loop().time() - started
    assert ended == ["quick", "hung, cancelled"]
    assert 0.25 <= took < 1.0
    assert background.start(quick(), what="again", key="register:T1")  # its key was freed
    await background.drain(within=1.0)


async def test_each_installed_workspaces_mentor_group_is_synced_with_its_own_token(
    oauth: OAuthHarness,
) -> None:
    """`[slack] mentor_group` in the OAuth mode: every workspace set up is read with its own
    token and its members invited there (a DM with that workspace's token, to someone who never
    wrote to the bot: the delivery names its workspace); one not set up yet (no mentoring
    channels) is left alone."""
    for ws in (ALPHA, BETA):
        assert (await oauth.install(ws)).status_code == 200
    gamma = await install_without_channels(oauth)
    members = {ALPHA.token: ["U0ANEW001"], BETA.token: ["U0BNEW001"], gamma.token: ["U0GNEW001"]}

    def usergroups(p: dict[str, Any]) -> dict[str, Any]:
        users = members[str(p.get("_token"))]
        return {"usergroups": [{"id": "S0M", "handle": "mentors", "users": users}]}

    oauth.fake._usergroups_list = usergroups  # type: ignore[attr-defined]
    app = oauth.app
    app.config = app.config.model_copy(
        update={"slack": app.config.slack.model_copy(update={"mentor_group": "@mentors"})}
    )
    assert oauth.bolt is not None
    assert await sync_mentor_groups(app, oauth.bolt) == 2
    for ws, user in ((ALPHA, "U0ANEW001"), (BETA, "U0BNEW001")):
        [invited] = await oauth.fake.wait_for(
            lambda ws=ws, user=user: oauth.with_token("chat.postMessage", ws.token, channel=user),
            what=f"the invitation in {ws.name}",
        )
        assert "mentors group" in json.dumps(invited.params.get("blocks")), invited
    assert oauth.with_token("usergroups.list", gamma.token) == []
    assert oauth.fake.to("chat.postMessage", channel="U0GNEW001") == []


async def test_an_install_without_usergroups_read_is_told_once_with_the_fix_not_every_hour(
    oauth: OAuthHarness, caplog: pytest.LogCaptureFixture
) -> None:
    """A workspace installed before the app asked for ``usergroups:read`` answers
    ``missing_scope`` to every hourly read: the operator reads it once, with what to do; the
    other workspace syncs; once the scope is granted and lost again, it is told again."""
    for ws in (ALPHA, BETA):
        assert (await oauth.install(ws)).status_code == 200
    granted = {ALPHA.token}

    def usergroups(p: dict[str, Any]) -> dict[str, Any]:
        if str(p.get("_token")) not in granted:
            return {"ok": False, "error": "missing_scope", "needed": "usergroups:read"}
        return {"usergroups": [{"id": "S0M", "handle": "mentors", "users": ["U0ANEW001"]}]}

    oauth.fake._usergroups_list = usergroups  # type: ignore[attr-defined]
    app = oauth.app
    app.config = app.config.model_copy(
        update={"slack": app.config.slack.model_copy(update={"mentor_group": "mentors"})}
    )
    assert oauth.bolt is not None

    def told() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]

    with caplog.at_level("DEBUG", logger="adapters.slack"):
        for _ in range(3):  # three hours
            assert await sync_mentor_groups(app, oauth.bolt) == 1
        [line] = [m for m in told() if "usergroups.list failed" in m]
        assert BETA.team in line and "missing_scope" in line
        assert "install it again (Add to Slack) to grant it" in line
        granted.add(BETA.token)
        assert await sync_mentor_groups(app, oauth.bolt) == 2
        granted.discard(BETA.token)
        assert await sync_mentor_groups(app, oauth.bolt) == 1
        assert len([m for m in told() if "usergroups.list failed" in m]) == 2


async def test_the_oauth_mode_syncs_the_mentor_group_of_each_installation_at_start(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`start_slack_oauth` reads every installed workspace's group at start (it did not: the
    setting was silently ignored in the OAuth mode), with that workspace's token; an uninstalled
    workspace is not read."""
    fake = FakeSlack()
    await fake.start()
    for ws in (ALPHA, BETA):
        fake.add_workspace(ws.team, ws.name, token=ws.token, installer=ws.installer, code=ws.code)
    fake._usergroups_list = lambda p: {"usergroups": []}  # type: ignore[attr-defined]
    config = slack_config()
    config = config.model_copy(
        update={"slack": config.slack.model_copy(update={"mentor_group": "mentors"})}
    )
    app = await build_app(config, clock=SystemClock(), database_url=sqlite_url)
    installs = SlackInstallations(app.engine)
    for ws in (ALPHA, BETA):
        await installs.save(SlackInstallation(ws.team, bot_token=ws.token, team_name=ws.name))
        await app.bus.handle(
            RegisterWorkspace(
                workspace_ref(ws.team),
                ChannelRef("slack", ws.mentoring),
                ChannelRef("slack", ws.admins),
            )
        )
    assert await installs.deactivate(BETA.team)
    assert await installs.active_teams() == [ALPHA.team]
    for name, value in (
        ("SLACK_CLIENT_ID", CLIENT[0]),
        ("SLACK_CLIENT_SECRET", CLIENT[1]),
        ("SLACK_STATE_SECRET", "state-secret-value"),
        ("SLACK_SIGNING_SECRET", SECRET),
        ("SLACK_API_URL", fake.api_url),
    ):
        monkeypatch.setenv(name, value)
    task = asyncio.create_task(start_slack_oauth(app))
    try:
        await fake.wait_for(lambda: fake.to("usergroups.list"), what="the group read")
        [read] = fake.to("usergroups.list")
        assert fake.token_of(read) == ALPHA.token
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await app.chat.aclose()
        await app.dispose()
        await fake.stop()


def _ack_text(response: httpx.Response) -> str:
    """What an acknowledgement says: Bolt sends text alone as is, with options as JSON."""
    assert response.status_code == 200
    if not response.text.startswith("{"):
        return response.text
    return str(json.loads(response.text).get("text") or "")


async def test_an_archived_mentoring_channel_stops_questions_in_that_workspace_only(
    oauth: OAuthHarness,
) -> None:
    fake = oauth.fake
    cant = "questions can't be posted right now"
    for ws in (ALPHA, BETA):
        assert (await oauth.install(ws)).status_code == 200
    await oauth.settled()

    # Beta's channel is archived (its event): Beta's question is refused, nothing stored.
    await oauth.event(BETA, {"type": "channel_archive", "channel": BETA.mentoring, "user": "U0X"})
    assert cant in _ack_text(await oauth.command(BETA, BETA.asker, "/askmentor", QUESTION))
    # Alpha's goes on; then Slack refuses its card (the archive event missed): marked too.
    assert cant not in _ack_text(await oauth.command(ALPHA, ALPHA.asker, "/askmentor", QUESTION))
    await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", ALPHA.token, channel=ALPHA.mentoring),
        what="card in Alpha",
    )
    fake.refuse[ALPHA.mentoring] = "is_archived"
    other = "How do I sum one column of a pandas DataFrame by group?"
    assert cant not in _ack_text(await oauth.command(ALPHA, ALPHA.asker, "/askmentor", other))
    await oauth.settled()
    third = "Which pandas method pivots a long table into a wide one?"
    assert cant in _ack_text(await oauth.command(ALPHA, ALPHA.asker, "/askmentor", third))
    await oauth.settled()
    async with oauth.app.uow_factory(read_only=True) as uow:
        assert await uow.questions.get_by_number(workspace_ref(BETA.team), 1) is None
        assert await uow.questions.get_by_number(workspace_ref(ALPHA.team), 3) is None

    # Beta's channel unarchived: its question is taken and posted; Alpha's still refused.
    await oauth.event(BETA, {"type": "channel_unarchive", "channel": BETA.mentoring})
    assert cant not in _ack_text(await oauth.command(BETA, BETA.asker, "/askmentor", QUESTION))
    await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", BETA.token, channel=BETA.mentoring),
        what="card in Beta",
    )
    assert cant in _ack_text(await oauth.command(ALPHA, ALPHA.asker, "/askmentor", third))


async def test_after_a_restart_a_registered_workspace_s_channel_is_watched_again(
    oauth: OAuthHarness,
) -> None:
    cant = "questions can't be posted right now"
    assert (await oauth.install(ALPHA)).status_code == 200
    await oauth.settled()
    # What a new process knows: the workspace's row, no channels watched yet.
    assert oauth.bolt is not None
    store = oauth.bolt.installation_store
    assert isinstance(store, DbInstallationStore) and store.teams is not None
    store.teams.registered.clear()
    store.teams.watch._teams.clear()
    # Its first request registers it again from the stored row (after the acknowledgement).
    await oauth.command(ALPHA, ALPHA.asker, "/askmentor", "faq pandas")
    await store.teams.background.finished(f"register:{ALPHA.team}", within=5)
    await oauth.event(ALPHA, {"type": "channel_archive", "channel": ALPHA.mentoring})
    assert cant in _ack_text(await oauth.command(ALPHA, ALPHA.asker, "/askmentor", QUESTION))


# --- who installing makes an admin ---------------------------------------------------------------

MEMBER = "U0AMEMB01"


def _reinstall_grant(fake: FakeSlack, ws: Ws, code: str, installer: str) -> Ws:
    """Another run of "Add to Slack" in `ws` by `installer`: Slack hands the redirect `code`."""
    fake.grants[code] = dict(fake.grants[ws.code]) | {"authed_user": {"id": installer}}
    return dataclasses.replace(ws, code=code)


async def test_a_reinstall_by_a_plain_member_makes_them_no_admin(oauth: OAuthHarness) -> None:
    fake = oauth.fake
    # Neither is a workspace admin: the first installer is an admin by installing first.
    fake.add_user(ALPHA.installer, "first", admin=False, team_id=ALPHA.team)
    fake.add_user(MEMBER, "member", admin=False, team_id=ALPHA.team)
    again = _reinstall_grant(fake, ALPHA, "code-alpha-2", MEMBER)
    assert (await oauth.install(ALPHA)).status_code == 200
    await oauth.settled()
    assert (await oauth.install(again)).status_code == 200
    await oauth.settled()

    member, first = UserRef("slack", MEMBER), UserRef("slack", ALPHA.installer)
    async with oauth.app.uow_factory(read_only=True) as uow:
        assert await uow.people.admin_of(member) == set()
        assert await uow.people.admin_of(first) == {workspace_ref(ALPHA.team)}
    assert not fake.to("chat.postMessage", channel=MEMBER)  # no "first admin" welcome
    found = await SlackInstallations(oauth.app.engine).find(ALPHA.team)
    assert found is not None and found.installer_user_id == ALPHA.installer

    # The member's admin commands are refused; the first installer's still work (and their
    # recorded role is not undone by the reinstall).
    assert "is for admins" in await oauth.replied(ALPHA, MEMBER, "/mentoradmin", "stats")
    assert "is for admins" not in await oauth.replied(
        ALPHA, ALPHA.installer, "/mentoradmin", "stats"
    )
    async with oauth.app.uow_factory(read_only=True) as uow:
        assert await uow.people.admin_of(member) == set()
        assert await uow.people.admin_of(first) == {workspace_ref(ALPHA.team)}


async def test_a_reinstall_by_a_workspace_admin_makes_them_an_admin(oauth: OAuthHarness) -> None:
    fake = oauth.fake
    fake.add_user(MEMBER, "owner", admin=True, team_id=ALPHA.team)  # users.info: is_admin
    again = _reinstall_grant(fake, ALPHA, "code-alpha-2", MEMBER)
    assert (await oauth.install(ALPHA)).status_code == 200
    await oauth.settled()
    assert (await oauth.install(again)).status_code == 200

    [dm] = await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", ALPHA.token, channel=MEMBER),
        what="welcome DM of the workspace admin",
    )
    assert "first Micromentor admin" not in dm.text() and "Micromentor admin here" in dm.text()
    async with oauth.app.uow_factory(read_only=True) as uow:
        assert await uow.people.admin_of(UserRef("slack", MEMBER)) == {workspace_ref(ALPHA.team)}
    found = await SlackInstallations(oauth.app.engine).find(ALPHA.team)
    assert found is not None and found.installer_user_id == ALPHA.installer


# --- uninstall events that arrive late -----------------------------------------------------------


async def test_a_late_uninstall_event_does_not_switch_off_a_reinstall(
    oauth: OAuthHarness, caplog: pytest.LogCaptureFixture
) -> None:
    fake = oauth.fake
    assert (await oauth.install(ALPHA)).status_code == 200
    await oauth.settled()
    # Installed an hour ago, uninstalled a minute ago (Slack's event_time: whole seconds).
    t = table_of(SlackInstallationRow)
    async with oauth.app.engine.begin() as conn:
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        await conn.execute(sa.update(t).values(installed_at=hour_ago))
    uninstalled_at = int(time.time()) - 60
    gone = await oauth.event(ALPHA, {"type": "app_uninstalled"}, event_time=uninstalled_at)
    assert gone.status_code == 200
    found = await SlackInstallations(oauth.app.engine).find(ALPHA.team)
    assert found is not None and not found.active
    # As Slack does: the old token is revoked, and the reinstall brings a new one.
    fake.dead_tokens[ALPHA.token] = "token_revoked"
    fresh = dataclasses.replace(ALPHA, token="xoxb-alpha-token-2", code="code-alpha-2")
    fake.add_workspace(
        ALPHA.team, ALPHA.name, token=fresh.token, installer=ALPHA.installer, code=fresh.code,
        channels={"mentoring": ALPHA.mentoring, "mentor-admins": ALPHA.admins},
    )  # fmt: skip
    assert (await oauth.install(fresh)).status_code == 200
    await oauth.settled()

    # tokens_revoked of the uninstall, after it (Slack does not keep their order), and a retry
    # of app_uninstalled: both from before the reinstall.
    with caplog.at_level("INFO", logger="adapters.slack"):
        late = {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT0001"]}}
        assert (await oauth.event(ALPHA, late, event_time=uninstalled_at)).status_code == 200
        retried = {"type": "app_uninstalled"}
        assert (await oauth.event(ALPHA, retried, event_time=uninstalled_at)).status_code == 200
    found = await SlackInstallations(oauth.app.engine).find(ALPHA.team)
    assert found is not None and found.active and found.bot_token == fresh.token
    assert await _removed_at(oauth, ALPHA) is None  # taken up again by the reinstall, and kept
    ignored = [r for r in caplog.records if "is ignored" in r.getMessage()]
    assert len(ignored) == 2 and all(r.levelname == "INFO" for r in ignored)

    # Still delivering, with the new token.
    await oauth.command(fresh, fresh.asker, "/askmentor", QUESTION)
    await fake.wait_for(
        lambda: oauth.with_token("chat.postMessage", fresh.token, channel=fresh.mentoring),
        what="card after the reinstall",
    )
    # An uninstall of this installation (after it) still switches it off.
    now = int(time.time()) + 1
    assert (await oauth.event(ALPHA, {"type": "app_uninstalled"}, event_time=now)).status_code
    found = await SlackInstallations(oauth.app.engine).find(ALPHA.team)
    assert found is not None and not found.active and found.bot_token is None


async def test_tokens_revoked_of_another_bot_user_is_ignored(oauth: OAuthHarness) -> None:
    assert (await oauth.install(ALPHA)).status_code == 200
    await oauth.settled()
    other = {"type": "tokens_revoked", "tokens": {"bot": ["U0OTHERBOT"]}}
    assert (await oauth.event(ALPHA, other)).status_code == 200
    found = await SlackInstallations(oauth.app.engine).find(ALPHA.team)
    assert found is not None and found.active
    ours = {"type": "tokens_revoked", "tokens": {"bot": [BOT_USER]}}
    assert (await oauth.event(ALPHA, ours)).status_code == 200
    found = await SlackInstallations(oauth.app.engine).find(ALPHA.team)
    assert found is not None and not found.active


# --- what a failed install logs and shows ----------------------------------------------------------


async def test_a_failed_code_exchange_does_not_log_the_code(
    oauth: OAuthHarness, caplog: pytest.LogCaptureFixture
) -> None:
    wrong = dataclasses.replace(ALPHA, code="code-never-granted-7f3a")
    with caplog.at_level("WARNING"):  # what gets through (`bot.logs` holds the rest back)
        done = await oauth.install(wrong)
    assert done.status_code == 401
    assert "code-never-granted-7f3a" not in caplog.text
    said = [r.getMessage() for r in caplog.records]
    assert any("oauth.v2.access" in m and "[redacted]" in m for m in said)
    assert any("installation failed (invalid_code)" in m for m in said)


async def test_an_organisation_wide_install_is_refused_with_the_reason_shown_and_logged(
    oauth: OAuthHarness, caplog: pytest.LogCaptureFixture
) -> None:
    fake = oauth.fake
    fake.grants["code-grid"] = dict(fake.grants[ALPHA.code]) | {
        "team": None,
        "enterprise": {"id": "E0GRID001", "name": "Grid"},
        "is_enterprise_install": True,
    }
    with caplog.at_level("WARNING", logger="adapters.slack"):
        page = await oauth.install(dataclasses.replace(ALPHA, code="code-grid"))
    assert page.status_code == 500
    assert "Organisation-wide (Enterprise Grid) installs are not supported" in page.text
    assert "/slack/install" in page.text
    [line] = [r.getMessage() for r in caplog.records if "installation failed" in r.getMessage()]
    assert "storage_error" in line and "Organisation-wide" in line and ALPHA.token not in line
    assert await SlackInstallations(oauth.app.engine).find(ALPHA.team) is None


# --- dashboard links -------------------------------------------------------------------------------


async def test_dashboard_links_lead_to_public_url_without_a_dashboard_public_url(
    oauth: OAuthHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PUBLIC_URL", "https://mentor.example.com/")
    assert (await oauth.install(ALPHA)).status_code == 200
    await oauth.settled()
    await oauth.command(ALPHA, ALPHA.installer, "/mentoradmin", "dashboard")
    [dm] = await oauth.fake.wait_for(
        lambda: [
            c
            for c in oauth.with_token("chat.postMessage", ALPHA.token, channel=ALPHA.installer)
            if "signin?token=" in c.text()
        ],
        what="the sign-in link",
    )
    assert "https://mentor.example.com/admin/signin?token=" in dm.text()
    assert "localhost" not in dm.text()


async def test_check_says_when_oauth_mode_has_no_public_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "s")
    monkeypatch.delenv("PUBLIC_URL", raising=False)
    config = slack_config()
    assert not config.dashboard.public_url
    [warning] = await check_slack_oauth(config)  # a warning: `check` still passes
    assert warning.startswith(NOTE)
    assert "PUBLIC_URL" in warning and "[dashboard] public_url" in warning
    monkeypatch.setenv("PUBLIC_URL", "https://mentor.example.com")
    assert await check_slack_oauth(config) == []
    monkeypatch.delenv("PUBLIC_URL")
    set_url = config.model_copy(
        update={"dashboard": config.dashboard.model_copy(update={"public_url": "https://a.b"})}
    )
    assert await check_slack_oauth(set_url) == []


async def test_a_reinstall_that_cannot_find_its_channels_yet_still_takes_the_workspace_up(
    oauth: OAuthHarness,
) -> None:
    """Installed again while its mentoring channel is gone (deleted meanwhile): no registration
    yet, but the installation is proof the app is back, so what waited since the uninstall
    (reminders, digests) goes on, not only once the channels are found."""
    fake = oauth.fake
    assert (await oauth.install(ALPHA)).status_code == 200
    await oauth.settled()
    assert (await oauth.event(ALPHA, {"type": "app_uninstalled"})).status_code == 200
    assert await _removed_at(oauth, ALPHA) is not None
    fake.dead_tokens[ALPHA.token] = "token_revoked"
    fresh = dataclasses.replace(ALPHA, token="xoxb-alpha-token-2", code="code-alpha-2")
    fake.add_workspace(
        ALPHA.team, ALPHA.name, token=fresh.token, installer=ALPHA.installer, code=fresh.code,
        channels={"general": "C0ALPHGEN", "mentor-admins": ALPHA.admins},
    )  # fmt: skip
    assert (await oauth.install(fresh)).status_code == 200
    await oauth.settled()
    assert await _removed_at(oauth, ALPHA) is None
