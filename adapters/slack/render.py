"""Render core messages as Slack Block Kit (pure): escaping user text, permalinks, buttons, views."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from typing import Any

from bot.feedback.ratings import COMMENT_MAX
from bot.hours import known_timezones
from bot.hygiene import strip_invisible
from bot.learning.faq import MAX_ANSWER
from bot.lightning.handlers import TITLE_MAX
from bot.matching.perspectives import STAGES
from bot.mentors.career import MAX_REGION
from bot.mentors.profile import ABOUT_MAX
from bot.messages import (
    Action,
    Bold,
    ChatMessage,
    Jump,
    Link,
    Mention,
    Plain,
    Text,
    UserText,
    When,
)
from bot.refs import Ref
from bot.wording import plural

__all__ = [
    "Permalink",
    "ask_modal",
    "blocks_for",
    "comment_modal",
    "escape",
    "escape_user_text",
    "fallback_text",
    "faq_modal",
    "home_view",
    "join_modal",
    "lightning_modal",
    "permalink_for",
    "render_text",
]

Block = dict[str, Any]
Permalink = Callable[[Ref], str | None]
"""Turns a message/thread ref into a URL (or None when it can't)."""

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
BUTTON_LABEL_LIMIT = 75
VIEW_TITLE_LIMIT = 24  # a modal's title, submit and close
INPUT_LABEL_LIMIT = 2000  # an input block's label (an option's text stays at 75)
PLACEHOLDER_LIMIT = 150
METADATA_LIMIT = 3000  # a view's private_metadata
# A plain_text_input's max_length (Slack: 1-3000; it counts down and stops the typing there).
# Each form field stops where the core would refuse or cut what was typed, so nothing is turned
# down (or shortened) after the form closed.
INPUT_LIMIT = 3000
# No length is refused for these (each skill's 60 is checked in the form, before it closes).
SKILLS_LIMIT = HOURS_LIMIT = INPUT_LIMIT
ZWSP = "\u200b"
WORD_JOINER = "\u2060"

_BROADCAST = re.compile(r"@(here|channel|everyone)\b", re.IGNORECASE)
# mrkdwn has no escape character; a zero-width space next to a control character stops Slack
# from pairing it into bold/italic/strike/code while the text still reads the same. Slack only
# formats at word edges, so characters inside a word (snake_case_names, a*b) are left alone and
# code pasted into a question copies back out unchanged. A word edge is a letter or digit, not
# `\w`: `_` is a word character there, and the inner pair of `__init__` (after a zero-width
# space, like after a space) would be left to make an italic `_init_`.
_MRKDWN_CONTROL = re.compile(r"((?<![^\W_])[*_~`]|[*_~`](?![^\W_]))")
_QUOTE_AT_LINE_START = re.compile(r"^(&gt;)", re.MULTILINE)


def escape(s: str) -> str:
    """Slack's three control characters (for trusted bot text)."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_user_text(s: str) -> str:
    """Untrusted text: no pings (``<!channel>``, ``<@U1>``, ``@here``), no formatting, no links,
    no hidden or reordering characters."""
    out = escape(strip_invisible(s))
    out = _BROADCAST.sub(lambda m: f"@{WORD_JOINER}{m[1]}", out)
    out = _MRKDWN_CONTROL.sub(ZWSP + r"\1" + ZWSP, out)
    return _QUOTE_AT_LINE_START.sub(ZWSP + r"\1", out)


def _url(url: str) -> str:
    # `|` and `>` end a Slack link; a URL the bot built never needs them raw.
    return escape(url).replace("|", "%7C")


def permalink_for(ref: Ref, *, workspace_url: str) -> str | None:
    """``C123:1700000000.000100`` → ``https://team.slack.com/archives/C123/p1700000000000100``;
    a group DM (channel id only) → the conversation; None for refs of other platforms."""
    if ref.platform != "slack" or not workspace_url:
        return None
    base = workspace_url.rstrip("/")
    channel, _, ts = ref.id.partition(":")
    if not ts:
        return f"{base}/archives/{channel}"
    return f"{base}/archives/{channel}/p{ts.replace('.', '')}"


def render_text(t: Text, *, permalink: Permalink | None = None) -> str:
    """Spans → mrkdwn: bot text escaped, user text neutralised, mentions as ``<@U…>``."""
    out: list[str] = []
    for span in t.spans:
        match span:
            case Plain(text=s):
                out.append(escape(s))
            case Bold(text=s):
                # mrkdwn only bolds `*text*` with no space inside the asterisks.
                core = s.strip()
                lead, trail = s[: len(s) - len(s.lstrip())], s[len(s.rstrip()) :]
                out.append(f"{lead}*{escape(core)}*{trail}" if core else escape(s))
            case UserText(text=s):
                out.append(escape_user_text(s))
            case Mention(user=user, name=name):
                if user.platform == "slack":
                    out.append(f"<@{user.id}>")
                else:
                    out.append("@" + escape_user_text(name))
            case Link(url=url, label=label):
                out.append(
                    f"<{_url(url)}|{escape_user_text(label)}>" if url else escape_user_text(label)
                )
            case Jump(target=target, label=label):
                where = permalink(target) if permalink else None
                out.append(f"<{_url(where)}|{escape(label)}>" if where else escape(label))
            case When(at=at, fallback=fallback, with_date=with_date):
                # Slack shows it in each reader's own timezone.
                shape = "{date_short_pretty} {time}" if with_date else "{time}"
                out.append(f"<!date^{int(at.timestamp())}^{shape}|{escape(fallback)}>")
    return "".join(out)


def _cut_at(s: str, limit: int, *, not_before: int = 0) -> int:
    """Where to cut `s` to at most `limit`: the last newline, else space, from `not_before` on,
    else at `limit`; never inside an entity (``&amp;``) or a link (``<url|a label>``)."""
    cut = s.rfind("\n", not_before, limit)
    if cut <= 0:
        cut = s.rfind(" ", not_before, limit)
    if cut <= 0:
        cut = limit
        amp = s.rfind("&", 0, cut)
        if amp > 0 and s.find(";", amp) >= cut:
            cut = amp
        # Nor between a formatting character (or a quote's `&gt;`) and the zero-width space
        # that keeps it literal: the next piece would start with a bare `*` or `>`.
        cut = next((i for i in range(cut, not_before, -1) if _unglued(s, i)), cut)
    # Only the bot writes `<` (user text arrives escaped), and it always closes it.
    lt = s.rfind("<", 0, cut)
    if lt > 0 and s.find(">", lt) >= cut:
        cut = lt
    return cut


_FORMATTING = frozenset("*_~`")


def _unglued(s: str, i: int) -> bool:
    """Whether cutting `s` at `i` leaves every zero-width guard with what it guards."""
    before, after = s[i - 1], s[i : i + 1]
    return not (
        (after and after in _FORMATTING)
        or (before in _FORMATTING and after == ZWSP)
        or (before == ZWSP and s.startswith("&gt;", i))
    )


def _chunks(s: str, limit: int) -> list[str]:
    """Split at newlines (else spaces) so no piece exceeds `limit` or cuts an entity or link."""
    pieces: list[str] = []
    while len(s) > limit:
        cut = _cut_at(s, limit)
        pieces.append(s[:cut])
        s = s[cut:].lstrip("\n")
    if s:
        pieces.append(s)
    return pieces


def _cut(s: str, limit: int) -> str:
    """`s` if it fits, else its start and "…" in at most `limit` (cut as `_chunks` would, at a
    line or word end in the second half when there is one)."""
    if len(s) <= limit:
        return s
    return s[: _cut_at(s, limit - 1, not_before=limit // 2)].rstrip() + "…"


def _mrkdwn(s: str) -> dict[str, Any]:
    # verbatim: Slack does not turn a bare URL or a #channel-name in the text into a link (user
    # text is shown as typed, a model's URL is never clickable); the bot's own `<url|label>`,
    # `<@U…>` and `<!date^…>` are still parsed.
    return {"type": "mrkdwn", "text": s, "verbatim": True}


def _plain(s: str, limit: int = BUTTON_LABEL_LIMIT) -> dict[str, Any]:
    shown = s if len(s) <= limit else s[: limit - 1].rstrip() + "…"
    return {"type": "plain_text", "text": shown or " ", "emoji": True}


def _button(action: Action) -> Block:
    button: Block = {
        "type": "button",
        "text": _plain(action.label),
        "action_id": action.custom_id,
        "value": action.custom_id,
    }
    if action.style in ("primary", "danger"):
        button["style"] = action.style
    return button


MESSAGE_BLOCKS = 50  # Slack's most blocks in a message
VIEW_BLOCKS = 100  # ...and in a modal or the Home tab
# The text a message's blocks may hold in all: Slack refuses more with msg_blocks_too_long. Its
# documentation names 12,000 characters for a markdown block only; Slack's engineers gave it
# as the budget of a message's blocks "with a buffer for block containers" (bolt-js #2509).
MESSAGE_CHARS = 11_000


def _more(n: int) -> Block:
    """The last section of a message cut to fit Slack's block limit: says what is left out."""
    said = f"… and {plural(n, 'more part')}, too long to show here"
    return {"type": "section", "text": _mrkdwn(escape(said))}


def _actions_block_id(msg: ChatMessage, content: list[Any]) -> str:
    """The buttons' block_id: new for each version of a message, as Slack asks of a message
    that is updated (https://api.slack.com/reference/block-kit/blocks#actions: "If a message is
    updated, use a new block_id"), yet the same for the same content, so a delivery tried again
    renders the same blocks."""
    version = hashlib.blake2b(
        json.dumps(content, sort_keys=True, ensure_ascii=False).encode(), digest_size=6
    ).hexdigest()
    return f"mm:{msg.question_id or 0}:{msg.kind}:{version}"


def blocks_for(
    msg: ChatMessage,
    *,
    permalink: Permalink | None = None,
    max_blocks: int = MESSAGE_BLOCKS,
    max_chars: int | None = MESSAGE_CHARS,
) -> list[Block]:
    """A message as Block Kit blocks (sections, fields, context, buttons), at most `max_blocks`
    of them (Slack refuses more: 50 in a message, 100 in a modal or the Home tab) holding at
    most `max_chars` of text (a message's blocks over ~12,000 characters in all are refused,
    `msg_blocks_too_long`). A message too long for them keeps its footer and buttons: its body
    is cut short, with a last section saying how much is left out (the fields, e.g. a card's
    suggested mentors, are cut only when they alone do not fit)."""
    head: list[Block] = []
    # Slack refuses an empty text object, and a title or footer over its limit (invalid_blocks).
    title = _cut(render_text(msg.title, permalink=permalink), SECTION_LIMIT) if msg.title else ""
    if title.strip():
        head.append({"type": "section", "text": _mrkdwn(title)})
    body: list[Block] = []
    for piece in _chunks(render_text(msg.body, permalink=permalink), SECTION_LIMIT):
        if piece.strip():
            body.append({"type": "section", "text": _mrkdwn(piece)})
    fields = [
        _mrkdwn(_cut(f"*{escape(name)}*\n{render_text(value, permalink=permalink)}", FIELD_LIMIT))
        for name, value in msg.fields
    ]
    field_blocks: list[Block] = [
        {"type": "section", "fields": fields[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(fields), FIELDS_PER_SECTION)
    ]
    tail: list[Block] = []
    if msg.attachment:
        tail.append(
            {
                "type": "context",
                "elements": [
                    _mrkdwn(
                        f"(chart `{escape(msg.attachment.filename)}`: `micromentor digest --png FILE`)"
                    )
                ],
            }
        )
    footer = _cut(render_text(msg.footer, permalink=permalink), SECTION_LIMIT) if msg.footer else ""
    if footer.strip():
        tail.append({"type": "context", "elements": [_mrkdwn(footer)]})
    if msg.actions:
        buttons = [_button(a) for a in msg.actions[:25]]
        tail.append(
            {
                "type": "actions",
                "block_id": _actions_block_id(msg, [*head, *body, *fields, *tail, *buttons]),
                "elements": buttons,
            }
        )
    room = max_blocks - len(tail)  # the footer and the buttons first
    content = head + body + field_blocks
    if len(content) > room:
        kept_body = room - 1 - len(head) - len(field_blocks)
        if kept_body < 0:
            return [*content[: room - 1], _more(len(content) - (room - 1)), *tail]
    else:
        kept_body = len(body)
    if max_chars is not None:  # and within Slack's text budget, the buttons kept all the same
        left = max_chars - _chars([*head, *field_blocks, *tail, _more(len(body))])
        fits = 0
        for part in body[:kept_body]:
            left -= _chars([part])
            if left < 0:
                break
            fits += 1
        kept_body = fits
    if kept_body < len(body):
        content = [*head, *body[:kept_body], _more(len(body) - kept_body), *field_blocks]
    return content + tail


def _chars(blocks: list[Block]) -> int:
    """The text in `blocks`, as Slack counts it against a message's budget (all its strings)."""
    return sum(_text_length(b) for b in blocks)


_TEXT_KEYS = frozenset({"text", "fields", "elements"})


def _text_length(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, dict):
        return sum(_text_length(v) for k, v in value.items() if k in _TEXT_KEYS)
    if isinstance(value, list):
        return sum(_text_length(v) for v in value)
    return 0


def fallback_text(msg: ChatMessage, *, permalink: Permalink | None = None) -> str:
    """The notification / screen-reader text that goes with the blocks."""
    parts = [render_text(msg.title, permalink=permalink)] if msg.title else []
    parts.append(render_text(msg.body, permalink=permalink))
    # A long question is cut (never inside an entity or a link), well under Slack's 40,000...
    said = _cut("\n".join(p for p in parts if p), SECTION_LIMIT)
    # ...and after the cut come everyone the blocks mention (a card's suggested mentors sit in a
    # field): notifications come from this text, so each of them is actually pinged.
    pinged = [f"<@{u.id}>" for u in msg.mentions() if u.platform == "slack"]
    missing = ", ".join(m for m in pinged if m not in said)
    return "\n".join(p for p in (said, missing) if p) or " "


# Slack's advice for a message's text (it truncates at 40,000 characters).
TEXT_ONLY_LIMIT = 4000


def text_only(msg: ChatMessage, *, permalink: Permalink | None = None) -> str:
    """The whole message as mrkdwn text, for when Slack refuses its blocks: title, body,
    fields (``*name*: value``) and footer, within `TEXT_ONLY_LIMIT`; no buttons (a card is
    still claimed by reaction)."""
    parts = [render_text(msg.title, permalink=permalink)] if msg.title else []
    parts.append(render_text(msg.body, permalink=permalink))
    parts += [f"*{escape(n)}*: {render_text(v, permalink=permalink)}" for n, v in msg.fields]
    if msg.footer:
        parts.append(render_text(msg.footer, permalink=permalink))
    return _cut("\n".join(p for p in parts if p.strip()), TEXT_ONLY_LIMIT) or " "


def home_view(msg: ChatMessage, *, permalink: Permalink | None = None) -> dict[str, Any]:
    """The App Home tab built from ShowHome's reply."""
    blocks = blocks_for(msg, permalink=permalink, max_blocks=VIEW_BLOCKS, max_chars=None)
    return {"type": "home", "blocks": blocks}


def _input(
    block_id: str,
    label: str,
    *,
    max_length: int,
    multiline: bool = False,
    initial: str = "",
    optional: bool = False,
) -> Block:
    limit = max(1, min(max_length, INPUT_LIMIT))
    element: Block = {
        "type": "plain_text_input",
        "action_id": "value",
        "multiline": multiline,
        "max_length": limit,
    }
    if initial:
        element["initial_value"] = initial[:limit]
    return {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label, INPUT_LABEL_LIMIT),
        "element": element,
        "optional": optional,
    }


def _modal(
    callback_id: str, title: str, blocks: list[Block], metadata: dict[str, Any]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": _plain(title, VIEW_TITLE_LIMIT),
        "submit": _plain("Submit", VIEW_TITLE_LIMIT),
        "close": _plain("Cancel", VIEW_TITLE_LIMIT),
        "private_metadata": _metadata(metadata),
        "blocks": blocks,
    }


def _metadata(metadata: dict[str, Any]) -> str:
    """The view's private_metadata as JSON within Slack's limit. Cutting the JSON would lose all
    of it, so what is only a convenience goes first: the response_url (replies then go by DM)."""
    encoded = json.dumps(metadata, separators=(",", ":"))
    if len(encoded) > METADATA_LIMIT and "response_url" in metadata:
        encoded = json.dumps(
            {k: v for k, v in metadata.items() if k != "response_url"}, separators=(",", ":")
        )
    if len(encoded) > METADATA_LIMIT:
        raise ValueError(f"a form's metadata is {len(encoded)} characters, over Slack's limit")
    return encoded


def _option(label: str, value: str) -> Block:
    return {"text": _plain(label), "value": value}


def _stage_select(block_id: str, label: str, *, any_label: str, initial: str | None) -> Block:
    """An optional select of the career stages (``any``: none in particular)."""
    options = [_option(any_label, "any")] + [_option(s.capitalize(), s) for s in STAGES]
    element: Block = {"type": "static_select", "action_id": "value", "options": options}
    chosen = next((o for o in options if o["value"] == initial), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return {
        "type": "input",
        "block_id": block_id,
        "optional": True,
        "label": _plain(label, INPUT_LABEL_LIMIT),
        "element": element,
    }


def ask_modal(
    metadata: dict[str, Any],
    *,
    allow_anonymous: bool,
    max_length: int,
    initial: str = "",
    anonymous: bool = False,
    stage: str | None = None,
) -> dict[str, Any]:
    """`/askmentor` without text (or [Edit] on a coached draft, with its text): the question, a
    career stage to ask for, and an anonymous checkbox; `max_length` is ``[ask] max_length``."""
    blocks = [
        _input(
            "question",
            "Your question (what you tried, what you expected)",
            max_length=max_length,
            multiline=True,
            initial=initial,
        ),
        _stage_select(
            "stage", "Hear from someone at this career stage", any_label="Any", initial=stage
        ),
    ]
    if allow_anonymous:
        blocks.append(
            {
                "type": "input",
                "block_id": "anonymous",
                "optional": True,
                "label": _plain("Privacy", INPUT_LABEL_LIMIT),
                "element": {
                    "type": "checkboxes",
                    "action_id": "value",
                    "options": [
                        {
                            "text": _plain("Ask anonymously (only your mentor will see your name)"),
                            "value": "anonymous",
                        }
                    ],
                },
            }
        )
        if anonymous:
            blocks[-1]["element"]["initial_options"] = blocks[-1]["element"]["options"]
    return _modal("mm_ask", "Ask a mentor", blocks, metadata)


def join_modal(
    metadata: dict[str, Any], *, hours: str, timezone: str | None, slack_timezone: str | None = None
) -> dict[str, Any]:
    """`/mentor join` without text: skills, working hours, timezone and the mentor's own words.

    The form must open within a trigger's 3 seconds, before the person's Slack timezone may be
    known: the field may stay empty (their Slack timezone is used), and `slack_timezone` shows
    it as the field's placeholder once it is known (views.update keeps what was typed)."""
    tz = _input(
        "timezone",
        "Timezone (IANA name, e.g. Europe/Berlin; leave empty for your Slack timezone)",
        max_length=max(len(z) for z in known_timezones()),
        initial=timezone or "",
        optional=True,
    )
    if slack_timezone:
        tz["element"]["placeholder"] = _plain(slack_timezone, PLACEHOLDER_LIMIT)
    blocks = [
        _input(
            "skills",
            "Your skills, separated by commas (e.g. python, sql, docker)",
            max_length=SKILLS_LIMIT,
        ),
        _input("hours", "Working hours", max_length=HOURS_LIMIT, initial=hours),
        tz,
        _input(
            "about",
            "I can help with… (in your own words; optional)",
            max_length=ABOUT_MAX,
            multiline=True,
            optional=True,
        ),
        _stage_select("stage", "Your career stage", any_label="Rather not say", initial=None),
        _input(
            "region", "Your region (e.g. Europe, US East)", max_length=MAX_REGION, optional=True
        ),
    ]
    return _modal("mm_join", "Become a mentor", blocks, metadata)


def faq_modal(metadata: dict[str, Any], *, question_id: int, initial: str = "") -> dict[str, Any]:
    """Save as FAQ (or [Update] an entry): the short answer."""
    blocks = [
        _input(
            "answer",
            f"A short answer to question #{question_id}, for the next person who asks",
            max_length=MAX_ANSWER,
            multiline=True,
            initial=initial,
        )
    ]
    return _modal("mm_faq", "Save as FAQ", blocks, metadata)


def comment_modal(metadata: dict[str, Any], *, question_id: int) -> dict[str, Any]:
    """A comment to go with a rating."""
    blocks = [
        _input(
            "comment",
            f"Your comment on question #{question_id}",
            max_length=COMMENT_MAX,
            multiline=True,
        )
    ]
    return _modal("mm_comment", "Add a comment", blocks, metadata)


def lightning_modal(metadata: dict[str, Any], *, lightning_id: int) -> dict[str, Any]:
    """ "I'll teach it": the session's title and its start (Slack's date-time picker shows and
    returns it in the person's own timezone as a Unix time)."""
    blocks = [
        # `lightning_id` is the button's internal id (in the metadata): never shown.
        _input("title", "Title of your lightning session", max_length=TITLE_MAX),
        {
            "type": "input",
            "block_id": "starts_at",
            "label": _plain("Starts at (your timezone)", INPUT_LABEL_LIMIT),
            "element": {"type": "datetimepicker", "action_id": "value"},
        },
    ]
    return _modal("mm_lightning", "Teach this session", blocks, metadata)
