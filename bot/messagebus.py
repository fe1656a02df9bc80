"""The message bus: one way in for every command. A command and the events it causes are decided
in one transaction that also stores what to say (the outbox); talking happens after commit."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.caching import Memo
from bot.commands import Command, ShowHome
from bot.config import Config
from bot.events import Event
from bot.flow.inbox_item import InboxItem
from bot.flow.outbox import Outbox, OutboxItem, ReplyTo
from bot.flow.worker import LeaseLost, NotYet
from bot.logs import command_context
from bot.matching import LearnedExpertise, SimilarIndexes, Taxonomy, TopicClassifier
from bot.mentors.roster_cache import MentorRoster
from bot.messages import REFUSAL, ChatMessage, Text, text
from bot.ports import Clock, StaleWrite, Suggester, UnitOfWork, UnitOfWorkFactory
from bot.refs import WorkspaceRef

if TYPE_CHECKING:
    from bot.digest.figures import Digest

__all__ = [
    "SOMETHING_WENT_WRONG",
    "Context",
    "EventHandler",
    "Handler",
    "MessageBus",
    "Refusal",
    "Services",
]

log = logging.getLogger(__name__)

# How often a decision is made again when a question it read changed meanwhile (`StaleWrite`):
# each retry reads what the other decision committed, so a third clash is a storm of them.
_DECIDE_ATTEMPTS = 3

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
    similar: SimilarIndexes[WorkspaceRef]  # resolved questions, one index per workspace
    roster: MentorRoster
    # Renders the digest's chart (PNG bytes); None where no renderer is wired in.
    chart: Callable[[Digest], bytes] | None = None
    # Figures that may be seconds old (mentor load, the usual wait for a claim).
    figures: Memo = field(default_factory=lambda: Memo(ttl_seconds=5.0))
    # Who helped with what, per workspace (bot/matching/learned.py); an optional model that
    # reads questions (None: the offline classifier over `taxonomy`).
    learned: LearnedExpertise = field(default_factory=LearnedExpertise)
    classifier: TopicClassifier | None = None
    # Topics in demand that nobody in the workspace could teach, by (workspace key, topic): the
    # clock time until which the demand check skips them, and the roster's change count then
    # (bot/lightning/proposals.py).
    untaught: dict[tuple[str, str], tuple[datetime, int]] = field(default_factory=dict)
    # Next steps after a session from a language model (None: the offline suggester only).
    suggester: Suggester | None = None
    # The HTTP port `run` serves (the dashboard's too, for sign-in links when [dashboard]
    # public_url is empty); None where nothing is served.
    web_port: int | None = None
    # What dashboard links are stamped with when the bot's clock is simulated (the console's
    # `--now` and `clock +2d`): another process checks them against real time. None: the
    # bot's clock, which in production is the system clock.
    credential_clock: Clock | None = None
    # The command that serves the dashboard on this process's database, where this process
    # serves none (the console, on its own console.db); None: `micromentor dashboard`.
    dashboard_command: str | None = None


@dataclass
class Context:
    """What a handler may use: one unit of work, the clock, config, services, and the outbox to
    record what to say. There is no chat here: nothing a handler does talks to a platform.

    `reads` is a read-only snapshot for look-ups that tolerate being a moment old (ranking,
    similar questions, names): on SQLite it takes no write lock, so the deciding transaction,
    which begins at its first statement on `uow`, holds the lock only while it writes."""

    uow: UnitOfWork
    clock: Clock
    config: Config
    services: Services
    outbox: Outbox = field(default_factory=Outbox)
    replies: list[ChatMessage] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)
    # Set by a handler that stored a nudge due at once: the nudge worker is woken after commit
    # instead of at the scheduler's next tick.
    nudge_now: bool = False
    read_factory: UnitOfWorkFactory | None = None
    _reads: UnitOfWork | None = None

    async def reads(self) -> UnitOfWork:
        """The read-only snapshot (opened on first use, closed with the decision). Once the
        deciding transaction has begun it reads there instead: a transaction holding SQLite's
        write lock must never wait for another connection."""
        if self._reads is None:
            if self.read_factory is None or self.uow.in_transaction():
                return self.uow
            self._reads = await self.read_factory(read_only=True).__aenter__()
        return self._reads

    async def close_reads(self) -> None:
        if self._reads is not None:
            reads, self._reads = self._reads, None
            await reads.__aexit__(None, None, None)

    def reply(self, message: ChatMessage | Text | str) -> None:
        """Something only the user who issued the command sees."""
        if isinstance(message, ChatMessage):
            self.replies.append(message)
        else:
            self.replies.append(
                ChatMessage(body=message if isinstance(message, Text) else text(message))
            )

    def emit(self, event: Event) -> None:
        """A fact other handlers react to, in this same transaction."""
        self.events.append(event)


Handler = Callable[[Any, Context], Awaitable[None]]
EventHandler = Callable[[Any, Context], Awaitable[None]]


def workspace_of(command: Command) -> WorkspaceRef | None:
    """The workspace a command is issued in: its actor's, else the one it names (a scheduled
    command's); None when it names none (what it says then names its own)."""
    actor = getattr(command, "actor", None)
    found = getattr(actor, "workspace", None) if actor is not None else None
    if found is None:
        found = getattr(command, "workspace", None)
    return found if isinstance(found, WorkspaceRef) else None


async def _workspace_of_event(event: Event, ctx: Context) -> WorkspaceRef | None:
    found = getattr(event, "workspace", None)
    if isinstance(found, WorkspaceRef):
        return found
    question_id = getattr(event, "question_id", None)
    if isinstance(question_id, int):
        # Read where the handlers read it: the question the decision wrote is known already.
        q = await ctx.uow.questions.get(question_id)
        if q is not None:
            return q.workspace
    return None


def describe(command: Command | Event) -> str:
    """A log-safe description: the type and ids, never user text or anonymous identities."""
    ids = {k: getattr(command, k) for k in ("question_id",) if hasattr(command, k)}
    return type(command).__name__ + (f" {ids}" if ids else "")


async def _nothing() -> None:
    return None


class _RolledBack(Exception):
    """Raised inside a transaction to undo it (see :meth:`MessageBus.handle_together`)."""


class MessageBus:
    """Hands each command to its handler inside a transaction, then the events it recorded."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        config: Config,
        services: Services,
        handlers: Mapping[type[Command], Handler],
        event_handlers: Mapping[type[Event], Sequence[EventHandler]],
    ) -> None:
        self.uow_factory = uow_factory
        self.clock = clock
        self.config = config
        self.services = services
        self._handlers = dict(handlers)
        self._event_handlers = dict(event_handlers)
        # Called after a commit that stored deliveries: wakes the deliverer (or, in the console
        # and tests, delivers at once).
        self.committed: Callable[[], Awaitable[None]] = _nothing
        # Called after a commit that stored a nudge due at once (`Context.nudge_now`): wakes the
        # nudge worker (or, in the console and tests, works through what is due at once).
        self.nudged: Callable[[], Awaitable[None]] = _nothing

    async def decide(
        self,
        work: Callable[[Context], Awaitable[None]],
        *,
        inbox: InboxItem | None = None,
        workspace: WorkspaceRef | None = None,
    ) -> Context:
        """Run `work`, then the handlers of the events it emits, in one transaction that also
        stores the deliveries they recorded (and marks `inbox` processed); commit. What is said
        is said for `workspace` (the input's) unless a handler names another (see `Outbox`).

        Two decisions about one question may run at once (the inbox decides several inputs
        together, by person): when another one changed the question after this one read it, its
        write is refused (`StaleWrite`), this transaction is dropped, and `work` runs again on
        what is stored now, as if it had come a moment later."""
        for attempt in range(1, _DECIDE_ATTEMPTS + 1):
            try:
                return await self._decide_once(work, inbox=inbox, workspace=workspace)
            except StaleWrite:
                if attempt == _DECIDE_ATTEMPTS:
                    raise
                log.info("a question changed under a decision; deciding again (%d)", attempt)
        raise AssertionError("unreachable")

    async def _decide_once(
        self,
        work: Callable[[Context], Awaitable[None]],
        *,
        inbox: InboxItem | None,
        workspace: WorkspaceRef | None,
    ) -> Context:
        uow = self.uow_factory()
        ctx = Context(
            uow=uow,
            clock=self.clock,
            config=self.config,
            services=self.services,
            outbox=Outbox(workspace),
            read_factory=self.uow_factory,
        )
        try:
            async with uow:
                await work(ctx)
                await self._publish(ctx)
                if ctx.outbox.deliveries:
                    now = self.clock.now()
                    await uow.outbox.add_many(
                        [
                            OutboxItem(delivery=d, key=ctx.outbox.key_of(i), due_at=now)
                            for i, d in enumerate(ctx.outbox.deliveries)
                        ]
                    )
                if inbox is not None:
                    # Last, so that SQLite's write lock is not taken before it must be; the
                    # lease is checked in the same transaction that commits the decision.
                    assert inbox.id is not None and inbox.lease_until is not None
                    started = await uow.inbox.start(
                        inbox.id, lease_until=inbox.lease_until, at=self.clock.now()
                    )
                    if not started:
                        raise LeaseLost()
                await uow.commit()
        finally:
            await ctx.close_reads()
        for callback in ctx.after_commit:
            callback()
        if ctx.outbox.deliveries:
            await self.committed()
        if ctx.nudge_now:
            await self.nudged()
        return ctx

    async def _publish(self, ctx: Context) -> None:
        done = 0
        while done < len(ctx.events):
            event = ctx.events[done]
            done += 1
            handlers = self._event_handlers.get(type(event), ())
            if not handlers:
                continue
            # What a reaction says is said for the event's workspace: its question's (a forget
            # cancels sessions in several workspaces in one decision), else the one it names.
            with ctx.outbox.speaking_for(await _workspace_of_event(event, ctx)):
                for handler in handlers:
                    await handler(event, ctx)

    async def handle(
        self,
        command: Command,
        *,
        reply_to: ReplyTo | None = None,
        inbox: InboxItem | None = None,
    ) -> list[ChatMessage]:
        """Run `command`. Its replies go to `reply_to` through the outbox when given, and are
        returned either way. User errors never raise; with an `inbox` item an unexpected error
        does (its worker retries it), without one the user is told something went wrong."""
        handler = self._handlers.get(type(command))
        if handler is None:
            raise LookupError(f"no handler for {type(command).__name__}")

        async def work(ctx: Context) -> None:
            await handler(command, ctx)
            if reply_to is not None:
                for i, message in enumerate(ctx.replies):
                    # The adapter's note (`ReplyTo.note`) is said once, after the first answer.
                    ctx.outbox.reply(reply_to if i == 0 else replace(reply_to, note=None), message)
                if reply_to.from_home:
                    await self._show_home_again(command, reply_to, ctx)

        try:
            with command_context(command):
                ctx = await self.decide(work, inbox=inbox, workspace=workspace_of(command))
        except Refusal as refusal:
            said = ChatMessage(body=refusal.text, kind=REFUSAL)
            if reply_to is not None or inbox is not None:
                await self.answer(
                    said, reply_to=reply_to, inbox=inbox, workspace=workspace_of(command)
                )
            return [said]
        except LeaseLost:
            raise
        except NotYet:
            if inbox is not None:
                raise  # its worker looks again shortly
            return []
        except Exception:
            if inbox is not None:
                raise
            log.exception("handler failed for %s", describe(command))
            return [ChatMessage(body=text(SOMETHING_WENT_WRONG))]
        return ctx.replies

    async def _show_home_again(self, command: Command, reply_to: ReplyTo, ctx: Context) -> None:
        """A button pressed on the home view changed what it shows ([Pause] → [Resume]): the home
        is built again in the same transaction and published to its owner, as on opening it."""
        actor = getattr(command, "actor", None)
        show_home = self._handlers.get(ShowHome)
        if actor is None or show_home is None or isinstance(command, ShowHome):
            return
        said = len(ctx.replies)
        await show_home(ShowHome(actor), ctx)
        home = ReplyTo(reply_to.user, surface="home")
        for message in ctx.replies[said:]:
            ctx.outbox.reply(home, message)
        del ctx.replies[said:]

    async def handle_together(self, commands: Sequence[Command]) -> list[Text | None]:
        """Run `commands` in one transaction: all of them are kept, or none. Returns what each
        was refused for (None where it was accepted); if any is refused, nothing is stored.
        Replies are not delivered: the caller reports."""
        refusals: list[Text | None] = []

        async def work(ctx: Context) -> None:
            refusals.clear()  # a decision made again (`StaleWrite`) starts over
            for command in commands:
                try:
                    with ctx.outbox.speaking_for(workspace_of(command)):
                        await self._handlers[type(command)](command, ctx)
                except Refusal as refusal:
                    refusals.append(refusal.text)
                else:
                    refusals.append(None)
            if any(r is not None for r in refusals):
                raise _RolledBack()

        with contextlib.suppress(_RolledBack):
            await self.decide(work)
        return refusals

    async def answer(
        self,
        message: ChatMessage | None,
        *,
        reply_to: ReplyTo | None,
        inbox: InboxItem | None = None,
        workspace: WorkspaceRef | None = None,
        key: str | None = None,
    ) -> None:
        """Say `message` to `reply_to` (if any) and mark `inbox` processed, in one transaction;
        said for `workspace` (the input's, when known). With `key`, the answer's outbox key:
        an answer decided again under the same key is not stored again (see `Outbox.reply`)."""

        async def work(ctx: Context) -> None:
            if reply_to is not None and message is not None:
                ctx.outbox.reply(reply_to, message, key=key)

        await self.decide(work, inbox=inbox, workspace=workspace)
