"""OAuth mode: each delivery goes out with the token of the workspace it was decided for, not
of whichever workspace a Slack id was last (or first) seen in. One id can be in two installed
workspaces: an Enterprise Grid user (U…/W… ids are org-wide), a Slack Connect shared channel."""

from __future__ import annotations

import asyncio

from adapters.slack.team_gateway import TeamGateway
from adapters.slack.teams import Teams
from adapters.slack.translate import PLATFORM, workspace_ref
from bot.clock import SystemClock
from bot.flow.outbox import Delivery, Op, OutboxItem, new_key
from bot.messages import ChatMessage, text
from bot.refs import ChannelRef, UserRef
from storage.slack_installations import SlackInstallations
from tests.adapters.slack.test_slack_oauth import ALPHA, BETA, OAuthHarness
from tests.adapters.slack.test_slack_oauth import oauth as oauth  # the fixture

GRID = "U0GRID001"  # one Enterprise Grid user, member of both workspaces
PANDAS = "How do I group a pandas DataFrame by two columns and sum?"


async def _installed(oauth: OAuthHarness) -> None:
    for ws in (ALPHA, BETA):
        assert (await oauth.install(ws)).status_code == 200
    await oauth.settled()


async def _grid_mentors_in_beta_and_was_seen_in_alpha(oauth: OAuthHarness) -> None:
    await _installed(oauth)
    await oauth.command(BETA, GRID, "/mentor", "join pandas, python")  # a mentor in BETA
    await oauth.settled()
    await oauth.command(ALPHA, GRID, "/mentor", "list")  # then uses the bot in ALPHA once
    await oauth.settled()


async def test_betas_dm_to_a_shared_user_goes_with_betas_token(oauth: OAuthHarness) -> None:
    await _grid_mentors_in_beta_and_was_seen_in_alpha(oauth)
    before = len(oauth.fake.to("chat.postMessage", channel=GRID))
    await oauth.command(BETA, BETA.asker, "/askmentor", "--anonymous " + PANDAS)
    await oauth.settled()
    dms = oauth.fake.to("chat.postMessage", channel=GRID)[before:]
    assert dms, "the BETA mentor was not DM'd at all"
    assert {oauth.fake.token_of(c) for c in dms} == {BETA.token}


async def test_uninstalling_alpha_does_not_stop_betas_dms(oauth: OAuthHarness) -> None:
    await _grid_mentors_in_beta_and_was_seen_in_alpha(oauth)
    assert (await oauth.event(ALPHA, {"type": "app_uninstalled"})).status_code == 200
    await asyncio.sleep(0.2)
    before = len(oauth.fake.to("chat.postMessage", channel=GRID))
    await oauth.command(BETA, BETA.asker, "/askmentor", "--anonymous " + PANDAS)
    await oauth.settled()
    dms = oauth.fake.to("chat.postMessage", channel=GRID)[before:]
    assert any(oauth.fake.token_of(c) == BETA.token for c in dms), "BETA's DM was dropped"
    assert all(oauth.fake.token_of(c) != ALPHA.token for c in dms)


async def test_control_without_alpha_sighting_betas_token_is_used(oauth: OAuthHarness) -> None:
    await _installed(oauth)
    await oauth.command(BETA, GRID, "/mentor", "join pandas, python")
    await oauth.settled()
    await oauth.command(BETA, BETA.asker, "/askmentor", "--anonymous " + PANDAS)
    await oauth.settled()
    dms = oauth.fake.to("chat.postMessage", channel=GRID)
    assert dms and {oauth.fake.token_of(c) for c in dms} == {BETA.token}


def _teams(oauth: OAuthHarness) -> Teams:
    gateway = oauth.app.chat._gateways[PLATFORM]  # type: ignore[attr-defined]
    assert isinstance(gateway, TeamGateway)
    return gateway.teams


def _row(delivery: Delivery) -> OutboxItem:
    return OutboxItem(delivery, key=new_key(), due_at=SystemClock().now())


async def test_a_shared_channel_is_posted_to_with_the_token_of_the_workspace_it_is_for(
    oauth: OAuthHarness,
) -> None:
    """Slack Connect: one channel id in both workspaces. Seen in ALPHA first, then a post
    decided for BETA goes with BETA's token, and one decided for ALPHA with ALPHA's."""
    await _installed(oauth)
    shared = "C0SHARED1"
    await _teams(oauth).remember(ALPHA.team, [shared])
    channel = ChannelRef("slack", shared)
    said = {BETA.team: "for beta", ALPHA.team: "for alpha"}
    async with oauth.app.uow_factory() as uow:
        await uow.outbox.add_many(
            [
                _row(
                    Delivery(
                        Op.POST,
                        f"ch:{channel.key()}",
                        message=ChatMessage(body=text(words)),
                        channel=channel,
                        workspace=workspace_ref(team),
                    )
                )
                for team, words in said.items()
            ]
        )
        await uow.commit()
    oauth.app.runtime.wake()
    await oauth.settled()
    posts = oauth.fake.to("chat.postMessage", channel=shared)
    by_text = {
        next(w for w in said.values() if w in c.text()): oauth.fake.token_of(c) for c in posts
    }
    assert by_text == {"for beta": BETA.token, "for alpha": ALPHA.token}


async def test_a_row_stored_without_a_workspace_still_goes_by_the_id_map(
    oauth: OAuthHarness,
) -> None:
    """Rows stored before deliveries named their workspace: routed as they were."""
    await _installed(oauth)
    user = UserRef("slack", BETA.installer)
    async with oauth.app.uow_factory() as uow:
        await uow.outbox.add_many(
            [
                _row(
                    Delivery(
                        Op.DM,
                        f"u:{user.key()}",
                        message=ChatMessage(body=text("old row")),
                        user=user,
                    )
                )
            ]
        )
        await uow.commit()
    oauth.app.runtime.wake()
    await oauth.settled()
    assert [c for c in oauth.with_token("chat.postMessage", BETA.token) if "old row" in c.text()]


async def test_memory_and_database_agree_on_an_ids_workspace(oauth: OAuthHarness) -> None:
    """The fallback map has one answer on every replica and after a restart: the first
    sighting, in memory as in the database."""
    await _installed(oauth)
    teams = _teams(oauth)
    store = SlackInstallations(oauth.app.engine)
    await teams.remember(ALPHA.team, ["U0BOTH001"])
    await teams.remember(BETA.team, ["U0BOTH001"])
    assert await teams.team_of("U0BOTH001") == await store.team_of("U0BOTH001") == ALPHA.team
    # Another replica saw it in BETA first, in memory only: it takes the database's answer.
    await store.remember({"U0BOTH002": ALPHA.team})
    teams._ids.pop("U0BOTH002", None)
    await teams.remember(BETA.team, ["U0BOTH002"])
    assert teams.cached_team_of("U0BOTH002") == ALPHA.team
