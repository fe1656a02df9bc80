"""Render core messages as terminal text (pure)."""

from __future__ import annotations

from bot.hygiene import strip_invisible
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
from bot.refs import ThreadRef

__all__ = ["how_to_press", "render_button", "render_message", "render_text"]

# Buttons that open a form on the platforms (or carry no number): what to type here instead.
_TYPED_INSTEAD = {
    "comment": "comment {n} <text>",
    "faq": "faq {n} <text>",
    "teach": "/lightning accept {n} <YYYY-MM-DD HH:MM> <title>",
    "ask": "/askmentor <question>",
    "skills": "/mentor skills <skill, ...>",
    "pause": "/mentor pause [7d]",
    "resume": "/mentor resume",
    "dashboard": "/mentoradmin dashboard",
}


def render_text(t: Text) -> str:
    out: list[str] = []
    for span in t.spans:
        match span:
            case Plain(text=s):
                out.append(s)
            case UserText(text=s):
                out.append(strip_invisible(s))
            case Bold(text=s):
                out.append(s)
            case Mention(name=name):
                out.append(f"@{strip_invisible(name)}")
            case Link(url=url, label=label):
                out.append(f"{label} <{url}>")
            case Jump(target=target, label=label):
                # Jumps point at a session thread or, before one exists, at the question's card.
                out.append(f"{label} ({'thread' if isinstance(target, ThreadRef) else 'card'})")
            case When(at=at, with_date=with_date):
                # The viewer's timezone: the machine's (or $TZ).
                local = at.astimezone()
                out.append(f"{local:%a %Y-%m-%d %H:%M %Z}" if with_date else f"{local:%H:%M %Z}")
    return "".join(out)


def render_message(msg: ChatMessage) -> list[str]:
    """The lines to print (without the ``[where]`` prefix)."""
    lines: list[str] = []
    if msg.title:
        lines.append(render_text(msg.title))
    body = render_text(msg.body)
    if body:
        lines += body.split("\n")
    lines += [f"{name}: {render_text(value)}" for name, value in msg.fields]
    if msg.footer:
        lines.append(render_text(msg.footer))
    if msg.attachment:
        lines.append(f"(attachment: {msg.attachment.filename}, {len(msg.attachment.data)} bytes)")
    if msg.actions:
        lines.append(" ".join(render_button(a) for a in msg.actions))
    return lines


def how_to_press(action: Action) -> str:
    """The console line that presses `action`: ``click mentor:2 1``, or the line a form's
    button stands for (``comment 3 <text>``)."""
    typed = _TYPED_INSTEAD.get(action.id)
    if typed is not None:
        return typed.format(n=action.question_id)
    return f"click {action.id} {action.question_id}"


def render_button(action: Action) -> str:
    """``[Release it → click mentor:2 1]``: the label and what to type for it."""
    return f"[{action.label} → {how_to_press(action)}]"
