"""The console loop: reads lines, keeps who is acting and the clock, hands commands to the bus."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import re
import stat
import sys
import threading
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from adapters.console.buttons import Standing, offered, standing
from adapters.console.gateway import PLATFORM, ConsoleGateway
from adapters.console.translate import HELP, Meta, translate
from bot import commands as c
from bot.actors import is_admin
from bot.app import App
from bot.clock import ManualClock
from bot.emoji import canonical_emoji, emoji_set, shown_emoji
from bot.errors import StartupError
from bot.flow.outbox import ReplyTo
from bot.messages import Action
from bot.privacy.commands import ApplyRetention, ExportPerson, ForgetPerson
from bot.recognition.commands import GiveKudos
from bot.refs import ChannelRef, MessageRef, UserRef, WorkspaceRef
from bot.textcommands import ParseError

__all__ = ["WORKSPACE", "ConsoleSession", "run_console"]

log = logging.getLogger(__name__)

WORKSPACE = WorkspaceRef(PLATFORM, "local")
_NUMBER = re.compile(r"(?<![\w.:+-])#?(\d{1,9})\b")
_NAMES_SHOWN = 10  # a refused kudos names at most this many of the people here


def channel(name: str) -> ChannelRef:
    return ChannelRef(PLATFORM, name.lstrip("#"))


class ConsoleSession:
    """One console: the current user, the manual clock, the gateway that prints.

    Every line that is a command goes through the inbox like any platform's input, and is
    processed and delivered at once, so a script reads as a conversation."""

    def __init__(
        self,
        *,
        app: App,
        gateway: ConsoleGateway,
        clock: ManualClock,
        write: Callable[[str], None],
    ) -> None:
        self.app = app
        self.bus = app.bus
        self.gateway = gateway
        self.clock = clock
        self.write = write
        self.actor: c.Actor | None = None
        self.running = True
        self._session = uuid.uuid4().hex[:12]
        self._lines = itertools.count(1)
        # Who `as` made a user of this console (a person exists on a platform before the bot
        # records them; here, once someone has been them).
        self._met: dict[UserRef, str] = {}
        # For a `click` line: what the database says of its number for the one clicking.
        self._standing: Standing | None = None

    async def setup(self) -> None:
        cfg = self.bus.config
        url = getattr(self.app.engine, "url", None)  # exports are kept beside a SQLite file
        if url is not None and url.get_backend_name() == "sqlite" and url.database:
            self.gateway.exports_beside(Path(url.database))
        await self.bus.handle(
            c.RegisterWorkspace(
                WORKSPACE,
                channel(cfg.channels.mentoring),
                channel(cfg.channels.admin),
                timezone=cfg.bot.timezone,
                name="console",
                escalation_channel=(
                    channel(cfg.channels.escalation) if cfg.channels.escalation else None
                ),
            )
        )

    def _tell(self, lines: Iterable[str], who: str | None = None) -> None:
        where = f"[only {who} sees]" if who else "[console]"
        for i, line in enumerate(lines):
            self.write(f"{where} {line}" if i == 0 else f"    {line}")

    async def feed(self, line: str) -> None:
        """Handle one line; never raises."""
        try:
            await self._feed(line)
        except Exception:
            log.exception("console line failed")
            self._tell(["Sorry, something went wrong on my side; nothing was lost. Try again."])

    async def _recall(self, line: str) -> None:
        """Cards and threads of the questions `line` names that an earlier run posted: from the
        database, so `react`, `say` and card updates work across console runs."""
        numbers = {int(n) for n in _NUMBER.findall(line)} - self.gateway.cards.keys()
        if not numbers:
            return
        async with self.app.uow_factory() as uow:
            for n in sorted(numbers):
                q = await uow.questions.get_by_number(WORKSPACE, n)
                if q is not None:
                    self.gateway.remember(n, card=q.card, thread=q.thread)

    async def _look_up(self, line: str) -> None:
        """Before a `click` line: its number's question (and the clicker's part in it) and the
        clicker's courses, so that a mistyped button lists only those that make sense now."""
        self._standing = None
        word, _, rest = line.strip().lstrip("\ufeff").partition(" ")
        number = rest.rsplit(maxsplit=1)[-1].lstrip("#") if rest.strip() else ""
        if word.lower() != "click" or self.actor is None or not _NUMBER.fullmatch(number):
            return
        async with self.app.uow_factory(read_only=True) as uow:
            self._standing = await standing(
                uow,
                self.actor.user,
                WORKSPACE,
                int(number),
                now=self.clock.now(),
                admin=is_admin(self.actor, self.bus.config),
            )

    async def _feed(self, line: str) -> None:
        await self._recall(line)
        await self._look_up(line)
        parsed = translate(
            line,
            actor=self.actor,
            now=self.clock.now(),
            card_of=self.gateway.cards.get,
            thread_of=self.gateway.threads.get,
            buttons_on=self._buttons_seen,
        )
        if parsed is None:
            return
        if isinstance(parsed, ParseError):
            self._tell(parsed.message.split("\n"), self.actor.name if self.actor else None)
            if parsed.message.startswith("I don't understand") and "Did you mean" not in (
                parsed.message
            ):
                self._tell(HELP.split("\n"))
            return
        if isinstance(parsed, Meta):
            await self._meta(parsed)
            return
        if isinstance(
            parsed, GiveKudos | ForgetPerson | ExportPerson
        ) and not await self._is_someone(parsed):
            return
        if isinstance(parsed, c.HandleReaction) and not self._acted_on(parsed):
            return
        await self._run(parsed)

    def _acted_on(self, reaction: c.HandleReaction) -> bool:
        """On the platforms any emoji may be added to a card and the bot passes over the ones
        it does not act on; a console line that does nothing is told so (False)."""
        claim = self.bus.config.claim
        if canonical_emoji(reaction.emoji) in emoji_set([*claim.emoji, *claim.resolve_emoji]):
            return True
        typed = reaction.emoji
        typed = f":{typed}:" if typed.isascii() else typed  # a name, as Slack writes it
        self._tell(
            [
                f"{typed} does nothing here: react {shown_emoji(claim.emoji)} on a "
                f"question to claim it; its asker's {shown_emoji(claim.resolve_emoji)} in the thread "
                "or on the question resolves it."
            ],
            reaction.actor.name,
        )
        return False

    def _buttons_seen(self, number: int, action: str) -> tuple[Action, ...] | None:
        """The buttons on `number` a mistyped `action` may have meant, that make sense now for
        the one clicking; None when nothing with buttons on `number` was printed here."""
        user = self.actor.user if self.actor else None
        groups = self.gateway.buttons_on(number, user=user)
        return None if groups is None else offered(groups, action, self._standing)

    async def _is_someone(self, command: GiveKudos | ForgetPerson | ExportPerson) -> bool:
        """Slack and Discord take a real member; a console name is typed: kudos go only to a
        user of this console (someone `as` made, or the bot has recorded), never to a made-up
        name that would get points, and a forget or an export names someone this console knows
        (a typo is not answered as if there were someone to erase or export). Else the typist is told who is here;
        False. (Anyone the bot has recorded counts, whatever they did: an anonymous asker is
        as known as anyone else, so this tells nobody who asked anonymously.)"""
        if not isinstance(command, GiveKudos) and not is_admin(command.actor, self.bus.config):
            return True  # refused as such by the core, before any name matters
        if isinstance(command, GiveKudos):
            who, typed, done = command.to, command.to_name, "no kudos were sent"
            new = f" Someone new? `as {typed}` brings them in; then thank them again."
        else:
            erase = isinstance(command, ForgetPerson)
            done = "there's nothing to erase" if erase else "there's nothing to export"
            who, typed, new = command.person, command.name, ""
        if who in self._met:
            return True
        async with self.app.uow_factory(read_only=True) as uow:
            if await uow.people.get(who) is not None:
                return True
            seen, total = await uow.people.seen_in(WORKSPACE, "", limit=_NAMES_SHOWN)
        others = [*self._met.values(), *(name for _, name, _, _ in seen)]
        names = [n for n in dict.fromkeys(others) if n != command.actor.name]
        cut = len(names) > _NAMES_SHOWN or total > len(seen)
        shown = ", ".join(names[:_NAMES_SHOWN]) + (", …" if cut else "")
        here = f"People here: {shown}." if names else "Nobody else is here yet."
        self._tell(
            [
                f"I don't know anyone called {typed} in this console, so {done}. {here}{new}",
            ],
            command.actor.name,
        )
        return False

    async def _run(self, command: c.Command) -> None:
        reply_to = None
        if self.actor is not None:
            reply_to = ReplyTo(self.actor.user, channel=channel(self.bus.config.channels.mentoring))
        key = f"console:{self._session}:{next(self._lines)}"
        await self.app.inbox.receive_command(command, key=key, reply_to=reply_to)
        await self.app.runtime.drain()

    async def _pass_time(self, *, until: datetime) -> None:
        """Move the clock on to `until` as time passes: through each nudge due on the way, at
        its time, so what it starts is timed from then (the wrap-up's grace, a stale-thread
        check) as it would be on the real clock, not from the end of the jump."""
        try:
            while True:
                async with self.app.uow_factory(read_only=True) as uow:
                    due = await uow.nudges.next_due(self.clock.now(), until)
                if due is None:
                    break
                self.clock.advance(max(due - self.clock.now(), timedelta()))
                # What this moment sends is headed by when it was (only if it sends anything).
                self.gateway.heading(f"[console] … {due:%a %Y-%m-%d %H:%M} UTC")
                await self.app.runtime.drain()
            self.clock.advance(max(until - self.clock.now(), timedelta()))
            self.gateway.heading(f"[console] … {until:%a %Y-%m-%d %H:%M} UTC")
            await self.app.runtime.drain()
        finally:
            # A drain that raised must not leave its heading over the next line printed.
            self.gateway.heading(None)

    async def _meta(self, meta: Meta) -> None:
        if meta.kind == "help":
            self._tell(HELP.split("\n"))
        elif meta.kind == "quit":
            self.running = False
        elif meta.kind == "as":
            self.actor = c.Actor(
                user=UserRef(PLATFORM, meta.name), name=meta.name, workspace=WORKSPACE
            )
            self._met[self.actor.user] = meta.name
            self._tell([f"you are now {meta.name}"])
        elif meta.kind == "clock":
            assert meta.delta is not None
            now = self.clock.now() + meta.delta
            await self._pass_time(until=now)
            self._tell([f"clock is now {now:%a %Y-%m-%d %H:%M} UTC"])
            # `run` posts the weekly digest from a cron on the real clock; here it is due on the
            # console's clock like any nudge. Once per week: the digest run row says if it went.
            await self.bus.handle(c.SendDigest(now, workspace=WORKSPACE))
            # So is the daily retention run (`[privacy]`): texts past their days are removed.
            await self.bus.handle(ApplyRetention(now))
            await self.app.runtime.drain()
        elif meta.kind == "say":
            assert self.actor is not None
            label = self.gateway.thread_label(meta.question_id)
            if label is None:
                n = meta.question_id
                said = (
                    f"Question #{n} has no session thread yet: it opens when a mentor claims it."
                    if self.gateway.cards.get(n) is not None
                    else f"There is no thread for question #{n}. Check the number and try again."
                )
                self._tell([said], self.actor.name)
                return
            thread = self.gateway.threads.get(meta.question_id)
            if thread is not None and thread.id.startswith("private-"):
                # As on Slack and Discord, only its members write in a private thread: the
                # asker and the mentor (the platforms add nobody else to it).
                async with self.app.uow_factory(read_only=True) as uow:
                    q = await uow.questions.get_by_number(WORKSPACE, meta.question_id)
                if q is not None and self.actor.user not in (q.asker, q.mentor):
                    n = meta.question_id
                    said = f"Thread #{n} is private to its asker and mentor; only they write in it."
                    self._tell([said], self.actor.name)
                    return
            self.write(f"[{label}] {self.actor.name}: {meta.text}")
            await self._run(c.RecordThreadActivity(self.actor, question_id=meta.question_id))
            card = self.gateway.cards.get(meta.question_id)
            said = meta.text.strip()
            resolving = emoji_set(self.bus.config.claim.resolve_emoji)
            if said and canonical_emoji(said) in resolving and card is not None:
                # In the console a resolve emoji said in the thread stands for the reaction, on
                # a message in the thread (not on the card, where it'd be answered).
                in_thread = MessageRef(card.platform, f"{card.id}-said")
                await self._run(c.HandleReaction(self.actor, in_thread, said, thread))


async def run_console(
    session: ConsoleSession, lines: TextIO | None = None, *, interactive: bool = False
) -> None:
    """Read lines from `lines` (a script) or standard input until the end or ``quit``.

    A pipe or a terminal is read by a daemon thread (see :class:`_InputThread`): the event loop
    never blocks on it, so Ctrl-C stops the console at once, with the input still open."""
    await session.setup()
    source = lines or sys.stdin
    reader = _InputThread.of(source)
    if interactive:
        session.write("Micromentor console. Type `help` for the grammar, `as alice` to start.")
        try:
            await _read_terminal(session, source, reader)
        except asyncio.CancelledError:  # Ctrl-C: end the prompt's line before the shell's
            print(flush=True)
            raise
    else:
        async for line in _script_lines_of(source, reader):
            await session.feed(line)
            if not session.running:
                break
    if interactive or not session.running:  # typed `quit`, or left a terminal session
        session.write("[console] Bye!")


class _InputThread:
    """Standard input (a pipe or a terminal) read by a daemon thread into a queue, a line at a
    time. Reading it in the event loop, or in the loop's executor, held Ctrl-C up until the
    input ended: the loop (or its shutdown, waiting for the executor) was stuck in ``read``.
    A daemon thread stuck there is left behind at exit. It reads the file descriptor with
    ``os.read``, never the buffered ``sys.stdin``, whose lock it would hold at exit."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._loop = asyncio.get_running_loop()
        self._lines: asyncio.Queue[bytes] = asyncio.Queue()
        threading.Thread(target=self._read, name="console-input", daemon=True).start()

    @classmethod
    def of(cls, source: TextIO) -> _InputThread | None:
        """A reader for `source` when it is a pipe, socket or terminal (None: read it as is)."""
        try:
            fd = source.fileno()
            mode = os.fstat(fd).st_mode
        except (AttributeError, OSError, ValueError):
            return None  # a StringIO, or a stand-in without a descriptor
        if not (stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode)):
            return None  # a regular file never keeps a reader waiting
        return cls(fd)

    def _put(self, line: bytes) -> bool:
        try:
            self._loop.call_soon_threadsafe(self._lines.put_nowait, line)
        except RuntimeError:  # the loop is closed: nobody reads any more
            return False
        return True

    def _read(self) -> None:
        pending = b""
        while True:
            try:
                chunk = os.read(self._fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                if pending:
                    self._put(pending)
                self._put(b"")
                return
            pending += chunk
            while (end := pending.find(b"\n")) >= 0:
                if not self._put(pending[: end + 1]):
                    return
                pending = pending[end + 1 :]

    async def readline(self) -> bytes:
        """The next line with its end (b"": the input ended)."""
        return await self._lines.get()


async def _read_terminal(
    session: ConsoleSession, source: TextIO, reader: _InputThread | None
) -> None:
    loop = asyncio.get_running_loop()
    while session.running:
        print("> ", end="", flush=True)
        try:
            if reader is not None:
                line = (await reader.readline()).decode("utf-8")
            else:
                line = await loop.run_in_executor(None, source.readline)
            line.encode("utf-8")  # a C/POSIX locale's stdin turns bad bytes into surrogates
        except UnicodeError:
            session.write("[console] That line is not UTF-8 text; please type it again.")
            continue
        if not line:
            return
        await session.feed(line.rstrip("\r\n"))


async def _script_lines_of(source: TextIO, reader: _InputThread | None) -> AsyncIterator[str]:
    """:func:`_script_lines`, from the input thread when there is one."""
    if reader is None:
        for line in _script_lines(source):
            yield line
        return
    number = 0
    while read := await reader.readline():
        lines = _decoded(read, source, number)
        number += len(lines)
        for line in lines:
            yield line


_LINE_END = re.compile(r"\r\n|\r|\n")


def _script_lines(source: TextIO) -> Iterator[str]:
    """A script's lines (``\\n``, ``\\r\\n`` or ``\\r`` ends), read as they are needed, each
    decoded on its own: a line that is not UTF-8 raises `StartupError` naming the file and the
    line (exit status 1) before anything of it reaches the bot. (A file object decodes a block
    at a time, so its own error could not say which line.)"""
    raw = getattr(source, "buffer", None)
    reads: Iterator[bytes | str] = (
        iter(raw.readline, b"") if raw is not None else iter(source.readline, "")
    )
    number = 0
    for read in reads:
        lines = _decoded(read, source, number)
        number += len(lines)
        yield from lines


def _decoded(read: bytes | str, source: TextIO, number: int) -> list[str]:
    """The lines of one read (after line `number` of `source`); StartupError if not UTF-8."""
    try:
        text = read.decode("utf-8") if isinstance(read, bytes) else read
        text.encode("utf-8")  # a C/POSIX locale's stdin turns bad bytes into surrogates
    except UnicodeError:
        raise StartupError(
            f"{_source_name(source)}: line {number + 1} is not UTF-8 text; "
            "save the script as UTF-8",
            code=1,
        ) from None
    return _LINE_END.split(text.removesuffix("\r\n").removesuffix("\n"))


def _source_name(source: TextIO) -> str:
    name = getattr(source, "name", None)
    return name if isinstance(name, str) and not name.startswith("<") else "standard input"
