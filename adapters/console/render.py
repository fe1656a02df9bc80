"""Render core messages as terminal text (pure)."""

from __future__ import annotations

from bot.hygiene import strip_invisible
from bot.messages import Bold, ChatMessage, Jump, Link, Mention, Plain, Text, UserText, When
from bot.refs import ThreadRef

__all__ = ["render_message", "render_text"]


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
                out.append(f"{local:%Y-%m-%d %H:%M %Z}" if with_date else f"{local:%H:%M %Z}")
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
        lines.append(" ".join(f"[{a.label}]" for a in msg.actions))
    return lines
