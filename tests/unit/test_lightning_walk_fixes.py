"""A newcomer's walk of the console: a session nobody signed up for is not "held" (card, the
speaker's DM, the digest, the badge); demand from one person asking again and again proposes
nothing; accepting one's own session again with another time or title says so."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.config import Config
from bot.domain import Question
from bot.lightning.commands import AcceptLightning, JoinLightning, ProposeLightning
from bot.lightning.demand import find_demand
from bot.lightning.model import LightningState
from tests.unit.core_harness import START, Core, start_core
from tests.unit.test_lightning_demand import asked, proposals
from tests.unit.test_lightning_flow import AT, TITLE, at, card_versions, dms, field

QUESTIONS = (
    "How do I group a pandas DataFrame by two columns and sum one of them?",
    "How do I pivot a pandas DataFrame so that months become columns?",
    "Why does pandas merge give me duplicate rows after joining two tables?",
    "How do I read only some columns of a big CSV file with pandas quickly?",
    "How can I fill missing values in a pandas column with the previous value?",
)


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    return core


# --- 1. nobody signed up: not held -------------------------------------------------------------


async def test_a_session_nobody_signed_up_for_is_not_said_to_have_taken_place(
    core: Core,
) -> None:
    said = await core.reply(ProposeLightning(core.actor("bob"), "pandas", AT, TITLE))
    assert said.startswith("Thank you!"), said
    await at(core, AT + timedelta(minutes=15))
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.HELD
    card = card_versions(core)[-1]
    shown = card.plain()
    assert "took place" not in shown and "Thank you" not in shown, shown
    assert "nobody signed up" in shown, shown
    assert "Held" not in dict(card.fields) and field(card, "Signed up") == "nobody"
    told = [m.plain() for m in dms(core, "bob") if "signed up" in m.plain().lower()]
    assert len(told) == 1, told
    [dm] = told
    assert dm.lower().count("nobody signed up") == 1, dm
    assert "0 people" not in dm and "Thank you for teaching" not in dm, dm
    assert "`/lightning propose" in dm, dm  # a hint: offer it again, another time


async def test_a_session_nobody_signed_up_for_earns_no_points_nor_badge(core: Core) -> None:
    await core.reply(ProposeLightning(core.actor("bob"), "pandas", AT, TITLE))
    await at(core, AT + timedelta(days=1))
    assert core.db.rows("points") == []
    assert [b for b in core.db.rows("badges") if b.badge == "lightning_speaker"] == []
    assert not [m for m in dms(core, "bob") if "Lightning speaker" in m.plain()]


async def test_the_digest_counts_a_session_nobody_signed_up_for_apart_from_the_held(
    core: Core,
) -> None:
    await core.reply(ProposeLightning(core.actor("bob"), "pandas", AT, TITLE))
    said = await core.reply(
        ProposeLightning(core.actor("bob"), "pandas", AT + timedelta(hours=1), "pods for beginners")
    )
    assert said.startswith("Thank you!"), said
    await core.reply(JoinLightning(core.actor("carol"), 1))
    await at(core, AT + timedelta(hours=2))
    digest = await core.digest()
    assert f"Lightning sessions held: 1 — “{TITLE}” by bob (1 signed up)" in digest, digest
    assert "pods for beginners" not in digest and "0 signed up" not in digest, digest
    assert "1 more had nobody signed up" in digest, digest


async def test_a_week_whose_only_session_had_nobody_signed_up_held_none(core: Core) -> None:
    await core.reply(ProposeLightning(core.actor("bob"), "pandas", AT, "pods for beginners"))
    await at(core, AT + timedelta(hours=1))
    digest = await core.digest()
    assert "Lightning sessions held: none this week (1 had nobody signed up)" in digest, digest
    assert "pods for beginners" not in digest, digest


# --- 2. demand from several people ----------------------------------------------------------


def test_five_questions_from_one_person_are_no_demand() -> None:
    amy = [replace(asked(i, "python"), asker=Core.user("amy")) for i in range(1, 6)]

    def found(questions: list[Question]) -> list[tuple[int, int]]:
        return [
            (len(d.question_ids), d.people)
            for d in find_demand(
                questions, now=START, min_questions=5, min_askers=3, window_days=28
            )
        ]

    assert found(amy) == []
    assert found([*amy[:4], asked(5, "python")]) == []  # two people
    assert found([*amy[:3], asked(4, "python"), asked(5, "python")]) == [(5, 3)]


async def test_one_person_asking_five_times_proposes_no_session(core: Core) -> None:
    for question in QUESTIONS:
        await core.ask("amy", question)
        core.clock.advance(timedelta(seconds=20))
    await core.tick()
    assert core.db.rows("lightning") == [] and proposals(core) == []


async def test_the_proposal_says_how_many_people_asked(core: Core) -> None:
    for name, question in zip(("amy", "amy", "amy", "ann", "ben"), QUESTIONS, strict=True):
        await core.ask(name, question)
    [prompt] = proposals(core)
    assert prompt.startswith("⚡ 5 questions from 3 people about pandas came up"), prompt


async def test_two_people_are_enough_where_two_questions_are() -> None:
    """A workspace that lowered `min_questions` to 2: the askers' threshold is capped by it."""
    config = Config.model_validate({"lightning": {"min_questions": 2}})
    assert config.lightning.min_distinct_askers == 2
    assert Config().lightning.min_distinct_askers == 3


# --- 3. accepting one's own session again -------------------------------------------------------


async def test_accepting_again_with_another_time_points_to_move(core: Core) -> None:
    for i in range(1, 6):
        await core.ask(f"asker{i}", QUESTIONS[i - 1])
    n = await _accepted(core)
    said = await core.reply(AcceptLightning(core.actor("bob"), n, AT + timedelta(hours=1), "again"))
    assert "yours already" in said and "scheduled for Wed 2026-11-25 15:00 UTC" in said, said
    assert f"`/lightning move {n} <YYYY-MM-DD HH:MM>`" in said, said
    assert "Its title stays as announced." in said, said
    [s] = core.db.rows("lightning")
    assert (s.starts_at, s.title) == (AT.replace(tzinfo=START.tzinfo), TITLE)
    same = await core.reply(AcceptLightning(core.actor("bob"), n, AT, TITLE))
    assert (
        same
        == f"Lightning session #{n} “{TITLE}” is yours already, on Wed 2026-11-25 15:00 UTC — thank you!"
    )
    retitled = await core.reply(AcceptLightning(core.actor("bob"), n, AT, "another title"))
    assert "Its title stays as announced." in retitled and "/lightning move" not in retitled


async def _accepted(core: Core) -> int:
    [s] = core.db.rows("lightning")
    said = await core.reply(AcceptLightning(core.actor("bob"), s.number, AT, TITLE))
    assert said.startswith("Thank you!"), said
    return s.number
