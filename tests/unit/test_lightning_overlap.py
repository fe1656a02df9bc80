"""An attendee may sign up for sessions that overlap (someone hops between talks), but the
"You're in!" answer names the overlapping session they signed up for or give, with its time."""

from __future__ import annotations

from datetime import datetime

import pytest

from bot.config import Config
from bot.lightning.commands import JoinLightning, ProposeLightning
from tests.unit.core_harness import Core, start_core

PANDAS = datetime(2026, 11, 23, 16, 0)  # the harness's Monday, 15 minutes long
SQL = datetime(2026, 11, 23, 16, 5)  # starts while the pandas one runs
LATER = datetime(2026, 11, 23, 16, 15)  # starts as the pandas one ends: no overlap


@pytest.fixture
async def core() -> Core:
    core = await start_core(Config())
    said = await core.reply(
        ProposeLightning(core.actor("alice"), "pandas", PANDAS, "Quick pandas tips")
    )
    assert said.startswith("Thank you!"), said
    said = await core.reply(ProposeLightning(core.actor("carol"), "sql", SQL, "Window functions"))
    assert said.startswith("Thank you!"), said
    return core


async def test_joining_a_session_overlapping_one_signed_up_for_names_it(core: Core) -> None:
    said = await core.reply(JoinLightning(core.actor("dave"), 1))
    assert said.startswith("You're in!") and "overlaps" not in said, said
    said = await core.reply(JoinLightning(core.actor("dave"), 2))
    assert said.startswith("You're in! #2 “Window functions”"), said
    assert (
        "Heads-up: it overlaps lightning session #1 “Quick pandas tips”, "
        "Mon 2026-11-23 16:00 UTC — you're signed up for it too "
        "(`/lightning leave 1` if not)."
    ) in said, said
    # Both sign-ups were taken.
    assert len([r for r in core.db.rows("rsvps") if r.user == core.user("dave")]) == 2


async def test_joining_a_session_overlapping_ones_own_talk_names_it(core: Core) -> None:
    said = await core.reply(JoinLightning(core.actor("alice"), 2))
    assert said.startswith("You're in! #2"), said
    assert (
        "Heads-up: it overlaps lightning session #1 “Quick pandas tips”, "
        "Mon 2026-11-23 16:00 UTC — you're giving it."
    ) in said, said


async def test_back_to_back_sessions_do_not_overlap(core: Core) -> None:
    said = await core.reply(ProposeLightning(core.actor("erin"), "git", LATER, "Rebase basics"))
    assert said.startswith("Thank you!"), said
    await core.reply(JoinLightning(core.actor("dave"), 1))
    said = await core.reply(JoinLightning(core.actor("dave"), 3))
    assert said.startswith("You're in!") and "overlaps" not in said, said
