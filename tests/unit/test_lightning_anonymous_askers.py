"""The demand proposal's head count ("from M people") and anonymous askers: beside the named
cards, a count of distinct askers would tell a mentor whether the anonymous asker is one of the
named ones, so it is left out whenever any counted question was asked anonymously; and
`min_askers = 1` turns the distinct-askers gate off."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Config
from bot.lightning.commands import DeclineLightning
from tests.unit.core_harness import Core, start_core
from tests.unit.test_lightning_demand import proposals
from tests.unit.test_lightning_walk_fixes import QUESTIONS


async def _ask(core: Core, names: tuple[str, ...], *, anonymous_last: bool) -> None:
    for i, (name, question) in enumerate(zip(names, QUESTIONS, strict=True)):
        await core.ask(name, question, anonymous=anonymous_last and i == len(names) - 1)


async def test_an_anonymous_asker_leaves_the_head_count_out_of_the_proposal() -> None:
    # Cards: alice ×2 and bob ×2 by name, one anonymous (carl): "from 3 people" would say the
    # anonymous asker is neither alice nor bob.
    core = await start_core()
    await core.join("dave", "python", "pandas")
    await _ask(core, ("alice", "alice", "bob", "bob", "carl"), anonymous_last=True)
    [prompt] = proposals(core)
    assert prompt.startswith("⚡ 5 questions about pandas came up in the last 28 days."), prompt
    assert "people" not in prompt.split(".")[0] and "person" not in prompt.split(".")[0], prompt


async def test_named_askers_only_keep_the_head_count() -> None:
    core = await start_core()
    await core.join("dave", "python", "pandas")
    await _ask(core, ("alice", "alice", "bob", "bob", "carl"), anonymous_last=False)
    [prompt] = proposals(core)
    assert prompt.startswith("⚡ 5 questions from 3 people about pandas came up"), prompt


async def test_the_next_mentors_asked_are_not_told_the_head_count_either() -> None:
    core = await start_core(Config.model_validate({"lightning": {"propose_to": 1}}))
    await core.join("dave", "python", "pandas")
    await core.join("erin", "pandas")
    await _ask(core, ("alice", "alice", "bob", "bob", "carl"), anonymous_last=True)
    [first] = proposals(core)
    assert first.startswith("⚡ 5 questions about pandas"), first
    [s] = core.db.rows("lightning")
    [asked_first] = s.invited
    decliner = next(name for name in ("dave", "erin") if Core.user(name) == asked_first)
    await core.reply(DeclineLightning(core.actor(decliner), s.number))
    [_, second] = proposals(core)
    assert second.startswith("⚡ 5 questions about pandas came up"), second


async def test_min_askers_1_lets_one_persons_five_questions_make_demand() -> None:
    core = await start_core(Config.model_validate({"lightning": {"min_askers": 1}}))
    await core.join("dave", "python", "pandas")
    await _ask(core, ("amy",) * 5, anonymous_last=False)
    assert len(core.db.rows("lightning")) == 1
    [prompt] = proposals(core)
    assert prompt.startswith("⚡ 5 questions from 1 person about pandas came up"), prompt


def test_min_askers_0_is_still_refused() -> None:
    with pytest.raises(ValidationError):
        Config.model_validate({"lightning": {"min_askers": 0}})
