"""The interactions this process is responding to: a follow-up on their token waits for the
response, since Discord takes follow-ups only after it (before, 404 Unknown Webhook)."""

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

    async def settled(self, token: str, *, within: float) -> bool:
        """Waits (at most `within` seconds) until the response to the interaction of `token` is
        sent, when this process is sending it; False if Discord refused that response."""
        event = self._responding.get(token)
        if event is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(event.wait(), timeout=within)
        return token not in self._refused
