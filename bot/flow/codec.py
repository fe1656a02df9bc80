"""JSON for what the inbox and outbox store: refs, messages (spans keep their trust level),
reply targets and commands."""

from __future__ import annotations

import base64
import sys
from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter

from bot import commands as c
from bot.messages import (
    Action,
    Attachment,
    Bold,
    ChatMessage,
    Jump,
    Link,
    Mention,
    Plain,
    Span,
    Text,
    UserText,
    When,
)
from bot.refs import ChannelRef, MessageRef, Ref, ThreadRef, UserRef, WorkspaceRef

__all__ = [
    "command_from_json",
    "command_to_json",
    "message_from_json",
    "message_to_json",
    "read_older",
    "ref_from_json",
    "ref_to_json",
    "text_from_json",
    "text_to_json",
]

_REF_KINDS: dict[str, type[Ref]] = {
    cls.kind: cls for cls in (Ref, UserRef, ChannelRef, MessageRef, ThreadRef, WorkspaceRef)
}


def ref_to_json(ref: Ref) -> str:
    """``kind|platform:id`` (the kind keeps a Jump's target a message or a thread)."""
    return f"{ref.kind}|{ref.key()}"


def ref_from_json(raw: str) -> Ref:
    kind, _, key = raw.partition("|")
    return _REF_KINDS[kind].from_key(key)


def _user(raw: str) -> UserRef:
    return UserRef.from_key(raw)


# Spans are tagged explicitly: Plain, Bold and UserText have the same shape, and mistaking a
# user's text for the bot's own would let it ping or break formatting.
def _span_to_json(span: Span) -> list[Any]:
    match span:
        case Plain(text=t):
            return ["p", t]
        case Bold(text=t):
            return ["b", t]
        case UserText(text=t):
            return ["u", t]
        case Mention(user=user, name=name):
            return ["m", user.key(), name]
        case Link(url=url, label=label):
            return ["l", url, label]
        case Jump(target=target, label=label):
            return ["j", ref_to_json(target), label]
        case When(at=at, fallback=fallback, with_date=with_date):
            return ["w", at.isoformat(), fallback, with_date]
    raise TypeError(f"not a span: {span!r}")


def _span_from_json(raw: list[Any]) -> Span:
    tag = raw[0]
    if tag == "p":
        return Plain(raw[1])
    if tag == "b":
        return Bold(raw[1])
    if tag == "u":
        return UserText(raw[1])
    if tag == "m":
        return Mention(_user(raw[1]), raw[2])
    if tag == "l":
        return Link(raw[1], raw[2])
    if tag == "j":
        return Jump(ref_from_json(raw[1]), raw[2])
    if tag == "w":
        return When(datetime.fromisoformat(raw[1]), raw[2], bool(raw[3]))
    raise ValueError(f"unknown span tag {tag!r}")


def text_to_json(t: Text | None) -> list[Any] | None:
    """Its spans, each tagged with its kind (a user's text stays a user's text)."""
    return None if t is None else [_span_to_json(s) for s in t.spans]


def text_from_json(raw: list[Any] | None) -> Text | None:
    """Inverse of :func:`text_to_json`."""
    return None if raw is None else Text(tuple(_span_from_json(s) for s in raw))


def message_to_json(m: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"body": text_to_json(m.body), "kind": m.kind}
    if m.title is not None:
        out["title"] = text_to_json(m.title)
    if m.fields:
        out["fields"] = [[name, text_to_json(value)] for name, value in m.fields]
    if m.actions:
        out["actions"] = [
            [a.id, a.question_id, a.label, a.style, *([a.workspace] if a.workspace else [])]
            for a in m.actions
        ]
    if m.footer is not None:
        out["footer"] = text_to_json(m.footer)
    if m.attachment is not None:
        a = m.attachment
        out["attachment"] = [a.filename, base64.b64encode(a.data).decode("ascii"), a.mime]
    if m.question_id is not None:
        out["question_id"] = m.question_id
    return out


def message_from_json(raw: dict[str, Any]) -> ChatMessage:
    body = text_from_json(raw["body"])
    assert body is not None
    attachment = raw.get("attachment")
    return ChatMessage(
        body=body,
        title=text_from_json(raw.get("title")),
        fields=tuple((name, text_from_json(v) or Text()) for name, v in raw.get("fields", ())),
        actions=tuple(Action(*a) for a in raw.get("actions", ())),
        footer=text_from_json(raw.get("footer")),
        attachment=(
            Attachment(attachment[0], base64.b64decode(attachment[1]), attachment[2])
            if attachment
            else None
        ),
        kind=raw.get("kind", "notice"),
        question_id=raw.get("question_id"),
    )


def _command_types() -> dict[str, type[c.Command]]:
    """Every command class there is (features may define theirs next to their handlers)."""
    found: dict[str, type[c.Command]] = {}
    todo = list(c.Command.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        # @dataclass(slots=True) replaces the class it decorates; only the one its module
        # exports is the command (the other lingers among the subclasses until collected).
        if getattr(sys.modules.get(cls.__module__), cls.__name__, None) is not cls:
            continue
        if found.setdefault(cls.__name__, cls) is not cls:
            raise TypeError(f"two commands are called {cls.__name__}")
    return found


_ADAPTERS: dict[str, TypeAdapter[Any]] = {}


def _adapter(cls: type[c.Command]) -> TypeAdapter[Any]:
    found = _ADAPTERS.get(cls.__name__)
    if found is None:
        found = _ADAPTERS[cls.__name__] = TypeAdapter(cls)
    return found


def command_to_json(command: c.Command) -> dict[str, Any]:
    """``{"type": "AskQuestion", "data": {...}}`` for any command in :mod:`bot.commands`."""
    name = type(command).__name__
    if _command_types().get(name) is not type(command):
        raise TypeError(f"{name} is not a known command")
    return {"type": name, "data": _adapter(type(command)).dump_python(command, mode="json")}


# What an older release stored for a command whose fields changed since: the command's class
# name -> a function reading such data as today's (registered by the feature that changed them).
_OLDER: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def read_older(cls: type[c.Command], upgrade: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    """`cls` commands stored by an older release (still waiting in the inbox across an upgrade,
    or written by a replica not upgraded yet) are read through `upgrade` first."""
    _OLDER[cls.__name__] = upgrade


def command_from_json(raw: dict[str, Any]) -> c.Command:
    cls = _command_types()[raw["type"]]
    upgrade = _OLDER.get(raw["type"])
    data = upgrade(raw["data"]) if upgrade is not None else raw["data"]
    command: c.Command = _adapter(cls).validate_python(data)
    return command
