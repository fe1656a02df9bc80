"""Cutting to Slack's limits without breaking what is shown: a section cut never splits the
bot's own ``*bold*`` (or `` `code` ``), the fields give way to the text budget too, and a Home
tab Slack refuses is published again as its text."""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import pytest

from adapters.slack.render import ZWSP, blocks_for, text_only
from bot.messages import Action, Bold, ChatMessage, Text, UserText, text
from tests.adapters.slack.conftest import USERS, SlackHarness
from tests.adapters.slack.slack_limits import limit_problems

HELPFUL = "Most helpful in May (worth a thank-you): "


def _sections(msg: ChatMessage) -> list[str]:
    return [b["text"]["text"] for b in blocks_for(msg) if b["type"] == "section" and "text" in b]


def _bot_marks(s: str, mark: str = "*") -> int:
    """The formatting characters the bot wrote: user text's sit between zero-width spaces, or
    inside a word (``2*3``), where Slack never formats."""
    m = re.escape(mark)
    return len(re.findall(rf"(?<!{ZWSP}){m}(?!{ZWSP})", s)) - len(
        re.findall(rf"(?<=[^\W_]){m}(?=[^\W_])", s)
    )


def _assert_paired(pieces: list[str], mark: str = "*") -> None:
    for piece in pieces:
        assert _bot_marks(piece, mark) % 2 == 0, piece[-60:]
        assert not piece.startswith(" ")  # `* May…*`: Slack leaves it unbolded


@pytest.mark.parametrize(
    "before",
    [
        text("x" * 2980 + " "),  # a digest: the bold label lands on the 3,000 characters
        text("w " * 1490),
        # User asterisks (kept literal by zero-width spaces) ahead of the cut do not count.
        text(UserText("*stars* and 2*3 " + "w" * 2940), " "),
    ],
    ids=["digest", "words", "user-asterisks"],
)
def test_a_section_cut_never_splits_the_bots_bold(before: Text) -> None:
    msg = ChatMessage(body=text(before, Bold(HELPFUL), "alice, bob and carol"))
    pieces = _sections(msg)
    assert len(pieces) == 2
    _assert_paired(pieces)
    assert pieces[1] == "*Most helpful in May (worth a thank-you):* alice, bob and carol"


def test_a_bold_span_longer_than_a_section_is_closed_and_opened_again() -> None:
    msg = ChatMessage(body=text(Bold("word " * 700), "tail"))
    pieces = _sections(msg)
    assert len(pieces) == 2 and all(len(p) <= 3000 for p in pieces)
    _assert_paired(pieces)
    assert pieces[0].startswith("*word") and pieces[0].endswith("word*")
    assert pieces[1].startswith("*word") and pieces[1].endswith("word* tail")
    assert " ".join(pieces).replace("*", "").split() == ["word"] * 700 + ["tail"]


def test_a_cut_never_splits_the_bots_inline_code() -> None:
    msg = ChatMessage(body=text("x" * 2985 + " use `/mentor learn stop` to end the lessons"))
    pieces = _sections(msg)
    _assert_paired(pieces, "`")
    assert pieces[1].startswith("`/mentor learn stop` to end")


def test_a_field_or_text_cut_short_keeps_its_bold_whole() -> None:
    value = text("x" * 1500 + " ", Bold("b " * 400), "end")
    msg = ChatMessage(body=text("body"), fields=(("Top", value),))
    field = next(b for b in blocks_for(msg) if "fields" in b)["fields"][0]["text"]
    assert len(field) <= 2000 and field.endswith("…")
    assert _bot_marks(field) % 2 == 0
    long = ChatMessage(body=text("y" * 3900 + " ", Bold(HELPFUL), "alice"))
    said = text_only(long)
    assert len(said) <= 4000 and _bot_marks(said) % 2 == 0


def _text_in(blocks: list[dict[str, Any]]) -> int:
    """Every string a text object holds, as Slack counts a message's blocks."""
    total = 0
    for b in blocks:
        for obj in [b.get("text"), *b.get("fields", []), *b.get("elements", [])]:
            if isinstance(obj, dict):
                inner = obj.get("text")
                total += len(inner["text"] if isinstance(inner, dict) else inner or "")
    return total


def test_fields_beyond_the_text_budget_are_cut_from_the_end_and_said() -> None:
    """30 fields of 2,000 characters are ~60,000 characters: Slack refuses the message's blocks
    (msg_blocks_too_long). The last fields go, a last section says so, the buttons stay."""
    msg = ChatMessage(
        title=text(Bold("Mentors")),
        body=text("Who can help"),
        fields=tuple((f"Mentor {i}", text(UserText("skill " * 400))) for i in range(30)),
        actions=(Action("ask", 0, "Ask"),),
        footer=text("tip"),
    )
    blocks = blocks_for(msg)
    assert _text_in(blocks) <= 11_000
    assert not limit_problems(blocks, max_blocks=50)
    assert [b["type"] for b in blocks[-2:]] == ["context", "actions"]
    kept = [f["text"] for b in blocks if "fields" in b for f in b["fields"]]
    assert 0 < len(kept) < 30
    assert kept[0].startswith("*Mentor 0*")
    assert blocks[-3]["text"]["text"] == (
        f"… and {30 - len(kept) + 1} more parts, too long to show here"  # the body too
    )
    few = ChatMessage(body=text("b"), fields=(("Asked by", text("alice")),))
    assert blocks_for(few) == blocks_for(few, max_chars=None)  # a usual message: untouched


def _views(slack: SlackHarness) -> list[dict[str, Any]]:
    views = [c.params["view"] for c in slack.fake.to("views.publish")]
    return [json.loads(v) if isinstance(v, str) else v for v in views]


@pytest.mark.parametrize(
    "refusal",
    [
        {"error": "invalid_blocks"},
        {
            "error": "invalid_arguments",
            "response_metadata": {
                "messages": [
                    "[ERROR] must be less than 3001 characters "
                    "[json-pointer:/view/blocks/2/text/text]"
                ]
            },
        },
    ],
    ids=["invalid_blocks", "invalid_arguments"],
)
async def test_a_home_tab_slack_refuses_is_published_again_as_its_text(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, refusal: dict[str, Any]
) -> None:
    await slack.join("bob", "python, pandas")
    refused: list[dict[str, Any]] = []

    def refuse_once(params: dict[str, Any]) -> dict[str, Any]:
        if not refused:
            refused.append(params)
            return {"ok": False, **refusal}
        return {"view": {"id": "V0HOME001"}}

    monkeypatch.setattr(slack.fake, "_views_publish", refuse_once)
    await slack.event({"type": "app_home_opened", "user": USERS["bob"], "tab": "home"})
    views = await slack.fake.wait_for(
        lambda: _views(slack) if len(_views(slack)) >= 2 else None, what="the home as text"
    )
    full, plain = views[0], views[1]
    assert len(full["blocks"]) > 1
    assert plain["type"] == "home" and len(plain["blocks"]) == 1
    said = plain["blocks"][0]["text"]["text"]
    assert "*Micromentor*" in said and "*Your open questions*" in said
    assert not limit_problems(plain["blocks"], max_blocks=100)


async def test_a_home_tab_refused_for_another_reason_is_not_published_as_text(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    await slack.join("bob", "python, pandas")
    answered: list[dict[str, Any]] = []

    def refuse(params: dict[str, Any]) -> dict[str, Any]:
        answered.append(params)
        return {"ok": False, "error": "invalid_arguments"}  # no block named: not the blocks

    monkeypatch.setattr(slack.fake, "_views_publish", refuse)
    with caplog.at_level(logging.WARNING):
        await slack.event({"type": "app_home_opened", "user": USERS["bob"], "tab": "home"})
        await slack.fake.wait_for(
            lambda: any("failed on attempt 1" in r.getMessage() for r in caplog.records),
            what="the delivery failed (to be tried again later)",
        )
    assert len(answered) == 1  # the error is the outbox's to retry, with the whole home
    assert len(_views(slack)) == 1 and len(_views(slack)[0]["blocks"]) > 1
