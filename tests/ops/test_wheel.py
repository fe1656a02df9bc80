"""The production install, as the Dockerfile does it: build the wheel from this repository,
install it with constraints.txt into a clean virtual environment, then `micromentor --version`
and `micromentor check` from there."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.timeout(900)


def sh(*args: str | Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args], capture_output=True, text=True, check=False, **kwargs
    )  # type: ignore[call-overload]


def test_the_wheel_installs_with_the_constraints_and_runs(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = sh(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", wheels, REPO)
    assert built.returncode == 0, built.stderr
    [wheel] = wheels.glob("micromentor-*.whl")
    names = sh(sys.executable, "-m", "zipfile", "-l", wheel).stdout
    assert "tests/" not in names and "adapters/slack/manifest.yml" in names
    assert "storage/migrations/versions/" in names

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    installed = sh(py, "-m", "pip", "install", "-q", wheel, "-c", REPO / "constraints.txt")
    assert installed.returncode == 0, installed.stderr
    freeze = sh(py, "-m", "pip", "freeze").stdout.lower()
    for dev_tool in ("pytest", "mypy", "ruff", "matplotlib"):
        assert f"{dev_tool}==" not in freeze, dev_tool

    exe = env_dir / "bin" / "micromentor"
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DISCORD_", "MICROMENTOR_", "PYTHONPATH", "DATABASE_URL"))
    }
    work = tmp_path / "work"
    work.mkdir()
    version = sh(exe, "--version", env=env, cwd=work)
    assert version.returncode == 0 and version.stdout.strip() == "micromentor 0.1.0"
    # No credentials and no database yet: check says both, one line each, and creates nothing.
    no_credentials = (
        "micromentor check: no platform credentials set: `micromentor run` would open the local "
        "console, not Slack or Discord (set SLACK_BOT_TOKEN with SLACK_SIGNING_SECRET or "
        "SLACK_APP_TOKEN, or DISCORD_TOKEN)"
    )
    database = work.resolve() / "micromentor.db"
    check = sh(exe, "check", env=env, cwd=work)
    assert check.returncode == 1, check.stderr
    assert check.stderr.strip().splitlines() == [
        no_credentials,
        f"micromentor check: no database at {database}: start the bot (or run "
        "`micromentor db upgrade`) to create it",
    ]
    assert not database.exists()
    assert sh(exe, "db", "upgrade", env=env, cwd=work).returncode == 0
    check = sh(exe, "check", env=env, cwd=work)
    assert check.returncode == 1, check.stderr
    assert check.stderr.strip().splitlines() == [no_credentials]  # the database is usable now
