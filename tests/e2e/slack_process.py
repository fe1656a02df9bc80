"""`micromentor run` as a real process in Slack HTTP mode, and a client that talks to it the way
Slack does (signed requests), for crash tests and the flow benchmark."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import os
import signal
import socket
import sys
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

REPO = Path(__file__).resolve().parents[2]
SECRET = "process-test-signing-secret"
TEAM_ID = "T0TEAM001"
MENTORING = "C0MENTOR1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def signed(body: str, content_type: str) -> dict[str, str]:
    ts = str(int(time.time()))
    sig = hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={sig}",
        "Content-Type": content_type,
    }


@dataclass
class BotProcess:
    """One `python -m bot run` with the given database and fake Slack; its log goes to a file."""

    database_url: str
    api_url: str
    workdir: Path
    config: str = ""
    port: int = field(default_factory=free_port)
    proc: asyncio.subprocess.Process | None = None
    starts: int = 0

    @property
    def log(self) -> Path:
        return self.workdir / f"bot-{self.starts}.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
        config = self.workdir / "bot.toml"
        config.write_text(self.config, encoding="utf-8")
        return {
            **env,
            "SLACK_BOT_TOKEN": "xoxb-process-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": self.api_url,
            "DATABASE_URL": self.database_url,
            "MICROMENTOR_CONFIG": str(config),
            "PORT": str(self.port),
            "HOST": "127.0.0.1",
            "PYTHONPATH": str(REPO),
        }

    async def start(self, *, within: float = 60.0) -> None:
        self.starts += 1
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bot",
                "run",
                env=self.env(),
                cwd=self.workdir,
                stdout=out,
                stderr=out,
            )
        deadline = time.monotonic() + within
        async with httpx.AsyncClient() as http:
            while time.monotonic() < deadline:
                if self.proc.returncode is not None:
                    raise AssertionError(
                        f"the bot exited with {self.proc.returncode}:\n{self.log.read_text()}"
                    )
                try:
                    resp = await http.get(f"http://127.0.0.1:{self.port}/readyz")
                    if resp.status_code == 200:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.05)
        raise AssertionError(f"the bot never answered /readyz:\n{self.log.read_text()}")

    async def kill(self) -> None:
        """kill -9: no chance to finish anything."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def terminate(self, *, within: float = 15.0) -> tuple[int, float]:
        """SIGTERM as a deploy sends it; returns (exit status, seconds it took)."""
        assert self.proc is not None
        started = time.monotonic()
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = await asyncio.wait_for(self.proc.wait(), within)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
            raise AssertionError(f"the bot did not stop within {within} s") from None
        return code, time.monotonic() - started


@dataclass
class Sent:
    """One input sent: its kind, what identifies its effect, and whether it was acknowledged."""

    kind: str
    key: str
    acked: bool = False
    status: int | None = None


class SlackClient:
    """Sends what Slack sends (slash commands, events, button clicks), signed, to one port."""

    def __init__(self, port: int, respond_base: str, *, name: str = "") -> None:
        self.port = port
        self.name = name  # keeps trigger ids of several clients apart
        self.respond_base = respond_base
        self._ids = itertools.count(1)
        self.sent: list[Sent] = []
        self.http = httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}",
            timeout=15,
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64),
        )

    async def close(self) -> None:
        await self.http.aclose()

    async def _post(self, sent: Sent, body: str, content_type: str) -> Sent:
        self.sent.append(sent)
        try:
            resp = await self.http.post(
                "/slack/events", content=body, headers=signed(body, content_type)
            )
        except httpx.TransportError:
            return sent  # the process died mid-request: not acknowledged
        sent.status = resp.status_code
        sent.acked = resp.status_code == 200
        return sent

    def command_body(self, user: str, command: str, text: str, *, key: str) -> str:
        return urllib.parse.urlencode(
            {
                "team_id": TEAM_ID,
                "channel_id": MENTORING,
                "user_id": user,
                "user_name": user.lower(),
                "command": command,
                "text": text,
                "response_url": f"{self.respond_base}/respond/{key}",
                "trigger_id": f"trigger.{key}",
            }
        )

    async def command(self, user: str, command: str, text: str) -> Sent:
        key = f"{self.name}cmd{next(self._ids)}"
        body = self.command_body(user, command, text, key=key)
        return await self._post(Sent("command", key), body, "application/x-www-form-urlencoded")

    async def click(self, user: str, action_id: str) -> Sent:
        key = f"{self.name}act{next(self._ids)}"
        payload = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": TEAM_ID},
            "api_app_id": "A0APP0001",
            "container": {"type": "message", "channel_id": MENTORING},
            "trigger_id": f"trigger.{key}",
            "team": {"id": TEAM_ID},
            "channel": {"id": MENTORING, "name": "mentoring"},
            "response_url": f"{self.respond_base}/respond/{key}",
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "mm",
                    "action_ts": f"{time.time():.6f}",
                }
            ],
        }
        body = urllib.parse.urlencode({"payload": json.dumps(payload)})
        return await self._post(Sent("action", key), body, "application/x-www-form-urlencoded")

    async def event(self, event: Mapping[str, Any], *, event_id: str) -> Sent:
        body = json.dumps(
            {
                "team_id": TEAM_ID,
                "api_app_id": "A0APP0001",
                "type": "event_callback",
                "event_id": event_id,
                "event_time": int(time.time()),
                "event": dict(event),
            }
        )
        return await self._post(Sent("event", event_id), body, "application/json")

    async def react(self, user: str, ts: str, *, event_id: str, emoji: str = "hand") -> Sent:
        return await self.event(
            {
                "type": "reaction_added",
                "user": user,
                "reaction": emoji,
                "item": {"type": "message", "channel": MENTORING, "ts": ts},
                "event_ts": f"{time.time():.6f}",
            },
            event_id=event_id,
        )
