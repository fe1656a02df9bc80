"""The FAQ at ask time and after: ranked once per ask; the entries a held draft showed are not
listed again once it is posted; the questions the FAQ answered before they were posted are
counted for admins; a forgotten author is told nothing of changes to their entry."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

import bot.learning.faq_match as faq
from bot.commands import AskQuestion, ShowStats
from bot.learning.commands import AnsweredByFaq, PostDraft, RetireFaq, SaveFaq
from bot.learning.model import FaqEntry
from bot.messagebus import Context
from bot.refs import WorkspaceRef
from tests.unit.core_harness import WORKSPACE, Core, start_core

ANSWER = 'Use df.groupby(["a", "b"])["c"].sum(): it returns a Series indexed by both columns.'
LIKE_IT = "How can I group a pandas DataFrame by two columns and get the sum?"
# On the same topic, but a different question: "Answered before" once posted, not held.
WEAK = "Why does my pandas DataFrame sum come out as NaN for some columns? I tried fillna."


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    n = await core.resolved()
    said = await core.reply(SaveFaq(core.actor("bob"), n, ANSWER))
    assert said.startswith("Saved as FAQ 1"), said
    return core


@pytest.fixture
def rankings(monkeypatch: pytest.MonkeyPatch) -> list[WorkspaceRef]:
    """Each ranking of the FAQ: a ranking starts by taking the workspace's shown entries."""
    ranked: list[WorkspaceRef] = []
    visible: Callable[..., Awaitable[list[FaqEntry]]] = faq.visible_faq

    async def counted(ctx: Context, workspace: WorkspaceRef) -> list[FaqEntry]:
        ranked.append(workspace)
        return await visible(ctx, workspace)

    monkeypatch.setattr(faq, "visible_faq", counted)
    return ranked


async def test_an_ask_not_held_ranks_the_faq_once_and_shows_what_it_found(
    core: Core, rankings: list[WorkspaceRef]
) -> None:
    said = await core.reply(AskQuestion(core.actor("dave"), WEAK))
    assert said.startswith("Thanks! Your question is #2.")
    assert said.index("Answered before:") < said.index("FAQ 1 How do I group")
    assert rankings == [WORKSPACE]


async def test_an_ask_held_for_the_faq_ranks_it_once(
    core: Core, rankings: list[WorkspaceRef]
) -> None:
    said = await core.reply(AskQuestion(core.actor("dave"), LIKE_IT))
    assert "I've held your question back" in said and "FAQ 1 How do I group" in said
    assert rankings == [WORKSPACE]


async def test_an_ask_held_for_coaching_ranks_the_faq_once(
    core: Core, rankings: list[WorkspaceRef]
) -> None:
    short = "pandas NaN after fillna"  # not the FAQ's question: only coaching holds it
    said = await core.reply(AskQuestion(core.actor("dave"), short))
    assert said.startswith("Before I post it:")
    assert rankings == [WORKSPACE]


async def test_posting_a_held_draft_anyway_does_not_repeat_the_entries_it_showed(
    core: Core,
) -> None:
    held = await core.reply(AskQuestion(core.actor("dave"), LIKE_IT))
    assert "FAQ 1 How do I group" in held
    said = await core.reply(PostDraft(core.actor("dave"), 1))  # [Post my question anyway]
    assert said.startswith("Thanks! Your question is #2.")
    assert "Answered before" not in said and "FAQ 1" not in said


async def test_questions_the_faq_answered_before_posting_are_counted_in_the_stats(
    core: Core,
) -> None:
    async def spared() -> str:
        said = (await core.reply(ShowStats(core.actor("admin")))).splitlines()
        return next(line for line in said if line.startswith("FAQ:"))

    assert await spared() == "FAQ: 0 questions answered before they were posted"
    await core.reply(AskQuestion(core.actor("dave"), LIKE_IT))  # draft 1
    await core.reply(AnsweredByFaq(core.actor("dave"), 1))
    await core.reply(AskQuestion(core.actor("erin"), LIKE_IT))  # draft 2, posted anyway
    await core.reply(PostDraft(core.actor("erin"), 2))
    assert await spared() == "FAQ: 1 question answered before it was posted"


async def test_a_forgotten_author_is_not_told_of_an_admin_s_changes(core: Core) -> None:
    from bot.privacy.commands import ForgetPerson

    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    before = len(core.chat.messages("send_dm"))
    said = await core.reply(SaveFaq(core.actor("admin"), 1, "update " + ANSWER + " Or pivot."))
    assert said.startswith("FAQ 1 is updated.")
    said = await core.reply(RetireFaq(core.actor("admin"), 1))
    assert said.startswith("FAQ 1 is retired")
    told = [m.plain() for m in core.chat.messages("send_dm")[before:]]
    assert not [m for m in told if "your answer in FAQ 1" in m]


@pytest.mark.parametrize("anonymous", [False, True])
async def test_a_coaching_preview_listing_faq_entries_offers_that_answers_it(
    core: Core, anonymous: bool
) -> None:
    """Seen in a console walk: the preview listed the entry under "Answered before" with only
    [Post as is] [Edit], though `click answered` worked."""
    [preview] = await core.handle(
        AskQuestion(core.actor("dave"), "Can someone help me with pandas grouping?", anonymous)
    )
    said = preview.plain()
    assert said.startswith("Before I post it:") and "FAQ 1 How do I group" in said
    assert "Answered before, maybe it's already here:" in said
    assert [a.id for a in preview.actions] == ["answered", "post", "edit"]
    said = await core.reply(AnsweredByFaq(core.actor("dave"), 1))
    assert said.startswith("Glad it helped! Your draft is closed")


async def test_a_coaching_preview_without_faq_entries_offers_no_that_answers_it(
    core: Core,
) -> None:
    [preview] = await core.handle(
        AskQuestion(core.actor("dave"), "Can someone help me with a git rebase that went wrong?")
    )
    assert preview.plain().startswith("Before I post it:")
    assert "Answered before" not in preview.plain()
    assert [a.id for a in preview.actions] == ["post", "edit"]
