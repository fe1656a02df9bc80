"""The always-on HTTP server: ``/healthz`` (the process answers), ``/readyz`` (the database
answers and every platform is connected; 503 otherwise), ``/metrics`` (Prometheus text), plus
the routes added through :class:`bot.web.Web` (Slack's events URL, a dashboard)."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import socket
from collections.abc import Awaitable, Callable, Generator, Sequence
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.errors import StartupError
from bot.web import Web

__all__ = ["bind", "ops_app", "serve_web"]

log = logging.getLogger(__name__)


def ops_app(
    web: Web,
    *,
    ping: Callable[[], Awaitable[None]],
    registry: CollectorRegistry,
    refresh: Callable[[], Awaitable[None]] | None = None,
) -> Starlette:
    """The probes and metrics, then every route in `web` (now and added later)."""

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(_: Request) -> Response:
        problems: dict[str, str] = {}
        try:
            await ping()
        except Exception as e:  # any failure to answer means not ready
            problems["database"] = type(e).__name__
        for name in web.not_connected():
            problems[name] = "not connected"
        if problems:
            return JSONResponse({"ready": False, "problems": problems}, status_code=503)
        return JSONResponse({"ready": True})

    async def metrics(_: Request) -> Response:
        if refresh is not None:
            try:
                await refresh()
            except Exception:  # the database figures are missing; the rest still counts
                log.warning("metrics: could not read the database figures", exc_info=True)
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    asgi = Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            *web.routes,
        ]
    )

    def mount(routes: Sequence[Any]) -> None:
        asgi.router.routes.extend(routes)

    web.on_routes(mount)
    return asgi


def bind(host: str, port: int, *, setting: str = "set PORT") -> socket.socket:
    """The listening socket, or a StartupError that says which port is taken (and how to
    choose another: `setting`)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # Named TCP, asyncio sets TCP_NODELAY on every accepted connection (it checks the proto):
    # without it each answer waits ~40 ms for the client's delayed ACK (Nagle's algorithm).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        if e.errno == errno.EADDRINUSE:
            raise StartupError(
                f"port {port} on {host} is already in use; stop what uses it or {setting} "
                "to a free port",
                code=1,
            ) from None
        raise StartupError(f"cannot listen on {host}:{port} ({e.strerror})", code=1) from None
    sock.listen(2048)
    sock.setblocking(False)
    return sock


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: `micromentor run` owns SIGTERM and stops the
    inputs first, then the workers (see bot.main.run)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def serve_web(asgi: Starlette, sock: socket.socket) -> None:
    """Serve on `sock` until cancelled; then stop accepting connections and let requests in
    flight finish (each only stores its input and acknowledges)."""
    config = uvicorn.Config(
        asgi,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    serving = asyncio.ensure_future(server.serve(sockets=[sock]))
    try:
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        server.should_exit = True
        await serving
        raise
    finally:
        sock.close()
