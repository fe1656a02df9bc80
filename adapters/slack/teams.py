"""The installed workspaces of the OAuth mode: each one's gateway and user directory, built
from its installation and cached briefly (`Teams`), and the map of Slack ids to the workspace
they belong to; with what a request's body says about its workspace and the ids in it."""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import translate as tr
from adapters.slack.background import Background
from adapters.slack.channels import ChannelWatch
from adapters.slack.errors import api_error
from adapters.slack.gateway import SlackGateway
from adapters.slack.inbox import user_id
from adapters.slack.runtime import SlackSettings, web_client
from adapters.slack.thread_memory import ThreadMemory
from adapters.slack.token_rotation import TokenKeeper
from adapters.slack.uninstall import record_removal
from adapters.slack.users import SlackDirectory
from storage.slack_installations import SlackInstallation, SlackInstallations

if TYPE_CHECKING:
    from bot.app import App

__all__ = ["AUTHORIZED_TEAM", "CACHE_SECONDS", "Team", "Teams", "ids_of_body", "team_of_body"]

log = logging.getLogger(__name__)

CACHE_SECONDS = 60.0
# Added to a request's body: the team whose installation authorized it.
AUTHORIZED_TEAM = tr.AUTHORIZED_TEAM


@dataclass(slots=True)
class Team:
    """One installed workspace's gateway and user directory (its token inside the client)."""

    team_id: str
    gateway: SlackGateway
    directory: SlackDirectory
    expires: float


class Teams:
    """Per-workspace gateways built from the installation store, cached briefly; and the map of
    Slack ids to their workspace (memory, then the database)."""

    def __init__(
        self,
        app: App,
        installations: SlackInstallations,
        *,
        api_url: str,
        session: aiohttp.ClientSession | None,
        background: Background | None = None,
        keeper: TokenKeeper | None = None,
    ) -> None:
        self.app = app
        self.installations = installations
        self.keeper = keeper  # trades a rotating token before it expires
        self._expired: dict[str, str] = {}  # team → the token Slack called expired
        self.api_url = api_url
        self.session = session
        self._teams: dict[str, Team] = {}
        self._ids: dict[str, str] = {}
        self._workspace_urls: dict[str, str] = {}
        self.registered: set[str] = set()  # teams with a settings row
        self.tried: dict[str, float] = {}  # team → when registering may be tried again
        # Slack calls a request's workspace may need (registering it, its URL), made after
        # the acknowledgement.
        self.background = background or Background()
        # Each workspace's configured channels, and which are unusable (archived, deleted).
        # Stored for every replica (`ChannelWatch`).
        self.watch = ChannelWatch(app.uow_factory, clock=app.clock)
        # Which thread a message is in (keyed by team): one for every workspace, outliving the
        # gateways rebuilt each minute.
        self.threads = ThreadMemory()

    def forget(self, team_id: str) -> None:
        self._teams.pop(team_id, None)

    def token_expired(self, team: Team) -> None:
        """Slack called the workspace's token expired (`token_expired`; the app rotates its
        tokens and this one was not traded in time, e.g. the bot was down): the next use trades
        it first, whatever its recorded expiry says."""
        token = team.gateway.client.token
        if token:
            self._expired[team.team_id] = token
        self.forget(team.team_id)

    async def token_gone(self, team: Team, code: str) -> None:
        """Slack refused the workspace's token (`TOKEN_GONE`) while delivering: the app is as
        good as uninstalled there, so the installation is marked so (as on ``app_uninstalled``)
        and what is queued for it is refused without a call. Said once, by whoever marks it."""
        self.forget(team.team_id)
        token = team.gateway.client.token
        if await self.installations.deactivate(team.team_id, token=token):
            log.error(
                "Slack: workspace %s refused the app's token (%s); marked uninstalled, and what "
                "is queued for it is skipped until the app is installed there again",
                team.team_id,
                code,
            )
            await self.removed(team.team_id)

    async def removed(self, team_id: str) -> None:
        """The app is uninstalled from the workspace: the core holds its reminders and digests
        until it is installed again (an installation takes it up again). A failure is logged by
        the bus; the installation is marked uninstalled all the same (deliveries refused
        unasked, reminders decided for nobody as before)."""
        await record_removal(self.app.bus, team_id)

    async def installation(self, team_id: str) -> SlackInstallation | None:
        """The workspace's installation as stored, its token traded first when it is due (or
        Slack called it expired: `token_expired`); the one look-up of a token, for Bolt's
        authorization of a request (`DbInstallationStore`) and for deliveries (`get`) alike,
        so a trade by either reaches both."""
        found = await self.installations.find(team_id)
        if found is None or self.keeper is None:
            return found
        token = found.bot_token
        expired = self._expired.pop(team_id, None)
        found = await self.keeper.fresh(found, expired=expired is not None and expired == token)
        if found.bot_token != token:
            self.forget(team_id)  # a cached gateway still holds the old token
        return found

    async def get(self, team_id: str, *, quick: bool = False) -> Team | None:
        """The workspace's gateway, or None when it is not (or no longer) installed. `quick`
        (before an acknowledgement): no Slack call, but the trade of a rotating token that is
        due (`TokenKeeper`: once in some ten hours, and Bolt's authorization of the same request
        needs it anyway); the workspace's URL, for permalinks, is read afterwards when not known
        yet."""
        now = time.monotonic()
        hit = self._teams.get(team_id)
        if hit is not None and hit.expires > now:
            return hit
        found = await self.installation(team_id)
        if found is None or not found.active or not found.bot_token:
            self._teams.pop(team_id, None)
            return None
        client = web_client(
            SlackSettings(bot_token=found.bot_token, api_url=self.api_url),
            session=self.session,
            metrics=self.app.metrics,
        )
        url = self._workspace_urls.get(team_id)
        if url is None and not quick:
            url = await self._workspace_url(client, team_id)
        # Who people are is cached for minutes (users.info): that outlives this minute's look at
        # the token, unless the token changed.
        kept = hit.directory if hit and hit.directory.client.token == found.bot_token else None
        team = Team(
            team_id,
            SlackGateway(
                client,
                thread_mode=self.app.config.slack.thread_mode,
                workspace_url=url or "",
                session=self.session,
                clock=self.app.clock,
                watch=self.watch,
                team_id=team_id,
                threads=self.threads,
            ),
            kept
            or SlackDirectory(
                client,
                workspace=tr.workspace_ref(team_id),
                # The first installer (a reinstall keeps them: `SlackInstallations.save`), not
                # whoever ran "Add to Slack" last.
                admins=frozenset({found.installer_user_id} if found.installer_user_id else ()),
            ),
            now + CACHE_SECONDS,
        )
        self._teams[team_id] = team
        if url is None:
            self.background.start(
                self._learn_url(team), what="reading a workspace's URL", key=f"url:{team_id}"
            )
        return team

    async def _workspace_url(self, client: AsyncWebClient, team_id: str) -> str:
        try:
            url = str((await client.auth_test()).get("url") or "")
        except SlackApiError as e:
            log.warning("Slack: auth.test failed for workspace %s (%s)", team_id, api_error(e))
            url = ""
        self._workspace_urls[team_id] = url
        return url

    async def _learn_url(self, team: Team) -> None:
        url = await self._workspace_url(team.gateway.client, team.team_id)
        for known in (team, self._teams.get(team.team_id)):  # rebuilt meanwhile, perhaps
            if known is not None and not known.gateway.workspace_url:
                known.gateway.workspace_url = url

    async def remember(self, team_id: str, ids: Sequence[str]) -> None:
        """Note that `ids` were seen in `team_id`'s workspace. The first sighting wins, here as
        in the database (which this then reads back: another replica may have seen them
        first), so every replica, before and after a restart, has the same answer."""
        new = {i: team_id for i in ids if i and i not in self._ids}
        if not new:
            return
        self._ids.update(await self.installations.remember(new))

    async def team_of(self, slack_id: str) -> str | None:
        found = self._ids.get(slack_id)
        if found is None:
            found = await self.installations.team_of(slack_id)
            if found is not None:
                self._ids[slack_id] = found
        return found

    def cached_team_of(self, slack_id: str) -> str | None:
        return self._ids.get(slack_id)

    def cached(self, team_id: str) -> Team | None:
        return self._teams.get(team_id)


def team_of_body(body: Mapping[str, Any]) -> str:
    """The workspace a request came from (commands, events, interactions)."""
    team = body.get(AUTHORIZED_TEAM) or body.get("team_id") or (body.get("team") or {}).get("id")
    if not team and isinstance(body.get("user"), dict):
        team = body["user"].get("team_id")
    if not team and isinstance(body.get("view"), dict):
        team = body["view"].get("team_id")
    return str(team or "")


def ids_of_body(body: Mapping[str, Any]) -> list[str]:
    """The Slack ids in a request that a later delivery may be addressed to."""
    event = body.get("event") if isinstance(body.get("event"), dict) else {}
    assert isinstance(event, dict)
    channel = body.get("channel") if isinstance(body.get("channel"), dict) else {}
    assert isinstance(channel, dict)
    item = event.get("item") if isinstance(event.get("item"), dict) else {}
    assert isinstance(item, dict)
    found = [
        user_id(body),
        str(body.get("channel_id") or ""),
        str(channel.get("id") or ""),
        # A string: channel_rename's ``channel`` is an object (its id is of this workspace).
        _id_of(event.get("channel")),
        str(item.get("channel") or ""),
    ]
    return [i for i in dict.fromkeys(found) if i]


def _id_of(channel: object) -> str:
    """An event's ``channel``: its id, or the id of the object a rename carries."""
    if isinstance(channel, dict):
        return str(channel.get("id") or "")
    return str(channel or "")
