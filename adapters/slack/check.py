"""`micromentor check` for Slack: the token answers `auth.test`, it was granted the manifest's
scopes, the app-level token opens Socket Mode, and the configured channels exist."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import api_error
from adapters.slack.runtime import (
    ROTATING_TOKEN,
    ChannelListRefused,
    ListingPatience,
    SlackSettings,
    channel_gone,
    refusal,
    resolve_channel,
    unreachable,
    web_client,
)
from adapters.slack.scopes import MANIFEST, manifest_scopes, missing_scopes
from adapters.slack.translate import channel_of
from bot.config import Config
from bot.errors import StartupError
from bot.platforms import NOTE

__all__ = ["check_slack", "check_slack_oauth"]


async def check_slack(config: Config) -> list[str]:
    """One line per problem (an empty list: Slack is usable)."""
    settings = SlackSettings.from_env()
    problems: list[str] = []
    async with aiohttp.ClientSession() as session:
        client = web_client(settings, session=session)
        try:
            auth = await client.auth_test()
        except SlackApiError as e:
            return [f"Slack: SLACK_BOT_TOKEN was refused by auth.test {refusal(e)}"]
        except (aiohttp.ClientError, TimeoutError) as e:
            return [unreachable(settings.api_url, e)]
        if settings.rotating:
            problems.append(ROTATING_TOKEN)
        scopes = missing_scopes(auth.headers, config)
        if scopes:
            problems.append(scopes)
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
        # A refused channel listing is the same refusal for every name: said once, naming them.
        unlisted: list[str] = []
        refused = ""
        patience = ListingPatience()  # rate limits waited out for all names together
        for key, name in wanted:
            if refused and not channel_of(name):
                unlisted.append(name)
                continue
            try:
                channel_id = await resolve_channel(client, name, key=key, patience=patience)
            except ChannelListRefused as e:
                refused = e.reason
                unlisted.append(name)
                continue
            except StartupError as e:
                problems.append(str(e))
                continue
            problems += await _usable(client, channel_id, key=key)
        if unlisted:
            names = ", ".join(f"#{n.strip().lstrip('#').lower()}" for n in unlisted)
            problems.append(f"Slack: could not list channels to find {names} {refused}")
    return problems


async def _usable(client: AsyncWebClient, channel_id: str, *, key: str) -> list[str]:
    """A configured channel exists, is not archived, and (when private) has the app in it:
    `run` would stop, or its posts be refused, otherwise. Names were found by listing; ids
    only here."""
    try:
        info = await client.conversations_info(channel=channel_id)
    except SlackApiError as e:
        code = api_error(e)
        if code in ("channel_not_found", "is_archived"):
            return [channel_gone(channel_id, code).replace("[channels]", f"[channels] {key}")]
        return [f"Slack: could not look up channel {channel_id} {refusal(e)}"]
    channel = info.get("channel") or {}
    if channel.get("is_archived"):
        return [channel_gone(channel_id, "is_archived").replace("[channels]", f"[channels] {key}")]
    if channel.get("is_private") and channel.get("is_member") is False:
        return [
            f"Slack channel {channel_id} (bot.toml [channels] {key}) is private and the app is "
            "not in it; invite it there with /invite @Micromentor"
        ]
    return []


async def check_slack_oauth(config: Config) -> list[str]:
    """OAuth mode: the credentials are present (each workspace's token is checked as it is
    installed); the bot scopes asked for come from the manifest; and (a warning, `NOTE`) the
    dashboard's sign-in links have a public address to lead to."""
    import os

    problems: list[str] = []
    if not os.environ.get("SLACK_SIGNING_SECRET", "").strip():
        problems.append("Slack (OAuth): SLACK_SIGNING_SECRET is missing (Basic Information page)")
    if not manifest_scopes():
        problems.append(f"Slack (OAuth): no bot scopes found in {MANIFEST}")
    if not config.dashboard_url():  # a warning: Slack works without it
        problems.append(
            f"{NOTE}Slack (OAuth): neither PUBLIC_URL nor [dashboard] public_url is set (or "
            "PUBLIC_URL is not an http(s) URL): dashboard sign-in links would lead to "
            "http://localhost"
        )
    return problems
