"""Trust boundaries through the real slack-bolt app against the fake Slack Web API (issue 10,
items 1–8 where Slack is involved): ids not names, anonymous cards that mention nobody, the flag
in every spelling, limits, hand-over and kudos that take only real mentions, cancel, hygiene."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from adapters.slack.translate import user_ref
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import Call

RAISE = "How should I negotiate a raise with my manager after a strong year of results?"
PANDAS = "How do I group a pandas DataFrame by two columns and sum one of them? I tried groupby."
EVE = "U0EVE0001"


@pytest.fixture
def slack_settings() -> dict[str, Any]:
    return {"ask": {"coaching": "off"}}


def buttons(call: Call) -> list[str]:
    blocks = call.params.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    return [e["action_id"] for b in blocks if b["type"] == "actions" for e in b["elements"]]


async def cards(slack: SlackHarness) -> list[Call]:
    await slack.settled()
    return [
        c for c in slack.fake.to("chat.postMessage", channel=MENTORING) if "Question #" in c.text()
    ]


async def anonymous_card(slack: SlackHarness, text: str = f"--anonymous {RAISE}") -> Call:
    await slack.join("bob", "negotiation, salary")
    await slack.join("carol", "negotiation")
    await slack.command("alice", "/askmentor", text)
    return await slack.card_of(1)


@pytest.fixture
async def eve(slack: SlackHarness) -> AsyncIterator[str]:
    """A member who renamed themselves "admin" (display name and real name)."""
    slack.fake.add_user(EVE, "admin")
    USERS["eve"] = EVE
    yield "eve"
    del USERS["eve"]


# --- 1. identity ----------------------------------------------------------------------------


async def test_renaming_yourself_admin_gives_no_admin_commands(
    slack: SlackHarness, eve: str
) -> None:
    await slack.command(eve, "/mentoradmin", "stats")
    await slack.replies_to(eve, "is for admins")
    await slack.command("root", "/mentoradmin", "stats")  # listed by id in [bot] admins
    await slack.replies_to("root", "Micromentor stats")
    assert not [c for c in slack.fake.calls if "Micromentor stats" in c.text()][1:]


async def test_a_workspace_admin_counts_as_admin(slack: SlackHarness) -> None:
    slack.fake.add_user(USERS["dave"], "dave", admin=True)
    await slack.command("dave", "/mentoradmin", "stats")
    await slack.replies_to("dave", "Micromentor stats")


# --- 2. anonymous questions -----------------------------------------------------------------


async def test_the_anonymous_card_mentions_nobody_and_suggested_mentors_hear_by_dm(
    slack: SlackHarness,
) -> None:
    card = await anonymous_card(slack)
    shown = card.text()
    assert "<@" not in shown and "alice" not in shown.lower() and "Suggested" not in shown
    for mentor in ("bob", "carol"):
        await slack.replies_to(mentor, r"asked anonymously \(#1\)")


async def test_a_non_mentor_cannot_claim_an_anonymous_question(
    slack: SlackHarness, eve: str
) -> None:
    await anonymous_card(slack)
    ts = slack.card_ts(1)
    await slack.click(eve, "mm:claim:1", channel=MENTORING, ts=ts)
    await slack.react(eve, MENTORING, ts)
    await slack.replies_to(eve, "only active mentors can claim it", count=2)
    await slack.settled()
    assert not slack.fake.to("chat.postMessage", thread_ts=ts)
    assert not slack.fake.to("conversations.open", users=f"{USERS['alice']},{EVE}")


async def test_who_released_cannot_claim_again_and_the_asker_is_told(slack: SlackHarness) -> None:
    await anonymous_card(slack)
    ts = slack.card_ts(1)
    await slack.click("bob", "mm:claim:1", channel=MENTORING, ts=ts)
    await slack.replies_to("bob", "You claimed #1")
    await slack.click("bob", "mm:release:1", channel=MENTORING, ts=ts)
    await slack.replies_to("alice", "back in the queue")
    await slack.click("bob", "mm:claim:1", channel=MENTORING, ts=ts)
    await slack.replies_to("bob", "has had a session with you already")


# --- 3. the flag ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"—anonymous {RAISE}",
        f"–anonymous {RAISE}",
        f"-a {RAISE}",
        f"--ANONYMOUS {RAISE}",
        f"{RAISE} --Anonymous",
        f"{RAISE} —anonymous",
    ],
)
async def test_every_spelling_of_the_flag_posts_anonymously(slack: SlackHarness, text: str) -> None:
    card = await anonymous_card(slack, text)
    assert "anonymous" in card.text()
    assert "alice" not in card.text().lower() and USERS["alice"] not in card.text()
    assert "-anonymous" not in card.text().lower() and "—" not in card.text()


async def test_the_ask_forms_anonymous_option_posts_anonymously(slack: SlackHarness) -> None:
    await slack.join("bob", "negotiation")
    await slack.command("alice", "/askmentor", "")
    [opened] = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="the form")
    view = opened.params["view"]
    values = {
        "question": {"value": {"type": "plain_text_input", "value": RAISE}},
        "anonymous": {
            "value": {"type": "checkboxes", "selected_options": [{"value": "anonymous"}]}
        },
    }
    state = {"values": values}
    await slack.submit(
        "alice",
        {"callback_id": "mm_ask", "private_metadata": view["private_metadata"], "state": state},
    )
    card = await slack.card_of(1)
    assert "anonymous" in card.text() and "<@" not in card.text()
    assert "alice" not in card.text().lower() and USERS["alice"] not in card.text()


async def test_a_dash_word_typo_is_refused_and_nothing_is_posted(slack: SlackHarness) -> None:
    await slack.command("alice", "/askmentor", f"--anonymus {RAISE}")
    await slack.replies_to("alice", "Did you mean `--anonymous`\\?.*Nothing was posted")
    assert await cards(slack) == []


# --- 5. limits ------------------------------------------------------------------------------

QUESTIONS = [
    "How do I read a large CSV file in pandas without running out of memory on my laptop?",
    "How do I write unit tests for a python function that calls an external HTTP API?",
    "How do I profile a slow python script to find which function takes the most time?",
    "How do I package a python library with pyproject.toml and publish it to our registry?",
    "How do I set up a python virtual environment on Windows for a new data project?",
    "How do I choose between threads and asyncio in python for a network crawler I wrote?",
]


async def test_a_sixth_ask_in_ten_minutes_is_refused_kindly(slack: SlackHarness) -> None:
    for q in QUESTIONS:
        await slack.command("alice", "/askmentor", q)
    await slack.replies_to("alice", "You've asked 5 questions in the last 10 minutes")
    assert len(await cards(slack)) == 5


async def test_a_near_duplicate_points_to_the_open_question(slack: SlackHarness) -> None:
    await slack.command("alice", "/askmentor", PANDAS)
    await slack.card_of(1)
    await slack.command("alice", "/askmentor", PANDAS.lower())
    await slack.replies_to("alice", "You already asked this as #1")
    assert len(await cards(slack)) == 1


# --- 6. hand-over ---------------------------------------------------------------------------


async def claimed_by_bob(slack: SlackHarness) -> None:
    await slack.join("bob", "python, pandas")
    await slack.join("carol", "python, pandas")
    await slack.command("alice", "/askmentor", PANDAS)
    await slack.card_of(1)
    await slack.click("bob", "mm:claim:1", channel=MENTORING, ts=slack.card_ts(1))
    await slack.replies_to("bob", "You claimed #1")


async def test_a_typed_mention_is_not_a_mention_and_its_name_is_not_stored(
    slack: SlackHarness,
) -> None:
    await claimed_by_bob(slack)
    # What Slack sends for text typed to look like a mention: escaped.
    await slack.command("bob", "/mentor", f"handover 1 &lt;@{USERS['carol']}|Any Name&gt;")
    await slack.replies_to("bob", "Hand a session over like")
    await slack.settled()
    assert not [c for c in slack.fake.calls if "take over" in c.text()]
    async with slack.app.uow_factory(read_only=True) as uow:
        carol = await uow.people.get(user_ref(USERS["carol"]))
    assert carol is not None and carol.name != "Any Name"


@pytest.mark.parametrize(("target", "told"), [("dave", "isn't one"), ("alice", "own question")])
async def test_a_hand_over_to_a_non_mentor_or_the_asker_is_refused(
    slack: SlackHarness, target: str, told: str
) -> None:
    await claimed_by_bob(slack)
    await slack.command("bob", "/mentor", f"handover 1 <@{USERS[target]}|{target}>")
    await slack.replies_to("bob", told)
    await slack.settled()
    assert not [c for c in slack.fake.calls if "take over" in c.text()]


@pytest.mark.parametrize("typed", ["&lt;@U0DAVE001|admin&gt;", "&lt;@U0DAVE001&gt;"])
async def test_a_typed_mention_in_kudos_names_nobody_and_stores_no_name(
    slack: SlackHarness, typed: str
) -> None:
    await slack.command("alice", "/kudos", f"{typed} for untangling my pandas groupby")
    await slack.replies_to("alice", "Thank someone: `/kudos @name")
    await slack.settled()
    assert not [c for c in slack.fake.calls if "Kudos to" in c.text()]
    async with slack.app.uow_factory(read_only=True) as uow:
        assert await uow.people.get(user_ref(USERS["dave"])) is None


async def test_a_real_mention_in_kudos_thanks_that_person(slack: SlackHarness) -> None:
    await slack.command("alice", "/kudos", f"<@{USERS['dave']}|dave> for untangling my groupby")
    await slack.replies_to("alice", "Thanks sent to dave")
    await slack.fake.wait_for(
        lambda: [c for c in slack.fake.calls if f"Kudos to <@{USERS['dave']}>" in c.text()],
        what="the kudos in the channel",
    )


# --- 7. cancel ------------------------------------------------------------------------------


async def test_the_asker_cancels_with_the_button_on_the_confirmation(slack: SlackHarness) -> None:
    await slack.command("alice", "/askmentor", PANDAS)
    [confirmation] = await slack.replies_to("alice", "your question is #1")
    [cancel] = [b for b in buttons(confirmation) if b.startswith("mm:cancel:1")]
    await slack.card_of(1)
    await slack.click("alice", cancel, channel=MENTORING, ts=slack.card_ts(1))
    await slack.replies_to("alice", "#1 is cancelled")
    await slack.fake.wait_for(
        lambda: [c for c in slack.fake.to("chat.update") if "Cancelled by the asker" in c.text()],
        what="the card marked cancelled",
    )


async def test_the_asker_cancels_with_the_command_and_no_one_else_can(
    slack: SlackHarness,
) -> None:
    await slack.command("alice", "/askmentor", PANDAS)
    card = await slack.card_of(1)
    assert any(b.startswith("mm:cancel:1") for b in buttons(card))
    await slack.command("bob", "/askmentor", "cancel 1")
    await slack.replies_to("bob", "#1")
    await slack.command("alice", "/askmentor", "cancel 1")
    await slack.replies_to("alice", "#1 is cancelled")
    assert len([c for c in slack.fake.calls if "is cancelled" in c.text()]) == 1


# --- 8. hygiene -----------------------------------------------------------------------------


async def test_a_zero_width_question_is_refused_and_posts_nothing(slack: SlackHarness) -> None:
    await slack.command("alice", "/askmentor", "\u200b\u200c\u200d\u2060\ufeff" * 10)
    await slack.replies_to("alice", "Please write your question")
    assert await cards(slack) == []


async def test_an_rtl_override_is_stripped_from_the_card(slack: SlackHarness) -> None:
    await slack.command("alice", "/askmentor", f"\u202e{PANDAS}\u202c")
    card = await slack.card_of(1)
    assert not re.search(
        "[\u202a-\u202e\u2066-\u2069]", json.dumps(card.params, ensure_ascii=False)
    )
