"""The SQLite engine's statements: one trip each to aiosqlite's thread, and otherwise what the stock
driver does (rows, counts, many rows at once, errors, transactions)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import aiosqlite
import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from storage.engine import create_engine
from storage.ops import optimize

METADATA = sa.MetaData()
ITEM = sa.Table(
    "item",
    METADATA,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String, nullable=False),
)


@pytest.fixture
async def engine(tmp_path: Path) -> Any:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(METADATA.create_all)
    yield engine
    await engine.dispose()


async def test_a_select_is_one_trip_to_the_driver_thread(
    engine: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(ITEM), [{"id": i, "name": f"n{i}"} for i in range(3)])
    trips = 0
    stock = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        nonlocal trips
        trips += 1
        return await stock(self, fn, *args, **kwargs)

    async with engine.connect() as conn:
        await conn.execute(sa.text("SELECT 1"))  # the connection's BEGIN, outside the count
        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
        rows = (await conn.execute(sa.select(ITEM.c.name).order_by(ITEM.c.id))).all()
        assert trips == 1  # the stock adapter takes four: cursor, enter, execute, fetch
    assert [r.name for r in rows] == ["n0", "n1", "n2"]
    assert trips == 2  # and the rollback as the connection goes back to the pool


async def test_counts_ids_and_many_rows_are_the_drivers(engine: Any) -> None:
    async with engine.begin() as conn:
        added = await conn.execute(sa.insert(ITEM).values(name="first"))
        assert added.inserted_primary_key == (1,)
        await conn.execute(sa.insert(ITEM), [{"name": "second"}, {"name": "third"}])
        changed = await conn.execute(sa.update(ITEM).where(ITEM.c.id > 1).values(name="later"))
        assert changed.rowcount == 2
        nothing = await conn.execute(sa.select(ITEM).where(ITEM.c.id > 10))
        assert nothing.all() == []
        names = await conn.execute(sa.select(ITEM.c.name).order_by(ITEM.c.id))
        assert names.scalars().all() == ["first", "later", "later"]


async def test_errors_and_rollbacks_behave_as_before(engine: Any) -> None:
    async with engine.begin() as conn:
        await conn.execute(sa.insert(ITEM).values(id=1, name="kept"))
    with pytest.raises(IntegrityError):
        async with engine.begin() as conn:
            await conn.execute(sa.insert(ITEM).values(id=2, name="rolled back"))
            await conn.execute(sa.insert(ITEM).values(id=1, name="twice"))
    async with engine.connect() as conn:
        names = (await conn.execute(sa.select(ITEM.c.name))).scalars().all()
    assert names == ["kept"]


def test_the_declared_versions_have_the_adapter_api_the_driver_builds_on() -> None:
    """The driver subclasses SQLAlchemy 2.1's shared asyncio cursor (`_cursor_cls`, the
    connection's `_execute_mutex`, `util.concurrency.await_`) and calls aiosqlite's
    `Connection._execute` and `_conn`: SQLAlchemy 2.0 has none of the former, so an install
    that resolves to 2.0 must not satisfy the requirement."""
    import tomllib

    from packaging.requirements import Requirement

    pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
    declared = {
        r.name.lower(): r.specifier
        for r in map(Requirement, tomllib.loads(pyproject.read_text())["project"]["dependencies"])
    }
    assert not declared["sqlalchemy"].contains("2.0.49")
    assert declared["sqlalchemy"].contains("2.1.9")
    assert not declared["aiosqlite"].contains("0.19.0")  # 0.20 has `_execute` and `_conn`


async def test_optimize_gives_the_planner_statistics_for_a_table_it_searched(
    tmp_path: Path,
) -> None:
    # One connection, as SQLite's `PRAGMA optimize` looks at what that connection queried.
    engine = create_engine(
        f"sqlite+aiosqlite:///{tmp_path / 'stats.db'}", pool_size=1, max_overflow=0
    )
    try:
        async with engine.begin() as conn:
            await conn.run_sync(METADATA.create_all)
            await conn.exec_driver_sql("CREATE INDEX ix_item_name ON item (name)")
            await conn.execute(sa.insert(ITEM), [{"name": f"n{i % 50}"} for i in range(2000)])
        async with engine.connect() as conn:
            await conn.execute(sa.select(ITEM.c.id).where(ITEM.c.name == "n7"))
            stats = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
            assert (await conn.exec_driver_sql(stats)).scalar_one() == 0
        await optimize(engine)
        async with engine.connect() as conn:
            indexed = await conn.exec_driver_sql("SELECT idx FROM sqlite_stat1 WHERE tbl = 'item'")
            assert "ix_item_name" in {r.idx for r in indexed}
    finally:
        await engine.dispose()


async def test_optimize_leaves_postgresql_to_its_autovacuum(postgres_url: str) -> None:
    engine = create_engine(postgres_url)
    try:
        await optimize(engine)  # no PRAGMA sent: it would be a syntax error there
        async with engine.connect() as conn:
            assert (await conn.exec_driver_sql("SELECT 1")).scalar_one() == 1
    finally:
        await engine.dispose()
