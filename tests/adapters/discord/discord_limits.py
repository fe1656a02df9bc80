"""Discord's documented limits on what a bot sends (messages, embeds, buttons, modals): each
payload checked gives one line per limit it breaks, so a test can assert there are none."""

from __future__ import annotations

from typing import Any

__all__ = ["message_problems", "modal_problems"]


def _embed_problems(embed: dict[str, Any]) -> list[str]:
    out: list[str] = []
    title = embed.get("title") or ""
    description = embed.get("description") or ""
    footer = (embed.get("footer") or {}).get("text") or ""
    author = (embed.get("author") or {}).get("name") or ""
    fields = embed.get("fields") or []
    for what, value, limit in (
        ("title", title, 256),
        ("description", description, 4096),
        ("footer", footer, 2048),
        ("author name", author, 256),
    ):
        if len(value) > limit:
            out.append(f"embed {what}: {len(value)} > {limit}")
    if len(fields) > 25:
        out.append(f"embed fields: {len(fields)} > 25")
    for f in fields:
        if not 1 <= len(f["name"]) <= 256:
            out.append(f"field name: {len(f['name'])} not in 1..256")
        if not 1 <= len(f["value"]) <= 1024:
            out.append(f"field value: {len(f['value'])} not in 1..1024")
    total = len(title) + len(description) + len(footer) + len(author)
    total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    if total > 6000:
        out.append(f"embed total: {total} > 6000")
    if not (title or description or fields or footer or author or embed.get("image")):
        out.append("empty embed")
    return out


def message_problems(body: dict[str, Any]) -> list[str]:
    """A create/edit message body: content, embeds, action rows of buttons."""
    out: list[str] = []
    content = body.get("content") or ""
    embeds = body.get("embeds") or []
    rows = body.get("components") or []
    if len(content) > 2000:
        out.append(f"content: {len(content)} > 2000")
    if len(embeds) > 10:
        out.append(f"embeds: {len(embeds)} > 10")
    for embed in embeds:
        out += _embed_problems(embed)
    if not (content or embeds or rows or body.get("attachments")):
        out.append("empty message")
    if len(rows) > 5:
        out.append(f"action rows: {len(rows)} > 5")
    ids = []
    for row in rows:
        buttons = row.get("components") or []
        if len(buttons) > 5:
            out.append(f"buttons in a row: {len(buttons)} > 5")
        for b in buttons:
            if not 1 <= len(b.get("label") or "") <= 80:
                out.append(f"button label: {len(b.get('label') or '')} not in 1..80")
            ids.append(b.get("custom_id") or "")
    out += [f"custom id: {len(i)} not in 1..100 ({i[:30]}…)" for i in ids if not 1 <= len(i) <= 100]
    if len(ids) != len(set(ids)):
        out.append("custom ids repeat")
    return out


def modal_problems(data: dict[str, Any]) -> list[str]:
    """A modal (the data of a type 9 interaction response)."""
    out: list[str] = []
    if not 1 <= len(data.get("title") or "") <= 45:
        out.append(f"modal title: {len(data.get('title') or '')} not in 1..45")
    if not 1 <= len(data.get("custom_id") or "") <= 100:
        out.append("modal custom id not in 1..100")
    inputs = []
    for row in data.get("components") or []:
        inputs += row.get("components") or [row.get("component")]
    if not 1 <= len(inputs) <= 5:
        out.append(f"text inputs: {len(inputs)} not in 1..5")
    for box in inputs:
        label = box.get("label") or ""
        if not 1 <= len(label) <= 45:
            out.append(f"text input label: {len(label)} not in 1..45 ({label!r})")
        if len(box.get("placeholder") or "") > 100:
            out.append("text input placeholder > 100")
        most = box.get("max_length", 4000)
        if not 1 <= most <= 4000:
            out.append(f"text input max_length: {most} not in 1..4000")
        value = box.get("value") or ""
        if len(value) > most:
            out.append(f"text input value: {len(value)} > max_length {most}")
    return out
