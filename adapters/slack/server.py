"""HTTP mode: a Starlette app with ``POST /slack/events`` and ``GET /healthz``, served by uvicorn."""

from __future__ import annotations

import uvicorn
from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.async_app import AsyncApp
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

__all__ = ["http_app", "serve"]


def http_app(bolt: AsyncApp) -> Starlette:
    """Slash commands, events and interactivity on one URL; Bolt verifies every signature."""
    handler = AsyncSlackRequestHandler(bolt)

    async def events(request: Request) -> Response:
        return await handler.handle(request)

    async def healthz(_: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route("/slack/events", events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


async def serve(asgi: Starlette, *, host: str, port: int) -> None:
    """Run uvicorn in this event loop until it is stopped."""
    config = uvicorn.Config(
        asgi, host=host, port=port, log_level="warning", access_log=False, lifespan="off"
    )
    await uvicorn.Server(config).serve()
