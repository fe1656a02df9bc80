"""Pure rendering: escaping, pings only where intended, jump links, embeds and buttons."""

from __future__ import annotations

from adapters.discord import render as r
from adapters.discord.translate import message_ref, thread_ref
from bot.messages import Action, Bold, ChatMessage, Jump, Mention, UserText, text
from bot.refs import UserRef


def guild_of(channel_id: int) -> int | None:
    return 42


def test_user_text_cannot_ping_or_format() -> None:
    out = r.render_text(
        text(UserText("@everyone @here <@1180000000000000005> <@&1180000000000000009> **hi**")),
        guild_of=guild_of,
    )
    assert "@everyone" not in out and "@here" not in out
    assert "<@1180000000000000005>" not in out and "<@&1180000000000000009>" not in out
    assert "\\*\\*hi\\*\\*" in out


def test_mentions_become_pings_and_are_the_only_allowed_ones() -> None:
    bob = UserRef("discord", "1180000000000000005")
    message = ChatMessage(body=text("Hi ", Mention(bob, "bob"), ", see ", Bold("this")))
    rendered = r.render_message(message, guild_of=guild_of)
    assert rendered.content == "Hi <@1180000000000000005>, see **this**"
    allowed = rendered.allowed_mentions.to_dict()
    assert allowed["parse"] == [] and allowed["users"] == [1180000000000000005]


def test_jumps_become_discord_permalinks() -> None:
    to_message = r.render_text(text(Jump(message_ref(7, 8), "#3")), guild_of=guild_of)
    to_thread = r.render_text(text(Jump(thread_ref(9), "#4")), guild_of=guild_of)
    assert to_message == "[\\#3](https://discord.com/channels/42/7/8)"
    assert to_thread.endswith("(https://discord.com/channels/42/9)")


def test_cards_are_embeds_with_their_fields_and_actions() -> None:
    card = ChatMessage(
        title=text(Bold("Question #3")),
        body=text(UserText("How do I _really_ rebase?")),
        fields=(("Asked by", text(UserText("alice"))),),
        actions=(Action("claim", 3, "Claim", "primary"),),
        kind="card",
        question_id=3,
    )
    rendered = r.render_message(card, guild_of=guild_of)
    assert rendered.content is None
    assert rendered.embed is not None
    assert rendered.embed.title == "Question #3"  # embed titles are not Markdown
    assert rendered.embed.description == "How do I \\_really\\_ rebase?"
    assert [f.name for f in rendered.embed.fields] == ["Asked by"]
    assert [a.custom_id for a in rendered.actions] == ["mm:claim:3"]


def test_long_notices_fall_back_to_an_embed() -> None:
    rendered = r.render_message(ChatMessage(body=text("x" * 2500)), guild_of=guild_of)
    assert rendered.embed is not None and rendered.content is None
