"""Admin rights are per workspace: a Discord or Enterprise Grid user id is the same person in
every workspace the bot serves, and what they are in one says nothing about another. A dashboard
session for a workspace lasts while its admin is one there (or is one of ``[bot] admins``)."""

from __future__ import annotations

from bot.commands import Actor, RegisterMentor
from bot.refs import UserRef
from tests.adapters.dashboard.test_dashboard_http import OTHER, WS, Served, _signed_in

PAT = UserRef("test", "P1")  # not in [bot] admins


async def test_an_admin_demoted_here_gets_no_session_back_by_being_admin_elsewhere(
    served: Served,
) -> None:
    pat = Actor(PAT, "Pat", WS, platform_admin=True)
    async with _signed_in(served, pat) as client:
        assert (await client.get("/admin/queue")).status_code == 200
        # WS takes Pat's admin role away; the bot sees it.
        demoted = Actor(PAT, "Pat", WS, platform_admin=False)
        await served.app.bus.handle(RegisterMentor(demoted, ("python",)))
        assert (await client.get("/admin/queue")).status_code == 401
        # Pat is (legitimately) an admin of the OTHER workspace and acts there.
        admin_there = Actor(PAT, "Pat", OTHER, platform_admin=True)
        await served.app.bus.handle(RegisterMentor(admin_there, ("rust",)))
        assert (await client.get("/admin/queue")).status_code == 401


async def test_acting_as_a_plain_member_elsewhere_keeps_the_session_here(served: Served) -> None:
    pat = Actor(PAT, "Pat", WS, platform_admin=True)
    async with _signed_in(served, pat) as client:
        assert (await client.get("/admin/queue")).status_code == 200
        member_there = Actor(PAT, "Pat", OTHER, platform_admin=False)
        await served.app.bus.handle(RegisterMentor(member_there, ("rust",)))
        assert (await client.get("/admin/queue")).status_code == 200


async def test_an_input_without_a_reading_of_the_role_keeps_what_was_known(
    served: Served,
) -> None:
    """A Discord DM carries no server permissions (`platform_admin` None): it neither ends a
    session nor grants the role (nor does it make its sender an admin for what it does)."""
    pat = Actor(PAT, "Pat", WS, platform_admin=True)
    async with _signed_in(served, pat) as client:
        unknown = Actor(PAT, "Pat", WS, platform_admin=None)
        await served.app.bus.handle(RegisterMentor(unknown, ("python",)))
        assert (await client.get("/admin/queue")).status_code == 200
    async with served.app.uow_factory(read_only=True) as uow:
        assert await uow.people.admin_of(PAT) == {WS}
    zoe = UserRef("test", "Z1")
    await served.app.bus.handle(RegisterMentor(Actor(zoe, "Zoe", WS, platform_admin=None), ("go",)))
    async with served.app.uow_factory(read_only=True) as uow:
        assert await uow.people.admin_of(zoe) == set()
