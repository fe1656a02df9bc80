"""Database fixtures shared by every test tier: migrated SQLite and PostgreSQL, and units of work.

Use ``db_url`` (runs the test on both databases), ``sqlite_url`` or ``postgres_url`` for a clean,
migrated database, ``db_engine`` for an engine on it, and ``uow_factory`` for units of work.
PostgreSQL comes from ``MICROMENTOR_TEST_POSTGRES_URL`` (default: local ``postgres@…/test``);
each session migrates one freshly created database and every test starts on emptied tables.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import exc, pool, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import create_engine, safe_url
from storage.migrate import upgrade
from storage.tables import metadata
from storage.uow import SqlUnitOfWork, make_uow_factory

POSTGRES_URL_ENV = "MICROMENTOR_TEST_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"

T = TypeVar("T")


def run_sync(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to completion on its own loop in a worker thread.

    Keeps session-wide set-up off pytest-asyncio's per-test event loops.
    """
    with ThreadPoolExecutor(max_workers=1) as worker:
        return worker.submit(lambda: asyncio.run(make())).result()


async def _admin(base_url: str, statement: str) -> None:
    engine = create_engine(
        base_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT", connect_args={"timeout": 5}
    )
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def _empty_tables(url: str) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            await connection.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def _sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sqlite-template") / "micromentor.db"
    run_sync(lambda: upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture
def sqlite_url(_sqlite_template: Path, tmp_path: Path) -> str:
    """A migrated SQLite file database of this test alone."""
    path = tmp_path / "micromentor.db"
    shutil.copyfile(_sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


@pytest.fixture(scope="session")
def _postgres_database() -> Iterator[str]:
    base = os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)
    name = f"micromentor_test_{uuid.uuid4().hex[:12]}"
    try:
        run_sync(lambda: _admin(base, f'CREATE DATABASE "{name}"'))
    except (OSError, TimeoutError, exc.DBAPIError) as error:
        reason = f"PostgreSQL is not reachable at {safe_url(base)} ({POSTGRES_URL_ENV}): {error}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        run_sync(lambda: upgrade(url))
        yield url
    finally:
        run_sync(lambda: _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def postgres_url(_postgres_database: str) -> str:
    """The session's migrated PostgreSQL database, its tables emptied for this test."""
    run_sync(lambda: _empty_tables(_postgres_database))
    return _postgres_database


@pytest.fixture
async def fresh_postgres_url(postgres_url: str) -> AsyncIterator[str]:
    """An empty PostgreSQL database on the test server (no schema), dropped afterwards."""
    admin = create_engine(postgres_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    name = f"micromentor_fresh_{uuid.uuid4().hex[:12]}"
    async with admin.connect() as connection:
        await connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(postgres_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as connection:
            await connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture(
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)
def db_url(request: pytest.FixtureRequest) -> str:
    """A clean migrated database: the test runs once on SQLite and once on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
async def db_engine(db_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on `db_url`, disposed after the test."""
    engine = create_engine(db_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def uow_factory(db_engine: AsyncEngine) -> Callable[[], SqlUnitOfWork]:
    """Units of work on `db_url` (a `bot.ports.UnitOfWorkFactory`)."""
    return make_uow_factory(db_engine)


@pytest.fixture
def cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> tuple[Path, pytest.CaptureFixture[str]]:
    """`micromentor` run in-process (`bot.cli.main`) in a working directory of its own: its own
    SQLite database (not created yet), no bot.toml, logs at WARNING in the text format."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'mm.db'}")
    monkeypatch.setenv("MICROMENTOR_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("MICROMENTOR_CONFIG", raising=False)
    monkeypatch.delenv("MICROMENTOR_LOG_FORMAT", raising=False)
    return tmp_path, capsys
