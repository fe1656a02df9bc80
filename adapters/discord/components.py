"""Persistent buttons (custom ids carry the question, so they work after a restart) and the
comment modal; both hand the click to the interactions cog."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, Protocol, Self, cast

import discord
from discord.ext import commands

from bot.messages import Action

__all__ = ["COG_NAME", "ActionButton", "ButtonHandler", "CommentModal", "view_for"]

COG_NAME = "Micromentor"

_STYLES = {
    "primary": discord.ButtonStyle.primary,
    "danger": discord.ButtonStyle.danger,
    "success": discord.ButtonStyle.success,
}


class ButtonHandler(Protocol):
    async def on_action_button(
        self, interaction: discord.Interaction[Any], custom_id: str
    ) -> None: ...


def _handler(interaction: discord.Interaction[Any]) -> ButtonHandler:
    client = interaction.client
    cog = client.get_cog(COG_NAME) if isinstance(client, commands.Bot) else None
    if cog is None:
        raise RuntimeError("the Micromentor cog is not loaded")
    return cast(ButtonHandler, cog)


class ActionButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"mm:(?P<action>[a-z]+(?::[1-5])?):(?P<question>[0-9]+)",
):
    """Any Micromentor button, e.g. ``mm:claim:12``; discord.py matches clicks by the template."""

    def __init__(self, action: Action, *, row: int | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=action.label[:80],
                custom_id=action.custom_id,
                style=_STYLES.get(action.style, discord.ButtonStyle.secondary),
                row=row,
            )
        )

    @classmethod
    async def from_custom_id(
        cls,
        interaction: discord.Interaction[Any],
        item: discord.ui.Item[Any],
        match: re.Match[str],
        /,
    ) -> Self:
        label = item.label if isinstance(item, discord.ui.Button) else None
        action = Action(match["action"], int(match["question"]), label or match["action"])
        return cls(action)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        custom_id = self.item.custom_id or ""
        await _handler(interaction).on_action_button(interaction, custom_id)


def view_for(actions: Sequence[Action]) -> discord.ui.View | None:
    """A view without timeout holding one persistent button per action, five to a row."""
    if not actions:
        return None
    view = discord.ui.View(timeout=None)
    for i, action in enumerate(actions[:25]):
        view.add_item(ActionButton(action, row=i // 5))
    return view


SubmitComment = Callable[[discord.Interaction[Any], int, str], Awaitable[None]]


class CommentModal(discord.ui.Modal):
    """ "Add a comment" → a text box → CommentOnSession."""

    comment: discord.ui.TextInput[Self] = discord.ui.TextInput(
        label="Your comment",
        style=discord.TextStyle.paragraph,
        max_length=1000,
        placeholder="What helped, what could be better?",
    )

    def __init__(self, question_id: int, submit: SubmitComment) -> None:
        super().__init__(
            title=f"Comment on question #{question_id}", custom_id=f"mmform:comment:{question_id}"
        )
        self.question_id = question_id
        self._submit = submit

    async def on_submit(self, interaction: discord.Interaction[Any], /) -> None:
        await self._submit(interaction, self.question_id, self.comment.value)
