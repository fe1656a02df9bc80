"""Forms open on a trigger_id, which Slack accepts once and for 3 seconds: the join form opens
before anything slow (users.info) and gets the Slack timezone afterwards with views.update; a
form opened from the App Home tab shows its result there once it is saved."""

from __future__ import annotations

import json
import time
from typing import Any

from adapters.slack.listeners import FORM_FAILED
from adapters.slack.translate import user_ref, workspace_ref
from tests.adapters.slack.conftest import USERS, SlackHarness
from tests.adapters.slack.fake_slack import TEAM_ID
from tests.adapters.slack.test_slack_privacy import _buttons, _home_blocks, _open_home


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


async def test_join_form_opens_within_the_trigger_even_when_users_info_is_slow(
    slack: SlackHarness,
) -> None:
    slack.fake.trigger_seconds = 0.5  # Slack's 3 s, shortened so the test stays quick
    slack.fake.delay["users.info"] = 1.0  # rate limited or slow
    await slack.command("bob", "/mentor", "join")
    [opened] = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    assert opened.params["view"]["callback_id"] == "mm_join"
    assert "V0VIEW001" in slack.fake.views, "views.open was refused (expired_trigger_id)"
    assert not [c for c in slack.fake.to("response_url") if FORM_FAILED in c.text()]

    # Once users.info answers, the open form shows the Slack timezone (what an empty field
    # means), keeping the block ids so Slack keeps whatever was typed meanwhile.
    [updated] = await slack.fake.wait_for(
        lambda: slack.fake.to("views.update"), what="the form updated"
    )
    assert updated.params["view_id"] == "V0VIEW001" and updated.params.get("hash")
    shown = slack.fake.views["V0VIEW001"]  # accepted: the hash was the one views.open gave
    assert _block(shown, "timezone")["element"]["placeholder"]["text"] == "Europe/Berlin"
    assert [b["block_id"] for b in updated.params["view"]["blocks"]] == [
        b["block_id"] for b in opened.params["view"]["blocks"]
    ]


async def test_join_form_left_without_a_timezone_takes_the_slack_one(slack: SlackHarness) -> None:
    await slack.command("bob", "/mentor", "join")
    [opened] = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    view = opened.params["view"]
    await slack.submit(
        "bob",
        {
            "callback_id": "mm_join",
            "private_metadata": view["private_metadata"],
            "state": {
                "values": {
                    "skills": {"value": {"value": "python"}},
                    "hours": {"value": {"value": "Mon-Fri 09:00-17:00"}},
                    "timezone": {"value": {"value": None}},
                }
            },
        },
    )
    await slack.replies_to("bob", "python")
    async with slack.app.uow_factory() as uow:
        profile = await uow.mentors.get(user_ref(USERS["bob"]), workspace_ref(TEAM_ID))
    assert profile is not None and profile.timezone == "Europe/Berlin"


async def test_a_form_opened_from_the_home_tab_republishes_it_once_saved(
    slack: SlackHarness,
) -> None:
    await slack.join("root", "python")
    buttons = _buttons(await _open_home(slack, "root"))
    await slack.click_in_home("root", buttons["Edit skills"])
    [opened] = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="join form")
    view = opened.params["view"]
    assert json.loads(view["private_metadata"]).get("home") is True
    before = len(slack.fake.to("views.publish"))
    await slack.submit(
        "root",
        {
            "callback_id": "mm_join",
            "private_metadata": view["private_metadata"],
            "state": {
                "values": {
                    "skills": {"value": {"value": "rust, kotlin"}},
                    "hours": {"value": {"value": "Mon-Fri 09:00-17:00"}},
                    "timezone": {"value": {"value": "Europe/Berlin"}},
                }
            },
        },
    )
    published = await slack.fake.wait_for(
        lambda: slack.fake.to("views.publish")[before:], what="the home published again"
    )
    assert published[-1].params["user_id"] == USERS["root"]
    assert "kotlin" in json.dumps(_home_blocks(slack)).lower()


async def test_a_slow_views_open_does_not_hold_the_commands_acknowledgement(
    slack: SlackHarness,
) -> None:
    slack.fake.delay["views.open"] = 1.0  # Slack slow to open the form
    started = time.monotonic()
    answered = await slack.command("bob", "/askmentor")
    took = time.monotonic() - started
    assert answered.status_code == 200
    assert took < 0.5, f"the acknowledgement waited {took:.2f}s for views.open"
    # The form still opens, on the same trigger, right after the acknowledgement.
    [opened] = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    assert opened.params["view"]["callback_id"] == "mm_ask"
    assert not [c for c in slack.fake.to("response_url") if FORM_FAILED in c.text()]
