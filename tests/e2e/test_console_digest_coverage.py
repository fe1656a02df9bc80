"""The digest's coverage by hour goes by who was at work when each question came, not by the
mentors' hours as they are when the digest is made."""

from __future__ import annotations

from tests.e2e.console_driver import ConsoleDriver

ASK = "/askmentor How do I undo my last git commit but keep the changes?"
UNCOVERED = "came while no mentor was in working hours"


async def test_hours_changed_after_a_question_do_not_rewrite_its_coverage(
    console: ConsoleDriver,
) -> None:
    """Monday 10:00 UTC: bob works then, and claims at once; later he moves his hours to the
    evening. The digest still says no question came while nobody was at work."""
    await console("as bob", "/mentor join git", "/mentor hours Mon-Fri 09:00-17:00")
    await console("as alice", ASK, "as bob", "react ✋ 1", "click resolve 1")
    await console("as bob", "/mentor hours Mon-Fri 18:00-19:00")
    out = await console("as admin", "/mentoradmin digest")
    assert UNCOVERED not in out.one("#mentor-admins").text


async def test_a_question_while_every_mentor_was_off_stays_uncovered_after_they_change(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join git", "/mentor hours Mon-Fri 18:00-19:00")
    await console("as alice", ASK)
    await console("as bob", "/mentor hours Mon-Fri 09:00-17:00")  # would cover 10:00 now
    out = await console("as admin", "/mentoradmin digest")
    assert f"1 of 1 questions {UNCOVERED}" in out.one("#mentor-admins").text
