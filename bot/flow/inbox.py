"""The inbox: every input is stored before it is acknowledged, then processed from there.

An adapter calls :meth:`Inbox.receive` (one INSERT keyed by the platform's own identity of the
input) and acknowledges only after it returned. A leased worker hands each row to the
preparer of its kind (a platform payload becomes a command; the console and Discord store the
command itself) and the command to the bus, whose transaction marks the row processed. A row in
flight when the process dies is taken up again when its lease runs out, here or at another
replica; the key drops retries and replays.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial
from typing import Any, Protocol

from bot.commands import Command
from bot.flow.codec import command_from_json, command_to_json
from bot.flow.group import GroupWriter
from bot.flow.inbox_item import InboxItem
from bot.flow.intake import Intake
from bot.flow.outbox import ReplyTo
from bot.flow.worker import NotMine
from bot.messagebus import SOMETHING_WENT_WRONG, MessageBus, workspace_of
from bot.messages import ChatMessage, text
from bot.ports import Clock, UnitOfWorkFactory
from bot.refs import WorkspaceRef

__all__ = [
    "COMMAND",
    "Inbox",
    "InboxClosed",
    "InboxItem",
    "InboxProcessor",
    "Prepared",
    "Preparer",
    "giveup_key",
]

log = logging.getLogger(__name__)

COMMAND = "command"  # the kind of a row that holds a ready command


@dataclass(frozen=True, slots=True)
class Prepared:
    """What an input means: a command to run, or a message for its issuer (a typo), or nothing
    (an event the bot does not act on)."""

    command: Command | None
    reply_to: ReplyTo | None = None
    problem: ChatMessage | None = None
    # The workspace the input came from, for a `problem` (a command names its own): what is
    # said is said for it (a gateway serving several sends it with that workspace's token).
    workspace: WorkspaceRef | None = None


class Preparer(Protocol):
    """Turns one kind of stored input into a command (may look things up on its platform)."""

    async def prepare(self, item: InboxItem) -> Prepared: ...

    def reply_to(self, item: InboxItem) -> ReplyTo | None:
        """Where to answer this input, without a network call (to apologise if it fails)."""
        ...

    def workspace(self, item: InboxItem) -> WorkspaceRef | None:
        """The workspace this input came from, without a network call (what an apology for
        it is said for); None when the stored input does not say."""
        ...


class CommandPreparer:
    """Rows that hold a command already (the console, Discord)."""

    async def prepare(self, item: InboxItem) -> Prepared:
        return Prepared(command_from_json(item.payload["command"]), self.reply_to(item))

    def reply_to(self, item: InboxItem) -> ReplyTo | None:
        raw = item.payload.get("reply_to")
        return ReplyTo.from_json(raw) if raw else None

    def workspace(self, item: InboxItem) -> WorkspaceRef | None:
        return workspace_of(command_from_json(item.payload["command"]))


def lane_of(command: Command) -> str:
    """Inputs of one person are processed in the order they came; different people's in parallel."""
    actor = getattr(command, "actor", None)
    return f"u:{actor.user.key()}" if actor is not None else "system"


class InboxClosed(Exception):
    """The bot is shutting down and takes no new input: leave it unacknowledged (the platform
    retries, at another replica or after the restart) or ask the person to try again."""


class Inbox:
    """The durable front door."""

    def __init__(
        self,
        *,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        received: Callable[[], None],
        intake: Intake | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._received = received
        self.intake = intake or Intake()
        self._batch: GroupWriter[InboxItem, bool] = GroupWriter(partial(_store, uow_factory))
        self.closed = False

    def close(self) -> None:
        """Take no new input (the first step of a shutdown)."""
        self.closed = True

    async def receive(
        self,
        *,
        key: str,
        kind: str,
        payload: dict[str, Any],
        lane: str,
        dedupe_for: timedelta | None = None,
    ) -> bool:
        """Store one input; returns False for one seen before. Acknowledge only after this.

        `dedupe_for`: for keys that can legitimately recur (a Discord reaction removed and added
        again has the same key), the same key counts as a new input once that long has passed
        since it was last taken; replays come within seconds."""
        if self.closed:
            raise InboxClosed()
        now = self._clock.now()
        item = InboxItem(
            key=key, kind=kind, lane=lane, payload=payload, received_at=now, due_at=now
        )
        with self.intake.taking_in():
            if dedupe_for is None:
                fresh = await self._batch.submit(item)
            else:
                async with self._uow_factory() as uow:
                    fresh = await uow.inbox.add(item, renew_before=now - dedupe_for)
                    await uow.commit()
        if fresh:
            self._received()
        return fresh

    async def receive_command(
        self,
        command: Command,
        *,
        key: str,
        reply_to: ReplyTo | None = None,
        dedupe_for: timedelta | None = None,
    ) -> bool:
        payload = {
            "command": command_to_json(command),
            "reply_to": reply_to.to_json() if reply_to else None,
        }
        return await self.receive(
            key=key, kind=COMMAND, payload=payload, lane=lane_of(command), dedupe_for=dedupe_for
        )


async def _store(uow_factory: UnitOfWorkFactory, batch: list[InboxItem]) -> list[bool]:
    """Inputs that arrived while the previous ones were being stored, stored together (see
    `GroupWriter`); each learns whether its key was new (a key twice in one batch: only its
    first caller)."""
    unique = list({item.key: item for item in reversed(batch)}.values())
    async with uow_factory(urgent=True) as uow:
        fresh = await uow.inbox.add_many(unique)
        await uow.commit()
    out = []
    for item in batch:
        out.append(item.key in fresh)
        fresh.discard(item.key)
    return out


class InboxProcessor:
    """`process` of the inbox worker: prepare, then run on the bus (which marks the row done)."""

    def __init__(self, bus: MessageBus, preparers: Mapping[str, Preparer] | None = None) -> None:
        self._bus = bus
        self._preparers: dict[str, Preparer] = {COMMAND: CommandPreparer(), **(preparers or {})}

    def add(self, kind: str, preparer: Preparer) -> None:
        self._preparers[kind] = preparer

    async def __call__(self, item: InboxItem) -> None:
        preparer = self._preparers.get(item.kind)
        if preparer is None:
            # Stored by a platform this process does not run (or has not connected yet):
            # leave it for one that does, without counting it as a failure.
            raise NotMine(f"no preparer for inbox kind {item.kind!r} in this process")
        prepared = await preparer.prepare(item)
        reply_to = _issued(prepared.reply_to, item)
        if prepared.command is None:
            await self._bus.answer(
                prepared.problem, reply_to=reply_to, inbox=item, workspace=prepared.workspace
            )
            return
        await self._bus.handle(prepared.command, reply_to=reply_to, inbox=item)

    async def give_up(self, item: InboxItem, error: str) -> None:
        """The input could not be processed after every attempt: its issuer is told, for the
        workspace it came from. The worker settles the row only after this returned, so a crash
        in between gives it up again: the apology's key is the row's (`giveup_key`), and the
        outbox stores it once."""
        preparer = self._preparers.get(item.kind)
        if preparer is None:
            return
        try:
            reply_to = _issued(preparer.reply_to(item), item)
        except Exception:  # who sent it can't be read (perhaps why it failed): nobody to tell
            log.warning("inbox %s: who sent it can't be read; the give-up is not told", item.id)
            return
        if reply_to is None:
            return
        try:
            workspace = preparer.workspace(item)
        except Exception:  # an input that can't be read (perhaps why it failed): said anyway
            workspace = None
        await self._bus.answer(
            ChatMessage(body=text(SOMETHING_WENT_WRONG)),
            reply_to=reply_to,
            workspace=workspace,
            key=giveup_key(item),
        )


def giveup_key(item: InboxItem) -> str:
    """The outbox key of the apology for giving `item` up: the same on every give-up of that
    row (a crash between the apology and settling the row, or another worker after the lease
    ran out), so it is stored once; another input (another row) has its own. As short as
    `new_key`'s (it is a Discord nonce)."""
    return "mmg" + hashlib.sha256(f"giveup|{item.id}|{item.key}".encode()).hexdigest()[:20]


def _issued(reply_to: ReplyTo | None, item: InboxItem) -> ReplyTo | None:
    """`reply_to` with when its token was issued, taken as the input's receipt: a platform
    sends its token with the input. (A Slack form carries the token of the click that opened it,
    older by however long the form was open: that one may still be tried after it lapsed.)"""
    if reply_to is None or reply_to.token is None or reply_to.issued_at is not None:
        return reply_to
    return replace(reply_to, issued_at=item.received_at)


def describe(item: InboxItem) -> str:
    """Log-safe: the kind and the row id (a command's payload may hold what people typed)."""
    return f"{item.kind} #{item.id}"
