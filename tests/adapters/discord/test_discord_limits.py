"""Discord's documented limits hold for what the bot builds, whatever people type: a 10,000-character
question, a long or invisible name, big numbers in custom ids. Discord refuses a payload past any
of them (400), so a card would never show and a form would never open."""

from __future__ import annotations

from typing import Any

import pytest
from discord_limits import message_problems, modal_problems

from adapters.discord import components as f
from adapters.discord.render import render_message
from bot.messages import Action, Bold, ChatMessage, Mention, UserText, text
from bot.refs import UserRef

GUILD = "1180000000000000001"
LONG_QUESTION = "How do I **really** fix this? " * 334  # 10,020 characters, half of them escaped


def guild_of(channel_id: int) -> int | None:
    return int(GUILD)


def body(message: ChatMessage) -> dict[str, Any]:
    """The message as discord.py sends it."""
    rendered = render_message(message, guild_of=guild_of)
    view = f.view_for(rendered.actions)
    return {
        "content": rendered.content,
        "embeds": [rendered.embed.to_dict()] if rendered.embed is not None else [],
        "components": view.to_components() if view is not None else [],
    }


def card(asker: str, *, number: int = 7) -> ChatMessage:
    mentor = UserRef("discord", "1180000000000000005")
    return ChatMessage(
        title=text(Bold(f"Question #{number}")),
        body=text(UserText(LONG_QUESTION)),
        fields=(
            ("Asked by", text(UserText(asker))),
            ("Suggested", text(Mention(mentor, asker))),
            ("Status", text("Open: waiting for a mentor")),
        ),
        actions=(
            Action("claim", number, "Claim", "primary", GUILD),
            Action("clarity:5", number, "5", "default", GUILD),
            Action("topic:interview questions for candidates", number, asker),
        ),
        footer=text("Tip for askers: say what you tried and what you expected."),
        kind="card",
    )


@pytest.mark.parametrize(
    "message",
    [
        pytest.param(card("N" * 200), id="200-character name"),
        pytest.param(card("🦊" * 200), id="emoji name"),
        pytest.param(card("\u200b\u200d\u2060" * 60), id="zero-width name"),
        pytest.param(card("alice", number=10**12), id="huge question number"),
        pytest.param(
            ChatMessage(
                title=text(Bold("Micromentor")),
                body=text(UserText(LONG_QUESTION)),
                fields=tuple((f"Field {i}", text(UserText("x" * 1500))) for i in range(30)),
                footer=text(UserText("f" * 3000)),
                kind="home",
            ),
            id="home view, every part too long",
        ),
        pytest.param(
            ChatMessage(
                body=text(UserText(LONG_QUESTION)),
                fields=(("Skills", text(UserText("pandas, " * 200))),),
            ),
            id="long notice with a field (embed fallback)",
        ),
    ],
)
def test_messages_stay_within_discords_limits(message: ChatMessage) -> None:
    assert message_problems(body(message)) == []


def test_a_full_embed_cuts_its_description_with_an_ellipsis_and_keeps_the_fields() -> None:
    fields = tuple((f"Field {i}", text(UserText("x" * 400))) for i in range(5))
    home = ChatMessage(body=text(UserText("y" * 5000)), fields=fields, kind="home")
    embed = body(home)["embeds"][0]
    assert len(embed["fields"]) == 5
    assert embed["description"].endswith("…")
    fields_size = sum(len(f["name"]) + len(f["value"]) for f in embed["fields"])
    assert len(embed["description"]) + fields_size == 6000  # all the room an embed has


@pytest.mark.parametrize(
    "modal",
    [
        pytest.param(f.AskModal(3, question="How do I rebase?", max_length=2000), id="[Edit]"),
        pytest.param(f.AskModal(0, question="", max_length=2000), id="home's [Ask]"),
        pytest.param(
            f.NewAskModal(question="q" * 6000, anonymous=True, stage="senior", max_length=2000),
            id="/askmentor with 6,000 characters",
        ),
        pytest.param(f.FaqModal(10**12, answer="a" * 1000, workspace=GUILD), id="FAQ"),
        pytest.param(f.FaqModal(1, answer="a" * 1200, workspace=GUILD), id="FAQ, longer"),
        pytest.param(f.CommentModal(10**12, GUILD), id="comment"),
        pytest.param(f.LightningModal(10**12, GUILD), id="teach"),
    ],
)
def test_forms_stay_within_discords_modal_limits(modal: Any) -> None:
    assert modal_problems(modal.to_dict()) == []


def test_a_question_longer_than_the_form_allows_opens_cut_with_an_ellipsis() -> None:
    modal = f.NewAskModal(question="q" * 6000, anonymous=False, stage=None, max_length=2000)
    assert modal.question.default == "q" * 1999 + "…"


def test_the_fake_refuses_what_discord_refuses_and_remembers_it() -> None:
    """The net under every Discord test: a payload outside the limits is answered as Discord
    answers it (400, Invalid Form Body) and recorded, so the test that sent it fails."""
    from discord_fake import FakeDiscord

    fake = FakeDiscord()
    channel = fake.mentoring_id
    assert fake._create_message(channel, {"content": "x" * 2000})[0] == 200
    status, answer = fake._create_message(channel, {"content": "x" * 2001, "nonce": "n" * 26})
    assert (status, answer["code"]) == (400, 50035)
    form = {"title": "t" * 46, "custom_id": "ask", "components": []}
    assert fake._callback("1", {"type": 9, "data": form}, token="t")[0] == 400
    assert fake.violations == [
        "message: content: 2001 > 2000; nonce over 25 characters",
        "modal: modal title: 46 not in 1..45; text inputs: 0 not in 1..5",
    ]
