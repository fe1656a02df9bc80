"""render.py: Block Kit output, escaping of user text, permalinks (pure)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from adapters.slack.render import (
    ZWSP,
    ask_modal,
    blocks_for,
    comment_modal,
    escape_user_text,
    fallback_text,
    faq_modal,
    home_view,
    join_modal,
    lightning_modal,
    permalink_for,
    render_text,
)
from adapters.slack.translate import quoted_for_ask
from bot.hours import known_timezones
from bot.learning.faq import MAX_ANSWER
from bot.mentors.career import MAX_REGION
from bot.mentors.profile import ABOUT_MAX
from bot.messages import (
    Action,
    Attachment,
    Bold,
    ChatMessage,
    Jump,
    Link,
    Mention,
    Plain,
    UserText,
    text,
)
from bot.refs import MessageRef, ThreadRef, UserRef
from tests.adapters.slack.slack_limits import limit_problems

URL = "https://fake-team.slack.com/"


@pytest.mark.parametrize(
    "raw",
    [
        "<!channel>",
        "<!here>",
        "<!everyone>",
        "<@U0ROOT001>",
        "<!subteam^S1>",
        "<#C0GENERAL|general>",
        "<https://evil|ok>",
    ],
)
def test_user_text_cannot_produce_control_sequences(raw: str) -> None:
    out = escape_user_text(f"hey {raw} there")
    assert "<" not in out and ">" not in out
    assert "&lt;" in out


@pytest.mark.parametrize("word", ["@here", "@channel", "@everyone", "@HERE"])
def test_bare_broadcast_words_are_neutralised(word: str) -> None:
    assert word not in escape_user_text(f"ping {word} now")


def test_user_text_cannot_start_formatting_or_quotes() -> None:
    out = escape_user_text("> quoted\n*bold* _it_ ~s~ `code`")
    assert not out.startswith("&gt;")
    assert "*bold*" not in out and "`code`" not in out and "_it_" not in out


def test_mentions_are_the_only_pings() -> None:
    t = text(
        Mention(UserRef("slack", "U0BOB0001"), "bob"), " meet ", UserText("<@U0EVIL>"), Bold("now")
    )
    assert render_text(t) == "<@U0BOB0001> meet &lt;@U0EVIL&gt;*now*"


def test_links_and_jumps_become_slack_links() -> None:
    link = partial_permalink()
    t = text(
        Link("https://example.com/a|b", "docs <x>"),
        " ",
        Jump(MessageRef("slack", "C1:1700000000.000100"), "#3"),
    )
    out = render_text(t, permalink=link)
    assert "<https://example.com/a%7Cb|docs &lt;x&gt;>" in out
    assert "<https://fake-team.slack.com/archives/C1/p1700000000000100|#3>" in out


def partial_permalink():  # type: ignore[no-untyped-def]
    return lambda ref: permalink_for(ref, workspace_url=URL)


def test_group_dm_permalink_points_at_the_conversation() -> None:
    assert (
        permalink_for(ThreadRef("slack", "G0GROUP01"), workspace_url=URL)
        == f"{URL}archives/G0GROUP01"
    )
    assert permalink_for(ThreadRef("discord", "1"), workspace_url=URL) is None


def test_card_blocks_have_fields_footer_and_buttons() -> None:
    msg = ChatMessage(
        title=text(Bold("Question #3")),
        body=text(UserText("Why?")),
        fields=(("Asked by", text(UserText("alice"))),),
        actions=(Action("claim", 3, "Claim", "primary"), Action("notmine", 3, "Not my area")),
        footer=text("tip"),
        kind="card",
        question_id=3,
    )
    blocks = blocks_for(msg)
    kinds = [b["type"] for b in blocks]
    assert kinds == ["section", "section", "section", "context", "actions"]
    buttons = blocks[-1]["elements"]
    assert buttons[0]["action_id"] == "mm:claim:3" and buttons[0]["style"] == "primary"
    assert "style" not in buttons[1]
    assert fallback_text(msg).startswith("*Question #3*")


def test_an_updated_card_gets_a_new_block_id_for_its_buttons() -> None:
    """Slack: "If a message is updated, use a new block_id" (the actions block's reference);
    the same content renders the same id, so a delivery tried again sends the same blocks."""

    def card(status: str, *actions: Action) -> ChatMessage:
        return ChatMessage(
            title=text(Bold("Question #3")),
            body=text(UserText("Why?")),
            fields=(("Status", text(status)),),
            actions=actions,
            kind="card",
            question_id=3,
        )

    def block_id(msg: ChatMessage) -> str:
        return next(b["block_id"] for b in blocks_for(msg) if b["type"] == "actions")

    waiting = card("waiting", Action("claim", 3, "Claim", "primary"))
    claimed = card("claimed by bob", Action("release", 3, "Release"))
    assert block_id(waiting) == block_id(card("waiting", Action("claim", 3, "Claim", "primary")))
    assert block_id(waiting) != block_id(claimed)
    assert block_id(waiting) != block_id(card("claimed by bob", Action("claim", 3, "Claim")))
    assert all(block_id(m).startswith("mm:3:card:") for m in (waiting, claimed))
    assert len(block_id(claimed)) <= 255


def test_long_bodies_are_split_into_sections_under_the_limit() -> None:
    msg = ChatMessage(body=text(UserText("word & " * 1500)))
    blocks = blocks_for(msg)
    assert len(blocks) > 1
    assert all(len(b["text"]["text"]) <= 3000 for b in blocks)
    joined = "".join(b["text"]["text"] for b in blocks)
    assert "&amp" in joined and "&am\n" not in joined


def _sections(n: int) -> str:
    """A body that renders as `n` sections (one line of 2,000 characters each)."""
    return "\n".join(f"part {i} " + "x" * 1990 for i in range(n))


def test_a_body_too_long_for_one_message_keeps_its_footer_and_buttons() -> None:
    # Slack refuses more than 50 blocks in a message: the body is cut, never the buttons.
    # (Counted in blocks only here; a message's text budget is tested below.)
    msg = ChatMessage(
        title=text(Bold("Question #3")),
        body=text(_sections(60)),
        fields=(("Asked by", text(UserText("alice"))),),
        actions=(Action("claim", 3, "Claim", "primary"), Action("resolve", 3, "Resolve")),
        footer=text("tip"),
        kind="card",
        question_id=3,
    )
    blocks = blocks_for(msg, max_chars=None)
    assert len(blocks) == 50
    assert not limit_problems(blocks, max_blocks=50)
    assert [b["type"] for b in blocks[-2:]] == ["context", "actions"]
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["mm:claim:3", "mm:resolve:3"]
    assert blocks[0]["text"]["text"] == "*Question #3*"
    assert blocks[-3]["fields"][0]["text"].startswith("*Asked by*")
    # 50 blocks: title, 45 parts of the body, "… and 15 more", the field, footer, buttons.
    assert blocks[-4]["text"]["text"] == "… and 15 more parts, too long to show here"
    assert blocks[45]["text"]["text"].startswith("part 44 ")


def test_the_home_tab_holds_up_to_100_blocks() -> None:
    msg = ChatMessage(body=text(_sections(98)), actions=(Action("ask", 0, "Ask"),))
    blocks = home_view(msg)["blocks"]
    assert len(blocks) == 99 and blocks[-1]["type"] == "actions"
    longer = home_view(ChatMessage(body=text(_sections(150)), actions=(Action("ask", 0, "Ask"),)))
    blocks = longer["blocks"]
    assert len(blocks) == 100 and blocks[-1]["type"] == "actions"
    assert not limit_problems(blocks, max_blocks=100)
    assert blocks[-2]["text"]["text"] == "… and 52 more parts, too long to show here"


def test_plain_bot_text_keeps_backticks() -> None:
    assert render_text(text(Plain("use `/mentor join`"))) == "use `/mentor join`"
    assert json.dumps(blocks_for(ChatMessage(body=text("a < b")))).count("&lt;") == 1


def test_bold_labels_keep_their_spaces_outside_the_asterisks() -> None:
    # Slack leaves `*Question: *` unbolded, asterisks showing; `*Question:* ` is bold.
    assert render_text(text(Bold("Question: "), "why?")) == "*Question:* why?"
    assert render_text(text("a", Bold(" b "), "c")) == "a *b* c"


def test_code_inside_words_is_left_as_typed_so_it_copies_back_out() -> None:
    typed = "df.group_by(my_col) then a*b and snake_case_name"
    assert escape_user_text(typed) == typed


def test_the_fallback_text_is_never_cut_inside_an_entity() -> None:
    msg = ChatMessage(body=text(UserText("a" + "&" * 2999)))
    fallback = fallback_text(msg)
    assert len(fallback) <= 3000
    assert fallback.endswith("&amp;…")


def test_the_fallback_text_names_the_mentors_a_card_suggests_so_they_are_notified() -> None:
    bob, carol = UserRef("slack", "U0BOB0001"), UserRef("slack", "U0CAROL01")
    msg = ChatMessage(
        title=text(Bold("Question #3")),
        body=text(UserText("How do I rebase?")),
        fields=(("Suggested", text(Mention(bob, "bob"), ", ", Mention(carol, "carol"))),),
    )
    assert fallback_text(msg).endswith("<@U0BOB0001>, <@U0CAROL01>")


def test_a_long_card_still_pings_the_mentors_it_suggests() -> None:
    # A question of some 2000 characters full of `&` and `*` renders to over 3000 of mrkdwn.
    bob = UserRef("slack", "U0BOB0001")
    msg = ChatMessage(
        title=text(Bold("Question #3")),
        body=text(UserText("pandas & *merge* " * 120)),
        fields=(("Suggested", text(Mention(bob, "bob"))),),
    )
    fallback = fallback_text(msg)
    assert fallback.endswith("…\n<@U0BOB0001>")
    assert fallback.startswith("*Question #3*\npandas &amp;")
    assert len(fallback) <= 40_000


@pytest.mark.parametrize(
    "modal",
    [
        ask_modal({}, allow_anonymous=True, max_length=2000),
        join_modal({}, hours="Mon-Fri 09-17", timezone="Europe/Berlin"),
        faq_modal({}, question_id=123456),
        comment_modal({}, question_id=123456),
        lightning_modal({}, lightning_id=123456),
    ],
    ids=lambda m: m["callback_id"],
)
def test_every_form_title_and_button_fits_slacks_24_characters(modal: dict[str, Any]) -> None:
    for key in ("title", "submit", "close"):
        shown = modal[key]["text"]
        assert 0 < len(shown) <= 24, (key, shown)


def _text_inputs(modal: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {
        b["block_id"]: b["element"]
        for b in modal["blocks"]
        if b["type"] == "input" and b["element"]["type"] == "plain_text_input"
    }


@pytest.mark.parametrize(
    ("modal", "limits"),
    [
        (ask_modal({}, allow_anonymous=True, max_length=700), {"question": 700}),
        (
            join_modal({}, hours="Mon-Fri 09:00-17:00", timezone=None),
            {
                "skills": 3000,
                "hours": 3000,
                "timezone": max(len(z) for z in known_timezones()),
                "about": ABOUT_MAX,
                "region": MAX_REGION,
            },
        ),
        (faq_modal({}, question_id=7), {"answer": MAX_ANSWER}),
        (comment_modal({}, question_id=7), {"comment": 1000}),
        (lightning_modal({}, lightning_id=7), {"title": 100}),
    ],
    ids=lambda m: m["callback_id"] if "callback_id" in m else "",
)
def test_every_text_input_stops_typing_where_the_core_would_refuse_or_cut(
    modal: dict[str, Any], limits: dict[str, int]
) -> None:
    found = {block: element.get("max_length") for block, element in _text_inputs(modal).items()}
    assert found == limits


def test_a_question_limit_over_slacks_3000_is_held_at_3000_and_the_start_text_fits() -> None:
    modal = ask_modal({}, allow_anonymous=False, max_length=5000, initial="x" * 4000)
    question = _text_inputs(modal)["question"]
    assert question["max_length"] == 3000
    assert len(question["initial_value"]) <= 3000


def test_a_quoted_message_leaves_room_under_a_short_question_limit() -> None:
    quoted = quoted_for_ask("word " * 400, max_length=500)
    assert len(quoted) < 500


def test_input_labels_are_shown_whole_not_cut_at_a_buttons_75_characters() -> None:
    modal = join_modal({}, hours="Mon-Fri 09-17", timezone=None, slack_timezone="Europe/Berlin")
    labels = [b["label"]["text"] for b in modal["blocks"] if b["type"] == "input"]
    assert any(len(label) > 75 for label in labels), labels  # the timezone's explanation
    assert not any(label.endswith("…") for label in labels), labels


def test_form_metadata_over_slacks_limit_drops_the_response_url_and_stays_valid_json() -> None:
    meta = {
        "channel": "C1",
        "question_id": 7,
        "response_url": "https://hooks.slack.com/" + "x" * 3000,
    }
    stored = json.loads(comment_modal(meta, question_id=7)["private_metadata"])
    assert stored == {"channel": "C1", "question_id": 7}
    short = {**meta, "response_url": "https://hooks.slack.com/actions/T1/1/abc"}
    assert json.loads(comment_modal(short, question_id=7)["private_metadata"]) == short


def test_a_very_long_title_is_cut_with_an_ellipsis_under_the_section_limit() -> None:
    name = "Tom & <!channel> *x* " * 500
    blocks = blocks_for(ChatMessage(title=text(Bold("Mentor "), UserText(name)), body=text()))
    title = blocks[0]["text"]["text"]
    assert title.startswith("*Mentor* Tom &amp; &lt;!channel&gt;")
    assert len(title) <= 3000 and title.endswith("…")


def test_long_fields_and_footers_are_cut_with_an_ellipsis_never_inside_an_entity() -> None:
    msg = ChatMessage(
        body=text("x"),
        fields=(("Skills", text(UserText("&" * 1999))),),
        footer=text(UserText("&" * 2999)),
    )
    field = blocks_for(msg)[1]["fields"][0]["text"]
    footer = blocks_for(msg)[2]["elements"][0]["text"]
    assert len(field) <= 2000 and field.endswith("&amp;…")
    assert len(footer) <= 3000 and footer.endswith("&amp;…")


def test_a_title_or_footer_with_nothing_to_show_adds_no_empty_block() -> None:
    # Slack refuses a text object with an empty text (invalid_blocks).
    msg = ChatMessage(title=text(UserText("\u200b")), body=text("x"), footer=text(UserText("")))
    blocks = blocks_for(msg)
    assert [b["type"] for b in blocks] == ["section"]
    assert blocks[0]["text"]["text"] == "x"


def test_sections_are_never_split_inside_a_link() -> None:
    # The link's label has spaces; the 3000th character falls inside it.
    msg = ChatMessage(
        body=text("x" * 2960, " ", Link("https://example.com/docs", "the docs page for this topic"))
    )
    sections = [b["text"]["text"] for b in blocks_for(msg)]
    assert all(len(s) <= 3000 and s.count("<") == s.count(">") for s in sections)
    assert sections[-1] == "<https://example.com/docs|the docs page for this topic>"


def test_every_mrkdwn_text_is_verbatim_so_slack_links_nothing_on_its_own() -> None:
    # Slack's text object: without verbatim, "URLs will be auto-converted into links,
    # conversation names will be link-ified"; the bot's own <url|label> still works with it.
    typed = text(UserText("see https://evil.example/login and #general"))
    msg = ChatMessage(
        title=text(Bold("Question #3")),
        body=text(typed, " ", Link("https://example.com/docs", "docs")),
        fields=(("Asked by", typed),),
        footer=typed,
        attachment=Attachment("chart.png", b"png"),
        kind="card",
        question_id=3,
    )
    for blocks in (blocks_for(msg), home_view(msg)["blocks"]):
        texts = [
            o
            for b in blocks
            for o in [b.get("text"), *b.get("fields", []), *b.get("elements", [])]
            if isinstance(o, dict) and o.get("type") == "mrkdwn"
        ]
        assert len(texts) == 5  # title, body, the field, the chart's note, the footer
        assert all(o["verbatim"] is True for o in texts)
    assert "<https://example.com/docs|docs>" in blocks_for(msg)[1]["text"]["text"]


def _controls_left_live(escaped: str) -> list[str]:
    """Formatting characters that are neither wrapped in zero-width spaces nor inside a word
    (a letter or digit on both sides): the ones Slack could pair into formatting."""
    live = []
    for i, c in enumerate(escaped):
        if c not in "*_~`":
            continue
        before = escaped[i - 1] if i else ""
        after = escaped[i + 1] if i + 1 < len(escaped) else ""
        wrapped = before == ZWSP and after == ZWSP
        in_word = before.isalnum() and after.isalnum()
        if not (wrapped or in_word):
            live.append(escaped[max(0, i - 3) : i + 4])
    return live


@pytest.mark.parametrize(
    "typed",
    [
        "use __init__ here",
        "a __bold__ word",
        "__x__",
        "__init__.py and __main__",
        "_*both*_ and *_both_*",
        "~~gone~~ and ``tick``",
        "a _b_c_ d",
    ],
)
def test_no_formatting_character_is_left_to_pair_up_next_to_another(typed: str) -> None:
    # `_` is a word character to a regex, not to Slack: in `__init__` the inner `_init_` sat
    # after a zero-width space (as after a space) and was left an italic pair.
    escaped = escape_user_text(typed)
    assert escaped.replace(ZWSP, "") == typed
    assert _controls_left_live(escaped) == []


def _text_in(blocks: list[dict[str, Any]]) -> int:
    """Every string a text object holds, as Slack counts a message's blocks."""
    total = 0
    for b in blocks:
        for obj in [b.get("text"), *b.get("fields", []), *b.get("elements", [])]:
            if isinstance(obj, dict):
                inner = obj.get("text")
                total += len(inner["text"] if isinstance(inner, dict) else inner or "")
    return total


def test_a_card_within_the_block_count_is_cut_to_slacks_text_budget() -> None:
    """A 3,000-character question of `&` renders to ~15,000 characters (`&amp;`): 4 sections,
    well under 50 blocks, but over the ~12,000 characters of text Slack takes in a message's
    blocks (msg_blocks_too_long, which would cost the card its buttons). The body is cut, the
    field, footer and buttons are kept, and what was left out is said."""
    msg = ChatMessage(
        title=text(Bold("Question #3")),
        body=text(UserText("&" * 3000)),
        fields=(("Asked by", text(UserText("alice"))),),
        actions=(Action("claim", 3, "Claim", "primary"), Action("notmine", 3, "Not my area")),
        footer=text("tip"),
        kind="card",
        question_id=3,
    )
    uncut = blocks_for(msg, max_chars=None)
    assert _text_in(uncut) > 12_000
    blocks = blocks_for(msg)
    assert _text_in(blocks) <= 11_000
    assert [b["type"] for b in blocks[-2:]] == ["context", "actions"]
    assert blocks[-3]["fields"][0]["text"].startswith("*Asked by*")
    assert "more part" in blocks[-4]["text"]["text"]
    assert blocks[1]["text"]["text"] == uncut[1]["text"]["text"]  # cut between parts, not inside
    short = ChatMessage(body=text(UserText("How do I pivot? " * 100)), kind="card")
    assert blocks_for(short) == blocks_for(short, max_chars=None)  # a usual message: untouched


@pytest.mark.parametrize(
    "typed",
    ["ab" + "*" * 2000, "a" * 2998 + "**b", "x" * 1000 + "_" * 900, "y" * 2995 + "\n>quote"],
)
def test_a_long_body_without_spaces_is_never_cut_away_from_a_formatting_guard(typed: str) -> None:
    """Each `*` of user text sits between zero-width spaces (a `>` at a line start after one):
    a cut between one and its guard would start the next section with a bare `*` or `>`, or
    end one with a bare `*` (bold or italic, or a quote, leaking into user text)."""
    pieces = [b["text"]["text"] for b in blocks_for(ChatMessage(body=text(UserText(typed))))]
    assert len(pieces) > 1
    for piece in pieces:
        assert piece[0] not in "*_~`" and not piece.startswith("&gt;")
        assert piece[-1] not in "*_~`"
    assert "".join(pieces).replace(ZWSP, "").replace("\n", "") == (
        typed.replace(">", "&gt;").replace("\n", "")
    )
