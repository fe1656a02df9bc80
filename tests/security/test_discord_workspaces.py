"""Two Discord servers served by one process (issue 10, item 4): numbers, look-ups by number,
DM buttons, similar questions, leaderboard, stats, digest and export stay per server."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.security.discord_two_guilds import (
    Harness,
    TwoGuilds,
    custom_ids,
    running,
    sub,
)

PANDAS = "How do I group a pandas DataFrame by two columns and sum one of them? I tried groupby."
PAYROLL = "How do I migrate our payroll service database to PostgreSQL without any downtime?"
RAISE = "How should I negotiate a raise with my manager after a strong year of results?"
VAGUE = "Can someone help me with pandas?"


@pytest.fixture
async def two(sqlite_url: str) -> AsyncIterator[Harness]:
    async with running(TwoGuilds(), sqlite_url) as harness:
        yield harness


def fake(h: Harness) -> TwoGuilds:
    assert isinstance(h.fake, TwoGuilds)
    return h.fake


async def reply(
    h: Harness, who: str, command: str, options: list[dict[str, Any]], *, within: float = 10.0
) -> str:
    token = await h.fake.slash(who, command, options)
    (answer,) = await h.fake.followups(token, within=within)
    body = answer.json()
    return str(body.get("content") or "") + str(body.get("embeds") or "")


async def ask_in(h: Harness, guild: str, who: str, question: str, **kw: Any) -> dict[str, Any]:
    with fake(h).acting_in(guild):
        return await h.ask(who, question, **kw)


async def test_each_servers_first_question_is_number_one(two: Harness) -> None:
    f = fake(two)
    a = await ask_in(two, f.guild_a, "alice", PANDAS)
    b = await ask_in(two, f.guild_b, "dora", PAYROLL)
    assert a["embeds"][0]["title"].endswith("#1") and b["embeds"][0]["title"].endswith("#1")
    assert a["channel_id"] == f.mentoring_a and b["channel_id"] == f.mentoring_b


async def resolved_in_a(h: Harness, question: str = PAYROLL) -> dict[str, Any]:
    """bob (a mentor of server A) helped alice with `question` in A; returns A's card."""
    f = fake(h)
    with f.acting_in(f.guild_a):
        await h.join("bob", "python, pandas, postgresql")
        card = await h.ask("alice", question)
        intro = await h.claim("bob", card)
        # more time asked for: a session of real help, which earns bob his points
        extend = next(c for c in custom_ids(intro) if c.startswith("mm:extend:"))
        await f.followups(await f.click("alice", extend, intro["id"]))
        resolve = next(c for c in custom_ids(intro) if c.startswith("mm:resolve:"))
        await f.followups(await f.click("alice", resolve, intro["id"]))
    return card


async def test_a_dm_button_for_server_as_question_acts_on_as_not_bs(two: Harness) -> None:
    f = fake(two)
    with f.acting_in(f.guild_a):
        await two.join("bob", "negotiation, salary")
    b_card = await ask_in(two, f.guild_b, "dora", PANDAS)  # B's #1: anyone there may claim it
    await ask_in(two, f.guild_a, "alice", RAISE, anonymous=True)  # A's #1, bob hears by DM
    claim = f"mm:claim:1@{f.guild_a}"
    dm = await two.message_with(claim)
    assert dm["channel_id"] in f.dm_channels
    await f.followups(await f.click("bob", claim, dm["id"]))
    async with two.app.uow_factory(read_only=True) as uow:
        workspaces = {w.ref.id: w.ref for w in await uow.workspaces.all()}
        in_a = await uow.questions.get_by_number(workspaces[f.guild_a], 1)
        in_b = await uow.questions.get_by_number(workspaces[f.guild_b], 1)
    assert in_a is not None and in_a.mentor is not None and in_a.mentor.id == f.users["bob"]["id"]
    assert in_b is not None and in_b.mentor is None
    assert b_card["id"] not in f.threads


async def test_server_bs_admin_cannot_see_why_for_as_question(two: Harness) -> None:
    f = fake(two)
    with f.acting_in(f.guild_a):
        await two.join("bob", "negotiation, salary")
    await ask_in(two, f.guild_a, "alice", RAISE, anonymous=True)
    with f.acting_in(f.guild_b):
        said = await reply(two, "boss", "mentor", sub("why", ("question", 4, 1)))
    assert "There is no question #1" in said
    assert "bob" not in said.lower()
    with f.acting_in(f.guild_a):  # A's admin does see it (anonymous: no ranking, by design)
        said = await reply(two, "admin", "mentor", sub("why", ("question", 4, 1)))
    assert "Why these mentors for #1" in said and "asked anonymously" in said


async def test_similar_answered_questions_are_offered_only_in_their_own_server(
    two: Harness,
) -> None:
    f = fake(two)
    await resolved_in_a(two)
    again = "How do I migrate our payroll service database to PostgreSQL with no downtime?"
    with f.acting_in(f.guild_b):
        token = await f.slash(
            "dora", "askmentor", [{"name": "question", "type": 3, "value": again}]
        )
        (told_b,) = await f.followups(token)
    assert "Thanks! Your question is #1" in told_b.content()
    assert "Already answered" not in told_b.content()
    with f.acting_in(f.guild_a):
        token = await f.slash(
            "carol", "askmentor", [{"name": "question", "type": 3, "value": again}]
        )
        (told_a,) = await f.followups(token)
    assert "Already answered" in told_a.content()


async def test_leaderboard_stats_and_digest_count_only_their_own_server(two: Harness) -> None:
    f = fake(two)
    await resolved_in_a(two)
    await ask_in(two, f.guild_b, "dora", PANDAS)
    await ask_in(two, f.guild_b, "erin", RAISE)
    with f.acting_in(f.guild_a):
        board_a = await reply(two, "alice", "mentor", sub("leaderboard", ("period", 3, "all")))
        stats_a = await reply(two, "admin", "mentoradmin", sub("stats"))
    with f.acting_in(f.guild_b):
        board_b = await reply(two, "dora", "mentor", sub("leaderboard", ("period", 3, "all")))
        stats_b = await reply(two, "boss", "mentoradmin", sub("stats"))
        # the digest draws its chart first: slow on a busy machine
        digest_b = await reply(two, "boss", "mentoradmin", sub("digest"), within=60)
    assert "bob" in board_a.lower() and "bob" not in board_b.lower()
    assert "Questions: 1 " in stats_a and "resolved 1" in stats_a
    assert "Questions: 2 " in stats_b and "resolved 0" in stats_b
    assert "bob" not in digest_b.lower() and "payroll" not in digest_b.lower()


async def test_a_member_renamed_admin_gets_nothing_and_the_servers_manager_does(
    two: Harness,
) -> None:
    f = fake(two)
    with f.acting_in(f.guild_b):
        refused = await reply(two, "eve", "mentoradmin", sub("stats"))
        allowed = await reply(two, "boss", "mentoradmin", sub("stats"))
    assert "for admins" in refused
    assert "Micromentor stats" in allowed


async def test_the_roster_export_of_one_server_lists_only_its_mentors(two: Harness) -> None:
    import io

    from bot.mentors.roster_csv import export_roster

    f = fake(two)
    with f.acting_in(f.guild_a):
        await two.join("bob", "python")
    with f.acting_in(f.guild_b):
        await two.join("erin", "kubernetes")
    out = io.StringIO()
    assert await export_roster(two.app.uow_factory, out=out, workspace=f"discord:{f.guild_b}") == 0
    rows = out.getvalue().splitlines()[1:]
    assert len(rows) == 1 and f.users["erin"]["id"] in rows[0]
    assert "python" not in out.getvalue()


async def test_a_mentor_in_two_servers_has_a_profile_in_each_and_b_never_changes_a(
    two: Harness,
) -> None:
    f = fake(two)
    with f.acting_in(f.guild_a):
        await two.join("bob", "python, pandas")
    with f.acting_in(f.guild_b):
        told = [
            await reply(two, "bob", "mentor", sub("join", ("skills", 3, "kubernetes"))),
            await reply(two, "bob", "mentor", sub("skills", ("skills", 3, "kubernetes, sql"))),
            await reply(two, "bob", "mentor", sub("pause")),
        ]
    assert "Welcome aboard" in told[0] and "Skills updated" in told[1], told
    assert "Paused" in told[2], told
    async with two.app.uow_factory(read_only=True) as uow:
        workspaces = {w.ref.id: w.ref for w in await uow.workspaces.all()}
        in_a = await uow.mentors.in_workspace(workspaces[f.guild_a])
        in_b = await uow.mentors.in_workspace(workspaces[f.guild_b])
    assert [(p.skills, p.active, p.paused_until) for p in in_a] == [
        (("python", "pandas"), True, None)
    ]
    assert [(p.ref, p.skills, p.paused_until is not None) for p in in_b] == [
        (in_a[0].ref, ("kubernetes", "sql"), True)
    ]


async def test_the_dm_home_views_ask_form_asks_in_the_server_it_was_for(two: Harness) -> None:
    # dora is only in server B; her home view comes by DM (the token expired), where a click
    # has no server: the form must name B, or her question lands in the bot's first server.
    f = fake(two)
    f.expire_interaction_tokens()
    with f.acting_in(f.guild_b):
        await f.slash("dora", "mentor", sub("home"))
    ask = f"mm:ask:0@{f.guild_b}"
    dm = await two.message_with(ask)
    assert dm["channel_id"] in f.dm_channels
    f.tokens_expired = False
    await _the_dm_buttons_form_asks_in_b(f, ask, dm)


async def _the_dm_buttons_form_asks_in_b(f: TwoGuilds, button: str, dm: dict[str, Any]) -> None:
    """dora presses `button` on `dm`: the form it opens names server B, and the question it
    sends is asked there, not in the first server."""
    token = await f.click("dora", button, dm["id"])
    (opened,) = await f.wait_request("POST", rf"/interactions/\d+/{token}/callback")
    modal = opened.json()["data"]
    assert modal["custom_id"].endswith(f"@{f.guild_b}")
    submit = await f.submit_modal("dora", modal, PAYROLL, channel_id=dm["channel_id"])
    (answer,) = await f.followups(submit)
    assert "#1" in answer.content()
    await f.wait_until(lambda: bool(f.channel_messages(f.mentoring_b)))
    (card,) = f.channel_messages(f.mentoring_b)
    assert "PostgreSQL" in card["embeds"][0]["description"]
    assert not f.channel_messages(f.mentoring_a)


async def test_edit_on_a_dm_draft_preview_asks_in_the_drafts_server(sqlite_url: str) -> None:
    # dora (only in server B) gets her coached draft by DM; [Edit] there opens the ask form,
    # which must name the draft's server B, or the edited question lands in the first server.
    f = TwoGuilds()
    async with running(f, sqlite_url, ask={"coaching": "suggest"}) as two:
        f.expire_interaction_tokens()  # the coached draft's preview comes by DM
        with f.acting_in(f.guild_b):
            await f.slash("dora", "askmentor", [{"name": "question", "type": 3, "value": VAGUE}])
        edit = "mm:edit:1"  # a reply that fell back to a DM: its buttons name no server
        preview = await two.message_with(edit)
        assert preview["channel_id"] in f.dm_channels
        f.tokens_expired = False
        await _the_dm_buttons_form_asks_in_b(f, edit, preview)
