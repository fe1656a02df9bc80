"""Gateway and REST payloads shaped like Discord documents them (API v10), for the fake."""

from __future__ import annotations

import itertools
from typing import Any

__all__ = [
    "ADMIN_PERMISSIONS",
    "INVITE_PERMISSIONS",
    "MANAGE_THREADS",
    "MEMBER_PERMISSIONS",
    "Snowflakes",
    "channel",
    "component_interaction",
    "guild_create",
    "member",
    "message",
    "modal_submit",
    "overwrite",
    "reaction_add",
    "role",
    "slash_interaction",
    "thread_channel",
    "user",
]

NOW = "2026-11-23T10:00:00.000000+00:00"
# View channel, send messages, read history, add reactions, use application commands, threads.
MEMBER_PERMISSIONS = str((1 << 10) | (1 << 11) | (1 << 16) | (1 << 6) | (1 << 31) | (1 << 38))
ADMIN_PERMISSIONS = str(int(MEMBER_PERMISSIONS) | (1 << 5))  # + Manage Server
# The bot's role, as README's invite link grants it (no Manage Threads).
INVITE_PERMISSIONS = 377957239872
MANAGE_THREADS = 1 << 34
ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
READ_MESSAGE_HISTORY = 1 << 16


class Snowflakes:
    """Realistic 19-digit ids, increasing."""

    def __init__(self, start: int = 1_180_000_000_000_000_000) -> None:
        self._ids = itertools.count(start)

    def __call__(self) -> str:
        return str(next(self._ids))


def user(user_id: str, name: str, *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name.title(),
        "avatar": None,
        "bot": bot,
        "public_flags": 0,
    }


def role(
    role_id: str, name: str, *, permissions: int, position: int = 1, managed: bool = True
) -> dict[str, Any]:
    """A role, as GUILD_CREATE and GUILD_ROLE_UPDATE carry it (a bot's own is ``managed``)."""
    return {
        "id": role_id,
        "name": name,
        "permissions": str(permissions),
        "position": position,
        "color": 0,
        "hoist": False,
        "managed": managed,
        "mentionable": False,
        "flags": 0,
    }


def overwrite(
    target_id: str, *, member: bool = False, allow: int = 0, deny: int = 0
) -> dict[str, Any]:
    """A channel's permission overwrite for a role (type 0; the server's id is @everyone) or a
    member (type 1), as Discord documents it."""
    return {"id": target_id, "type": int(member), "allow": str(allow), "deny": str(deny)}


def member(
    u: dict[str, Any],
    *,
    permissions: str | None = None,
    nick: str | None = None,
    roles: list[str] | None = None,
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "user": u,
        "nick": nick,
        "roles": roles or [],
        "joined_at": NOW,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }
    if permissions is not None:
        data["permissions"] = permissions
    return data


def channel(
    channel_id: str,
    name: str,
    *,
    guild_id: str,
    position: int = 0,
    overwrites: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": guild_id,
        "name": name,
        "position": position,
        "permission_overwrites": overwrites or [],
        "nsfw": False,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "parent_id": None,
        "flags": 0,
    }


def thread_channel(
    thread_id: str,
    name: str,
    *,
    guild_id: str,
    parent_id: str,
    owner_id: str,
    private: bool,
    invitable: bool = True,
) -> dict[str, Any]:
    return {
        "id": thread_id,
        "type": 12 if private else 11,
        "guild_id": guild_id,
        "parent_id": parent_id,
        "owner_id": owner_id,
        "name": name,
        "last_message_id": None,
        "message_count": 0,
        "member_count": 1,
        "rate_limit_per_user": 0,
        "flags": 0,
        "total_message_sent": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": NOW,
            "locked": False,
            "invitable": invitable,
            "create_timestamp": NOW,
        },
    }


def guild_create(
    guild_id: str,
    name: str,
    *,
    owner_id: str,
    channels: list[dict[str, Any]],
    members: list[dict[str, Any]],
    roles: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    everyone = {
        "id": guild_id,
        "name": "@everyone",
        "permissions": MEMBER_PERMISSIONS,
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }
    return {
        "id": guild_id,
        "name": name,
        "icon": None,
        "owner_id": owner_id,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [everyone, *(roles or [])],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "joined_at": NOW,
        "large": False,
        "unavailable": False,
        "member_count": len(members),
        "voice_states": [],
        "members": members,
        "channels": channels,
        "threads": [],
        "presences": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
    }


def message(
    message_id: str,
    *,
    channel_id: str,
    author: dict[str, Any],
    body: dict[str, Any],
    guild_id: str | None = None,
    flags: int = 0,
) -> dict[str, Any]:
    """A message object as the REST API returns it for a create/edit with `body`."""
    data: dict[str, Any] = {
        "id": message_id,
        "channel_id": channel_id,
        "author": author,
        "content": body.get("content") or "",
        "timestamp": NOW,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 0,
        "flags": flags,
    }
    if guild_id is not None:
        data["guild_id"] = guild_id
    if body.get("nonce") is not None:
        data["nonce"] = body["nonce"]
    return data


def _interaction(
    kind: int,
    *,
    interaction_id: str,
    application_id: str,
    guild_id: str | None,
    channel_id: str,
    who: dict[str, Any],
    data: dict[str, Any],
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if guild_id is None:  # in the bot's DM: a user instead of a member, no guild (context 1)
        payload = {
            "id": interaction_id,
            "application_id": application_id,
            "type": kind,
            "data": data,
            "channel_id": channel_id,
            "channel": {"id": channel_id, "type": 1, "recipients": [who]},
            "user": who,
            "token": f"token-{interaction_id}",
            "version": 1,
            "app_permissions": MEMBER_PERMISSIONS,
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "context": 1,
            "attachment_size_limit": 10485760,
        }
        payload.update(extra or {})
        return payload
    payload = {
        "id": interaction_id,
        "application_id": application_id,
        "type": kind,
        "data": data,
        "guild_id": guild_id,
        "channel_id": channel_id,
        "channel": {"id": channel_id, "type": 0, "guild_id": guild_id, "name": "mentoring"},
        "member": who,
        "token": f"token-{interaction_id}",
        "version": 1,
        "app_permissions": ADMIN_PERMISSIONS,
        "locale": "en-US",
        "guild_locale": "en-US",
        "entitlements": [],
        "authorizing_integration_owners": {"0": guild_id},
        "context": 0,
        "attachment_size_limit": 10485760,
    }
    payload.update(extra or {})
    return payload


def slash_interaction(
    name: str,
    options: list[dict[str, Any]],
    *,
    command_id: str,
    resolved: dict[str, Any] | None = None,
    **common: Any,
) -> dict[str, Any]:
    """Type 2 (APPLICATION_COMMAND); `options` as Discord nests them (subcommands are type 1);
    `resolved` carries the users and members that USER options (type 6) refer to."""
    data: dict[str, Any] = {
        "id": command_id,
        "name": name,
        "type": 1,
        "options": options,
        "guild_id": common["guild_id"],
    }
    if resolved:
        data["resolved"] = resolved
    return _interaction(2, data=data, **common)


def component_interaction(
    custom_id: str, *, message: dict[str, Any], **common: Any
) -> dict[str, Any]:
    """Type 3 (MESSAGE_COMPONENT): a button click."""
    data = {"custom_id": custom_id, "component_type": 2}
    return _interaction(3, data=data, extra={"message": message}, **common)


def modal_submit(
    custom_id: str,
    components: list[dict[str, Any]],
    *,
    message: dict[str, Any] | None = None,
    **common: Any,
) -> dict[str, Any]:
    """Type 5 (MODAL_SUBMIT); `message` the one whose button opened the form (none when a slash
    command did)."""
    data = {"custom_id": custom_id, "components": components}
    return _interaction(5, data=data, extra={"message": message} if message else None, **common)


def reaction_add(
    *,
    user_id: str,
    guild_id: str,
    channel_id: str,
    message_id: str,
    emoji: str,
    who: dict[str, Any],
) -> dict[str, Any]:
    """MESSAGE_REACTION_ADD."""
    return {
        "user_id": user_id,
        "channel_id": channel_id,
        "message_id": message_id,
        "guild_id": guild_id,
        "member": who,
        "emoji": {"id": None, "name": emoji},
        "burst": False,
        "burst_colors": [],
        "type": 0,
    }
