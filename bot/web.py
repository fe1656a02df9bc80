"""The HTTP port every deployment serves (``PORT``): the routes that adapters and features add
to it, and the platform connections that ``/readyz`` asks about.

The core never looks inside a route (they are Starlette routes, built by adapters); it only
keeps them, so that a platform can add its endpoints (Slack's ``/slack/events``) and a feature
its pages (a dashboard's ``Mount("/admin", ...)``) whether the server is already up or not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Web"]


@dataclass
class Web:
    """Routes to serve and connections to report; filled by adapters, read by the server."""

    routes: list[Any] = field(default_factory=list)
    # name → "is it connected now?"; a platform expected but not reporting yet is not ready.
    connections: dict[str, Callable[[], bool]] = field(default_factory=dict)
    expected: set[str] = field(default_factory=set)
    _listeners: list[Callable[[Sequence[Any]], None]] = field(default_factory=list, repr=False)

    def add_routes(self, *routes: Any) -> None:
        """Serve `routes` too (from now on, if the server is running already)."""
        self.routes.extend(routes)
        for listener in self._listeners:
            listener(routes)

    def on_routes(self, listener: Callable[[Sequence[Any]], None]) -> None:
        """Called with routes added later (the server mounts them as they come)."""
        self._listeners.append(listener)

    def expect(self, name: str) -> None:
        """`name` must report connected before the bot is ready."""
        self.expected.add(name)

    def connection(self, name: str, connected: Callable[[], bool]) -> None:
        """How to tell whether platform `name` is connected (asked at every /readyz)."""
        self.connections[name] = connected

    def not_connected(self) -> list[str]:
        """The expected platforms that are not connected now."""
        names = self.expected | set(self.connections)
        return sorted(n for n in names if not (n in self.connections and self.connections[n]()))
