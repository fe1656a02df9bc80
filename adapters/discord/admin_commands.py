"""The ``/mentoradmin …`` slash commands, shown only to members who can manage the server: post
the digest now, programme figures, the audit trail, a dashboard sign-in link, and exporting or
forgetting what is stored about someone. Each builds an admin command (with the clock's time) and
hands it to the interaction runner; the core checks the permission again. A mixin of
:class:`adapters.discord.cog.MentoringCog`, which discord.py collects the group from."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.interactions import InteractionRunner
from adapters.discord.translate import account_name, admin_command
from bot.messagebus import MessageBus

__all__ = ["AdminCommands"]

Interaction = discord.Interaction[Any]


class AdminCommands(commands.Cog):
    """``/mentoradmin …``: the admin commands."""

    bus: MessageBus
    runner: InteractionRunner

    mentoradmin = app_commands.Group(
        name="mentoradmin",
        description="Micromentor admin commands",
        guild_only=True,
        default_permissions=discord.Permissions(manage_guild=True),
    )

    @mentoradmin.command(name="digest", description="Post the weekly digest now")
    @app_commands.describe(week="An ISO week like 2026-W48 (empty: this week so far)")
    async def digest(self, interaction: Interaction, week: str | None = None) -> None:
        now = self.bus.clock.now()
        await self.runner.run(
            interaction, lambda a: admin_command(a, "digest", {"week": week}, now=now)
        )

    @mentoradmin.command(name="stats", description="Programme figures")
    async def stats(self, interaction: Interaction) -> None:
        now = self.bus.clock.now()
        await self.runner.run(interaction, lambda a: admin_command(a, "stats", {}, now=now))

    @mentoradmin.command(name="audit", description="The latest admin actions")
    async def audit(self, interaction: Interaction) -> None:
        now = self.bus.clock.now()
        await self.runner.run(interaction, lambda a: admin_command(a, "audit", {}, now=now))

    @mentoradmin.command(name="dashboard", description="A sign-in link to the web dashboard")
    async def dashboard(self, interaction: Interaction) -> None:
        now = self.bus.clock.now()
        await self.runner.run(interaction, lambda a: admin_command(a, "dashboard", {}, now=now))

    # Export and forget take a user, not a member: someone who has left the server is the usual
    # case, and Discord resolves only their user then (a `discord.Member` would refuse them).
    @mentoradmin.command(name="export", description="Everything stored about someone, as JSON")
    async def export(self, interaction: Interaction, member: discord.User) -> None:
        now = self.bus.clock.now()
        options = {"member_id": member.id, "member_name": account_name(member)}
        await self.runner.run(interaction, lambda a: admin_command(a, "export", options, now=now))

    @mentoradmin.command(name="forget", description="Erase someone's name, texts and comments")
    @app_commands.describe(confirm="Erase for good (without it, only what would go is shown)")
    async def forget(
        self, interaction: Interaction, member: discord.User, confirm: bool = False
    ) -> None:
        now = self.bus.clock.now()
        options = {"member_id": member.id, "member_name": account_name(member), "confirm": confirm}
        await self.runner.run(interaction, lambda a: admin_command(a, "forget", options, now=now))
