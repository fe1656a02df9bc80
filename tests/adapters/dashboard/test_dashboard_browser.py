"""The admin dashboard in a real browser (Debian's chromium driven by Playwright): sign in with a
one-time link, see the queue, pause a mentor, download the CSV; a reused link, a page without a
session and a form without its CSRF token are refused; the week's figures add up and each reads
once, wide tables and the chart on a phone. Screenshots go to a folder it prints."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import shutil
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
import uvicorn
from playwright.async_api import Browser, Page, async_playwright

from adapters.dashboard.cli import dashboard_app
from bot.app import App
from bot.clock import ManualClock
from bot.commands import (
    Actor,
    AskQuestion,
    CancelQuestion,
    ClaimQuestion,
    RegisterMentor,
    RegisterWorkspace,
    ResolveQuestion,
)
from bot.config import Config
from bot.lightning.commands import JoinLightning, ProposeLightning
from bot.lightning.model import Lightning
from bot.main import build_app
from bot.privacy.commands import OpenDashboard
from bot.recognition.commands import GiveKudos
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from tests.unit.fake_chat import FakeChat

CHROMIUM = shutil.which("chromium")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is needed (.ci/run installs it)"
)

WS = WorkspaceRef("test", "T1")
OTHER = WorkspaceRef("test", "T2")
ADMIN = Actor(UserRef("test", "A1"), "Ada Admin", WS)
T0 = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


@dataclass
class Served:
    app: App
    chat: FakeChat
    base: str


def _free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


async def _seed(app: App) -> None:
    bus = app.bus
    for ws in (WS, OTHER):
        await bus.handle(
            RegisterWorkspace(ws, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
        )
    bob = Actor(UserRef("test", "bob"), "Bob Builder", WS)
    carol = Actor(UserRef("test", "carol"), "Carol <b>Danvers</b>", WS)
    alice = Actor(UserRef("test", "alice"), "Alice", WS)
    dave = Actor(UserRef("test", "dave"), "Dave", WS)
    await bus.handle(RegisterMentor(bob, ("pandas", "python"), capacity_per_week=3))
    await bus.handle(RegisterMentor(carol, ("kubernetes", "docker")))
    await bus.handle(
        AskQuestion(alice, "How do I group a pandas DataFrame by two columns and sum one?")
    )
    await bus.handle(
        AskQuestion(dave, "Why does my Kubernetes pod restart every few minutes?", anonymous=True)
    )
    await bus.handle(AskQuestion(alice, "<script>alert(1)</script> How do I read a CSV file?"))
    await bus.handle(ClaimQuestion(bob, 1))
    # Another workspace's question must never show.
    stranger = Actor(UserRef("test", "zed"), "Zed", OTHER)
    await bus.handle(AskQuestion(stranger, "A question from the other workspace entirely"))


@pytest.fixture
async def served(sqlite_url: str) -> AsyncIterator[Served]:
    sock = _free_socket()
    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    config = Config.model_validate(
        {"bot": {"admins": ["test:A1"]}, "dashboard": {"public_url": base}}
    )
    chat = FakeChat(platform="test")
    app = await build_app(
        config,
        clock=ManualClock(T0),
        gateways={"test": chat},
        database_url=sqlite_url,
        deliver_now=True,
    )
    await _seed(app)
    server = uvicorn.Server(uvicorn.Config(dashboard_app(app), log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 (uvicorn has no event for it)
        await asyncio.sleep(0.01)
    try:
        yield Served(app, chat, base)
    finally:
        server.should_exit = True
        await task
        await app.dispose()


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with async_playwright() as pw:
        launched = await pw.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture
def screens(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dashboard-screenshots")
    print(f"\ndashboard screenshots: {folder}")
    return folder


async def _link(served: Served) -> str:
    """Ask for a link as the admin does in chat; it comes by DM."""
    await served.app.bus.handle(OpenDashboard(ADMIN))
    dms = [c for c in served.chat.calls if c.method == "send_dm" and c.args["user"] == ADMIN.user]
    found = re.search(r"(http://[^\s']+/admin/signin\?token=[\w-]+)", str(dms[-1].message))
    assert found is not None, dms
    return found[1]


async def test_an_admin_signs_in_sees_the_queue_pauses_a_mentor_and_downloads_the_csv(
    served: Served, browser: Browser, screens: Path
) -> None:
    link = await _link(served)
    context = await browser.new_context(
        accept_downloads=True, viewport={"width": 1280, "height": 800}
    )
    page = await context.new_page()
    # The pages' Content-Security-Policy must block nothing of their own (style, chart, forms).
    blocked: list[str] = []
    page.on(
        "console",
        lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None,
    )

    # A page without a session is refused.
    response = await page.goto(f"{served.base}/admin/queue")
    assert response is not None and response.status == 401
    assert "Please sign in" in await page.inner_text("main")
    await page.screenshot(path=screens / "0-no-session.png")

    # The one-time link: a GET shows a button, the POST signs in and lands on the queue.
    await page.goto(link)
    await page.screenshot(path=screens / "1-sign-in.png")
    await page.click("text=Sign in to the dashboard")
    await page.wait_for_url(re.compile(r"/admin/queue"))
    cookies = {c["name"]: c for c in await context.cookies()}
    session = cookies["mm_session"]
    assert session["httpOnly"] and session["sameSite"] == "Lax"

    main = await page.inner_text("main")
    assert "How do I group a pandas DataFrame" in main
    assert "Bob Builder" in main and "claimed" in main
    assert "anonymous" in main and "Dave" not in main  # an anonymous asker stays anonymous
    assert "<script>alert(1)</script>" in main  # shown as text, never run
    assert "other workspace" not in main
    await page.screenshot(path=screens / "2-queue.png", full_page=True)

    # Pause a mentor.
    await page.click("nav >> text=Mentors")
    await page.click("button[aria-label='Pause Bob Builder']")
    await page.wait_for_selector("text=is paused until resumed")
    assert "Carol <b>Danvers</b>" in await page.inner_text("main")
    await page.screenshot(path=screens / "3-mentors-paused.png", full_page=True)
    async with served.app.uow_factory() as uow:
        bob = await uow.mentors.get(UserRef("test", "bob"), WS)
        [entry] = await uow.audit.recent([WS], limit=1, action="mentor pause")
    assert bob is not None and bob.is_paused(T0)
    assert entry.actor == ADMIN.user and entry.subject == "test:bob"

    # Edit a capacity.
    await page.fill("input[aria-label='Capacity of Bob Builder']", "5")
    await page.click("input[aria-label='Capacity of Bob Builder'] ~ button")
    await page.wait_for_selector("text=now takes 5 sessions a week")

    # This week: figures, chart, and the CSV.
    await page.click("nav >> text=This week")
    await page.wait_for_selector("text=Skill gaps")
    chart = page.locator("img[alt^='Questions this week']")
    await chart.wait_for()
    await page.wait_for_function("document.querySelector('img').complete")
    assert await chart.evaluate("img => img.naturalWidth") > 300  # the digest's chart
    await page.screenshot(path=screens / "4-week.png", full_page=True)
    async with page.expect_download() as waiting:
        await page.click("text=Download CSV")
    download = await waiting.value
    saved = screens / download.suggested_filename
    await download.save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text())))
    assert rows[0][:3] == ["week", "asked", "claimed"]
    assert rows[1][:3] == ["2026-W48", "3", "1"]
    assert rows[1][5] == "0.0"  # minutes, as numbers
    assert ["skill_gap_topic", "asked", "mentors", "mentors_with_a_related_skill"] in rows

    # The audit trail shows the sign-in and the changes.
    await page.click("nav >> text=Audit trail")
    audit = await page.inner_text("main")
    for action in ("dashboard link", "dashboard sign-in", "mentor pause", "mentor capacity"):
        assert action in audit
    await page.screenshot(path=screens / "5-audit.png", full_page=True)
    here = "getComputedStyle(document.querySelector('nav a.here')).backgroundColor"
    assert await page.evaluate(here) == "rgb(238, 242, 255)"  # style.css applies
    assert blocked == []

    # A form without its CSRF token is refused (the session cookie alone is not enough).
    forged = await page.request.post(
        f"{served.base}/admin/mentors",
        form={"mentor": "test:carol", "action": "pause", "ws": WS.key()},
    )
    assert forged.status == 403
    async with served.app.uow_factory() as uow:
        carol = await uow.mentors.get(UserRef("test", "carol"), WS)
    assert carol is not None and not carol.is_paused(T0)

    # Another workspace is never shown, even when asked for.
    other = await page.goto(f"{served.base}/admin/queue?ws={OTHER.key()}")
    assert other is not None and other.status == 403
    refusal = await page.inner_text("main")
    assert "isn't one of your workspaces" in refusal and "other workspace" not in refusal
    assert await page.locator("nav >> text=Mentors").count() == 1  # still a way back

    # The link works once: a second browser is told so on opening it, with no button.
    stranger = await browser.new_context()
    again = await stranger.new_page()
    await again.goto(link)
    assert "expired or was used" in await again.inner_text("main")
    assert await again.locator("button").count() == 0
    await again.screenshot(path=screens / "6-reused-link.png")
    no_cookie = await stranger.cookies()
    assert not [c for c in no_cookie if c["name"] == "mm_session"]
    await stranger.close()
    await context.close()


LONG_URL = "https://example.com/" + "a" * 300


async def test_no_page_scrolls_sideways_on_a_laptop_or_a_phone_even_with_long_words(
    served: Served, browser: Browser, screens: Path
) -> None:
    bus = served.app.bus
    long = Actor(
        UserRef("test", "longm"),
        "Maximilian Alexander Wolfeschlegelsteinhausenbergerdorff-Longnamington the Third",
        WS,
    )
    skills = ("javascript", "typescript", "react", "vue", "angular", "svelte", "nodejs", "deno")
    await bus.handle(
        RegisterMentor(long, skills, hours="Mon-Fri 09:00-17:00", timezone="America/New_York")
    )
    await bus.handle(AskQuestion(long, f"Why does {LONG_URL} not load in my app at all?"))
    link = await _link(served)
    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    page = await context.new_page()
    await page.goto(link)
    await page.click("text=Sign in to the dashboard")
    await page.wait_for_url(re.compile(r"/admin/queue"))
    fits = "document.documentElement.scrollWidth <= window.innerWidth"
    for width in (1280, 375):
        await page.set_viewport_size({"width": width, "height": 800})
        for path in ("queue", "week", "mentors", "people", "audit"):
            await page.goto(f"{served.base}/admin/{path}")
            await page.screenshot(path=screens / f"fit-{width}-{path}.png", full_page=True)
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert await page.evaluate(fits), (width, path, wide)
        # The long link breaks inside its own cell instead of pushing the others aside.
        await page.goto(f"{served.base}/admin/queue")
        cell = page.locator("td.text", has_text="example.com")
        assert await cell.evaluate("td => td.scrollWidth <= td.clientWidth")
        assert (await cell.bounding_box() or {"width": 9999})["width"] < 640  # not 300 a's wide
        # Tabbing to a button at the end of a wide table scrolls the table, not the page.
        await page.goto(f"{served.base}/admin/mentors")
        await page.focus("button[aria-label^='Remove Maximilian']")
        assert await page.evaluate("window.scrollX") == 0
        if width == 1280:  # on a laptop the mentors table fits whole, Remove in sight
            table = page.locator(".scroll", has=page.locator("td", has_text="Maximilian"))
            assert await table.evaluate("box => box.scrollWidth <= box.clientWidth")
        # This week's chart keeps the width there is, not a thumbnail.
        await page.goto(f"{served.base}/admin/week")
        await page.wait_for_function("document.querySelector('.chart img').complete")
        chart = await page.locator(".chart img").bounding_box()
        assert chart is not None and chart["width"] >= min(width, 1000) - 100
    await context.close()


async def test_on_a_phone_a_table_wider_than_the_screen_says_it_scrolls_sideways(
    served: Served, browser: Browser, screens: Path
) -> None:
    link = await _link(served)
    context = await browser.new_context(viewport={"width": 390, "height": 800})
    page = await context.new_page()
    await page.goto(link)
    await page.click("text=Sign in to the dashboard")
    await page.wait_for_url(re.compile(r"/admin/queue"))
    for path in ("queue", "mentors"):
        await page.goto(f"{served.base}/admin/{path}")
        await page.screenshot(path=screens / f"phone-{path}.png", full_page=True)
        box = page.locator(".scroll").first
        assert await box.evaluate("box => box.scrollWidth > box.clientWidth")  # it is wider
        assert await page.locator("text=Scroll the table sideways").is_visible(), path
    await page.set_viewport_size({"width": 1280, "height": 800})
    await page.goto(f"{served.base}/admin/mentors")
    assert not await page.locator("text=Scroll the table sideways").is_visible()
    await context.close()


# -- what a reviewer saw in chromium: the week adds up and reads once; wide tables and the
# chart on a phone; a readable workspace id. ------------------------------------------------


async def _week_of_every_outcome(served: Served) -> None:
    """#1 resolved by bob, #2 (anonymous) expired, #3 cancelled by its asker; ann thanks bob.
    The workspace has a name (the header shows it, its id beside it)."""
    bus = served.app.bus
    await bus.handle(
        RegisterWorkspace(
            WS, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"), name="Acme"
        )
    )
    bob = Actor(UserRef("test", "bob"), "Bob Builder", WS)
    alice = Actor(UserRef("test", "alice"), "Alice", WS)
    await bus.handle(ResolveQuestion(bob, 1))
    await bus.handle(CancelQuestion(alice, 3))
    async with served.app.engine.begin() as conn:
        await conn.execute(sa.text("UPDATE question SET state = 'expired' WHERE id = 2"))
    ann = Actor(UserRef("test", "ann"), "Ann", WS)
    await bus.handle(GiveKudos(ann, bob.user, "Bob Builder", "explaining merges so clearly"))


async def _signed_in_at(served: Served, browser: Browser, width: int) -> Page:
    link = await _link(served)
    context = await browser.new_context(
        viewport={"width": width, "height": 900}, accept_downloads=True
    )
    page = await context.new_page()
    await page.goto(link)
    await page.click("text=Sign in to the dashboard")
    await page.wait_for_url(re.compile(r"/admin/queue"))
    return page


async def test_the_weeks_figures_add_up_and_read_once_each(
    served: Served, browser: Browser, screens: Path
) -> None:
    await _week_of_every_outcome(served)
    page = await _signed_in_at(served, browser, 1280)
    await page.goto(f"{served.base}/admin/week")
    await page.wait_for_function("document.querySelector('.chart img').complete")
    await page.screenshot(path=screens / "review-week-desk.png", full_page=True)
    cells = await page.locator("section:has(h2:text-is('Figures')) tbody tr").all_inner_texts()
    figures = {row.split("\t")[0]: row.split("\t")[1] for row in cells}
    assert figures["Expired"] == "1" and figures["Cancelled"] == "1", figures
    outcomes = ("Resolved", "Unanswered", "Expired", "Cancelled", "Open or claimed")
    assert sum(int(figures[o]) for o in outcomes) == int(figures["Questions asked"]) == 3

    # Most thanked: the text numbers the places ("1. Bob Builder"); the list adds no marker.
    thanked = page.locator("section:has(h2:text-is('Most thanked')) li").first
    assert (await thanked.inner_text()).startswith("1. Bob Builder")
    assert await thanked.evaluate("li => getComputedStyle(li).listStyleType") == "none"
    # The Community card is headed once.
    community = page.locator("section:has(h2:text-is('Community')) p").first
    said = await community.inner_text()
    assert not said.startswith("Community") and said.startswith("1 kudos given"), said

    # Trends begin with the workspace's first week: this one.
    trends = page.locator("section:has(h2:has-text('Trends')) tbody tr")
    assert await trends.count() == 1
    assert "Trends this week" in await page.locator("h2:has-text('Trends')").inner_text()

    # The workspace's id in the header: at least 12px, dark enough on white (WCAG AA).
    ws_id = page.locator("header .ws code")
    assert await ws_id.inner_text() == "test:T1"  # beside the name, Acme
    style = await ws_id.evaluate("e => [getComputedStyle(e).fontSize, getComputedStyle(e).color]")
    assert float(style[0].removesuffix("px")) >= 12, style
    rgb = [int(n) for n in re.findall(r"\d+", style[1])[:3]]
    assert _contrast_on_white(rgb) >= 4.5, style

    # The CSV: one week, and an empty cell for a rating nobody gave (as for the medians).
    async with page.expect_download() as waiting:
        await page.click("text=Download CSV")
    saved = screens / "review-week.csv"
    await (await waiting.value).save_as(saved)
    rows = list(csv.reader(io.StringIO(saved.read_text())))
    head, first, blank = rows[0], rows[1], rows[2]
    assert blank == []  # one week of trends only
    line = dict(zip(head, first, strict=True))
    assert line["average_rating"] == "" and line["median_minutes_to_claim"] == "0.0"
    assert (line["asked"], line["expired"], line["cancelled"], line["open_or_claimed"]) == (
        "3",
        "1",
        "1",
        "0",
    )
    await page.context.close()


def _contrast_on_white(rgb: list[int]) -> float:
    def channel(c: int) -> float:
        v = c / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    lum = 0.2126 * channel(rgb[0]) + 0.7152 * channel(rgb[1]) + 0.0722 * channel(rgb[2])
    return 1.05 / (lum + 0.05)


async def test_on_a_phone_every_wide_table_says_it_scrolls_and_the_chart_opens_full_size(
    served: Served, browser: Browser, screens: Path
) -> None:
    await _week_of_every_outcome(served)
    page = await _signed_in_at(served, browser, 390)
    for path in ("people", "audit", "week"):
        await page.goto(f"{served.base}/admin/{path}")
        await page.screenshot(path=screens / f"review-phone-{path}.png", full_page=True)
        scrolling = page.locator(".scroll").filter(
            has=page.locator("th", has_text=re.compile("^(Name|When|Week)"))
        )
        box = scrolling.first
        assert await box.evaluate("box => box.scrollWidth > box.clientWidth"), path
        hint = page.locator(".swipe:has-text('Scroll the table sideways')")
        assert await hint.first.is_visible(), path
        # The hint sits right above the table that scrolls.
        above = await box.evaluate("box => box.previousElementSibling.className")
        assert above == "swipe", (path, above)
    full = page.locator("a:has-text('Open the chart full size')")
    assert await full.is_visible()
    assert (await full.get_attribute("href") or "").startswith("/admin/week.png?ws=")
    opened = await page.request.get(f"{served.base}{await full.get_attribute('href')}")
    assert opened.status == 200 and opened.headers["content-type"] == "image/png"
    await page.set_viewport_size({"width": 1280, "height": 900})
    assert not await full.is_visible()  # on a laptop the chart is full size already
    await page.context.close()


# -- lightning sessions coming up -------------------------------------------------------------


async def _lightning_planned(served: Served) -> None:
    """Bob's talk (two sign-ups), Carol's next year with a title that is markup and one long
    word, and a proposal from demand nobody has taken."""
    bus = served.app.bus
    bob = Actor(UserRef("test", "bob"), "Bob Builder", WS)
    carol = Actor(UserRef("test", "carol"), "Carol <b>Danvers</b>", WS)
    await bus.handle(
        ProposeLightning(bob, "pandas", datetime(2026, 12, 3, 14, 0, tzinfo=UTC), "groupby in 15")
    )
    for name in ("alice", "dave"):
        await bus.handle(JoinLightning(Actor(UserRef("test", name), name.title(), WS), 1))
    await bus.handle(
        ProposeLightning(
            carol,
            "docker",
            datetime(2027, 1, 5, 9, 30, tzinfo=UTC),
            "<script>alert(1)</script> Layers: " + "Dockerfile" * 6,
        )
    )
    async with served.app.uow_factory() as uow:
        await uow.lightning.add(
            Lightning(
                workspace=WS,
                topic="kubernetes",
                created_at=T0,
                question_ids=(1, 2, 3, 4, 5),
                invited=(bob.user, carol.user),
                declined=(carol.user,),
            )
        )
        await uow.commit()


async def test_the_coming_lightning_sessions_card_reads_well_on_a_laptop_and_a_phone(
    served: Served, browser: Browser, screens: Path
) -> None:
    await _lightning_planned(served)
    page = await _signed_in_at(served, browser, 1280)
    card = page.locator("section:has(h2:has-text('Lightning sessions coming up'))")
    for width in (1280, 390):
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(f"{served.base}/admin/week")
        await card.screenshot(path=screens / f"lightning-{width}.png")
        await page.screenshot(path=screens / f"lightning-week-{width}.png", full_page=True)
        said = await card.inner_text()
        assert "“groupby in 15”" in said and "by Bob Builder" in said and "2 signed up" in said
        assert "<script>alert(1)</script>" in said  # shown as text, never run
        assert "by Carol <b>Danvers</b>" in said and "Tue Jan 5, 2027 · 09:30" in said
        assert "Waiting for a speaker" in said and "kubernetes" in said
        # The long title wraps inside the card: neither the card nor the page scrolls sideways.
        assert await card.evaluate("c => c.scrollWidth <= c.clientWidth"), width
        assert await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    await page.context.close()
