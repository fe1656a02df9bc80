"""MICROMENTOR_LOG_FORMAT=json: one object per line with the command type and question number,
and an exception's type and place, never its message (it may quote what a user typed)."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from bot.logs import JsonFormatter, command_context


@dataclass(frozen=True)
class ClaimQuestion:
    question_id: int
    text: str


def record(message: str, *args: object, exc: BaseException | None = None) -> logging.LogRecord:
    info = (type(exc), exc, exc.__traceback__) if exc is not None else None
    return logging.LogRecord("micromentor", logging.ERROR, __file__, 1, message, args, info)


def test_a_line_inside_a_command_names_it_and_its_question() -> None:
    with command_context(ClaimQuestion(7, "private words")):
        line = JsonFormatter().format(record("handler failed for %s", "ClaimQuestion"))
    entry = json.loads(line)
    assert entry["command"] == "ClaimQuestion"
    assert entry["question"] == 7
    assert entry["level"] == "ERROR" and entry["logger"] == "micromentor"
    assert "private words" not in line and "\n" not in line


def test_an_exception_shows_its_type_not_its_message() -> None:
    typed = "the asker wrote: my " + "secret plan"
    try:
        raise ValueError(typed)
    except ValueError as e:
        line = JsonFormatter().format(record("failed", exc=e))
    entry = json.loads(line)
    assert entry["error"] == "ValueError"
    assert "test_logs_json.py" in entry["trace"]
    assert "secret plan" not in line


def test_outside_a_command_there_is_no_command_key() -> None:
    entry = json.loads(JsonFormatter().format(record("started")))
    assert "command" not in entry and "question" not in entry
