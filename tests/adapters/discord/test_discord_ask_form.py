"""`/askmentor` with no text, or a long one, opens a form with a paragraph field (as Slack's
form does); the form's submission asks, with the command's other options kept."""

from __future__ import annotations

from typing import Any

import pytest
from discord_harness import Harness

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?\nI tried groupby('a')."
MODAL = 9
DEFERRED_WITH_THINKING = 5
EPHEMERAL = 64
PARAGRAPH = 2


def text_inputs(modal: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for row in modal["components"]:
        found += row.get("components") or [row.get("component")]
    return [c for c in found if c and c["type"] == 4]


async def opened_form(harness: Harness, options: list[dict[str, Any]]) -> dict[str, Any]:
    fake = harness.fake
    token = await fake.slash("alice", "askmentor", options)
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == MODAL
    modal: dict[str, Any] = callback.json()["data"]
    return modal


async def test_askmentor_without_text_opens_a_paragraph_form_whose_submission_asks(
    harness: Harness,
) -> None:
    fake = harness.fake
    modal = await opened_form(harness, [{"name": "anonymous", "type": 5, "value": True}])
    (field,) = text_inputs(modal)
    assert field["style"] == PARAGRAPH
    assert not field.get("value")
    before = len(fake.channel_messages(fake.mentoring_id))
    submit = await fake.submit_modal("alice", modal, QUESTION)
    (reply,) = await fake.followups(submit)
    assert "#1" in reply.json()["content"]
    await fake.wait_until(lambda: len(fake.channel_messages(fake.mentoring_id)) > before)
    card = fake.channel_messages(fake.mentoring_id)[-1]
    fields = {f["name"]: f["value"] for f in card["embeds"][0]["fields"]}
    assert fields["Asked by"] == "anonymous"  # the command's option came through the form
    assert "groupby('a')" in card["embeds"][0]["description"]


async def test_the_forms_submission_is_deferred_with_thinking_as_it_has_no_message(
    harness: Harness,
) -> None:
    # A form opened by a slash command comes back without a message; Discord's deferred
    # update (type 6) is "only valid for component-based interactions": the fake refuses it.
    fake = harness.fake
    modal = await opened_form(harness, [])
    submit = await fake.submit_modal("alice", modal, QUESTION)
    (reply,) = await fake.followups(submit)
    assert "#1" in reply.json()["content"]
    (callback,) = fake.interaction_callbacks(submit)
    assert callback.status == 200
    assert callback.json() == {"type": DEFERRED_WITH_THINKING, "data": {"flags": EPHEMERAL}}


async def test_a_long_question_opens_the_form_with_the_text_in_it(harness: Harness) -> None:
    long = "How do I make our nightly pandas job faster? " + "It reads many CSV files. " * 20
    modal = await opened_form(harness, [{"name": "question", "type": 3, "value": long}])
    (field,) = text_inputs(modal)
    assert field["style"] == PARAGRAPH and field["value"] == long.strip()


async def test_a_short_question_is_asked_at_once(harness: Harness) -> None:
    card = await harness.ask("alice", "How do I group a pandas DataFrame by two columns and sum?")
    assert card["embeds"][0]["title"] == "Question #1"


def test_the_question_option_is_optional_and_the_form_keeps_the_other_options() -> None:
    from adapters.discord.cog import MentoringCog
    from adapters.discord.components import ask_form_choices, ask_form_options

    question = next(p for p in MentoringCog.askmentor.parameters if p.name == "question")
    assert question.required is False
    for anonymous in (False, True):
        for stage in (None, "early", "senior", "executive"):
            number = ask_form_options(anonymous=anonymous, stage=stage)
            assert ask_form_choices(number) == (anonymous, stage)


@pytest.mark.parametrize("bot_settings", [{"ask": {"min_length": 40}}])
async def test_the_form_asks_discord_to_keep_it_open_until_the_question_is_long_enough(
    harness: Harness,
) -> None:
    # A submitted form can't stay open with an error: Discord's client holds it instead.
    modal = await opened_form(harness, [])
    (field,) = text_inputs(modal)
    assert field["min_length"] == 40  # [ask] min_length
    # Another client may not hold it: the bot still refuses a question too short.
    submit = await harness.fake.submit_modal("alice", modal, "How do I group by two cols?")
    (reply,) = await harness.fake.followups(submit)
    assert "#1" not in reply.json()["content"]


def test_every_ask_form_carries_the_least_length_and_opens_with_a_shorter_old_draft() -> None:
    from adapters.discord.components import AskModal, NewAskModal

    def least(modal: Any) -> int:
        (field,) = [c for row in modal.to_dict()["components"] for c in row["components"]]
        found: int = field["min_length"]
        return found

    assert least(NewAskModal(anonymous=False, stage=None, max_length=2000, min_length=40)) == 40
    assert least(AskModal(0, question="", max_length=2000, min_length=40)) == 40
    # A draft from before the limit was raised opens as it is (the bot says what to add).
    assert least(AskModal(1, question="Why is pandas slow?", max_length=2000, min_length=40)) == 19
    assert least(NewAskModal(anonymous=False, stage=None, max_length=30, min_length=40)) == 30
