"""What a browser review of the dashboard found: names where ids were shown, wording that said
the wrong thing, and a download that failed on a person's own letters (over HTTP, as
test_dashboard_http)."""

from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import unquote

import httpx

from adapters.dashboard.cli import print_signin_link
from bot.clock import ManualClock
from bot.commands import (
    Actor,
    AskQuestion,
    ClaimQuestion,
    ExtendTimebox,
    RateSession,
    RegisterWorkspace,
    ResolveQuestion,
)
from bot.domain import QuestionState
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from tests.adapters.dashboard.test_dashboard_http import (
    ADMIN,
    OTHER,
    WS,
    Served,
    _client,
    _csrf,
    _serve,
    _signed_in,
)


async def test_an_export_of_a_person_whose_id_is_not_latin_downloads_and_is_audited_once(
    served: Served,
) -> None:
    zahra = UserRef("test", "زهرة")
    await served.app.bus.handle(
        AskQuestion(Actor(zahra, "Zahra", WS), "How do I read a stack trace in Python?")
    )
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "person": zahra.key()}
        export = await client.post("/admin/people/export", data=form)
    assert export.status_code == 200 and "stack trace" in export.text
    disposition = export.headers["content-disposition"]
    assert disposition.isascii() and 'filename="micromentor-export-' in disposition
    [encoded] = [p.strip() for p in disposition.split(";") if p.strip().startswith("filename*=")]
    assert unquote(encoded.removeprefix("filename*=UTF-8''")).startswith("micromentor-export-زهرة-")
    async with served.app.uow_factory(read_only=True) as uow:
        entries = await uow.audit.recent([WS], limit=20)
    assert [e.subject for e in entries if e.action == "export"] == [zahra.key()]


async def test_the_workspaces_and_the_admin_are_shown_by_name_with_ids_in_small_print(
    served: Served,
) -> None:
    for ws, name in ((WS, "Acme Data Guild"), (OTHER, "Zeta Labs")):
        await served.app.bus.handle(
            RegisterWorkspace(
                ws, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"), name=name
            )
        )
    await served.app.bus.handle(AskQuestion(ADMIN, "How do I profile a slow pandas merge?"))
    printed: list[str] = []  # the operator's link: every workspace, a chooser
    assert await print_signin_link(served.app, ADMIN.user.key(), out=printed.append) == 0
    async with _client(served) as client:
        token = printed[0].partition("token=")[2]
        await client.post("/admin/signin", data={"token": token})
        page = await client.get("/admin/queue")
    chooser = page.text[page.text.index('<select name="ws"') :]
    chooser = chooser[: chooser.index("</select>")]
    assert ">Acme Data Guild (test:T1)</option>" in chooser and ">Zeta Labs (test:T2)<" in chooser
    assert '<span class="name">Ada Admin</span> <small><code>test:A1</code></small>' in page.text
    async with _signed_in(served) as one:  # the chat link: one workspace, its name shown
        page = await one.get("/admin/queue")
    assert (
        '<span class="name">Acme Data Guild</span> <small><code>test:T1</code></small>' in page.text
    )


async def test_the_audit_shows_the_names_of_admins_and_people_with_ids_in_small_print(
    served: Served,
) -> None:
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "person": "test:alice"}
        assert (await client.post("/admin/people/export", data=form)).status_code == 200
        page = await client.get("/admin/audit")
    [row] = [r for r in page.text.split("<tr>") if "<td>export</td>" in r]
    assert "Ada Admin <small><code>test:A1</code></small>" in row
    assert "Alice <small><code>test:alice</code></small>" in row


async def test_an_empty_queue_says_nothing_is_open_or_claimed_not_all_answered(
    served: Served,
) -> None:
    fresh = WorkspaceRef("test", "T3")
    await served.app.bus.handle(
        RegisterWorkspace(fresh, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
    )
    async with _signed_in(served, Actor(ADMIN.user, ADMIN.name, fresh)) as client:
        page = await client.get("/admin/queue", params={"ws": fresh.key()})
    assert "Nothing waiting: no question is open or claimed right now." in page.text
    assert "Every question has been answered" not in page.text


async def test_the_queue_says_how_long_each_question_has_waited_or_been_in_session(
    served: Served,
) -> None:
    async with _signed_in(served) as client:
        fresh = await client.get("/admin/queue")
        assert "waiting under a minute" in fresh.text and "0 min" not in fresh.text
        clock = served.app.clock
        assert isinstance(clock, ManualClock)
        clock.advance(timedelta(minutes=40))
        async with served.app.uow_factory(read_only=True) as uow:
            [q] = await uow.questions.with_state(WS, [QuestionState.OPEN], limit=5, offset=0)
        bob = Actor(UserRef("test", "bob"), "Bob Builder", WS)
        await served.app.bus.handle(ClaimQuestion(bob, q.id or 0))
        clock.advance(timedelta(minutes=25))
        page = await client.get("/admin/queue")
    assert "in session 25 min" in page.text and "1 h 5 min" not in page.text


async def test_signing_out_of_an_ended_session_signs_out_and_an_ended_session_says_so(
    served: Served,
) -> None:
    async with _signed_in(served) as client, _client(served) as copy:
        copy.cookies.set("mm_session", client.cookies["mm_session"], path="/admin")
        stale = await _csrf(copy)
        assert (await client.post("/admin/signout", data={"csrf": await _csrf(client)})).is_success
        # The other tab: its page still shows Sign out, and the session has ended.
        out = await copy.post("/admin/signout", data={"csrf": stale})
        assert out.status_code == 200 and "You are signed out." in out.text
        assert _cleared(out)
        page = await copy.get("/admin/queue")
    assert page.status_code == 401 and "Your session has ended." in page.text
    assert "/mentoradmin dashboard" in page.text and _cleared(page)


def _cleared(response: httpx.Response) -> bool:
    """Whether `response` deletes the session cookie."""
    said = response.headers.get("set-cookie", "")
    return said.startswith("mm_session=") and "Max-Age=0" in said and "Path=/admin" in said


async def test_people_are_listed_by_name_whatever_its_case(db_url: str) -> None:
    served = await _serve(db_url)
    try:
        for key, name in (("zoe", "Zoë"), ("ali2", "alice b"), ("amy", "Amy")):
            await served.app.bus.handle(
                AskQuestion(
                    Actor(UserRef("test", key), name, WS),
                    f"How do I set up a Python virtual environment for {key}?",
                )
            )
        async with _signed_in(served) as client:
            page = await client.get("/admin/people")
        names = re.findall(r'<td class="name">([^<]*)</td>', page.text)
        assert {"alice b", "Amy", "Zoë"} <= set(names), names
        assert names == sorted(names, key=str.lower) and names.index("alice b") < names.index("Zoë")
    finally:
        await served.app.dispose()


async def test_each_peoples_row_names_its_person_to_a_screen_reader(served: Served) -> None:
    async with _signed_in(served) as client:
        page = await client.get("/admin/people")
    assert 'aria-label="Export Alice as JSON"' in page.text
    assert (
        'aria-label="Erase Alice"' in page.text and 'aria-label="Sure to erase Alice"' in page.text
    )


async def test_removing_a_mentor_with_no_sessions_says_so_without_brackets(served: Served) -> None:
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "mentor": "test:bob", "action": "remove"}
        done = await client.post("/admin/mentors", data={**form, "confirm": "yes"})
        page = await client.get(done.headers["location"])
    assert "Bob Builder is off the mentor list." in page.text and "session(s)" not in page.text


async def test_the_week_page_reads_as_the_digest_does(served: Served) -> None:
    # Bob answers Alice's question; she rates it low: the digest's thanks and low-rated topics.
    bob = Actor(UserRef("test", "bob"), "Bob Builder", WS)
    alice = Actor(UserRef("test", "alice"), "Alice", WS)
    async with served.app.uow_factory(read_only=True) as uow:
        [q] = await uow.questions.with_state(WS, [QuestionState.OPEN], limit=5, offset=0)
    await served.app.bus.handle(ClaimQuestion(bob, q.id or 0))
    await served.app.bus.handle(ExtendTimebox(bob, q.id or 0))  # a session of real help
    await served.app.bus.handle(ResolveQuestion(bob, q.id or 0))
    await served.app.bus.handle(RateSession(alice, q.id or 0, 2))
    async with _signed_in(served) as client:
        page = await client.get("/admin/week")
        mentors = await client.get("/admin/mentors")
    text = re.sub(r"<[^>]+>", " ", page.text)
    text = re.sub(r"\s+", " ", text)
    assert "2026-W48 (Nov 23–29, so far)" in text
    assert "Open or claimed" in text and "Still open" not in text
    assert "2.0/5 from 1 rating" in text
    assert "Most thanked 1. Bob Builder (" in text
    assert "Low-rated topics" in text and "pandas 2.0/5 1 rating" in text
    assert "Lightning sessions held: none this week" in text
    trends = text[text.index("Trends") :]
    # The workspace began this week: no week of zeros from before it.
    assert "2026-W48 1 1 1 0 0 0 0 under a minute under a minute 2.0" in trends
    assert "2026-W47" not in trends and "Trends this week" in trends
    assert "in the last 7 days" in mentors.text and "this week," not in mentors.text
