"""Slack, admins and privacy: the App Home has the buttons of each role and stays inside Block
Kit's limits; a deactivated user (``user_change`` with ``deleted``) is offboarded; an export is
a JSON file uploaded to the admin's DM (files upload v2); the home's buttons work."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
import sqlalchemy as sa

from bot.refs import UserRef, WorkspaceRef
from storage.repositories.queues import INBOX
from tests.adapters.slack.conftest import MENTORING, USERS, SlackHarness
from tests.adapters.slack.fake_slack import TEAM_ID
from tests.adapters.slack.slack_limits import limit_problems
from tests.adapters.slack.test_slack_limits import nasty


@pytest.fixture
def slack_settings() -> dict[str, Any]:
    # Twenty questions in a row from one person: no rate limit, none taken for a duplicate.
    return {"limits": {"asks": 0, "duplicate_similarity": 100}}


def _home_blocks(slack: SlackHarness) -> list[dict[str, Any]]:
    view = slack.fake.to("views.publish")[-1].params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    blocks: list[dict[str, Any]] = view["blocks"]
    return blocks


def _buttons(blocks: list[dict[str, Any]]) -> dict[str, str]:
    return {
        e["text"]["text"]: e["action_id"]
        for b in blocks
        if b["type"] == "actions"
        for e in b["elements"]
    }


async def _open_home(slack: SlackHarness, user: str) -> list[dict[str, Any]]:
    before = len(slack.fake.to("views.publish"))
    await slack.event({"type": "app_home_opened", "user": USERS[user], "tab": "home"})
    await slack.fake.wait_for(
        lambda: len(slack.fake.to("views.publish")) > before, what="views.publish"
    )
    return _home_blocks(slack)


async def test_the_home_of_an_admin_mentor_with_many_questions_stays_within_block_kit(
    slack: SlackHarness,
) -> None:
    await slack.join("root", "python, pandas")
    for i in range(20):
        await slack.command("root", "/askmentor", nasty(1900) + f" pandas {i}")
        await slack.replies_to("root", f"your question is #{i + 1}")
    blocks = await _open_home(slack, "root")
    assert limit_problems(blocks, max_blocks=100) == []
    buttons = _buttons(blocks)
    assert set(buttons) == {"Ask a question", "Pause", "Edit skills", "Dashboard"}
    assert buttons["Dashboard"] == f"mm:dashboard:0@{TEAM_ID}"
    shown = json.dumps(blocks)
    assert "Queue (admin)" in shown and "20 open" in shown
    assert "and 5 more" in shown
    # Slack's @channel (<!channel>) is shown as words, never a ping.
    assert "<!channel>" not in shown and "@\\u2060channel" in shown


async def test_everyone_gets_ask_and_nothing_else(slack: SlackHarness) -> None:
    buttons = _buttons(await _open_home(slack, "alice"))
    assert set(buttons) == {"Ask a question"}


async def test_home_buttons_pause_then_offer_resume_and_send_a_dashboard_link(
    slack: SlackHarness,
) -> None:
    await slack.join("root", "python")
    buttons = _buttons(await _open_home(slack, "root"))
    await slack.click("root", buttons["Pause"], channel="D0ROOT", ts="1.1")
    await slack.replies_to("root", "Paused until you")
    assert "Resume" in _buttons(await _open_home(slack, "root"))
    await slack.click("root", buttons["Dashboard"], channel="D0ROOT", ts="1.1")
    await slack.replies_to("root", "sign-in link")
    await slack.fake.wait_for(
        lambda: [
            c
            for c in slack.fake.to("chat.postMessage")
            if "/admin/signin?token=" in json.dumps(c.params.get("blocks"))
        ],
        what="the link by DM",
    )


async def test_pause_pressed_in_the_home_tab_republishes_that_home_with_resume(
    slack: SlackHarness,
) -> None:
    await slack.join("root", "python")
    buttons = _buttons(await _open_home(slack, "root"))
    before = len(slack.fake.to("views.publish"))
    await slack.click_in_home("root", buttons["Pause"])
    published = await slack.fake.wait_for(
        lambda: slack.fake.to("views.publish")[before:], what="the home published again"
    )
    assert published[-1].params["user_id"] == USERS["root"]
    after = _buttons(_home_blocks(slack))
    assert "Resume" in after and "Pause" not in after
    await slack.replies_to("root", "Paused until you")  # the confirmation still comes by DM


async def test_a_deactivated_user_is_offboarded(slack: SlackHarness) -> None:
    await slack.join("bob", "pandas")
    await slack.command("alice", "/askmentor", "How do I group a pandas DataFrame by two columns?")
    await slack.card_of(1)
    await slack.react("bob", MENTORING, slack.card_ts(1))
    await slack.replies_to("bob", "#1")
    user = {"id": USERS["bob"], "team_id": TEAM_ID, "name": "bob", "deleted": True}
    response = await slack.event({"type": "user_change", "user": user, "event_ts": "9.9"})
    assert response.status_code == 200
    bob = UserRef("slack", USERS["bob"])

    async def released() -> bool:
        async with slack.app.uow_factory() as uow:
            profile = await uow.mentors.get(bob, WorkspaceRef("slack", TEAM_ID))
            return profile is not None and not profile.active

    await slack.fake.wait_for(lambda: slack.fake.to("chat.postMessage"), what="anything")
    for _ in range(200):
        if await released():
            break
        await slack.app.runtime.drain()
    assert await released()
    async with slack.app.uow_factory() as uow:
        q = await uow.questions.get_by_number(WorkspaceRef("slack", TEAM_ID), 1)
    assert q is not None and q.mentor is None and q.state.value == "open"


async def test_a_deactivated_member_from_another_team_is_offboarded_where_the_event_came_from(
    slack: SlackHarness,
) -> None:
    # Slack's own user_change example: the user's team_id is their home team (Enterprise Grid,
    # Slack Connect), the event's is the workspace the app is installed in.
    await slack.join("bob", "pandas")
    user = {"id": USERS["bob"], "team_id": "T0HOMETEAM", "name": "bob", "deleted": True}
    response = await slack.event({"type": "user_change", "user": user, "event_ts": "9.9"})
    assert response.status_code == 200
    bob, here = UserRef("slack", USERS["bob"]), WorkspaceRef("slack", TEAM_ID)

    async def stepped_down() -> bool:
        await slack.app.runtime.drain()
        async with slack.app.uow_factory(read_only=True) as uow:
            profile = await uow.mentors.get(bob, here)
        return profile is not None and not profile.active

    for _ in range(200):
        if await stepped_down():
            break
    assert await stepped_down()


async def test_a_deactivation_is_stored_even_when_the_user_cache_cannot_take_it(
    slack: SlackHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from adapters.slack.users import SlackDirectory

    def broken(self: SlackDirectory, info: dict[str, Any]) -> None:
        raise LookupError("no workspace for this request")

    monkeypatch.setattr(SlackDirectory, "refresh", broken)
    await slack.join("bob", "pandas")
    user = {"id": USERS["bob"], "team_id": TEAM_ID, "name": "bob", "deleted": True}
    response = await slack.event({"type": "user_change", "user": user, "event_ts": "9.9"})
    assert response.status_code == 200
    bob = UserRef("slack", USERS["bob"])
    for _ in range(200):
        await slack.app.runtime.drain()
        async with slack.app.uow_factory() as uow:
            profile = await uow.mentors.get(bob, WorkspaceRef("slack", TEAM_ID))
        if profile is not None and not profile.active:
            break
    assert profile is not None and not profile.active


async def test_a_profile_change_that_is_not_a_deactivation_is_ignored(
    slack: SlackHarness,
) -> None:
    await slack.join("bob", "pandas")
    user = {"id": USERS["bob"], "team_id": TEAM_ID, "name": "bobby", "deleted": False}
    await slack.event({"type": "user_change", "user": user, "event_ts": "9.9"})
    await slack.app.runtime.drain()
    async with slack.app.uow_factory() as uow:
        profile = await uow.mentors.get(
            UserRef("slack", USERS["bob"]), WorkspaceRef("slack", TEAM_ID)
        )
    assert profile is not None and profile.active


def _bob_changed(**fields: Any) -> dict[str, Any]:
    user = {"id": USERS["bob"], "team_id": TEAM_ID, "name": "bob", "deleted": False, **fields}
    return {"type": "user_change", "user": user, "event_ts": "9.9"}


async def _left_at(slack: SlackHarness) -> Any:
    async with slack.app.uow_factory(read_only=True) as uow:
        return await uow.privacy.left_at(UserRef("slack", USERS["bob"]))


async def _stored(slack: SlackHarness, event_id: str) -> bool:
    """Whether the input of Slack event `event_id` is in the inbox (an input costs a write)."""
    async with slack.app.uow_factory(read_only=True) as uow:
        found = await uow.inbox._session.scalar(  # type: ignore[attr-defined]
            sa.select(sa.func.count())
            .select_from(INBOX)
            .where(INBOX.c.key == f"slack:ev:{event_id}")
        )
    return bool(found)


async def _bob_deactivated(slack: SlackHarness) -> None:
    await slack.join("bob", "pandas")  # bob is known to the bot
    await slack.event(_bob_changed(deleted=True), event_id="EvGONE")
    await slack.settled()
    assert await _stored(slack, "EvGONE")
    assert await _left_at(slack) is not None


async def test_a_reactivated_user_is_no_longer_recorded_as_left(slack: SlackHarness) -> None:
    await _bob_deactivated(slack)
    response = await slack.event(_bob_changed(deleted=False), event_id="EvBACK")
    assert response.status_code == 200
    await slack.settled()
    assert await _stored(slack, "EvBACK")  # through the inbox, like any other input
    assert await _left_at(slack) is None
    # Once back, a profile edit is nothing to store again.
    await slack.event(_bob_changed(deleted=False, name="bobby"), event_id="EvEDIT")
    await slack.settled()
    assert not await _stored(slack, "EvEDIT")


async def test_a_profile_edit_of_an_active_user_costs_no_write(slack: SlackHarness) -> None:
    await slack.join("bob", "pandas")
    response = await slack.event(_bob_changed(name="bobby"), event_id="EvEDIT")
    assert response.status_code == 200
    await slack.settled()
    assert not await _stored(slack, "EvEDIT")
    assert await _left_at(slack) is None


async def test_profile_edits_of_a_deactivated_user_are_offboarded_once(
    slack: SlackHarness,
) -> None:
    await _bob_deactivated(slack)
    first = await _left_at(slack)
    for i in range(3):  # an admin (or SCIM) edits the deactivated profile: a user_change each
        await slack.event(_bob_changed(deleted=True, name=f"bob{i}"), event_id=f"EvEDIT{i}")
    await slack.settled()
    assert [await _stored(slack, f"EvEDIT{i}") for i in range(3)] == [False] * 3
    assert await _left_at(slack) == first


async def test_a_deactivated_bot_user_is_nothing(slack: SlackHarness) -> None:
    app_bot = {"id": "B0BOTUSER", "team_id": TEAM_ID, "name": "somebot"}
    for i, fields in enumerate([{"is_bot": True}, {"id": "USLACKBOT"}]):
        user = {**app_bot, "deleted": True, **fields}
        response = await slack.event(
            {"type": "user_change", "user": user, "event_ts": "9.9"}, event_id=f"EvBOT{i}"
        )
        assert response.status_code == 200
        await slack.settled()
        assert not await _stored(slack, f"EvBOT{i}")


async def test_an_export_is_a_json_file_uploaded_to_the_admins_dm(slack: SlackHarness) -> None:
    await slack.command("alice", "/askmentor", "How do I group a pandas DataFrame by two columns?")
    await slack.replies_to("alice", "your question is #1")
    await slack.command("root", "/mentoradmin", f"export <@{USERS['alice']}|alice>")
    await slack.replies_to("root", "on its way")
    await slack.fake.wait_for(lambda: slack.fake.uploads, what="the upload")
    [data] = slack.fake.uploads.values()
    exported = json.loads(data)
    assert exported["user"] == f"slack:{USERS['alice']}"
    assert exported["questions_asked"][0]["text"].startswith("How do I group")
    [complete] = await slack.fake.wait_for(
        lambda: slack.fake.to("files.completeUploadExternal"), what="the file shared"
    )
    assert str(complete.params["files"]).count(".json") == 1


async def test_a_typed_look_alike_mention_exports_nobody(slack: SlackHarness) -> None:
    await slack.command("root", "/mentoradmin", f"export &lt;@{USERS['alice']}&gt;")
    await slack.replies_to("root", "Name the person")


async def test_the_mentor_group_defines_the_mentors(slack: SlackHarness) -> None:
    from adapters.slack.mentor_group import sync_once

    await slack.join("bob", "pandas")
    await slack.join("carol", "python")
    group = {
        "id": "S0MENTORS",
        "handle": "mentors",
        "users": [USERS["bob"], "U0NEWBIE1"],
        "date_delete": 0,
    }
    slack.fake._usergroups_list = lambda _: {"usergroups": [group]}  # type: ignore[attr-defined]
    ws = WorkspaceRef("slack", TEAM_ID)
    config = slack.app.config.model_copy(
        update={"slack": slack.app.config.slack.model_copy(update={"mentor_group": "mentors"})}
    )
    app = slack.app
    app.config = config
    for _ in range(500):  # both joins processed (the inbox works in the background)
        async with app.uow_factory() as uow:
            if len(await uow.mentors.in_workspace(ws)) == 2:
                break
        await asyncio.sleep(0.01)
    assert await sync_once(app, app.chat._gateways["slack"].client, ws)  # type: ignore[attr-defined]
    async with app.uow_factory() as uow:
        bob = await uow.mentors.get(UserRef("slack", USERS["bob"]), ws)
        carol = await uow.mentors.get(UserRef("slack", USERS["carol"]), ws)
        [entry] = await uow.audit.recent([ws], limit=5, action="roster remove")
    assert bob is not None and bob.active
    assert carol is not None and not carol.active
    assert entry.subject == f"slack:{USERS['carol']}"
    invited = await slack.fake.wait_for(
        lambda: [
            c
            for c in slack.fake.to("chat.postMessage")
            if "mentors group" in json.dumps(c.params.get("blocks"))
        ],
        what="the invitation",
    )
    assert len(invited) == 1
    assert await sync_once(app, app.chat._gateways["slack"].client, ws)  # type: ignore[attr-defined]
    await app.runtime.drain()
    assert (
        len(
            [
                c
                for c in slack.fake.to("chat.postMessage")
                if "mentors group" in json.dumps(c.params.get("blocks"))
            ]
        )
        == 1
    )
