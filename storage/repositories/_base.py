"""What every repository shares: the session, dialect-aware upserts and ref key helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from bot.refs import Ref

__all__ = ["DbSession", "Repository", "key_or_none", "ref_or_none"]

R = TypeVar("R", bound=Ref)


def key_or_none(ref: Ref | None) -> str | None:
    return None if ref is None else ref.key()


def ref_or_none(cls: type[R], key: str | None) -> R | None:
    return None if key is None else cls.from_key(key)


class DbSession(Protocol):
    """What repositories use of a session: an AsyncSession, or one that queues for SQLite's
    write lock first (`storage.gate.GatedSession`)."""

    async def execute(self, *args: Any, **kwargs: Any) -> Any: ...

    async def scalar(self, *args: Any, **kwargs: Any) -> Any: ...

    def in_transaction(self) -> bool: ...

    async def commit(self) -> None: ...

    async def rollback(self) -> None: ...

    async def close(self) -> None: ...


class Repository:
    """Base of the SQL repositories: one session, one dialect."""

    def __init__(self, session: DbSession, dialect: str) -> None:
        self._session = session
        self._dialect = dialect

    def _insert(self, table: sa.Table) -> Any:
        if self._dialect == "postgresql":
            return postgresql.insert(table)
        return sqlite.insert(table)

    async def _rowcount(self, stmt: sa.Executable) -> int:
        """Execute an UPDATE or DELETE; how many rows it changed."""
        result = cast(sa.CursorResult[Any], await self._session.execute(stmt))
        return result.rowcount

    async def _insert_once(
        self, table: sa.Table, values: Mapping[str, Any], *, conflict: Sequence[str] | None = None
    ) -> bool:
        """INSERT ... ON CONFLICT DO NOTHING (on `conflict` columns, else any); True if inserted."""
        first_col = next(iter(table.primary_key.columns))
        stmt = (
            self._insert(table)
            .values(**values)
            .on_conflict_do_nothing(index_elements=list(conflict) if conflict else None)
            .returning(first_col)
        )
        result = await self._session.execute(stmt)
        return result.first() is not None

    async def _upsert(
        self, table: sa.Table, values: Mapping[str, Any], *, keys: Sequence[str]
    ) -> None:
        """INSERT, or UPDATE every other column when a row with the same `keys` exists."""
        stmt = self._insert(table).values(**values)
        changes = {name: stmt.excluded[name] for name in values if name not in keys}
        stmt = stmt.on_conflict_do_update(index_elements=list(keys), set_=changes)
        await self._session.execute(stmt)
