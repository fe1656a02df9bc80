"""The memo's bounded wait: a slow load goes on in the background, once per key."""

from __future__ import annotations

import asyncio

import pytest

from bot.caching import Memo


async def test_a_slow_load_is_waited_for_within_its_bound_and_found_by_a_later_call() -> None:
    memo = Memo(ttl_seconds=60)
    release = asyncio.Event()
    loads = 0

    async def load() -> str:
        nonlocal loads
        loads += 1
        await release.wait()
        return "stored"

    with pytest.raises(TimeoutError):
        await memo.get("team", load, within=0.01)
    with pytest.raises(TimeoutError):
        await memo.get("team", load, within=0.01)
    assert loads == 1  # the second call waits for the same load
    release.set()
    assert await memo.get("team", load, within=1) == "stored"
    assert await memo.get("team", load, within=0.01) == "stored"
    assert loads == 1


async def test_a_failed_background_load_is_tried_again_by_the_next_call() -> None:
    memo = Memo(ttl_seconds=60)
    outcomes: list[str | Exception] = [RuntimeError("database down"), "stored"]

    async def load() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    with pytest.raises(RuntimeError):
        await memo.get("team", load, within=1)
    assert await memo.get("team", load, within=1) == "stored"
    assert outcomes == []


async def test_a_load_begun_before_a_forget_is_not_kept() -> None:
    """A write forgets the key while an older read is still loading: that read's value goes to
    its caller, but the next call reads again instead of keeping the state from before the
    write."""
    memo = Memo(ttl_seconds=60)
    release = asyncio.Event()
    stored = ["before the write"]

    async def load() -> str:
        value = stored[0]
        await release.wait()
        return value

    with pytest.raises(TimeoutError):
        await memo.get("team", load, within=0.01)
    stored[0] = "after the write"
    memo.forget(lambda key: key == "team")
    release.set()
    await asyncio.sleep(0)
    assert await memo.get("team", load, within=1) == "after the write"
