"""The learning feature in Discord (the real discord.py bot against the fake): Save as FAQ and
[Update] open forms, [Edit] on a coached draft reopens the ask form with its text, `/askmentor`'s
stage option and `faq <words>`, and `/mentor stage`."""

from __future__ import annotations

from typing import Any

from discord_harness import Harness
from discord_helpers import actions, custom_ids

from adapters.discord.components import ask_form_options
from adapters.discord.translate import user_ref, workspace_ref
from bot.domain import Question
from bot.learning.model import DraftState, FaqEntry

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
VAGUE = "Can someone help me with pandas?"
ANSWER = 'Use df.groupby(["a", "b"])["c"].sum(): a Series indexed by both columns.'
MODAL = 9


def text_inputs(modal: dict[str, object]) -> list[dict[str, object]]:
    return [c for row in modal["components"] for c in row["components"]]  # type: ignore[attr-defined,index]


async def resolved(harness: Harness) -> dict[str, object]:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    intro = await harness.claim("bob", card)
    await fake.followups(await fake.click("alice", "mm:resolve:1", intro["id"]))
    return await harness.message_with("mm:faq:1")


async def test_save_as_faq_opens_a_form_whose_answer_is_saved(harness: Harness) -> None:
    fake = harness.fake
    prompt = await resolved(harness)
    assert "mm:clarity:5:1" in custom_ids(prompt)
    token = await fake.click("bob", "mm:faq:1", str(prompt["id"]))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == MODAL
    modal = callback.json()["data"]
    assert modal["custom_id"] == "mmform:faq:1"
    submit = await fake.submit_modal("bob", modal, ANSWER)
    (reply,) = await fake.followups(submit)
    assert "Saved as FAQ 1" in reply.json()["content"]
    token = await fake.slash(
        "carol", "askmentor", [{"name": "question", "type": 3, "value": "faq groupby"}]
    )
    (found,) = await fake.followups(token)
    assert "FAQ 1" in found.json()["content"]


async def still_accurate(harness: Harness) -> dict[str, Any]:
    """FAQ 1 saved by bob, and 90 days on the "still accurate?" DM asking him about it."""
    fake = harness.fake
    prompt = await resolved(harness)
    token = await fake.click("bob", "mm:faq:1", str(prompt["id"]))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    await fake.followups(await fake.submit_modal("bob", callback.json()["data"], ANSWER))
    harness.later(90 * 24 * 3600)
    return await harness.message_with("mm:faqupdate:1")


async def test_the_still_accurate_prompt_s_update_opens_the_faq_form_with_its_answer(
    harness: Harness,
) -> None:
    fake = harness.fake
    asked = await still_accurate(harness)
    assert actions(asked) == ["mm:faqok:1", "mm:faqupdate:1", "mm:faqretire:1"]
    assert all(c.endswith(f"@{fake.guild_id}") for c in custom_ids(asked))  # a DM's buttons
    # The fake takes clicks in guild channels only; where the button is doesn't matter here.
    asked["channel_id"] = fake.mentoring_id
    token = await fake.click("bob", custom_ids(asked)[1], str(asked["id"]))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    [answer] = text_inputs(callback.json()["data"])
    assert answer["value"] == ANSWER


async def test_update_on_a_dm_button_naming_no_server_updates_the_entry_s_own_server(
    harness: Harness,
) -> None:
    fake = harness.fake
    asked = await still_accurate(harness)
    for row in asked["components"]:  # as DM buttons were before they named their server
        for button in row["components"]:
            button["custom_id"] = button["custom_id"].split("@")[0]
    harness.adapter.runner.home_guild = int(fake.ids())  # another server, set up first
    token = await fake.click("bob", "mm:faqupdate:1", str(asked["id"]))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    modal = callback.json()["data"]
    assert modal["custom_id"] == f"mmform:faqup:1@{fake.guild_id}"  # [Update]: replaces
    better = ANSWER + " Add .reset_index() for a DataFrame."
    submit = await fake.submit_modal("bob", modal, better, channel_id=asked["channel_id"])
    (reply,) = await fake.followups(submit)
    assert "FAQ 1 is updated" in reply.json()["content"]


async def test_update_on_an_faq_entry_of_another_server_opens_no_form(harness: Harness) -> None:
    fake = harness.fake
    card = await harness.ask("alice", QUESTION)
    other = workspace_ref(fake.ids())  # another server's entry, under the same number
    async with harness.app.uow_factory() as uow:
        now = harness.app.clock.now()
        asker, author = user_ref(fake.ids()), user_ref(fake.ids())
        q = await uow.questions.add(Question(other, asker, QUESTION, now))
        assert q.id is not None
        entry = FaqEntry(other, q.id, author, QUESTION, "Their private answer.", now, now)
        assert (await uow.faq.add(entry)).id == 1
        await uow.commit()
    for custom_id in ("mm:faqupdate:1", f"mm:faqupdate:1@{fake.guild_id}"):
        button = {"type": 2, "style": 2, "label": "Update", "custom_id": custom_id}
        card["components"] = [{"type": 1, "components": [button]}]  # the click's message has it
        token = await fake.click("alice", custom_id, str(card["id"]))
        (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
        assert callback.json()["type"] != MODAL
        assert callback.json()["data"]["content"] == "That FAQ entry isn't in this workspace."


async def test_edit_on_a_coached_draft_reopens_the_ask_form_with_its_text(harness: Harness) -> None:
    fake = harness.fake
    token = await fake.slash(
        "alice",
        "askmentor",
        [
            {"name": "question", "type": 3, "value": VAGUE},
            {"name": "stage", "type": 3, "value": "senior"},
        ],
    )
    await fake.followups(token)
    preview = await harness.message_with("mm:edit:1")
    assert custom_ids(preview) == ["mm:post:1", "mm:edit:1"]
    preview["channel_id"] = fake.mentoring_id  # an ephemeral follow-up lives where /askmentor ran
    token = await fake.click("alice", "mm:edit:1", str(preview["id"]))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    modal = callback.json()["data"]
    # The draft's privacy, stage and server ride in the form's id: its submission reads
    # nothing first.
    options = ask_form_options(anonymous=False, stage="senior")
    assert callback.json()["type"] == MODAL
    assert modal["custom_id"] == f"mmform:ask:1:{options}@{fake.guild_id}"
    [question] = text_inputs(modal)
    assert question["value"] == VAGUE
    assert question["min_length"] == 15  # [ask] min_length: Discord holds a shorter one
    await fake.followups(await fake.submit_modal("alice", modal, QUESTION))
    await harness.message_with("mm:claim:1")
    async with harness.app.uow_factory() as uow:
        q = await uow.questions.get(1)
        draft = await uow.drafts.get(1)
    assert q is not None and (q.text, q.wanted_stage) == (QUESTION, "senior")
    assert draft is not None and draft.state is DraftState.EDITED


async def test_an_edit_form_submitted_after_post_as_is_posts_nothing(harness: Harness) -> None:
    fake = harness.fake
    await fake.followups(
        await fake.slash("alice", "askmentor", [{"name": "question", "type": 3, "value": VAGUE}])
    )
    preview = await harness.message_with("mm:edit:1")
    preview["channel_id"] = fake.mentoring_id  # an ephemeral follow-up lives where /askmentor ran
    token = await fake.click("alice", "mm:edit:1", str(preview["id"]))
    (callback,) = await fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    modal = callback.json()["data"]
    await fake.followups(await fake.click("alice", "mm:post:1", str(preview["id"])))
    await harness.message_with("mm:claim:1")
    (reply,) = await fake.followups(await fake.submit_modal("alice", modal, QUESTION))
    assert "That draft was already posted as it was, as #1" in reply.json()["content"]
    async with harness.app.uow_factory() as uow:
        assert await uow.questions.get(2) is None
        draft = await uow.drafts.get(1)
    assert draft is not None and draft.state is DraftState.POSTED


async def test_mentor_stage_sets_the_career_stage(harness: Harness) -> None:
    fake = harness.fake
    await fake.followups(
        await fake.slash(
            "bob",
            "mentor",
            [
                {
                    "name": "join",
                    "type": 1,
                    "options": [{"name": "skills", "type": 3, "value": "pandas"}],
                }
            ],
        )
    )
    token = await fake.slash(
        "bob",
        "mentor",
        [{"name": "stage", "type": 1, "options": [{"name": "stage", "type": 3, "value": "lead"}]}],
    )
    (reply,) = await fake.followups(token)
    assert "Career stage set to lead." in str(reply.json())
    async with harness.app.uow_factory() as uow:
        profiles = await uow.mentors.in_workspace((await uow.workspaces.all())[0].ref)
    assert [p.stage for p in profiles] == ["lead"]
