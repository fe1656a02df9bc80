"""The forms a button opens before the first response: the empty ask form, Save as FAQ, [Update]
on an FAQ entry (its answer filled in) and [Edit] on a coached draft (the ask form with its text).
A form can't be deferred, so what it opens with is read from storage within Discord's 3 seconds
or not at all (:class:`TimeoutError`, which the caller answers); an entry or draft that is gone
or not the clicker's is answered instead of opened."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.components import AskModal, FaqModal
from adapters.discord.interactions import InteractionRunner
from adapters.discord.translate import FormRequest, user_ref, workspace_ref
from bot.learning.forms import draft_form, faq_form
from bot.messagebus import MessageBus

__all__ = ["open_form"]

Interaction = discord.Interaction[Any]


async def open_form(
    interaction: Interaction,
    form: FormRequest,
    named: str | None,
    *,
    bus: MessageBus,
    runner: InteractionRunner,
    since: float,
) -> None:
    """Save as FAQ, [Update] an FAQ entry (its answer filled in), or [Edit] a coached draft
    (the ask form with its text): read what is stored, then open the form at once. A form
    can't be deferred: a read that would miss Discord's 3 seconds raises TimeoutError."""
    uow_factory = runner.app.uow_factory
    if form.kind == "ask":  # the home view's [Ask a question]: an empty ask form
        ask = bus.config.ask
        # In a DM the server the home view was for is only in its button: the form names it.
        await interaction.response.send_modal(
            AskModal(
                0,
                question="",
                max_length=ask.max_length,
                min_length=ask.min_length,
                workspace=named,
            )
        )
        return
    if form.kind == "faq":
        await interaction.response.send_modal(FaqModal(form.n, workspace=named))
        return
    if form.kind == "faqupdate":
        # Only an entry of the clicker's server: where the click is, or the one its button
        # names (a DM's); a DM button naming none opens its own entry for its author only.
        here = interaction.guild_id or (int(named) if named and named.isdigit() else None)
        entry = await runner.in_time(
            faq_form(
                uow_factory,
                form.n,
                workspace=workspace_ref(here) if here else None,
                user=user_ref(interaction.user.id),
            ),
            since=since,
        )
        if isinstance(entry, str):
            await runner.answer_now(interaction, entry)
            return
        # The entry knows its server; a DM button from before DM buttons named theirs
        # does not, and the home server's guess would save over another question.
        await interaction.response.send_modal(
            FaqModal(
                entry.question_id, answer=entry.answer, workspace=entry.workspace.id, update=True
            )
        )
        return
    draft = await runner.in_time(
        draft_form(uow_factory, user_ref(interaction.user.id), form.n), since=since
    )
    if isinstance(draft, str):
        await runner.answer_now(interaction, draft)
        return
    ask = bus.config.ask
    await interaction.response.send_modal(
        AskModal(
            form.n,
            question=draft.text,
            max_length=ask.max_length,
            min_length=ask.min_length,
            anonymous=draft.anonymous,
            stage=draft.stage,
            workspace=draft.workspace.id,  # the draft's server, wherever [Edit] was clicked
        )
    )
