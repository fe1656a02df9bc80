"""An input as the inbox stores it: the platform's own key, what it is, and its queue state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

__all__ = ["InboxItem"]


@dataclass(slots=True)
class InboxItem:
    """One acknowledged input. `key` is the platform's identity of it (a Slack event id, a
    Discord interaction id, …), so a retry or a replay is the same row. `kind` says who
    prepares it: ``command`` (already a command, in `payload`) or a platform's raw payload."""

    key: str
    kind: str
    lane: str
    payload: dict[str, Any] = field(repr=False)  # may hold what people typed: never logged
    received_at: datetime
    due_at: datetime
    id: int | None = None
    state: str = "pending"  # pending | done | failed
    attempts: int = 0
    lease_until: datetime | None = None
    last_error: str = ""
