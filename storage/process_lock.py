"""One long-running `micromentor run` per SQLite file.

SQLite serves one process: each keeps in-memory indexes (similar questions, learned expertise,
the roster) that another process's writes would leave stale, and writers queue inside one
process only (storage/gate.py). A second `run` on the same file is refused at start.

The lock is an OS advisory lock (``flock``) on ``<database>.run-lock`` beside the file, held
for the life of the process: the OS releases it when the process ends in any way (kill -9
included), so a crashed bot never blocks the next start. It is separate from
``<database>.migrate-lock`` (storage/migrate.py), which every command that migrates takes for a
moment while the running bot holds this one: one-shot commands (`db upgrade`, `mentors export`,
…) keep working beside the bot. The file holds the holder's pid, for the message only.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import IO

__all__ = ["RUN_LOCK_SUFFIX", "hold_database"]

RUN_LOCK_SUFFIX = ".run-lock"


def hold_database(url: str) -> IO[bytes] | None:
    """Lock the SQLite file at `url` for this process (None: not a SQLite file, nothing to hold).

    Close the returned handle to release it (the OS does at exit anyway). A StartupError (exit
    1) when another process holds it."""
    from bot.errors import StartupError
    from storage.migrate import _sqlite_file, check_sqlite_folder

    file = _sqlite_file(url)
    if file is None:
        return None
    check_sqlite_folder(url)
    # Beside the real file, so that two spellings of one path (a symlink) share the lock.
    path = Path(os.path.realpath(file))
    lock_path = path.parent / (path.name + RUN_LOCK_SUFFIX)
    handle = lock_path.open("a+b")  # never truncated before the lock is ours
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read(32).decode("ascii", "replace").strip()
        handle.close()
        holder = f" (pid {pid})" if pid.isdigit() else ""
        raise StartupError(
            f"{file} is in use by another micromentor process{holder}; SQLite serves one "
            "process — use PostgreSQL for replicas",
            code=1,
        ) from None
    except BaseException:
        handle.close()
        raise
    with contextlib.suppress(OSError):  # the pid is for the message only
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n".encode("ascii"))
        handle.flush()
    return handle
