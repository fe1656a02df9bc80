"""Apply the Alembic migrations to head, programmatically and safely at every start."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import re
import socket
from pathlib import Path
from typing import IO

from alembic import command
from alembic.config import Config
from sqlalchemy import pool, text
from sqlalchemy.engine import URL, Connection, make_url
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
    """The line for a database that could not be used: a host name that does not resolve, a
    database or role the server says does not exist, a password it refused, a file that is not
    SQLite are each named with what to do; a server that did not answer (refused, timed out)
    gives the driver's reason. Never the password."""
    parsed = make_url(url)
    if _caused_by(e, socket.gaierror):
        host = parsed.host or "localhost"
        return (
            f"database host {host} was not found (its name does not resolve); check the host "
            "in DATABASE_URL (or [bot] database_url) and this machine's DNS and network"
        )
    answered = _server_said(parsed, e)
    if answered:
        return answered
    return f"database {safe_url(url)} does not answer: {describe_connect_error(e)}"


# PostgreSQL's SQLSTATEs for the refusals a server gives a connection it did answer.
_NO_DATABASE = "3D000"  # invalid_catalog_name
_NO_ROLE = "28000"  # invalid_authorization_specification
_WRONG_PASSWORD = "28P01"  # invalid_password


def _server_said(parsed: URL, e: BaseException) -> str | None:
    """What a server (or SQLite file) that answered refused, in the operator's terms; None when
    it did not answer at all."""
    if parsed.get_backend_name() == "sqlite":
        reason = _reason(e)
        if "file is not a database" in reason:
            return (
                f"{parsed.database} is not a SQLite database (some other file is there); point "
                "DATABASE_URL (or [bot] database_url) at the bot's database file, or at a new one"
            )
        return None
    state = _sqlstate(e)
    if state is None:
        return None
    host, port = parsed.host or "localhost", parsed.port or 5432
    where = f"{host}:{port}"
    # The names as the server saw them (a URL without them gets the driver's defaults).
    named = re.search(r'"([^"]*)"', _reason(e))
    as_user = f" -U {parsed.username}" if parsed.username else ""
    if state == _NO_DATABASE:
        name = named.group(1) if named else parsed.database
        return (
            f'database "{name}" does not exist on {where}; create it (createdb -h {host} -p '
            f"{port}{as_user} {name}) or fix the database name in DATABASE_URL (or [bot] "
            "database_url)"
        )
    if state == _NO_ROLE and "does not exist" in _reason(e):
        name = named.group(1) if named else parsed.username
        return (
            f'role "{name}" does not exist on {where}; create it (createuser -h {host} -p {port} '
            f"--pwprompt {name}, as a superuser) or fix the user in DATABASE_URL (or [bot] "
            "database_url)"
        )
    if state == _WRONG_PASSWORD:
        return (
            f'the password for role "{parsed.username}" was refused by {where}; check the password in '
            "DATABASE_URL (or [bot] database_url)"
        )
    return f"database {parsed.render_as_string(hide_password=True)} refused the connection: " + (
        describe_connect_error(e)
    )


def _sqlstate(e: BaseException) -> str | None:
    """The SQLSTATE a PostgreSQL server answered with, found along the exception's causes."""
    for found in _chain(e):
        state = getattr(found, "sqlstate", None)
        if isinstance(state, str) and state:
            return state
    return None


def _reason(e: BaseException) -> str:
    reason = str(getattr(e, "orig", None) or e).strip().splitlines()
    return reason[0] if reason else ""


def _chain(e: BaseException) -> list[BaseException]:
    seen: set[int] = set()
    chain: list[BaseException] = []
    found: BaseException | None = e
    while found is not None and id(found) not in seen:
        chain.append(found)
        seen.add(id(found))
        found = getattr(found, "orig", None) or found.__cause__ or found.__context__
    return chain


def _caused_by(e: BaseException, kind: type[BaseException]) -> bool:
    return any(isinstance(found, kind) for found in _chain(e))


def describe_connect_error(e: BaseException) -> str:
    """A driver's failure to connect as one line, without a password."""
    reason = str(getattr(e, "orig", None) or e).strip().splitlines()
    return f"{type(e).__name__}: {reason[0]}" if reason and reason[0] else type(e).__name__
