"""`micromentor check` for Slack: the token answers `auth.test`, it was granted the manifest's
scopes, the app-level token opens Socket Mode, and the configured channels exist."""

from __future__ import annotations

from pathlib import Path

import aiohttp
from slack_sdk.errors import SlackApiError

from adapters.slack.gateway import api_error
from adapters.slack.runtime import SlackSettings, resolve_channel, web_client
from bot.config import Config
from bot.errors import StartupError

__all__ = ["check_slack", "check_slack_oauth", "manifest_scopes"]

MANIFEST = Path(__file__).with_name("manifest.yml")


def manifest_scopes(manifest: Path = MANIFEST) -> set[str]:
    """The bot scopes listed under ``oauth_config: scopes: bot:`` (read without a YAML parser:
    the shipped manifest is ours and simple)."""
    scopes: set[str] = set()
    inside = False
    for line in manifest.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if stripped == "bot:":
            inside = True
            continue
        if inside:
            if stripped.startswith("- "):
                scopes.add(stripped[2:].strip())
            elif stripped and not stripped.startswith("#"):
                break
    return scopes


async def check_slack(config: Config) -> list[str]:
    """One line per problem (an empty list: Slack is usable)."""
    settings = SlackSettings.from_env()
    problems: list[str] = []
    async with aiohttp.ClientSession() as session:
        client = web_client(settings, session=session)
        try:
            auth = await client.auth_test()
        except SlackApiError as e:
            return [f"Slack: SLACK_BOT_TOKEN was refused by auth.test ({api_error(e)})"]
        except aiohttp.ClientError as e:
            return [f"Slack: cannot reach {settings.api_url} ({type(e).__name__})"]
        granted = {s.strip() for s in str(auth.headers.get("x-oauth-scopes", "")).split(",")}
        granted.discard("")
        if granted:
            missing = sorted(manifest_scopes() - granted)
            if missing:
                problems.append(
                    "Slack: the bot token lacks scope(s) "
                    + ", ".join(missing)
                    + " from adapters/slack/manifest.yml; add them and reinstall the app"
                )
        if settings.app_token:
            try:
                await client.apps_connections_open(app_token=settings.app_token)
            except SlackApiError as e:
                problems.append(
                    f"Slack: SLACK_APP_TOKEN was refused ({api_error(e)}); it must be an "
                    "app-level token (xapp-…) with connections:write"
                )
        channels = config.channels
        wanted = [("mentoring", channels.mentoring), ("admin", channels.admin)]
        if channels.escalation:
            wanted.append(("escalation", channels.escalation))
        for key, name in wanted:
            try:
                await resolve_channel(client, name, key=key)
            except StartupError as e:
                problems.append(str(e))
    return problems


async def check_slack_oauth(config: Config) -> list[str]:
    """OAuth mode: the credentials are present (each workspace's token is checked as it is
    installed); the bot scopes asked for come from the manifest."""
    import os

    problems: list[str] = []
    if not os.environ.get("SLACK_SIGNING_SECRET", "").strip():
        problems.append("Slack (OAuth): SLACK_SIGNING_SECRET is missing (Basic Information page)")
    if not manifest_scopes():
        problems.append(f"Slack (OAuth): no bot scopes found in {MANIFEST}")
    return problems
