"""The channel re-post of a question still open: it calls the mentors its card suggested."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import MarkNotMyArea
from tests.unit.core_harness import MENTORING, Core, start_core


async def _bump(core: Core) -> str:
    core.clock.advance(timedelta(minutes=30))
    await core.tick()
    [bump] = [
        m.plain()
        for m in core.chat.messages("post_card", channel=MENTORING)
        if m.kind != "card" and "Still open" in m.plain()
    ]
    return bump


async def test_the_re_post_calls_a_suggested_mentor_of_a_related_skill_too() -> None:
    core = await start_core()
    await core.join("bob", "pandas")
    await core.join("carol", "python")  # pandas's related skill: suggested, not a topic match
    n = await core.ask("ann")
    assert set(core.question(n).suggested) == {core.user("bob"), core.user("carol")}
    bump = await _bump(core)
    assert "Calling @bob, @carol." in bump or "Calling @carol, @bob." in bump, bump
    assert "not available" not in bump


async def test_the_re_post_says_a_suggested_mentor_away_now_is_not_called() -> None:
    core = await start_core()
    await core.join("bob", "pandas")
    await core.join("carol", "python", hours="Mon-Sun 00:00-10:15")  # off work by 10:30
    n = await core.ask("ann")
    assert core.user("carol") in core.question(n).suggested
    bump = await _bump(core)
    assert "@carol" not in bump, bump
    assert bump.endswith("Calling @bob. (1 suggested mentor is not available right now.)"), bump


async def test_the_re_post_does_not_call_a_mentor_who_said_not_my_area() -> None:
    core = await start_core()
    await core.join("bob", "pandas")
    await core.join("carol", "pandas")
    n = await core.ask("ann")
    await core.handle(MarkNotMyArea(core.actor("carol"), n))
    bump = await _bump(core)
    assert "@carol" not in bump and bump.endswith("Can anyone help? Calling @bob."), bump
    assert "not available" not in bump
