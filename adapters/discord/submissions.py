"""Form (modal) submissions: the comment, lightning, FAQ, edited-draft and new-question forms,
told apart by their custom ids, each become a command for the bus; a form this version does not
know is answered with a pointer to the newest message. Each is acknowledged without a loading
state where Discord allows it (a form opened from a button's message); a form opened from a slash
command has no message, and shows "thinking…" until its answer (see the runner's acknowledgement). An edited draft's privacy and stage come
from its custom id, or (for a form opened by an earlier version) from the stored draft, read
within Discord's 3 seconds. The cog's ``on_interaction`` listener hands submissions here."""

from __future__ import annotations

from typing import Any

import discord

from adapters.discord.buttons import OLDER_VERSION
from adapters.discord.components import (
    FAQ_FORM,
    FAQ_UPDATE_FORM,
    NEW_ASK_FORM,
    ask_form_choices,
    ask_form_submission,
    comment_form_submission,
    form_submission,
    lightning_form_submission,
)
from adapters.discord.interactions import NOT_NOW, InteractionRunner
from adapters.discord.translate import ask_command, lightning_form_command, user_ref
from bot import commands as c
from bot.learning import commands as lc
from bot.learning.forms import draft_form

__all__ = ["take_submission"]

Interaction = discord.Interaction[Any]


async def take_submission(
    interaction: Interaction, *, runner: InteractionRunner, since: float
) -> None:
    """A submitted form: run the command it asks for."""
    submitted = comment_form_submission(interaction.data)
    if submitted is not None:
        await _comment(interaction, *submitted, runner=runner)
        return
    teaching = lightning_form_submission(interaction.data)
    if teaching is not None:
        lightning_id, title, when, named = teaching
        await runner.run(
            interaction,
            lambda a: lightning_form_command(a, lightning_id, title=title, when=when),
            thinking=False,
            named=named,
        )
        return
    saved = form_submission(interaction.data, FAQ_FORM)
    updated = form_submission(interaction.data, FAQ_UPDATE_FORM)
    faq = saved or updated
    if faq is not None:
        question_id, answer, named = faq
        await runner.run(
            interaction,
            lambda a: lc.SaveFaq(a, question_id, answer, replace=updated is not None),
            thinking=False,
            named=named,
        )
        return
    edited = ask_form_submission(interaction.data)
    if edited is not None:
        await _edited(interaction, *edited, runner=runner, since=since)
        return
    asked = form_submission(interaction.data, NEW_ASK_FORM)
    if asked is not None:
        options, text, named = asked
        anonymous, stage = ask_form_choices(options)
        await runner.run(
            interaction,
            lambda a: ask_command(a, text, anonymous=anonymous, stage=stage),
            thinking=False,
            named=named,
        )
        return
    await runner.answer_now(interaction, OLDER_VERSION)


async def _edited(
    interaction: Interaction,
    draft_id: int,
    options: int | None,
    question: str,
    named: str | None,
    *,
    runner: InteractionRunner,
    since: float,
) -> None:
    """The ask form reopened from [Edit]: ask again with the draft's privacy, stage and server,
    which its custom id carries (read from the draft only for a form opened before it did)."""
    if options is None:
        try:
            draft = await runner.in_time(
                draft_form(runner.app.uow_factory, user_ref(interaction.user.id), draft_id),
                since=since,
            )
        except TimeoutError:
            await runner.answer_now(interaction, NOT_NOW)
            return
        known = draft if not isinstance(draft, str) else None  # else the ask says what is wrong
        anonymous = known.anonymous if known is not None else False
        stage = known.stage if known is not None else None
        named = named or (known.workspace.id if known is not None else None)
    else:
        anonymous, stage = ask_form_choices(options)
    await runner.run(
        interaction,
        lambda a: c.AskQuestion(a, question, anonymous, stage=stage, draft_id=draft_id or None),
        thinking=False,
        named=named,
        since=since,
    )


async def _comment(
    interaction: Interaction,
    question_id: int,
    comment: str,
    named: str | None,
    *,
    runner: InteractionRunner,
) -> None:
    await runner.run(
        interaction,
        lambda a: c.CommentOnSession(a, question_id, comment),
        thinking=False,
        named=named,
    )
