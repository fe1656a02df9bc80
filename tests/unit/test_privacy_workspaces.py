"""Export and forget by an admin stay in the admin's workspace: one Discord bot in two servers
with different admins (or Slack OAuth across workspaces) sees the same user id in both, and an
admin of one is nobody in the other. The operator's `micromentor people export/delete` is the
one that reaches everywhere."""

from __future__ import annotations

import json

import pytest

from bot.commands import Actor, AskQuestion, ClaimQuestion, RegisterMentor, ReleaseQuestion
from bot.learning.commands import PostDraft
from bot.privacy.commands import ExportPerson, ForgetPerson
from bot.textcommands import parse_mentor
from tests.unit.core_harness import SECOND_WORKSPACE, WORKSPACE, Core, start_core_in_two_workspaces

A = WORKSPACE
B = SECOND_WORKSPACE
IN_A = "How do I group a pandas DataFrame by two columns and sum one of them?"
IN_B = "How do I roll back a kubernetes deployment after a bad release in server B?"


@pytest.fixture
async def core() -> Core:
    return await start_core_in_two_workspaces()


def in_b(core: Core, name: str, *, platform_admin: bool = False) -> Actor:
    return core.actor(name, platform_admin=platform_admin, workspace=B)


async def asks_in_b(core: Core, name: str = "dave") -> None:
    said = await core.reply(AskQuestion(in_b(core, name), IN_B))
    assert said.startswith("Thanks! Your question is #"), said


async def exported(core: Core, admin: Actor, name: str) -> dict[str, object]:
    said = await core.reply(ExportPerson(admin, core.user(name)))
    assert "on its way" in said, said
    message = core.chat.messages("send_dm", user=admin.user)[-1]
    assert message.attachment is not None
    whole: dict[str, object] = json.loads(message.attachment.data)
    return whole


def b_admin(core: Core) -> Actor:
    return in_b(core, "berta", platform_admin=True)


async def test_an_admins_export_holds_only_their_workspaces_records(core: Core) -> None:
    await core.join("dave", "python")  # a mentor in A
    await core.ask("dave", IN_A)
    await asks_in_b(core)
    await core.handle(RegisterMentor(in_b(core, "dave"), ("kubernetes",)))
    data = await exported(core, core.actor("admin"), "dave")
    text = json.dumps(data)
    assert data["workspace"] == A.key()
    assert IN_A in text and "python" in text
    assert IN_B not in text and "kubernetes" not in text and B.key() not in text


async def test_an_admin_of_another_workspace_cannot_export_what_was_done_here(
    core: Core,
) -> None:
    await core.ask("dave", IN_A)
    said = await core.reply(ExportPerson(b_admin(core), core.user("dave")))
    assert said.startswith("Nothing I can show you about ") and " here;" in said, said
    assert core.chat.messages("send_dm", user=b_admin(core).user) == []


async def test_the_admins_export_of_a_person_seen_in_both_shows_each_admin_their_own(
    core: Core,
) -> None:
    await core.ask("dave", IN_A)
    await asks_in_b(core)
    in_b_data = json.dumps(await exported(core, b_admin(core), "dave"))
    assert IN_B in in_b_data and IN_A not in in_b_data


async def test_an_admin_cannot_forget_someone_with_records_in_another_workspace(
    core: Core,
) -> None:
    await core.ask("dave", IN_A)
    await asks_in_b(core)
    for confirmed in (False, True):
        said = await core.reply(
            ForgetPerson(core.actor("admin"), core.user("dave"), "dave", confirmed)
        )
        assert "records in another workspace" in said, said
        assert "micromentor people delete test:dave" in said and "Remove" in said, said
    texts = {q.text for q in core.db.tables["questions"].values()}
    assert {IN_A, IN_B} <= texts  # nothing erased, here or there


async def test_an_admin_cannot_forget_someone_who_released_a_claim_in_another_workspace(
    core: Core,
) -> None:
    """carol (no profile in A) claimed and released A's question: A keeps her id so she can't
    claim it again. B's admin erased her (tombstoning it) as if B were all she was in."""
    n = await core.ask("alice", IN_A)
    assert (await core.claim("carol", n)).startswith(f"You claimed #{n}")
    said = await core.reply(ReleaseQuestion(core.actor("carol"), n))
    assert core.question(n).released_by == (core.user("carol"),), said
    core.db.tables["rate_events"].clear()  # her claim's window long over (pruned)
    await asks_in_b(core, "carol")
    said = await core.reply(ForgetPerson(b_admin(core), core.user("carol"), "carol", True))
    assert "records in another workspace" in said, said
    assert core.question(n).released_by == (core.user("carol"),)
    said = await core.reply(ClaimQuestion(core.actor("carol"), n))
    assert "has had a session with you already" in said, said


async def test_an_admin_cannot_forget_someone_whose_recent_actions_were_elsewhere(
    core: Core,
) -> None:
    """Forget deletes someone's asks and claims of the `[limits]` window: those in A are A's
    (here one alone, as a claim of a question since gone)."""
    async with core.db.uow_factory()() as uow:
        await uow.rate_events.record(A, core.user("carol"), "claim", core.clock.now())
        await uow.commit()
    await asks_in_b(core, "carol")
    said = await core.reply(ForgetPerson(b_admin(core), core.user("carol"), "carol", True))
    assert "records in another workspace" in said, said


async def test_an_admin_cannot_end_mentoring_elsewhere_by_forgetting(core: Core) -> None:
    await core.handle(RegisterMentor(in_b(core, "dave"), ("kubernetes",)))
    await core.ask("dave", IN_A)
    said = await core.reply(
        ForgetPerson(core.actor("admin"), core.user("dave"), "dave", confirmed=True)
    )
    assert "records in another workspace" in said, said
    assert core.profile("dave", B).active


async def test_an_admin_forgets_someone_whose_records_are_all_here(core: Core) -> None:
    await core.ask("dave", IN_A)
    await asks_in_b(core, "erin")  # someone else's question in B stays as it is
    said = await core.reply(
        ForgetPerson(core.actor("admin"), core.user("dave"), "dave", confirmed=True)
    )
    assert said.startswith("Done:"), said
    texts = {q.text for q in core.db.tables["questions"].values()}
    assert IN_A not in texts and IN_B in texts


async def test_the_operator_forgets_everywhere(core: Core) -> None:
    await core.join("dave", "python")
    await core.ask("dave", IN_A)
    await asks_in_b(core)
    await core.handle(RegisterMentor(in_b(core, "dave"), ("kubernetes",)))
    operator = Actor(core.user("operator"), "operator (CLI)", A, platform_admin=True)
    said = await core.reply(
        ForgetPerson(operator, core.user("dave"), "dave", confirmed=True, everywhere=True)
    )
    assert said.startswith("Done:"), said
    # Both numbered #1: each said with its workspace, so the operator knows which cards changed.
    assert f"#1 ({A.key()}), #1 ({B.key()}) are withdrawn" in said, said
    texts = {q.text for q in core.db.tables["questions"].values()}
    assert IN_A not in texts and IN_B not in texts
    assert core.db.tables["mentors"] == {}


async def test_mydata_sends_someone_everything_of_theirs_anonymous_questions_too(
    core: Core,
) -> None:
    # Their own: every workspace, and what they asked anonymously, which an admin's export
    # of them leaves out.
    await core.join("dave", "python")
    await core.ask("dave", IN_A, anonymous=True)
    await asks_in_b(core)
    said = await core.reply(parse_mentor(core.actor("dave"), "mydata"))
    assert said == "Your data is on its way to you by DM."
    message = core.chat.messages("send_dm", user=core.user("dave"))[-1]
    assert message.attachment is not None
    mine = message.attachment.data.decode()
    assert IN_A in mine and IN_B in mine
    assert "asked anonymously included" in message.plain()
    admins = await exported(core, core.actor("admin"), "dave")
    assert IN_A not in json.dumps(admins)
    assert core.chat.messages("send_dm", user=core.user("admin"))[-1].plain().count("mydata") == 1


async def test_mydata_of_someone_never_seen_says_nothing_is_stored(core: Core) -> None:
    said = await core.reply(parse_mentor(core.actor("zoe"), "mydata"))
    assert said == "I have nothing stored about you."
    assert core.chat.messages("send_dm", user=core.user("zoe")) == []


async def test_a_draft_posted_from_a_click_naming_another_workspace_is_asked_where_drafted(
    core: Core,
) -> None:
    # A DM's [Post as is] whose button named no server comes in with the home one.
    [preview] = await core.handle(
        AskQuestion(in_b(core, "dave"), "Can someone help me with pandas?")
    )
    assert preview.plain().startswith("Before I post it:")
    said = await core.reply(PostDraft(core.actor("dave"), 1))  # arrives as workspace A
    assert said.startswith("Thanks! Your question is #1")
    [asked] = core.db.tables["questions"].values()
    assert asked.workspace == B
