"""Slash commands with typed options, autocomplete, and the admin group's double check."""

from __future__ import annotations

from discord_harness import Harness
from discord_helpers import sub

EPHEMERAL = 64


async def test_mentor_join_registers_skills_and_replies_ephemerally(harness: Harness) -> None:
    token = await harness.fake.slash("bob", "mentor", sub("join", ("skills", 3, "python, pandas")))
    (reply,) = await harness.fake.followups(token)
    assert harness.fake.is_ephemeral(reply)
    async with harness.app.uow_factory() as uow:
        translate = __import__("adapters.discord.translate").discord.translate
        profile = await uow.mentors.get(
            translate.user_ref(harness.fake.users["bob"]["id"]),
            translate.workspace_ref(harness.fake.guild_id),
        )
    assert profile is not None and "python" in profile.skills


async def test_timezone_autocomplete_offers_known_zones(harness: Harness) -> None:
    options = sub("tz", ("timezone", 3, "Europe/Ber"))
    options[0]["options"][0]["focused"] = True  # type: ignore[index]
    token = await harness.fake.slash("bob", "mentor", options, autocomplete=True)
    (callback,) = await harness.fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["type"] == 8
    values = [c["value"] for c in callback.json()["data"]["choices"]]
    assert "Europe/Berlin" in values


async def test_skills_autocomplete_completes_the_last_skill_from_the_taxonomy(
    harness: Harness,
) -> None:
    options = sub("join", ("skills", 3, "python, kube"))
    options[0]["options"][0]["focused"] = True  # type: ignore[index]
    token = await harness.fake.slash("bob", "mentor", options, autocomplete=True)
    (callback,) = await harness.fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    values = [c["value"] for c in callback.json()["data"]["choices"]]
    assert values and all(v.startswith("python, ") for v in values)
    assert any("kube" in v for v in values)


async def test_skills_autocomplete_never_offers_a_list_cut_short(harness: Harness) -> None:
    typed = (
        "python, pandas, sql, docker, terraform, aws, gcp, azure, react, typescript, java, rust, "
    )
    typed += "kotlin, kuber"  # "…, kubernetes" would be 104 characters
    options = sub("join", ("skills", 3, typed))
    options[0]["options"][0]["focused"] = True  # type: ignore[index]
    token = await harness.fake.slash("bob", "mentor", options, autocomplete=True)
    (callback,) = await harness.fake.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    assert callback.json()["data"]["choices"] == []  # none fits whole: the list is sent as typed


async def test_mentoradmin_stats_answers_a_member_with_manage_server(harness: Harness) -> None:
    token = await harness.fake.slash("admin", "mentoradmin", sub("stats"))
    (reply,) = await harness.fake.followups(token)
    assert harness.fake.is_ephemeral(reply)
    assert "stats" in str(reply.json()).lower()


async def test_mentoradmin_is_refused_by_the_core_for_other_members(harness: Harness) -> None:
    token = await harness.fake.slash("carol", "mentoradmin", sub("stats"))
    (reply,) = await harness.fake.followups(token)
    assert "for admins" in reply.json()["content"]
