"""A button pressed in a DM carries no server permissions: it says nothing about whether the
member is the server's admin, so it neither ends their dashboard session nor grants one."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from discord_harness import Harness
from discord_helpers import eventually, sub

from adapters.dashboard.cli import dashboard_app
from adapters.discord.interactions import interaction_actor
from adapters.discord.translate import user_ref, workspace_ref

BASE = "https://mentor.example.com"
QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
ADMINISTRATOR = 1 << 3


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    return {"dashboard": {"public_url": BASE}}


def _interaction(*, guild_id: int | None, permissions: int) -> Any:
    """What `interaction_actor` reads of a discord.py interaction."""
    return SimpleNamespace(
        user=SimpleNamespace(id=42, display_name="Pat"),
        guild_id=guild_id,
        permissions=SimpleNamespace(value=permissions),
    )


def test_a_dm_interaction_carries_no_reading_of_the_admin_role() -> None:
    # In a DM discord.py reports the permissions of a DM channel, never the server's.
    in_dm = interaction_actor(_interaction(guild_id=None, permissions=0), home_guild=7, named="9")
    assert in_dm.workspace == workspace_ref(9)
    assert in_dm.platform_admin is None  # not known there: neither admin nor not
    in_server = interaction_actor(_interaction(guild_id=9, permissions=ADMINISTRATOR), home_guild=7)
    member = interaction_actor(_interaction(guild_id=9, permissions=0), home_guild=7)
    assert in_server.platform_admin is True and member.platform_admin is False


async def test_an_admin_claiming_from_a_dm_keeps_their_dashboard_session(
    harness: Harness,
) -> None:
    fake = harness.fake
    await harness.join("admin")  # the server's admin (Administrator), and a mentor
    token = await fake.slash("admin", "mentoradmin", sub("dashboard"))
    await fake.followups(token)

    def link() -> tuple[str, str] | None:
        for m in fake.messages.values():
            found = re.search(r"/admin/signin\?token=([\w-]+)", str(m.get("content")))
            if found and fake.dm_channels.get(m["channel_id"]) == fake.users["admin"]["id"]:
                return found[1], str(m["id"])
        return None

    await fake.wait_until(lambda: link() is not None)
    signin = link()
    assert signin is not None
    transport = httpx.ASGITransport(app=dashboard_app(harness.app), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        signed = await client.post("/admin/signin", data={"token": signin[0]})
        assert signed.status_code == 303
        assert (await client.get("/admin/queue")).status_code == 200

        await harness.ask("alice", QUESTION)
        # The Claim button of an unclaimed question's reminder DM (`bot.nudges.escalation`),
        # naming its server, pressed in the admin's DM with the bot: a DM interaction.
        claim = f"mm:claim:1@{fake.guild_id}"
        await fake.followups(await fake.click("admin", claim, signin[1]))

        async def claimed() -> bool:
            async with harness.app.uow_factory(read_only=True) as uow:
                q = await uow.questions.get(1)
            return q is not None and q.mentor == user_ref(fake.users["admin"]["id"])

        await eventually(claimed)
        assert (await client.get("/admin/queue")).status_code == 200
