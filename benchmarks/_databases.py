"""Throw-away benchmark databases: a SQLite file and a fresh PostgreSQL database, both migrated."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import tempfile
import uuid
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import pool, text
from sqlalchemy.engine import make_url

from storage.engine import create_engine
from storage.migrate import upgrade

__all__ = ["POSTGRES_URL_ENV", "bulk_insert", "database"]

POSTGRES_URL_ENV = "MICROMENTOR_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


async def _admin(base_url: str, statement: str) -> None:
    engine = create_engine(base_url, poolclass=pool.NullPool, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def database(kind: str) -> AsyncIterator[str]:
    """A migrated, empty database of `kind` ("sqlite" or "postgres"), dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
            await upgrade(url)
            yield url
        return
    base = os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL)
    name = f"micromentor_bench_{uuid.uuid4().hex[:10]}"
    await _admin(base, f'CREATE DATABASE "{name}"')
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        await upgrade(url)
        yield url
    finally:
        await _admin(base, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


Rows = Sequence[Mapping[str, Any]]


def _sqlite_cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, list | tuple | dict):
        return json.dumps(value)
    return value


def _postgres_cell(value: Any) -> Any:
    return json.dumps(value) if isinstance(value, list | tuple | dict) else value


def _sqlite_bulk(path: str, tables: Mapping[str, Rows]) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=OFF")
        for table, rows in tables.items():
            if not rows:
                continue
            columns = list(rows[0])
            names = ", ".join(f'"{c}"' for c in columns)
            db.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})",
                ([_sqlite_cell(r[c]) for c in columns] for r in rows),
            )
        db.commit()
        db.execute("ANALYZE")
    finally:
        db.close()


async def bulk_insert(url: str, tables: Mapping[str, Rows]) -> None:
    """Seed a fresh benchmark database fast, bypassing the repositories: each table's rows (dicts
    of column → value, all with the same keys) in order, by executemany on SQLite and COPY on
    PostgreSQL; then ANALYZE. Lists and dicts go in as JSON. In a fresh database the rows of a
    table get ids 1, 2, 3… in the order given."""
    if url.startswith("sqlite"):
        await asyncio.to_thread(_sqlite_bulk, url.split("///", 1)[1], tables)
        return
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        for table, rows in tables.items():
            if rows:
                columns = list(rows[0])
                await conn.copy_records_to_table(
                    table,
                    records=([_postgres_cell(r[c]) for c in columns] for r in rows),
                    columns=columns,
                )
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
