"""Persistent buttons (custom ids carry the question or lightning session, so they work after a
restart) and the comment and lightning modals; both hand the click to the interactions cog."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Protocol, Self, cast

import discord
from discord.ext import commands

from bot.learning.faq import MAX_ANSWER, MIN_ANSWER
from bot.matching.perspectives import STAGES
from bot.messages import Action

__all__ = [
    "COG_NAME",
    "ActionButton",
    "AskModal",
    "ButtonHandler",
    "CommentModal",
    "FaqModal",
    "LightningModal",
    "NewAskModal",
    "ask_form_choices",
    "ask_form_options",
    "ask_form_submission",
    "comment_form_submission",
    "form_submission",
    "lightning_form_submission",
    "view_for",
]

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
    template=(
        r"mm:(?P<action>[a-z]+(?::[1-5]|(?<=topic):[^:@]+)?):(?P<question>[0-9]+)"
        r"(?:@(?P<workspace>[0-9]+))?"
    ),
):
    """Any Micromentor button, e.g. ``mm:claim:12``, ``mm:rate:5:12``, ``mm:topic:git:12``, or
    ``mm:accept:12@<guild id>`` where it is sent by DM; discord.py matches clicks by the
    template."""

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
        action = Action(
            match["action"],
            int(match["question"]),
            label or match["action"],
            workspace=match["workspace"] or "",
        )
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


COMMENT_FORM = "mmform:comment:"
LIGHTNING_FORM = "mmform:lightning:"
FAQ_FORM = "mmform:faq:"
FAQ_UPDATE_FORM = "mmform:faqup:"  # [Update] of an entry: its answer replaces the one saved
ASK_FORM = "mmform:ask:"
NEW_ASK_FORM = "mmform:newask:"


def _form_values(data: Any, prefix: str) -> tuple[int, list[tuple[str, str]], str | None] | None:
    """A submitted form's number (after `prefix` in its custom id), its text inputs'
    (custom id, value) in order, and the workspace its id names (forms opened from a DM);
    None for another form. Read from the raw payload, not from a live Modal object, so a form
    opened before a restart is still taken after it."""
    custom_id = str((data or {}).get("custom_id", ""))
    number, _, named = custom_id[len(prefix) :].partition("@")
    if not custom_id.startswith(prefix) or not number.isdigit():
        return None
    values: list[tuple[str, str]] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == 4 and "value" in node:
                values.append((str(node.get("custom_id", "")), str(node["value"])))
            for child in (*node.get("components", ()), node.get("component")):
                walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(data.get("components", []))
    return int(number), values, named or None


def ask_form_submission(data: Any) -> tuple[int, int | None, str, str | None] | None:
    """A submitted ask form's (draft, options, text, workspace named): ``mmform:ask:<draft>:
    <options>`` (see :func:`ask_form_options`); options None from a form opened before they were
    carried. None for any other form."""
    custom_id = str((data or {}).get("custom_id", ""))
    head, at, named = custom_id.partition("@")
    draft, colon, options = head[len(ASK_FORM) :].partition(":")
    if not head.startswith(ASK_FORM) or (colon and not options.isdigit()):
        return None
    found = _form_values({**data, "custom_id": f"{ASK_FORM}{draft}{at}{named}"}, ASK_FORM)
    if found is None:
        return None
    text = "\n".join(value for _, value in found[1])
    return found[0], int(options) if colon else None, text, found[2]


def comment_form_submission(data: Any) -> tuple[int, str, str | None] | None:
    """A submitted comment form's (question id, text, workspace named); None for any other
    form."""
    found = _form_values(data, COMMENT_FORM)
    if found is None:
        return None
    return found[0], "\n".join(value for _, value in found[1]), found[2]


def lightning_form_submission(data: Any) -> tuple[int, str, str, str | None] | None:
    """A submitted "I'll teach it" form's (session id, title, start as typed, workspace named);
    None for any other form."""
    found = _form_values(data, LIGHTNING_FORM)
    if found is None:
        return None
    values = dict(found[1])
    return found[0], values.get("title", ""), values.get("when", ""), found[2]


def form_submission(data: Any, prefix: str) -> tuple[int, str, str | None] | None:
    """A submitted form's (number, text, workspace named) when its custom id is `prefix` + a
    number (the FAQ and ask forms); None for any other form."""
    found = _form_values(data, prefix)
    if found is None:
        return None
    return found[0], "\n".join(value for _, value in found[1]), found[2]


class CommentModal(discord.ui.Modal):
    """ "Add a comment" → a text box. Its submission is handled from the raw interaction by
    :func:`comment_form_submission` (so it survives a restart), not by this object."""

    comment: discord.ui.TextInput[Self] = discord.ui.TextInput(
        label="Your comment",
        style=discord.TextStyle.paragraph,
        max_length=1000,
        placeholder="What helped, what could be better?",
    )

    def __init__(self, question_id: int, workspace: str | None = None) -> None:
        at = f"@{workspace}" if workspace else ""
        super().__init__(
            title=f"Comment on question #{question_id}",
            custom_id=f"{COMMENT_FORM}{question_id}{at}",
        )
        self.question_id = question_id


class LightningModal(discord.ui.Modal):
    """ "I'll teach it" → a title and a start time (Discord has no date picker: typed, in the
    mentor's own timezone). Taken from the raw interaction by :func:`lightning_form_submission`."""

    talk: discord.ui.TextInput[Self] = discord.ui.TextInput(
        label="Title of your 15-minute session",
        custom_id="title",
        max_length=100,
        placeholder="groupby in 15 minutes",
    )
    when: discord.ui.TextInput[Self] = discord.ui.TextInput(
        label="Starts at (YYYY-MM-DD HH:MM)",
        custom_id="when",
        max_length=16,
        placeholder="2026-12-03 15:00 (your /mentor tz timezone, else UTC)",
    )

    def __init__(self, lightning_id: int, workspace: str | None = None) -> None:
        at = f"@{workspace}" if workspace else ""
        super().__init__(
            # The button's internal id: the form's title never shows it.
            title="Teach this lightning session",
            custom_id=f"{LIGHTNING_FORM}{lightning_id}{at}",
        )
        self.lightning_id = lightning_id


class FaqModal(discord.ui.Modal):
    """ "Save as FAQ" (or [Update] an entry: `update`) → the short answer. Handled from the raw
    interaction by :func:`form_submission` with `FAQ_FORM` (`FAQ_UPDATE_FORM`), like the
    comment form."""

    def __init__(
        self,
        question_id: int,
        *,
        answer: str = "",
        workspace: str | None = None,
        update: bool = False,
    ) -> None:
        at = f"@{workspace}" if workspace else ""
        prefix = FAQ_UPDATE_FORM if update else FAQ_FORM
        super().__init__(
            title=f"Save question #{question_id} as FAQ",
            custom_id=f"{prefix}{question_id}{at}",
        )
        self.answer: discord.ui.TextInput[Self] = discord.ui.TextInput(
            label="A short answer for the next person who asks",
            style=discord.TextStyle.paragraph,
            min_length=MIN_ANSWER,
            max_length=MAX_ANSWER,
            default=_prefilled(answer, MAX_ANSWER) or None,
        )
        self.add_item(self.answer)


def _prefilled(value: str, limit: int) -> str:
    """A text box's starting value within its `limit` (Discord refuses to open a form whose
    value is longer than the box allows): cut with an ellipsis, to be shortened there."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _least(min_length: int, value: str, limit: int) -> int:
    """An ask form's least length (``[ask] min_length``): Discord's own client keeps the form
    open until the question is that long, as a submitted form can't be kept open with an error
    (the bot still checks: another client may not). Never above the box's `limit`, nor above a
    shorter text it opens with (one from before the limit was raised), which the form keeps."""
    least = min(max(min_length, 1), limit)
    return min(least, len(value)) if value else least


def ask_form_options(*, anonymous: bool, stage: str | None) -> int:
    """The ask form's options as the number in its custom id (modals hold only text inputs):
    bit 0 anonymous, the rest the career stage's place in `STAGES` plus one (0: any)."""
    place = STAGES.index(stage) + 1 if stage in STAGES else 0
    return int(anonymous) + 2 * place


def ask_form_choices(number: int) -> tuple[bool, str | None]:
    """`ask_form_options` read back: (anonymous, stage)."""
    place = number // 2
    return bool(number & 1), STAGES[place - 1] if 0 < place <= len(STAGES) else None


class NewAskModal(discord.ui.Modal):
    """`/askmentor` with no text, or a long one: the question in a paragraph field (as the Slack
    form), the command's other options carried in the custom id (`NEW_ASK_FORM` + options)."""

    def __init__(
        self,
        *,
        question: str = "",
        anonymous: bool,
        stage: str | None,
        max_length: int,
        min_length: int = 1,
    ) -> None:
        options = ask_form_options(anonymous=anonymous, stage=stage)
        super().__init__(title="Ask a mentor", custom_id=f"{NEW_ASK_FORM}{options}")
        limit = min(max_length, 4000)
        value = _prefilled(question, limit)
        self.question: discord.ui.TextInput[Self] = discord.ui.TextInput(
            label="Your question",
            style=discord.TextStyle.paragraph,
            placeholder="What you want to know, what you tried and what you expected",
            min_length=_least(min_length, value, limit),
            max_length=limit,
            default=value or None,
        )
        self.add_item(self.question)


class AskModal(discord.ui.Modal):
    """[Edit] on a coached draft → the ask form again with its text (`ASK_FORM` + draft + the
    draft's options, so its submission needs no look-up before it is acknowledged, and
    ``@<guild id>`` when it names its server: a form opened from a DM has no other)."""

    def __init__(
        self,
        draft_id: int,
        *,
        question: str,
        max_length: int,
        anonymous: bool = False,
        stage: str | None = None,
        workspace: str | None = None,
        min_length: int = 1,
    ) -> None:
        # Draft 0: a new question (the home view's [Ask a question]).
        title = "Edit your question" if draft_id else "Ask a mentor"
        options = ask_form_options(anonymous=anonymous, stage=stage)
        at = f"@{workspace}" if workspace else ""
        super().__init__(title=title, custom_id=f"{ASK_FORM}{draft_id}:{options}{at}")
        limit = min(max_length, 4000)
        value = _prefilled(question, limit)
        self.question: discord.ui.TextInput[Self] = discord.ui.TextInput(
            label="Your question (what you tried and expected)",  # Discord: 45 characters
            style=discord.TextStyle.paragraph,
            min_length=_least(min_length, value, limit),
            max_length=limit,
            default=value,
        )
        self.add_item(self.question)
