"""Console, a mistyped `click` lists every button its typist could press: the late Resolve of
a session its time box closed (its asker's and mentor's, while it can still be pressed), and
what an admin may press on anyone's question (Cancel on a card, a session's Resolve, Release
and +10 min)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from adapters.console.buttons import Standing, fits
from bot.domain import Question, QuestionState
from bot.messages import Action
from bot.refs import UserRef, WorkspaceRef
from tests.e2e.console_driver import ConsoleDriver

ASK = "/askmentor How do I group a pandas DataFrame by two columns and sum one of them?"
NO_CLAM = "Sorry, there's no `clam` button on 1. What you can press there now: "
NOTHING = "Sorry, there's no `clam` button on 1, and nothing there for you to press now."
SESSION = "click resolve 1 (Resolve) · click release 1 (Release) · click extend 1 (+10 min)."


async def told(console: ConsoleDriver, who: str, line: str) -> str:
    return (await console(line)).one(f"only {who} sees").text


async def test_a_mistyped_click_lists_the_late_resolve_of_a_timed_out_session(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice", ASK, "as bob", "react ✋ 1")
    out = await console("clock +30m", "clock +10m")  # the wrap-up, then its grace
    assert "has closed" in out.text, out
    assert await told(console, "bob", "click clam 1") == NO_CLAM + "click resolve 1 (Resolve)."
    await console("as alice")
    assert await told(console, "alice", "click clam 1") == NO_CLAM + "click resolve 1 (Resolve)."
    await console("as carol")
    assert await told(console, "carol", "click clam 1") == NOTHING
    # Once resolved, it is not listed any more.
    await console("as alice", "click resolve 1")
    assert "resolve" not in await told(console, "alice", "click clam 1")


async def test_a_mistyped_click_stops_listing_the_late_resolve_a_day_after_it_closed(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice", ASK, "as bob", "react ✋ 1")
    await console("clock +30m", "clock +10m", "as alice")
    assert "click resolve 1" in await told(console, "alice", "click clam 1")
    await console("clock +25h")
    assert "resolve" not in await told(console, "alice", "click clam 1")


async def test_a_mistyped_click_lists_what_an_admin_may_press(console: ConsoleDriver) -> None:
    await console("as bob", "/mentor join python, pandas", "as alice", ASK, "as admin")
    assert await told(console, "admin", "click clam 1") == (
        "Sorry, there's no `clam` button on 1. Did you mean `click claim 1`? What you can press "
        "there now: click claim 1 (Claim) · click notmine 1 (Not my area) · "
        "click cancel 1 (Cancel (asker))."
    )
    await console("as bob", "react ✋ 1", "as admin")
    assert await told(console, "admin", "click clam 1") == NO_CLAM + SESSION
    # What is listed can indeed be pressed.
    said = (await console("click release 1")).one("only admin sees").text
    assert said.startswith("Released #1 from bob's session"), said


# --- the rules themselves, with the console's clock ----------------------------------------------

_WS = WorkspaceRef("console", "console")
_ALICE, _BOB, _CAROL = (UserRef("console", n) for n in ("alice", "bob", "carol"))
_CLOSED = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
_RESOLVE = Action("resolve", 1, "Resolve", "primary")


def _expired(asker: UserRef = _ALICE) -> Question:
    return Question(
        workspace=_WS,
        asker=asker,
        text="?",
        created_at=_CLOSED - timedelta(minutes=30),
        id=1,
        local_number=1,
        state=QuestionState.EXPIRED,
        mentor=_BOB,
        closed_at=_CLOSED,
    )


def test_the_late_resolve_is_listed_only_while_it_can_be_pressed() -> None:
    q = _expired()
    within = _CLOSED + timedelta(hours=23, minutes=59)
    after = _CLOSED + timedelta(hours=24, minutes=1)
    assert fits(_RESOLVE, Standing(_BOB, q, now=within))
    assert fits(_RESOLVE, Standing(_ALICE, q, now=within))
    assert fits(_RESOLVE, Standing(_CAROL, q, admin=True, now=within))
    assert not fits(_RESOLVE, Standing(_CAROL, q, now=within))
    assert not fits(_RESOLVE, Standing(_BOB, q, now=after))
    gone = _expired(asker=UserRef("console", "forgotten-1"))
    assert not fits(_RESOLVE, Standing(_BOB, gone, now=within))
