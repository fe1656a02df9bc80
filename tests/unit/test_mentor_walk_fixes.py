"""What a new user's console walk through the mentor commands found: UTC offsets read with the
right sign, times in the mentor's own zone, skill typos asked about, everyday-word skills said
plainly, `/mentor list` reading typos, `/mentor why` signs and its anonymous refusal, a mentor's
points, a private kudos in the second person, and `/mentor learn start` after a stop."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from bot.commands import (
    ExplainMatch,
    ListMentors,
    PauseMentor,
    RegisterMentor,
    SetMentorCapacity,
    SetMentorTimezone,
    ShowMentorProfile,
    UpdateMentorSkills,
)
from bot.hours import HoursError, check_timezone
from bot.learning.commands import ShowLearning, StopLearning
from bot.recognition.commands import GiveKudos
from tests.unit.core_harness import QUESTION, Core, start_core


@pytest.fixture
async def core() -> Core:
    return await start_core()


# --- 1. UTC offsets -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["+2", "UTC+2", "GMT+2", "utc +2", "+02:00", "GMT+02"])
def test_an_offset_east_of_utc_suggests_the_etc_zone_with_the_posix_sign(typed: str) -> None:
    with pytest.raises(HoursError) as e:
        check_timezone(typed)
    said = str(e.value)
    assert said.startswith(f"`{typed}` is not a timezone name. For UTC+2 all year, use `Etc/GMT-2`")
    assert "`Etc/GMT+2`" not in said  # that is UTC−2
    assert "A city name like `Europe/Berlin` follows daylight saving; a fixed offset does not." in (
        said
    )


@pytest.mark.parametrize("typed", ["-3", "UTC-3", "GMT-3", "UTC−3"])
def test_an_offset_west_of_utc_suggests_the_etc_zone_with_the_posix_sign(typed: str) -> None:
    with pytest.raises(HoursError, match=r"For UTC−3 all year, use `Etc/GMT\+3`"):
        check_timezone(typed)


@pytest.mark.parametrize(
    ("typed", "city"),
    [
        ("UTC+05:30", "Asia/Kolkata"),
        ("+0545", "Asia/Kathmandu"),
        # Offsets some cities keep only in summer: still a city, never "no timezone keeps it".
        ("-2:30", "America/St_Johns"),
        ("+13:45", "Pacific/Chatham"),
        ("+10:30", "Australia/Adelaide"),
    ],
)
def test_a_part_hour_offset_has_no_etc_zone_and_suggests_a_city(typed: str, city: str) -> None:
    with pytest.raises(HoursError) as e:
        check_timezone(typed)
    assert "no fixed zone" in str(e.value) and f"`{city}`" in str(e.value)
    assert "Etc/" not in str(e.value)


def test_a_part_hour_offset_no_city_keeps_says_to_use_the_citys_name() -> None:
    with pytest.raises(HoursError, match=r"No timezone I know keeps UTC\+4:15\. Use your city"):
        check_timezone("+4:15")


def test_an_iana_etc_name_typed_as_such_stays_valid_as_iana_defines_it() -> None:
    assert check_timezone("Etc/GMT+2") == "Etc/GMT+2"
    assert check_timezone("etc/gmt-2") == "Etc/GMT-2"


async def test_the_tz_command_answers_an_offset_with_the_right_zone(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(SetMentorTimezone(core.actor("bob"), "+2"))
    assert "`Etc/GMT-2`" in said and "`Etc/GMT+2`" not in said, said
    assert core.profile("bob").timezone == "UTC"


# --- 2. times in the mentor's own zone ------------------------------------------------------


async def test_a_pause_says_its_end_in_the_mentors_own_zone_too(core: Core) -> None:
    await core.join("bob", "python")
    await core.handle(SetMentorTimezone(core.actor("bob"), "America/New_York"))
    said = await core.reply(PauseMentor(core.actor("bob"), timedelta(days=7)))
    assert said.startswith("Paused until Mon 2026-11-30 10:00 UTC (05:00 America/New_York). "), said
    card = await core.reply(ShowMentorProfile(core.actor("bob")))
    assert "Status: paused until Mon 2026-11-30 10:00 UTC (05:00 America/New_York)" in card, card


async def test_a_pause_given_while_paused_has_no_back_to_back_parentheses(core: Core) -> None:
    await core.join("bob", "python")
    await core.handle(SetMentorTimezone(core.actor("bob"), "Europe/Paris"))
    await core.handle(PauseMentor(core.actor("bob"), timedelta(days=7)))
    said = await core.reply(PauseMentor(core.actor("bob"), timedelta(days=8)))
    assert ") (" not in said, said
    assert said.startswith(
        "Paused until Tue 2026-12-01 10:00 UTC (11:00 Europe/Paris), instead of until "
        "Mon 2026-11-30 10:00 UTC (11:00 Europe/Paris)."
    ), said


# --- 3. a skill typo is asked about ---------------------------------------------------------


async def test_join_asks_about_a_short_skill_typo_and_saves_nothing(core: Core) -> None:
    said = await core.reply(
        RegisterMentor(core.actor("bob"), ("python", "pandas", "kubernets", "gti"))
    )
    assert said == (
        "“gti” isn't a skill I know — did you mean git? Nothing was saved: send the list again "
        'with git, or put the skill in quotes ("gti") to keep it as you typed it.'
    )
    assert not core.db.tables["mentors"]


async def test_skills_asks_about_each_typo_and_keeps_the_profile(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(UpdateMentorSkills(core.actor("bob"), ("gti", "sqll")))
    assert said.startswith("“gti” (git?) and “sqll” (sql?) aren't skills I know."), said
    assert core.profile("bob").skills == ("python",)


async def test_a_quoted_skill_is_kept_as_typed(core: Core) -> None:
    said = await core.reply(RegisterMentor(core.actor("bob"), ("python", '"gti"')))
    assert "Welcome aboard" in said, said
    assert core.profile("bob").skills == ("python", "gti")


async def test_an_english_word_or_a_skill_with_signs_is_no_typo(core: Core) -> None:
    """`test` is one letter from `tests` (unit testing), `r&d` from `l&d`: neither is asked
    about."""
    said = await core.reply(RegisterMentor(core.actor("bob"), ("python", "test", "r&d")))
    assert "did you mean" not in said and "Welcome aboard" in said, said


# --- 4. everyday words, said for a mentor ---------------------------------------------------


async def test_an_everyday_word_skill_is_explained_without_config_names(core: Core) -> None:
    said = await core.reply(RegisterMentor(core.actor("bob"), ("python", "management")))
    assert "[skills]" not in said and "`[" not in said, said
    assert (
        "“management” is an everyday word: questions won't be matched to it unless whoever "
        "runs Micromentor adds it to its skill list." in said
    ), said
    # Kept on the profile, but not looking like a skill that finds questions.
    assert "Skills: python, management (not matched)" in said, said
    card = await core.reply(ShowMentorProfile(core.actor("bob")))
    assert "Skills: python, management (not matched)" in card, card


# --- 5. /mentor list reads a typo -----------------------------------------------------------


async def test_list_reads_a_typo_of_a_skill_and_says_so(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(ListMentors(core.actor("alice"), "pyton"))
    assert said.splitlines()[0] == "Mentors for python (you typed pyton)", said
    assert "• bob: python" in said


async def test_list_of_a_skill_nobody_has_says_which_it_read(core: Core) -> None:
    said = await core.reply(ListMentors(core.actor("alice"), "gti"))
    assert said == "No mentors for git (you typed gti) yet."


# --- 6. /mentor why ------------------------------------------------------------------------


async def test_why_writes_every_negative_number_with_the_minus_sign(core: Core) -> None:
    """bob is at capacity with two open sessions, out of hours, and only a related skill fits:
    his score is below zero."""
    await core.join("bob", "python", hours="Sat 09:00-10:00")
    await core.handle(SetMentorCapacity(core.actor("bob"), 2))
    for asker, extra in (("erin", " Also with a mean."), ("frank", " And a count too.")):
        other = await core.ask(asker, QUESTION + extra)
        said = await core.claim("bob", other)
        assert said.startswith(f"You claimed #{other}"), said
    n = await core.ask("alice")
    said = await core.reply(ExplainMatch(core.actor("admin"), n))
    assert "score −" in said, said
    assert not re.search(r"(?<![\w-])-\d", said), said  # no hyphen-minus before a number


async def test_why_of_an_anonymous_question_refuses_an_admin_without_the_preamble(
    core: Core,
) -> None:
    for name in ("bob", "carol", "erin"):
        await core.join(name, "pandas")
    n = await core.ask("carol", anonymous=True)
    said = await core.reply(ExplainMatch(core.actor("admin"), n))
    assert "was asked anonymously" in said
    assert "Scores are as of now" not in said, said


# --- 7. points and kudos --------------------------------------------------------------------


async def test_a_mentors_own_card_shows_their_points(core: Core) -> None:
    await core.join("bob", "python")
    await core.handle(GiveKudos(core.actor("alice"), core.user("bob"), "bob", "for the help"))
    said = await core.reply(ShowMentorProfile(core.actor("bob")))
    assert "Points: 1 (thank-you points, all time)" in said, said


async def test_a_private_kudos_speaks_to_its_receiver(core: Core) -> None:
    msg = GiveKudos(core.actor("dave"), core.user("carol"), "carol", "for the help", True)
    await core.handle(msg)
    assert core.chat.dms(core.user("carol")) == ["🙌 Kudos from dave: for the help"]


# --- 8. /mentor learn start after a stop ----------------------------------------------------


async def test_learn_start_after_stop_says_what_restarted_and_not_to_type_it_again() -> None:
    core = await start_core(learning=True)
    await core.join("bob", "pandas")
    await core.handle(StopLearning(core.actor("bob")))
    said = await core.reply(ShowLearning(core.actor("bob"), start=True))
    assert "• Running a short session: restarted after lesson 1 of 5; lesson 2" in said, said
    assert "picking up again" not in said
    assert "• Asking well: not started (5 lessons)" in said, said
    assert "`/mentor learn start`" not in said, said
