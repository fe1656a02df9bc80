"""What a running bot is made of, as adapters see it (built by the composition root)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.config import Config
from bot.flow.inbox import Inbox
from bot.messagebus import MessageBus
from bot.ports import Clock, UnitOfWorkFactory
from bot.routing import RoutingGateway
from bot.runtime import Runtime

__all__ = ["App"]


@dataclass
class App:
    """Everything a running bot needs, built once."""

    config: Config
    runtime: Runtime
    uow_factory: UnitOfWorkFactory
    chat: RoutingGateway
    clock: Clock
    dispose: Callable[[], Awaitable[None]]
    # Routes (Starlette's) served beside a platform's own on the HTTP port: the dashboard.
    http_routes: list[Any] = field(default_factory=list)

    @property
    def bus(self) -> MessageBus:
        return self.runtime.bus

    @property
    def inbox(self) -> Inbox:
        return self.runtime.inbox
