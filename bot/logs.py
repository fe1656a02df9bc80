"""Logging set-up: level and format from the environment, quiet libraries, and JSON lines
(``MICROMENTOR_LOG_FORMAT=json``) that carry the command type and question number, never user
text."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import traceback
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from bot.config import Config, ConfigError

__all__ = [
    "PAYLOAD_LOGGERS",
    "JsonFormatter",
    "command_context",
    "configure_logging",
    "quiet_for_console",
]

log = logging.getLogger("micromentor")

# These print request and response bodies at DEBUG (question text, an anonymous asker's id):
# they stay at WARNING whatever MICROMENTOR_LOG_LEVEL says.
# discord.gateway logs every event it receives at DEBUG (a message's or a form's text).
PAYLOAD_LOGGERS = (
    "slack_sdk",
    "slack_bolt",
    "discord.http",
    "discord.client",
    "discord.webhook",
    "discord.gateway",
)
# Start-up chatter that says nothing an operator acts on (the bot logs its own summary).
_NOISY = (
    "alembic",
    "aiosqlite",
    "asyncio",
    "sqlalchemy.engine",
    "apscheduler",
    "discord.ext.commands",
    "uvicorn",
    "uvicorn.error",
    "websockets",
    "aiohttp.access",
    # At DEBUG, matplotlib (the digest chart) logs every font it scores (~270 lines) and PIL
    # every image plugin it loads.
    "matplotlib",
    "PIL",
)

# Warnings every start prints that say nothing to fix: the bot never joins voice channels.
_STARTUP_NOISE = {
    "discord.client": ("voice will NOT be supported",),
    # Bolt reads SLACK_BOT_TOKEN itself and warns that the client we give it wins (it has it).
    "slack_bolt.AsyncApp": ("`token` will be unused",),
}


class _PayloadGuard(logging.Filter):
    """Below WARNING, nothing from the payload loggers, whatever their own level says: Bolt
    gives each of its loggers the root's level when it creates it (so holding its parent at
    WARNING is not enough), and at INFO it logs a refused request's whole body — a question, a
    user id, a live response_url — when a signature or timestamp is off (a drifting clock)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.WARNING:
            return True
        name = record.name
        return not any(name == p or name.startswith((p + ".", p + ":")) for p in PAYLOAD_LOGGERS)


class _DropNoise(logging.Filter):
    def __init__(self, phrases: tuple[str, ...]) -> None:
        super().__init__()
        self.phrases = phrases

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not any(p in message for p in self.phrases)


_command: ContextVar[tuple[str, int | None] | None] = ContextVar("mm_command", default=None)


@contextlib.contextmanager
def command_context(command: object) -> Iterator[None]:
    """Tag the log records written while `command` runs with its type and question number."""
    question = getattr(command, "question_id", None)
    token = _command.set((type(command).__name__, question if isinstance(question, int) else None))
    try:
        yield
    finally:
        _command.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line. An exception shows its type and where it happened, not its
    message (a message can quote what a user typed)."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        tagged = _command.get()
        command = getattr(record, "command", None) or (tagged[0] if tagged else None)
        question = getattr(record, "question", None) or (tagged[1] if tagged else None)
        if command:
            entry["command"] = command
        if question is not None:
            entry["question"] = question
        if record.exc_info and record.exc_info[0] is not None:
            entry["error"] = record.exc_info[0].__name__
            entry["trace"] = "".join(traceback.format_tb(record.exc_info[2]))
        return json.dumps(entry, ensure_ascii=False)


def quiet_for_console(config: Config) -> None:
    """The console is a conversation on a terminal: the operator's INFO lines (escalations,
    retries) would interleave with it, so it logs warnings and errors only, unless a level was
    chosen (MICROMENTOR_LOG_LEVEL, or `log_level` in bot.toml)."""
    if os.environ.get("MICROMENTOR_LOG_LEVEL", "").strip():
        return
    if "log_level" in config.bot.model_fields_set:
        return
    root = logging.getLogger()
    if root.level < logging.WARNING:
        root.setLevel(logging.WARNING)


def configure_logging(config: Config) -> None:
    """Level from MICROMENTOR_LOG_LEVEL (else bot.toml), format from MICROMENTOR_LOG_FORMAT
    (``text`` or ``json``; a wrong level or format raises ConfigError), on standard error;
    libraries held at WARNING."""
    level = config.log_level()  # before anything changes: a wrong level stops start-up
    fmt = os.environ.get("MICROMENTOR_LOG_FORMAT", "").strip().lower()
    if fmt and fmt not in ("text", "json"):  # as a wrong level: a configuration error
        raise ConfigError(
            f"MICROMENTOR_LOG_FORMAT: {os.environ['MICROMENTOR_LOG_FORMAT'].strip()!r} is not "
            "one of text, json"
        )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_micromentor", False)]:
        root.removeHandler(old)
    handler._micromentor = True  # type: ignore[attr-defined]
    handler.addFilter(_PayloadGuard())
    if not root.handlers:  # as logging.basicConfig: a host's handlers (pytest's) stay alone
        root.addHandler(handler)
    root.setLevel(level)
    for noisy in (*_NOISY, *PAYLOAD_LOGGERS):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name, phrases in _STARTUP_NOISE.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, _DropNoise) for f in logger.filters):
            logger.addFilter(_DropNoise(phrases))
