"""Apply the Alembic migrations to head, programmatically and safely at every start."""

from __future__ import annotations

import asyncio
import fcntl
import logging
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypeVar

from alembic import command
from alembic.config import Config
from alembic.script import Script, ScriptDirectory
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.connect_problems import database_said, misconfigured, unreachable
from storage.engine import create_engine, safe_url

__all__ = [
    "MIGRATIONS_DIR",
    "Migration",
    "alembic_config",
    "check_database",
    "check_sqlite_folder",
    "database_answers",
    "downgrade",
    "downgrade_plan",
    "require_database",
    "revision_named",
    "schema_behind",
    "upgrade",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant bigint: replicas starting together queue on it instead of racing the DDL.
_PG_LOCK_KEY = 0x6D6D5F6D69677261  # "mm_migra"
_T = TypeVar("_T")


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
    from alembic.util.exc import CommandError

    if at is None:
        return None
    script = _script_directory()
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


@dataclass(frozen=True)
class Migration:
    """One migration as an operator sees it: its revision, file name and one-line docstring."""

    revision: str
    name: str
    about: str
    down_revision: str | None

    @classmethod
    def of(cls, script: Script) -> Migration:
        down = script.down_revision
        return cls(
            revision=script.revision,
            name=Path(script.path).stem,
            about=textwrap.shorten(script.doc or "", width=100, placeholder=" …"),
            down_revision=down if isinstance(down, str) or down is None else down[0],
        )


def _script_directory() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def _migrations() -> list[Migration]:
    """Every migration of this release, oldest first."""
    return [Migration.of(s) for s in reversed(list(_script_directory().walk_revisions()))]


class _MigrationFailed(Exception):
    """A migration raised: which one, going which way, and what the database said."""

    def __init__(self, migration: Migration, direction: str, cause: BaseException) -> None:
        super().__init__(migration.name)
        self.migration = migration
        self.direction = direction
        self.cause = cause

    def line(self, at: str | None) -> str:
        """One line for the operator; `at` is the revision the transaction leaves in place."""
        step = "" if self.direction == "upgrade" else "the downgrade of "
        return (
            f"{step}migration {self.migration.name} failed: {database_said(self.cause)}; "
            f"nothing was changed (the migrations run in one transaction): the database is "
            f"still at revision {at or 'empty (no tables)'}"
        )


def _step(connection: Connection, migration: Migration, direction: str) -> None:
    """Apply one migration (`upgrade`) or undo it (`downgrade`) on `connection`'s transaction."""
    config = alembic_config()
    config.attributes["connection"] = connection
    try:
        if direction == "upgrade":
            command.upgrade(config, migration.revision)
        else:
            command.downgrade(config, migration.down_revision or "base")
    except Exception as e:
        log.debug("migration %s (%s) failed", migration.name, direction, exc_info=True)
        raise _MigrationFailed(migration, direction, e) from e


def _upgrade_on(connection: Connection, revision: str) -> tuple[str | None, str | None]:
    _refuse_newer(connection)
    before = _current(connection)
    target = _script_directory().get_revision(revision)
    assert target is not None  # "head" or a revision of this release
    known = _migrations()
    revisions = [m.revision for m in known]
    start = revisions.index(before) + 1 if before is not None else 0
    # One migration at a time, so that a failure can name the one that failed.
    for migration in known[start : revisions.index(target.revision) + 1]:
        _step(connection, migration, "upgrade")
    return before, _current(connection)


async def upgrade(
    url: str, revision: str = "head", *, announce: bool = True
) -> tuple[str | None, str | None]:
    """Bring the database at `url` to `revision`; a no-op when it is there already. Returns the
    revisions before and after (None: no tables); equal when nothing was applied.

    Logged at INFO only when migrations were applied and `announce` (`db upgrade` prints its
    own line instead); "already at head" is DEBUG (every one-shot command opens the database,
    and its result is the line an operator reads). All migrations run in one transaction: a
    failing one is a StartupError (exit 1) naming it, and the database stays where it was."""
    before, after = await _migrate(url, lambda c: _upgrade_on(c, revision))
    if before != after:
        log.log(
            logging.INFO if announce else logging.DEBUG,
            "database schema upgraded %s → %s (%s)",
            before or "empty",
            after,
            safe_url(url),
        )
    else:
        log.debug("database schema is at %s (%s)", revision, safe_url(url))
    return before, after


def revision_named(text: str) -> str:
    """The revision `text` names: itself, or this release's revision it is without its leading
    zeros (`24` → `0024`); what is no revision comes back unchanged, to be refused as typed."""
    padded = text.strip().zfill(4) if text.strip().isdigit() else text
    return padded if padded in {m.revision for m in _migrations()} else text


async def downgrade_plan(url: str, revision: str) -> tuple[str, list[Migration]]:
    """The database's revision and the migrations `db downgrade` would undo to reach
    `revision`, newest first; a StartupError (exit 2) when there is nothing it can do: not a
    revision, not older than the database's, no database, a database newer than the code."""
    from bot.errors import StartupError

    known = _migrations()
    revisions = [m.revision for m in known]
    if revision not in revisions:
        raise StartupError(
            f"{revision!r} is not a revision of this release (they are {revisions[0]} … "
            f"{revisions[-1]}; e.g. `micromentor db downgrade {revisions[-2]}` goes back to "
            f"{revisions[-2]})",
            code=2,
        )
    require_database(url)
    at = await _read_revision(url)
    newer = _newer_than_code(at)
    if newer:
        raise StartupError(newer, code=2)
    if at is None:
        raise StartupError("the database has no tables yet: there is nothing to undo", code=2)
    if revision == at:
        raise StartupError(
            f"the database is at revision {at} already: there is nothing to undo", code=2
        )
    if revisions.index(revision) > revisions.index(at):
        raise StartupError(
            f"revision {revision} is not older than the database's ({at}): `db downgrade` only "
            "goes back (`micromentor db upgrade` goes forward)",
            code=2,
        )
    undone = known[revisions.index(revision) + 1 : revisions.index(at) + 1]
    return at, list(reversed(undone))


def _downgrade_on(connection: Connection, *, at: str, undo: list[Migration]) -> str | None:
    from bot.errors import StartupError

    now = _current(connection)
    if now != at:  # another process moved it while the operator was asked
        raise StartupError(
            f"the database moved from revision {at} to {now} meanwhile; nothing was changed: "
            "run the command again",
            code=1,
        )
    for migration in undo:
        _step(connection, migration, "downgrade")
    return _current(connection)


async def downgrade(url: str, *, at: str, undo: list[Migration]) -> str | None:
    """Undo the migrations of :func:`downgrade_plan` (the database still at `at`), in one
    transaction; returns the revision reached. Logged at DEBUG (the CLI prints the result)."""
    after = await _migrate(url, lambda c: _downgrade_on(c, at=at, undo=undo))
    log.debug("database schema downgraded %s → %s (%s)", at, after, safe_url(url))
    return after


async def _migrate(url: str, work: Callable[[Connection], _T]) -> _T:
    """Run `work` on a connection in one transaction, taking turns with other processes."""
    check_sqlite_folder(url)
    database = make_url(url).database
    if make_url(url).get_backend_name() == "sqlite" and database and database != ":memory:":
        # SQLite can refuse two first-time schema changes outright (no waiting when the locks
        # would deadlock), so starts on one file take turns on a lock file beside it: taken
        # once the file opens as a database, so a refused path gets no lock file beside it.
        probe = create_engine(url, poolclass=pool.NullPool)
        try:
            await _reachable(probe, url)
        finally:
            await probe.dispose()
        lock = await asyncio.to_thread(_lock_file, Path(database + ".migrate-lock"))
        try:
            return await _in_one_transaction(url, work)
        finally:
            lock.close()
    return await _in_one_transaction(url, work)


async def _reachable(engine: AsyncEngine, url: str) -> None:
    """A StartupError (one line, no password) unless the database accepts a connection."""
    from bot.errors import StartupError

    try:
        async with engine.connect():
            pass
    except Exception as e:
        code = 2 if misconfigured(make_url(url), e) else 1
        raise StartupError(unreachable(url, e), code=code) from None


async def database_answers(url: str) -> None:
    """A StartupError unless the database at `url` can be used, found without changing it: a
    SQLite file's folder is checked (the file is not opened, so not created); a server must
    accept a connection."""
    check_sqlite_folder(url)
    if make_url(url).get_backend_name() == "sqlite":
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        await _reachable(engine, url)
    finally:
        await engine.dispose()


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
    """Why a SQLite file can't be created or used where `url` puts it (its folder is missing or
    not writable, a folder is at its path), in the operator's terms: SQLite itself only says
    "unable to open database file". The folder is not created for them: a typo in the path
    would quietly start an empty database elsewhere."""
    file = _sqlite_file(url)
    if file is None:
        return None
    folder = file.parent
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        return (
            f"database: the folder {folder} for the SQLite database {file.name} {what}; create "
            f"it (mkdir -p {folder}) or set DATABASE_URL (or [bot] database_url) to a file in an "
            "existing folder"
        )
    if file.is_dir():
        return (
            f"database: {file} is a directory, not a database file; set DATABASE_URL (or [bot] "
            "database_url) to a file in it (e.g. sqlite:///"
            f"{file / 'micromentor.db'}) or to another path"
        )
    why = _not_writable(folder)
    if why is None:
        return None
    if file.exists():  # SQLite keeps its -wal and -shm files beside the database
        return (
            f"cannot use the SQLite database {file}: its folder {folder} is not writable ({why}), "
            "and SQLite writes its journal files beside the database; make the folder writable "
            "or move the database"
        )
    return (
        f"cannot create the SQLite database {file}: its folder {folder} is not writable ({why}); "
        "set DATABASE_URL (or [bot] database_url) to a file in a writable folder"
    )


def _not_writable(folder: Path) -> str | None:
    """Why no file can be created in `folder` (None: it can): tried with a file that vanishes
    when closed, so nothing is left behind. Permission bits alone don't tell (root ignores them;
    a read-only mount or /proc refuses anyway)."""
    import tempfile

    try:
        with tempfile.TemporaryFile(dir=folder, prefix=".micromentor-probe-"):
            return None
    except OSError as e:
        return e.strerror or type(e).__name__


def check_sqlite_folder(url: str) -> None:
    """A StartupError (exit 2) when a SQLite file can't be created or used where `url` puts it
    (its folder missing or not writable, a directory at its path); nothing for other databases."""
    from bot.errors import StartupError

    problem = _sqlite_folder_problem(url)
    if problem:
        raise StartupError(problem, code=2)


def require_database(url: str) -> None:
    """A StartupError unless the SQLite file at `url` exists (other databases: nothing to see).

    For commands that only read (`check`, `digest`, exports, `people`): opening a missing file
    would create an empty one, so a typo in the path would leave a stray file and a puzzling
    "no tables yet". `run`, `console` and `db upgrade` create it by design."""
    from bot.errors import StartupError

    check_sqlite_folder(url)
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


async def _in_one_transaction(url: str, work: Callable[[Connection], _T]) -> _T:
    """`work` in one transaction: on SQLite and PostgreSQL DDL is transactional, so a migration
    that fails leaves the database as it was before the first one of this run."""
    from bot.errors import StartupError

    engine = create_engine(url, poolclass=pool.NullPool, foreign_keys=False)
    at: str | None = None
    try:
        await _reachable(engine, url)
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Held until commit, so a second process waits, then finds the schema at head.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                )
            at = await connection.run_sync(_current)
            done = await connection.run_sync(work)
            if connection.dialect.name == "sqlite":
                # References were not enforced while tables were rebuilt: check them now.
                broken = (await connection.exec_driver_sql("PRAGMA foreign_key_check")).all()
                if broken:
                    raise StartupError(
                        f"the migrations left {len(broken)} broken references; nothing was "
                        f"changed: the database is still at revision {at}",
                        code=1,
                    )
    except _MigrationFailed as failed:
        raise StartupError(failed.line(at), code=1) from None
    finally:
        await engine.dispose()
    return done


async def _read_revision(url: str) -> str | None:
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        await _reachable(engine, url)
        async with engine.connect() as connection:
            return await connection.run_sync(_current)
    finally:
        await engine.dispose()


async def schema_behind(url: str) -> str | None:
    """None when the database at `url` is at the newest revision; else what to do about it.

    For read-only commands (`digest`, `mentors export`, `check`): they never migrate. A missing
    SQLite file or a revision newer than the code is a StartupError (exit 2)."""
    from bot.errors import StartupError

    head = _script_directory().get_current_head()

    require_database(url)
    at = await _read_revision(url)
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
