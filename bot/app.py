"""What a running bot is made of, as adapters see it (built by the composition root)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.config import Config
from bot.flow.inbox import Inbox
from bot.messagebus import MessageBus
from bot.metrics import Metrics, NullMetrics
from bot.ports import Clock, UnitOfWorkFactory
from bot.routing import RoutingGateway
from bot.runtime import Runtime
from bot.web import Web

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
    # The HTTP port's routes and the connections /readyz reports (bot/web.py).
    web: Web = field(default_factory=Web)
    metrics: Metrics = field(default_factory=NullMetrics)
    # Raises when the database does not answer (/readyz).
    ping: Callable[[], Awaitable[None]] | None = None
    # The database engine, for the operator's queries (storage/ops.py); opaque to the core.
    engine: Any = None

    @property
    def bus(self) -> MessageBus:
        return self.runtime.bus

    @property
    def inbox(self) -> Inbox:
        return self.runtime.inbox
