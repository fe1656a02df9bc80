"""The Slack adapter: slack-bolt AsyncApp over HTTP (Starlette + uvicorn) or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from bot.app import App

__all__ = ["start_slack", "start_slack_oauth", "sync_mentor_groups"]

log = logging.getLogger(__name__)

PLATFORM_NAME = "slack"
OAUTH_PLATFORM_NAME = "slack-oauth"  # bot/platforms.py: multi-workspace Slack
# At shutdown, how long work started after an acknowledgement (a form opening: Slack honours
# its trigger for 3 s) may still run before the client closes; within the run's input grace.
BACKGROUND_GRACE_SECONDS = 1.5


async def start_slack(app: App) -> None:
    """Connect to Slack with the environment's credentials and serve until cancelled."""

    from adapters.slack.background import Background
    from adapters.slack.runtime import SlackSettings, connect
    from adapters.slack.server import serve_socket_mode, slack_routes

    settings = SlackSettings.from_env()
    app.web.expect(PLATFORM_NAME)
    background = Background()
    bolt = await connect(app, settings, background=background)
    group = None
    if app.config.slack.mentor_group:
        from adapters.slack.mentor_group import keep_mentor_group
        from adapters.slack.translate import workspace_ref

        team = str((await bolt.client.auth_test())["team_id"])
        group = asyncio.create_task(
            keep_mentor_group(app, bolt.client, workspace_ref(team)), name="mentor-group"
        )
    try:
        if settings.socket_mode:
            log.info("Slack: Socket Mode")
            await serve_socket_mode(
                bolt,
                app_token=settings.app_token,
                on_connected=lambda check: app.web.connection(PLATFORM_NAME, check),
            )
            return
        # HTTP mode: Slack's URL joins the bot's HTTP port (served by `micromentor run`).
        app.web.add_routes(*slack_routes(bolt, app.inbox.intake))
        app.web.connection(PLATFORM_NAME, lambda: True)
        # PORT=0: the port the system chose, as `run` bound it (None: nothing bound it yet).
        port = app.bus.services.web_port or settings.port
        log.info("Slack: ready for requests at /slack/events on port %d", port)
        public = (
            os.environ.get("PUBLIC_URL", "").strip().rstrip("/") or "https://<your-public-host>"
        )
        log.info(
            "Slack: the request URL to paste into the app manifest (adapters/slack/manifest.yml) "
            "is %s/slack/events; Slack verifies it only while the bot is up, so now open the "
            "app's Event Subscriptions page and click Retry (or Verify)",
            public,
        )
        await asyncio.Event().wait()
    finally:
        if group is not None:
            group.cancel()
        await background.drain(within=BACKGROUND_GRACE_SECONDS)


async def start_slack_oauth(app: App) -> None:
    """Multi-workspace Slack: serve Bolt's install flow and the events of every installed
    workspace on the bot's HTTP port until cancelled."""
    from adapters.slack.background import Background
    from adapters.slack.oauth import OAuthEnv, connect_oauth, oauth_routes
    from adapters.slack.server import slack_routes

    env = OAuthEnv.from_env()
    app.web.expect(OAUTH_PLATFORM_NAME)
    background = Background()
    bolt = await connect_oauth(app, env, background=background)
    app.web.add_routes(*slack_routes(bolt, app.inbox.intake), *oauth_routes(bolt))
    app.web.connection(OAUTH_PLATFORM_NAME, lambda: True)
    public = os.environ.get("PUBLIC_URL", "").strip().rstrip("/") or "https://<your-public-host>"
    log.info(
        'Slack (OAuth): the "Add to Slack" link is %s/slack/install; set the app\'s redirect URL '
        "to %s/slack/oauth_redirect and its request URLs to %s/slack/events",
        public,
        public,
        public,
    )
    group = None
    if app.config.slack.mentor_group:
        group = asyncio.create_task(_keep_mentor_groups(app, bolt), name="mentor-group")
    try:
        await asyncio.Event().wait()
    finally:
        if group is not None:
            group.cancel()
        await background.drain(within=BACKGROUND_GRACE_SECONDS)


async def sync_mentor_groups(app: App, bolt: AsyncApp) -> int:
    """OAuth mode's `[slack] mentor_group`: the group of every workspace the app is installed in
    and set up for (registered), read with that workspace's own token; how many were synced. A
    workspace without the group, or whose install lacks ``usergroups:read`` (installed before
    the app asked for it), is said in the log and left as it is."""
    from adapters.slack.installation_store import DbInstallationStore
    from adapters.slack.mentor_group import group_members
    from adapters.slack.translate import user_ref, workspace_ref
    from bot.privacy.commands import SyncMentorGroup

    store = bolt.installation_store
    assert isinstance(store, DbInstallationStore) and store.teams is not None
    teams, name = store.teams, app.config.slack.mentor_group
    synced = 0
    for team_id in await store.installations.active_teams():
        try:
            workspace = workspace_ref(team_id)
            async with app.uow_factory(read_only=True) as uow:
                registered = await uow.workspaces.get(workspace) is not None
            team = await teams.get(team_id) if registered else None
            if team is None:
                continue  # not set up yet (its channels missing): its members aren't invited
            members = await group_members(team.gateway.client, name, team=team_id)
            if members is None:
                continue
            refs = tuple(user_ref(m) for m in members)
            await app.bus.handle(SyncMentorGroup(workspace, refs, group=name))
            synced += 1
        except Exception:
            log.exception("Slack: the mentor group of workspace %s could not be synced", team_id)
    return synced


async def _keep_mentor_groups(app: App, bolt: AsyncApp) -> None:
    """`sync_mentor_groups` now and every hour until cancelled."""
    from adapters.slack.mentor_group import SYNC_SECONDS

    while True:
        await sync_mentor_groups(app, bolt)
        await asyncio.sleep(SYNC_SECONDS)
