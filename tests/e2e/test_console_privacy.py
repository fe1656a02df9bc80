"""Console, privacy: leaving, export and forget checked field by field, the audit trail of every
admin action, retention on the console's clock."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import create_async_engine

from bot.privacy.commands import ApplyRetention
from bot.refs import UserRef, WorkspaceRef
from tests.e2e.console_driver import ConsoleDriver

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"
BOB = UserRef("console", "bob")
ALICE = UserRef("console", "alice")
WS = WorkspaceRef("console", "local")


def _saved(path: str) -> bytes:
    return Path(path).read_bytes()


def _exported(said: str) -> dict[str, Any]:
    """The JSON file the console saved a DM'd export to."""
    found = re.search(r"saved to (\S+)\)", said)
    assert found is not None
    path = Path(found[1])
    # Personal data: readable by this user alone, in a folder nobody else may enter.
    assert path.stat().st_mode & 0o077 == 0 and path.parent.stat().st_mode & 0o077 == 0
    data: dict[str, Any] = json.loads(path.read_text())
    return data


async def _session(console: ConsoleDriver) -> None:
    await console(
        "as bob",
        "/mentor join pandas",
        "as alice",
        f"/askmentor {QUESTION}",
        "as bob",
        "react ✋ 1",
        "clock +4m",
        "say 1 Have you tried groupby with two keys?",  # a session of real help
        "as alice",
        "click resolve 1",
        "click rate:4 1",
        "comment 1 Bob explained groupby really well",
    )


async def test_leaving_releases_claims_and_stops_suggestions(console: ConsoleDriver) -> None:
    await console(
        "as bob",
        "/mentor join pandas",
        "as alice",
        f"/askmentor {QUESTION}",
        "as bob",
        "react ✋ 1",
    )
    out = await console("/mentor leave")
    said = out.one("only bob sees").text
    assert "You have left the mentor list" in said
    assert "1 session you had claimed is open again for others." in said
    told = out.one("DM alice", "has left mentoring").text  # one DM, saying why
    assert "back in the queue" in told
    assert len(out.to("DM alice")) == 1, out
    async with console.app.uow_factory() as uow:
        q = await uow.questions.get_by_number(WS, 1)
        profile = await uow.mentors.get(BOB, WS)
        left = await uow.privacy.left_at(BOB)
    assert q is not None and q.state.value == "open" and q.mentor is None
    assert profile is not None and not profile.active
    assert left is None  # stopped mentoring, still in the workspace
    out = await console("as carol", "/askmentor How do I pivot a pandas DataFrame?")
    assert "bob" not in out.text.lower()


async def test_export_holds_everything_stored_about_the_person(console: ConsoleDriver) -> None:
    await _session(console)
    out = await console("as admin", "/mentoradmin export alice")
    assert "on its way" in out.one("only admin sees").text
    data = _exported(out.one("DM admin", "Data export").text)
    assert data["user"] == "console:alice"
    [person] = data["person"]
    assert person["name"] == "alice" and person["left_at"] is None
    [asked] = data["questions_asked"]
    assert asked["text"] == QUESTION
    assert asked["number"] == 1 and asked["state"] == "resolved"
    assert asked["mentor"] == "console:bob" and asked["asker"] == "console:alice"
    [given] = data["ratings_given"]
    assert given["score"] == 4 and given["role"] == "asker"
    assert given["comment"] == "Bob explained groupby really well"
    assert data["sessions_mentored"] == []
    assert data["mentor_profile"] == []
    # Bob's export: the session he mentored and the rating he received, not alice's words.
    out = await console("/mentoradmin export bob")
    bob = _exported(out.one("DM admin").text)
    [mentored] = bob["sessions_mentored"]
    assert mentored["number"] == 1 and mentored["state"] == "resolved"
    assert "text" not in mentored
    [received] = bob["ratings_received"]
    assert received["score"] == 4 and "comment" not in received and "rater" not in received
    [profile] = bob["mentor_profile"]
    assert profile["skills"] == ["pandas"] and profile["active"] is True
    assert any(p["points"] > 0 for p in bob["points"])


async def test_an_export_never_overwrites_an_earlier_one_of_the_same_person(
    console: ConsoleDriver,
) -> None:
    # The admin's export of alice, then alice's own (with what she asked anonymously): the
    # path printed to the admin keeps what the admin was sent.
    await _session(console)
    out = await console("as admin", "/mentoradmin export alice")
    said = out.one("DM admin", "Data export").text
    admins = re.search(r"saved to (\S+)\)", said)
    assert admins is not None
    before = _saved(admins[1])
    out = await console("as alice", "/mentor mydata")
    own = re.search(r"saved to (\S+)\)", out.one("DM alice").text)
    assert own is not None and own[1] != admins[1]
    assert _saved(admins[1]) == before
    assert _exported(out.one("DM alice").text)["user"] == "console:alice"


async def test_export_of_nobody_and_by_a_non_admin_are_refused(console: ConsoleDriver) -> None:
    out = await console("as admin", "/mentoradmin export zed")
    assert out.one("only admin sees").text.startswith(
        "I don't know anyone called zed in this console, so there's nothing to export."
    )
    out = await console("as dave", "/mentoradmin export alice")
    assert "for admins" in out.one("only dave sees").text


async def test_forgetting_a_name_nobody_has_in_the_console_says_so_and_asks_no_confirm(
    console: ConsoleDriver,
) -> None:
    await console("as bob", "/mentor join pandas")
    out = await console("as admin", "/mentoradmin forget zed")
    said = out.one("only admin sees").text
    assert said == (
        "I don't know anyone called zed in this console, so there's nothing to erase. "
        "People here: bob."
    ), said
    async with console.app.uow_factory() as uow:
        assert await uow.audit.recent([WS], limit=5, action="forget") == []


async def test_forgetting_someone_who_only_asked_anonymously_still_asks_to_confirm(
    console: ConsoleDriver,
) -> None:
    """Known to the bot as anyone who used it is: the first answer is the one everybody gets,
    so it tells the admin nothing of how carol asked."""
    await console("as bob", "/mentor join pandas", "as carol")
    await console("/askmentor --anonymous How do I group a pandas DataFrame by two columns?")
    out = await console("as admin", "/mentoradmin forget carol")
    said = out.one("only admin sees").text
    assert "for good" in said and "confirm" in said, said


async def test_forget_asks_first_then_erases_name_texts_and_comments(
    console: ConsoleDriver,
) -> None:
    await _session(console)
    out = await console("as admin", "/mentoradmin forget alice")
    assert "confirm" in out.one("only admin sees").text
    async with console.app.uow_factory() as uow:
        assert (await uow.people.get(ALICE)) is not None
    out = await console("/mentoradmin forget alice confirm")
    assert "is forgotten" in out.one("only admin sees").text
    async with console.app.uow_factory() as uow:
        assert await uow.people.get(ALICE) is None
        q = await uow.questions.get_by_number(WS, 1)
        assert q is not None
        assert q.text == "[removed on request]"
        assert q.asker.id.startswith("forgotten-")
        assert q.mentor == BOB and q.state.value == "resolved"  # the figures stay
        [rating] = await uow.feedback.for_questions([q.pk])
        assert rating.score == 4 and rating.rater == q.asker
        assert rating.comment == "[removed on request]"
        data = await uow.privacy.person_data(ALICE)
    assert not data.found()


async def test_forgetting_an_asker_ends_their_open_questions_and_redraws_the_cards(
    console: ConsoleDriver,
) -> None:
    """A question still waiting is cancelled (nobody is asked about it any more) and its card,
    redrawn, shows neither the words nor the name of the forgotten asker."""
    await console("as bob", "/mentor join pandas", "as alice", f"/askmentor {QUESTION}")
    out = await console("as admin", "/mentoradmin forget alice confirm")
    assert "is forgotten" in out.one("only admin sees").text
    [card] = out.to("#mentoring")
    assert "(card updated)" in card.text
    assert QUESTION not in card.text and "alice" not in card.text
    assert "Asked by: someone forgotten" in card.text and "forgotten-" not in card.text
    assert "Status: Cancelled by an admin" in card.text  # not "by the asker"
    async with console.app.uow_factory() as uow:
        q = await uow.questions.get_by_number(WS, 1)
    assert q is not None and q.state.value == "cancelled"
    out = await console("as bob", "click claim 1")
    assert "You claimed" not in out.one("only bob sees").text


async def test_every_admin_action_is_in_the_audit_trail(console: ConsoleDriver) -> None:
    await _session(console)
    await console(
        "as carol",
        "/mentor join pandas",
        "as alice",
        f"/askmentor {QUESTION} Again.",
        "/askmentor Where is the pandas cheat sheet?",
        "as bob",
        "react ✋ 2",
        "as admin",
        "/mentoradmin stats",
        "/mentoradmin digest",
        "/mentoradmin export alice",
        "/mentoradmin dashboard",
        "/mentor handover 2 carol",
        "click resolve 2",
        "click cancel 3",
        # Someone with something to erase: forgetting nobody (`dave`) erases nothing, records
        # nothing.
        "/mentoradmin forget carol confirm",
        "/mentoradmin forget dave confirm",
    )
    async with console.app.uow_factory() as uow:
        entries = await uow.audit.recent([WS], limit=50)
    actions = [e.action for e in reversed(entries)]
    assert actions == [
        "stats",
        "digest",
        "export",
        "dashboard link",
        "handover",
        "resolve",
        "cancel",
        "forget",
    ]
    assert all(e.actor == UserRef("console", "admin") for e in entries)
    by = {e.action: e for e in entries}
    assert by["export"].subject == "console:alice"
    assert by["resolve"].subject == "#2" and by["cancel"].subject == "#3"
    # Whom it was handed to is the tombstone now: carol was forgotten above.
    assert by["handover"].detail.startswith("to console:forgotten-")
    assert "carol" not in by["handover"].detail
    out = await console("/mentoradmin audit")
    shown = out.one("only admin sees").text
    assert "forget" in shown and "stats" in shown and "#2" in shown


async def _count(url: str, table: str) -> int:
    engine = create_async_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(sa.text(f"SELECT count(*) FROM {table}"))).scalar_one())
    finally:
        await engine.dispose()


async def test_retention_removes_old_texts_and_comments_on_the_clock(
    console: ConsoleDriver, sqlite_url: str
) -> None:
    await _session(console)
    await console("as alice", "/askmentor A fresh question about pandas merges?")
    bus, clock = console.app.bus, console.app.clock
    await console("clock +89d")
    await bus.handle(ApplyRetention(clock.now()))
    async with console.app.uow_factory() as uow:
        q1 = await uow.questions.get_by_number(WS, 1)
        assert q1 is not None and q1.text == QUESTION  # 89 days: kept
    await console("clock +2d")
    await console("as alice", "/askmentor mine")  # answered now: a delivery younger than a week
    await bus.handle(ApplyRetention(clock.now()))
    async with console.app.uow_factory() as uow:
        q1 = await uow.questions.get_by_number(WS, 1)
        q2 = await uow.questions.get_by_number(WS, 2)
        assert q1 is not None and q1.text == "[removed after 90 days]"
        assert q2 is not None and q2.text == "[removed after 90 days]"
        [rating] = await uow.feedback.for_questions([q1.pk])
        assert rating.comment == "[removed after 90 days]" and rating.score == 4
    # Processed inputs, delivered messages and sent reminders are gone after keep_log_days (7).
    week_ago = f"'{clock.now() - timedelta(days=7):%Y-%m-%d %H:%M:%S}'"
    assert await _count(sqlite_url, f"inbox WHERE created_at < {week_ago}") == 0
    assert await _count(sqlite_url, f"outbox WHERE created_at < {week_ago}") == 0
    assert (
        await _count(
            sqlite_url, f"nudge WHERE state != 'pending' AND coalesce(sent_at, due_at) < {week_ago}"
        )
        == 0
    )
    assert await _count(sqlite_url, "outbox") > 0  # what is younger stays


async def test_an_admin_forgetting_themselves_is_refused_and_the_audit_keeps_their_name(
    console: ConsoleDriver,
) -> None:
    """Their own actions in the audit trail (which every admin reads) would go to nobody: not
    theirs alone to erase. (Forgetting another admin whose only records are admin actions:
    test_admin_walk_fixes.)"""
    await console("as admin", "/mentoradmin stats")
    out = await console("/mentoradmin forget admin confirm")
    said = out.one("only admin sees").text
    assert said.startswith("You can't erase yourself as an admin"), said
    assert "micromentor people delete console:admin" in said
    out = await console("/mentoradmin audit")
    [stats] = [line for line in out.one("only admin sees").lines if line.endswith(" · stats")]
    assert "admin" in stats and "forgotten-" not in stats


async def test_a_forget_by_someone_who_is_no_admin_is_refused_as_such_whatever_the_name(
    console: ConsoleDriver,
) -> None:
    said = (await console("as dave", "/mentoradmin forget zed")).one("only dave sees").text
    assert "admin" in said and "I don't know anyone" not in said, said
