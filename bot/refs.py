"""Opaque, platform-tagged identities of users, channels, messages, threads and workspaces."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

__all__ = ["ChannelRef", "MessageRef", "Ref", "ThreadRef", "UserRef", "WorkspaceRef"]


@dataclass(frozen=True, slots=True)
class Ref:
    """A platform identity: the core stores and compares it and never parses `id`."""

    platform: str
    id: str

    kind: ClassVar[str] = "ref"

    def key(self) -> str:
        """One string for storage: ``platform:id``."""
        return f"{self.platform}:{self.id}"

    @classmethod
    def from_key(cls, key: str) -> Self:
        """The inverse of :meth:`key`."""
        platform, _, ident = key.partition(":")
        return cls(platform, ident)

    def __str__(self) -> str:
        return self.key()


@dataclass(frozen=True, slots=True)
class UserRef(Ref):
    """A person on one platform."""

    kind: ClassVar[str] = "user"


@dataclass(frozen=True, slots=True)
class ChannelRef(Ref):
    """A channel (or group conversation) on one platform."""

    kind: ClassVar[str] = "channel"


@dataclass(frozen=True, slots=True)
class MessageRef(Ref):
    """A message the bot posted; the adapter encodes whatever it needs to find it again."""

    kind: ClassVar[str] = "message"


@dataclass(frozen=True, slots=True)
class ThreadRef(Ref):
    """A conversation thread (a reply thread, a Discord thread or a group DM)."""

    kind: ClassVar[str] = "thread"


@dataclass(frozen=True, slots=True)
class WorkspaceRef(Ref):
    """A Slack workspace, a Discord guild or the console."""

    kind: ClassVar[str] = "workspace"
