"""`micromentor dashboard [--port N] [--link ID]`: serve the dashboard on its own (Discord,
Socket Mode, the console: deployments without an HTTP port) and print sign-in links for the
operator. Functions take a built app and plain arguments and return an exit status."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import Callable, Iterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from adapters.dashboard import dashboard_routes
from bot.actors import listed_admin
from bot.app import App
from bot.privacy.audit import OPERATOR
from bot.privacy.signin import DASHBOARD_PORT, dashboard_base_url, issue_link, signin_url
from bot.refs import UserRef, WorkspaceRef

__all__ = ["DEFAULT_PORT", "dashboard_app", "print_signin_link", "serve_dashboard"]

DEFAULT_PORT = DASHBOARD_PORT


def dashboard_app(app: App) -> Starlette:
    """The dashboard alone, with ``/`` sending to it and ``/healthz``."""

    async def root(_: Request) -> Response:
        return RedirectResponse("/admin/queue", status_code=303)

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/", root), Route("/healthz", healthz), *dashboard_routes(app)])


def _config_named(app: App) -> str:
    """The configuration file in use, or the built-in defaults when there is none."""
    path = app.config.path
    if path is None or not path.exists():
        return "the configuration (the built-in defaults: no bot.toml was found)"
    return str(path)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


async def print_signin_link(
    app: App,
    admin_id: str,
    *,
    port: int = DEFAULT_PORT,
    out: Callable[[str], None] = print,
    err: Callable[[str], None] = _stderr,
    elsewhere: str | None = None,
) -> int:
    """Print a one-time sign-in link for `admin_id` (``slack:U…``, ``discord:…``), an admin of
    ``[bot] admins``: it covers every workspace of their platform. A workspace's own admin (the
    platform's admin role) gets a link for that workspace only, from ``/mentoradmin dashboard``
    there. The link goes to `out` (standard output); a refusal to `err` (standard error), with
    exit status 2, so `> link.txt` never holds one. `elsewhere`: where its platform's workspace may be instead,
    said when this database has none (the console keeps its own console.db)."""
    if ":" not in admin_id:
        err(f"micromentor: {admin_id!r} is not a platform id like slack:U0123ABCD")
        return 2
    admin = UserRef.from_key(admin_id)
    async with app.uow_factory() as uow:
        person = await uow.people.get(admin)
        if not listed_admin(admin, app.config):
            where = _config_named(app)
            if await uow.people.admin_of(admin):
                err(
                    f"micromentor: {admin_id} is a workspace admin, not one of [bot] admins in "
                    f"{where}: their link comes from `/mentoradmin dashboard` in their "
                    "workspace (it covers that workspace only)"
                )
            else:
                err(f"micromentor: {admin_id} is not an admin ([bot] admins in {where})")
            return 2
        workspaces: tuple[WorkspaceRef, ...] = tuple(
            w.ref for w in await uow.workspaces.all() if w.ref.platform == admin.platform
        )
        if not workspaces:
            where = f"; {elsewhere}" if elsewhere else ""
            err(f"micromentor: no {admin.platform} workspace is set up in this database yet{where}")
            return 2
        now = app.clock.now()
        token = await issue_link(
            uow,
            admin=admin,
            name=person.name if person else admin.id,
            workspaces=workspaces,
            now=now,
            config=app.config,
            issued_by=OPERATOR,  # audited as a link from chat is: who issued it, for whom
        )
        await uow.commit()
    minutes = app.config.dashboard.link_minutes
    out(signin_url(dashboard_base_url(app.config, port=port), token))
    out(f"(works once, for {minutes} minutes)")
    return 0


async def serve_dashboard(app: App, sock: socket.socket) -> int:
    """Serve the dashboard on `sock` until SIGINT (exit status 130, as a Ctrl-C) or SIGTERM (0).
    The socket comes from :func:`adapters.web.bind`, as for `micromentor run`: a busy port is
    one line and exit 1 before the database is opened, not uvicorn's own error and exit 3.

    The signals are this function's, not uvicorn's: uvicorn raises a signal it caught again
    once it stopped, which cancelled the caller while it closed the database's connections
    (a logged error and a traceback). Here the server stops, and the caller closes them."""
    import uvicorn

    class Server(uvicorn.Server):
        """uvicorn's server without its own signal handling (the loop's handlers below)."""

        @contextlib.contextmanager
        def capture_signals(self) -> Iterator[None]:
            yield

    config = uvicorn.Config(dashboard_app(app), log_level="warning", access_log=False)
    server = Server(config)
    caught: list[int] = []

    def stop(sig: int) -> None:
        if caught:  # a second Ctrl-C: don't wait for open connections
            server.force_exit = True
        caught.append(sig)
        server.should_exit = True

    loop = asyncio.get_running_loop()
    handled: list[signal.Signals] = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop, sig)
            handled.append(sig)
    try:
        await server.serve(sockets=[sock])
    finally:
        for number in handled:
            loop.remove_signal_handler(number)
        sock.close()
    return 130 if signal.SIGINT in caught else 0
