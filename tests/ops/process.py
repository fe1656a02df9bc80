"""Run `micromentor` as a subprocess with a clean environment; wait for its probes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.e2e.slack_process import free_port

REPO = Path(__file__).resolve().parents[2]
MICROMENTOR = [sys.executable, "-m", "bot"]


def clean_env(tmp: Path, **extra: str) -> dict[str, str]:
    """The process environment without any platform variable, on a database in `tmp`."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DISCORD_", "MICROMENTOR_", "DATABASE_URL", "PORT"))
    }
    config = tmp / "bot.toml"
    if not config.exists():
        config.write_text("[bot]\nadmins = []\n", encoding="utf-8")
    env.update(
        MICROMENTOR_CONFIG=str(config),
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp / 'mm.db'}",
        MICROMENTOR_LOG_LEVEL="WARNING",
        HOST="127.0.0.1",
        PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH", "")])),
    )
    env.update(extra)
    return env


@dataclass
class Running:
    """A `micromentor run` in the background; its output goes to a file."""

    env: dict[str, str]
    workdir: Path
    port: int = field(default_factory=free_port)
    proc: asyncio.subprocess.Process | None = None

    @property
    def log(self) -> Path:
        return self.workdir / "run.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        with self.log.open("wb") as out:
            self.proc = await asyncio.create_subprocess_exec(
                *MICROMENTOR,
                "run",
                env={**self.env, "PORT": str(self.port)},
                cwd=self.workdir,
                stdout=out,
                stderr=out,
            )

    async def status(self, path: str) -> int | None:
        async with httpx.AsyncClient(timeout=5) as http:
            try:
                return (await http.get(self.url + path)).status_code
            except httpx.TransportError:
                return None

    async def get(self, path: str) -> httpx.Response:
        async with httpx.AsyncClient(timeout=5) as http:
            return await http.get(self.url + path)

    async def wait_status(self, path: str, wanted: int, *, within: float = 60.0) -> None:
        """Poll `path` until it answers `wanted` (the process must stay up meanwhile)."""
        assert self.proc is not None
        deadline = time.monotonic() + within
        last = None
        while time.monotonic() < deadline:
            if self.proc.returncode is not None:
                raise AssertionError(f"exited with {self.proc.returncode}:\n{self.log.read_text()}")
            last = await self.status(path)
            if last == wanted:
                return
            await asyncio.sleep(0.1)
        raise AssertionError(f"{path} answered {last}, not {wanted}:\n{self.log.read_text()}")

    async def stop(self) -> None:
        if self.proc is None or self.proc.returncode is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            await asyncio.wait_for(self.proc.wait(), 20)
        except TimeoutError:
            self.proc.kill()
            await self.proc.wait()
