"""`micromentor check` against the loopback Slack fake: usable credentials pass; a refused
token and a missing channel are one line each, exit 1; nothing is changed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.adapters.slack.fake_slack import FakeSlack
from tests.ops.process import clean_env
from tests.ops.test_startup_failures import run

pytestmark = pytest.mark.timeout(90)


def slack_env(tmp: Path, fake: FakeSlack) -> dict[str, str]:
    return clean_env(
        tmp, SLACK_BOT_TOKEN="xoxb-check", SLACK_SIGNING_SECRET="s", SLACK_API_URL=fake.api_url
    )


async def test_a_usable_slack_setup_passes(tmp_path: Path, fake_slack: FakeSlack) -> None:
    env = slack_env(tmp_path, fake_slack)
    assert (await asyncio.to_thread(run, env, tmp_path, "db", "upgrade")).returncode == 0
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert result.returncode == 0, result.stderr
    assert "usable" in result.stdout
    assert not fake_slack.to("chat.postMessage") and not fake_slack.to("conversations.join")


async def test_each_problem_is_one_line(tmp_path: Path, fake_slack: FakeSlack) -> None:
    (tmp_path / "bot.toml").write_text('[channels]\nmentoring = "mentorship"\n', encoding="utf-8")
    env = slack_env(tmp_path, fake_slack)
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2, result.stderr
    assert "no database at" in lines[0] and not (tmp_path / "mm.db").exists()
    assert "#mentorship" in lines[1] and "does not exist" in lines[1]
    fake_slack.errors["auth.test"] = "invalid_auth"
    refused = await asyncio.to_thread(run, env, tmp_path, "check")
    assert refused.returncode == 1
    assert "SLACK_BOT_TOKEN was refused by auth.test (invalid_auth)" in refused.stderr
    assert "xoxb-check" not in refused.stderr


async def test_a_rotating_token_outside_the_oauth_mode_is_a_problem(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    """It would work for at most 12 hours: `check` says so and points at the OAuth mode."""
    env = slack_env(tmp_path, fake_slack) | {"SLACK_BOT_TOKEN": "xoxe.xoxb-1-r0tat1ng"}
    assert (await asyncio.to_thread(run, env, tmp_path, "db", "upgrade")).returncode == 0
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "rotating token" in line and "12 hours" in line and "OAuth mode" in line
    assert "r0tat1ng" not in result.stderr


async def test_a_refused_channel_listing_is_said_once_for_all_channels(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    env = slack_env(tmp_path, fake_slack)
    assert (await asyncio.to_thread(run, env, tmp_path, "db", "upgrade")).returncode == 0
    fake_slack.errors["conversations.list"] = "missing_scope"
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert "could not list channels to find #mentoring, #mentor-admins (missing_scope)" in line


async def test_the_mentor_group_scope_is_asked_for_only_when_the_group_is_used(
    tmp_path: Path, fake_slack: FakeSlack
) -> None:
    from adapters.slack.scopes import manifest_scopes

    fake_slack.scopes = manifest_scopes() - {"usergroups:read"}
    env = slack_env(tmp_path, fake_slack)
    assert (await asyncio.to_thread(run, env, tmp_path, "db", "upgrade")).returncode == 0
    result = await asyncio.to_thread(run, env, tmp_path, "check")
    assert result.returncode == 0, result.stderr
    (tmp_path / "bot.toml").write_text('[slack]\nmentor_group = "mentors"\n', encoding="utf-8")
    grouped = await asyncio.to_thread(run, env, tmp_path, "check")
    assert grouped.returncode == 1
    assert "lacks scope(s) usergroups:read" in grouped.stderr
