"""The Micromentor cog: the slash commands (from the command mixins), every Micromentor button
and form, and the answer to a command that failed before it was stored. Each builds a command and
hands it to the bus; the work is in the modules it names."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from adapters.discord.admin_commands import AdminCommands
from adapters.discord.buttons import OLDER_VERSION, ours, take_click
from adapters.discord.components import COG_NAME
from adapters.discord.interactions import NOT_NOW, InteractionRunner
from adapters.discord.member_commands import MemberCommands
from adapters.discord.mentor_commands import MentorCommands
from adapters.discord.submissions import take_submission
from bot.messagebus import MessageBus

__all__ = ["MentoringCog"]

Interaction = discord.Interaction[Any]


class MentoringCog(MemberCommands, MentorCommands, AdminCommands, name=COG_NAME):
    """``/askmentor``, ``/mentor …``, ``/mentoradmin …``, ``/kudos``, ``/lightning …`` and every
    Micromentor button."""

    def __init__(self, bus: MessageBus, runner: InteractionRunner) -> None:
        self.bus = bus
        self.runner = runner

    async def cog_app_command_error(
        self, interaction: Interaction, error: app_commands.AppCommandError
    ) -> None:
        """A command that failed before it was stored still gets an answer (else Discord shows
        "The application did not respond"): a member option naming someone who is not in the
        server, or anything unexpected (logged by the command tree as well)."""
        if interaction.response.is_done():
            return
        if isinstance(error, app_commands.TransformerError) and (
            error.type is discord.AppCommandOptionType.user
        ):
            said = f"{error.value} is not a member of this server."
        else:
            said = NOT_NOW
        await self.runner.answer_now(interaction, said)

    # --- buttons and forms --------------------------------------------------------------------

    async def on_action_button(self, interaction: Interaction, custom_id: str) -> None:
        await take_click(interaction, custom_id, bus=self.bus, runner=self.runner)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: Interaction) -> None:
        since = self.runner.arrived()
        if interaction.type is discord.InteractionType.component:
            data: Any = interaction.data or {}
            custom_id = str(data.get("custom_id", ""))
            if not ours(custom_id):  # discord.py has no handler for it: answer it here
                await self.runner.answer_now(interaction, OLDER_VERSION)
            elif not _on_its_message(interaction, custom_id):
                # discord.py hands a click to its button only when the message it came with
                # still shows that button; a card updated meanwhile (claimed: no buttons) would
                # leave the click unanswered ("This interaction failed"). Taken here instead.
                await self.on_action_button(interaction, custom_id)
            return
        if interaction.type is not discord.InteractionType.modal_submit:
            return
        await take_submission(interaction, runner=self.runner, since=since)


def _on_its_message(interaction: Interaction, custom_id: str) -> bool:
    """Whether the message a click came with shows the button clicked (then discord.py's
    dynamic item takes it)."""
    if interaction.message is None:
        return False

    def ids(components: Any) -> Any:
        for component in components or ():
            yield getattr(component, "custom_id", None)
            yield from ids(getattr(component, "children", None))

    return custom_id in ids(interaction.message.components)
