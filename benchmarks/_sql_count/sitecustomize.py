"""Loaded by `micromentor run` when `benchmarks/flow.py --count-sql` puts this folder on its
PYTHONPATH: counts the SQL statements the bot runs (and, on SQLite, the CPU each takes on the
driver's thread) while the file ``counting`` exists in $MICROMENTOR_BENCH_SQL_DIR, and writes
them to ``sql.<pid>.json`` there when the process exits. Nothing happens without that variable.
"""

from __future__ import annotations

import atexit
import json
import os
import re
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

_DIR = os.environ.get("MICROMENTOR_BENCH_SQL_DIR")


def _install(folder: Path) -> None:
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    import storage.sqlite_driver as driver

    flag = folder / "counting"
    counts: Counter[str] = Counter()
    thread_cpu: Counter[str] = Counter()
    lock = threading.Lock()

    def shape(sql: str) -> str:
        # The column list says little and is long: keep what is selected from, and how.
        flat = re.sub(r"\s+", " ", sql).strip()
        return re.sub(r"^SELECT (?!count).*? FROM ", "SELECT … FROM ", flat)[:160]

    @event.listens_for(Engine, "before_cursor_execute")
    def _seen(_c: Any, _cur: Any, statement: str, *_: Any) -> None:
        if flag.exists():
            counts[shape(statement)] += 1

    stock = driver._run

    def timed(connection: Any, operation: str, parameters: Any, many: bool) -> Any:
        started = time.thread_time()
        try:
            return stock(connection, operation, parameters, many)
        finally:
            spent = time.thread_time() - started
            if flag.exists():
                with lock:
                    thread_cpu[shape(operation)] += spent

    driver._run = timed

    def dump() -> None:
        out = {"counts": dict(counts), "sqlite_thread_cpu": dict(thread_cpu)}
        (folder / f"sql.{os.getpid()}.json").write_text(json.dumps(out), encoding="utf-8")

    atexit.register(dump)


if _DIR:
    _install(Path(_DIR))
