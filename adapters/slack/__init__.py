"""The Slack adapter: slack-bolt AsyncApp over HTTP (Starlette + uvicorn) or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["start_slack"]

log = logging.getLogger(__name__)


async def start_slack(app: App) -> None:
    """Connect to Slack with the environment's credentials and serve until cancelled."""
    from adapters.slack.runtime import SlackSettings, connect
    from adapters.slack.server import http_app, serve, serve_socket_mode

    settings = SlackSettings.from_env()
    bolt = await connect(app, settings)
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
            await serve_socket_mode(bolt, app_token=settings.app_token)
            return
        log.info("Slack: listening on http://%s:%d/slack/events", settings.host, settings.port)
        await serve(http_app(bolt, app.http_routes), host=settings.host, port=settings.port)
    finally:
        if group is not None:
            group.cancel()
