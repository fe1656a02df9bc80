"""The fake Discord with a second server (guild) the same bot serves, and a harness for the
security tier: the real discord.py bot against it, the pre-posting coaching off."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1] / "adapters" / "discord"))

import discord_payloads as p
from discord_fake import FakeDiscord, Recorded
from discord_harness import Harness, start_bot, stop_bot, wait_started
from discord_harness import _serve as serve
from discord_helpers import custom_ids, eventually, sub

from bot.config import Config
from tests.security.conftest import QUIET

__all__ = [
    "EPHEMERAL",
    "FakeDiscord",
    "Harness",
    "Recorded",
    "TwoGuilds",
    "custom_ids",
    "eventually",
    "running",
    "security_config",
    "serve",
    "sub",
    "wait_started",
]

EPHEMERAL = 64


@dataclass
class TwoGuilds(FakeDiscord):
    """Server A ("Acme": alice, bob, carol, admin) and server B ("Beta": dora, erin, boss, and
    bob, who is in both). Each has its own #mentoring and #mentor-admins; `acting_in(B)` makes
    slash commands, clicks and reactions come from server B."""

    b_users: tuple[str, ...] = ("dora", "erin", "boss", "eve")
    channel_guild: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        new = self.ids
        self.guild_a, self.mentoring_a, self.admin_a = (
            self.guild_id,
            self.mentoring_id,
            self.admin_id,
        )
        self.guild_b, self.mentoring_b, self.admin_b = new(), new(), new()
        for name in self.b_users:
            self.users[name] = p.user(new(), name)
        # eve, in server B, renamed herself "admin" (user name and display name).
        self.users["eve"] = p.user(self.users["eve"]["id"], "admin")
        self.channel_guild = {
            self.mentoring_a: self.guild_a,
            self.admin_a: self.guild_a,
            self.mentoring_b: self.guild_b,
            self.admin_b: self.guild_b,
        }

    @contextlib.contextmanager
    def acting_in(self, guild: str) -> Iterator[None]:
        saved = self.guild_id, self.mentoring_id
        if guild == self.guild_b:
            self.guild_id, self.mentoring_id = self.guild_b, self.mentoring_b
        try:
            yield
        finally:
            self.guild_id, self.mentoring_id = saved

    def member(self, name: str) -> dict[str, Any]:
        admin = name in ("admin", "boss")
        return p.member(
            self.users[name], permissions=p.ADMIN_PERMISSIONS if admin else p.MEMBER_PERMISSIONS
        )

    def _guild_member(self, guild_id: str, user_id: str) -> tuple[int, Any]:
        """Get Guild Member in either server: A holds everyone but B's own, B its own and bob."""
        name = next((n for n, u in self.users.items() if u["id"] == user_id), None)
        in_b = name in (*self.b_users, "bob")
        in_a = name is not None and name not in self.b_users
        if (guild_id == self.guild_a and in_a) or (guild_id == self.guild_b and in_b):
            assert name is not None
            return 200, self.member(name)
        return 404, {"message": "Unknown Member", "code": 10007}

    async def _ready(self) -> None:
        await super()._ready()  # READY (listing server A) and A's GUILD_CREATE
        await self.dispatch("GUILD_CREATE", self.guild_b_payload())

    def guild_payload(self) -> dict[str, Any]:
        a_members = [n for n in self.users if n not in self.b_users]
        channels = [
            p.channel(self.mentoring_a, "mentoring", guild_id=self.guild_a, position=0),
            p.channel(self.admin_a, "mentor-admins", guild_id=self.guild_a, position=1),
        ]
        members = [p.member(self.bot_user)] + [p.member(self.users[n]) for n in a_members]
        return p.guild_create(
            self.guild_a,
            "Acme",
            owner_id=self.users["admin"]["id"],
            channels=channels,
            members=members,
        )

    def guild_b_payload(self) -> dict[str, Any]:
        channels = [
            p.channel(self.mentoring_b, "mentoring", guild_id=self.guild_b, position=0),
            p.channel(self.admin_b, "mentor-admins", guild_id=self.guild_b, position=1),
        ]
        names = [*self.b_users, "bob"]
        members = [p.member(self.bot_user)] + [p.member(self.users[n]) for n in names]
        return p.guild_create(
            self.guild_b,
            "Beta",
            owner_id=self.users["boss"]["id"],
            channels=channels,
            members=members,
        )

    def _create_message(self, channel_id: str, body: Any, *, flags: int = 0) -> tuple[int, Any]:
        status, msg = super()._create_message(channel_id, body, flags=flags)
        if status == 200 and channel_id in self.channel_guild:
            msg["guild_id"] = self.channel_guild[channel_id]
        return status, msg

    def _thread(self, channel_id: str, message_id: str | None, body: Any) -> tuple[int, Any]:
        status, thread = super()._thread(channel_id, message_id, body)
        if status == 201 and channel_id in self.channel_guild:
            thread["guild_id"] = self.channel_guild[channel_id]
        return status, thread


def security_config(fake: FakeDiscord, **sections: Any) -> Config:
    guilds = [int(fake.guild_id)] + ([int(fake.guild_b)] if isinstance(fake, TwoGuilds) else [])
    merged: dict[str, Any] = {
        "discord": {"guild_ids": guilds},
        "bot": {"admins": []},
        **{k: dict(v) for k, v in QUIET.items()},
    }
    for name, values in sections.items():
        merged.setdefault(name, {}).update(values)
    return Config.model_validate(merged)


@contextlib.asynccontextmanager
async def running(fake: FakeDiscord, database_url: str, **sections: Any) -> AsyncIterator[Harness]:
    """The real bot serving `fake` until the block ends."""
    await fake.start()
    app, adapter, task, clock = await start_bot(
        fake, security_config(fake, **sections), database_url
    )
    try:
        await wait_started(adapter, task)
        yield Harness(fake, app, adapter, clock)
    finally:
        await stop_bot(app, task)
        await fake.stop()
