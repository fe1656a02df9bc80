"""`/mentor tz` for anyone, and `/mentor about` / `/mentor region` without an argument: a
forgotten argument shows the usage and erases nothing; only an explicit `clear` clears."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.commands import SetMentorAbout, SetMentorTimezone
from bot.learning.commands import SetMentorRegion
from bot.lightning.commands import ProposeLightning
from bot.textcommands import ParseError, parse_lightning, parse_mentor
from tests.unit.core_harness import Core, start_core


@pytest.fixture
async def core() -> Core:
    return await start_core()


async def test_anyone_can_set_a_timezone_and_lightning_times_are_read_in_it(core: Core) -> None:
    said = await core.reply(SetMentorTimezone(core.actor("dave"), "america/new_york"))
    assert said.startswith("Thanks — your timezone is America/New_York"), said
    assert "not a mentor" not in said
    assert core.db.tables["people"][core.user("dave")].timezone == "America/New_York"
    assert (core.user("dave"), core.actor("dave").workspace) not in core.db.tables["mentors"]
    typed = parse_lightning(core.actor("dave"), "propose pandas 2026-11-25 10:00 groupby basics")
    assert isinstance(typed, ProposeLightning)
    said = await core.reply(typed)
    assert said.startswith("Thank you!"), said
    [session] = core.db.rows("lightning")
    assert session.starts_at == datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 10:00 in New York


async def test_a_non_mentor_is_told_when_the_platform_zone_goes_first(core: Core) -> None:
    actor = replace(core.actor("dave"), timezone="Europe/Berlin")
    said = await core.reply(SetMentorTimezone(actor, "America/New_York"))
    assert "Europe/Berlin" in said and "goes first" in said


async def test_a_bad_timezone_is_refused_for_anyone(core: Core) -> None:
    said = await core.reply(SetMentorTimezone(core.actor("dave"), "Mars/Olympus"))
    assert "is not a timezone I know" in said
    person = core.db.tables["people"].get(core.user("dave"))
    assert person is None or person.timezone is None


async def test_a_mentors_timezone_stays_on_the_profile(core: Core) -> None:
    await core.join("bob", "pandas")
    said = await core.reply(SetMentorTimezone(core.actor("bob"), "Europe/Berlin"))
    assert said.startswith("Mentor bob\nTimezone updated."), said
    assert core.profile("bob").timezone == "Europe/Berlin"


@pytest.mark.parametrize("sub", ["about", "region", "about   ", "region  "])
def test_about_and_region_without_an_argument_show_the_usage(core: Core, sub: str) -> None:
    parsed = parse_mentor(core.actor("bob"), sub)
    assert isinstance(parsed, ParseError), parsed
    assert f"`/mentor {sub.strip()} clear` removes" in parsed.message


async def test_an_empty_about_or_region_erases_nothing(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.reply(SetMentorAbout(core.actor("bob"), "I review pandas code"))
    await core.reply(SetMentorRegion(core.actor("bob"), "Europe"))
    said = await core.reply(SetMentorAbout(core.actor("bob"), "  "))
    assert "`/mentor about clear`" in said and "cleared" not in said
    said = await core.reply(SetMentorRegion(core.actor("bob"), ""))
    assert "`/mentor region clear`" in said and "cleared" not in said
    assert (core.profile("bob").about, core.profile("bob").region) == (
        "I review pandas code",
        "Europe",
    )


async def test_about_clear_and_region_clear_clear_them(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.reply(SetMentorAbout(core.actor("bob"), "I review pandas code"))
    await core.reply(SetMentorRegion(core.actor("bob"), "Europe"))
    about = parse_mentor(core.actor("bob"), "about clear")
    region = parse_mentor(core.actor("bob"), "region Clear")
    assert isinstance(about, SetMentorAbout) and isinstance(region, SetMentorRegion)
    assert "Your own words are cleared" in await core.reply(about)
    assert "Region cleared." in await core.reply(region)
    assert (core.profile("bob").about, core.profile("bob").region) == ("", "")


async def test_a_timezone_set_before_joining_carries_over_to_the_profile(core: Core) -> None:
    await core.reply(SetMentorTimezone(core.actor("dave"), "Asia/Tokyo"))
    await core.join("dave", "pandas")
    assert core.profile("dave").timezone == "Asia/Tokyo"
