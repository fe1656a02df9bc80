"""The loopback fake OpenAI-compatible endpoint."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.llm.fake_openai import FakeOpenAI


@pytest.fixture
async def fake_openai() -> AsyncIterator[FakeOpenAI]:
    fake = FakeOpenAI()
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()
