"""The console's admin (its user `admin`) gets a dashboard link from `/mentoradmin dashboard`
or `micromentor dashboard --link console:admin`, and the link works: the dashboard, served by
another process on the console's database with the plain configuration, agrees with the chat
that they are an admin. Nobody else named "admin" is one."""

from __future__ import annotations

import re

import httpx

from adapters.console.repl import WORKSPACE
from adapters.dashboard.cli import dashboard_app, print_signin_link
from bot.actors import CONSOLE_ADMIN, is_admin
from bot.app import App
from bot.clock import ManualClock
from bot.commands import Actor, RegisterWorkspace
from bot.config import Config
from bot.main import build_app, console_config
from bot.privacy.commands import OpenDashboard
from bot.refs import ChannelRef, UserRef
from tests.adapters.dashboard.test_dashboard_http import T0
from tests.unit.fake_chat import FakeChat

BASE = "https://mentor.example.com"
PLAIN = Config.model_validate({"dashboard": {"public_url": BASE}})  # no [bot] admins


async def _sign_in_and_read(dashboard: App, token: str) -> list[str]:
    transport = httpx.ASGITransport(app=dashboard_app(dashboard), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url=BASE) as client:
        signed = await client.post("/admin/signin", data={"token": token})
        assert signed.status_code == 303
        pages = []
        for path in ("queue", "week", "mentors", "people", "audit"):
            page = await client.get(f"/admin/{path}")
            assert page.status_code == 200, (path, page.text[:300])
            assert "session has ended" not in page.text
            pages.append(page.text)
        return pages


async def test_the_console_admins_link_from_chat_signs_in_to_a_working_dashboard(
    sqlite_url: str,
) -> None:
    chat = FakeChat(platform="console")
    console = await build_app(
        console_config(PLAIN),
        clock=ManualClock(T0),
        gateways={"console": chat},
        database_url=sqlite_url,
        deliver_now=True,
    )
    try:
        await console.bus.handle(
            RegisterWorkspace(
                WORKSPACE, ChannelRef("console", "mentoring"), ChannelRef("console", "admins")
            )
        )
        await console.bus.handle(OpenDashboard(Actor(CONSOLE_ADMIN, "admin", WORKSPACE)))
    finally:
        await console.dispose()
    [dm] = [c for c in chat.calls if c.method == "send_dm"]
    found = re.search(r"/admin/signin\?token=([\w-]+)", str(dm.args["message"]))
    assert found is not None, dm
    # `micromentor dashboard`: another process, the configuration as bot.toml has it.
    dashboard = await build_app(PLAIN, clock=ManualClock(T0), database_url=sqlite_url)
    try:
        pages = await _sign_in_and_read(dashboard, found[1])
        # And `micromentor dashboard --link console:admin` gives one too.
        said: list[str] = []
        assert await print_signin_link(dashboard, CONSOLE_ADMIN.key(), out=said.append) == 0
        token = re.search(r"token=([\w-]+)", said[0])
        assert token is not None, said
        await _sign_in_and_read(dashboard, token[1])
    finally:
        await dashboard.dispose()
    assert "Audit trail" in pages[-1]


def test_only_the_consoles_own_admin_is_one_never_someone_named_admin_elsewhere() -> None:
    assert is_admin(Actor(CONSOLE_ADMIN, "admin", WORKSPACE), PLAIN)
    for platform in ("slack", "discord", "test"):
        named = Actor(UserRef(platform, "admin"), "admin", WORKSPACE)
        assert not is_admin(named, PLAIN)
        assert not is_admin(Actor(UserRef(platform, "U1"), "admin", WORKSPACE), PLAIN)
    assert not is_admin(Actor(UserRef("console", "bob"), "admin", WORKSPACE), PLAIN)
