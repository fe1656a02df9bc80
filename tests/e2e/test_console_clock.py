"""The console's `clock +N[m|h|d]` line fires what became due: the escalation ladder, the
wrap-up and expiry, the stale-thread nudge, the feedback request and the follow-up; a second
console run on the same database, started later, sends a due nudge exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from bot.refs import WorkspaceRef
from tests.e2e.console_driver import START, ConsoleDriver, ConsoleFactory, group

MICROMENTOR = Path(sys.executable).with_name("micromentor")
ASK = "/askmentor How do I group a pandas DataFrame by two columns and sum one of them?"


async def four_pandas_mentors(console: ConsoleDriver) -> None:
    """Three are suggested on the card; the fourth is the "next-best" one the ladder DMs."""
    for name in ("bob", "carol", "dave", "erin"):
        await console(f"as {name}", "/mentor join pandas")


async def session(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice", ASK, "as bob", "react ✋ 1")


async def test_clock_shows_the_escalation_ladder_step_by_step(console: ConsoleDriver) -> None:
    await four_pandas_mentors(console)
    await console("as alice", ASK)
    out = await console("clock +10m")
    [dm] = [m for m in out if m.where.startswith("DM ") and "still waiting for a mentor" in m]
    assert dm.where not in ("DM alice", "DM bob")  # bob is suggested on the card already
    out = await console("clock +20m")
    assert "needs a mentor. Can anyone help?" in out.one("#mentoring", "Still open")
    out = await console("clock +90m")
    assert "has had no mentor for 2 h" in out.one("#mentor-admins")
    out = await console("clock +22h")
    assert "Closed" in out.one("#mentoring", "card updated")
    assert "please ask again" in out.one("DM alice", "no mentor could take")


async def test_a_clock_jump_past_the_re_post_still_re_posts_the_question_once(
    console: ConsoleDriver,
) -> None:
    """`clock +3h` passes the DM, the re-post and the admins' step, each at its time, as on the
    real clock (not all at the end of the jump): the fitting mentors' DM first, then the
    channel sees the question again (once), then the admins are told, after 2 h (once)."""
    await four_pandas_mentors(console)
    await console("as alice", ASK)
    out = await console("clock +3h")
    said = out.text
    dm = said.index("is still waiting for a mentor and fits your skills")
    repost = said.index(out.one("#mentoring", "Still open").text)
    heads_up = said.index(out.one("#mentor-admins", "Heads-up").text)
    assert dm < repost < heads_up
    assert "needs a mentor. Can anyone help?" in said[repost:heads_up]
    assert "has had no mentor for 2 h" in said[heads_up:]
    out = await console("clock +3h")
    assert out.to("#mentoring") == [] and out.to("#mentor-admins") == []


async def test_a_question_asked_after_hours_is_not_promised_the_usual_claim_time(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join python, pandas", "/mentor hours Mon-Fri 09:00-17:00")
    await console("as carol", ASK, "as bob", "react ✋ 1")  # Monday, in hours: claimed at once
    out = await console("as dave", "/askmentor How do I merge two pandas DataFrames on a key?")
    assert "usually claimed in under a minute" in out.one("only dave sees", "Thanks!")
    await console("clock +104h")  # Fri 2026-11-27 18:00
    out = await console("as alice", "/askmentor How do I pivot a pandas DataFrame by month?")
    reply = out.one("only alice sees", "Thanks!")
    assert "No mentor for this is at work right now; bob is back " in reply
    assert "usually claimed" not in reply
    assert "You'll get a thread with your mentor as soon as someone claims it." in reply


async def test_a_question_asked_after_hours_waits_for_its_mentors_working_time(
    console: ConsoleDriver,
) -> None:
    """bob, the only mentor for it, works Mon-Fri 09:00-17:00; alice asks on Friday evening.
    She is told nobody is at work, and the ladder runs on bob's working time: nothing over the
    weekend, his Monday morning for the bump and the admins, given up after a day of his work."""
    await console("as bob", "/mentor join python, pandas", "/mentor hours Mon-Fri 09:00-17:00")
    await console("clock +104h")  # Fri 2026-11-27 18:00
    out = await console("as alice", ASK)
    reply = out.one("only alice sees", "Thanks!")
    assert "Suggested mentors: bob." in reply
    assert "No mentor for this is at work right now; bob is back " in reply
    out = await console("clock +30m", "clock +2h", "clock +1d", "clock +1d")  # Sun 20:30
    assert out.to("#mentoring") == [] and out.to("#mentor-admins") == []
    assert "no mentor could take" not in out.text
    out = await console("clock +780m")  # Mon 09:30: bob's 30th minute at work
    assert "Calling @bob." in out.one("#mentoring", "Still open")
    out = await console("clock +90m")  # Mon 11:00
    assert "has had no mentor for" in out.one("#mentor-admins", "Heads-up")
    out = await console("clock +3239m")  # Wed 16:59
    assert "no mentor could take" not in out.text
    out = await console("clock +1m")  # Wed 17:00: a day (24 h) of bob's working time
    assert "Closed" in out.one("#mentoring", "card updated")
    assert "please ask again" in out.one("DM alice", "no mentor could take")


async def test_clock_shows_the_wrap_up_and_then_the_expiry(console: ConsoleDriver) -> None:
    await session(console)
    out = await console("clock +20m")
    wrap = out.one("thread #1", "time's up")
    assert (
        "Resolved? Need +10 min? Or need a longer chat? Agree on a call, then" in wrap
        and "[Resolve → click resolve 1]" in wrap
    )
    out = await console("clock +10m")
    assert "its time box ran out" in out.one("thread #1")
    assert "was closed because its time box ran out" in out.one("DM alice")
    assert "was closed because its time box ran out" in out.one("DM bob")


async def test_one_jump_over_the_wrap_up_and_its_grace_closes_the_session_as_time_would(
    console: ConsoleDriver,
) -> None:
    """`clock +30m` at once is what `clock +20m` then `clock +10m` is: the wrap-up is asked at
    its time, and its grace counted from then, not from the end of the jump."""
    await session(console)
    out = await console("clock +30m")
    assert "time's up" in out.one("thread #1", "time's up")
    assert "its time box ran out" in out.one("thread #1", "ran out")
    assert "was closed because its time box ran out" in out.one("DM alice")


async def test_a_jump_heads_what_each_moment_sent_with_its_time(console: ConsoleDriver) -> None:
    """What fires during `clock +3h` is headed by when it fired, so a reader sees the re-post
    came after 30 min and the heads-up at 2 h, not at the end of the jump; a moment that sent
    nothing gets no heading."""
    await four_pandas_mentors(console)
    await console("as alice", ASK)
    out = await console("clock +3h")
    said = out.text
    repost = said.index("[#mentoring] Still open")
    heads_up = said.index("[#mentor-admins] Heads-up")
    last = said.rindex("[console] … ", 0, repost)
    assert said[last : said.index("\n", last)] == "[console] … Mon 2026-11-23 10:30 UTC"
    last = said.rindex("[console] … ", 0, heads_up)
    assert said[last : said.index("\n", last)] == "[console] … Mon 2026-11-23 12:00 UTC"
    assert said.endswith("[console] clock is now Mon 2026-11-23 13:00 UTC")
    # Each heading heads something the moment sent: never another heading, nor the closing line.
    for said_now, said_next in pairwise(out):
        if said_now.where == "console" and said_now.text.startswith("… "):
            assert said_next.where != "console", (said_now, said_next)


async def test_a_jump_that_fails_leaves_no_heading_over_the_next_line(
    console: ConsoleDriver, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A drain that raises mid-jump is reported as usual, and the moment's heading (set before
    the drain, printed only if something is sent) does not head the apology or what follows."""
    await four_pandas_mentors(console)
    await console("as alice", ASK)
    runtime = console.app.runtime

    async def broken() -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(runtime, "drain", broken)
    out = await console("clock +3h")
    monkeypatch.undo()
    assert [s.where for s in out] == ["console"]
    assert out[0].text.startswith("Sorry, something went wrong on my side")
    out = await console("as bob", "react ✋ 1")  # posts in a thread and DMs: gateway lines
    assert "claimed" in out.text.lower()
    assert not any(s.text.startswith("… ") for s in out), out.text


async def test_extending_at_the_wrap_up_keeps_the_session(console: ConsoleDriver) -> None:
    await session(console)
    await console("clock +20m", "as alice", "click extend 1")
    out = await console("clock +10m")  # the grace period is over, but the session was extended
    assert "ran out" not in out.text
    assert "time's up" in out.one("thread #1")  # the new end of the time box


async def test_after_the_last_extension_the_session_can_still_be_resolved(
    console: ConsoleDriver,
) -> None:
    """The newcomer's walk: every extension used, the wrap-up offers none; a press of +10 min
    anyway (refused) still answers it; once the time box closed, the mentor's Resolve counts and
    the asker can rate."""
    await session(console)
    await console("as bob", "click extend 1", "click extend 1", "click extend 1")
    out = await console("clock +50m")
    wrap = out.one("thread #1", "time's up")
    assert "No extensions are left" in wrap and "click extend 1" not in wrap
    out = await console("click extend 1")
    assert "extended 3 times already" in out.one("only bob sees")
    out = await console("clock +11m")
    assert "its time box and every extension ran out" in out.one("thread #1", "has closed")
    out = await console("click resolve 1")
    assert out.one("only bob sees").text == "#1 is marked resolved."
    assert "Resolved ✅ · helped by bob" in out.one("#mentoring", "card updated")
    out = await console("as alice", "click rate:5 1")
    assert "nothing to rate" not in out.text
    assert "Thank" in out.one("only alice sees")


async def test_clock_shows_the_stale_thread_nudge(configured: ConsoleFactory) -> None:
    console = await configured(session={"timebox_minutes": 30})
    await session(console)
    out = await console("clock +15m")
    assert "has been quiet for a while" in out.one("thread #1")


async def test_clock_shows_the_feedback_request_and_the_follow_up(console: ConsoleDriver) -> None:
    await session(console)
    await console("as alice", "click resolve 1")
    out = await console("clock +30m")
    assert "How helpful was your session on #1" in out.one("DM alice", "How helpful")
    out = await console("clock +3d")
    follow_up = out.one("DM alice", "Checking in")
    assert "I hope it worked" in follow_up and "/askmentor" in follow_up


async def test_after_a_rating_only_the_follow_up_comes(console: ConsoleDriver) -> None:
    await session(console)
    await console("as alice", "click resolve 1", "click rate:5 1")
    out = await console("clock +3d")
    about_the_session = [s for s in out.to("DM alice") if "· lesson" not in s.text]
    assert [s.text.split(" ", 2)[:2] for s in about_the_session] == [
        ["Next", "steps"],
        ["Checking", "in"],
    ]


async def test_clock_tells_a_paused_mentor_they_are_back(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join python", "/mentor pause 2d")
    out = await console("clock +2d")
    assert "welcome back" in out.one("DM bob", "welcome back")


async def test_the_weekly_digest_is_posted_once_when_the_clock_passes_its_time(
    console: ConsoleDriver,
) -> None:
    """`[digest]` Monday 09:00: the week of the session (W48) is posted when the clock gets
    there, like any due nudge, and only once."""
    await session(console)
    await console("as alice", "click resolve 1", "click rate:5 1")
    out = await console("clock +6d", "clock +22h")  # Mon 2026-11-30 08:00
    assert out.to("#mentor-admins") == []
    out = await console("clock +1h")  # 09:00
    digest = out.one("#mentor-admins")
    assert digest.lines[0] == "Micromentor weekly digest — 2026-W48 (Nov 23–29)"
    assert "1 resolved" in digest.text
    out = await console("clock +1d")
    assert out.to("#mentor-admins") == []


# --- restart ----------------------------------------------------------------------------------


def run_cli(script: str, *, now: str, database_url: str, cwd: Path) -> str:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MICROMENTOR_CONFIG": "",
        "MICROMENTOR_LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [str(MICROMENTOR), "console", "--script", "-", "--now", now],
        input=script,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=True,
    )
    return done.stdout


@pytest.mark.skipif(not MICROMENTOR.exists(), reason="the micromentor script is not installed")
def test_a_console_started_later_sends_the_due_nudge_exactly_once(
    sqlite_url: str, tmp_path: Path
) -> None:
    asking = (
        "as bob\n/mentor join pandas\nas carol\n/mentor join pandas\nas dave\n/mentor join pandas\nas erin\n/mentor join pandas\nas alice\n"
        + ASK
        + "\n"
    )
    first = run_cli(asking, now=START.isoformat(), database_url=sqlite_url, cwd=tmp_path)
    assert "Thanks! Your question is #1" in first and "still waiting" not in first
    later = (START + timedelta(minutes=12)).isoformat()
    second = group(
        run_cli("clock +0m\n", now=later, database_url=sqlite_url, cwd=tmp_path).splitlines()
    )
    assert sum("still waiting for a mentor" in m for m in second) == 1
    third = run_cli("clock +0m\n", now=later, database_url=sqlite_url, cwd=tmp_path)
    assert "still waiting" not in third


async def test_a_clock_jump_past_the_text_retention_removes_the_question_text(
    console: ConsoleDriver,
) -> None:
    # `[privacy] keep_text_days` (90 by default) applies on the console's clock as on `run`'s.
    await session(console)
    await console("as alice", "click resolve 1")
    await console("clock +30d")
    async with console.app.uow_factory() as uow:
        q = await uow.questions.get_by_number(WorkspaceRef("console", "local"), 1)
    assert q is not None and "pandas" in q.text
    out = await console("clock +61d")
    async with console.app.uow_factory() as uow:
        q = await uow.questions.get_by_number(WorkspaceRef("console", "local"), 1)
    assert q is not None and q.text == "[removed after 90 days]", out
