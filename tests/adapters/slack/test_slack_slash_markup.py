"""Slash commands declared ``should_escape: true`` (``/mentor``, ``/mentoradmin``, ``/kudos``)
arrive with Slack's markup: ``<@U…|name>``, ``<#C…|name>``, ``<https://…|label>``, ``<!here>``.
What a person wrote is shown back as they see it in Slack (``@carol``, ``#python``, the link),
not as escaped markup, and nothing of it pings."""

from __future__ import annotations

import json
import re

from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import Call

MARKUP = (
    "in <#C0PYTHON1|python>, see <https://ci.example.com/run/1> and "
    "<https://docs.example.com|the docs>, with <@U0CAROL01|carol> too <!here>"
)
PLAIN = (
    "in #python, see https://ci.example.com/run/1 and the docs (https://docs.example.com), "
    "with @carol too @\u2060here"
)


def shown(call: Call) -> str:
    """What a message shows (blocks and fallback text), as Slack gets it."""
    return json.dumps([call.params.get("blocks"), call.params.get("text")], ensure_ascii=False)


def as_written(said: str) -> None:
    assert PLAIN in said
    assert "&lt;" not in said and "&gt;" not in said and "<#" not in said and "<!" not in said
    assert "<@U0CAROL01" not in said  # carol named, not pinged
    assert not re.search(r"@(here|channel|everyone)", said)  # each with a word joiner


async def test_a_public_thanks_shows_slacks_markup_as_plain_words(slack: SlackHarness) -> None:
    await slack.command("alice", "/kudos", f"<@{USERS['bob']}|bob> for fixing the build {MARKUP}")
    post = await slack.fake.wait_for(
        lambda: next(
            (
                c
                for c in slack.fake.to("chat.postMessage", channel=MENTORING)
                if "Kudos" in c.text()
            ),
            None,
        ),
        what="the kudos post",
    )
    said = shown(post)
    assert f"<@{USERS['bob']}>" in said  # bob is thanked by his mention
    as_written(said)


async def test_a_mentor_about_text_shows_slacks_markup_as_plain_words(slack: SlackHarness) -> None:
    await slack.join("bob", "python")
    await slack.command("bob", "/mentor", f"about pandas questions {MARKUP}")
    await slack.settled()
    await slack.command("bob", "/mentor", "me")
    await slack.settled()
    profile = [shown(c) for c in slack.fake.to("response_url") if "I can help with" in shown(c)]
    assert profile
    as_written(profile[-1])


async def test_a_mention_slack_sent_without_its_name_is_shown_by_name(slack: SlackHarness) -> None:
    """Slack may send a slash command's mention as ``<@U…>`` alone (no ``|name``): the person is
    looked up (users.info) and named, not shown as "@someone"."""
    await slack.join("bob", "python")
    await slack.command("bob", "/mentor", f"about pairing with <@{USERS['carol']}> on pandas")
    await slack.settled()
    await slack.command("bob", "/mentor", "me")
    await slack.settled()
    profile = [shown(c) for c in slack.fake.to("response_url") if "I can help with" in shown(c)]
    assert profile
    assert "pairing with @carol on pandas" in profile[-1]
    assert "@someone" not in profile[-1] and f"<@{USERS['carol']}" not in profile[-1]
