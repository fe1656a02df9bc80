"""Discord's failures on demand, for the fake: rate limits, refusals, server errors and answers
held back, each matched by method and path (without the /api/v10 prefix)."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from discord_fake_rest import (
    cloudflare_too_many_requests,
    global_too_many_requests,
    json_response,
    ratelimit_headers,
    too_many_requests,
)

__all__ = ["Fault", "Faults"]


@dataclass(frozen=True)
class Fault:
    """How one request goes wrong; with `effect`, after doing what it asked (Discord can fail
    after a message was made: its 5xx say nothing about what happened)."""

    status: int
    respond: Callable[[], web.Response]  # a response is sent once: one per request
    effect: bool = False


@dataclass
class _Rule:
    method: str
    pattern: re.Pattern[str]
    once: bool
    fault: Fault | None = None
    release: asyncio.Event | None = None

    def matches(self, method: str, path: str) -> bool:
        return self.method == method and self.pattern.fullmatch(path) is not None


def _error(status: int, code: int, message: str) -> web.Response:
    body = {"message": message, "code": code}
    return json_response(body, status=status, headers=ratelimit_headers(remaining=4))


class Faults:
    """Mixed into the fake: tests arrange faults, the fake's REST handler consults them."""

    def __init__(self) -> None:
        self._faults: list[_Rule] = []
        self._holds: list[_Rule] = []
        self._global_until = 0.0  # time.monotonic() when a global rate limit ends

    def rate_limit_globally(self, seconds: float) -> None:
        """The bot's global rate limit is hit: for `seconds`, every request is answered with a
        global 429 (interactions and their follow-up webhooks aside: "Interaction endpoints are
        not bound to the bot's Global Rate Limit")."""
        self._global_until = time.monotonic() + seconds

    def cloudflare_ban_next(self, method: str, pattern: str, *, retry_after: int | None) -> None:
        """Answer the next matching request with Cloudflare's 429 (HTML, not Discord's JSON)."""
        fault = Fault(429, lambda: cloudflare_too_many_requests(retry_after))
        self._faults.append(_Rule(method, re.compile(pattern), once=True, fault=fault))

    def rate_limit_next(self, method: str, pattern: str, *, retry_after: float = 0.2) -> None:
        """Answer the next matching request with a 429, as Discord does."""
        fault = Fault(429, lambda: too_many_requests(retry_after))
        self._faults.append(_Rule(method, re.compile(pattern), once=True, fault=fault))

    def refuse(
        self, method: str, pattern: str, *, code: int = 50001, message: str = "Missing Access"
    ) -> None:
        """Answer matching requests with 403: Missing Access (50001), as Discord does for a server
        the bot is not in or a channel it can't see, or Missing Permissions (50013)."""
        fault = Fault(403, lambda: _error(403, code, message))
        self._faults.append(_Rule(method, re.compile(pattern), once=False, fault=fault))

    def fail_next(
        self,
        method: str,
        pattern: str,
        *,
        status: int = 500,
        code: int = 0,
        message: str = "500: Internal Server Error",
        effect: bool = True,
    ) -> None:
        """Answer the next matching request with an error (by default a 500 after the request
        took effect, as when Discord's answer is lost on the way back)."""
        fault = Fault(status, lambda: _error(status, code, message), effect=effect)
        self._faults.append(_Rule(method, re.compile(pattern), once=True, fault=fault))

    def hold_next(self, method: str, pattern: str) -> asyncio.Event:
        """Do the next matching request but keep its answer back until the event is set."""
        release = asyncio.Event()
        self._holds.append(_Rule(method, re.compile(pattern), once=True, release=release))
        return release

    def release_holds(self) -> None:
        for rule in self._holds:
            assert rule.release is not None
            rule.release.set()

    def fault(self, method: str, path: str) -> Fault | None:
        """How this request goes wrong, if it does (a one-shot fault is used up)."""
        left = self._global_until - time.monotonic()
        if left > 0 and not path.startswith(("/interactions/", "/webhooks/")):
            return Fault(429, lambda: global_too_many_requests(left))
        rule = self._first(self._faults, method, path)
        return rule.fault if rule is not None else None

    def hold(self, method: str, path: str) -> asyncio.Event | None:
        """What this request's answer waits for, if it is held back."""
        rule = self._first(self._holds, method, path)
        return rule.release if rule is not None else None

    @staticmethod
    def _first(rules: list[_Rule], method: str, path: str) -> Any:
        for rule in rules:
            if rule.matches(method, path):
                if rule.once:
                    rules.remove(rule)
                return rule
        return None
