"""HTTP mode: the route ``POST /slack/events`` (served on the bot's HTTP port, adapters/web);
Socket Mode: one websocket opened with the app-level token."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from starlette.types import Message

from adapters.slack.errors import api_error
from adapters.slack.listeners import ARRIVED
from bot.flow.intake import Intake

__all__ = ["MAX_BODY", "bounded", "http_app", "serve_socket_mode", "slack_routes"]

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


def slack_routes(bolt: AsyncApp, intake: Intake | None = None) -> list[BaseRoute]:
    """Slash commands, events and interactivity on one URL; Bolt verifies every signature.
    Each request counts as an input being taken in (`intake`) from its arrival to its answer;
    its time of arrival is in the Bolt context (`ARRIVED`: the acknowledgement guards of slash
    commands and button presses, and the message shortcut's name look-ups, count from it)."""
    handler = AsyncSlackRequestHandler(bolt)
    taking = intake or Intake()

    async def events(request: Request) -> Response:
        arrived = asyncio.get_running_loop().time()
        with taking.taking_in():
            whole = await bounded(request)
            if whole is None:
                log.warning("Slack: refused a request body over %d bytes", MAX_BODY)
                return TOO_LARGE
            return await handler.handle(whole, addition_context_properties={ARRIVED: arrived})

    return [Route("/slack/events", events, methods=["POST"])]


def http_app(bolt: AsyncApp) -> Starlette:
    """The Slack routes alone with ``/healthz`` (tests; `run` serves them on the bot's port)."""

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[*slack_routes(bolt), Route("/healthz", healthz, methods=["GET"])])


async def serve_socket_mode(
    bolt: AsyncApp,
    *,
    app_token: str,
    on_connected: Callable[[Callable[[], bool]], None] | None = None,
) -> None:
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
    _note_disconnects(client)
    client.wss_uri = str(opened["url"])  # connect with this URL instead of asking for another
    try:
        await handler.connect_async()  # type: ignore[no-untyped-call]
        log.info("Slack: Socket Mode connected")
        if on_connected is not None:
            session = client

            def connected() -> bool:
                current = session.current_session
                return current is not None and not current.closed

            on_connected(connected)
        await asyncio.Event().wait()
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]
        loops = (client.message_processor, client.current_session_monitor, client.message_receiver)
        await asyncio.gather(*(t for t in loops if t is not None), return_exceptions=True)


def _note_disconnects(client: Any) -> None:
    """Say why Slack asked the websocket to close (its ``disconnect`` message; slack_sdk then
    opens a new connection). ``link_disabled`` means Socket Mode was turned off in the app's
    settings: no connection receives anything until it is on again, which the operator must
    hear; ``refresh_requested`` and ``warning`` are routine."""
    listeners = client.run_message_listeners

    async def noted(message: dict[str, Any], raw_message: str) -> None:
        if message.get("type") == "disconnect":
            reason = message.get("reason")
            if reason == "link_disabled":
                log.error(
                    "Slack: Socket Mode was turned off in the app's settings (disconnect: "
                    "link_disabled); nothing arrives until it is turned on again under "
                    "Socket Mode at api.slack.com/apps, or the app runs in HTTP mode"
                )
            else:
                log.info("Slack: Socket Mode asked to reconnect (%s); reconnecting", reason)
        await listeners(message, raw_message)

    client.run_message_listeners = noted
