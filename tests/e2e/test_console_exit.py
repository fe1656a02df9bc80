"""`micromentor run` without credentials is the console with the scheduler: at the end of its
input, or on `quit`, it stops the ticks in flight cleanly — no traceback, only the goodbye."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

MICROMENTOR = Path(sys.executable).with_name("micromentor")
PLATFORM_VARIABLES = ("SLACK_", "DISCORD_")


def run(stdin: str, *, database_url: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARIABLES)}
    env |= {"DATABASE_URL": database_url, "MICROMENTOR_CONFIG": "", "MICROMENTOR_LOG_LEVEL": "INFO"}
    return subprocess.run(
        [str(MICROMENTOR), "run"],
        input=stdin,
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
