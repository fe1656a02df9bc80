"""One person, a mentor in two workspaces (a Discord user in two servers, an Enterprise Grid
user in two workspaces): each workspace has its own profile, and nothing done in one changes
or leaks into the other."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import (
    Actor,
    AskQuestion,
    ClaimQuestion,
    ListMentors,
    PauseMentor,
    RateSession,
    RegisterMentor,
    RegisterWorkspace,
    ShowMentorProfile,
    UpdateMentorSkills,
)
from bot.config import AskSection, Config, LimitsSection
from bot.hours import WeeklyHours
from bot.learning.commands import ShowMentorFeedback
from bot.privacy.commands import ExportPerson, ForgetPerson, LeaveProgramme
from bot.refs import ChannelRef, UserRef
from tests.unit.core_harness import (
    SECOND_WORKSPACE,
    WORKSPACE,
    Core,
    start_core,
    start_core_in_two_workspaces,
)

A = WORKSPACE
B = SECOND_WORKSPACE
PYTHON_QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"
KUBERNETES_QUESTION = "How do I roll back a kubernetes deployment after a bad release?"


@pytest.fixture
async def core() -> Core:
    return await start_core_in_two_workspaces()


def in_b(core: Core, name: str, *, platform_admin: bool = False) -> Actor:
    return core.actor(name, platform_admin=platform_admin, workspace=B)


async def suggested(core: Core, actor: Actor, text: str) -> tuple[UserRef, ...]:
    """Whom a question `actor` asks in their workspace is suggested to."""
    said = "\n".join(m.plain() for m in await core.handle(AskQuestion(actor, text)))
    assert said.startswith("Thanks! Your question is #"), said
    number = int(said.removeprefix("Thanks! Your question is #").split()[0].rstrip("."))
    [q] = [
        q
        for q in core.db.tables["questions"].values()
        if q.workspace == actor.workspace and q.number == number
    ]
    return tuple(q.suggested)


async def two_profiles(core: Core) -> None:
    """bob mentors python in A (weekdays) and kubernetes in B (weekends, Berlin, 5 a week)."""
    await core.join("bob", "python", "pandas", hours="Mon-Sun 00:00-24:00")
    said = await core.reply(
        RegisterMentor(
            in_b(core, "bob"),
            ("kubernetes",),
            hours="Mon-Sun 00:00-24:00",
            timezone="Europe/Berlin",
            capacity_per_week=5,
        )
    )
    assert "Welcome aboard!" in said, said


async def test_joining_in_a_second_workspace_makes_a_second_profile(core: Core) -> None:
    await core.join("bob", "python", hours="Mon-Fri 09:00-17:00")
    said = await core.reply(
        RegisterMentor(
            in_b(core, "bob"), ("kubernetes",), hours="Sat 10:00-12:00", timezone="Europe/Berlin"
        )
    )
    assert "Welcome aboard!" in said and "Skills: kubernetes" in said
    a, b = core.profile("bob", A), core.profile("bob", B)
    assert (a.skills, a.hours, a.timezone) == (
        ("python",),
        WeeklyHours.parse("Mon-Fri 09:00-17:00"),
        "UTC",
    )
    assert (b.skills, b.hours, b.timezone) == (
        ("kubernetes",),
        WeeklyHours.parse("Sat 10:00-12:00"),
        "Europe/Berlin",
    )


async def test_each_workspace_shows_and_changes_only_its_own_profile(core: Core) -> None:
    await two_profiles(core)
    await core.handle(UpdateMentorSkills(in_b(core, "bob"), ("sql",)))
    here = await core.reply(ShowMentorProfile(core.actor("bob")))
    there = await core.reply(ShowMentorProfile(in_b(core, "bob")))
    assert "Skills: python, pandas" in here and "sql" not in here
    assert "Skills: sql" in there and "python" not in there
    assert core.profile("bob", A).skills == ("python", "pandas")
    assert (core.profile("bob", B).capacity_per_week, core.profile("bob", A).capacity_per_week) == (
        5,
        3,
    )


async def test_the_mentor_list_of_each_workspace_shows_its_own_skills(core: Core) -> None:
    await two_profiles(core)
    here = await core.reply(ListMentors(core.actor("alice")))
    there = await core.reply(ListMentors(in_b(core, "erin")))
    assert "python" in here and "kubernetes" not in here
    assert "kubernetes" in there and "python" not in there


async def test_pausing_in_one_workspace_leaves_the_other_untouched(core: Core) -> None:
    await two_profiles(core)
    said = await core.reply(PauseMentor(in_b(core, "bob"), timedelta(days=7)))
    assert said.startswith("Paused until"), said
    now = core.clock.now()
    assert core.profile("bob", B).is_paused(now)
    assert core.profile("bob", A).paused_until is None
    assert core.user("bob") in await suggested(core, core.actor("alice"), PYTHON_QUESTION)
    assert await suggested(core, in_b(core, "erin"), KUBERNETES_QUESTION) == ()


async def test_leaving_one_workspace_keeps_the_profile_and_session_in_the_other(core: Core) -> None:
    await two_profiles(core)
    n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(LeaveProgramme(in_b(core, "bob")))
    assert "You have left the mentor list" in said
    assert not core.profile("bob", B).active
    assert core.profile("bob", A).active
    assert core.question(n).mentor == core.user("bob")  # the session in A goes on
    assert "You are not on the mentor list" in await core.reply(LeaveProgramme(in_b(core, "bob")))


async def test_a_question_is_never_suggested_to_a_mentor_for_skills_of_another_workspace(
    core: Core,
) -> None:
    await two_profiles(core)
    bob = core.user("bob")
    assert bob not in await suggested(core, core.actor("alice"), KUBERNETES_QUESTION)
    assert bob not in await suggested(core, in_b(core, "erin"), PYTHON_QUESTION)
    assert await suggested(core, in_b(core, "erin"), KUBERNETES_QUESTION) == (bob,)
    assert await suggested(core, core.actor("alice"), PYTHON_QUESTION) == (bob,)


async def test_an_admins_export_shows_their_profile_only_and_the_operator_forgets_them_all(
    core: Core,
) -> None:
    await two_profiles(core)
    admin = core.actor("admin")
    await core.handle(ExportPerson(admin, core.user("bob")))
    data = core.chat.messages("send_dm", user=admin.user)[-1]
    assert data.attachment is not None
    exported = data.attachment.data.decode()
    assert "test:T1" in exported and "test:T2" not in exported and "kubernetes" not in exported
    # An admin of one workspace can't erase what bob does in the other; the operator can.
    said = await core.reply(ForgetPerson(admin, core.user("bob"), confirmed=True))
    assert "another workspace" in said, said
    said = await core.reply(ForgetPerson(admin, core.user("bob"), confirmed=True, everywhere=True))
    assert said.startswith("Done:"), said
    assert core.db.tables["mentors"] == {}
    assert await suggested(core, in_b(core, "erin"), KUBERNETES_QUESTION) == ()


async def test_the_home_view_lists_the_open_questions_of_its_own_workspace(core: Core) -> None:
    """Numbers are per workspace: B's home listed A's "#1" beside B's own "#1"."""
    from bot.commands import ShowHome

    await core.reply(AskQuestion(core.actor("alice"), KUBERNETES_QUESTION))
    await core.reply(AskQuestion(in_b(core, "alice"), PYTHON_QUESTION))
    home = await core.reply(ShowHome(in_b(core, "alice")))
    assert "pandas" in home and "kubernetes" not in home, home


async def test_mentor_feedback_shows_the_ratings_of_its_own_workspace_only(core: Core) -> None:
    """B's `/mentor feedback` showed A's rating and comment, "on #1" as if B's own #1."""
    await two_profiles(core)
    n = await core.resolved(asker="alice", mentor="bob")
    said = await core.reply(RateSession(core.actor("alice"), n, 2, comment="Not helpful in A"))
    assert "Thanks" in said, said
    in_a = await core.reply(ShowMentorFeedback(core.actor("bob")))
    assert f"2/5 on #{n}: Not helpful in A" in in_a, in_a
    in_b_said = await core.reply(ShowMentorFeedback(in_b(core, "bob")))
    assert in_b_said.startswith("No ratings yet."), in_b_said


async def limited_core(**limits: int) -> Core:
    """Two workspaces, coaching off (asks are posted at once), the given `[limits]`."""
    config = Config(ask=AskSection(coaching="off"), limits=LimitsSection(**limits))
    core = await start_core(config)
    await core.handle(
        RegisterWorkspace(B, ChannelRef(B.platform, "m2"), ChannelRef(B.platform, "a2"))
    )
    return core


async def test_the_ask_limit_counts_the_asks_of_its_own_workspace_only() -> None:
    core = await limited_core(asks=2)
    for text in (PYTHON_QUESTION, KUBERNETES_QUESTION):
        assert (await core.reply(AskQuestion(core.actor("alice"), text))).startswith("Thanks!")
    said = await core.reply(AskQuestion(core.actor("alice"), "How do I profile a slow function?"))
    assert "You've asked 2 questions in the last 10 minutes" in said, said
    said = await core.reply(AskQuestion(in_b(core, "alice"), PYTHON_QUESTION))
    assert said.startswith("Thanks!"), said


async def test_the_claim_limit_counts_the_claims_of_its_own_workspace_only() -> None:
    core = await limited_core(claims=1)
    await two_profiles(core)
    first = await core.ask("alice", PYTHON_QUESTION)
    assert (await core.claim("bob", first)).startswith(f"You claimed #{first}")
    second = await core.ask("carol", "How do I profile a slow Python function properly?")
    assert "You've claimed 1 questions" in await core.claim("bob", second)
    said = await core.reply(AskQuestion(in_b(core, "erin"), KUBERNETES_QUESTION))
    assert said.startswith("Thanks! Your question is #1."), said
    said = await core.reply(ClaimQuestion(in_b(core, "bob"), 1))
    assert said.startswith("You claimed #1"), said
