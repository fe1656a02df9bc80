"""The outbox: what a transaction decided to say, stored with its commit and delivered after it.

Handlers record deliveries on ``ctx.outbox``; the bus writes them in the same transaction as the
state change. Each delivery has a *lane*: deliveries in one lane go out one at a time, in the
order they were decided (a question's card, its thread and what is said there share the lane
``q:<n>``, so a card update never overtakes the card and a thread message never its thread).
Targets that do not exist yet when the decision is made (the card, the session thread) are named
by the question and resolved when the delivery goes out.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Awaitable, Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.commands import Command
from bot.domain import Question
from bot.flow.codec import (
    command_from_json,
    command_to_json,
    message_from_json,
    message_to_json,
    text_from_json,
    text_to_json,
)
from bot.messages import ChatMessage, Mention, Text, text
from bot.refs import ChannelRef, Ref, ThreadRef, UserRef, WorkspaceRef

__all__ = [
    "SCRUBBED",
    "Delivery",
    "Op",
    "Outbox",
    "OutboxItem",
    "ReplyTo",
    "fallback_key",
    "new_key",
    "routed",
    "sending_for",
]

SCRUBBED = "[removed once delivered: it held a one-time secret]"


class Op(StrEnum):
    POST = "post"  # a message in a channel
    CARD = "card"  # question n's card as it is now: posted the first time, updated after
    OPEN_THREAD = "open_thread"  # question n's session conversation (its ref is recorded)
    THREAD = "thread"  # a message in question n's thread (or a given thread)
    DM = "dm"
    PRIVATE = "private"  # only one user sees it: ephemeral in a channel where possible, else DM
    REPLY = "reply"  # the answer to a command, to whoever issued it


@dataclass(frozen=True, slots=True)
class ReplyTo:
    """Where the answer to one input goes: its issuer, and the platform's handle for answering
    that input (Slack's response_url, a Discord interaction token) when it has one."""

    user: UserRef
    channel: ChannelRef | None = None
    token: str | None = field(default=None, repr=False)  # a credential of sorts: never logged
    surface: str = "ephemeral"  # ephemeral | home (Slack's App Home tab)
    app_id: str | None = None  # Discord: the application the interaction token belongs to
    # The input was pressed on the issuer's home view (Slack's App Home tab, which has no channel
    # to answer in): the bus shows that home again once the command is decided.
    from_home: bool = False
    # When the platform issued `token` (the input's receipt): tokens expire (a Discord
    # interaction's after 15 minutes, a Slack response_url's after 30). None: not known (rows
    # stored before this was recorded), and the token is tried.
    issued_at: datetime | None = None
    # The thread the input was said in, as the platform names it (Slack: its thread_ts): a
    # private answer shows in that thread, where its reader is. None: not in a thread (or rows
    # stored before this was recorded).
    thread: str | None = None
    # The message the input reacted to, as the platform names it (Slack: its ts; a reaction's
    # event does not say which thread that message is in): the answer shows in its thread,
    # looked up when it is sent. Kept apart from `thread`, which is always the platform's own
    # handle: a replica that knows nothing of this reads it as no thread, never a bad one.
    reacted: str | None = None
    # What the adapter knew when the input came in and the core doesn't (a member's
    # permissions, a server's missing channel): the gateway adds it after the answer. Stored
    # with the answer, so it goes out however late, from whichever replica.
    note: Text | None = None

    def token_outlived(self, lifetime: timedelta, *, now: datetime) -> bool:
        """Whether the token is known to be older than `lifetime`: using it would only be
        refused (and refusals count against the bot on some platforms)."""
        return self.issued_at is not None and now - self.issued_at > lifetime

    def to_json(self) -> dict[str, Any]:
        return {
            "user": self.user.key(),
            "channel": self.channel.key() if self.channel else None,
            "token": self.token,
            "surface": self.surface,
            "app_id": self.app_id,
            "from_home": self.from_home,
            "issued_at": self.issued_at.isoformat() if self.issued_at else None,
            "thread": self.thread,
            "reacted": self.reacted,
            "note": text_to_json(self.note),
        }

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> ReplyTo:
        return cls(
            user=UserRef.from_key(raw["user"]),
            channel=ChannelRef.from_key(raw["channel"]) if raw.get("channel") else None,
            token=raw.get("token"),
            surface=raw.get("surface", "ephemeral"),
            app_id=raw.get("app_id"),
            from_home=bool(raw.get("from_home", False)),
            issued_at=datetime.fromisoformat(raw["issued_at"]) if raw.get("issued_at") else None,
            thread=raw.get("thread"),
            reacted=raw.get("reacted"),
            note=text_from_json(raw.get("note")),
        )


@dataclass(frozen=True, slots=True)
class Delivery:
    """One thing to say, as decided; see :class:`Op` for what each field means per operation."""

    op: Op
    lane: str
    message: ChatMessage | None = None
    channel: ChannelRef | None = None
    user: UserRef | None = None
    thread: ThreadRef | None = None
    question_id: int | None = None
    members: tuple[UserRef, ...] = ()
    private: bool = False
    name: str = ""
    reply_to: ReplyTo | None = None
    # The message carries a secret (a sign-in link, a data export): once it has gone out (or
    # failed for good), the stored row keeps only `scrubbed()`.
    secret: bool = False
    # A DM to a member of a session thread: when it is refused (closed DMs), `fallback` is said
    # in `thread` instead, or, without one, in the thread of question `fallback_of` (its id) as
    # it is then, while `user` is still its mentor. See `Outbox.dm_or_in_thread`.
    fallback: ChatMessage | None = None
    fallback_of: int | None = None
    # A DM that asks something of `user` (a hand-over offer): when it is refused for good,
    # this command goes to the inbox, so the core hears they will never answer.
    if_refused: Command | None = None
    # The workspace this is said for: a gateway serving several (Slack's OAuth mode) sends it
    # with that workspace's token. One Slack id can be in two workspaces (an Enterprise Grid
    # user, a Slack Connect channel), so the recipient alone does not say which. None: rows
    # stored before deliveries named it (the gateway goes by where the recipient was seen).
    workspace: WorkspaceRef | None = None

    def scrubbed(self) -> Delivery:
        """The same delivery without its message: what its row keeps once it is done."""
        return replace(self, message=ChatMessage(body=text(SCRUBBED)))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"op": self.op.value}
        if self.message is not None:
            out["message"] = message_to_json(self.message)
        for name in ("channel", "user", "thread"):
            ref: Ref | None = getattr(self, name)
            if ref is not None:
                out[name] = ref.key()
        if self.question_id is not None:
            out["question_id"] = self.question_id
        if self.members:
            out["members"] = [m.key() for m in self.members]
        if self.private:
            out["private"] = True
        if self.name:
            out["name"] = self.name
        if self.reply_to is not None:
            out["reply_to"] = self.reply_to.to_json()
        if self.secret:
            out["secret"] = True
        if self.fallback is not None:
            out["fallback"] = message_to_json(self.fallback)
        if self.fallback_of is not None:
            out["fallback_of"] = self.fallback_of
        if self.if_refused is not None:
            out["if_refused"] = command_to_json(self.if_refused)
        if self.workspace is not None:
            out["workspace"] = self.workspace.key()
        return out

    @classmethod
    def from_json(cls, raw: dict[str, Any], *, lane: str) -> Delivery:
        return cls(
            op=Op(raw["op"]),
            lane=lane,
            message=message_from_json(raw["message"]) if "message" in raw else None,
            channel=ChannelRef.from_key(raw["channel"]) if "channel" in raw else None,
            user=UserRef.from_key(raw["user"]) if "user" in raw else None,
            thread=ThreadRef.from_key(raw["thread"]) if "thread" in raw else None,
            question_id=raw.get("question_id"),
            members=tuple(UserRef.from_key(m) for m in raw.get("members", ())),
            private=bool(raw.get("private", False)),
            name=raw.get("name", ""),
            reply_to=ReplyTo.from_json(raw["reply_to"]) if "reply_to" in raw else None,
            secret=bool(raw.get("secret", False)),
            fallback=message_from_json(raw["fallback"]) if "fallback" in raw else None,
            fallback_of=raw.get("fallback_of"),
            if_refused=command_from_json(raw["if_refused"]) if "if_refused" in raw else None,
            workspace=WorkspaceRef.from_key(raw["workspace"]) if raw.get("workspace") else None,
        )


def new_key() -> str:
    """An idempotency key: unique, and short enough for a Discord nonce (at most 25 characters)."""
    return "mm" + secrets.token_hex(11)


def fallback_key(key: str) -> str:
    """The key of what a delivery keyed `key` says in a session thread when its DM is refused:
    its own (a retry looks for it there), the same on every attempt, as short as `new_key`'s."""
    return "mmf" + hashlib.sha256(f"fallback|{key}".encode()).hexdigest()[:20]


@dataclass(slots=True)
class OutboxItem:
    """A stored delivery with its queue state (leased by one deliverer at a time)."""

    delivery: Delivery
    key: str
    due_at: datetime
    id: int | None = None
    state: str = "pending"  # pending | sent | failed
    attempts: int = 0
    lease_until: datetime | None = None
    last_error: str = ""
    sent_at: datetime | None = None
    result: str | None = None


def question_lane(question_id: int) -> str:
    return f"q:{question_id}"


_SENDING_FOR: ContextVar[WorkspaceRef | None] = ContextVar("sending_for", default=None)


def sending_for() -> WorkspaceRef | None:
    """The workspace of the delivery being sent (see `routed`), for a gateway that serves
    several; None outside a delivery, or for a row stored before deliveries named theirs."""
    return _SENDING_FOR.get()


def routed(
    process: Callable[[OutboxItem], Awaitable[None]],
) -> Callable[[OutboxItem], Awaitable[None]]:
    """`process` (the deliverer) with each row's workspace known to the gateway while it is
    sent (`sending_for`): the gateway's calls take no workspace, and a Slack id alone does not
    say which workspace's token to use."""

    async def send(row: OutboxItem) -> None:
        token = _SENDING_FOR.set(row.delivery.workspace)
        try:
            await process(row)
        finally:
            _SENDING_FOR.reset(token)

    return send


class Outbox:
    """What one transaction will say, in order. Handlers call these; nothing is sent here.
    Deliveries about a question refer to it by its internal id (`Delivery.question_id`).

    Each delivery names the workspace it is said for: the question's for what is about one (its
    card, its thread), else the `workspace` given, else the decision's (`workspace`: the bus sets
    it to the input's — a command's actor's workspace, a nudge's, the question of an event).
    A handler that speaks for another workspace says so (`workspace=`, or `speaking_for`)."""

    def __init__(self, workspace: WorkspaceRef | None = None) -> None:
        self.deliveries: list[Delivery] = []
        self.workspace = workspace
        # The idempotency keys some deliveries were given (by their place in `deliveries`);
        # the others get a `new_key` when they are stored.
        self.keys: dict[int, str] = {}

    @contextlib.contextmanager
    def speaking_for(self, workspace: WorkspaceRef | None) -> Iterator[None]:
        """What is recorded inside is said for `workspace` (None: leave the default as is)."""
        if workspace is None:
            yield
            return
        before, self.workspace = self.workspace, workspace
        try:
            yield
        finally:
            self.workspace = before

    def _add(self, delivery: Delivery, *, key: str | None = None) -> None:
        if key is not None:
            self.keys[len(self.deliveries)] = key
        self.deliveries.append(delivery)

    def key_of(self, index: int) -> str:
        """The outbox key of the delivery at `index`: the one it was given, else a new one."""
        return self.keys.get(index) or new_key()

    def _for(self, workspace: WorkspaceRef | None) -> WorkspaceRef | None:
        return workspace if workspace is not None else self.workspace

    def post(
        self, channel: ChannelRef, message: ChatMessage, *, workspace: WorkspaceRef | None = None
    ) -> None:
        """A message in a channel (digest, escalation bump, a heads-up to admins)."""
        self._add(
            Delivery(
                Op.POST,
                f"ch:{channel.key()}",
                message=message,
                channel=channel,
                workspace=self._for(workspace),
            )
        )

    def card(self, q: Question, *, channel: ChannelRef) -> None:
        """Show `q`'s card as the question stands when it goes out."""
        self._add(
            Delivery(
                Op.CARD,
                question_lane(q.pk),
                channel=channel,
                question_id=q.pk,
                workspace=q.workspace,
            )
        )

    def open_thread(
        self,
        q: Question,
        *,
        channel: ChannelRef,
        members: tuple[UserRef, ...],
        private: bool,
    ) -> None:
        """Open the session's conversation (under the card where the platform allows)."""
        self._add(
            Delivery(
                Op.OPEN_THREAD,
                question_lane(q.pk),
                channel=channel,
                question_id=q.pk,
                members=members,
                private=private,
                name=f"Question #{q.number}",
                workspace=q.workspace,
            )
        )

    def in_thread(
        self, message: ChatMessage, q: Question, *, thread: ThreadRef | None = None
    ) -> None:
        """A message in `q`'s thread as it is when this goes out, or in `thread` when given
        (a thread the question had before a hand-over)."""
        self._add(
            Delivery(
                Op.THREAD,
                question_lane(q.pk),
                message=message,
                thread=thread,
                question_id=q.pk,
                workspace=q.workspace,
            )
        )

    def dm(
        self,
        user: UserRef,
        message: ChatMessage,
        *,
        secret: bool = False,
        if_refused: Command | None = None,
        workspace: WorkspaceRef | None = None,
    ) -> None:
        """A direct message; `secret` when it carries one (its stored copy is scrubbed once it
        went out); `if_refused`, a command the core runs when it can't reach `user` (closed
        DMs): for a DM whose answer someone waits for."""
        self._add(
            Delivery(
                Op.DM,
                f"u:{user.key()}",
                message=message,
                user=user,
                secret=secret,
                if_refused=if_refused,
                workspace=self._for(workspace),
            )
        )

    def dm_or_in_thread(
        self,
        user: UserRef,
        message: ChatMessage,
        q: Question,
        *,
        name: str,
        thread: ThreadRef | None = None,
        in_thread: ChatMessage | None = None,
    ) -> None:
        """A DM to `user`, who is a member of a session thread of `q`: when it is refused
        (their DMs are closed) it is said in that thread instead (`in_thread`, when what the
        thread's other readers may see differs from the DM; else the DM's text), addressed to
        them by `name` (the mention pings them and nobody else). The thread is `thread` when
        given (one they were in before a hand-over), else the one `q` has when this goes out,
        as long as `user` is still its mentor. Only for a thread `user` is in: a mention in a
        private thread would pull anyone else into it, and with them its (perhaps anonymous)
        asker. Said for `q`'s workspace."""
        said = in_thread or message
        fallback = ChatMessage(
            body=text(
                Mention(user, name), ", I couldn't send you a direct message, so here it is: "
            )
            + said.body,
            question_id=message.question_id,
        )
        self._add(
            Delivery(
                Op.DM,
                f"u:{user.key()}",
                message=message,
                user=user,
                thread=thread,
                fallback=fallback,
                fallback_of=q.pk,
                workspace=q.workspace,
            )
        )

    def private(
        self,
        user: UserRef,
        channel: ChannelRef,
        message: ChatMessage,
        *,
        workspace: WorkspaceRef | None = None,
    ) -> None:
        self._add(
            Delivery(
                Op.PRIVATE,
                f"u:{user.key()}",
                message=message,
                user=user,
                channel=channel,
                workspace=self._for(workspace),
            )
        )

    def reply(
        self,
        to: ReplyTo,
        message: ChatMessage,
        *,
        workspace: WorkspaceRef | None = None,
        key: str | None = None,
    ) -> None:
        """The answer to `to`'s input; `key`, its outbox key when the same answer may be decided
        again (a give-up repeated after a crash): stored once, however often it is decided."""
        self._add(
            Delivery(
                Op.REPLY,
                f"r:{to.user.key()}",
                message=message,
                reply_to=to,
                workspace=self._for(workspace),
            ),
            key=key,
        )
