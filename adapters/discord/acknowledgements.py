"""The interactions this process is responding to: a follow-up on their token waits for the
response, since Discord takes follow-ups only after it (before, 404 Unknown Webhook); and which
of them were deferred with "thinking…" (type 5), whose first answer edits that response."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

__all__ = ["Acknowledgements"]

# How long Discord keeps an interaction token: a refused response is remembered as long.
TOKEN_SECONDS = 15 * 60


class Acknowledgements:
    """Per interaction token, whether its response (the acknowledgement) is still on its way, or
    Discord refused it. In memory: a token from the outbox after a restart is not known here,
    and its follow-up goes out without waiting."""

    def __init__(self) -> None:
        self._responding: dict[str, asyncio.Event] = {}
        # Token -> loop time when Discord refused its response: no follow-up would be taken.
        self._refused: dict[str, float] = {}
        # Token -> (whether its response is a "thinking…" not answered yet, loop time of the
        # response): the first answer edits it, the others are follow-ups.
        self._thinking: dict[str, tuple[bool, float]] = {}

    @contextlib.contextmanager
    def responding(self, token: str) -> Iterator[None]:
        """Around taking an interaction in (storing it, then responding): its answer may be
        decided and sent meanwhile, and waits for the end of this."""
        event = asyncio.Event()
        self._responding[token] = event
        try:
            yield
        finally:
            if self._responding.get(token) is event:  # not a second delivery's of the same
                del self._responding[token]
            event.set()

    def refused(self, token: str) -> None:
        """Discord refused the response to the interaction of `token` (it came too late, or
        the interaction is unknown): its token takes no follow-up."""
        now = asyncio.get_running_loop().time()
        self._refused = {t: at for t, at in self._refused.items() if now - at < TOKEN_SECONDS}
        self._refused[token] = now

    def responded(self, token: str, *, thinking: bool) -> None:
        """Discord took the response to the interaction of `token`: a deferred "thinking…"
        (type 5) when `thinking`, which its first answer replaces (Edit Original Interaction
        Response), else one that takes follow-ups only."""
        now = asyncio.get_running_loop().time()
        self._thinking = {t: v for t, v in self._thinking.items() if now - v[1] < TOKEN_SECONDS}
        self._thinking[token] = (thinking, now)

    def take_original(self, token: str) -> bool | None:
        """Whether an answer on `token` is the one to edit the "thinking…" response into (True
        once: the next are follow-ups; `give_back_original` if that edit did not go out); None
        when this process did not send the response (after a restart, or another replica's)."""
        known = self._thinking.get(token)
        if known is None:
            return None
        thinking, at = known
        if thinking:
            self._thinking[token] = (False, at)
        return thinking

    def give_back_original(self, token: str) -> None:
        """The edit of the "thinking…" response on `token` did not go out: the next answer is
        it again."""
        known = self._thinking.get(token)
        if known is not None:
            self._thinking[token] = (True, known[1])

    async def settled(self, token: str, *, within: float) -> bool:
        """Waits (at most `within` seconds) until the response to the interaction of `token` is
        sent, when this process is sending it; False if Discord refused that response."""
        event = self._responding.get(token)
        if event is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=within)
        return token not in self._refused
