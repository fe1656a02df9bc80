"""Console, admin: `/mentoradmin stats` for admins, a polite refusal for everyone else."""

from __future__ import annotations

import pytest

from tests.e2e.console_driver import ConsoleDriver

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"


async def test_stats_show_counts_times_and_ratings(console: ConsoleDriver) -> None:
    await console(
        "as bob",
        "/mentor join pandas",
        "as alice",
        f"/askmentor {QUESTION}",
        "clock +6m",
        "as bob",
        "react ✋ 1",
        "clock +10m",
        "as alice",
        "click resolve 1",
        "click rate:4 1",
        f"/askmentor {QUESTION} Second time.",
    )
    out = await console("as admin", "/mentoradmin stats")
    assert out.one("only admin sees").lines == (
        "Micromentor stats (all time)",
        "Questions: 2 — open 1, claimed 0, resolved 1, expired 0, cancelled 0, unanswered 0",
        "Median time to claim: 6 min; to resolve: 16 min",
        "Average rating: 4.0/5 (1 rating); question clarity: n/a",
        "FAQ: 0 questions answered before they were posted",
        "Mentors: 1",
    )


@pytest.mark.parametrize("line", ["/mentoradmin stats", "/mentoradmin digest"])
async def test_non_admins_are_refused_politely(console: ConsoleDriver, line: str) -> None:
    out = await console("as dave", line)
    said = out.one("only dave sees").text
    assert "admins" in said
    assert "Traceback" not in out.text


async def test_unknown_admin_subcommand_lists_the_commands(console: ConsoleDriver) -> None:
    out = await console("as admin", "/mentoradmin reboot")
    assert out.one("only admin sees").text.startswith("I don't know `/mentoradmin reboot`.")
