"""Storage: SQLModel tables, async engine, repositories, unit of work and migrations."""

from storage.engine import create_engine
from storage.migrate import upgrade
from storage.uow import SqlUnitOfWork, make_uow_factory

__all__ = ["SqlUnitOfWork", "create_engine", "make_uow_factory", "upgrade"]
