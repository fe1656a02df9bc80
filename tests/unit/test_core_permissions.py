"""Who may resolve, release or cancel: the asker, the claiming mentor or an admin — per action."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from bot.commands import Actor, CancelQuestion, Command, ReleaseQuestion, ResolveQuestion
from bot.config import BotSection, Config
from bot.domain import QuestionState
from tests.unit.core_harness import WORKSPACE, Core, start_core

Build = Callable[[Actor, int], Command]
ACTIONS: dict[str, Build] = {
    "resolve": ResolveQuestion,
    "release": ReleaseQuestion,
    "cancel": CancelQuestion,
}
REFUSALS = {
    "resolve": "Only the asker or mentor of #{n} (or an admin) can resolve it.",
    "release": "Only the asker or mentor of #{n} (or an admin) can release it.",
    "cancel": "Only the asker of #{n} (or an admin) can cancel it.",
}
AFTER = {
    "resolve": QuestionState.RESOLVED,
    "release": QuestionState.OPEN,
    "cancel": QuestionState.CANCELLED,
}


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")  # another mentor, but not this session's
    return core


@pytest.mark.parametrize("action", list(ACTIONS))
@pytest.mark.parametrize("who", ["carol", "zed"], ids=["other-mentor", "bystander"])
async def test_everyone_else_is_refused_clearly_and_nothing_changes(
    core: Core, action: str, who: str
) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    before_rows = core.db.snapshot()
    before_calls = list(core.chat.calls)
    said = await core.reply(ACTIONS[action](core.actor(who), n))
    assert said == REFUSALS[action].format(n=n)
    assert core.db.snapshot() == before_rows
    assert core.chat.calls == before_calls


@pytest.mark.parametrize(
    ("action", "who"),
    [
        ("resolve", "alice"),
        ("resolve", "bob"),
        ("resolve", "admin"),
        ("release", "bob"),
        ("release", "admin"),
        ("cancel", "alice"),
        ("cancel", "admin"),
    ],
)
async def test_the_right_people_may_act(core: Core, action: str, who: str) -> None:
    if (action, who) == ("cancel", "alice"):
        # The asker cancels while it waits for a mentor (a running session is resolved or
        # released: see test_core_sessions); an admin cancels any.
        n = await core.ask("alice")
    else:
        n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(ACTIONS[action](core.actor(who), n))
    assert "Only" not in said
    assert core.question(n).state is AFTER[action]


async def test_mentor_cannot_cancel_the_askers_question(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(ACTIONS["cancel"](core.actor("bob"), n))
    assert said == REFUSALS["cancel"].format(n=n)
    assert core.question(n).state is QuestionState.CLAIMED


async def test_asker_may_release_the_session_to_find_another_mentor(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(ACTIONS["release"](core.actor("alice"), n))
    assert core.question(n).state is QuestionState.OPEN
    assert core.question(n).mentor is None


async def test_platform_admins_count_as_admins(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(ResolveQuestion(core.actor("owner", platform_admin=True), n))
    assert core.question(n).state is QuestionState.RESOLVED


async def test_admins_listed_by_id_count_and_a_name_alone_never_does() -> None:
    core = await start_core(Config(bot=BotSection(admins=["test:dana"])))
    await core.join("bob", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    # eve renamed herself "dana" (and "admin"): names are not identities
    for name in ("dana", "admin"):
        impostor = Actor(core.user("eve"), name, WORKSPACE)
        assert "Only" in await core.reply(CancelQuestion(impostor, n))
    await core.reply(CancelQuestion(core.actor("dana"), n))
    assert core.question(n).state is QuestionState.CANCELLED


@pytest.mark.parametrize(
    ("action", "state_words"),
    [
        ("resolve", "already resolved"),
        ("release", "already resolved"),
        ("cancel", "already resolved"),
    ],
)
async def test_moves_from_a_final_state_are_refused_with_the_reason(
    core: Core, action: str, state_words: str
) -> None:
    n = await core.resolved(asker="alice", mentor="bob")
    before = core.db.snapshot()
    said = await core.reply(ACTIONS[action](core.actor("admin"), n))
    if action == "resolve":
        assert said == f"Question #{n} is already marked resolved by its asker; nothing more to do."
    else:
        assert f"#{n} is {state_words}, so it can't be" in said
    assert core.db.snapshot() == before


async def test_resolving_an_unclaimed_question_suggests_cancelling(core: Core) -> None:
    n = await core.ask("alice")
    said = await core.resolve("alice", n)
    assert (
        said
        == f"#{n} has not been claimed yet. If you don't need help any more, cancel it instead."
    )
    assert core.question(n).state is QuestionState.OPEN


async def test_releasing_an_unclaimed_question_is_refused(core: Core) -> None:
    n = await core.ask("alice")
    said = await core.reply(ReleaseQuestion(core.actor("admin"), n))
    assert said == f"Question #{n} is not claimed yet, so it can't be released."
