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
    "home_text_view",
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


Keep = tuple[tuple[int, int], ...]
"""Ranges ``[start, end)`` of the bot's own markup in rendered text (a ``*bold*`` span, a
`` `code` `` span): a cut inside one would leave its marks unpaired, shown as typed."""

# The bot's own formatting inside its plain text (``"use `/mentor join`"``): a code span, or a
# bold/italic/strike pair at word edges (user text never reaches this: it is escaped apart).
_BOT_MARKUP = re.compile(r"`[^`\n]+`|(?<![^\W_])([*_~])[^\s*_~](?:[^\n]*?[^\s])?\1(?![^\W_])")


def render_text(t: Text, *, permalink: Permalink | None = None) -> str:
    """Spans → mrkdwn: bot text escaped, user text neutralised, mentions as ``<@U…>``."""
    return _render(t, permalink=permalink)[0]


def _render(t: Text, *, permalink: Permalink | None = None) -> tuple[str, Keep]:
    """`render_text`, and where the bot's own markup is in it (see `Keep`)."""
    out: list[str] = []
    keep: list[tuple[int, int]] = []
    at = 0
    for span in t.spans:
        match span:
            case Plain(text=s):
                piece = escape(s)
                keep += [(at + m.start(), at + m.end()) for m in _BOT_MARKUP.finditer(piece)]
            case Bold(text=s):
                # mrkdwn only bolds `*text*` with no space inside the asterisks.
                core = s.strip()
                lead, trail = s[: len(s) - len(s.lstrip())], s[len(s.rstrip()) :]
                bold = f"*{escape(core)}*"
                piece = f"{lead}{bold}{trail}" if core else escape(s)
                if core:
                    keep.append((at + len(lead), at + len(lead) + len(bold)))
            case UserText(text=s):
                piece = escape_user_text(s)
            case Mention(user=user, name=name):
                if user.platform == "slack":
                    piece = f"<@{user.id}>"
                else:
                    piece = "@" + escape_user_text(name)
            case Link(url=url, label=label):
                piece = (
                    f"<{_url(url)}|{escape_user_text(label)}>" if url else escape_user_text(label)
                )
            case Jump(target=target, label=label):
                where = permalink(target) if permalink else None
                piece = f"<{_url(where)}|{escape(label)}>" if where else escape(label)
            case When(at=when, fallback=fallback, with_date=with_date):
                # Slack shows it in each reader's own timezone.
                shape = "{date_short_pretty} {time}" if with_date else "{time}"
                piece = f"<!date^{int(when.timestamp())}^{shape}|{escape(fallback)}>"
        out.append(piece)
        at += len(piece)
    return "".join(out), tuple(keep)


def _joined(parts: list[tuple[str, Keep]], sep: str = "\n") -> tuple[str, Keep]:
    """Rendered pieces joined by `sep`, their markup ranges moved along."""
    keep: list[tuple[int, int]] = []
    at = 0
    for s, marks in parts:
        keep += [(a + at, b + at) for a, b in marks]
        at += len(s) + len(sep)
    return sep.join(s for s, _ in parts), tuple(keep)


def _shifted(keep: Keep, by: int) -> Keep:
    """`keep` for the text after its first `by` characters are gone."""
    return tuple((max(a - by, 0), b - by) for a, b in keep if b - by > 0)


def _cut_at(s: str, limit: int, *, not_before: int = 0, keep: Keep = ()) -> tuple[int, str]:
    """Where to cut `s` (see `_text_cut`), and never inside the bot's own markup (`keep`): the
    cut moves before a ``*bold*`` span it would split. A span that cannot go whole (it starts
    before `not_before`, or at the very start) is closed and opened again: the formatting
    character returned (then the cut leaves room for it) goes at the end of the first piece
    and the start of the next; "" when nothing is to be closed."""
    cut = _text_cut(s, limit, not_before=not_before)
    inside = next(((a, b) for a, b in keep if a < cut < b), None)
    if inside is None:
        return cut, ""
    start, end = inside
    if start > not_before and s[:start].strip():
        return start, ""
    mark = s[start]
    cut = _text_cut(s, limit - 1, not_before=max(not_before, start + 1))
    if start < cut < end and s[start + 1 : cut].strip() and s[cut : end - 1].strip():
        return cut, mark
    return _text_cut(s, limit, not_before=not_before), ""  # nothing better than splitting it


def _text_cut(s: str, limit: int, *, not_before: int = 0) -> int:
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


def _chunks(limit: int, s: str, keep: Keep = ()) -> list[str]:
    """Split at newlines (else spaces) so no piece exceeds `limit` or cuts an entity, a link or
    the bot's own markup (`keep`, see `_cut_at`)."""
    pieces: list[str] = []
    while len(s) > limit:
        cut, mark = _cut_at(s, limit, keep=keep)
        if mark:
            pieces.append(s[:cut].rstrip() + mark)
            rest = mark + s[cut:].lstrip()
        else:
            pieces.append(s[:cut])
            rest = s[cut:].lstrip("\n")
            # A span split anyway (too long to go whole) is markup no more: its marks are text.
            keep = tuple((a, b) for a, b in keep if not a < cut < b)
        keep = _shifted(keep, len(s) - len(rest))
        s = rest
    if s:
        pieces.append(s)
    return pieces


def _cut(limit: int, s: str, keep: Keep = ()) -> str:
    """`s` if it fits, else its start and "…" in at most `limit` (cut as `_chunks` would, at a
    line or word end in the second half when there is one)."""
    if len(s) <= limit:
        return s
    cut, mark = _cut_at(s, limit - 1, not_before=limit // 2, keep=keep)
    return s[:cut].rstrip() + mark + "…"


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
    is cut short, with a section saying how much is left out (the fields, e.g. a card's
    suggested mentors, are cut from their end only when they do not fit without the body; the
    note then comes after them)."""
    head: list[Block] = []
    # Slack refuses an empty text object, and a title or footer over its limit (invalid_blocks).
    title = _cut(SECTION_LIMIT, *_render(msg.title, permalink=permalink)) if msg.title else ""
    if title.strip():
        head.append({"type": "section", "text": _mrkdwn(title)})
    body: list[Block] = []
    for piece in _chunks(SECTION_LIMIT, *_render(msg.body, permalink=permalink)):
        if piece.strip():
            body.append({"type": "section", "text": _mrkdwn(piece)})
    fields = [
        _mrkdwn(_cut(FIELD_LIMIT, *_field(name, _render(value, permalink=permalink), "\n")))
        for name, value in msg.fields
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
    footer = _cut(SECTION_LIMIT, *_render(msg.footer, permalink=permalink)) if msg.footer else ""
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

    def shown(kept_body: int, kept_fields: int) -> list[Block]:
        left_out = len(body) - kept_body + len(fields) - kept_fields
        note = [_more(left_out)] if left_out else []
        # The note goes where the cut is: after the body, else after the fields kept.
        return [
            *head,
            *body[:kept_body],
            *(note if kept_fields == len(fields) else []),
            *_field_sections(fields[:kept_fields]),
            *(note if kept_fields < len(fields) else []),
        ]

    def fits(blocks: list[Block]) -> bool:
        return len(blocks) <= room and (max_chars is None or _chars([*blocks, *tail]) <= max_chars)

    # Too many blocks or too much text: the body goes first, from its end, then the fields.
    kept_body, kept_fields = len(body), len(fields)
    if len(head) + kept_body + len(_field_sections(fields)) > room:
        kept_body = max(room - 1 - len(head) - len(_field_sections(fields)), 0)
    while not fits(content := shown(kept_body, kept_fields)) and (kept_body or kept_fields):
        if kept_body:
            kept_body -= 1
        else:
            kept_fields -= 1
    return content + tail


def _field(name: str, value: tuple[str, Keep], between: str) -> tuple[str, Keep]:
    """A field's ``*name*``, `between`, and its rendered value, as one text."""
    label = f"*{escape(name)}*"
    return _joined([(label, ((0, len(label)),)), value], between)


def _field_sections(fields: list[dict[str, Any]]) -> list[Block]:
    return [
        {"type": "section", "fields": fields[i : i + FIELDS_PER_SECTION]}
        for i in range(0, len(fields), FIELDS_PER_SECTION)
    ]


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
    parts = [_render(msg.title, permalink=permalink)] if msg.title else []
    parts.append(_render(msg.body, permalink=permalink))
    # A long question is cut (never inside an entity or a link), well under Slack's 40,000...
    said = _cut(SECTION_LIMIT, *_joined([p for p in parts if p[0]]))
    # ...and after the cut come everyone the blocks mention (a card's suggested mentors sit in a
    # field): notifications come from this text, so each of them is actually pinged.
    pinged = [f"<@{u.id}>" for u in msg.mentions() if u.platform == "slack"]
    missing = ", ".join(m for m in pinged if m not in said)
    return "\n".join(p for p in (said, missing) if p) or " "


# Slack's advice for a message's text (it truncates at 40,000 characters).
TEXT_ONLY_LIMIT = 4000


def text_only(
    msg: ChatMessage, *, permalink: Permalink | None = None, limit: int = TEXT_ONLY_LIMIT
) -> str:
    """The whole message as mrkdwn text, for when Slack refuses its blocks: title, body,
    fields (``*name*: value``) and footer, within `limit`; no buttons (a card is still claimed
    by reaction)."""
    parts = [_render(msg.title, permalink=permalink)] if msg.title else []
    parts.append(_render(msg.body, permalink=permalink))
    parts += [_field(n, _render(v, permalink=permalink), ": ") for n, v in msg.fields]
    if msg.footer:
        parts.append(_render(msg.footer, permalink=permalink))
    return _cut(limit, *_joined([p for p in parts if p[0].strip()])) or " "


def home_view(msg: ChatMessage, *, permalink: Permalink | None = None) -> dict[str, Any]:
    """The App Home tab built from ShowHome's reply."""
    blocks = blocks_for(msg, permalink=permalink, max_blocks=VIEW_BLOCKS, max_chars=None)
    return {"type": "home", "blocks": blocks}


def home_text_view(msg: ChatMessage, *, permalink: Permalink | None = None) -> dict[str, Any]:
    """The App Home tab as one section of `text_only`, for when Slack refuses `home_view`."""
    said = text_only(msg, permalink=permalink, limit=SECTION_LIMIT)
    return {"type": "home", "blocks": [{"type": "section", "text": _mrkdwn(said)}]}


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
