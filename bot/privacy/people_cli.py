"""`micromentor people export ID` and `people delete ID`: one person's data out, or erased,
for the operator. Each takes a built app and plain arguments and returns an exit status."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from bot.app import App
from bot.commands import Actor
from bot.privacy.commands import ForgetPerson
from bot.privacy.model import AuditEntry
from bot.privacy.rights import export_json
from bot.refs import UserRef, WorkspaceRef

__all__ = ["OPERATOR", "delete_person", "export_person", "person_ref"]

OPERATOR = "operator (CLI)"


PLATFORM_NAMES = ("slack", "discord", "console")
_EXAMPLE = "a platform id like slack:U0123ABCD or discord:123456789012345678"
_HOW = (
    "Slack: the person's profile → ⋮ → Copy member ID; Discord: Developer Mode, then "
    "right-click the person → Copy User ID"
)


# What each platform's user ids look like (and the ids a forget leaves in their place).
_SHAPES = {
    "slack": r"[UW][A-Z0-9]{2,}|forgotten-[0-9a-f]{8}",
    "discord": r"[0-9]{5,25}|forgotten-[0-9a-f]{8}",
    "console": r"\S{1,40}",
}


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


def person_ref(text: str) -> UserRef | str:
    """The person `text` names (``slack:U0123``), or a one-line message saying what is wrong
    with it, with the id it probably meant (``U0123`` → ``slack:U0123``)."""
    key = text.strip()
    platform, sep, ident = key.partition(":")
    if not sep:
        if "@" in key:
            return f"{key!r} is an e-mail address; give {_EXAMPLE} ({_HOW})"
        if re.fullmatch(r"[UW][A-Z0-9]{2,}", key):
            return f"{key!r} has no platform; did you mean slack:{key}?"
        if re.fullmatch(r"[0-9]{15,21}", key):
            return f"{key!r} has no platform; did you mean discord:{key}?"
        return f"{key!r} is not {_EXAMPLE} ({_HOW})"
    platform, ident = platform.strip().lower(), ident.strip()
    if platform not in PLATFORM_NAMES or not ident:
        return (
            f"{key!r} is not {_EXAMPLE}: it starts with one of "
            f"{', '.join(p + ':' for p in PLATFORM_NAMES)}"
        )
    mention = re.fullmatch(r"<?@!?([^<>@\s]+)>?", ident)
    if mention is not None and mention[0] != mention[1]:  # <@U0123>, @U0123, <@!1234>: pasted
        return f"{key!r} is a mention; did you mean {platform}:{mention[1]}?"
    if not re.fullmatch(_SHAPES[platform], ident):
        if re.fullmatch(_SHAPES[platform], ident.upper()):
            return f"{key!r} is not an id Slack gives; did you mean {platform}:{ident.upper()}?"
        return f"{key!r} is not {_EXAMPLE} ({_HOW})"
    return UserRef(platform, ident)


def _user(person_id: str, err: Callable[[str], None]) -> UserRef | None:
    found = person_ref(person_id)
    if isinstance(found, str):
        err(f"micromentor: {found}")
        return None
    return found


async def _workspaces(app: App, user: UserRef) -> list[WorkspaceRef]:
    """Where the operator's action on `user` is recorded: the workspaces whose admins could see
    them (who may see what was done with their member's data), else the operator's own place —
    never a workspace the person has nothing in, nor one where they only asked anonymously,
    whose admins would learn of a hidden member."""
    async with app.uow_factory(read_only=True) as uow:
        theirs = await uow.privacy.workspaces_of(user)
        seen = [ws for ws in theirs if await uow.people.is_seen_in(ws, user)]
    return sorted(seen, key=lambda w: w.key()) or [WorkspaceRef(user.platform, "cli")]


async def export_person(
    app: App,
    person_id: str,
    *,
    out: Callable[[str], None] = print,
    err: Callable[[str], None] = _stderr,
) -> int:
    """Write the person's data, in every workspace, as JSON to `out` (standard output);
    problems go to `err` (standard error), so `> alice.json` never holds an error."""
    user = _user(person_id, err)
    if user is None:
        return 2
    person_id = user.key()
    workspaces = await _workspaces(app, user)
    now = app.clock.now()
    async with app.uow_factory() as uow:
        data = await uow.privacy.person_data(user)
        if not data.found():
            err(f"micromentor: nothing is stored about {person_id}")
            return 1
        for workspace in workspaces:
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
    err: Callable[[str], None] = _stderr,
) -> int:
    """Erase the person (after `confirm` says yes to the question it is shown); problems go
    to `err` (standard error)."""
    user = _user(person_id, err)
    if user is None:
        return 2
    person_id = user.key()
    async with app.uow_factory(read_only=True) as uow:
        found = (await uow.privacy.person_data(user)).found()
    if not found:
        err(f"micromentor: nothing is stored about {person_id}")
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
        workspace=(await _workspaces(app, user))[0],
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
