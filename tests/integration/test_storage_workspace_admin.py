"""Who is an admin of which workspace (`workspace_admin`), over SQL: per workspace, untouched by
saving the person, and gone when the person is forgotten."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain import Person
from bot.refs import UserRef, WorkspaceRef
from storage.uow import SqlUnitOfWork

UowFactory = Callable[[], SqlUnitOfWork]

PAT = UserRef("discord", "7")
A = WorkspaceRef("discord", "1")
B = WorkspaceRef("discord", "2")


async def test_admin_of_one_workspace_is_recorded_apart_from_another(
    uow_factory: UowFactory,
) -> None:
    async with uow_factory() as uow:
        await uow.people.upsert(Person(ref=PAT, name="Pat"))
        await uow.people.set_admin(PAT, A, True)
        await uow.people.set_admin(PAT, A, True)  # again: still one row
        await uow.people.set_admin(PAT, B, True)
        await uow.people.set_admin(PAT, B, False)
        await uow.people.set_admin(PAT, B, False)  # not one already: nothing to do
        await uow.people.upsert(Person(ref=PAT, name="Pat Renamed"))  # leaves the role alone
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.people.admin_of(PAT) == {A}
        assert await uow.privacy.workspaces_of(PAT) == {A}  # a record of that workspace


async def test_forgetting_a_person_drops_their_admin_rows(uow_factory: UowFactory) -> None:
    async with uow_factory() as uow:
        await uow.people.upsert(Person(ref=PAT, name="Pat"))
        await uow.people.set_admin(PAT, A, True)
        await uow.privacy.forget(PAT, tombstone=UserRef("discord", "forgotten-1"), removed="")
        await uow.commit()
    async with uow_factory() as uow:
        assert await uow.people.admin_of(PAT) == set()
