"""Discord down or out of reach (a 5xx after discord.py's own retries, a connection that failed,
no answer in time) is `Unavailable`: the deliverer waits the outage out (`[flow]
give_up_after_minutes`) rather than giving the delivery up after `max_attempts`. A refusal, a
rate limit or any other error is unchanged."""

from __future__ import annotations

from types import SimpleNamespace

import aiohttp
import discord
import pytest

from adapters.discord.gateway import _delivering
from bot.ports import DeliveryRefused, RetryAfter, Unavailable


def _http_error(status: int, code: int = 0) -> discord.HTTPException:
    response = SimpleNamespace(status=status, reason="")
    error: discord.HTTPException
    if status >= 500:
        error = discord.DiscordServerError(response, {"code": code, "message": "oops"})  # type: ignore[arg-type]
    else:
        error = discord.HTTPException(response, {"code": code, "message": "oops"})  # type: ignore[arg-type]
    return error


@pytest.mark.parametrize(
    "failure",
    [
        _http_error(500),
        _http_error(502),
        _http_error(503),
        _http_error(504),
        aiohttp.ServerDisconnectedError(),
        aiohttp.ClientConnectionError("connection reset"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError(),
    ],
    ids=lambda e: type(e).__name__ + str(getattr(e, "status", "")),
)
async def test_discord_down_or_out_of_reach_is_unavailable(failure: Exception) -> None:
    with pytest.raises(Unavailable) as raised:
        async with _delivering(dm=True):
            raise failure
    assert raised.value.__cause__ is failure


@pytest.mark.parametrize(
    ("failure", "becomes"),
    [
        (_http_error(403, 50007), DeliveryRefused),  # closed DMs
        (_http_error(429), RetryAfter),
        (_http_error(400, 50035), discord.HTTPException),  # an invalid form body
    ],
)
async def test_a_refusal_a_rate_limit_or_another_error_is_not_an_outage(
    failure: Exception, becomes: type[Exception]
) -> None:
    with pytest.raises(becomes) as raised:
        async with _delivering(dm=True):
            raise failure
    assert not isinstance(raised.value, Unavailable)
