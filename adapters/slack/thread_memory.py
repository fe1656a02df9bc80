"""Which reply thread a Slack message is in, remembered per process (`ThreadMemory`), so a
reaction on a message the bot has seen needs no conversations.replies call: reaction_added names
the message only (its channel and ts), and Slack limits conversations.replies hard for apps
outside the Marketplace (one call a minute), and counts it against Tier 3 for every other app.

Only what can't change is remembered: that a message is a reply in a thread (a reply never
moves), and that a message is a thread's first message (it has a reply). A message at the
channel's root without replies is not: a reply may make it a thread's first message later, and
conversations.replies would then say so."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

from adapters.slack.translate import thread_ref
from bot.refs import ThreadRef

__all__ = ["DEFAULT_SIZE", "ThreadMemory"]

# Some 50,000 messages (a key and a thread_ts each: a few MB at most), the least recently used
# forgotten first.
DEFAULT_SIZE = 50_000

# The message events that are a message as it was posted, in the thread it was posted in: a
# person's message (with a file, /me, also sent to the channel) or an app's. Edits, deletions and
# "message_replied" carry another message inside (or none) and an event ts of their own: never
# learned from.
_POSTED = frozenset({None, "thread_broadcast", "file_share", "me_message", "bot_message"})

_Key = tuple[str, str, str]  # (team id, channel id, message ts): a ts is unique per channel only


class ThreadMemory:
    """ts → the thread_ts of the thread a message is in (its own ts for a thread's first
    message), keyed by workspace and channel; at most `size` messages, least recently used
    forgotten first."""

    def __init__(self, size: int = DEFAULT_SIZE) -> None:
        if size < 1:
            raise ValueError("a thread memory holds at least one message")
        self.size = size
        self._threads: OrderedDict[_Key, str] = OrderedDict()

    def __len__(self) -> int:
        return len(self._threads)

    def thread_of(self, team: str, channel: str, ts: str) -> ThreadRef | None:
        """The thread message `ts` is in, as conversations.replies would tell it
        (`SlackGateway.thread_of`); None when it is not known."""
        key = (team, channel, ts)
        thread_ts = self._threads.get(key)
        if thread_ts is None:
            return None
        self._threads.move_to_end(key)
        return thread_ref(channel, thread_ts)

    def in_thread(self, team: str, channel: str, ts: str, thread_ts: str) -> None:
        """Message `ts` of `channel` is in the thread `thread_ts` (a reply, or the thread's
        first message itself, whose thread_ts is its own ts); that first message has a reply."""
        if not (channel and ts and thread_ts):
            return
        self._put((team, channel, thread_ts), thread_ts)
        if ts != thread_ts:
            self._put((team, channel, ts), thread_ts)

    def learn(self, team: str, event: Mapping[str, Any]) -> None:
        """What a message event says (Events API ``message``): a message posted in a thread.
        A message at the root with no thread_ts says nothing that lasts; an edit or deletion
        (``message_changed``, ``message_deleted``) nothing at all."""
        if event.get("type") != "message" or event.get("subtype") not in _POSTED:
            return
        if event.get("hidden"):
            return
        channel, ts, thread_ts = event.get("channel"), event.get("ts"), event.get("thread_ts")
        if isinstance(channel, str) and isinstance(ts, str) and isinstance(thread_ts, str):
            self.in_thread(team, channel, ts, thread_ts)

    def _put(self, key: _Key, thread_ts: str) -> None:
        self._threads[key] = thread_ts
        self._threads.move_to_end(key)
        while len(self._threads) > self.size:
            self._threads.popitem(last=False)
