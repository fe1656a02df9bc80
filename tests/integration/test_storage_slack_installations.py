"""Slack installations (migration 0006) on SQLite and PostgreSQL: saved, reinstalled,
uninstalled (the token forgotten), and the map of Slack ids to their workspace."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.slack_installations import SlackInstallation, SlackInstallations


async def test_installations_and_the_id_map(db_engine: AsyncEngine) -> None:
    store = SlackInstallations(db_engine)
    assert await store.find("T1") is None
    await store.save(SlackInstallation("T1", bot_token="xoxb-1", installer_user_id="U1"))
    found = await store.find("T1")
    assert found is not None and found.active and found.bot_token == "xoxb-1"
    assert "xoxb-1" not in repr(found)

    await store.deactivate("T1")
    gone = await store.find("T1")
    assert gone is not None and not gone.active and gone.bot_token is None

    # Reinstalled by someone else: the new token, but the installer kept is the first one (the
    # one installing made an admin; anyone may run "Add to Slack" again).
    await store.save(SlackInstallation("T1", bot_token="xoxb-2", installer_user_id="U2"))
    again = await store.find("T1")
    assert again is not None and again.active and again.bot_token == "xoxb-2"
    assert again.installer_user_id == "U1"

    await store.remember({"C1": "T1", "U1": "T1"})
    await store.remember({"C1": "T2", "C2": "T2"})  # the first sighting stays
    assert await store.team_of("C1") == "T1"
    assert await store.team_of("C2") == "T2"
    assert await store.team_of("C3") is None


async def test_a_dead_token_deactivates_only_while_it_is_still_the_installed_one(
    db_engine: AsyncEngine,
) -> None:
    store = SlackInstallations(db_engine)
    await store.save(SlackInstallation("T1", bot_token="xoxb-old"))
    await store.save(SlackInstallation("T1", bot_token="xoxb-new"))  # reinstalled meanwhile
    assert not await store.deactivate("T1", token="xoxb-old")  # a late failure of the old one
    kept = await store.find("T1")
    assert kept is not None and kept.active and kept.bot_token == "xoxb-new"

    assert await store.deactivate("T1", token="xoxb-new")
    assert not await store.deactivate("T1", token="xoxb-new")  # said once: already inactive
    gone = await store.find("T1")
    assert gone is not None and not gone.active and gone.bot_token is None


async def test_an_installation_without_an_installer_takes_the_next_ones(
    db_engine: AsyncEngine,
) -> None:
    store = SlackInstallations(db_engine)
    await store.save(SlackInstallation("T1", bot_token="xoxb-1"))
    await store.save(SlackInstallation("T1", bot_token="xoxb-2", installer_user_id="U2"))
    found = await store.find("T1")
    assert found is not None and found.installer_user_id == "U2"
