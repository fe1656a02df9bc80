"""`micromentor people export ID` and `people delete ID`: one person's data out, or erased,
for the operator. Each takes a built app and plain arguments and returns an exit status."""

from __future__ import annotations

from collections.abc import Callable

from bot.app import App
from bot.commands import Actor
from bot.privacy.commands import ForgetPerson
from bot.privacy.model import AuditEntry
from bot.privacy.rights import export_json
from bot.refs import UserRef, WorkspaceRef

__all__ = ["OPERATOR", "delete_person", "export_person"]

OPERATOR = "operator (CLI)"


def _user(person_id: str, out: Callable[[str], None]) -> UserRef | None:
    if ":" not in person_id or person_id.endswith(":"):
        out(f"micromentor: {person_id!r} is not a platform id like slack:U0123ABCD")
        return None
    return UserRef.from_key(person_id)


async def _workspace(app: App, user: UserRef) -> WorkspaceRef:
    """Where the operator's action is recorded: the first workspace of the person's platform."""
    async with app.uow_factory(read_only=True) as uow:
        for ws in await uow.workspaces.all():
            if ws.ref.platform == user.platform:
                return ws.ref
    return WorkspaceRef(user.platform, "cli")


async def export_person(app: App, person_id: str, *, out: Callable[[str], None] = print) -> int:
    """Write the person's data, in every workspace, as JSON to `out` (standard output)."""
    user = _user(person_id, out)
    if user is None:
        return 2
    workspace = await _workspace(app, user)
    now = app.clock.now()
    async with app.uow_factory() as uow:
        data = await uow.privacy.person_data(user)
        if not data.found():
            out(f"micromentor: nothing is stored about {person_id}")
            return 1
        await uow.audit.add(
            AuditEntry(
                workspace=workspace,
                actor=UserRef("cli", "operator"),
                actor_name=OPERATOR,
                action="export",
                subject=user.key(),
                at=now,
            )
        )
        await uow.commit()
    out(export_json(data, now=now).decode("utf-8"))
    return 0


async def delete_person(
    app: App,
    person_id: str,
    *,
    confirm: Callable[[str], bool],
    out: Callable[[str], None] = print,
) -> int:
    """Erase the person (after `confirm` says yes to the question it is shown)."""
    user = _user(person_id, out)
    if user is None:
        return 2
    async with app.uow_factory(read_only=True) as uow:
        found = (await uow.privacy.person_data(user)).found()
    if not found:
        out(f"micromentor: nothing is stored about {person_id}")
        return 1
    if not confirm(
        f"Erase {person_id}'s name, question texts and comments for good "
        "(the figures stay, attributed to nobody)?"
    ):
        out("Nothing was changed.")
        return 1
    operator = Actor(
        user=UserRef("cli", "operator"),
        name=OPERATOR,
        workspace=await _workspace(app, user),
        platform_admin=True,
    )
    # The same command as `/mentoradmin forget`; the operator acts on any platform, and in
    # every workspace.
    replies = await app.bus.handle(
        ForgetPerson(operator, user, person_id, confirmed=True, everywhere=True)
    )
    for reply in replies:
        out(reply.body.plain())
    return 0
