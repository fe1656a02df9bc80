"""Pure rendering: escaping, pings only where intended, jump links, embeds and buttons."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from adapters.discord import render as r
from adapters.discord.translate import message_ref, thread_ref
from bot.messages import Action, Bold, ChatMessage, Jump, Mention, UserText, When, lines, text
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


def shown(markdown: str) -> str:
    """What Discord shows for escaped text: a backslash before a symbol shows the symbol."""
    return re.sub(r"\\([^0-9A-Za-z\s])", r"\1", markdown)


def live(markdown: str, symbol: str) -> bool:
    """Whether `symbol` appears without a backslash of its own (so Discord parses it)."""
    return re.search(r"(?<!\\)(?:\\\\)*" + re.escape(symbol), markdown) is not None


@pytest.mark.parametrize(
    "typed",
    [
        "see [docs](https://evil.example/login) please",
        "[a](http://x.y) then [Reset password](https://evil.example/login)",
        "[ [Reset password](https://evil.example/login)",
        "[x] [Reset](https://evil.example)",
        "look: [1] and [Reset](https://evil.example)",
        "[Reset](https://evil.example)\n[Two](https://evil2.example)",
        "[**bold** ||spoiler||](https://evil.example) (see `here`)",
        "https://ok.example/[Reset](https://evil.example)",
    ],
)
def test_user_text_cannot_make_a_masked_link(typed: str) -> None:
    # discord.py's escape_markdown escaped only a line's first "[", and nothing after it up to
    # the line's last ")": a second [label](url) stayed a live link with the sender's label.
    out = r.escape_user_text(typed)
    assert not live(out, "[")
    for symbol in "*|`":
        assert not live(out, symbol)
    if "https://ok" not in typed:
        assert shown(out) == typed  # still reads as typed


@pytest.mark.parametrize(
    "typed",
    [
        "at <t:0:R>",
        "run </mentor join:1180000000000000003>",
        "ask <id:customize>",
        "see <#1180000000000000002 >",
    ],
)
def test_user_text_cannot_make_discord_tags(typed: str) -> None:
    out = r.escape_user_text(typed)
    assert not live(out, "<")
    assert shown(out) == typed


@pytest.mark.parametrize(
    "typed",
    [
        "ask in <#1180000000000000002> too",
        "thanks <:blob_cat:1180000000000000004>",
        "yay <a:party_parrot:1180000000000000005>!",
    ],
)
def test_what_discord_writes_for_a_typed_channel_or_emoji_stays_as_it_is(typed: str) -> None:
    """Discord turns "#python-help" or an emoji picked in a command's option into these tags;
    neither pings, so they are shown as Discord shows them, not as tag text."""
    assert r.escape_user_text(typed) == typed


@pytest.mark.parametrize(
    ("typed", "symbol"),
    [
        ("intro\n1. first", "1."),
        ("intro\n  12. first", "12."),
        ("intro\n-# small print", "-"),
        ("intro\n# Heading", "#"),
        ("intro\n## Heading", "#"),
        ("  ### Heading", "#"),
        ("intro\n  > quoted", ">"),
        ("intro\n>>> quoted", ">"),
        ("intro\n- item", "-"),
    ],
)
def test_user_text_cannot_start_a_block_on_any_line(typed: str, symbol: str) -> None:
    out = r.escape_user_text(typed)
    last = out.split("\n")[-1].lstrip()
    assert not last.startswith(symbol)
    assert shown(out) == typed


def test_user_text_keeps_web_addresses_working() -> None:
    assert r.escape_user_text("https://example.com/a_b_c") == "https://example.com/a_b_c"
    # Brackets are percent-encoded: the same address, and no "[" to start a masked link.
    out = r.escape_user_text("see https://api.example/x?f[0]=1")
    assert out == "see https://api.example/x?f%5B0%5D=1"


def test_the_bots_own_text_keeps_its_discord_syntax() -> None:
    at = datetime(2026, 11, 29, 10, 0, tzinfo=UTC)
    out = r.render_text(text("1. Pick a skill\n", When(at, "x", True)), guild_of=guild_of)
    assert out == f"1. Pick a skill\n<t:{int(at.timestamp())}:f>"


def test_a_long_notice_ends_at_a_whole_line_and_says_how_many_more() -> None:
    skills = ", ".join(["python", "pandas", "sql", "docker", "kubernetes", "terraform"] * 8)
    rows = [text("• ", UserText(f"Mentor {i:02d}"), ": ", UserText(skills)) for i in range(50)]
    notice = ChatMessage(body=lines([text(Bold("Mentors")), *rows]))
    rendered = r.render_message(notice, guild_of=guild_of)
    assert rendered.embed is not None and rendered.embed.description is not None
    description = rendered.embed.description
    *listed, more = description.split("\n")
    assert len(description) <= r.DESCRIPTION_LIMIT
    assert all(line.endswith(", terraform") for line in listed[1:])  # none cut mid-word
    hidden = re.fullmatch(r"… and (\d+) more", more)
    assert hidden is not None and len(listed) - 1 + int(hidden[1]) == 50


def test_a_long_notice_of_one_line_is_still_cut_to_fit() -> None:
    rendered = r.render_message(ChatMessage(body=text("x" * 5000)), guild_of=guild_of)
    assert rendered.embed is not None and rendered.embed.description is not None
    assert rendered.embed.description == "x" * (r.DESCRIPTION_LIMIT - 1) + "…"
