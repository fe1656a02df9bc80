"""Core messages → Discord message parts: escaped Markdown, embeds, safe allowed mentions (pure)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass

import discord
from discord.utils import escape_markdown, escape_mentions

from adapters.discord.translate import PLATFORM, message_ids
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
from bot.refs import MessageRef, ThreadRef

__all__ = [
    "EMBED_KINDS",
    "GuildOf",
    "RenderedMessage",
    "allowed_mentions_for",
    "escape_user_text",
    "jump_url",
    "render_message",
    "render_text",
]

GuildOf = Callable[[int], int | None]
"""Finds the guild of a channel or thread id (None: unknown / a DM)."""

EMBED_KINDS = frozenset({"card", "digest", "profile", "home", "lightning"})
CONTENT_LIMIT = 2000
DESCRIPTION_LIMIT = 4096
FIELD_LIMIT = 1024
TITLE_LIMIT = 256
FOOTER_LIMIT = 2048
EMBED_LIMIT = 6000  # an embed's title, description, fields and footer together
BLURPLE = 0x5865F2
GREY = 0x4F545C


# One pass over untrusted text. Bare web addresses stay as typed (a backslash would become part
# of the link), apart from brackets; so do a channel link ``<#id>`` and a custom emoji
# ``<:name:id>``, which Discord itself writes for a "#channel" or an emoji picked in a slash
# command's option (neither pings). Every other Markdown character, every ``[`` (a masked link
# ``[label](url)`` needs one) and every other ``<`` (timestamps ``<t:…>``, command mentions
# ``</cmd:id>``) gets a backslash, which Discord shows as the character itself. At a line's start, so do headings and subtext (``#``, ``-#``), quotes
# and list items (``>``, ``-``, ``1.``).
_USER_TEXT = re.compile(
    r"(?P<url>https?://[^\s<]+[^<.,:;\"')\]\s])"
    r"|(?P<tag><#\d+>|<a?:\w+:\d+>)"
    r"|(?P<char>[\\*_~|`\[\]<])"
    r"|^(?P<indent>[ \t]*)(?:(?P<start>[#>+-])|(?P<number>\d+)\.)",
    re.MULTILINE,
)


def _escape_match(m: re.Match[str]) -> str:
    if url := m["url"]:
        # Percent-encoded brackets are the same address and cannot open a masked link.
        return url.replace("[", "%5B").replace("]", "%5D")
    if tag := m["tag"]:
        return tag  # a channel link or a custom emoji Discord put in for what was typed
    if char := m["char"]:
        return "\\" + char
    if start := m["start"]:
        return m["indent"] + "\\" + start
    return f"{m['indent']}{m['number']}\\."


def escape_user_text(raw: str) -> str:
    """Untrusted text: no pings (@everyone, @here, <@id>, <@&role>), no formatting, no links
    with a label of its own, no Discord tags, no hidden or reordering characters. Not
    discord.py's ``escape_markdown``: it escapes only the first ``[`` of a line and leaves the
    text up to the line's last ``)`` as typed, so a second masked link stayed live."""
    return _USER_TEXT.sub(_escape_match, escape_mentions(strip_invisible(raw)))


def jump_url(target: MessageRef | ThreadRef, guild_id: int | None) -> str:
    """``https://discord.com/channels/<guild>/<channel>[/<message>]`` (``@me`` outside guilds)."""
    guild = str(guild_id) if guild_id else "@me"
    if isinstance(target, MessageRef):
        channel, message = message_ids(target)
        return f"https://discord.com/channels/{guild}/{channel}/{message}"
    return f"https://discord.com/channels/{guild}/{target.id}"


def _jump_guild(target: MessageRef | ThreadRef, guild_of: GuildOf) -> int | None:
    channel = message_ids(target)[0] if isinstance(target, MessageRef) else int(target.id)
    return guild_of(channel)


def render_text(t: Text, *, guild_of: GuildOf, bold: bool = True) -> str:
    """Discord Markdown for a text; user text escaped, only Mention spans become pings.
    `bold` False drops the ``**`` (embed titles show them literally)."""
    out: list[str] = []
    for span in t.spans:
        match span:
            case Plain(text=s):
                out.append(s)
            case Bold(text=s):
                out.append(f"**{s}**" if bold and s.strip() else s)
            case UserText(text=s):
                out.append(escape_user_text(s))
            case Mention(user=user, name=name):
                if user.platform == PLATFORM and user.id.isdigit():
                    out.append(f"<@{user.id}>")
                else:
                    out.append("@" + escape_user_text(name))
            case Link(url=url, label=label):
                out.append(
                    f"[{escape_user_text(label)}]({url})" if url else escape_user_text(label)
                )
            case Jump(target=target, label=label):
                if isinstance(target, MessageRef | ThreadRef) and target.platform == PLATFORM:
                    url = jump_url(target, _jump_guild(target, guild_of))
                    out.append(f"[{escape_user_text(label)}]({url})")
                else:
                    out.append(escape_user_text(label))
            case When(at=at, with_date=with_date):
                # Discord shows it in each reader's own timezone.
                out.append(f"<t:{int(at.timestamp())}:{'f' if with_date else 't'}>")
    return "".join(out)


def allowed_mentions_for(message: ChatMessage) -> discord.AllowedMentions:
    """Never @everyone/@here/roles; users only where the bot itself wrote a Mention."""
    users = [
        discord.Object(int(u.id))
        for u in message.mentions()
        if u.platform == PLATFORM and u.id.isdigit()
    ]
    return discord.AllowedMentions(everyone=False, roles=False, users=users, replied_user=False)


def _cut(s: str, limit: int) -> str:
    if len(s) <= limit:
        return s
    return s[: limit - 1] + "…" if limit > 0 else ""


def _cut_lines(s: str, limit: int) -> str:
    """A long list ends after its last whole line that fits and says how many lines it leaves
    out, not mid-word under a title that promises them all. A first line too long alone is cut
    like any text."""
    if len(s) <= limit:
        return s
    lines = s.split("\n")
    left = [0] * (len(lines) + 1)  # the non-blank lines after each
    for i in range(len(lines) - 1, -1, -1):
        left[i] = left[i + 1] + bool(lines[i].strip())
    kept, size = 0, -1
    for i, line in enumerate(lines):
        size += 1 + len(line)
        if size + (len(f"\n… and {left[i + 1]} more") if left[i + 1] else 0) > limit:
            break
        kept = i + 1
    while kept and not lines[kept - 1].strip():
        kept -= 1
    if not kept:
        return _cut(s, limit)
    head = "\n".join(lines[:kept])
    return f"{head}\n… and {left[kept]} more" if left[kept] else head


@dataclass
class RenderedMessage:
    """What to send or edit: content and/or an embed, buttons to attach, mentions, a file."""

    content: str | None
    embed: discord.Embed | None
    actions: tuple[Action, ...]
    allowed_mentions: discord.AllowedMentions
    file: discord.File | None = None


def _embed(
    message: ChatMessage, body: str, *, guild_of: GuildOf, whole_lines: bool = False
) -> discord.Embed:
    title = (
        _cut(render_text(message.title, guild_of=guild_of, bold=False), TITLE_LIMIT)
        if message.title
        else ""
    )
    # Footers are not Markdown: show the plain text.
    footer = _cut(message.footer.plain(), FOOTER_LIMIT) if message.footer else ""
    fields = [
        (_cut(name, TITLE_LIMIT), _cut(render_text(value, guild_of=guild_of), FIELD_LIMIT) or "—")
        for name, value in message.fields[:25]
    ]
    # Discord refuses a whole embed past EMBED_LIMIT: the description gives way first, then
    # the last fields.
    room = EMBED_LIMIT - len(title) - len(footer)
    while fields and sum(len(n) + len(v) for n, v in fields) > room:
        fields.pop()
    room -= sum(len(n) + len(v) for n, v in fields)
    cut = _cut_lines if whole_lines else _cut
    embed = discord.Embed(
        title=title or None,
        description=cut(body, min(DESCRIPTION_LIMIT, room)) or None,
        colour=BLURPLE if message.actions else GREY,
    )
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=len(value) < 40)
    if footer:
        embed.set_footer(text=footer)
    if message.attachment and message.attachment.mime.startswith("image/"):
        embed.set_image(url=f"attachment://{message.attachment.filename}")
    return embed


def _content(message: ChatMessage, *, guild_of: GuildOf) -> str:
    parts = [render_text(message.title, guild_of=guild_of)] if message.title else []
    parts.append(render_text(message.body, guild_of=guild_of))
    parts += [
        f"**{escape_markdown(name)}:** {render_text(value, guild_of=guild_of)}"
        for name, value in message.fields
    ]
    if message.footer:
        parts.append("-# " + render_text(message.footer, guild_of=guild_of))
    return "\n".join(p for p in parts if p)


def render_message(message: ChatMessage, *, guild_of: GuildOf) -> RenderedMessage:
    """Cards, digests and profiles become embeds (their mentions go in the content so they ping);
    notices and intros are plain content, falling back to an embed past Discord's 2000 chars."""
    body = render_text(message.body, guild_of=guild_of)
    file = None
    if message.attachment is not None:
        file = discord.File(
            io.BytesIO(message.attachment.data), filename=message.attachment.filename
        )
    pings = " ".join(
        f"<@{u.id}>" for u in message.mentions() if u.platform == PLATFORM and u.id.isdigit()
    )
    if message.kind in EMBED_KINDS:
        content: str | None = pings or None
        embed: discord.Embed | None = _embed(message, body, guild_of=guild_of)
    else:
        content = _content(message, guild_of=guild_of)
        embed = None
        if len(content) > CONTENT_LIMIT:
            # Long notices are lists (mentors, the audit trail): cut between their lines.
            embed = _embed(message, body, guild_of=guild_of, whole_lines=True)
            content = pings or None
    return RenderedMessage(
        content=content,
        embed=embed,
        actions=message.actions,
        allowed_mentions=allowed_mentions_for(message),
        file=file,
    )
