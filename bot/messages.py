"""Platform-neutral outgoing messages: rich text spans (trusted vs untrusted) plus abstract actions."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.refs import Ref, UserRef

__all__ = [
    "REFUSAL",
    "Action",
    "Attachment",
    "Bold",
    "ChatMessage",
    "Jump",
    "Link",
    "Mention",
    "Plain",
    "Span",
    "Text",
    "UserText",
    "When",
    "custom_id_workspace",
    "filled",
    "in_zone",
    "known_zone",
    "lines",
    "parse_custom_id",
    "shortened",
    "text",
    "when",
    "when_text",
]


@dataclass(frozen=True, slots=True)
class Plain:
    """Text written by the bot itself (trusted); newlines allowed."""

    text: str


@dataclass(frozen=True, slots=True)
class Bold:
    """Trusted bot text shown in bold."""

    text: str


@dataclass(frozen=True, slots=True)
class UserText:
    """Text a user typed: renderers escape it so it can never ping or break formatting."""

    text: str


@dataclass(frozen=True, slots=True)
class Mention:
    """An intended mention of one user by the bot (the only kind of ping the bot makes)."""

    user: UserRef
    name: str


@dataclass(frozen=True, slots=True)
class Link:
    """A link the bot made (URL trusted, label untrusted)."""

    url: str
    label: str


@dataclass(frozen=True, slots=True)
class Jump:
    """A link to a message or thread the bot knows by ref; adapters turn it into a permalink."""

    target: Ref
    label: str


@dataclass(frozen=True, slots=True)
class When:
    """A moment each reader sees in their own timezone (Slack ``<!date^…>``, Discord
    ``<t:…>``, the console in the viewer's zone); `fallback` is the text where that can't be
    done (notifications, logs, tests), in the zone the message was written for."""

    at: datetime
    fallback: str
    with_date: bool = False


def when(at: datetime, tz: str = "UTC", *, with_date: bool = False) -> When:
    """`at` for each reader's own zone; the fallback in `tz` (``10:20 CET``)."""
    local = at.astimezone(ZoneInfo(tz))
    shown = f"{local:%a %Y-%m-%d %H:%M %Z}" if with_date else f"{local:%H:%M %Z}"
    return When(at, shown, with_date)


def known_zone(name: str | None) -> ZoneInfo | None:
    """The zone named `name`; None for none or an unknown name."""
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def when_text(when: datetime, tz: str | None) -> str:
    """A time as every reader sees it: UTC, plus the reader's own zone when it is known and
    not UTC (``Tue 2026-12-01 14:00 UTC (15:00 Europe/Berlin)``): lightning sessions', pauses'
    and lessons' times, so a per-reader rendering can replace it in one place."""
    utc = when.astimezone(UTC)
    return f"{utc:%a %Y-%m-%d %H:%M} UTC{in_zone(when, tz)}"


def in_zone(when: datetime, tz: str | None) -> str:
    """What follows a UTC time for a reader whose zone is known and not UTC: `` (15:00
    Europe/Berlin)``, with the weekday when the local day differs; "" otherwise."""
    zone = known_zone(tz)
    if zone is None or tz == "UTC":
        return ""
    local = when.astimezone(zone)
    day = "" if local.date() == when.astimezone(UTC).date() else f"{local:%a} "
    return f" ({day}{local:%H:%M} {tz})"


Span = Plain | Bold | UserText | Mention | Link | Jump | When


@dataclass(frozen=True, slots=True)
class Text:
    """A sequence of spans; ``+`` concatenates, plain ``str`` becomes :class:`Plain`."""

    spans: tuple[Span, ...] = ()

    def __add__(self, other: Text | Span | str) -> Text:
        return Text(self.spans + _as_spans(other))

    def __radd__(self, other: Span | str) -> Text:
        return Text(_as_spans(other) + self.spans)

    def plain(self) -> str:
        """The text without markup, mentions as ``@name`` (for logs of trusted parts and tests)."""
        out: list[str] = []
        for s in self.spans:
            match s:
                case Mention(name=name):
                    out.append(f"@{name}")
                case Link(label=label, url=url):
                    out.append(f"{label} ({url})" if url else label)
                case Jump(label=label):
                    out.append(label)
                case When(fallback=fallback):
                    out.append(fallback)
                case _:
                    out.append(s.text)
        return "".join(out)

    def mentions(self) -> tuple[UserRef, ...]:
        """The users this text intends to ping."""
        return tuple(s.user for s in self.spans if isinstance(s, Mention))

    def __bool__(self) -> bool:
        return bool(self.spans)


def _as_spans(part: Text | Span | str) -> tuple[Span, ...]:
    if isinstance(part, Text):
        return part.spans
    if isinstance(part, str):
        return (Plain(part),) if part else ()
    return (part,)


def text(*parts: Text | Span | str) -> Text:
    """Build a :class:`Text` from strings (trusted), spans and other texts."""
    spans: tuple[Span, ...] = ()
    for p in parts:
        spans += _as_spans(p)
    return Text(spans)


def filled(template: str, **names: str) -> Text:
    """The bot's own `template` with each ``{key}`` in it replaced by ``names[key]`` as untrusted
    text (a channel's or a server's name is its admins' to choose, never markup)."""
    parts = re.split(r"\{(\w+)\}", template)
    return text(*(UserText(names[p]) if i % 2 else p for i, p in enumerate(parts)))


REFUSAL = "refusal"  # the kind of what the bus says when it refused a command (nothing changed)


def shortened(s: str, n: int) -> str:
    """`s` on one line (its runs of spaces and line breaks as one space), cut with "…" to at
    most `n` characters: a quote of what someone wrote, in a line of the bot's."""
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def lines(parts: Iterable[Text]) -> Text:
    """Join texts with newlines."""
    out = Text()
    for i, p in enumerate(parts):
        out = out + ("\n" if i else "") + p
    return out


@dataclass(frozen=True, slots=True)
class Action:
    """An abstract button: ``claim``, ``release``, ``resolve``, ``extend``, ``cancel``,
    ``notmine``, ``rate:1``..``rate:5``, ``clarity:1``..``clarity:5``, ``comment``."""

    id: str
    question_id: int
    label: str
    style: str = "default"  # default | primary | danger
    # The platform id of the question's workspace, for buttons sent where the platform does not
    # say which workspace a click belongs to (a Discord DM is shared by every server).
    workspace: str = ""

    @property
    def custom_id(self) -> str:
        """Stable id that survives restarts: ``mm:<action>:<question>[@<workspace>]``."""
        at = f"@{self.workspace}" if self.workspace else ""
        return f"mm:{self.id}:{self.question_id}{at}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file to attach where the platform allows (the digest chart)."""

    filename: str
    data: bytes
    mime: str = "image/png"


@dataclass(frozen=True, slots=True)
class ChatMessage:
    """What the bot says: a body, an optional card title and fields, and buttons."""

    body: Text
    title: Text | None = None
    fields: tuple[tuple[str, Text], ...] = ()
    actions: tuple[Action, ...] = ()
    footer: Text | None = None
    attachment: Attachment | None = None
    kind: str = "notice"  # notice | card | intro | digest | home | profile | refusal (`REFUSAL`)
    question_id: int | None = None

    def plain(self) -> str:
        """All the text of the message, plain, for the console and tests."""
        parts = [self.title.plain()] if self.title else []
        parts.append(self.body.plain())
        parts += [f"{name}: {value.plain()}" for name, value in self.fields]
        if self.footer:
            parts.append(self.footer.plain())
        return "\n".join(p for p in parts if p)

    def mentions(self) -> tuple[UserRef, ...]:
        found = list(self.body.mentions())
        for _, value in self.fields:
            found += value.mentions()
        if self.title:
            found += self.title.mentions()
        return tuple(dict.fromkeys(found))


def parse_custom_id(custom_id: str) -> tuple[str, int] | None:
    """Inverse of :attr:`Action.custom_id`; ``None`` for ids that are not ours."""
    parts = custom_id.split(":")
    if len(parts) < 3 or parts[0] != "mm":
        return None
    number = parts[-1].partition("@")[0]
    if not number.isdigit():
        return None
    return ":".join(parts[1:-1]), int(number)


def custom_id_workspace(custom_id: str) -> str | None:
    """The workspace a button's id names (see :attr:`Action.workspace`), if any."""
    if parse_custom_id(custom_id) is None:
        return None
    return custom_id.rpartition(":")[2].partition("@")[2] or None
