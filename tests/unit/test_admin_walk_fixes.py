"""What an admin's walk found: a mentor hears what an admin changed about them, an admin can't
erase themselves, the export of someone erased says nothing is kept, and a hand-over an admin
asks for is told to the mentor when it is offered and says who asks."""

from __future__ import annotations

import pytest

from bot.commands import (
    AcceptHandOver,
    Actor,
    DeclineHandOver,
    HandOverQuestion,
    ReleaseQuestion,
    ResumeMentor,
)
from bot.privacy.commands import ExportPerson, ForgetPerson, ManageMentor
from bot.questions.cards import an_admin
from tests.unit.core_harness import WORKSPACE, Core, start_core
from tests.unit.test_core_handover import closed_dms_core


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    return core


def manage(core: Core, action: str, capacity: int | None = None) -> ManageMentor:
    return ManageMentor(core.actor("admin"), core.user("bob"), action, capacity)


# -- 1. the mentor hears what an admin changed -------------------------------------------------


async def test_a_mentor_is_told_when_an_admin_pauses_resumes_or_sets_their_capacity(
    core: Core,
) -> None:
    assert await core.reply(manage(core, "pause")) == "bob is paused until resumed."
    [paused] = core.chat.dms(core.user("bob"))
    assert paused.startswith("An admin paused you as a mentor until you resume")
    assert "`/mentor resume` when you're ready to take questions again" in paused
    await core.reply(manage(core, "resume"))
    assert core.chat.dms(core.user("bob"))[-1].startswith("An admin resumed you as a mentor")
    await core.reply(manage(core, "capacity", 7))
    assert core.chat.dms(core.user("bob"))[-1] == (
        "An admin set your capacity to 7 sessions a week; `/mentor capacity <n>` changes it."
    )


async def test_a_mentor_taken_off_the_list_is_told_with_their_released_session(
    core: Core,
) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(manage(core, "remove"))
    assert said == "bob is off the mentor list (1 claimed session released)."
    told = core.chat.dms(core.user("bob"))[-1]
    assert told.startswith("An admin took you off the mentor list of this workspace")
    assert "Your claimed session went back to the queue" in told
    assert told.endswith("`/mentor join <skills>` to come back.")
    assert core.question(n).mentor is None


async def test_an_admin_changing_their_own_mentoring_is_not_told_it_as_news() -> None:
    core = await start_core()
    await core.join("admin", "pandas")
    await core.reply(ManageMentor(core.actor("admin"), core.user("admin"), "pause"))
    assert core.chat.dms(core.user("admin")) == []


async def test_a_mentor_with_closed_dms_does_not_stop_the_admins_change() -> None:
    core = await closed_dms_core("bob")
    assert await core.reply(manage(core, "pause")) == "bob is paused until resumed."
    assert core.profile("bob").is_paused(core.clock.now())
    assert [c.args["user"] for c in core.chat.calls if c.method == "refused_dm"] == [
        core.user("bob")
    ]
    # Their resume is theirs to give: they were told how.
    await core.reply(ResumeMentor(core.actor("bob")))
    assert not core.profile("bob").is_paused(core.clock.now())


# -- 2. an admin can't erase themselves --------------------------------------------------------


@pytest.mark.parametrize("confirmed", [False, True])
async def test_an_admin_cannot_forget_themselves(core: Core, confirmed: bool) -> None:
    await core.ask("admin")
    await core.reply(manage(core, "pause"))  # an admin action in the audit trail
    before = core.db.snapshot()
    said = await core.reply(
        ForgetPerson(core.actor("admin"), core.user("admin"), "admin", confirmed)
    )
    assert said.startswith("You can't erase yourself as an admin")
    assert "`micromentor people delete test:admin`" in said and "another admin" in said
    assert core.db.snapshot() == before


async def test_an_admin_can_still_forget_another_admin() -> None:
    core = await start_core()
    core.config.bot.admins.append("test:ada")
    await core.ask("ada")
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("ada"), "ada", True))
    assert said.startswith("Done: ada is forgotten"), said


async def test_a_capacity_set_to_what_it_is_changes_nothing_and_tells_nobody(core: Core) -> None:
    assert await core.reply(manage(core, "capacity", 3)) == "bob already takes 3 sessions a week."
    assert core.chat.dms(core.user("bob")) == []


async def test_the_mentor_hears_the_offer_is_off_also_when_the_admin_was_forgotten(
    core: Core,
) -> None:
    core.config.bot.admins.append("test:ada")
    n = await core.claimed(asker="alice", mentor="bob")
    ada = Actor(core.user("ada"), "Ada", WORKSPACE)
    await core.reply(HandOverQuestion(ada, n, core.user("carol")))
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("ada"), "Ada", True))
    assert said.startswith("Done: Ada is forgotten"), said
    await core.reply(DeclineHandOver(core.actor("carol"), n))
    assert core.chat.dms(core.user("bob"))[-1] == (
        f"The offer of your session on #{n} to carol is off: they can't take it, so it stays yours."
    )


async def test_an_admins_release_names_them_in_the_dms_as_in_the_thread_and_frees_the_offer(
    core: Core,
) -> None:
    core.config.bot.admins.append("test:ada")
    n = await core.claimed(asker="alice", mentor="bob")
    ada = Actor(core.user("ada"), "Ada", WORKSPACE)
    await core.reply(HandOverQuestion(ada, n, core.user("carol")))
    await core.reply(ReleaseQuestion(ada, n))
    assert core.chat.in_thread(n)[-1].startswith(f"An admin (Ada) released #{n}; ")
    assert core.chat.dms(core.user("bob"))[-1].startswith(
        f"An admin (Ada) released your session on #{n}: "
    )
    assert core.chat.dms(core.user("alice"))[-1].startswith(
        f"An admin (Ada) put your question #{n} back in the queue. "
    )
    withdrawn = [m for m in core.chat.dms(core.user("carol")) if "is withdrawn" in m]
    assert withdrawn == [
        f"The request to take over #{n} is withdrawn: it went back to the queue. You can still "
        "claim it there if you'd like to take it."
    ]


# -- 3. the export of someone erased -----------------------------------------------------------


async def test_the_export_of_someone_forgotten_promises_no_data_and_reads_as_for_anyone(
    core: Core,
) -> None:
    await core.ask("alice")
    await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), "alice", True))
    alice = await core.reply(ExportPerson(core.actor("admin"), core.user("alice"), "alice"))
    await core.ask("dave", anonymous=True)  # only anonymous traces: the same words
    dave = await core.reply(ExportPerson(core.actor("admin"), core.user("dave"), "dave"))
    zed = await core.reply(ExportPerson(core.actor("admin"), core.user("zed"), "zed"))
    assert "all of their data" not in alice
    assert "of someone erased, nothing is kept at all" in alice
    assert alice == zed.replace("zed", "alice") == dave.replace("dave", "alice")


# -- 5. an admin's hand-over, told when it is offered ------------------------------------------


async def test_an_admins_offer_is_told_to_the_mentor_and_says_who_asks(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(HandOverQuestion(core.actor("admin"), n, core.user("carol")))
    [told] = core.chat.dms(core.user("bob"))
    assert told == (
        f"An admin offered your session on #{n} to carol; it stays yours until they accept, "
        "and I'll tell you if they can't."
    )
    [offer] = core.chat.dms(core.user("carol"))
    # The admin's name is "admin": said once, not "An admin (admin)".
    assert offer.startswith(
        f"An admin asks: could you take over the mentoring session on question #{n} from bob?"
    )
    await core.reply(DeclineHandOver(core.actor("carol"), n))
    assert core.chat.dms(core.user("bob"))[-1] == (
        f"The offer of your session on #{n} to carol is off: they can't take it, so it stays yours."
    )


async def test_an_offer_names_the_admin_who_asks_and_the_mentors_own_says_it_is_theirs(
    core: Core,
) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    ada = Actor(core.user("admin"), "Ada", WORKSPACE)
    await core.reply(HandOverQuestion(ada, n, core.user("carol")))
    assert core.chat.dms(core.user("carol"))[-1].startswith(
        f"An admin (Ada) asks: could you take over the mentoring session on question #{n} from bob?"
    )
    await core.reply(DeclineHandOver(core.actor("carol"), n))
    await core.reply(HandOverQuestion(core.actor("bob"), n, core.user("carol")))
    assert core.chat.dms(core.user("carol"))[-1].startswith(
        f"bob asks: could you take over their mentoring session on question #{n}?"
    )
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert not any("offered" in d for d in core.chat.dms(core.user("bob"))[1:])


@pytest.mark.parametrize(
    ("name", "said"),
    [("Ada", "An admin (Ada)"), ("admin", "An admin"), (" ADMIN ", "An admin"), ("", "An admin")],
)
def test_an_admin_is_named_once(name: str, said: str) -> None:
    assert an_admin(name).plain() == said
    assert an_admin(name, start=False).plain() == said.replace("An", "an", 1)
