"""The message shortcut "Ask a mentor about this" quotes the message as the person saw it: Slack
sends message text with its markup (https://api.slack.com/reference/surfaces/formatting#retrieving-
messages), which the ask form shows as plain words (a mention by the person's name, looked up
for a bounded time so the form still opens on its 3-second trigger), and nothing of it pings
once the question is posted."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from adapters.slack.translate import ASK_ABOUT_SHORTCUT, mentioned_users, quoted_for_ask
from tests.adapters.slack.conftest import MENTORING, TEAM_ID, USERS, SlackHarness

QUESTION = "How do I group a pandas DataFrame by two columns and sum one of them?"
FORM = "application/x-www-form-urlencoded"
NOBODY = "U0GONE001"  # users.info: user_not_found


@pytest.mark.parametrize(
    ("said", "shown"),
    [
        ("ask <@U0BOB0001>", "ask @Bob Smith"),  # the name the directory gave
        ("ask <@U0CAROL01|carol>", "ask @carol"),  # not looked up: the label Slack sent
        ("ask <@U0CAROL01>", "ask @someone"),  # neither
        ("in <#C0GENERAL|general>", "in #general"),
        ("in <#C0GENERAL>", "in #channel"),  # Slack now often leaves the name out
        (
            "see <https://x.example/a?b=1&amp;c=2|the runbook>",
            "see the runbook (https://x.example/a?b=1&c=2)",
        ),
        ("see <https://x.example/a>", "see https://x.example/a"),
        ("mail <mailto:ops@x.example|ops@x.example>", "mail ops@x.example"),
        ("<!here> <!channel> <!everyone>", "@here @channel @everyone"),
        ("<!here|@here> look", "@here look"),
        ("ask <!subteam^S0614TZR7|@platform>", "ask @platform"),
        ("ask <!subteam^S0614TZR7>", "ask @a group"),
        ("on <!date^1392734382^{date_short}|Feb 18, 2014>", "on Feb 18, 2014"),
        ("a &lt;b&gt; &amp;&amp; c", "a <b> && c"),
    ],
)
def test_slack_markup_is_quoted_as_plain_words(said: str, shown: str) -> None:
    names = {"U0BOB0001": "Bob Smith"}
    assert quoted_for_ask(said, names=names) == f"> {shown}\n\n"


def test_the_mentioned_users_are_each_named_once_in_order() -> None:
    said = "<@U0BOB0001> and <@U0CAROL01|carol> and <@U0BOB0001> in <#C0GENERAL>"
    assert mentioned_users(said) == ["U0BOB0001", "U0CAROL01"]


def message_action(slack: SlackHarness, user: str, text: str, *, n: int = 1) -> str:
    """A message shortcut as Slack sends it (type ``message_action``)."""
    payload: dict[str, Any] = {
        "type": "message_action",
        "token": "legacy",
        "action_ts": "1700000100.000001",
        "team": {"id": TEAM_ID, "domain": "fake-team"},
        "user": {"id": USERS[user], "name": user, "team_id": TEAM_ID},
        "channel": {"id": MENTORING, "name": "mentoring"},
        "callback_id": ASK_ABOUT_SHORTCUT,
        "trigger_id": slack.fake.issue_trigger(f"trigger.shortcut.{n}"),
        "message_ts": "1700000000.000100",
        "message": {"type": "message", "user": USERS["bob"], "ts": "1.1", "text": text},
        "response_url": slack.fake.response_url(f"shortcut{n}"),
    }
    return slack.interaction_body(payload)


async def quoted_in_form(slack: SlackHarness, text: str) -> tuple[dict[str, Any], str]:
    response = await slack.post(message_action(slack, "alice", text), content_type=FORM)
    assert response.status_code == 200
    [opened] = await slack.fake.wait_for(lambda: slack.fake.to("views.open"), what="views.open")
    view: dict[str, Any] = opened.params["view"]
    field = next(b for b in view["blocks"] if b["block_id"] == "question")["element"]
    return view, str(field.get("initial_value", ""))


async def test_the_quote_names_the_mentioned_people_from_slacks_directory(
    slack: SlackHarness,
) -> None:
    slack.fake.unknown_users.add(NOBODY)
    said = f"<@{USERS['bob']}> and <@{NOBODY}> broke <#C0GENERAL|general> &amp; more"
    _, quoted = await quoted_in_form(slack, said)
    assert quoted == "> @bob and @someone broke #general & more\n\n"


async def test_a_slow_directory_does_not_keep_the_form_from_opening_in_time(
    slack: SlackHarness,
) -> None:
    slack.fake.delay["users.info"] = 5.0  # past the trigger's 3 seconds
    loop = asyncio.get_running_loop()
    sent = loop.time()
    _, quoted = await quoted_in_form(slack, f"ask <@{USERS['carol']}> or <@{USERS['dave']}|dave>")
    assert loop.time() - sent < 2.5
    assert quoted == "> ask @someone or @dave\n\n"
    assert not slack.fake.to("views.open", failed=True)
    assert not slack.fake.to("response_url")  # no apology: the form opened


async def test_a_quoted_here_or_channel_never_pings_when_the_question_is_posted(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "python, pandas")
    # <!here> and <!channel> as Slack marks them up, and "<!everyone>" as typed (escaped).
    said = "<!here> <!channel> pandas &lt;!everyone&gt; groupby fails"
    view, quoted = await quoted_in_form(slack, said)
    assert "<!here>" not in quoted and "<!channel>" not in quoted
    submitted = {
        "callback_id": view["callback_id"],
        "private_metadata": view["private_metadata"],
        "state": {
            "values": {
                "question": {"value": {"type": "plain_text_input", "value": quoted + QUESTION}}
            }
        },
    }
    response = await slack.submit("alice", submitted)
    assert response.status_code == 200 and not response.content
    card = await slack.card_of(1)
    shown = json.dumps(card.params, ensure_ascii=False)
    # The words are shown (the renderer keeps even a plain "@here" from pinging), the typed one
    # escaped.
    assert "here" in shown and "channel" in shown and "&lt;!everyone&gt;" in shown
    for ping in ("<!here", "<!channel", "<!everyone"):
        assert ping not in shown, shown
