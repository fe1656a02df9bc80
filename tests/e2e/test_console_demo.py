"""`micromentor demo` plays the whole tour end to end without a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_demo_tours_every_flow_without_errors(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "MICROMENTOR_CONFIG": str(ROOT / "bot.toml")}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "demo"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "Traceback" not in out + done.stderr
    assert "something went wrong" not in out
    for seen in (
        "[#mentoring] Question #1",
        "[thread #1] @alice meet @bob",
        "[only carol sees] bob claimed #1 first",
        "You rated the help on #1 5/5",
        "[thread #2] @alice meet @carol",
        "Status: Cancelled",
        "time's up on #3",
        "Closed: the time box ran out",
        "Still open",
        "[#mentor-admins] Micromentor weekly digest",
        "[only dave sees] Sorry, `/mentoradmin stats` is for admins.",
        "[DM bob] ⚡ 5 questions from 4 people about pandas came up in the last 28 days.",
        "[#mentoring] ⚡ Lightning session #1: groupby, pivot and merge in 15 minutes",
        "Going: 2 signed up",
        "is tomorrow: Wed 2026-11-25 15:00 UTC",
        "Held: 2 signed up; rated by 2",
        "[#mentoring] 🙌 Kudos to @bob from alice",
        "⚡ Lightning speaker",
        "Leaderboard — all time (thank-you points)",
        "Before I post it:",
        "Saved as FAQ 1",
        "From the FAQ",
        "Next steps after #1",
        "Running a short session · lesson 2 of 5",
        "Your feedback as a mentor",
    ):
        assert seen in out, f"demo output lacks {seen!r}"
    assert not list(tmp_path.glob("*.db")), "the demo must not leave a database behind"
