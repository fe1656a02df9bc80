"""Slack's documented limits on what an app sends, checked by the loopback fake on every message
and view (it answers ``invalid_blocks`` / ``invalid_arguments`` as Slack does and remembers the
breach, so no test passes on a payload real Slack would refuse).

Block Kit: https://docs.slack.dev/reference/block-kit/blocks (50 blocks a message, 100 in a
modal or the Home tab; section text 3,000 and fields 10 × 2,000; header 150; context 10
elements; actions 25 elements), https://docs.slack.dev/reference/block-kit/block-elements
(button text 75, value 2,000, action_id 255), https://docs.slack.dev/reference/views (title,
submit and close 24 characters, private_metadata 3,000, callback_id 255), the plain-text input
(max_length up to 3,000, placeholder 150), and chat.postMessage's ``text`` (40,000)."""

from __future__ import annotations

from typing import Any

__all__ = ["limit_problems", "message_problems", "view_problems"]


def _text(obj: Any) -> str:
    return str(obj.get("text", "")) if isinstance(obj, dict) else ""


def limit_problems(blocks: list[dict[str, Any]], *, max_blocks: int) -> list[str]:
    """What breaks Slack's block limits."""
    problems = [f"{len(blocks)} blocks"] if len(blocks) > max_blocks else []
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(set(block_ids)) != len(block_ids) or any(len(i) > 255 for i in block_ids):
        problems.append(f"block ids {block_ids}")
    for b in blocks:
        texts = [b["text"]["text"]] if "text" in b else []
        if b["type"] == "section" and any(len(t) > 3000 or not t.strip() for t in texts):
            problems.append("section text empty or over 3000")
        if b["type"] == "header" and not 0 < len(_text(b.get("text"))) <= 150:
            problems.append("header text empty or over 150")
        fields = b.get("fields", [])
        if len(fields) > 10 or any(len(f["text"]) > 2000 or not f["text"] for f in fields):
            problems.append("fields")
        if b["type"] == "context" and not 0 < len(b["elements"]) <= 10:
            problems.append("context elements")
        elements = b.get("elements", []) if b["type"] == "actions" else []
        if b["type"] == "actions":
            ids = [e["action_id"] for e in elements]
            if len(ids) > 25 or len(set(ids)) != len(ids) or any(len(i) > 255 for i in ids):
                problems.append(f"action ids {ids}")
        for e in elements + ([b["accessory"]] if "accessory" in b else []):
            if e.get("type") != "button":
                continue
            if not 0 < len(_text(e.get("text"))) <= 75:
                problems.append("button text empty or over 75")
            if len(str(e.get("value", ""))) > 2000:
                problems.append("button value over 2000")
        element = b.get("element") if b["type"] == "input" else None
        if isinstance(element, dict):
            problems += _input_problems(b, element)
    return problems


def _input_problems(block: dict[str, Any], element: dict[str, Any]) -> list[str]:
    problems = []
    if not 0 < len(_text(block.get("label"))) <= 2000:
        problems.append("input label empty or over 2000")
    if len(_text(element.get("placeholder"))) > 150:
        problems.append("placeholder over 150")
    if element.get("type") == "plain_text_input":
        most = element.get("max_length", 3000)
        if not 0 < most <= 3000:
            problems.append("max_length outside 1-3000")
        if len(str(element.get("initial_value", ""))) > most:
            problems.append("initial_value longer than max_length")
    return problems


def message_problems(params: dict[str, Any]) -> list[str]:
    """A chat.postMessage / chat.update / chat.postEphemeral or response_url body."""
    blocks = params.get("blocks") or []
    problems = limit_problems(blocks, max_blocks=50) if isinstance(blocks, list) else []
    if len(str(params.get("text") or "")) > 40_000:
        problems.append("text over 40000")
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    """A view for views.open / views.update / views.push / views.publish."""
    problems = limit_problems(view.get("blocks") or [], max_blocks=100)
    if view.get("type") == "modal":
        if not 0 < len(_text(view.get("title"))) <= 24:
            problems.append("modal title empty or over 24")
        for key in ("submit", "close"):
            if key in view and not 0 < len(_text(view[key])) <= 24:
                problems.append(f"modal {key} empty or over 24")
    if len(str(view.get("private_metadata", ""))) > 3000:
        problems.append("private_metadata over 3000")
    if len(str(view.get("callback_id", ""))) > 255:
        problems.append("callback_id over 255")
    return problems
