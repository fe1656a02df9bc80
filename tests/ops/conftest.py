"""Operations tests: `micromentor` as an operator runs it (subprocesses, real ports, fakes of
Slack and Discord on loopback)."""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

# The Discord fake is imported as a top-level module by its own tests.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "adapters" / "discord"))

from tests.adapters.slack.fake_slack import FakeSlack


@pytest.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    """Slack's Web API on loopback, for `micromentor` run as a subprocess (a test module may
    set it up further with its own fixture of this name)."""
    fake = FakeSlack()
    await fake.start()
    yield fake
    await fake.stop()
