"""The platform table: which platforms start, and partial credentials caught before anything
starts (instead of quietly opening the console)."""

from __future__ import annotations

import pytest

from bot.platforms import PLATFORMS, configured, credential_problems


@pytest.mark.parametrize(
    ("env", "started"),
    [
        ({}, []),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s"}, ["slack"]),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"}, ["slack"]),
        ({"DISCORD_TOKEN": "d"}, ["discord"]),
        (
            {"SLACK_BOT_TOKEN": "xoxb-x", "SLACK_SIGNING_SECRET": "s", "DISCORD_TOKEN": "d"},
            ["slack", "discord"],
        ),
    ],
)
def test_complete_credentials_start_their_platform(env: dict[str, str], started: list[str]) -> None:
    assert [p.name for p in configured(env)] == started
    assert credential_problems(env) == []


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_SIGNING_SECRET or SLACK_APP_TOKEN"),
        ({"SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_APP_TOKEN": "xapp-1"}, "SLACK_BOT_TOKEN"),
        ({"SLACK_BOT_TOKEN": "  ", "SLACK_SIGNING_SECRET": "s"}, "SLACK_BOT_TOKEN"),
    ],
)
def test_partial_credentials_are_named_and_start_nothing(env: dict[str, str], missing: str) -> None:
    [problem] = credential_problems(env)
    assert problem.startswith("slack:") and missing in problem
    assert configured(env) == []


def test_every_platform_names_a_start_function_that_exists() -> None:
    import importlib

    for platform in PLATFORMS:
        module, _, name = platform.start.partition(":")
        assert callable(getattr(importlib.import_module(module), name))


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"SLACK_BOT_TOKEN": "xoxp-u53r", "SLACK_SIGNING_SECRET": "s"}, "user token (xoxp-"),
        ({"SLACK_BOT_TOKEN": "xapp-4pp", "SLACK_SIGNING_SECRET": "s"}, "app-level token"),
        ({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xoxb-2"}, "not an app-level token"),
        ({"SLACK_BOT_TOKEN": '"xoxb-qu0t3d"', "SLACK_SIGNING_SECRET": "s"}, "quotes around"),
        ({"SLACK_BOT_TOKEN": "xoxb-sp4c3 \n", "SLACK_SIGNING_SECRET": "s"}, "spaces or quotes"),
        ({"DISCORD_TOKEN": "Bot abc.d3f.ghi"}, 'starts with "Bot "'),
        ({"SLACK_BOT_TOKEN": "hello", "SLACK_SIGNING_SECRET": "s"}, "not a Slack token"),
        ({"SLACK_BOT_TOKEN": "xoxe.xoxb-1-r0tat3d", "SLACK_SIGNING_SECRET": "s"}, None),
    ],
)
def test_a_token_that_can_never_work_is_named_without_its_value(
    env: dict[str, str], expected: str | None
) -> None:
    problems = credential_problems(env)
    if expected is None:  # a well-formed token of another shape (rotation) is fine
        assert problems == []
        return
    assert len(problems) == 1 and expected in problems[0]
    assert not any(v.strip().strip("\"'") in problems[0] for v in env.values() if len(v) > 2)
