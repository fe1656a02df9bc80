"""HTTP mode: a Starlette app with ``POST /slack/events`` and ``GET /healthz``, served by uvicorn;
Socket Mode: one websocket opened with the app-level token."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Generator, Sequence

import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message

from adapters.slack.gateway import api_error

__all__ = ["MAX_BODY", "bounded", "http_app", "serve", "serve_socket_mode"]

log = logging.getLogger(__name__)

# Slack's payloads are a few kilobytes (a modal's state, a long message's blocks); anything much
# bigger is not Slack, and reading it whole would be a way to exhaust memory.
MAX_BODY = 1024 * 1024
TOO_LARGE = PlainTextResponse("Request body too large (the limit is 1 MB).", status_code=413)


async def bounded(request: Request, limit: int = MAX_BODY) -> Request | None:
    """`request` with its body read, or None when the body is over `limit` bytes: refused by
    its declared length before reading, or as soon as the bytes read pass the limit."""
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            return None
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": bytes(body), "more_body": False}

    return Request(request.scope, receive=replay)


def http_app(bolt: AsyncApp, extra_routes: Sequence[BaseRoute] = ()) -> Starlette:
    """Slash commands, events and interactivity on one URL; Bolt verifies every signature.
    `extra_routes` are served beside them (the admin dashboard at ``/admin``)."""
    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        whole = await bounded(request)
        if whole is None:
            log.warning("Slack: refused a request body over %d bytes", MAX_BODY)
            return TOO_LARGE
        return await handler.handle(whole)

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *extra_routes,
        ]
    )


class _Server(uvicorn.Server):
    """uvicorn without its own signal handlers: `micromentor run` owns SIGTERM and stops the
    inputs first, then the workers (see bot.main.run)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


async def serve(asgi: Starlette, *, host: str, port: int) -> None:
    """Run uvicorn in this event loop until cancelled; then stop accepting connections and let
    requests in flight finish (each only stores its input and acknowledges)."""
    config = uvicorn.Config(
        asgi,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        timeout_graceful_shutdown=5,
    )
    server = _Server(config)
    serving = asyncio.ensure_future(server.serve())
    try:
        await asyncio.shield(serving)
    except asyncio.CancelledError:
        server.should_exit = True
        await serving
        raise


async def serve_socket_mode(bolt: AsyncApp, *, app_token: str) -> None:
    """Receive over Socket Mode until cancelled (slack_sdk reconnects when Slack asks), then close
    the websocket and stop the client's tasks. A refused app-level token stops start-up."""
    from bot.errors import StartupError

    try:
        opened = await bolt.client.apps_connections_open(app_token=app_token)
    except SlackApiError as e:
        raise StartupError(
            f"Slack: SLACK_APP_TOKEN was refused ({api_error(e)}); it must be an app-level "
            "token (xapp-…) with the connections:write scope"
        ) from None
    handler = AsyncSocketModeHandler(bolt, app_token)
    client = handler.client
    client.wss_uri = str(opened["url"])  # connect with this URL instead of asking for another
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack: Socket Mode connected")
        await asyncio.Event().wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        loops = (client.message_processor, client.current_session_monitor, client.message_receiver)
        await asyncio.gather(*(t for t in loops if t is not None), return_exceptions=True)
