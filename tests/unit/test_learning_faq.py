"""The FAQ: saved from a resolved session by its mentor, shown first at ask time, searched with
`/askmentor faq`, re-verified by its author after ``verify_days`` and hidden when nobody does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.caching import Memo
from bot.commands import AskQuestion
from bot.config import Config, FaqSection
from bot.domain import NudgeKind, NudgeState, QuestionState
from bot.learning.commands import (
    AnsweredByFaq,
    ConfirmFaq,
    PostDraft,
    RetireFaq,
    SaveFaq,
    SearchFaq,
    UpdateFaq,
)
from bot.learning.faq_match import rank_faq
from bot.learning.forms import FAQ_GONE, FAQ_NOT_HERE, FaqForm, faq_form
from bot.learning.model import FaqEntry, FaqState
from tests.unit.core_harness import (
    SECOND_WORKSPACE,
    START,
    WORKSPACE,
    Core,
    start_core,
    start_core_in_two_workspaces,
)

ANSWER = 'Use df.groupby(["a", "b"])["c"].sum(): it returns a Series indexed by both columns.'
LATER = "How can I group a pandas DataFrame by two columns and get the sum?"


@pytest.fixture
async def core() -> Core:
    return await start_core()


async def saved(core: Core) -> int:
    n = await core.resolved()
    said = await core.reply(SaveFaq(core.actor("bob"), n, ANSWER))
    assert said.startswith("Saved as FAQ 1"), said
    return n


def entry(n: int, question: str, answer: str, topics: tuple[str, ...] = ()) -> FaqEntry:
    return FaqEntry(WORKSPACE, n, Core.user("bob"), question, answer, START, START, topics, id=n)


def test_ranking_prefers_the_entry_sharing_words_and_topics() -> None:
    entries = [
        entry(1, "How do I undo a git commit?", "git reset --soft HEAD~1", ("git",)),
        entry(
            2, "How do I group a DataFrame by two columns?", "df.groupby([...]).sum()", ("pandas",)
        ),
    ]
    found = rank_faq(entries, LATER, ("pandas",), limit=2, min_score=55)
    assert [e.number for e in found] == [2]
    assert rank_faq(entries, "reset a commit", limit=2, min_score=30)[0].number == 1
    assert rank_faq(entries, "kubernetes ingress", limit=2, min_score=30) == []


async def test_the_mentor_saves_a_resolved_session_as_an_faq_entry(core: Core) -> None:
    n = await saved(core)
    [e] = core.db.rows("faq")
    assert (e.question_id, e.author, e.answer, e.topics) == (
        n,
        core.user("bob"),
        ANSWER,
        ("pandas",),
    )
    assert e.state is FaqState.ACTIVE and e.verified_at == START


async def test_only_the_mentor_or_an_admin_may_save_it(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(SaveFaq(core.actor("alice"), n, ANSWER))
    assert said == f"Only the mentor of #{n} (or an admin) can save it as an FAQ entry."
    assert (await core.reply(SaveFaq(core.actor("admin"), n, ANSWER))).startswith("Saved as FAQ")


async def test_an_unresolved_question_has_no_answer_to_save(core: Core) -> None:
    n = await core.claimed()
    said = await core.reply(SaveFaq(core.actor("bob"), n, ANSWER))
    assert said == f"#{n} isn't resolved yet: save it as an FAQ entry once the session is resolved."
    said = await core.reply(SaveFaq(core.actor("carol"), n, ANSWER))  # someone else's session
    assert said == f"Only the mentor of #{n} (or an admin) can save it as an FAQ entry."


async def test_a_question_not_claimed_yet_is_not_said_to_be_someone_elses(core: Core) -> None:
    """Seen in a console walk: `faq 1 …` on a question still open told the mentor about to take
    it "Only the mentor of #1 (or an admin) can save it"."""
    await core.join("bob", "python", "pandas")
    n = await core.ask("alice")
    said = await core.reply(SaveFaq(core.actor("bob"), n, ANSWER))
    assert said == f"#{n} isn't resolved yet: save it as an FAQ entry once the session is resolved."


async def test_a_session_closed_unresolved_has_no_answer_to_save(core: Core) -> None:
    n = await core.claimed()
    for minutes in (20, 10):  # the time box runs out, then the wrap-up's grace
        core.clock.advance(timedelta(minutes=minutes))
        await core.tick()
    assert core.question(n).state is QuestionState.EXPIRED
    said = await core.reply(SaveFaq(core.actor("bob"), n, ANSWER))
    assert said == (
        f"#{n} closed without being resolved, so there's no answer to save as an FAQ entry."
    )


async def test_a_one_word_answer_is_refused(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(SaveFaq(core.actor("bob"), n, "groupby"))
    assert said.startswith("Write the answer in a sentence or two")


async def test_saving_again_updates_the_entry(core: Core) -> None:
    n = await saved(core)
    core.clock.advance(timedelta(days=10))
    said = await core.reply(
        SaveFaq(core.actor("bob"), n, ANSWER + " Add .reset_index() for a frame.", replace=True)
    )
    assert said.startswith("FAQ 1 is updated.")
    [e] = core.db.rows("faq")
    assert e.answer.endswith("for a frame.") and e.verified_at == START + timedelta(days=10)


async def test_saving_again_replaces_the_scheduled_check_so_the_author_is_asked_once(
    core: Core,
) -> None:
    n = await saved(core)
    said = await core.reply(
        SaveFaq(core.actor("bob"), n, ANSWER + " Add .reset_index() for a frame.", replace=True)
    )
    assert said.startswith("FAQ 1 is updated.")
    pending = [
        x
        for x in core.db.rows("nudges")
        if x.kind is NudgeKind.FAQ_VERIFY and x.state is NudgeState.PENDING
    ]
    assert len(pending) == 1
    core.clock.advance(timedelta(days=90))
    await core.tick()
    asked = [m for m in core.chat.dms(core.user("bob")) if "still accurate" in m]
    assert len(asked) == 1


async def test_a_retired_entry_has_no_check_pending(core: Core) -> None:
    await saved(core)
    await core.reply(RetireFaq(core.actor("bob"), 1))
    assert not [
        x
        for x in core.db.rows("nudges")
        if x.kind is NudgeKind.FAQ_VERIFY and x.state is NudgeState.PENDING
    ]


async def test_entries_are_shown_first_when_someone_asks_something_like_it(core: Core) -> None:
    first = await core.resolved()
    await core.resolved(asker="erin")  # before the entry: asked after, it would be held too
    await core.handle(SaveFaq(core.actor("bob"), first, ANSWER))
    held = await core.reply(AskQuestion(core.actor("dave"), LATER))
    assert "I've held your question back" in held and "FAQ 1 How do I group" in held
    said = await core.reply(PostDraft(core.actor("dave"), 1))  # [Post my question anyway]
    assert said.startswith("Thanks! Your question is #3.")
    # Just shown on the draft: not listed again with the posted question.
    assert "Answered before:" not in said and "FAQ 1" not in said
    assert "Already answered, maybe useful meanwhile:" in said


async def test_that_answers_it_closes_the_held_draft_and_posts_nothing(core: Core) -> None:
    await saved(core)
    questions = len(core.db.rows("questions"))
    held = await core.reply(AskQuestion(core.actor("dave"), LATER))
    assert held.startswith("This was answered before")
    said = await core.reply(AnsweredByFaq(core.actor("erin"), 1))
    assert said.startswith("That draft isn't one of yours, or it's gone.")
    said = await core.reply(AnsweredByFaq(core.actor("dave"), 1))
    assert said.startswith("Glad it helped! Your draft is closed")
    assert [d.state.value for d in core.db.rows("drafts")] == ["answered"]
    assert len(core.db.rows("questions")) == questions
    said = await core.reply(PostDraft(core.actor("dave"), 1))
    assert said.startswith("That draft was closed: you said the FAQ answered it")
    assert len(core.db.rows("questions")) == questions


async def test_a_held_draft_shows_its_asker_no_draft_number(core: Core) -> None:
    # Draft numbers are global: erin's first held draft is draft 2, which she must not see.
    await saved(core)
    await core.handle(AskQuestion(core.actor("dave"), LATER))
    [held] = await core.handle(AskQuestion(core.actor("erin"), LATER))
    said = held.plain()
    assert said.startswith("This was answered before")
    assert f"Your draft (only you see it): {LATER}" in said and "Draft 2" not in said
    assert [a.custom_id for a in held.actions] == ["mm:answered:2", "mm:post:2"]
    said = await core.reply(AnsweredByFaq(core.actor("erin"), 2))
    assert said.startswith("Glad it helped! Your draft is closed") and "2" not in said


async def test_a_question_needing_coaching_and_answered_by_the_faq_is_held_once(
    core: Core,
) -> None:
    await saved(core)
    held = await core.reply(
        AskQuestion(core.actor("dave"), "group a pandas DataFrame by two columns and sum one")
    )
    assert held.startswith("Before I post it:")
    assert "FAQ 1 How do I group" in held
    assert len(core.db.rows("drafts")) == 1
    said = await core.reply(AnsweredByFaq(core.actor("dave"), 1))
    assert said.startswith("Glad it helped! Your draft is closed")


async def test_a_question_shown_as_an_faq_entry_is_not_listed_again_as_similar(
    core: Core,
) -> None:
    first = await core.resolved()
    second = await core.resolved(asker="erin")
    await core.handle(SaveFaq(core.actor("bob"), first, ANSWER))
    await core.reply(AskQuestion(core.actor("dave"), LATER))  # held: the FAQ answers it
    said = await core.reply(PostDraft(core.actor("dave"), 1))
    similar = said[said.index("Already answered, maybe useful meanwhile:") :]
    assert f"• #{second} " in similar
    assert f"• #{first} " not in similar


async def test_the_faq_is_searched_with_askmentor_faq(core: Core) -> None:
    await saved(core)
    said = await core.reply(SearchFaq(core.actor("dave"), "groupby sum"))
    assert said.startswith("From the FAQ (“groupby sum”)")
    assert "FAQ 1 How do I group a pandas DataFrame" in said and "reset_index" not in said
    nothing = await core.reply(SearchFaq(core.actor("dave"), "kubernetes ingress"))
    assert nothing.startswith("Nothing in the FAQ matches “kubernetes ingress”.")


async def test_after_verify_days_the_author_is_asked_whether_it_is_still_accurate(
    core: Core,
) -> None:
    await saved(core)
    core.clock.advance(timedelta(days=90) - timedelta(minutes=1))
    await core.tick()
    assert not [m for m in core.chat.dms(core.user("bob")) if "still accurate" in m]
    core.clock.advance(timedelta(minutes=1))
    await core.tick()
    [dm] = [
        m
        for m in core.chat.messages("send_dm", user=core.user("bob"))
        if "still accurate" in m.plain()
    ]
    # A DM's buttons carry the workspace the entry belongs to.
    ids = ["mm:faqok:1@T1", "mm:faqupdate:1@T1", "mm:faqretire:1@T1"]
    assert [a.custom_id for a in dm.actions] == ids


async def test_an_entry_nobody_confirms_is_hidden_fourteen_days_later(core: Core) -> None:
    await saved(core)
    core.clock.advance(timedelta(days=90 + 14) - timedelta(minutes=1))
    assert "FAQ 1" in await core.reply(SearchFaq(core.actor("dave"), "groupby"))
    core.clock.advance(timedelta(minutes=2))
    core.bus.services.figures.forget()
    said = await core.reply(SearchFaq(core.actor("dave"), "groupby"))
    assert said.startswith("Nothing in the FAQ matches")


async def test_yes_keeps_it_shown_for_another_period_and_asks_again_then(core: Core) -> None:
    await saved(core)
    core.clock.advance(timedelta(days=90))
    await core.tick()
    said = await core.reply(ConfirmFaq(core.actor("bob"), 1))
    assert said == "Thanks! FAQ 1 stays up; I'll check with you again in 90 days."
    core.clock.advance(timedelta(days=60))
    core.bus.services.figures.forget()
    assert "FAQ 1" in await core.reply(SearchFaq(core.actor("dave"), "groupby"))
    core.clock.advance(timedelta(days=30))
    await core.tick()
    asked = [m for m in core.chat.dms(core.user("bob")) if "still accurate" in m]
    assert len(asked) == 2
    # Each check says what last vouched for the answer: writing it, then the confirmation.
    assert "You wrote it 90+ days ago" in asked[0]
    assert "You last confirmed it 90+ days ago" in asked[1]


async def test_the_check_after_an_update_says_when_it_was_updated(core: Core) -> None:
    n = await saved(core)
    core.clock.advance(timedelta(days=10))
    await core.reply(
        SaveFaq(core.actor("bob"), n, ANSWER + " Add .reset_index() for a frame.", replace=True)
    )
    core.clock.advance(timedelta(days=90))
    await core.tick()
    [asked] = [m for m in core.chat.dms(core.user("bob")) if "still accurate" in m]
    assert "You last updated it 90+ days ago" in asked


async def test_retire_hides_the_entry_at_once(core: Core) -> None:
    await saved(core)
    said = await core.reply(RetireFaq(core.actor("bob"), 1))
    assert said.startswith("FAQ 1 is retired and no longer shown.")
    assert (await core.reply(SearchFaq(core.actor("dave"), "groupby"))).startswith("Nothing")
    core.clock.advance(timedelta(days=90))
    await core.tick()
    assert not [m for m in core.chat.dms(core.user("bob")) if "still accurate" in m]


async def test_saving_a_retired_entry_again_says_it_is_back_in_use(core: Core) -> None:
    n = await saved(core)
    await core.reply(RetireFaq(core.actor("bob"), 1))
    said = await core.reply(SaveFaq(core.actor("bob"), n, ANSWER + " Still true.", replace=True))
    assert said.startswith("FAQ 1 is updated and back in use:"), said
    assert not (await core.reply(SearchFaq(core.actor("dave"), "groupby"))).startswith("Nothing")
    again = await core.reply(SaveFaq(core.actor("bob"), n, ANSWER, replace=True))
    assert again.startswith("FAQ 1 is updated. In "), again


async def test_update_says_how_to_write_the_new_answer(core: Core) -> None:
    n = await saved(core)
    said = await core.reply(UpdateFaq(core.actor("bob"), 1))
    assert said == (
        f"FAQ 1 answers question #{n}. Write its new answer as a line with the question's "
        f"number: `faq {n} update <the new answer>`."
    )


async def test_only_the_author_or_an_admin_may_confirm_update_or_retire(core: Core) -> None:
    await saved(core)
    for command in (ConfirmFaq, UpdateFaq, RetireFaq):
        said = await core.reply(command(core.actor("mallory"), 1))
        assert said == "Only the author of FAQ 1 (or an admin) can change it."
    assert (await core.reply(RetireFaq(core.actor("admin"), 1))).startswith("FAQ 1 is retired")


async def test_entries_are_counted_by_author(core: Core) -> None:
    await saved(core)
    async with core.db.uow_factory()() as uow:
        assert await uow.faq.count_by_author(WORKSPACE, core.user("bob")) == 1
        assert await uow.faq.count_by_author(WORKSPACE, core.user("alice")) == 0


async def test_showing_none_at_ask_time_is_allowed() -> None:
    core = await start_core(Config(faq=FaqSection(shown=0)))
    await saved(core)
    said = await core.reply(AskQuestion(core.actor("dave"), LATER))
    assert "Answered before" not in said


async def test_when_the_author_is_forgotten_the_admins_check_the_entry_not_the_tombstone(
    core: Core,
) -> None:
    from bot.privacy.commands import ForgetPerson
    from tests.unit.core_harness import ADMIN_CHANNEL

    await saved(core)
    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    core.clock.advance(timedelta(days=90))
    await core.tick()
    dms = [m for m in core.chat.messages("send_dm") if "still accurate" in m.plain()]
    assert dms == []
    [asked] = [
        m
        for m in core.chat.messages("post_card", channel=ADMIN_CHANNEL)
        if "still accurate" in m.plain()
    ]
    assert "could an admin check it" in asked.plain()
    said = await core.reply(ConfirmFaq(core.actor("admin"), 1))
    assert said.startswith("Thanks! FAQ 1 stays up")


async def test_a_mentor_who_left_is_not_asked_the_admins_are(core: Core) -> None:
    from bot.privacy.commands import LeaveProgramme
    from tests.unit.core_harness import ADMIN_CHANNEL

    await saved(core)
    await core.handle(LeaveProgramme(core.actor("bob")))
    core.clock.advance(timedelta(days=90))
    await core.tick()
    assert not [m for m in core.chat.dms(core.user("bob")) if "still accurate" in m]
    assert [
        m
        for m in core.chat.messages("post_card", channel=ADMIN_CHANNEL)
        if "still accurate" in m.plain()
    ]


def test_an_entry_whose_askers_words_were_removed_shows_no_removed_marker() -> None:
    # Forgetting the asker replaces the entry's copy of the question with the privacy marker.
    from bot.learning.faq_match import faq_lines

    [line] = faq_lines([entry(1, "[removed on request]", ANSWER)])
    assert line.plain() == "• FAQ 1 — " + ANSWER
    [kept] = faq_lines([entry(2, LATER, ANSWER)])
    assert kept.plain().startswith("• FAQ 2 How can I group")


async def test_another_workspace_neither_finds_nor_changes_the_faq() -> None:
    core = await start_core_in_two_workspaces()
    await saved(core)
    elsewhere = core.actor("dave", workspace=SECOND_WORKSPACE)
    said = await core.reply(SearchFaq(elsewhere, "groupby sum"))
    assert said.startswith("Nothing in the FAQ matches")
    admin = core.actor("erin", platform_admin=True, workspace=SECOND_WORKSPACE)
    for command in (ConfirmFaq(admin, 1), UpdateFaq(admin, 1), RetireFaq(admin, 1)):
        assert await core.reply(command) == "There is no FAQ 1."
    here = await core.reply(SearchFaq(core.actor("dave"), "groupby sum"))
    assert "FAQ 1" in here


async def test_the_update_form_opens_only_for_an_entry_of_the_clicker_s_workspace(
    core: Core,
) -> None:
    n = await saved(core)
    uows, bob, carol = core.db.uow_factory(), core.user("bob"), core.user("carol")
    form = await faq_form(uows, 1, workspace=WORKSPACE, user=carol)
    assert isinstance(form, FaqForm) and (form.question_id, form.answer) == (n, ANSWER)
    assert await faq_form(uows, 1, workspace=SECOND_WORKSPACE, user=bob) == FAQ_NOT_HERE
    # A DM button naming no workspace: only the author, whom the DM was sent to, opens it.
    assert isinstance(await faq_form(uows, 1, workspace=None, user=bob), FaqForm)
    assert await faq_form(uows, 1, workspace=None, user=carol) == FAQ_NOT_HERE
    assert await faq_form(uows, 2, workspace=WORKSPACE, user=bob) == FAQ_GONE


async def test_memo_values_expire_with_the_business_clock_as_well() -> None:
    """A value kept for 5 s of process time is read again when the injected clock moved on (a
    console `clock +15d`) or back, though no process time passed."""
    loads: list[int] = []

    async def load() -> int:
        loads.append(1)
        return len(loads)

    memo = Memo(ttl_seconds=5.0, monotonic=lambda: 0.0)
    at = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    assert await memo.get("k", load, now=at) == 1
    assert await memo.get("k", load, now=at + timedelta(seconds=4)) == 1
    assert await memo.get("k", load, now=at + timedelta(days=15)) == 2
    assert await memo.get("k", load, now=at) == 3


async def test_the_asker_alone_is_told_their_words_are_the_entry_s_question(core: Core) -> None:
    await saved(core)
    [told] = [m for m in core.chat.dms(core.user("alice")) if "saved as FAQ 1" in m]
    assert "in your words (never your name)" in told
    assert not [m for m in core.chat.dms(core.user("bob")) if "saved as FAQ 1" in m]
    [dm] = [
        m
        for m in core.chat.messages("send_dm", user=core.user("alice"))
        if "saved as FAQ 1" in m.plain()
    ]
    assert [a.custom_id for a in dm.actions] == ["mm:faqunquote:1@T1"]


async def test_the_asker_may_take_their_words_out_of_the_entry(core: Core) -> None:
    from bot.learning.commands import UnquoteFaq

    await saved(core)
    said = await core.reply(UnquoteFaq(core.actor("bob"), 1))
    assert said == "FAQ 1 isn't from a question of yours."
    said = await core.reply(UnquoteFaq(core.actor("alice"), 1))
    assert said.startswith("Done: FAQ 1's question now reads “A question about pandas”.")
    [e] = core.db.rows("faq")
    assert e.question == "A question about pandas" and e.answer == ANSWER
    found = await core.reply(SearchFaq(core.actor("dave"), "groupby sum"))
    assert "FAQ 1 A question about pandas — " in found


async def test_an_admin_s_update_is_told_to_the_author_and_checked_with_the_admin(
    core: Core,
) -> None:
    n = await saved(core)
    core.clock.advance(timedelta(days=10))
    said = await core.reply(
        SaveFaq(core.actor("admin"), n, "update " + ANSWER + " Or use pivot_table.")
    )
    assert said.startswith("FAQ 1 is updated. In 90 days I'll ask you whether")
    [told] = [m for m in core.chat.dms(core.user("bob")) if "your answer in FAQ 1" in m]
    assert "updated your answer in FAQ 1" in told and "Or use pivot_table." in told
    assert "I'll ask them, not you" in told
    core.clock.advance(timedelta(days=90))
    await core.tick()
    assert not [m for m in core.chat.dms(core.user("bob")) if "Is FAQ 1 still accurate" in m]
    [asked] = [m for m in core.chat.dms(core.user("admin")) if "Is FAQ 1 still accurate" in m]
    assert "You last updated it 90+ days ago" in asked


async def test_an_admin_s_confirmation_makes_the_next_check_theirs(core: Core) -> None:
    await saved(core)
    core.clock.advance(timedelta(days=90))
    await core.tick()
    await core.reply(ConfirmFaq(core.actor("admin"), 1))
    core.clock.advance(timedelta(days=90))
    await core.tick()
    assert len([m for m in core.chat.dms(core.user("bob")) if "Is FAQ 1 still accurate" in m]) == 1
    [asked] = [m for m in core.chat.dms(core.user("admin")) if "Is FAQ 1 still accurate" in m]
    assert "You last confirmed it 90+ days ago" in asked


async def test_an_admin_retiring_an_entry_tells_its_author(core: Core) -> None:
    await saved(core)
    await core.reply(RetireFaq(core.actor("admin"), 1))
    assert [m for m in core.chat.dms(core.user("bob")) if "retired your answer in FAQ 1" in m]
    await core.reply(SaveFaq(core.actor("bob"), 1, ANSWER + " Still true.", replace=True))
    await core.reply(RetireFaq(core.actor("bob"), 1))
    assert len([m for m in core.chat.dms(core.user("bob")) if "your answer in FAQ" in m]) == 1
