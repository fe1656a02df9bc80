"""Inputs come first: while any input is being taken in (stored, then acknowledged), deciding
and delivering wait their turn, for a moment at most.

Everything shares one event loop. Without this, a burst's acknowledgements queue behind the
decisions the burst itself started (each a few milliseconds of matching between awaits), and
an acknowledgement is what Slack waits 3 seconds for. With it, a burst is stored and
acknowledged first, then worked through: the same total work, in a better order
(`benchmarks/flow.py`: ack p99 beside a bare Bolt app's went from 2.4× to about 1×).
The wait is bounded so that a stream of input that never pauses still leaves room to decide.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Iterator

__all__ = ["Intake"]


class Intake:
    """Counts the inputs being taken in; `turn()` returns once there are none (or after `most`
    seconds)."""

    def __init__(self, *, most: float = 0.25) -> None:
        self.most = most
        self._taking = 0
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def taking(self) -> int:
        return self._taking

    @contextlib.contextmanager
    def taking_in(self) -> Iterator[None]:
        """Around the taking-in of one input, from its arrival to its acknowledgement."""
        self._taking += 1
        self._quiet.clear()
        try:
            yield
        finally:
            self._taking -= 1
            if self._taking == 0:
                self._quiet.set()

    async def turn(self) -> None:
        """Wait while inputs are being taken in, up to `most` seconds."""
        if self._taking == 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), self.most)
