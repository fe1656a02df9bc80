"""Apply the Alembic migrations to head, programmatically and safely at every start."""

from __future__ import annotations

import logging
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import pool, text
from sqlalchemy.engine import Connection

from storage.engine import create_engine, safe_url

__all__ = ["MIGRATIONS_DIR", "alembic_config", "upgrade"]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# Any constant bigint: replicas starting together queue on it instead of racing the DDL.
_PG_LOCK_KEY = 0x6D6D5F6D69677261  # "mm_migra"


def alembic_config() -> Config:
    """An Alembic config pointing at the shipped migrations (no alembic.ini needed)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def _upgrade_on(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


async def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database at `url` to `revision`; a no-op when it is there already."""
    engine = create_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # Held until commit, so a second process waits, then finds the schema at head.
                await connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY}
                )
            await connection.run_sync(_upgrade_on, revision)
    finally:
        await engine.dispose()
    log.info("database schema is at %s (%s)", revision, safe_url(url))
