"""The deployment files read as an operator's machine would run them: the systemd unit and
compose.yaml (no systemd or Docker needed; the files are parsed)."""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _unit() -> dict[str, list[str]]:
    """Each key of the [Service] section with every value it is given (keys repeat)."""
    values: dict[str, list[str]] = {}
    section = ""
    for raw in (ROOT / "deploy" / "micromentor.service").read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line
            continue
        if section == "[Service]":
            key, _, value = line.partition("=")
            values.setdefault(key.strip(), []).append(value.strip())
    return values


def _environment(unit: dict[str, list[str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for value in unit.get("Environment", []):
        for pair in shlex.split(value):
            name, _, setting = pair.partition("=")
            env[name] = setting
    return env


def _writable(unit: dict[str, list[str]]) -> list[Path]:
    paths = [Path(p) for value in unit.get("ReadWritePaths", []) for p in value.split()]
    paths += [
        Path("/var/lib") / d for value in unit.get("StateDirectory", []) for d in value.split()
    ]
    return paths


def test_the_units_sqlite_database_is_where_the_service_may_write() -> None:
    """ProtectSystem=strict makes /etc read-only, and the default database sits beside the
    config (/etc/micromentor): `run` could never create it. Without a DATABASE_URL in the
    environment file the default must land in a writable path."""
    unit = _unit()
    env = _environment(unit)
    assert unit["ProtectSystem"] == ["strict"]
    url = env.get("DATABASE_URL")
    if url is None:
        config = Path(env["MICROMENTOR_CONFIG"])
        default = tomllib.loads((ROOT / "bot.toml").read_text())["bot"]["database_url"]
        url = (
            default
            if default.startswith("sqlite+aiosqlite:////")
            else ("sqlite+aiosqlite:///" + str(config.parent / default.split("///", 1)[1]))
        )
    database = Path(url.split("sqlite+aiosqlite:///", 1)[1])
    assert any(database.is_relative_to(w) for w in _writable(unit)), (database, _writable(unit))
    # The environment file is read after Environment= and wins: PostgreSQL stays possible.
    assert unit["EnvironmentFile"] == ["/etc/micromentor/env"]


def test_the_unit_stops_with_sigterm_in_time_and_restarts_only_on_failure() -> None:
    unit = _unit()
    shutdown = tomllib.loads((ROOT / "bot.toml").read_text())["flow"]["shutdown_seconds"]
    assert unit["KillSignal"] == ["SIGTERM"]
    assert int(unit["TimeoutStopSec"][0]) > shutdown
    assert unit["Restart"] == ["on-failure"]
    assert unit["RestartPreventExitStatus"] == ["2"]
    assert unit["ExecStart"] == ["/opt/micromentor/venv/bin/micromentor run"]
    assert "/opt/micromentor/venv/bin/pip install" in (ROOT / "README.md").read_text()


def test_compose_maps_the_port_the_bot_listens_on_in_its_container() -> None:
    """.env (from .env.example) sets PORT and compose passes it into the container: unless the
    service pins PORT, `PORT=8080` in .env makes the bot listen on 8080 behind a 3000 mapping."""
    compose = (ROOT / "compose.yaml").read_text()
    bot = compose.split("\n  db:", 1)[0]
    [container_port] = re.findall(r'-\s*"\$\{PORT:-3000\}:(\d+)"', bot)
    assert "env_file: .env" in bot
    assert "PORT=" in (ROOT / ".env.example").read_text()
    pinned = re.search(r"^\s+PORT:\s*\"?(\d+)\"?\s*$", bot, re.MULTILINE)
    assert pinned is not None and pinned.group(1) == container_port


def test_the_docker_image_copies_only_files_that_exist() -> None:
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        words = line.split()
        if not words or words[0] != "COPY" or any(w.startswith("--from") for w in words):
            continue
        sources = [w for w in words[1:-1] if not w.startswith("--")]
        for source in sources:
            assert (ROOT / source).exists(), source
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert "bot.toml" not in ignored and "constraints.txt" not in ignored
