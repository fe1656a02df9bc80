"""The message bus: one way in for every command; runs its handler in a unit of work, then events."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from bot.commands import Command
from bot.config import Config
from bot.events import Event
from bot.matching import SimilarIndex, Taxonomy
from bot.mentor_roster import MentorRoster
from bot.messages import ChatMessage, Text, text
from bot.ports import ChatGateway, Clock, UnitOfWork, UnitOfWorkFactory

if TYPE_CHECKING:
    from bot.digest import Digest

__all__ = [
    "Context",
    "EventHandler",
    "Handler",
    "MessageBus",
    "Refusal",
    "Services",
]

log = logging.getLogger(__name__)

SOMETHING_WENT_WRONG = (
    "Sorry, something went wrong on my side and that did not go through. "
    "Nothing was lost: please try again in a moment."
)


class Refusal(Exception):
    """A polite no: the user is told why, the transaction is rolled back, nothing changes."""

    def __init__(self, message: str | Text) -> None:
        super().__init__(message if isinstance(message, str) else message.plain())
        self.text = message if isinstance(message, Text) else text(message)


@dataclass
class Services:
    """Shared, long-lived state built once by the composition root."""

    taxonomy: Taxonomy
    similar: SimilarIndex
    roster: MentorRoster
    # Renders the digest's chart (PNG bytes); None where no renderer is wired in.
    chart: Callable[[Digest], bytes] | None = None


@dataclass
class Context:
    """What a handler may use: one unit of work, the chat port, the clock, config and services."""

    uow: UnitOfWork
    chat: ChatGateway
    clock: Clock
    config: Config
    services: Services
    new_uow: UnitOfWorkFactory
    replies: list[ChatMessage] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)

    def reply(self, message: ChatMessage | Text | str) -> None:
        """Something only the user who issued the command sees."""
        if isinstance(message, ChatMessage):
            self.replies.append(message)
        else:
            self.replies.append(
                ChatMessage(body=message if isinstance(message, Text) else text(message))
            )

    def emit(self, event: Event) -> None:
        self.events.append(event)


Handler = Callable[[Any, Context], Awaitable[None]]
EventHandler = Callable[[Any, Context], Awaitable[None]]


def describe(command: Command | Event) -> str:
    """A log-safe description: the type and ids, never user text or anonymous identities."""
    ids = {k: getattr(command, k) for k in ("question_id",) if hasattr(command, k)}
    return type(command).__name__ + (f" {ids}" if ids else "")


class MessageBus:
    """Hands each command to its handler inside a transaction, then the events it recorded."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        chat: ChatGateway,
        clock: Clock,
        config: Config,
        services: Services,
        handlers: Mapping[type[Command], Handler],
        event_handlers: Mapping[type[Event], Sequence[EventHandler]],
    ) -> None:
        self.uow_factory = uow_factory
        self.chat = chat
        self.clock = clock
        self.config = config
        self.services = services
        self._handlers = dict(handlers)
        self._event_handlers = dict(event_handlers)

    def _context(self, uow: UnitOfWork) -> Context:
        return Context(
            uow=uow,
            chat=self.chat,
            clock=self.clock,
            config=self.config,
            services=self.services,
            new_uow=self.uow_factory,
        )

    async def handle(self, command: Command) -> list[ChatMessage]:
        """Run `command`; returns what only its issuer should see (never raises for user errors)."""
        handler = self._handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")
        uow = self.uow_factory()
        ctx = self._context(uow)
        try:
            async with uow:
                await handler(command, ctx)
                await uow.commit()
            for callback in ctx.after_commit:
                callback()
        except Refusal as refusal:
            return [ChatMessage(body=refusal.text)]
        except Exception:
            log.exception("handler failed for %s", describe(command))
            return [ChatMessage(body=text(SOMETHING_WENT_WRONG))]
        for event in ctx.events:
            await self._publish(event)
        return ctx.replies

    async def _publish(self, event: Event) -> None:
        queue = [event]
        while queue:
            current = queue.pop(0)
            for handler in self._event_handlers.get(type(current), ()):
                uow = self.uow_factory()
                ctx = self._context(uow)
                try:
                    async with uow:
                        await handler(current, ctx)
                        await uow.commit()
                except Exception:
                    log.exception("event handler failed for %s", describe(current))
                    continue
                queue.extend(ctx.events)
