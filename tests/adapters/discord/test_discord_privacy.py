"""Discord, admins and privacy: `/mentor home` (ephemeral) with each role's buttons, `/mentor
leave`, `/mentoradmin export` as an attachment by DM, and a member who leaves the server."""

from __future__ import annotations

import json

from discord_harness import Harness
from discord_helpers import custom_ids, eventually, sub

from bot.refs import UserRef, WorkspaceRef

QUESTION = "How do I group a pandas DataFrame by two columns and sum one?"
EPHEMERAL = 64


async def test_home_is_ephemeral_with_the_buttons_of_a_mentor(harness: Harness) -> None:
    await harness.join("bob")
    token = await harness.fake.slash("bob", "mentor", sub("home"))
    (reply,) = await harness.fake.followups(token)
    body = reply.json()
    assert harness.fake.is_ephemeral(reply)
    guild = harness.fake.guild_id
    assert custom_ids(body) == [
        f"mm:ask:0@{guild}",
        f"mm:pause:0@{guild}",
        f"mm:skills:0@{guild}",
    ]


async def test_home_of_an_admin_has_the_queue_and_the_dashboard(harness: Harness) -> None:
    await harness.ask("alice", QUESTION)
    token = await harness.fake.slash("admin", "mentor", sub("home"))
    (reply,) = await harness.fake.followups(token)
    body = reply.json()
    assert f"mm:dashboard:0@{harness.fake.guild_id}" in custom_ids(body)
    assert "1 open" in json.dumps(body)


async def test_leave_releases_the_session_and_deactivates_the_mentor(harness: Harness) -> None:
    await harness.join("bob")
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    token = await harness.fake.slash("bob", "mentor", sub("leave"))
    (reply,) = await harness.fake.followups(token)
    assert "left the mentor list" in reply.json()["content"]
    bob = UserRef("discord", harness.fake.users["bob"]["id"])
    async with harness.app.uow_factory() as uow:
        profile = await uow.mentors.get(bob, WorkspaceRef("discord", harness.fake.guild_id))
        q = await uow.questions.get(1)
    assert profile is not None and not profile.active
    assert q is not None and q.mentor is None


async def test_a_member_who_leaves_the_server_is_offboarded(harness: Harness) -> None:
    await harness.join("bob")
    card = await harness.ask("alice", QUESTION)
    await harness.claim("bob", card)
    fake = harness.fake
    await fake.dispatch(
        "GUILD_MEMBER_REMOVE", {"guild_id": fake.guild_id, "user": fake.users["bob"]}
    )
    bob = UserRef("discord", fake.users["bob"]["id"])

    async def offboarded() -> bool:
        async with harness.app.uow_factory() as uow:
            profile = await uow.mentors.get(bob, WorkspaceRef("discord", fake.guild_id))
            q = await uow.questions.get_by_number(WorkspaceRef("discord", fake.guild_id), 1)
        return bool(profile and not profile.active and q and q.mentor is None)

    await eventually(offboarded)


async def test_an_export_comes_as_a_json_attachment_by_dm(harness: Harness) -> None:
    await harness.ask("alice", QUESTION)
    fake = harness.fake
    token = await fake.slash(
        "admin",
        "mentoradmin",
        sub("export", ("member", 6, fake.users["alice"]["id"])),
        mentioning=("alice",),
    )
    (reply,) = await fake.followups(token)
    assert "on its way" in reply.json()["content"]
    [sent] = await fake.wait_for(
        lambda r: (
            isinstance(r.body, dict)
            and any(str(f).startswith("micromentor-export-") for f in r.body.get("files", []))
        )
    )
    assert sent.method == "POST" and sent.status == 200


def test_the_anonymous_option_says_who_can_still_see_the_asker() -> None:
    """Discord lets a server's moderators (Manage Threads) open any private thread: the option
    does not promise that only the claiming mentor sees the asker; within Discord's 100."""
    from adapters.discord.member_commands import MemberCommands

    [option] = [p for p in MemberCommands.askmentor.parameters if p.name == "anonymous"]
    assert "moderators" in option.description and "mentor who claims it" in option.description
    assert len(option.description) <= 100
