"""Small look-ups over what the fake recorded."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

__all__ = ["custom_ids", "ephemeral_answer", "eventually", "sub"]


def sub(name: str, *options: tuple[str, int, object]) -> list[dict[str, object]]:
    """A subcommand's options as Discord nests them: ``sub("join", ("skills", 3, "python"))``."""
    return [
        {
            "name": name,
            "type": 1,
            "options": [{"name": n, "type": t, "value": v} for n, t, v in options],
        }
    ]


def custom_ids(message: dict[str, Any]) -> list[str]:
    """The buttons' custom ids of a message body or message object, row by row."""
    return [c["custom_id"] for row in message.get("components") or [] for c in row["components"]]


def actions(message: dict[str, Any]) -> list[str]:
    """The buttons' custom ids without the workspace a DM's buttons carry (``…@<guild id>``)."""
    return [c.split("@", 1)[0] for c in custom_ids(message)]


async def eventually(check: Callable[[], Awaitable[bool]], *, within: float = 5.0) -> None:
    """For effects that only show in the database (no request to await): re-check until true."""
    async with asyncio.timeout(within):
        while not await check():  # noqa: ASYNC110 - the effect is a database row, not an event
            await asyncio.sleep(0.02)


async def ephemeral_answer(harness: Any, token: str) -> str:
    """The interaction's own response (type 4, ephemeral): its text."""
    (callback,) = await harness.fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    body = callback.json()
    assert body["type"] == 4, body
    assert body["data"]["flags"] & 64  # ephemeral
    return str(body["data"]["content"])
