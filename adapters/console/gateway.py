"""The console's ChatGateway: prints every message with where it went."""

from __future__ import annotations

import itertools
import os
import stat
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from adapters.console.render import render_message
from bot.flow.outbox import ReplyTo
from bot.messages import Action, ChatMessage
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef

__all__ = ["PLATFORM", "ConsoleGateway"]

PLATFORM = "console"
_BUTTON_MESSAGES_KEPT = 8


class ConsoleGateway:
    """Prints ``[#channel]``, ``[thread #3]``, ``[DM alice]``, ``[only alice sees]`` lines."""

    def __init__(self, write: Callable[[str], None]) -> None:
        self._sink = write
        # A line printed before the next message, if any comes (`heading`).
        self._heading: str | None = None
        self._seq = 0
        # Message ids are unique across console runs on one database (a card of an earlier run
        # keeps its own id): ``mentoring/<run>.<n>``.
        self._run = uuid.uuid4().hex[:8]
        self.cards: dict[int, MessageRef] = {}
        self.threads: dict[int, ThreadRef] = {}
        self._thread_names: dict[ThreadRef, str] = {}
        self._where: dict[MessageRef, str] = {}
        self._exports: Path | None = None  # where this run writes data exports
        self._exports_home: Path | None = None  # the folder kept beside the database, if any
        # The buttons printed on each number (a question, lesson, draft…), latest message first,
        # each with the one person who saw it (None: a channel or thread, everyone) and the card
        # they are on (its update replaces them).
        self._buttons: dict[int, list[_Printed]] = {}

    def heading(self, line: str | None) -> None:
        """Print `line` before the next message printed, if one is, and only then (None: no
        heading): when a `clock` jump's messages of each moment were sent."""
        self._heading = line

    def _write(self, line: str) -> None:
        if self._heading is not None:
            heading, self._heading = self._heading, None
            self._sink(heading)
        self._sink(line)

    def exports_beside(self, database: Path) -> None:
        """Data exports go to ``<name>-exports/`` beside the SQLite file `database` (e.g.
        ``console-exports/`` beside ``console.db``): one folder, kept, whatever the number of
        console runs. Without it (PostgreSQL), each run makes a private temporary folder."""
        self._exports_home = database.absolute().with_name(f"{database.stem}-exports")

    def _next(self, prefix: str) -> str:
        self._seq += 1
        return f"{prefix}/{self._run}.{self._seq}"

    def emit(
        self,
        where: str,
        message: ChatMessage,
        *,
        note: str = "",
        seen_by: UserRef | None = None,
        card: MessageRef | None = None,
    ) -> None:
        self._remember_buttons(message.actions, seen_by, card)
        lines = render_message(message)
        if message.attachment is not None and message.attachment.mime == "application/json":
            # A data export: written to a file whose path is printed (the JSON may be long) for
            # the person to open, then or after the console ends, so it is kept: in one folder
            # beside the console's database (see exports_beside), readable by this user only.
            if self._exports is None:
                self._exports = _exports_folder(self._exports_home)
            path, fd = _new_file(self._exports / Path(message.attachment.filename).name)
            with os.fdopen(fd, "wb") as out:
                out.write(message.attachment.data)
            lines.append(f"(saved to {path})")
        head = f"[{where}]" + (f" {note}" if note else "")
        if not lines:
            return
        self._write(f"{head} {lines[0]}")
        for line in lines[1:]:
            self._write(f"    {line}")

    async def post_card(
        self, channel: ChannelRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        ref = MessageRef(PLATFORM, self._next(channel.id))
        if message.question_id is not None and message.kind == "card":
            self.cards[message.question_id] = ref
        self._where[ref] = f"#{channel.id}"
        self.emit(f"#{channel.id}", message, card=ref)
        return ref

    async def update_card(self, card: MessageRef, message: ChatMessage) -> None:
        for n, printed in self._buttons.items():  # the card's old buttons are gone with it
            self._buttons[n] = [p for p in printed if p.card != card]
        where = self._where.get(card) or _card_where(card)
        self.emit(where, message, note="(card updated)", card=card)

    async def open_thread(
        self,
        *,
        card: MessageRef | None,
        channel: ChannelRef,
        members: Sequence[UserRef],
        private: bool,
        name: str,
        retry: bool = False,
    ) -> ThreadRef:
        number = name.rsplit("#", 1)[-1]
        ref = ThreadRef(PLATFORM, f"{'private-' if private else ''}thread-{number}")
        self._thread_names[ref] = _thread_label(ref)
        if number.isdigit():
            self.threads[int(number)] = ref
        return ref

    def remember(self, number: int, *, card: MessageRef | None, thread: ThreadRef | None) -> None:
        """A question's card and thread from the database (posted by an earlier console run)."""
        if card is not None and card.platform == PLATFORM:
            self.cards.setdefault(number, card)
        if thread is not None and thread.platform == PLATFORM:
            self.threads.setdefault(number, thread)
            self._thread_names.setdefault(thread, _thread_label(thread))

    async def post_in_thread(
        self, thread: ThreadRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        self.emit(self._thread_names.get(thread) or _thread_label(thread), message)
        return MessageRef(PLATFORM, self._next(thread.id))

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        self.emit(f"DM {user.id}", message, seen_by=user)
        return MessageRef(PLATFORM, self._next(f"dm-{user.id}"))

    async def send_private(
        self,
        *,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        key: str = "",
        retry: bool = False,
    ) -> None:
        self.emit(f"only {user.id} sees", message, seen_by=user)

    async def reply(
        self, to: ReplyTo, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> None:
        self.emit(f"only {to.user.id} sees", message, seen_by=to.user)

    def _remember_buttons(
        self, actions: Sequence[Action], seen_by: UserRef | None, card: MessageRef | None
    ) -> None:
        for n in dict.fromkeys(a.question_id for a in actions):
            new = _Printed(seen_by, tuple(a for a in actions if a.question_id == n), card)
            earlier = [p for p in self._buttons.get(n, []) if p.key != new.key]
            self._buttons[n] = [new, *earlier][:_BUTTON_MESSAGES_KEPT]

    def buttons_on(self, number: int, *, user: UserRef | None) -> list[tuple[Action, ...]] | None:
        """The buttons `user` saw printed on `number`, a tuple a message, the latest first (a
        card as it is now); None when nothing with buttons on `number` was printed here."""
        printed = self._buttons.get(number)
        if printed is None:
            return None
        return [p.actions for p in printed if p.seen_by in (None, user)]

    def thread_label(self, number: int) -> str | None:
        ref = self.threads.get(number)
        return (self._thread_names.get(ref) or _thread_label(ref)) if ref else None


@dataclass(frozen=True, slots=True)
class _Printed:
    """The buttons of one printed message on one number."""

    seen_by: UserRef | None
    actions: tuple[Action, ...]
    card: MessageRef | None = None

    @property
    def key(self) -> object:
        """One card is one message; the same buttons printed again to the same people, too."""
        return self.card or (self.seen_by, frozenset(a.id for a in self.actions))


def _thread_label(ref: ThreadRef) -> str:
    """``thread-2`` and ``private-thread-2`` → ``thread #2``: the one form the console grammar
    documents, for a private thread (an anonymous question's) too."""
    _, _, number = ref.id.rpartition("thread-")
    return f"thread #{number}"


def _exports_folder(home: Path | None) -> Path:
    """`home`, private to this user (made so, or refused if it is not this user's own folder:
    nobody else may read an export or put a file in its place); else a new temporary folder,
    private from the start (mkdtemp)."""
    if home is not None:
        try:
            home.mkdir(mode=0o700, exist_ok=True)
            found = home.lstat()
            if stat.S_ISDIR(found.st_mode) and found.st_uid == os.getuid():
                home.chmod(0o700)
                return home
        except (OSError, AttributeError):  # a read-only folder; no getuid (Windows)
            pass
    return Path(tempfile.mkdtemp(prefix="micromentor-exports-"))


def _card_where(card: MessageRef) -> str:
    """A card's channel from its ref (``mentoring/7`` was posted in ``#mentoring``)."""
    channel, _, _ = card.id.rpartition("/")
    return f"#{channel}" if channel else "#mentoring"


def _new_file(path: Path) -> tuple[Path, int]:
    """`path` created for writing, readable by this user only; an export already there (an
    admin's of the same person, the same day) is kept: the new one is ``<name>-2.json``, ..."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    for n in itertools.count(1):
        candidate = path if n == 1 else path.with_name(f"{path.stem}-{n}{path.suffix}")
        try:
            return candidate, os.open(candidate, flags, 0o600)
        except FileExistsError:
            continue
    raise AssertionError("unreachable")
