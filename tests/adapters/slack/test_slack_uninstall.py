"""Single-workspace mode (SLACK_BOT_TOKEN): the app removed from the workspace is recorded as
in the OAuth mode (its nudges wait, no digest is made), and taken up again by the start with a
working token."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any

import pytest

from adapters.slack.translate import workspace_ref
from tests.adapters.slack.conftest import (
    SlackHarness,
    slack_config,
    start_harness,
    stop_harness,
)
from tests.adapters.slack.fake_slack import BOT_USER, TEAM_ID, FakeSlack


async def _removed_at(slack: SlackHarness) -> datetime | None:
    """When the core was told the app was removed (None: it is there)."""
    async with slack.app.uow_factory(read_only=True) as uow:
        found = await uow.workspaces.get(workspace_ref(TEAM_ID))
    assert found is not None
    return found.removed_at


@pytest.mark.parametrize(
    "event",
    [{"type": "app_uninstalled"}, {"type": "tokens_revoked", "tokens": {"bot": [BOT_USER]}}],
)
async def test_an_uninstall_records_the_workspace_removed(
    slack: SlackHarness, event: dict[str, Any]
) -> None:
    assert await _removed_at(slack) is None
    assert (await slack.event(event)).status_code == 200
    assert await _removed_at(slack) is not None


@pytest.mark.parametrize(
    "event",
    [
        {"type": "tokens_revoked", "tokens": {"oauth": ["U0ALICE01"]}},  # a user's token only
        {"type": "tokens_revoked", "tokens": {"bot": ["U0OTHERBOT"]}},  # another bot user's
    ],
)
async def test_revoked_tokens_that_are_not_the_bots_leave_the_workspace(
    slack: SlackHarness, event: dict[str, Any]
) -> None:
    assert (await slack.event(event)).status_code == 200
    assert await _removed_at(slack) is None
    # The same listener records our bot's own uninstall: it ran, and spared the workspace.
    assert (await slack.event({"type": "app_uninstalled"})).status_code == 200
    assert await _removed_at(slack) is not None


async def test_an_uninstall_from_before_the_start_is_ignored(
    slack: SlackHarness, caplog: pytest.LogCaptureFixture
) -> None:
    # A late retry of the uninstall that the new token (this start's) came after.
    an_hour_ago = int(time.time()) - 3600
    with caplog.at_level(logging.INFO, logger="adapters.slack.runtime"):
        late = await slack.event({"type": "app_uninstalled"}, event_time=an_hour_ago)
    assert late.status_code == 200
    assert await _removed_at(slack) is None
    assert any("from before this start" in r.getMessage() for r in caplog.records)


async def test_the_start_with_a_working_token_takes_the_workspace_up_again(
    fake_slack: FakeSlack, sqlite_url: str
) -> None:
    app, http = await start_harness(fake_slack, sqlite_url, slack_config())
    try:
        first = SlackHarness(app=app, fake=fake_slack, http=http)
        assert (await first.event({"type": "app_uninstalled"})).status_code == 200
        assert await _removed_at(first) is not None
    finally:
        await http.aclose()
        await stop_harness(app)
    # Reinstalled, SLACK_BOT_TOKEN set to the new token, started again.
    app, http = await start_harness(fake_slack, sqlite_url, slack_config())
    try:
        assert await _removed_at(SlackHarness(app=app, fake=fake_slack, http=http)) is None
    finally:
        await http.aclose()
        await stop_harness(app)
