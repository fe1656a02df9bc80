"""Button clicks: a Micromentor button's custom id becomes a command for the bus, or opens the
comment, lightning or a stored form at once (a form can't wait for the core), and a button this
version does not know (one on a message posted by an earlier version) is answered with a pointer
to the newest message. The cog's ``on_action_button`` and ``on_interaction`` hand clicks here."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.components import ActionButton, CommentModal, LightningModal
from adapters.discord.forms import open_form
from adapters.discord.interactions import NOT_NOW, InteractionRunner, unseen_by
from adapters.discord.translate import CommentRequest, FormRequest, TeachRequest, button_command
from bot.messagebus import MessageBus
from bot.messages import custom_id_workspace

__all__ = ["OLDER_VERSION", "ours", "take_click"]

Interaction = discord.Interaction[Any]

# A button or form whose custom id this version does not know: one on a message posted by an
# earlier version (Discord keeps sending clicks on every button still shown, however old).
OLDER_VERSION = (
    "This button is from an older version of Micromentor and does nothing any more. "
    "Use the newest message, or the slash commands (`/askmentor`, `/mentor home`)."
)


def ours(custom_id: str) -> bool:
    """A component custom id that discord.py hands to :class:`ActionButton`."""
    return ActionButton.__discord_ui_compiled_template__.fullmatch(custom_id) is not None


async def take_click(
    interaction: Interaction, custom_id: str, *, bus: MessageBus, runner: InteractionRunner
) -> None:
    """A click on an :class:`ActionButton`: open its form, or run its command."""
    since = runner.arrived()
    named = custom_id_workspace(custom_id)
    built = button_command(runner.actor(interaction, named=named), custom_id)
    if isinstance(built, CommentRequest | TeachRequest | FormRequest):
        # A DM's button of a server that removed the bot, or that its presser is no member of,
        # or an ask form of one whose mentoring channel they can't see: no form opens (a
        # command is refused by `runner.run`).
        refused = await runner.refused(interaction, named, since=since, unseen=unseen_by(built))
        if refused is not None:
            await runner.answer_now(interaction, refused)
            return
    if isinstance(built, CommentRequest):
        await interaction.response.send_modal(CommentModal(built.question_id, named))
        return
    if isinstance(built, TeachRequest):
        await interaction.response.send_modal(LightningModal(built.lightning_id, named))
        return
    if isinstance(built, FormRequest):
        try:
            await open_form(interaction, built, named, bus=bus, runner=runner, since=since)
        except TimeoutError:  # what the form opens with could not be read in time
            await runner.answer_now(interaction, NOT_NOW)
        return
    if built is None:  # the template's shape, but an action this version does not have
        await runner.answer_now(interaction, OLDER_VERSION)
        return
    await runner.run(interaction, lambda _: built, thinking=False, named=named, since=since)
