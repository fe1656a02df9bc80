"""The admin dashboard over HTTP (httpx against the ASGI app, as served behind https): what an
attacker can send it — forms from elsewhere, hostile text, odd and oversized bodies, another
workspace's ids — and what a page must never do (run script, be framed, show words a link
wrote, outlive its admin's rights). The happy path in a real browser is test_dashboard_browser."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from adapters.dashboard import views
from adapters.dashboard.cli import dashboard_app, print_signin_link
from adapters.dashboard.session import MAX_FORM
from bot.app import App
from bot.clock import ManualClock
from bot.commands import (
    MAX_CAPACITY_PER_WEEK,
    Actor,
    AskQuestion,
    RegisterMentor,
    RegisterWorkspace,
)
from bot.config import Config
from bot.domain import QuestionState
from bot.main import build_app
from bot.privacy.commands import OpenDashboard
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from tests.unit.fake_chat import FakeChat

BASE = "https://mentor.example.com"
WS = WorkspaceRef("test", "T1")
OTHER = WorkspaceRef("test", "T2")
ADMIN = Actor(UserRef("test", "A1"), "Ada Admin", WS)  # in [bot] admins
T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
# Skills that read as spreadsheet formulas (one starting with @ is refused as a mention).
FORMULAS = ("=cmd|' /c calc'!a0", "+1+1", "-2+3")


@dataclass
class Served:
    app: App
    chat: FakeChat


async def _serve(database_url: str) -> Served:
    config = Config.model_validate(
        {"bot": {"admins": [ADMIN.user.key()]}, "dashboard": {"public_url": BASE}}
    )
    chat = FakeChat(platform="test")
    app = await build_app(
        config,
        clock=ManualClock(T0),
        gateways={"test": chat},
        database_url=database_url,
        deliver_now=True,
    )
    for ws in (WS, OTHER):
        await app.bus.handle(
            RegisterWorkspace(ws, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
        )
    bob = Actor(UserRef("test", "bob"), "Bob Builder", WS)
    await app.bus.handle(RegisterMentor(bob, ("pandas", "python")))
    alice = Actor(UserRef("test", "alice"), "Alice", WS)
    await app.bus.handle(AskQuestion(alice, "How do I group a pandas DataFrame by two columns?"))
    zed = Actor(UserRef("test", "zed"), "Zed", OTHER)  # another workspace's mentor and asker
    await app.bus.handle(RegisterMentor(zed, ("rust",)))
    await app.bus.handle(AskQuestion(zed, "How do I share a struct between two threads in Rust?"))
    return Served(app, chat)


def _client(served: Served) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=dashboard_app(served.app), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url=BASE)


@asynccontextmanager
async def _signed_in(served: Served, admin: Actor = ADMIN) -> AsyncIterator[httpx.AsyncClient]:
    """A client signed in as `admin` with the link `/mentoradmin dashboard` DMs them."""
    await served.app.bus.handle(OpenDashboard(admin))
    [dm, *_] = [
        c
        for c in reversed(served.chat.calls)
        if c.method == "send_dm" and c.args["user"] == admin.user
    ]
    found = re.search(r"/admin/signin\?token=([\w-]+)", str(dm.args["message"]))
    assert found is not None
    async with _client(served) as client:
        signed = await client.post("/admin/signin", data={"token": found[1]})
        assert signed.status_code == 303 and "mm_session" in client.cookies
        yield client


async def _csrf(client: httpx.AsyncClient) -> str:
    page = await client.get("/admin/mentors")
    found = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert found is not None
    return found[1]


# -- headers ----------------------------------------------------------------------------------


async def test_a_page_may_run_no_script_be_framed_by_no_one_and_not_be_sniffed(
    served: Served,
) -> None:
    async with _signed_in(served) as client:
        page = await client.get("/admin/queue")
    assert page.status_code == 200
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy  # so no script at all
    assert "frame-ancestors 'none'" in policy
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["cache-control"] == "no-store"


async def test_an_admin_of_two_workspaces_switches_between_them_without_script(
    served: Served,
) -> None:
    # The operator's link (`micromentor dashboard --link`) covers every workspace of a platform.
    printed: list[str] = []
    await print_signin_link(served.app, ADMIN.user.key(), out=printed.append)
    async with _client(served) as client:
        token = printed[0].partition("token=")[2]
        await client.post("/admin/signin", data={"token": token})
        page = await client.get("/admin/queue")
    chooser = page.text[page.text.index('<select name="ws"') :]
    chooser = chooser[: chooser.index("</form>")]
    assert "<button>Show</button>" in chooser and "noscript" not in chooser
    assert not re.search(r"\son[a-z]+=", page.text)  # the policy would block an inline handler


# -- hostile text -----------------------------------------------------------------------------


async def test_the_week_csv_writes_topics_that_look_like_formulas_as_text(served: Served) -> None:
    eve = Actor(UserRef("test", "eve"), "Eve", WS)
    await served.app.bus.handle(RegisterMentor(eve, FORMULAS))
    alice = Actor(UserRef("test", "alice"), "Alice", WS)
    await served.app.bus.handle(
        AskQuestion(alice, "How do I use " + " and ".join(FORMULAS) + " in my sheet?")
    )
    async with _signed_in(served) as client:
        download = await client.get("/admin/week.csv")
    rows = list(csv.reader(io.StringIO(download.text)))
    topics = [
        r[0]
        for r in rows[
            rows.index(["skill_gap_topic", "asked", "mentors", "mentors_with_a_related_skill"])
            + 1 :
        ]
        if r
    ]
    assert "'" + FORMULAS[0] in topics  # still readable, but as text
    assert not [c for r in rows for c in r if c[:1] in ("=", "+", "-", "@")]


async def test_a_link_cannot_put_words_of_its_own_on_a_page(served: Served) -> None:
    lure = "Your session was compromised: sign in again at https://evil.example"
    async with _signed_in(served) as client:
        page = await client.get("/admin/people", params={"said": lure})
    assert page.status_code == 200 and "evil.example" not in page.text


async def test_what_a_form_did_is_shown_on_the_page_it_leads_back_to(served: Served) -> None:
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "mentor": "test:bob", "action": "pause"}
        done = await client.post("/admin/mentors", data=form, follow_redirects=True)
    assert done.status_code == 200 and "Bob Builder is paused until resumed." in done.text


async def test_the_dashboard_takes_the_same_capacity_ceiling_as_the_mentor_command(
    served: Served,
) -> None:
    async with _signed_in(served) as client:
        listing = await client.get("/admin/mentors")
        form = {
            "csrf": await _csrf(client),
            "mentor": "test:bob",
            "action": "capacity",
            "capacity": str(MAX_CAPACITY_PER_WEEK),
        }
        done = await client.post("/admin/mentors", data=form, follow_redirects=True)
        form["capacity"] = str(MAX_CAPACITY_PER_WEEK + 1)
        over = await client.post("/admin/mentors", data=form, follow_redirects=True)
    assert f'max="{MAX_CAPACITY_PER_WEEK}"' in listing.text
    assert f"now takes {MAX_CAPACITY_PER_WEEK} sessions a week" in done.text
    assert f"1 to {MAX_CAPACITY_PER_WEEK}." in over.text


# -- malformed and oversized forms -----------------------------------------------------------


@pytest.mark.parametrize("capacity", ["²", "9" * 5000], ids=["superscript two", "5000 digits"])
async def test_a_capacity_that_is_not_a_plain_number_is_refused_with_a_reason(
    served: Served, capacity: str
) -> None:
    async with _signed_in(served) as client:
        form = {
            "csrf": await _csrf(client),
            "mentor": "test:bob",
            "action": "capacity",
            "capacity": capacity,
        }
        done = await client.post("/admin/mentors", data=form, follow_redirects=True)
    assert done.status_code == 200 and "Capacity is a number of sessions a week" in done.text


async def test_a_csrf_token_with_other_than_ascii_is_refused_not_an_error(served: Served) -> None:
    async with _signed_in(served) as client:
        form = {"csrf": "é", "mentor": "test:bob", "action": "pause"}
        forged = await client.post("/admin/mentors", data=form)
    assert forged.status_code == 403


async def _chunks() -> AsyncIterator[bytes]:  # no Content-Length: sent chunked
    for _ in range(4):
        yield b"x" * MAX_FORM


@pytest.mark.parametrize(
    "body",
    # Many fields, each under Starlette's own limit of 1 MB a field, 1000 fields a form.
    ["&".join(f"f{i}=" + "x" * 2000 for i in range(900)).encode(), _chunks],
    ids=["declared length", "chunked"],
)
async def test_a_sign_in_body_bigger_than_any_form_is_refused_unread(
    served: Served, body: object
) -> None:
    content = body() if callable(body) else body
    async with _client(served) as client:
        refused = await client.post(
            "/admin/signin",
            content=content,  # type: ignore[arg-type]
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
    assert refused.status_code == 413


# -- sessions ---------------------------------------------------------------------------------


async def test_a_session_ends_when_its_admin_is_seen_without_admin_rights(served: Served) -> None:
    pat = Actor(UserRef("test", "P1"), "Pat", WS, platform_admin=True)  # not in [bot] admins
    async with _signed_in(served, pat) as client:
        assert (await client.get("/admin/queue")).status_code == 200
        # Pat is no longer a workspace admin; the next command they send shows it.
        demoted = Actor(pat.user, "Pat", WS, platform_admin=False)
        await served.app.bus.handle(RegisterMentor(demoted, ("python",)))
        assert (await client.get("/admin/queue")).status_code == 401


async def test_a_workspace_admins_link_comes_from_chat_not_the_operators_command(
    served: Served,
) -> None:
    # Pat is an admin of one workspace (the platform's role there): the operator's link
    # covers every workspace of the platform, so it is for [bot] admins only.
    pat = Actor(UserRef("test", "P1"), "Pat", WS, platform_admin=True)
    await served.app.bus.handle(OpenDashboard(pat))  # known to the bot as an admin now
    printed: list[str] = []
    refused: list[str] = []
    assert (
        await print_signin_link(served.app, pat.user.key(), out=printed.append, err=refused.append)
        == 2
    )
    assert printed == []  # standard output stays clean: `> link.txt` never holds a refusal
    [said] = refused
    assert "not one of [bot] admins" in said and "`/mentoradmin dashboard`" in said
    async with _signed_in(served, pat) as client:  # the chat link: this workspace only
        page = await client.get("/admin/queue")
        other = await client.get("/admin/queue", params={"ws": OTHER.key()})
    assert page.status_code == 200 and '<select name="ws"' not in page.text
    assert other.status_code == 403 and "Zed" not in other.text


async def test_signing_out_ends_the_session_where_it_is_kept_not_only_the_cookie(
    served: Served,
) -> None:
    async with _signed_in(served) as client, _client(served) as copy:
        # A copy of the cookie (kept by someone who saw it) works until the admin signs out.
        copy.cookies.set("mm_session", client.cookies["mm_session"], path="/admin")
        assert (await copy.get("/admin/queue")).status_code == 200
        out = await client.post("/admin/signout", data={"csrf": await _csrf(client)})
        assert out.status_code == 200 and "mm_session" not in client.cookies
        assert (await copy.get("/admin/queue")).status_code == 401


async def test_the_session_cookie_is_secure_http_only_same_site_and_kept_to_admin(
    served: Served,
) -> None:
    async with _signed_in(served) as client:
        pass
    [cookie] = [c for c in client.cookies.jar if c.name == "mm_session"]
    assert cookie.secure and cookie.path == "/admin"
    assert cookie.has_nonstandard_attr("HttpOnly")
    assert (cookie.get_nonstandard_attr("SameSite") or "").lower() == "lax"
    assert cookie.expires is not None and cookie.expires - T0.timestamp() > 0


# -- workspaces -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "form", "status"),
    [
        ("/admin/mentors", {"mentor": "test:zed", "action": "pause"}, 303),
        ("/admin/mentors", {"mentor": "test:zed", "action": "pause", "ws": OTHER.key()}, 403),
        ("/admin/people/export", {"person": "test:zed"}, 404),
        ("/admin/people/delete", {"person": "test:zed", "confirm": "yes"}, 404),
    ],
    ids=["pause", "pause with ws", "export", "erase"],
)
async def test_a_form_naming_another_workspaces_person_changes_and_shows_nothing(
    served: Served, path: str, form: dict[str, str], status: int
) -> None:
    async with _signed_in(served) as client:
        sent = await client.post(path, data={"csrf": await _csrf(client), **form})
    assert sent.status_code == status and "Zed" not in sent.text
    async with served.app.uow_factory() as uow:
        zed = await uow.mentors.get(UserRef("test", "zed"), OTHER)
        person = await uow.people.get(UserRef("test", "zed"))
    assert zed is not None and zed.active and not zed.is_paused(T0)
    assert person is not None and person.name == "Zed"


async def test_an_admin_exports_a_person_whose_id_has_capitals(db_url: str) -> None:
    # Slack ids are upper case: the search behind Export and Erase must find them on PostgreSQL.
    served = await _serve(db_url)
    try:
        upper = Actor(UserRef("test", "U0ABCDEF"), "Uma", WS)
        await served.app.bus.handle(AskQuestion(upper, "How do I write a SQL window function?"))
        async with _signed_in(served) as client:
            form = {"csrf": await _csrf(client), "person": upper.user.key()}
            export = await client.post("/admin/people/export", data=form)
        assert export.status_code == 200 and '"user": "test:U0ABCDEF"' in export.text
    finally:
        await served.app.dispose()


async def test_a_dashboard_export_holds_only_what_this_workspace_stores(served: Served) -> None:
    # A Discord id is one person in every server: this workspace's admin exports what was asked
    # here, never what the same person asked in another workspace.
    both = UserRef("test", "bea")
    await served.app.bus.handle(
        AskQuestion(Actor(both, "Bea", WS), "How do I write a SQL window function for ranking?")
    )
    await served.app.bus.handle(
        AskQuestion(Actor(both, "Bea", OTHER), "How do I prepare for a salary negotiation talk?")
    )
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "person": both.key()}
        export = await client.post("/admin/people/export", data=form)
    assert export.status_code == 200
    assert "window function" in export.text and "salary negotiation" not in export.text


# -- paging -----------------------------------------------------------------------------------


async def _ask_more(served: Served, n: int) -> None:
    for i in range(n):
        asker = Actor(UserRef("test", f"u{i}"), f"User {i:02d}", WS)
        await served.app.bus.handle(AskQuestion(asker, f"How do I fix flaky test number {i}?"))


async def test_the_queue_shows_a_page_at_a_time_with_how_many_and_links_keeping_the_workspace(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    await _ask_more(served, 3)  # 4 questions in this workspace, oldest is Alice's
    async with _signed_in(served) as client:
        first = await client.get("/admin/queue", params={"ws": WS.key()})
        second = await client.get("/admin/queue", params={"ws": WS.key(), "page": "2"})
        past = await client.get("/admin/queue", params={"page": "99"})
        odd = await client.get("/admin/queue", params={"page": "²"})
    assert "Showing 1–2 of 4" in first.text and "4 open or claimed" in first.text
    assert "group a pandas DataFrame" in first.text and "flaky test number 2" not in first.text
    assert 'href="/admin/queue?ws=test%3AT1&amp;page=2"' in first.text
    assert "Previous" not in first.text
    assert "Showing 3–4 of 4" in second.text and "flaky test number 2" in second.text
    assert "group a pandas DataFrame" not in second.text
    assert (
        'href="/admin/queue?ws=test%3AT1&amp;page=1"' in second.text and "Next" not in second.text
    )
    assert "Showing 3–4 of 4" in past.text  # past the end: the last page
    assert odd.status_code == 200 and "Showing 1–2 of 4" in odd.text


async def test_people_are_paged_with_how_many_in_all_and_links_keeping_the_search(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    await _ask_more(served, 5)  # Users 00 to 04, Alice, Bob Builder: 7 people here
    async with _signed_in(served) as client:  # and Ada Admin, its admin: 8
        everyone = await client.get("/admin/people")
        users = await client.get("/admin/people", params={"q": "user", "page": "3"})
    assert "Showing 1–2 of 8 people" in everyone.text and "Ada Admin" in everyone.text
    assert "Zed" not in everyone.text  # another workspace's person
    assert "Showing 5–5 of 5 people" in users.text and "User 04" in users.text
    assert "User 00" not in users.text and "Alice" not in users.text
    assert 'href="/admin/people?ws=test%3AT1&amp;q=user&amp;page=2"' in users.text


async def test_the_queue_and_people_pages_are_read_a_page_at_a_time_from_the_database(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    await _ask_more(served, 5)
    async with served.app.uow_factory(read_only=True) as uow:
        states = [QuestionState.OPEN, QuestionState.CLAIMED]
        page = await uow.questions.with_state(WS, states, limit=2, offset=2)
        total = await uow.questions.count_with_state(WS, states)
        people, everyone = await uow.people.seen_in(WS, "", limit=2, offset=6)
    assert [q.text for q in page] == [
        "How do I fix flaky test number 1?",
        "How do I fix flaky test number 2?",
    ]
    assert total == 6
    assert everyone == 7 and [name for _, name, _, _ in people] == ["User 04"]


# -- confirmations and outcomes --------------------------------------------------------------


async def test_removing_a_mentor_needs_the_tick_box_like_erasing(served: Served) -> None:
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "mentor": "test:bob", "action": "remove"}
        unticked = await client.post("/admin/mentors", data=form, follow_redirects=True)
        async with served.app.uow_factory() as uow:
            kept = await uow.mentors.get(UserRef("test", "bob"), WS)
        ticked = await client.post(
            "/admin/mentors", data={**form, "confirm": "yes"}, follow_redirects=True
        )
    assert "Tick the box to confirm the removal." in unticked.text
    assert kept is not None and kept.active
    assert 'name="confirm" value="yes"' in unticked.text  # the box is on the page
    assert "Bob Builder is off the mentor list" in ticked.text
    async with served.app.uow_factory() as uow:
        gone = await uow.mentors.get(UserRef("test", "bob"), WS)
    assert gone is None or not gone.active


async def test_erasing_without_the_tick_keeps_the_search(served: Served) -> None:
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "person": "test:alice", "q": "ali"}
        sent = await client.post("/admin/people/delete", data=form)
        shown = await client.get(sent.headers["location"])
    assert sent.status_code == 303 and "q=ali" in sent.headers["location"]
    assert "Tick the box to confirm the erasure." in shown.text
    assert 'value="ali"' in shown.text and "Bob Builder" not in shown.text


async def test_pausing_a_paused_mentor_changes_nothing_and_says_so(served: Served) -> None:
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "mentor": "test:bob", "action": "pause"}
        await client.post("/admin/mentors", data=form)
        again = await client.post("/admin/mentors", data=form, follow_redirects=True)
        await client.post("/admin/mentors", data={**form, "action": "resume"})
        resumed = await client.post(
            "/admin/mentors", data={**form, "action": "resume"}, follow_redirects=True
        )
    assert "Bob Builder is already paused." in again.text
    assert "Bob Builder is not paused." in resumed.text
    async with served.app.uow_factory() as uow:
        entries = await uow.audit.recent([WS], limit=10)
    assert [e.action for e in entries if e.action.startswith("mentor")] == [
        "mentor resume",
        "mentor pause",
    ]


async def test_an_outcome_is_not_shown_again_once_stale(served: Served) -> None:
    clock = served.app.clock
    assert isinstance(clock, ManualClock)
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "mentor": "test:bob", "action": "pause"}
        paused = await client.post("/admin/mentors", data=form)
        assert "paused until resumed" in (await client.get(paused.headers["location"])).text
        clock.advance(timedelta(seconds=10))
        resumed = await client.post("/admin/mentors", data={**form, "action": "resume"})
        # Back to the page the pause led to: the banner would be wrong now.
        back = await client.get(paused.headers["location"])
        now = await client.get(resumed.headers["location"])
        clock.advance(timedelta(minutes=5))
        later = await client.get(resumed.headers["location"])  # a reload much later
    assert "paused until resumed" not in back.text
    assert "is suggested again" in now.text
    assert later.status_code == 200 and "is suggested again" not in later.text


# -- workspaces and empty states ---------------------------------------------------------------


@pytest.mark.parametrize("ws", [OTHER.key(), "garbage", ""], ids=["another", "garbage", "empty"])
async def test_a_workspace_not_ones_own_is_refused_with_the_header_kept(
    served: Served, ws: str
) -> None:
    async with _signed_in(served) as client:
        page = await client.get("/admin/mentors", params={"ws": ws})
    if not ws:  # no workspace named: one's own
        assert page.status_code == 200
        return
    assert page.status_code == 403 and "t one of your workspaces." in page.text
    assert 'href="/admin/queue?ws=test%3AT1"' in page.text  # the nav, back to one's own
    assert "Zed" not in page.text and "rust" not in page.text


async def test_the_week_of_a_fresh_workspace_says_no_questions_yet(served: Served) -> None:
    fresh = WorkspaceRef("test", "T3")
    await served.app.bus.handle(
        RegisterWorkspace(fresh, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
    )
    async with _signed_in(served, Actor(ADMIN.user, ADMIN.name, fresh)) as client:
        page = await client.get("/admin/week", params={"ws": fresh.key()})
    assert page.status_code == 200 and page.text.count("No questions yet this week.") == 2
    assert "No topic lacks mentors" not in page.text and "Every question came" not in page.text
