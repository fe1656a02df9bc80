"""`micromentor run` without credentials is the console with the scheduler: at the end of its
input, or on `quit`, it stops the ticks in flight cleanly — no traceback, only the goodbye."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import IO

import pytest

MICROMENTOR = Path(sys.executable).with_name("micromentor")
PLATFORM_VARIABLES = ("SLACK_", "DISCORD_")


def run(
    stdin: str | None, *, database_url: str, cwd: Path, level: str | None = "INFO"
) -> subprocess.CompletedProcess[str]:
    """`micromentor run` with no platform credentials, reading `stdin` (None: /dev/null, as a
    service manager gives it)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(PLATFORM_VARIABLES) and k != "MICROMENTOR_LOG_LEVEL"
    }
    env |= {"DATABASE_URL": database_url, "MICROMENTOR_CONFIG": ""}
    if level is not None:
        env["MICROMENTOR_LOG_LEVEL"] = level
    return subprocess.run(
        [str(MICROMENTOR), "run"],
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=120,
        check=False,
    )


@pytest.mark.skipif(not MICROMENTOR.exists(), reason="the micromentor script is not installed")
@pytest.mark.parametrize(
    ("stdin", "goodbye"), [("as bob\nquit\n", True), ("as bob\n", False), ("", False)]
)
def test_run_ends_at_quit_or_end_of_input_without_a_traceback(
    sqlite_url: str, tmp_path: Path, stdin: str, goodbye: bool
) -> None:
    done = run(stdin, database_url=sqlite_url, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for output in (done.stdout, done.stderr):
        assert "Traceback" not in output and "CancelledError" not in output, output
        assert " ERROR " not in output, output
    assert done.stdout.rstrip().endswith("[console] Bye!") is goodbye, done.stdout


@pytest.mark.skipif(not MICROMENTOR.exists(), reason="the micromentor script is not installed")
def test_the_console_shows_the_conversation_not_the_operators_info_lines(
    sqlite_url: str, tmp_path: Path
) -> None:
    """No level chosen: after the line that says why the console started, warnings only (its
    output is the conversation); a level chosen in the environment is kept."""
    script = "as bob\n/askmentor how do I undo a git rebase that went wrong\nquit\n"
    quiet = run(script, database_url=sqlite_url, cwd=tmp_path, level=None)
    assert quiet.returncode == 0, quiet.stderr
    assert "Your question is #1" in quiet.stdout
    info = [line for line in quiet.stderr.splitlines() if " INFO " in line]
    assert len(info) == 1 and "starting the local console" in info[0], quiet.stderr
    chosen = run(script, database_url=sqlite_url, cwd=tmp_path, level="INFO")
    assert chosen.returncode == 0, chosen.stderr
    # More INFO lines than the one that says why ("schema already at head" is DEBUG now).
    assert len([line for line in chosen.stderr.splitlines() if " INFO " in line]) > 1


@pytest.mark.skipif(not MICROMENTOR.exists(), reason="the micromentor script is not installed")
def test_run_as_a_service_without_credentials_says_why_it_ends(
    sqlite_url: str, tmp_path: Path
) -> None:
    # Docker and systemd give /dev/null as standard input: with the .env forgotten, a console
    # would read nothing and end at once. The service's log says why, the exit status is a
    # configuration error (systemd's unit does not restart on it), and the service's database
    # gets no console workspace.
    database = Path(sqlite_url.removeprefix("sqlite+aiosqlite:///"))
    before = database.read_bytes() if database.exists() else None
    done = run(None, database_url=sqlite_url, cwd=tmp_path, level=None)
    assert done.returncode == 2, done.stderr
    assert "no terminal or script for the console" in done.stderr
    assert "DISCORD_TOKEN" in done.stderr
    assert "Traceback" not in done.stderr
    assert (database.read_bytes() if database.exists() else None) == before


def _wait_for(stream: IO[str], text: str, timeout: float) -> str:
    """What `stream` printed up to and including the line with `text` (fails after `timeout`)."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = stream.readline()
            if not line:
                break
            seen.append(line)
            if text in line:
                return "".join(seen)
    raise AssertionError(f"{text!r} never came; saw {''.join(seen)!r}")


@pytest.mark.parametrize("command", ["run", "console"])
def test_ctrl_c_stops_the_console_at_once_while_its_input_is_still_open(
    sqlite_url: str, tmp_path: Path, command: str
) -> None:
    """Ctrl-C while the console waits for a line (a terminal, or a pipe nobody has closed):
    it stops within seconds with status 130 and no traceback, not when the input ends."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(PLATFORM_VARIABLES) and k != "MICROMENTOR_LOG_LEVEL"
    }
    env |= {"DATABASE_URL": sqlite_url, "MICROMENTOR_CONFIG": "", "PYTHONUNBUFFERED": "1"}
    # As in a terminal, Ctrl-C interrupts: a shell that started this run in the background
    # (CI, `make test &`) had SIGINT ignored, and its children inherit that.
    as_in_a_terminal = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        f"sys.argv = ['micromentor', {command!r}]; runpy.run_module('bot', run_name='__main__')"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", as_in_a_terminal],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("as bob\n")
        proc.stdin.flush()
        before = _wait_for(proc.stdout, "you are now bob", timeout=60)
        time.sleep(0.5)  # the console is waiting for the next line
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=8)  # not communicate(): that would close the input
        except subprocess.TimeoutExpired:
            raise AssertionError("Ctrl-C did not stop the console") from None
        assert proc.stderr is not None
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdin.close()
    assert proc.returncode == 130, (before + out, err)
    for output in (before + out, err):
        assert "Traceback" not in output and "ERROR" not in output, output
