"""The OAuth ``state`` of the install flow: signed with SLACK_STATE_SECRET, so every replica
accepts what any replica issued, and used once."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections import OrderedDict
from logging import Logger
from typing import Any

from slack_sdk.oauth.state_store.async_state_store import AsyncOAuthStateStore

__all__ = ["SignedStateStore"]

log = logging.getLogger(__name__)


class SignedStateStore(AsyncOAuthStateStore):
    """The OAuth ``state``: a nonce and an expiry signed with SLACK_STATE_SECRET (HMAC-SHA256),
    used once: a consumed state is remembered until it expires, in this process (a replay that
    reaches another replica is still bound to the browser by Bolt's cookie, and Slack's code is
    single-use)."""

    def __init__(self, secret: str, *, expires_in: int = 600, remembered: int = 10_000) -> None:
        self._secret = secret.encode()
        self.expires_in = expires_in
        self._remembered = remembered
        # consumed state → when it expires; in consumption order, which is nearly expiry order
        self._consumed: OrderedDict[str, float] = OrderedDict()

    @property
    def logger(self) -> Logger:
        return log

    def _sign(self, payload: str) -> str:
        return hmac.new(self._secret, payload.encode(), hashlib.sha256).hexdigest()

    async def async_issue(self, *args: Any, **kwargs: Any) -> str:
        payload = f"{secrets.token_urlsafe(16)}.{int(time.time()) + self.expires_in}"
        return f"{payload}.{self._sign(payload)}"

    async def async_consume(self, state: str) -> bool:
        payload, _, signature = (state or "").rpartition(".")
        if not payload or not hmac.compare_digest(self._sign(payload), signature):
            return False
        _, _, expires = payload.rpartition(".")
        now = time.time()
        if not expires.isdigit() or int(expires) < now:
            return False
        while self._consumed and (
            next(iter(self._consumed.values())) < now or len(self._consumed) >= self._remembered
        ):
            self._consumed.popitem(last=False)
        if payload in self._consumed:
            log.warning("Slack: an OAuth state was presented again; refused")
            return False
        self._consumed[payload] = int(expires)
        return True
