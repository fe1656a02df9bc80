"""Registering a workspace: at install (`on_installed`: its settings row, the installer made
admin, a welcome DM), or later, once its channels exist (`ensure_registered`, started after a
request's acknowledgement by `register_soon`); and the inbox preparer that lets an input wait for
its workspace's registration before it is handled."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

from slack_sdk.oauth.installation_store.models.installation import Installation

from adapters.slack import translate as tr
from adapters.slack.gateway import SlackGateway
from adapters.slack.inbox import SlackPreparer
from adapters.slack.runtime import (
    ChannelListRefused,
    ListingPatience,
    join_channel,
    resolve_channels,
)
from adapters.slack.teams import CACHE_SECONDS, Team, Teams, team_of_body
from adapters.slack.users import SlackDirectory
from bot.commands import RegisterWorkspace, RestoreWorkspace
from bot.domain import Person
from bot.flow.inbox import Prepared
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Delivery, Op, OutboxItem, ReplyTo, new_key
from bot.messages import Bold, ChatMessage, Mention, text
from bot.refs import UserRef, WorkspaceRef

if TYPE_CHECKING:
    from bot.app import App

__all__ = [
    "TeamPreparer",
    "ensure_registered",
    "on_installed",
    "register",
    "register_soon",
    "welcome",
]

log = logging.getLogger(__name__)

# How long an input waits for its workspace's registration (listing channels page by page):
# well inside the inbox's lease (30 s by default), so the input is not handed to another worker.
_REGISTER_WAIT = 10.0


@dataclass
class TeamPreparer:
    """`bot.flow.inbox.Preparer` for Slack rows of any installed workspace."""

    teams: Teams
    app: App

    def _for(self, team: Team) -> SlackPreparer:
        return SlackPreparer(
            gateway=team.gateway,
            directory=team.directory,
            clock=self.app.clock,
            config=self.app.config,
        )

    def reply_to(self, item: InboxItem) -> ReplyTo | None:
        # Where to answer needs no workspace (it is read from the payload alone).
        preparer = SlackPreparer(
            gateway=cast(SlackGateway, None),
            directory=cast(SlackDirectory, None),
            clock=self.app.clock,
            config=self.app.config,
        )
        return preparer.reply_to(item)

    def workspace(self, item: InboxItem) -> WorkspaceRef | None:
        # The team the request came from (`prepare` answers for that team's workspace).
        team_id = team_of_body(item.payload["body"])
        return tr.workspace_ref(team_id) if team_id else None

    async def prepare(self, item: InboxItem) -> Prepared:
        team_id = team_of_body(item.payload["body"])
        # An input that arrived while its workspace was being registered is handled once that
        # is done (it ran after the acknowledgement), as if it had been done before.
        await self.teams.background.finished(_registering(team_id), within=_REGISTER_WAIT)
        team = await self.teams.get(team_id)
        if team is None:
            return Prepared(None)  # uninstalled since: nobody to answer with
        return await self._for(team).prepare(item)


def welcome(
    installer: UserRef,
    name: str,
    *,
    mentoring: str,
    admin: str,
    missing: Literal["missing", "later"] | None,
    first: bool = True,
) -> ChatMessage:
    """The installer's DM: they are the first admin (or, installing again, an admin as the
    workspace's admin or owner), and what to do next."""
    if missing == "later":
        channels = (
            f"• Slack would not let me look at the channels just now; I'll find #{mentoring} "
            f"(where questions are posted) and #{admin} (digest and escalations) as soon as "
            "someone uses the app. If they don't exist yet, create them; for private ones, "
            "invite the app with `/invite @Micromentor`."
        )
    elif missing:
        channels = (
            f"• Create #{mentoring} (where questions are posted) and #{admin} (digest and "
            "escalations), invite the app to both with `/invite @Micromentor`, then run "
            "`/mentor help`: the bot picks them up by name."
        )
    else:
        channels = (
            f"• Questions are posted in #{mentoring}; the digest and escalations go to #{admin}. "
            "For a private channel, invite the app with `/invite @Micromentor`."
        )
    return ChatMessage(
        body=text(
            "Thanks for installing Micromentor, ",
            Mention(installer, name),
            "! You are this workspace's first Micromentor admin.\n\n"
            if first
            else "! As an admin of this workspace, you are a Micromentor admin here.\n\n",
            Bold("Next steps"),
            "\n" + channels + "\n",
            "• Invite the people who can help: they join as mentors with "
            "`/mentor join <skills>`.\n",
            "• Anyone asks with `/askmentor <question>`; `/mentor help` lists everything else, "
            "and `/mentoradmin` is yours.",
        )
    )


# At install the channels are listed inside the browser's OAuth redirect: rate limits are waited
# out this long there (the workspace's next request tries again, with the usual patience).
INSTALL_LISTING_SECONDS = 10.0


async def register(
    app: App,
    teams: Teams,
    team: Team,
    *,
    name: str = "",
    patience: ListingPatience | None = None,
) -> Literal["missing", "later"] | None:
    """Find the workspace's configured channels (joining the public ones) and store its settings
    row. None: registered; "missing": a channel does not exist there yet; "later": Slack would
    not list the channels now (a rate limit that outlasted `patience`, a scope)."""
    from bot.errors import StartupError

    client = team.gateway.client
    checked_at = app.clock.now()
    try:
        mentoring, admin, wider = await resolve_channels(
            client, app.config.channels, patience=patience
        )
    except ChannelListRefused as e:
        # Not the workspace's channels: Slack would not list them (a scope, a rate limit that
        # outlasted the wait). Tried again on a later request of the workspace.
        log.warning("Slack: workspace %s could not be registered yet: %s", team.team_id, e)
        return "later"
    except StartupError as e:
        log.info("Slack: workspace %s needs its channels set up: %s", team.team_id, e)
        return "missing"
    found = [c for c in (mentoring, admin, wider) if c]
    await teams.watch.watch(
        team.team_id,
        app.config.channels,
        name=name or team.team_id,
        mentoring=mentoring,
        admin=admin,
        escalation=wider,
        checked_at=checked_at,
    )
    await teams.remember(team.team_id, found)
    for channel_id in dict.fromkeys(found):
        await join_channel(client, channel_id)
    await app.bus.handle(
        RegisterWorkspace(
            tr.workspace_ref(team.team_id),
            tr.channel_ref(mentoring),
            tr.channel_ref(admin),
            timezone=app.config.bot.timezone,
            name=name or team.team_id,
            escalation_channel=tr.channel_ref(wider) if wider else None,
        )
    )
    teams.registered.add(team.team_id)
    return None


async def ensure_registered(app: App, teams: Teams, team: Team) -> None:
    """A workspace whose channels were missing at install is registered once they exist
    (tried again at most once a minute, on its requests)."""
    if team.team_id in teams.registered:
        return
    async with app.uow_factory(read_only=True) as uow:
        known = await uow.workspaces.get(tr.workspace_ref(team.team_id))
    if known is not None:
        # Set up before (this process started since): its channels are watched from now on;
        # what other replicas stored of them (archived …) holds, as nothing was checked here.
        await teams.watch.watch(
            team.team_id,
            app.config.channels,
            name=known.name or team.team_id,
            mentoring=known.mentoring_channel.id,
            admin=known.admin_channel.id,
            escalation=known.escalation_channel.id if known.escalation_channel else None,
            checked_at=None,
        )
        teams.registered.add(team.team_id)
        return
    now = time.monotonic()
    if teams.tried.get(team.team_id, 0.0) > now:
        return
    teams.tried[team.team_id] = now + CACHE_SECONDS
    await register(app, teams, team)


def register_soon(app: App, teams: Teams, team: Team) -> None:
    """`ensure_registered` after the acknowledgement (it lists and joins channels), one at a
    time per workspace; nothing when the workspace is known to be registered."""
    if team.team_id in teams.registered:
        return
    teams.background.start(
        ensure_registered(app, teams, team),
        what="registering a workspace",
        key=_registering(team.team_id),
    )


def _registering(team_id: str) -> str:
    return f"register:{team_id}"


async def on_installed(app: App, teams: Teams, installation: Installation) -> None:
    """A settings row for the new workspace and, for its first installer, admin rights and a
    welcome DM. Any member may run "Add to Slack" in a workspace the app is installed in: a
    reinstall makes its installer an admin only when Slack says they are a workspace admin or
    owner (users.info); the first installer is the one the installation keeps
    (`SlackInstallations.save`), and the directory counts them as admin (`Teams.get`)."""
    team_id = str(installation.team_id or "")
    installer = str(installation.user_id or "")
    teams.forget(team_id)
    team = await teams.get(team_id)
    if team is None:
        log.warning("Slack: workspace %s was installed but its token cannot be read", team_id)
        return
    await teams.remember(team_id, [installer])
    # Installed (again): what waited since an uninstall goes on, channels found or not yet.
    await app.bus.handle(RestoreWorkspace(tr.workspace_ref(team_id)))
    missing = await register(
        app,
        teams,
        team,
        name=str(installation.team_name or team_id),
        patience=ListingPatience(seconds=INSTALL_LISTING_SECONDS),
    )
    channels = app.config.channels
    if not installer:
        return
    who = await team.directory.user(installer)
    first = installer in team.directory.admins  # the installer the installation keeps
    if not first and who.admin is not True:
        log.info(
            "Slack: installed again in workspace %s by a member who is not one of its admins; "
            "no admin rights given",
            team_id,
        )
        return
    user = tr.user_ref(installer)
    message = welcome(
        user,
        who.name,
        mentoring=channels.mentoring.lstrip("#"),
        admin=channels.admin.lstrip("#"),
        missing=missing,
        first=first,
    )
    async with app.uow_factory() as uow:
        person = await uow.people.get(user)
        if person is None:
            person = Person(ref=user, name=who.name, timezone=who.timezone)
            await uow.people.upsert(person)
        # Admin of this workspace (an Enterprise Grid id is the same person in all of them).
        await uow.people.set_admin(user, tr.workspace_ref(team_id), True)
        await uow.outbox.add_many(
            [
                OutboxItem(
                    Delivery(
                        op=Op.DM,
                        lane=f"u:{user.key()}",
                        message=message,
                        user=user,
                        workspace=tr.workspace_ref(team_id),  # theirs, wherever else they are
                    ),
                    key=new_key(),
                    due_at=app.clock.now(),
                )
            ]
        )
        await uow.commit()
    app.runtime.wake()  # deliver the welcome now
    if first:
        log.info("Slack: installed in workspace %s; the installer is its first admin", team_id)
    else:
        log.info("Slack: installed again in workspace %s by one of its admins", team_id)
