"""A loopback fake of an OpenAI-compatible chat-completions endpoint (port 0 on 127.0.0.1):
records every request and answers as told — a reply, an HTTP error, a delay, junk, a body
trickled out slowly, a huge body, or a redirect. Its model list answers `micromentor check`."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["FakeOpenAI", "Received"]


@dataclass(frozen=True, slots=True)
class Received:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def text(self) -> str:
        """Everything the endpoint was told, as one string (to look for what must not be there)."""
        return json.dumps(self.body, ensure_ascii=False)


@dataclass
class FakeOpenAI:
    reply: str = '{"topics": ["pivot tables"], "resources": []}'
    status: int = 200
    delay: float = 0.0
    raw: str | None = None  # a body sent as is instead of a chat completion
    headers: dict[str, str] = field(default_factory=dict)  # extra response headers
    trickle: float = 0.0  # > 0: the body goes out one byte every `trickle` seconds
    huge: int = 0  # > 0: a 200 body of this many bytes, streamed without a length
    redirect_to: str = ""  # answer 307 to this URL
    received: list[Received] = field(default_factory=list)
    in_flight: int = 0
    most_in_flight: int = 0
    sent_bytes: int = 0
    url: str = ""
    _runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._complete)
        app.router.add_get("/v1/models", self._models)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}/v1"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _models(self, request: web.Request) -> web.StreamResponse:
        self.received.append(Received(request.path, dict(request.headers), {}))
        if self.status != 200:
            return web.json_response({"error": {"message": "no"}}, status=self.status)
        return web.json_response({"object": "list", "data": [{"id": "m", "object": "model"}]})

    async def _complete(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.received.append(Received(request.path, dict(request.headers), body))
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            return await self._answer(request, body)
        finally:
            self.in_flight -= 1

    async def _answer(self, request: web.Request, body: dict[str, Any]) -> web.StreamResponse:
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.redirect_to:
            raise web.HTTPTemporaryRedirect(self.redirect_to)
        if self.status != 200:
            return web.json_response(
                {"error": {"message": "upstream trouble"}}, status=self.status, headers=self.headers
            )
        if self.huge:
            stream = web.StreamResponse(headers={"Content-Type": "application/json"})
            await stream.prepare(request)
            chunk = b" " * 65536
            while self.sent_bytes < self.huge:
                await stream.write(chunk)
                self.sent_bytes += len(chunk)
            await stream.write_eof()
            return stream
        if self.raw is not None:
            text = self.raw
        else:
            text = json.dumps(
                {
                    "id": "chatcmpl-1",
                    "object": "chat.completion",
                    "model": body.get("model", ""),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": self.reply},
                            "finish_reason": "stop",
                        }
                    ],
                }
            )
        if not self.trickle:
            return web.Response(text=text, content_type="application/json", headers=self.headers)
        stream = web.StreamResponse(headers={"Content-Type": "application/json"})
        await stream.prepare(request)
        for byte in text.encode():
            await stream.write(bytes([byte]))
            await asyncio.sleep(self.trickle)
        await stream.write_eof()
        return stream
