"""Leaving a lightning session one signed up for: `/lightning leave <n>` or Leave on the "You're
in!" answer and on each reminder; afterwards no reminders nor rating prompt. Someone not signed
up, a session that ended or was cancelled, and the speaker are each told what is true."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot import commands as c
from bot.config import Config
from bot.lightning.commands import (
    CancelLightning,
    JoinLightning,
    LeaveLightning,
    RateLightning,
)
from tests.unit.core_harness import WORKSPACE, Core, start_core
from tests.unit.test_lightning_flow import (
    AT,
    CALL,
    TITLE,
    at,
    card_versions,
    dms,
    field,
    reminders,
    scheduled,
)

OFF_THE_LIST = "You're off the list for #{n} “{title}”; join again any time before it starts."


@pytest.fixture
async def core() -> Core:
    core = await start_core(Config.model_validate({"session": {"call_link": CALL}}))
    await core.join("bob", "python", "pandas")
    return core


async def test_lightning_leave_takes_them_off_the_list_and_the_card(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("dan"), n))
    await core.handle(JoinLightning(core.actor("cat"), n))
    said = await core.reply(LeaveLightning(core.actor("dan"), n))
    assert said == OFF_THE_LIST.format(n=n, title=TITLE), said
    assert field(card_versions(core)[-1], "Going") == "1 signed up"
    assert [r.user for r in core.db.rows("rsvps")] == [core.user("cat")]


async def test_the_youre_in_answer_carries_a_leave_button(core: Core) -> None:
    n = await scheduled(core)
    [said] = await core.handle(JoinLightning(core.actor("dan"), n))
    assert said.plain().startswith("You're in!")
    assert [(a.id, a.question_id, a.workspace) for a in said.actions] == [
        ("leave", n, WORKSPACE.id)
    ]


async def test_leave_on_a_reminder_takes_them_off_the_list(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("dan"), n))
    await at(core, AT - timedelta(days=1))
    [reminder] = [m for m in dms(core, "dan") if m.plain().startswith("⏰")]
    [leave] = reminder.actions
    assert (leave.id, leave.label, leave.workspace) == ("leave", "Leave", WORKSPACE.id)
    pressed = c.button_command(core.actor("dan"), leave.id, leave.question_id)
    [session] = core.db.rows("lightning")
    assert pressed == LeaveLightning(core.actor("dan"), session.stored_id, by_id=True)
    said = await core.reply(pressed)
    assert said == OFF_THE_LIST.format(n=n, title=TITLE), said
    assert core.db.rows("rsvps") == []


async def test_the_speakers_reminders_have_no_leave_button(core: Core) -> None:
    await scheduled(core)
    await at(core, AT - timedelta(days=1))
    [reminder] = [m for m in dms(core, "bob") if m.plain().startswith("⏰")]
    assert "you're speaking" in reminder.plain() and reminder.actions == ()
    # After a time in two zones, one parenthesis at a time: "UTC (16:00 Europe/Paris); you're …"
    assert "UTC; you're speaking." in reminder.plain(), reminder.plain()


async def test_after_leaving_no_reminders_nor_rating_prompt(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("dan"), n))
    await core.handle(JoinLightning(core.actor("cat"), n))
    await at(core, AT - timedelta(days=1))  # both reminded a day before
    assert len(reminders(core, "dan")) == 1
    await core.handle(LeaveLightning(core.actor("dan"), n))
    before = len(dms(core, "dan"))
    for when in (AT - timedelta(minutes=15), AT + timedelta(hours=1)):
        await at(core, when)
    assert len(reminders(core, "cat")) == 2
    assert any("How was" in m.plain() for m in dms(core, "cat"))
    assert len(dms(core, "dan")) == before  # neither the 15-minute reminder nor the prompt
    assert field(card_versions(core)[-1], "Held") == "1 signed up"
    refused = await core.reply(RateLightning(core.actor("dan"), n, 5))
    assert "Only the people who signed up" in refused


async def test_leaving_a_session_you_had_not_joined_says_so_and_changes_nothing(
    core: Core,
) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("cat"), n))
    cards = len(card_versions(core))
    said = await core.reply(LeaveLightning(core.actor("dan"), n))
    assert said == f"You're not signed up for #{n}."
    assert len(card_versions(core)) == cards
    assert [r.user for r in core.db.rows("rsvps")] == [core.user("cat")]


async def test_leaving_twice_says_they_are_not_signed_up_any_more(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("dan"), n))
    await core.handle(LeaveLightning(core.actor("dan"), n))
    said = await core.reply(LeaveLightning(core.actor("dan"), n))
    assert said == f"You're not signed up for #{n}."


async def test_the_speaker_is_told_to_cancel_instead(core: Core) -> None:
    n = await scheduled(core)
    said = await core.reply(LeaveLightning(core.actor("bob"), n))
    assert said.startswith(f"You're the speaker of #{n}."), said
    assert f"`/lightning cancel {n}`" in said
    [s] = core.db.rows("lightning")
    assert s.state.value == "scheduled"


async def test_leaving_a_session_that_has_ended_says_so(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("dan"), n))
    await at(core, AT + timedelta(minutes=15))
    said = await core.reply(LeaveLightning(core.actor("dan"), n))
    assert said == f"Lightning session #{n} has already ended."
    assert [r.user for r in core.db.rows("rsvps")] == [core.user("dan")]  # may still rate it


async def test_leaving_a_cancelled_session_says_so(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("dan"), n))
    await core.handle(CancelLightning(core.actor("bob"), n))
    said = await core.reply(LeaveLightning(core.actor("dan"), n))
    assert said == f"Lightning session #{n} is cancelled already: nothing to leave."


async def test_leaving_an_unknown_session_points_to_the_list(core: Core) -> None:
    said = await core.reply(LeaveLightning(core.actor("dan"), 99))
    assert said.startswith("There is no lightning session #99."), said
