"""Operations tests: `micromentor` as an operator runs it (subprocesses, real ports, fakes of
Slack and Discord on loopback)."""

from __future__ import annotations

import sys
from pathlib import Path

# The Discord fake is imported as a top-level module by its own tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "adapters" / "discord"))
