"""Errors that stop start-up with a clear message instead of a traceback."""

from __future__ import annotations

__all__ = ["StartupError"]


class StartupError(Exception):
    """A problem that stops start-up with a clear message (e.g. a missing channel)."""
