"""Errors that stop start-up with a clear message instead of a traceback."""

from __future__ import annotations

__all__ = ["StartupError"]


class StartupError(Exception):
    """A problem that stops start-up with a clear message (e.g. a missing channel).

    `code` is the exit status: 2 for configuration and credentials (the default), 1 for a
    failure outside them (a database that does not answer, a port in use)."""

    def __init__(self, message: str, *, code: int = 2) -> None:
        super().__init__(message)
        self.code = code
