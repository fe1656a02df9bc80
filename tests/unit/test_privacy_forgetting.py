"""Forgetting someone reaches what this process keeps in memory; leaving mentoring is not
leaving the workspace, leaving one workspace is not leaving while mentoring in another, and
someone who left and acts again is back."""

from __future__ import annotations

import pytest

from bot.commands import Actor, MarkNotMyArea, RateSession, RegisterMentor, RegisterWorkspace
from bot.privacy.commands import (
    ExportPerson,
    ForgetPerson,
    LeaveProgramme,
    ManageMentor,
    PersonBack,
    PersonLeft,
)
from bot.refs import ChannelRef, WorkspaceRef
from tests.unit.core_harness import QUESTION, WORKSPACE, Core, start_core

OTHER = WorkspaceRef("test", "T2")


@pytest.fixture
async def core() -> Core:
    return await start_core()


async def _rated(core: Core) -> int:
    """alice's question, mentored by bob, resolved and rated 5 (a lesson of who helped)."""
    n = await core.resolved(asker="alice", mentor="bob")
    await core.handle(RateSession(core.actor("alice"), n, 5))
    return n


async def test_forgetting_an_asker_takes_their_questions_out_of_the_in_memory_indexes(
    core: Core,
) -> None:
    n = await _rated(core)
    pk = core.question(n).pk
    services = core.bus.services
    assert pk in services.similar.of(WORKSPACE)
    assert services.learned.nearest(WORKSPACE, QUESTION)
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    assert said.startswith("Done:"), said
    assert pk not in services.similar.of(WORKSPACE)
    assert services.similar.of(WORKSPACE).search(QUESTION, ["pandas"]) == []
    assert services.learned.nearest(WORKSPACE, QUESTION) == []


async def test_the_warning_names_what_forgetting_ends_and_a_second_forget_finds_nothing(
    core: Core,
) -> None:
    await _rated(core)
    asker = await core.reply(ForgetPerson(core.actor("admin"), core.user("alice")))
    assert "comments for good; the figures stay" in asker  # alice mentors nobody
    mentor = await core.reply(ForgetPerson(core.actor("admin"), core.user("bob")))
    assert "ends their mentoring and releases their sessions" in mentor
    first = await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    assert first.startswith("Done:"), first
    again = await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    assert again.startswith("There was nothing of ") and again.endswith(" left to erase."), again


async def test_the_first_forget_reads_the_same_for_an_anonymous_only_asker_and_anyone_else(
    core: Core,
) -> None:
    """Whether a confirm would find anything is not said before it: for someone the admin can
    see nothing of, that would tell that they asked anonymously."""
    await core.join("bob", "pandas")
    n = await core.ask("carol", QUESTION, anonymous=True)
    await core.claim("bob", n)
    await core.resolve("carol", n)
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("carol"), "carol"))
    nobody = await core.reply(ForgetPerson(core.actor("admin"), core.user("zed"), "zed"))
    assert "for good" in said and said == nobody.replace("zed", "carol")


async def test_a_second_forget_that_erases_nothing_records_no_erasure(core: Core) -> None:
    await _rated(core)
    await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    forgets = [e for e in core.db.rows("audit") if e.action == "forget"]
    assert len(forgets) == 1, forgets  # one erasure, one tombstone in the trail


async def test_forgetting_someone_who_only_asked_anonymously_tells_the_admin_nothing_new(
    core: Core,
) -> None:
    # The admin's export of carol shows nothing (her anonymous question, over, stays hers):
    # forgetting her reads as forgetting anyone with nothing stored, and says no count.
    await core.join("bob", "pandas")
    n = await core.ask("carol", QUESTION, anonymous=True)
    assert (await core.claim("bob", n)).startswith(f"You claimed #{n}")
    assert await core.resolve("carol", n) == f"#{n} is marked resolved."
    export = await core.reply(ExportPerson(core.actor("admin"), core.user("carol")))
    assert export.startswith("Nothing I can show you about ")
    before = len(core.chat.of("update_card"))
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("carol"), confirmed=True))
    assert core.chat.of("update_card")[before:] == []  # her anonymous card is not pointed at
    nobody = await core.reply(ForgetPerson(core.actor("admin"), core.user("zed"), confirmed=True))
    assert said == nobody.replace("zed", "carol")
    assert all(q.asker != core.user("carol") for q in core.db.rows("questions"))  # erased
    named = await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    assert named == "Done: bob is forgotten."


async def test_forgetting_a_mentor_drops_the_seconds_old_figures_that_name_them(
    core: Core,
) -> None:
    await core.join("bob", "pandas")
    n = await core.ask("alice")
    await core.handle(MarkNotMyArea(core.actor("bob"), n))
    await core.ask("dave", "How do I pivot a pandas DataFrame with two index columns?")
    figures = core.bus.services.figures

    async def fresh() -> str:
        return "read again"

    kept = await figures.get(("not_my_area", WORKSPACE), fresh)
    assert core.user("bob") in kept  # the ranking's memo of who declined what
    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    assert await figures.get(("not_my_area", WORKSPACE), fresh) == "read again"


async def test_forgetting_a_mentor_takes_their_name_out_of_the_learned_lessons(
    core: Core,
) -> None:
    await _rated(core)
    learned = core.bus.services.learned
    assert core.user("bob") in learned.helped(WORKSPACE, QUESTION)
    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    assert learned.helped(WORKSPACE, QUESTION) == {}
    assert learned.nearest(WORKSPACE, QUESTION)  # alice's question still teaches its topics


async def test_a_forgotten_mentors_own_words_are_not_matched_in_any_workspace(
    core: Core,
) -> None:
    await core.handle(
        RegisterWorkspace(OTHER, ChannelRef("test", "m2"), ChannelRef("test", "a2"), name="b")
    )
    bob = Actor(core.user("bob"), "bob", OTHER)
    await core.handle(
        RegisterMentor(bob, ("python",), about="I untangle gnarly pandas groupby questions")
    )
    roster = core.bus.services.roster
    async with core.runtime.uow_factory(read_only=True) as uow:
        before = await roster.snapshot(uow, OTHER)
    assert core.user("bob") in before.words.match("a gnarly groupby")
    # Erased everywhere, as the operator's `micromentor people delete` does (an admin of one
    # workspace erases only what is all in theirs).
    operator = core.actor("admin", platform_admin=True)
    await core.handle(ForgetPerson(operator, core.user("bob"), confirmed=True, everywhere=True))
    async with core.runtime.uow_factory(read_only=True) as uow:
        after = await roster.snapshot(uow, OTHER)
    assert after.words.match("a gnarly groupby") == {}


async def _left_at(core: Core, name: str) -> object:
    return core.db.tables.get("left", {}).get(core.user(name))


async def test_leaving_mentoring_everywhere_is_not_leaving_the_workspace(core: Core) -> None:
    await core.handle(
        RegisterWorkspace(OTHER, ChannelRef("test", "m2"), ChannelRef("test", "a2"), name="b")
    )
    await core.join("bob", "python")
    await core.handle(RegisterMentor(Actor(core.user("bob"), "bob", OTHER), ("kubernetes",)))
    await core.handle(LeaveProgramme(core.actor("bob")))
    await core.handle(LeaveProgramme(Actor(core.user("bob"), "bob", OTHER)))
    assert not any(p.active for p in core.db.rows("mentors"))
    assert await _left_at(core, "bob") is None


async def test_an_admin_taking_a_mentor_off_the_list_is_not_offboarding(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(ManageMentor(core.actor("admin"), core.user("bob"), "remove"))
    assert "is off the mentor list" in said, said
    assert await _left_at(core, "bob") is None


async def test_leaving_one_workspace_is_not_leaving_while_mentoring_in_another(
    core: Core,
) -> None:
    await core.handle(
        RegisterWorkspace(OTHER, ChannelRef("test", "m2"), ChannelRef("test", "a2"), name="b")
    )
    await core.join("bob", "python")
    await core.handle(RegisterMentor(Actor(core.user("bob"), "bob", OTHER), ("kubernetes",)))
    await core.handle(PersonLeft(core.user("bob"), WORKSPACE))
    assert await _left_at(core, "bob") is None
    await core.handle(PersonLeft(core.user("bob"), OTHER))
    assert await _left_at(core, "bob") is not None


async def test_someone_who_left_and_asks_again_is_back(core: Core) -> None:
    await core.ask("alice")
    await core.handle(PersonLeft(core.user("alice"), WORKSPACE))
    assert await _left_at(core, "alice") is not None
    await core.ask("alice", "How do I pivot a pandas DataFrame from long to wide format?")
    assert await _left_at(core, "alice") is None


async def test_someone_who_left_and_rejoins_as_a_mentor_is_back(core: Core) -> None:
    await core.join("bob", "python")
    await core.handle(PersonLeft(core.user("bob"), WORKSPACE))
    assert await _left_at(core, "bob") is not None
    await core.join("bob", "python")
    assert await _left_at(core, "bob") is None


async def test_someone_the_platform_says_is_back_is_no_longer_recorded_as_left(core: Core) -> None:
    # A reactivated Slack user: back before they act; their mentoring stays ended.
    await core.join("bob", "python")
    await core.handle(PersonLeft(core.user("bob"), WORKSPACE))
    assert await _left_at(core, "bob") is not None
    await core.handle(PersonBack(core.user("bob"), WORKSPACE))
    assert await _left_at(core, "bob") is None
    await core.handle(PersonBack(core.user("alice"), WORKSPACE))  # never left: nothing to do
    assert await _left_at(core, "alice") is None


async def test_the_export_of_an_anonymous_asker_is_true_and_reads_as_for_someone_unknown(
    core: Core,
) -> None:
    """carol's person row (and her first-question badge) exist: "nothing stored" would be
    false. What the admin reads instead is true of anyone, and the same for zed, whom the bot
    never met: different words would tell the admin that carol asked anonymously."""
    await core.join("bob", "pandas")
    await core.ask("carol", QUESTION, anonymous=True)
    carol = await core.reply(ExportPerson(core.actor("admin"), core.user("carol")))
    zed = await core.reply(ExportPerson(core.actor("admin"), core.user("zed")))
    assert carol == zed.replace("zed", "carol")
    assert "nothing stored" not in carol.lower()
    assert carol == (
        "Nothing I can show you about carol here; nothing of theirs in this workspace is kept "
        "for an admin to see (of someone erased, nothing is kept at all). Anything stored about "
        "them, they can get with `/mentor mydata`, or whoever runs Micromentor with "
        "`micromentor people export`."
    )


async def test_forgetting_a_mentor_redraws_only_their_newest_past_cards(
    core: Core, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not hundreds of card updates at once for a long-time mentor: the newest few."""
    monkeypatch.setattr("bot.privacy.rights.PAST_CARDS_REDRAWN", 1)
    older = await core.resolved(asker="alice", mentor="bob")
    newer = await core.resolved(asker="alice", mentor="bob")
    before = len(core.chat.of("update_card"))
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    assert said.startswith("Done:"), said
    redrawn = [c.message.plain() for c in core.chat.of("update_card")[before:] if c.message]
    assert any(f"#{newer}" in m and "someone forgotten" in m for m in redrawn), redrawn
    assert not any(f"#{older}" in m for m in redrawn), redrawn


async def test_forgetting_someone_whose_only_trace_is_an_open_anonymous_question_says_so(
    core: Core,
) -> None:
    """Her open card is withdrawn and redrawn without its text: the channel sees it, so the
    admin is told what was taken out, not "nothing left to erase" (erasure wins)."""
    await core.join("bob", "pandas")
    n = await core.ask("carol", QUESTION, anonymous=True)
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("carol"), confirmed=True))
    assert said == (
        "Done: carol is forgotten. An open question they asked anonymously is withdrawn, its "
        "text removed."
    ), said  # counted, not numbered: the admin's answer doesn't tie the card to her
    assert core.question(n).state.value == "cancelled"


async def test_forgetting_someone_with_named_and_anonymous_open_questions_numbers_the_named(
    core: Core,
) -> None:
    await core.join("bob", "pandas")
    named = await core.ask("carol", QUESTION)
    await core.ask("carol", QUESTION + " (and with dates?)", anonymous=True)
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("carol"), confirmed=True))
    assert said == (
        f"Done: carol is forgotten. Their open question #{named} is withdrawn: its card no longer "
        "shows the text. An open question they asked anonymously is withdrawn too, its text "
        "removed."
    ), said


async def test_forgetting_a_named_asker_redraws_their_closed_cards_without_the_name(
    core: Core,
) -> None:
    """Their name and words leave every card over that showed them; their anonymous card,
    which never named them, is left alone (redrawing it would point at them)."""
    named = await core.resolved(asker="alice", mentor="bob")
    hidden = await core.ask(
        "alice", "How do I ask my manager for a raise politely?", anonymous=True
    )
    assert (await core.claim("bob", hidden)).startswith(f"You claimed #{hidden}")
    assert await core.resolve("alice", hidden) == f"#{hidden} is marked resolved."
    before = len(core.chat.of("update_card"))
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    assert said == "Done: alice is forgotten.", said
    redrawn = [c.message.plain() for c in core.chat.of("update_card")[before:] if c.message]
    [card] = [m for m in redrawn if f"#{named}" in m]
    assert "alice" not in card and QUESTION not in card, card
    assert "Asked by: someone forgotten" in card and "helped by bob" in card, card
    assert not any(f"#{hidden}" in m for m in redrawn), redrawn
