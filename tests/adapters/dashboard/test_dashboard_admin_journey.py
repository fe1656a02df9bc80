"""An admin's journey through the dashboard, as a review walked it: a console link on a simulated
clock, dead links said at once, refusals that read as refusals, a form for another workspace, the
operator's link in the audit trail, any week's digest, skill gaps in the digest's words, and a
header and people page that read right."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from adapters.dashboard.cli import dashboard_app, print_signin_link
from bot.clock import ManualClock
from bot.commands import Actor, RegisterMentor, RegisterWorkspace
from bot.config import Config
from bot.main import build_app, run_console
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from tests.adapters.dashboard.test_dashboard_http import (
    ADMIN,
    BASE,
    OTHER,
    WS,
    Served,
    _client,
    _csrf,
    _signed_in,
)

# -- 1. a console on a simulated clock issues links that work on real time -----------------


async def test_a_link_from_a_console_on_a_simulated_clock_works_for_ten_real_minutes(
    sqlite_url: str,
) -> None:
    printed: list[str] = []
    simulated = datetime(2020, 1, 6, 9, 30, tzinfo=UTC)  # `console --now`, far from today
    script = "as admin\n/mentoradmin dashboard\n/mentoradmin dashboard\n"
    code = await run_console(
        Config(),
        script=io.StringIO(script),
        now=simulated,
        write=printed.append,
        database_url=sqlite_url,
    )
    assert code == 0
    tokens = re.findall(r"/admin/signin\?token=([\w-]+)", "\n".join(printed))
    assert len(tokens) == 2, printed
    real = datetime.now(UTC)  # what `micromentor dashboard` checks them against
    clock = ManualClock(real)
    dashboard = await build_app(Config(), clock=clock, database_url=sqlite_url)
    transport = httpx.ASGITransport(app=dashboard_app(dashboard), raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            signed = await client.post("/admin/signin", data={"token": tokens[0]})
            assert signed.status_code == 303, signed.text[:300]
        clock.advance(timedelta(minutes=11))  # ten real minutes later, a link is dead
        async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
            late = await client.post("/admin/signin", data={"token": tokens[1]})
            assert late.status_code == 401
        async with dashboard.uow_factory(read_only=True) as uow:
            entries = await uow.audit.recent([WorkspaceRef("console", "local")], limit=10)
    finally:
        await dashboard.dispose()
    [issued, *_] = [e for e in entries if e.action == "dashboard link"]
    assert abs(issued.at - real) < timedelta(minutes=5)  # real time, not the console's 2020


# -- 2. a refusal reads as one ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "form", "said"),
    [
        ("/admin/mentors", {"action": "capacity", "capacity": "abc"}, "Capacity is a number"),
        ("/admin/mentors", {"action": "capacity", "capacity": "0"}, "Capacity is a number"),
        ("/admin/mentors", {"action": "remove"}, "Tick the box to confirm the removal."),
        ("/admin/people/delete", {"person": "test:bob"}, "Tick the box to confirm the erasure."),
        # Refused by the bus itself, not by the dashboard's own checks of the form.
        (
            "/admin/mentors",
            {"action": "pause", "mentor": "test:nobody"},
            "That mentor is not on this workspace&#39;s list.",  # as the page escapes it
        ),
    ],
    ids=["capacity abc", "capacity 0", "remove unticked", "erase unticked", "refused by the bot"],
)
async def test_a_refused_form_is_shown_as_an_alert_not_as_done(
    served: Served, path: str, form: dict[str, str], said: str
) -> None:
    async with _signed_in(served) as client:
        data = {"csrf": await _csrf(client), "mentor": "test:bob", **form}
        page = await client.post(path, data=data, follow_redirects=True)
    [banner] = re.findall(r'<p class="said[^"]*"[^>]*>[^<]*</p>', page.text)
    assert said in banner
    assert 'class="said refused"' in banner and 'role="alert"' in banner


async def test_a_form_that_did_something_is_still_shown_as_done(served: Served) -> None:
    async with _signed_in(served) as client:
        data = {"csrf": await _csrf(client), "mentor": "test:bob", "action": "capacity"}
        page = await client.post(
            "/admin/mentors", data={**data, "capacity": "4"}, follow_redirects=True
        )
    assert '<p class="said" role="status">Bob Builder now takes 4 sessions a week.</p>' in page.text


# -- 3. a dead link says so when opened ------------------------------------------------------


async def test_opening_a_made_up_or_expired_link_says_so_with_no_button(served: Served) -> None:
    async with _client(served) as client:
        made_up = await client.get("/admin/signin?token=nothing-like-it")
    assert made_up.status_code == 401
    assert "This link has expired or was used" in made_up.text
    assert "micromentor dashboard --link" in made_up.text and "<button" not in made_up.text

    printed: list[str] = []
    await print_signin_link(served.app, ADMIN.user.key(), out=printed.append)
    token = printed[0].partition("token=")[2]
    async with _client(served) as client:
        fresh = await client.get(f"/admin/signin?token={token}")
        assert fresh.status_code == 200 and "Sign in to the dashboard" in fresh.text
        served.app.clock.advance(timedelta(minutes=11))  # type: ignore[attr-defined]
        stale = await client.get(f"/admin/signin?token={token}")
    assert stale.status_code == 401 and "<button" not in stale.text


async def test_opening_a_link_does_not_use_it_up(served: Served) -> None:
    printed: list[str] = []
    await print_signin_link(served.app, ADMIN.user.key(), out=printed.append)
    token = printed[0].partition("token=")[2]
    async with _client(served) as client:
        for _ in range(2):  # a link preview, then the admin
            assert (await client.get(f"/admin/signin?token={token}")).status_code == 200
        signed = await client.post("/admin/signin", data={"token": token})
    assert signed.status_code == 303


async def test_an_admin_signed_in_who_opens_their_used_link_goes_to_their_dashboard(
    served: Served,
) -> None:
    printed: list[str] = []
    await print_signin_link(served.app, ADMIN.user.key(), out=printed.append)
    token = printed[0].partition("token=")[2]
    async with _client(served) as client:
        await client.post("/admin/signin", data={"token": token})
        again = await client.get(f"/admin/signin?token={token}")
    assert again.status_code == 303 and again.headers["location"] == "/admin/queue"


async def test_signing_out_says_how_to_get_back_in(served: Served) -> None:
    async with _signed_in(served) as client:
        out = await client.post("/admin/signout", data={"csrf": await _csrf(client)})
    assert "You are signed out." in out.text and "/mentoradmin dashboard" in out.text


# -- 4. a form for another workspace ---------------------------------------------------------


async def test_a_form_for_another_workspace_is_refused_and_the_session_goes_on(
    served: Served,
) -> None:
    async with _signed_in(served) as client:
        form = {"csrf": await _csrf(client), "mentor": "test:zed", "action": "pause"}
        sent = await client.post("/admin/mentors", data={**form, "ws": OTHER.key()})
        assert sent.status_code == 403 and "one of your workspaces." in sent.text
        assert "session has ended" not in sent.text
        assert "mm_session" in client.cookies
        assert (await client.get("/admin/queue")).status_code == 200
    async with served.app.uow_factory(read_only=True) as uow:
        zed = await uow.mentors.get(UserRef("test", "zed"), OTHER)
    assert zed is not None and not zed.is_paused(served.app.clock.now())


# -- 5. the operator's link is audited -------------------------------------------------------


async def test_the_operators_link_is_in_the_audit_trail_of_every_workspace_it_opens(
    served: Served,
) -> None:
    assert await print_signin_link(served.app, ADMIN.user.key(), out=lambda _: None) == 0
    async with served.app.uow_factory(read_only=True) as uow:
        entries = await uow.audit.recent([WS, OTHER], limit=10)
    issued = [e for e in entries if e.action == "dashboard link"]
    assert sorted(e.workspace.key() for e in issued) == [WS.key(), OTHER.key()]
    assert {(e.actor.key(), e.actor_name, e.subject) for e in issued} == {
        ("cli:operator", "operator (CLI)", ADMIN.user.key())
    }


# -- 6. any week's digest --------------------------------------------------------------------


async def test_the_week_page_shows_the_week_asked_for_with_previous_and_next(
    served: Served,
) -> None:
    served.app.clock.advance(timedelta(days=7))  # type: ignore[attr-defined]
    async with _signed_in(served) as client:
        this = await client.get("/admin/week")
        last = await client.get("/admin/week", params={"week": "2026-w48"})
        csv = await client.get("/admin/week.csv", params={"week": "2026-W48"})
    assert "<h1>This week <small>2026-W49" in this.text
    assert "<tr><td>Questions asked</td><td>0</td><td>1</td>" in this.text
    assert "week=2026-W48" in this.text and "week=2026-W50" not in this.text  # no future
    assert "<small>2026-W48 (Nov 23–29)</small>" in last.text
    assert "<tr><td>Questions asked</td><td>1</td><td>—</td>" in last.text
    # W48 is the workspace's first week: nothing before it to step back to.
    assert "week=2026-W47" not in last.text and "week=2026-W49" in last.text
    assert "Lightning sessions coming up" not in last.text  # news of this week only
    assert "2026-W48" in csv.headers["content-disposition"]
    assert csv.text.splitlines()[1].startswith("2026-W48,1,")


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ("2020-W99", "2020 has no week 99"),
        ("yesterday", "is not a week like 2026-W48"),
        ("2026-W49", "2026-W49 is still to come"),
    ],
)
async def test_a_week_that_cannot_be_shown_is_a_polite_message(
    served: Served, asked: str, said: str
) -> None:
    async with _signed_in(served) as client:
        for path in ("/admin/week", "/admin/week.csv", "/admin/week.png"):
            page = await client.get(path, params={"week": asked})
            assert page.status_code == 400, (path, page.text[:300])
            assert said in page.text
            assert 'href="/admin/week?ws=' in page.text  # the way back: the header


# -- 7. skill gaps as the digest says them ---------------------------------------------------


async def test_the_skill_gaps_card_says_what_the_digests_says(served: Served) -> None:
    async with _signed_in(served) as client:
        page = await client.get("/admin/week")
    card = page.text[page.text.index("<h2>Skill gaps</h2>") :]
    card = card[: card.index("</section>")]
    assert "at most 1 mentor listing them" in card
    assert "<td>pandas</td><td>1</td><td>only 1 mentor</td>" in card


async def test_a_topic_with_more_mentors_than_a_gap_is_not_listed(served: Served) -> None:
    carol = Actor(UserRef("test", "carol"), "Carol", WS)
    await served.app.bus.handle(RegisterMentor(carol, ("pandas",)))
    async with _signed_in(served) as client:
        page = await client.get("/admin/week")
        csv = await client.get("/admin/week.csv")
    card = page.text[page.text.index("<h2>Skill gaps</h2>") :]
    assert "pandas" not in card[: card.index("</section>")]
    gaps = csv.text[csv.text.index("skill_gap_topic") :].split("\r\n\r\n")[0]
    assert "pandas" not in gaps


# -- 8. names first; an empty people page ----------------------------------------------------


async def test_a_workspace_nobody_used_says_so_not_nobody_found(served: Served) -> None:
    empty = WorkspaceRef("test", "T3")
    await served.app.bus.handle(
        RegisterWorkspace(empty, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
    )
    printed: list[str] = []
    await print_signin_link(served.app, ADMIN.user.key(), out=printed.append)
    async with _client(served) as client:
        await client.post("/admin/signin", data={"token": printed[0].partition("token=")[2]})
        listed = await client.get("/admin/people", params={"ws": empty.key()})
        searched = await client.get("/admin/people", params={"ws": WS.key(), "q": "nobody"})
    assert "No one has used the bot in this workspace yet." in listed.text
    assert "Nobody found." not in listed.text
    assert "Nobody found." in searched.text
