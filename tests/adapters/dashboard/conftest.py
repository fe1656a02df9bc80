"""The dashboard's tests share one app served over HTTP (`test_dashboard_http._serve`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.adapters.dashboard.test_dashboard_http import Served, _serve


@pytest.fixture
async def served(sqlite_url: str) -> AsyncIterator[Served]:
    s = await _serve(sqlite_url)
    try:
        yield s
    finally:
        await s.app.dispose()
