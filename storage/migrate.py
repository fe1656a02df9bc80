"""Apply the Alembic migrations to head, programmatically and safely at every start."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import socket
from pathlib import Path
from typing import IO

from alembic import command
from alembic.config import Config
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine, safe_url

__all__ = [
    "MIGRATIONS_DIR",
    "alembic_config",
    "check_database",
    "require_database",
    "schema_behind",
    "upgrade",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant bigint: replicas starting together queue on it instead of racing the DDL.
_PG_LOCK_KEY = 0x6D6D5F6D69677261  # "mm_migra"


def alembic_config() -> Config:
    """An Alembic config pointing at the shipped migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _current(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def _newer_than_code(at: str | None) -> str | None:
    """What to do when the database is at a revision this release does not know: one written
    by a newer release (the code was rolled back). Alembic would only say it can't locate it;
    `db upgrade` can't help, so the advice is the newer release or a backup."""
    from alembic.script import ScriptDirectory
    from alembic.util.exc import CommandError

    if at is None:
        return None
    script = ScriptDirectory.from_config(alembic_config())
    try:
        script.get_revision(at)
    except CommandError:
        return (
            f"the database is at revision {at}, newer than this release knows (it needs "
            f"{script.get_current_head()}): run the newer release of micromentor, or restore a "
            "backup"
        )
    return None


def _refuse_newer(connection: Connection) -> None:
    from bot.errors import StartupError

    problem = _newer_than_code(_current(connection))
    if problem:
        raise StartupError(problem, code=2)


def _upgrade_on(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    _refuse_newer(connection)
    before = _current(connection)
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)
    return before, _current(connection)


async def upgrade(url: str, revision: str = "head") -> tuple[str | None, str | None]:
    """Bring the database at `url` to `revision`; a no-op when it is there already. Returns the
    revisions before and after (None: no tables); equal when nothing was applied.

    Logged at INFO only when migrations were applied; "already at head" is DEBUG (every
    one-shot command opens the database, and its result is the line an operator reads)."""
    _check_sqlite_folder(url)
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database and database != ":memory:":
        # SQLite can refuse two first-time schema changes outright (no waiting when the locks
        # would deadlock), so starts on one file take turns on a lock file beside it.
        lock = await asyncio.to_thread(_lock_file, Path(database + ".migrate-lock"))
        try:
            before, after = await _upgrade(url, revision)
        finally:
            lock.close()
    else:
        before, after = await _upgrade(url, revision)
    if before != after:
        log.info("database schema upgraded %s → %s (%s)", before or "empty", after, safe_url(url))
    else:
        log.debug("database schema is at %s (%s)", revision, safe_url(url))
    return before, after


async def _reachable(engine: AsyncEngine, url: str) -> None:
    """A StartupError (one line, no password) unless the database accepts a connection."""
    from bot.errors import StartupError

    try:
        async with engine.connect():
            pass
    except Exception as e:
        raise StartupError(unreachable(url, e), code=1) from None


def _sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database at `url` (None for other databases, memory, and SQLite URIs,
    which have their own rules)."""
    parsed = make_url(url)
    database = parsed.database
    if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
        return None
    if database.startswith("file:") or parsed.query.get("uri"):
        return None
    return Path(database)


def _sqlite_folder_problem(url: str) -> str | None:
    """Why a SQLite file can't be created where `url` puts it (its folder is missing), in the
    operator's terms; SQLite itself only says "unable to open database file". The folder is not
    created for them: a typo in the path would quietly start an empty database elsewhere."""
    file = _sqlite_file(url)
    if file is None:
        return None
    folder = file.parent
    if folder.is_dir():
        return None
    what = "is not a folder" if folder.exists() else "does not exist"
    return (
        f"the folder {folder} for the SQLite database {file.name} {what}; create it "
        f"(mkdir -p {folder}) or set DATABASE_URL (or [bot] database_url) to a file in an "
        "existing folder"
    )


def _check_sqlite_folder(url: str) -> None:
    from bot.errors import StartupError

    problem = _sqlite_folder_problem(url)
    if problem:
        raise StartupError(f"database: {problem}", code=1)


def require_database(url: str) -> None:
    """A StartupError unless the SQLite file at `url` exists (other databases: nothing to see).

    For commands that only read (`check`, `digest`, exports, `people`): opening a missing file
    would create an empty one, so a typo in the path would leave a stray file and a puzzling
    "no tables yet". `run`, `console` and `db upgrade` create it by design."""
    from bot.errors import StartupError

    _check_sqlite_folder(url)
    file = _sqlite_file(url)
    if file is not None and not file.exists():
        raise StartupError(
            f"no database at {file}: start the bot (or run `micromentor db upgrade`) to create it",
            code=2,
        )


def _lock_file(path: Path) -> IO[bytes]:
    handle = path.open("ab")
    fcntl.flock(handle, fcntl.LOCK_EX)  # released when the handle is closed
    return handle


async def _upgrade(url: str, revision: str) -> tuple[str | None, str | None]:
    engine = create_engine(url, poolclass=pool.NullPool, foreign_keys=False)
    try:
        await _reachable(engine, url)
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Held until commit, so a second process waits, then finds the schema at head.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                )
            before, after = await connection.run_sync(_upgrade_on, revision)
            if connection.dialect.name == "sqlite":
                # References were not enforced while tables were rebuilt: check them now.
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} broken references")
    finally:
        await engine.dispose()
    return before, after


async def schema_behind(url: str) -> str | None:
    """None when the database at `url` is at the newest revision; else what to do about it.

    For read-only commands (`digest`, `mentors export`, `check`): they never migrate. A missing
    SQLite file or a revision newer than the code is a StartupError (exit 2)."""
    from alembic.script import ScriptDirectory

    from bot.errors import StartupError

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()

    require_database(url)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        await _reachable(engine, url)
        async with engine.connect() as connection:
            at = await connection.run_sync(_current)
    finally:
        await engine.dispose()
    if at == head:
        return None
    newer = _newer_than_code(at)
    if newer:
        raise StartupError(newer, code=2)
    where = "has no tables yet" if at is None else f"is at revision {at}, the code needs {head}"
    return f"the database {where}; run `micromentor db upgrade` first (this command never migrates)"


async def check_database(url: str) -> list[str]:
    """`micromentor check`: the database answers and its schema is current (changes nothing)."""
    from bot.errors import StartupError

    try:
        behind = await schema_behind(url)
    except StartupError as e:
        return [str(e)]
    except Exception as e:  # any driver error: it does not answer
        return [unreachable(url, e)]
    return [behind] if behind else []


def unreachable(url: str, e: BaseException) -> str:
    """The line for a database that could not be reached: a host name that does not resolve is
    named with what to check; other failures give the driver's reason. Never the password."""
    if _caused_by(e, socket.gaierror):
        host = make_url(url).host or "localhost"
        return (
            f"database host {host} was not found (its name does not resolve); check the host "
            "in DATABASE_URL (or [bot] database_url) and this machine's DNS and network"
        )
    return f"database {safe_url(url)} does not answer: {describe_connect_error(e)}"


def _caused_by(e: BaseException, kind: type[BaseException]) -> bool:
    seen: set[int] = set()
    found: BaseException | None = e
    while found is not None and id(found) not in seen:
        if isinstance(found, kind):
            return True
        seen.add(id(found))
        found = getattr(found, "orig", None) or found.__cause__ or found.__context__
    return False


def describe_connect_error(e: BaseException) -> str:
    """A driver's failure to connect as one line, without a password."""
    reason = str(getattr(e, "orig", None) or e).strip().splitlines()
    return f"{type(e).__name__}: {reason[0]}" if reason and reason[0] else type(e).__name__
