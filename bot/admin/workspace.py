"""Registering a workspace: where its cards, digests and escalations go."""

from __future__ import annotations

from bot.commands import RegisterWorkspace
from bot.domain import Workspace
from bot.messagebus import Context

__all__ = ["register_workspace"]


async def register_workspace(cmd: RegisterWorkspace, ctx: Context) -> None:
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
    figures = ctx.services.figures
    ctx.after_commit.append(lambda: figures.forget(lambda k: k == ("workspace", cmd.workspace)))
