"""The learning feature in Slack (real AsyncApp against the fake Web API): a coached draft's
[Edit] reopens the ask form with its text, Save as FAQ and [Update] open the FAQ form, the ask
form's career-stage select, the join form's stage and region, `/askmentor faq`, and a lesson's
quick-check button."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.translate import user_ref, workspace_ref
from bot.domain import Question
from bot.learning.model import DraftState, FaqEntry
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import TEAM_ID
from tests.adapters.slack.test_slack_flows import QUESTION, claimed, eventually, state_of

VAGUE = "Can someone help me with pandas?"
ANSWER = 'Use df.groupby(["a", "b"])["c"].sum(): a Series indexed by both columns.'


async def opened_view(slack: SlackHarness, callback_id: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        return next(
            (
                c.params["view"]
                for c in slack.fake.to("views.open")
                if c.params["view"]["callback_id"] == callback_id
            ),
            None,
        )

    view: dict[str, Any] = await slack.fake.wait_for(found, what=f"{callback_id} modal")
    return view


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return found


async def draft_state(slack: SlackHarness, draft_id: int) -> DraftState | None:
    async with slack.app.uow_factory() as uow:
        draft = await uow.drafts.get(draft_id)
    return draft.state if draft else None


async def test_edit_on_a_coached_draft_reopens_the_ask_form_with_its_text(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    await slack.command("alice", "/askmentor", f"--anonymous --senior {VAGUE}")
    [preview] = await slack.replies_to("alice", "Before I post it")
    assert "mm:post:1" in preview.text() and "mm:edit:1" in preview.text()
    await slack.click("alice", "mm:edit:1", channel=MENTORING, ts="1.000")
    view = await opened_view(slack, "mm_ask")
    assert block(view, "question")["element"]["initial_value"] == VAGUE
    assert block(view, "stage")["element"]["initial_option"]["value"] == "senior"
    assert block(view, "anonymous")["element"]["initial_options"][0]["value"] == "anonymous"
    assert json.loads(view["private_metadata"])["draft_id"] == 1
    values = {
        "question": {"value": {"type": "plain_text_input", "value": QUESTION}},
        "stage": {"value": {"type": "static_select", "selected_option": {"value": "senior"}}},
        "anonymous": {"value": {"type": "checkboxes", "selected_options": []}},
    }
    await slack.submit(
        "alice",
        {
            "callback_id": "mm_ask",
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    await slack.card_of(1)
    assert await eventually(lambda: _is(draft_state(slack, 1), DraftState.EDITED))
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get(1)
    assert q is not None and (q.text, q.wanted_stage, q.anonymous) == (QUESTION, "senior", False)


async def _is(value: Any, expected: Any) -> bool:
    return await value == expected


async def test_post_as_is_posts_the_draft(slack: SlackHarness) -> None:
    await slack.join("bob", "python, pandas")
    await slack.command("alice", "/askmentor", VAGUE)
    await slack.replies_to("alice", "Before I post it")
    await slack.click("alice", "mm:post:1", channel=MENTORING, ts="1.000")
    card = await slack.card_of(1)
    assert "Can someone help me with pandas" in card.text()


async def test_edit_on_a_draft_posted_already_says_so(slack: SlackHarness) -> None:
    await slack.command("alice", "/askmentor", VAGUE)
    await slack.replies_to("alice", "Before I post it")
    await slack.click("alice", "mm:post:1", channel=MENTORING, ts="1.000")
    await slack.card_of(1)
    await slack.click("alice", "mm:edit:1", channel=MENTORING, ts="1.000")
    await slack.replies_to("alice", "This draft was posted already.")
    assert slack.fake.to("views.open") == []


async def test_edit_on_a_draft_that_is_not_yours_says_so_as_post_does(
    slack: SlackHarness,
) -> None:
    await slack.click("alice", "mm:edit:7", channel=MENTORING, ts="1.000")
    await slack.replies_to("alice", "That draft isn't one of yours, or it's gone.")
    await slack.click("alice", "mm:post:7", channel=MENTORING, ts="1.000")
    await slack.replies_to("alice", "That draft isn't one of yours, or it's gone.", count=2)
    assert slack.fake.to("views.open") == []


async def test_an_edit_form_submitted_after_post_as_is_posts_nothing(slack: SlackHarness) -> None:
    await slack.join("bob", "python, pandas")
    await slack.command("alice", "/askmentor", VAGUE)
    await slack.replies_to("alice", "Before I post it")
    await slack.click("alice", "mm:edit:1", channel=MENTORING, ts="1.000")
    view = await opened_view(slack, "mm_ask")
    await slack.click("alice", "mm:post:1", channel=MENTORING, ts="1.000")
    await slack.card_of(1)
    values = {"question": {"value": {"type": "plain_text_input", "value": QUESTION}}}
    await slack.submit(
        "alice",
        {
            "callback_id": "mm_ask",
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    await slack.replies_to("alice", r"That draft was already posted as it was, as #1")
    assert await eventually(lambda: _is(draft_state(slack, 1), DraftState.POSTED))
    async with slack.app.uow_factory() as uow:
        assert await uow.questions.get(2) is None
    cards = [c for c in slack.fake.to("chat.postMessage", channel=MENTORING) if "#2" in c.text()]
    assert cards == []


async def test_save_as_faq_opens_a_form_whose_answer_is_saved_and_update_reopens_it(
    slack: SlackHarness,
) -> None:
    ts = await claimed(slack)
    await slack.click("alice", "mm:resolve:1", channel=MENTORING, ts=ts)
    assert await eventually(lambda: _is(state_of(slack, 1), "resolved"))
    await slack.click("bob", "mm:faq:1", channel=MENTORING, ts=ts)
    view = await opened_view(slack, "mm_faq")
    await slack.submit(
        "bob",
        {
            "callback_id": "mm_faq",
            "private_metadata": view["private_metadata"],
            "state": {"values": {"answer": {"value": {"value": ANSWER}}}},
        },
    )
    await slack.replies_to("bob", "Saved as FAQ 1")
    await slack.command("dave", "/askmentor", "faq groupby")
    await slack.replies_to("dave", "FAQ 1")
    slack.fake.calls.clear()
    await slack.click("bob", "mm:faqupdate:1", channel=MENTORING, ts=ts)
    again = await opened_view(slack, "mm_faq")
    assert block(again, "answer")["element"]["initial_value"] == ANSWER
    better = ANSWER + " Add .reset_index() for a DataFrame."
    await slack.submit(  # [Update]'s form replaces the answer ("Save as FAQ" would not)
        "bob",
        {
            "callback_id": "mm_faq",
            "private_metadata": again["private_metadata"],
            "state": {"values": {"answer": {"value": {"value": better}}}},
        },
    )
    await slack.replies_to("bob", "FAQ 1 is updated")


async def test_a_too_short_faq_answer_keeps_the_form_open_with_the_reason(
    slack: SlackHarness,
) -> None:
    """Spaces run together count once, as when it is saved: "a        b" is refused in the
    form, with the answer kept, rather than after the form closed."""
    ts = await claimed(slack)
    await slack.click("alice", "mm:resolve:1", channel=MENTORING, ts=ts)
    assert await eventually(lambda: _is(state_of(slack, 1), "resolved"))
    await slack.click("bob", "mm:faq:1", channel=MENTORING, ts=ts)
    view = await opened_view(slack, "mm_faq")
    response = await slack.submit(
        "bob",
        {
            "callback_id": "mm_faq",
            "private_metadata": view["private_metadata"],
            "state": {"values": {"answer": {"value": {"value": "a        b"}}}},
        },
    )
    body = json.loads(response.text)
    assert body["response_action"] == "errors"
    assert list(body["errors"]) == ["answer"]
    assert body["errors"]["answer"].startswith("Write the answer in a sentence or two")
    await slack.settled()
    async with slack.app.uow_factory(read_only=True) as uow:
        assert await uow.faq.for_question(1) is None


async def test_update_on_an_faq_entry_of_another_workspace_opens_no_form(
    slack: SlackHarness,
) -> None:
    other = workspace_ref("T0OTHER01")
    async with slack.app.uow_factory() as uow:
        now = slack.app.clock.now()
        asker, author = user_ref("U0OTHER01"), user_ref("U0OTHER02")
        q = await uow.questions.add(Question(other, asker, QUESTION, now))
        assert q.id is not None
        entry = FaqEntry(other, q.id, author, QUESTION, "Their private answer.", now, now)
        assert (await uow.faq.add(entry)).id == 1
        await uow.commit()
    await slack.click("alice", "mm:faqupdate:1", channel=MENTORING, ts="1.000")
    await slack.replies_to("alice", "That FAQ entry isn't in this workspace.")
    assert slack.fake.to("views.open") == []
    assert not any("Their private answer" in c.text() for c in slack.fake.calls)


async def test_the_join_form_takes_a_career_stage_and_a_region(slack: SlackHarness) -> None:
    await slack.command("bob", "/mentor", "join")
    view = await opened_view(slack, "mm_join")
    assert [o["value"] for o in block(view, "stage")["element"]["options"]] == [
        "any",
        "early",
        "mid",
        "senior",
        "lead",
        "executive",
    ]
    values = {
        "skills": {"value": {"value": "python"}},
        "hours": {"value": {"value": "Mon-Fri 08:00-16:00"}},
        "timezone": {"value": {"value": "Europe/Berlin"}},
        "stage": {"value": {"type": "static_select", "selected_option": {"value": "lead"}}},
        "region": {"value": {"value": "Europe"}},
    }
    await slack.submit(
        "bob",
        {
            "callback_id": "mm_join",
            "private_metadata": view["private_metadata"],
            "state": {"values": values},
        },
    )
    await slack.replies_to("bob", "Career stage")
    async with slack.app.uow_factory() as uow:
        profile = await uow.mentors.get(user_ref(USERS["bob"]), workspace_ref(TEAM_ID))
    assert profile is not None and (profile.stage, profile.region) == ("lead", "Europe")


class TestWithLessons:
    @pytest.fixture
    def slack_settings(self) -> dict[str, Any]:
        return {"learning": {"enabled": True}}

    async def test_a_new_mentor_gets_the_first_lesson_and_answers_its_quick_check(
        self, slack: SlackHarness
    ) -> None:
        await slack.command("bob", "/mentor", "join python")
        lesson = await slack.fake.wait_for(
            lambda: next(
                (
                    c
                    for c in slack.fake.to("chat.postMessage")
                    if "lesson 1 of 5" in c.text() and c.params.get("channel") != MENTORING
                ),
                None,
            ),
            what="lesson 1 by DM",
        )
        assert "mm:mentor:2:1" in lesson.text()
        await slack.click("bob", "mm:mentor:2:1", channel=str(lesson.params["channel"]), ts="1.000")
        await slack.replies_to("bob", "Right! The answer is")
