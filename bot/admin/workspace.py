"""Registering a workspace: where its cards, digests and escalations go."""

from __future__ import annotations

import logging

from bot.actors import forget_workspace
from bot.commands import RegisterWorkspace, RemoveWorkspace, RestoreWorkspace
from bot.domain import Workspace
from bot.messagebus import Context
from bot.refs import WorkspaceRef

__all__ = ["register_workspace", "remove_workspace", "restore_workspace"]

log = logging.getLogger(__name__)


async def register_workspace(cmd: RegisterWorkspace, ctx: Context) -> None:
    """Where its cards go; a workspace the app was removed from is taken up again (its
    nudges that waited are sent at their next turn, its digests made again)."""
    known = await ctx.uow.workspaces.get(cmd.workspace)
    if known is not None and known.removed_at is not None:
        log.info("workspace %s is back: its reminders and digests go on", cmd.workspace)
    await ctx.uow.workspaces.save(
        Workspace(
            ref=cmd.workspace,
            mentoring_channel=cmd.mentoring_channel,
            admin_channel=cmd.admin_channel,
            timezone=cmd.timezone,
            name=cmd.name,
            escalation_channel=cmd.escalation_channel,
        )
    )
    _forget_settings(ctx, cmd.workspace)


async def remove_workspace(cmd: RemoveWorkspace, ctx: Context) -> None:
    """Its questions, people and history stay (the app may be installed again; the retention
    rules still apply); what the bot would say there waits: nobody could be told."""
    if await ctx.uow.workspaces.mark_removed(cmd.workspace, ctx.clock.now()):
        log.info(
            "workspace %s: the app was removed; its reminders wait and no digest is made "
            "until it is installed again",
            cmd.workspace,
        )
    _forget_settings(ctx, cmd.workspace)


async def restore_workspace(cmd: RestoreWorkspace, ctx: Context) -> None:
    """The app is back (the installation, the invitation, is proof of it): its nudges that
    waited are sent at their next turn, its digests made again, even while its channels are
    still to be found."""
    if await ctx.uow.workspaces.restore(cmd.workspace):
        log.info("workspace %s is back: its reminders and digests go on", cmd.workspace)
    _forget_settings(ctx, cmd.workspace)


def _forget_settings(ctx: Context, ref: WorkspaceRef) -> None:
    """This process's memo of the workspace's settings (`bot.actors.workspace_of`) is read
    again once the change is committed."""
    figures = ctx.services.figures
    ctx.after_commit.append(lambda: forget_workspace(figures, ref))
