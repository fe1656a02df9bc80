"""`[slack] mentor_group`: the members of a Slack user group are the mentors. At start and
every hour the group's members are read (usergroups.list, scope ``usergroups:read``) and handed
to the core, which takes mentors outside it off the list and invites new members once."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.errors import api_error
from adapters.slack.translate import user_ref
from bot.app import App
from bot.privacy.commands import SyncMentorGroup
from bot.refs import WorkspaceRef

__all__ = ["SYNC_SECONDS", "group_members", "keep_mentor_group", "sync_once"]

log = logging.getLogger(__name__)

SYNC_SECONDS = 3600.0


# The problem last told per workspace (team id): the hourly sync says each once, not every hour
# (an install that lacks ``usergroups:read`` stays so until it is installed again).
_told: dict[str, str] = {}


def _tell(team: str, problem: str) -> None:
    if _told.get(team) == problem:
        log.debug("%s (told before)", problem)
        return
    _told[team] = problem
    log.warning("%s", problem)


async def group_members(client: AsyncWebClient, group: str, *, team: str = "") -> list[str] | None:
    """The user ids of the group named by its handle (``mentors``, ``@mentors``) or id; None
    when there is no such group or it can't be read (then nothing changes). Each problem is
    logged once per workspace `team` until it is solved."""
    wanted = group.strip().lstrip("@")
    where = f" in workspace {team}" if team else ""
    try:
        resp = await client.usergroups_list(include_users=True)
    except SlackApiError as e:
        code = api_error(e)
        fix = (
            ": the app's install lacks usergroups:read; install it again (Add to Slack) to grant it"
            if "missing_scope" in code
            else ""
        )
        _tell(team, f"Slack: usergroups.list failed{where} ({code}){fix}; mentor group not synced")
        return None
    for g in resp.get("usergroups") or []:
        if wanted in (g.get("handle"), g.get("id")) and not g.get("date_delete"):
            _told.pop(team, None)
            return [str(u) for u in g.get("users") or []]
    _tell(team, f"Slack: no user group {group!r}{where}; mentor group not synced")
    return None


async def sync_once(app: App, client: AsyncWebClient, workspace: WorkspaceRef) -> bool:
    group = app.config.slack.mentor_group
    members = await group_members(client, group, team=workspace.id)
    if members is None:
        return False
    await app.bus.handle(
        SyncMentorGroup(workspace, tuple(user_ref(m) for m in members), group=group)
    )
    return True


async def keep_mentor_group(app: App, client: AsyncWebClient, workspace: WorkspaceRef) -> None:
    """Sync now and every `SYNC_SECONDS` until cancelled."""
    while True:
        try:
            await sync_once(app, client, workspace)
        except Exception:
            log.exception("Slack: the mentor group could not be synced")
        await asyncio.sleep(SYNC_SECONDS)
