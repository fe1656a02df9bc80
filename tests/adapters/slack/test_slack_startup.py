"""Start-up: channel names resolved (paginated) or ids used as is, a missing channel stops it,
the workspace is registered, the manifest subscribes to what the listeners handle (an uninstall
too)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from adapters.slack.listeners import CHANNEL_EVENTS
from adapters.slack.runtime import (
    ChannelListRefused,
    ListingPatience,
    SlackSettings,
    connect,
    resolve_channel,
    resolve_channels,
    web_client,
)
from adapters.slack.translate import ASK_ABOUT_SHORTCUT, workspace_ref
from bot.clock import SystemClock
from bot.errors import StartupError
from bot.main import build_app
from tests.adapters.slack.conftest import MENTORING, SECRET, USERS, SlackHarness, slack_config
from tests.adapters.slack.fake_slack import TEAM_ID, FakeSlack

MANIFESTS = Path(__file__).parents[3] / "adapters" / "slack"


def settings(fake: FakeSlack) -> SlackSettings:
    return SlackSettings(bot_token="xoxb-test", signing_secret=SECRET, api_url=fake.api_url)


async def test_channel_names_are_resolved_across_pages(fake_slack: FakeSlack) -> None:
    client = web_client(settings(fake_slack))
    assert await resolve_channel(client, "#watercooler", key="mentoring") == "C0WATER01"
    cursors = [c.params.get("cursor", "") for c in fake_slack.to("conversations.list")]
    assert cursors == ["", "2", "4"]


class NoSleep:
    """The waits asked for, without waiting."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


async def test_a_rate_limited_channel_listing_waits_and_goes_on_from_the_same_page(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """conversations.list is Tier 2: a Retry-After longer than the client waits (30 s on the
    second page) is waited out, and the listing goes on where it was."""
    listing = fake_slack._conversations_list

    def first_page_then_a_limit(p: dict[str, Any]) -> dict[str, Any]:
        if not p.get("cursor"):
            fake_slack.fail_next("conversations.list", status=429, headers={"Retry-After": "30"})
        return listing(p)

    monkeypatch.setattr(fake_slack, "_conversations_list", first_page_then_a_limit)
    sleep = NoSleep()
    client = web_client(settings(fake_slack))
    found = await resolve_channel(
        client, "#watercooler", key="mentoring", patience=ListingPatience(sleep=sleep)
    )
    assert found == "C0WATER01"
    assert sleep.waits == [30.0]
    cursors = [
        c.params.get("cursor", "") for c in fake_slack.calls if c.method == "conversations.list"
    ]
    assert cursors == ["", "2", "2", "4"]
    assert fake_slack.to("conversations.list", failed=True, cursor="2")


async def test_a_channel_listing_slack_keeps_rate_limiting_says_so(fake_slack: FakeSlack) -> None:
    for _ in range(5):
        fake_slack.fail_next("conversations.list", status=429, headers={"Retry-After": "30"})
    sleep = NoSleep()
    client = web_client(settings(fake_slack))
    with pytest.raises(ChannelListRefused, match=r"kept rate-limiting .* after 90 s") as refused:
        await resolve_channel(
            client,
            "#watercooler",
            key="mentoring",
            patience=ListingPatience(seconds=90, sleep=sleep),
        )
    assert sleep.waits == [30.0, 30.0, 30.0]
    assert "ratelimited" in refused.value.reason


async def test_the_channels_of_one_start_are_found_in_one_listing(fake_slack: FakeSlack) -> None:
    """Three names, three pages: each page is read once (Tier 2 allows about 20 a minute)."""
    channels = slack_config(channels={"escalation": "watercooler"}).channels
    client = web_client(settings(fake_slack))
    found = await resolve_channels(client, channels, patience=ListingPatience(sleep=NoSleep()))
    assert found == ("C0MENTOR1", "C0ADMINS1", "C0WATER01")
    cursors = [c.params.get("cursor", "") for c in fake_slack.to("conversations.list")]
    assert cursors == ["", "2", "4"]


async def test_the_channels_of_one_start_share_the_wait_for_rate_limits(
    fake_slack: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The names looked up together wait out rate limits up to one cap in all."""
    fake_slack.fail_next("conversations.list", status=429, headers={"Retry-After": "30"})
    listing = fake_slack._conversations_list

    def limit_after_the_mentoring_page(p: dict[str, Any]) -> dict[str, Any]:
        answer = listing(p)
        if any(c["name"] == "mentoring" for c in answer["channels"]):
            fake_slack.fail_next("conversations.list", status=429, headers={"Retry-After": "30"})
        return answer

    monkeypatch.setattr(fake_slack, "_conversations_list", limit_after_the_mentoring_page)
    sleep = NoSleep()
    client = web_client(settings(fake_slack))
    with pytest.raises(ChannelListRefused, match=r"#watercooler .*kept rate-limiting"):
        await resolve_channels(
            client,
            slack_config(channels={"admin": "watercooler"}).channels,
            patience=ListingPatience(seconds=45, sleep=sleep),
        )
    assert sleep.waits == [30.0]


async def test_a_channel_id_is_used_as_is(fake_slack: FakeSlack) -> None:
    client = web_client(settings(fake_slack))
    assert await resolve_channel(client, "C0123ABCD", key="mentoring") == "C0123ABCD"
    assert not fake_slack.to("conversations.list")


async def test_a_missing_channel_stops_start_up_with_a_clear_message(
    fake_slack: FakeSlack, sqlite_url: str
) -> None:
    config = slack_config(channels={"mentoring": "help-wanted"})
    app = await build_app(config, clock=SystemClock(), database_url=sqlite_url)
    try:
        with pytest.raises(StartupError, match=r"#help-wanted .*\[channels\] mentoring"):
            await connect(app, settings(fake_slack))
    finally:
        await app.dispose()


async def test_an_archived_channel_configured_by_name_is_said_to_be_archived(
    fake_slack: FakeSlack,
) -> None:
    # Slack keeps an archived channel's name: "does not exist" would send the operator looking
    # for a channel that is there.
    fake_slack.archived.add("C0MENTOR1")
    client = web_client(settings(fake_slack))
    with pytest.raises(StartupError, match=r"#mentoring \(C0MENTOR1.*is archived; unarchive it"):
        await resolve_channel(client, "#mentoring", key="mentoring")
    # An active channel of that name (after a rename of the archived one) is the one taken.
    fake_slack.channels["mentoring-old"] = "C0MENTOR1"
    fake_slack.channels["mentoring"] = "C0MENTOR2"
    assert await resolve_channel(client, "mentoring", key="mentoring") == "C0MENTOR2"


async def test_start_up_registers_the_workspace_with_resolved_channels(
    fake_slack: FakeSlack, sqlite_url: str
) -> None:
    app = await build_app(slack_config(), clock=SystemClock(), database_url=sqlite_url)
    try:
        await connect(app, settings(fake_slack))
        async with app.uow_factory() as uow:
            ws = await uow.workspaces.get(workspace_ref(TEAM_ID))
    finally:
        await app.dispose()
    assert ws is not None
    assert (ws.mentoring_channel.id, ws.admin_channel.id) == ("C0MENTOR1", "C0ADMINS1")


async def test_start_up_joins_the_channels_so_reactions_reach_the_app(
    fake_slack: FakeSlack, sqlite_url: str
) -> None:
    app = await build_app(slack_config(), clock=SystemClock(), database_url=sqlite_url)
    try:
        await connect(app, settings(fake_slack))
    finally:
        await app.dispose()
    joined = [c.params.get("channel") for c in fake_slack.to("conversations.join")]
    assert joined == ["C0MENTOR1", "C0ADMINS1"]


async def test_a_channel_the_app_cannot_join_is_a_warning_not_a_stop(
    fake_slack: FakeSlack, sqlite_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    fake_slack.errors["conversations.join"] = "method_not_supported_for_channel_type"
    app = await build_app(slack_config(), clock=SystemClock(), database_url=sqlite_url)
    try:
        await connect(app, settings(fake_slack))
        async with app.uow_factory() as uow:
            assert await uow.workspaces.get(workspace_ref(TEAM_ID)) is not None
    finally:
        await app.dispose()
    assert "could not join channel C0MENTOR1 (method_not_supported_for_channel_type)" in caplog.text


def test_settings_come_from_the_environment() -> None:
    s = SlackSettings.from_env(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s",
            "SLACK_API_URL": "http://x/api",
            "PORT": "8080",
        }
    )
    assert (s.api_url, s.port, s.socket_mode) == ("http://x/api/", 8080, False)
    assert SlackSettings.from_env({"SLACK_BOT_TOKEN": "t", "SLACK_APP_TOKEN": "xapp-1"}).socket_mode


@pytest.mark.parametrize("name", ["manifest.yml", "manifest-socket.yml"])
def test_manifest_declares_commands_scopes_and_events(name: str) -> None:
    manifest = (MANIFESTS / name).read_text()
    for needed in (
        "/askmentor",
        "/mentor\n",
        "/mentoradmin",
        "home_tab_enabled: true",
        "is_enabled: true",
        "- reaction_added",
        "- message.channels",
        "- message.groups",
        "- message.mpim",
        "- app_home_opened",
        "- commands",
        "- chat:write",
        "- files:write",
        "- reactions:read",
        "- channels:read",
        "- channels:join",
        "- groups:read",
        "- im:write",
        "- mpim:write",
        "- users:read",
        "- channels:history",
        "- groups:history",
        "- mpim:history",
        "- im:history",
    ):
        assert needed in manifest, needed
    assert ("socket_mode_enabled: true" in manifest) == (name == "manifest-socket.yml")


@pytest.mark.parametrize("name", ["manifest.yml", "manifest-socket.yml"])
def test_manifest_asks_for_no_scope_it_does_not_use_and_has_the_ask_shortcut(name: str) -> None:
    manifest = (MANIFESTS / name).read_text()
    assert "chat:write.public" not in manifest  # the app joins its channels (channels:join)
    shortcut = manifest.split("  shortcuts:\n", 1)[1].split("oauth_config:", 1)[0]
    assert "name: Ask a mentor about this" in shortcut
    assert "type: message" in shortcut
    assert f"callback_id: {ASK_ABOUT_SHORTCUT}" in shortcut
    assert "description: " in shortcut


def test_settings_never_show_their_secrets() -> None:
    s = SlackSettings.from_env(
        {"SLACK_BOT_TOKEN": "xoxb-secret", "SLACK_SIGNING_SECRET": "sig-secret"}
    )
    assert "secret" not in repr(s)


@pytest.mark.parametrize("name", ["manifest.yml", "manifest-socket.yml"])
def test_manifest_subscribes_to_uninstall_and_token_revocation(name: str) -> None:
    # Slack sends both only to an app subscribed to them; without them an uninstalled
    # workspace's installation stays active and every delivery there tries a dead token.
    manifest = (MANIFESTS / name).read_text()
    events = manifest.split("    bot_events:\n", 1)[1].split("  interactivity:", 1)[0]
    assert "      - app_uninstalled\n" in events
    assert "      - tokens_revoked\n" in events


@pytest.mark.parametrize("name", ["manifest.yml", "manifest-socket.yml"])
def test_manifest_subscribes_to_the_channel_events_the_app_listens_to(name: str) -> None:
    # A mentoring channel archived or deleted stops questions: Slack sends these only to an
    # app subscribed to them (with channels:read / groups:read, both asked for).
    manifest = (MANIFESTS / name).read_text()
    events = manifest.split("    bot_events:\n", 1)[1].split("  interactivity:", 1)[0]
    for event in CHANNEL_EVENTS:
        assert f"      - {event}\n" in events
    scopes = manifest.split("    bot:\n", 1)[1].split("settings:", 1)[0]
    assert "      - channels:read\n" in scopes and "      - groups:read\n" in scopes


@pytest.mark.parametrize(
    "event",
    [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"bot": ["U0BOT0001"]}}],
)
async def test_an_uninstall_is_acknowledged_and_logged_with_one_workspace(
    slack: SlackHarness, event: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="adapters.slack.runtime"):
        response = await slack.event(event)
    assert response.status_code == 200  # unhandled, it would be a 404 Slack sends again
    assert any("SLACK_BOT_TOKEN" in r.getMessage() for r in caplog.records)


async def test_a_missing_scope_is_named_with_a_reinstall(
    fake_slack: FakeSlack, sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        fake_slack,
        "_conversations_list",
        lambda p: {
            "ok": False,
            "error": "missing_scope",
            "needed": "groups:read",
            "provided": "channels:read,chat:write",
        },
    )
    app = await build_app(slack_config(), clock=SystemClock(), database_url=sqlite_url)
    try:
        with pytest.raises(StartupError, match=r"missing_scope.*groups:read scope.*reinstall"):
            await connect(app, settings(fake_slack))
    finally:
        await app.dispose()


@pytest.mark.parametrize("code", ["channel_not_found", "is_archived"])
async def test_a_channel_id_that_is_gone_stops_start_up(
    fake_slack: FakeSlack, sqlite_url: str, code: str
) -> None:
    fake_slack.errors["conversations.join"] = code
    config = slack_config(channels={"mentoring": "C0GONE0001"})
    app = await build_app(config, clock=SystemClock(), database_url=sqlite_url)
    try:
        with pytest.raises(StartupError, match=r"C0GONE0001 \(bot.toml \[channels\]\)"):
            await connect(app, settings(fake_slack))
    finally:
        await app.dispose()


async def test_a_refused_token_says_where_to_copy_it_again(
    fake_slack: FakeSlack, sqlite_url: str
) -> None:
    fake_slack.errors["auth.test"] = "invalid_auth"
    app = await build_app(slack_config(), clock=SystemClock(), database_url=sqlite_url)
    try:
        with pytest.raises(StartupError, match=r"SLACK_BOT_TOKEN.*invalid_auth.*OAuth & Perm"):
            await connect(app, settings(fake_slack))
    finally:
        await app.dispose()


OTHER_EVENTS = [
    {"type": "team_join", "user": {"id": "U0NEW0001", "name": "new"}},
    {
        "type": "reaction_removed",
        "user": USERS["bob"],
        "reaction": "raising_hand",
        "item": {"type": "message", "channel": MENTORING, "ts": "1700000000.000001"},
        "event_ts": "1700000000.000002",
    },
    {"type": "member_left_channel", "user": USERS["bob"], "channel": MENTORING, "team": TEAM_ID},
]


@pytest.mark.parametrize("event", OTHER_EVENTS, ids=lambda e: e["type"])
async def test_an_event_no_listener_takes_is_acknowledged(
    slack: SlackHarness, event: dict[str, Any]
) -> None:
    response = await slack.event(event)
    assert response.status_code == 200  # Bolt's 404 would have Slack send it again
