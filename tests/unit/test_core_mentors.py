"""Mentor commands: join, skills, hours, timezone, pause and resume, profile, directory, why."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import (
    Actor,
    ExplainMatch,
    ListMentors,
    PauseMentor,
    RegisterMentor,
    ResumeMentor,
    SetMentorCapacity,
    SetMentorHours,
    SetMentorTimezone,
    ShowHome,
    ShowMentorProfile,
    UpdateMentorSkills,
)
from bot.domain import NudgeKind
from bot.hours import WeeklyHours
from bot.privacy.commands import LeaveProgramme
from bot.refs import UserRef
from tests.unit.core_harness import QUESTION, Core, start_core


@pytest.fixture
async def core() -> Core:
    return await start_core()


async def test_join_creates_a_profile_with_the_default_hours_and_says_welcome(core: Core) -> None:
    said = await core.reply(RegisterMentor(core.actor("bob"), ("Python", " pandas ")))
    assert said.startswith("Mentor bob\nWelcome aboard! You're a mentor now.")
    assert "Skills: python, pandas" in said
    profile = core.profile("bob")
    assert profile.skills == ("python", "pandas")
    assert profile.hours == WeeklyHours.parse("Mon-Fri 09:00-17:00")
    assert (profile.timezone, profile.capacity_per_week) == ("UTC", 3)


async def test_joining_again_updates_the_profile(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(RegisterMentor(core.actor("bob"), ("sql",)))
    assert "Your mentor profile is updated." in said
    assert core.profile("bob").skills == ("sql",)


async def test_joining_again_with_other_skills_names_the_replaced_ones_and_how_to_keep_them(
    core: Core,
) -> None:
    await core.join("bob", "git", "docker")
    said = await core.reply(RegisterMentor(core.actor("bob"), ("python",)))
    assert said.splitlines()[1] == (
        "Your mentor profile is updated. Skills now: python (before: git, docker) — to keep them "
        "all, list them: `/mentor skills git, docker, python`."
    )


async def test_joining_again_with_more_skills_drops_none_and_says_only_updated(
    core: Core,
) -> None:
    await core.join("bob", "git")
    said = await core.reply(RegisterMentor(core.actor("bob"), ("git", "docker")))
    assert said.splitlines()[1] == "Your mentor profile is updated."


@pytest.mark.parametrize("skills", [(), ("",), (" ", "  ")], ids=["none", "empty", "blank"])
async def test_join_without_skills_says_how_to_list_them(
    core: Core, skills: tuple[str, ...]
) -> None:
    said = await core.reply(RegisterMentor(core.actor("bob"), skills))
    assert said == (
        "Tell me at least one skill, separated by commas: `/mentor join python, sql, public speaking`."
    )
    assert core.db.tables["mentors"] == {}


@pytest.mark.parametrize(
    "odd", ["@everyone", "<@&555>", "<!here>", "https://example.com/me", "<#C123|general>"]
)
async def test_a_mention_or_a_link_is_not_taken_as_a_skill(core: Core, odd: str) -> None:
    said = await core.reply(RegisterMentor(core.actor("bob"), ("python", odd)))
    assert said.endswith(
        "doesn't look like a skill (a mention or a link?). Skills are words like "
        "`python, sql, public speaking`."
    )
    assert core.db.tables["mentors"] == {}


async def test_skills_that_merely_use_symbols_are_kept(core: Core) -> None:
    await core.join("bob", "c#", "c++", "ci/cd", "r&d")
    assert set(core.profile("bob").skills) >= {"c++", "ci/cd"}


async def test_skills_replaces_the_list(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(UpdateMentorSkills(core.actor("bob"), ("pandas", "sql")))
    assert said.splitlines()[1] == "Skills updated."
    assert core.profile("bob").skills == ("pandas", "sql")


async def test_join_says_which_typed_skills_it_listed_under_another_name(core: Core) -> None:
    said = await core.reply(RegisterMentor(core.actor("bob"), ("Python", "career", "k8s")))
    assert (
        said.splitlines()[2] == "I've listed “career” as “career growth” and “k8s” as “kubernetes”."
    )
    assert core.profile("bob").skills == ("python", "career growth", "kubernetes")


async def test_join_says_which_everyday_words_are_not_read_into_questions(core: Core) -> None:
    said = await core.reply(
        RegisterMentor(core.actor("bob"), ("python", "year", "meetings", "coffee"))
    )
    assert said.splitlines()[2] == (
        "“year” and “coffee” are everyday words: questions won't be matched to them unless "
        "whoever runs Micromentor adds them to its skill list. They stay on your profile for "
        "people to read (marked “not matched”); `/mentor skills` with your list without them "
        "takes them off."
    )


async def test_skills_says_which_everyday_word_is_not_read_into_questions(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(UpdateMentorSkills(core.actor("bob"), ("ML", "coffee")))
    assert said.splitlines()[1:3] == [
        "Skills updated.",
        "I've listed “ML” as “machine learning”. “coffee” is an everyday word: questions won't "
        "be matched to it unless whoever runs Micromentor adds it to its skill list. It stays on "
        "your profile for people to read (marked “not matched”); `/mentor skills` with your list "
        "without it takes it off.",
    ]


async def test_join_with_skills_kept_as_typed_says_nothing_of_renaming(core: Core) -> None:
    said = await core.reply(RegisterMentor(core.actor("bob"), ("Python", "#git", "Pandas")))
    assert "I've listed" not in said  # only the case or a `#` differs


async def test_skills_says_which_typed_skills_it_listed_under_another_name(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(UpdateMentorSkills(core.actor("bob"), ("sql", "ML")))
    assert said.splitlines()[1:3] == ["Skills updated.", "I've listed “ML” as “machine learning”."]
    said = await core.reply(RegisterMentor(core.actor("bob"), ("sql", "career")))
    assert said.splitlines()[2] == "I've listed “career” as “career growth”."


async def test_skills_with_an_empty_list_is_refused(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(UpdateMentorSkills(core.actor("bob"), ()))
    assert "Tell me at least one skill" in said
    assert core.profile("bob").skills == ("python",)


async def test_hours_are_set_from_text(core: Core) -> None:
    await core.join("bob", "python")
    await core.reply(SetMentorHours(core.actor("bob"), "Mon 10:00-12:00, Wed 14:00-18:00"))
    profile = core.profile("bob")
    assert profile.hours == WeeklyHours.parse("Mon 10:00-12:00, Wed 14:00-18:00")


@pytest.mark.parametrize(
    ("hours", "hint"),
    [
        ("", "Working hours are empty. Write them like `Mon-Fri 09:00-17:00`."),
        ("weekdays 9 to 5", "I could not read `weekdays 9 to 5` as working hours."),
        ("Mon-Fri 17:00-09:00", "the end time must be after the start time"),
        ("Mon 25:00-26:00", "has a time that does not exist on a clock"),
        ("Xyz 09:00-10:00", "names a day I don't know"),
        (
            "Mon-Fri 10:00-18:00 europe/berlin",
            "Working hours take no timezone: set it on its own with `/mentor tz Europe/Berlin`, "
            "then `/mentor hours Mon-Fri 10:00-18:00`.",
        ),
        ("Mon-Fri 10:00-18:00 Mars/Base", "I could not read `Mon-Fri 10:00-18:00 Mars/Base`"),
    ],
    ids=[
        "empty",
        "unreadable",
        "backwards",
        "no-such-time",
        "no-such-day",
        "with-a-timezone",
        "with-no-timezone-known",
    ],
)
async def test_bad_hours_are_refused_with_an_example(core: Core, hours: str, hint: str) -> None:
    await core.join("bob", "python", hours="Mon-Fri 09:00-17:00")
    said = await core.reply(SetMentorHours(core.actor("bob"), hours))
    assert hint in said
    assert core.profile("bob").hours == WeeklyHours.parse("Mon-Fri 09:00-17:00")


async def test_capacity_is_set_and_shown_on_the_profile(core: Core) -> None:
    await core.join("bob", "python")
    [card] = await core.handle(SetMentorCapacity(core.actor("bob"), 5))
    assert card.body.plain() == "Capacity updated."
    assert dict((k, v.plain()) for k, v in card.fields)["Capacity"] == "5 sessions a week"
    assert core.profile("bob").capacity_per_week == 5


@pytest.mark.parametrize("capacity", [0, 101])
async def test_capacity_out_of_bounds_is_refused(core: Core, capacity: int) -> None:
    await core.join("bob", "python")
    said = await core.reply(SetMentorCapacity(core.actor("bob"), capacity))
    assert "Weekly capacity is a number of sessions from 1 to 100" in said
    assert core.profile("bob").capacity_per_week == 3


async def test_timezone_is_set_by_its_iana_name(core: Core) -> None:
    await core.join("bob", "python")
    said = await core.reply(SetMentorTimezone(core.actor("bob"), "europe/berlin"))
    assert said.splitlines()[1] == "Timezone updated."
    assert core.profile("bob").timezone == "Europe/Berlin"


@pytest.mark.parametrize(
    ("tz", "hint"),
    [
        (
            "Berlin",
            "`Berlin` is not a timezone I know. Did you mean `Europe/Berlin`?",
        ),
        ("Mars/Olympus", "`Mars/Olympus` is not a timezone I know."),
        ("", "Give a timezone like `Europe/Berlin`"),
        (
            "Europe/Pariss",
            "`Europe/Pariss` is not a timezone I know. Did you mean `Europe/Paris`?",
        ),
    ],
    ids=["city-only", "unknown", "empty", "misspelt"],
)
async def test_unknown_timezone_is_refused_with_a_suggestion(
    core: Core, tz: str, hint: str
) -> None:
    await core.join("bob", "python")
    said = await core.reply(SetMentorTimezone(core.actor("bob"), tz))
    assert hint in said
    assert core.profile("bob").timezone == "UTC"


@pytest.mark.parametrize(
    "command",
    [
        lambda a: UpdateMentorSkills(a, ("sql",)),
        lambda a: SetMentorHours(a, "Mon-Fri 09:00-17:00"),
        lambda a: SetMentorCapacity(a, 5),
        lambda a: PauseMentor(a, None),
        ResumeMentor,
    ],
    ids=["skills", "hours", "capacity", "pause", "resume"],  # `tz` is for anyone
)
async def test_mentor_commands_before_joining_say_how_to_join(core: Core, command) -> None:  # type: ignore[no-untyped-def]
    said = await core.reply(command(core.actor("zed")))
    assert said.startswith("You are not a mentor yet. Join with `/mentor join <skill, skill, ...>`")


async def test_mentor_commands_after_leaving_say_how_to_come_back(core: Core) -> None:
    await core.join("zed", "python")
    await core.reply(LeaveProgramme(core.actor("zed")))
    said = await core.reply(ShowMentorProfile(core.actor("zed")))
    assert "You left the mentor list. `/mentor join <skill, skill, ...>`" in said, said
    assert "Badges: " in said


async def test_me_before_joining_shows_badges_and_points_and_how_to_join(core: Core) -> None:
    [card] = await core.handle(ShowMentorProfile(core.actor("zed")))
    assert card.kind == "profile"
    assert card.body.plain().startswith(
        "You are not a mentor yet. Join with `/mentor join <skill, skill, ...>`"
    )
    assert "`/mentor home`" in card.body.plain()
    assert dict((k, v.plain()) for k, v in card.fields) == {
        "Badges": "none yet — help someone, ask a question or give a lightning talk",
        "Points": "0 (thank-you points, all time)",
    }


async def test_me_shows_the_profile_card(core: Core) -> None:
    await core.join("bob", "python", hours="Mon-Fri 09:00-17:00")
    [card] = await core.handle(ShowMentorProfile(core.actor("bob")))
    assert card.kind == "profile"
    assert dict((k, v.plain()) for k, v in card.fields) == {
        "Skills": "python",
        "Hours": "Mon-Fri 09:00-17:00 (UTC); in working hours now: yes",
        "Capacity": "3 sessions a week",
        "Career stage": "not set (`/mentor stage senior`)",
        "Region": "not set",
        "Status": "active",
        "Helping streak": ("no current streak — a week counts when you resolve a session"),
        "Badges": "none yet — help someone, ask a question or give a lightning talk",
        "Points": "0 (thank-you points, all time)",
    }


async def test_paused_mentor_is_not_suggested(core: Core) -> None:
    await core.join("bob", "pandas")
    said = await core.reply(PauseMentor(core.actor("bob"), timedelta(days=7)))
    assert said.startswith("Paused until Mon 2026-11-30 10:00 UTC.")
    n = await core.ask("alice")
    assert core.question(n).suggested == ()


async def test_pausing_again_open_ended_says_you_are_already_paused(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.reply(PauseMentor(core.actor("bob"), None))
    until = core.profile("bob").paused_until
    again = await core.reply(PauseMentor(core.actor("bob"), None))
    assert again == "You're already paused until you resume with `/mentor resume`."
    assert core.profile("bob").paused_until == until


@pytest.mark.parametrize(
    ("first", "second", "said"),
    [
        (
            timedelta(days=7),
            timedelta(days=14),
            "Paused until Mon 2026-12-07 11:00 UTC, instead of until Mon 2026-11-30 10:00 UTC.",
        ),
        (
            timedelta(days=7),
            None,
            "Paused until you resume with `/mentor resume`, instead of until Mon 2026-11-30 "
            "10:00 UTC.",
        ),
        (None, timedelta(days=2), "Paused until Wed 2026-11-25 11:00 UTC, instead of until you "),
    ],
    ids=["longer", "then-open-ended", "open-ended-then-timed"],
)
async def test_pausing_again_changes_the_pause_and_says_what_it_replaced(
    core: Core, first: timedelta | None, second: timedelta | None, said: str
) -> None:
    await core.join("bob", "pandas")
    await core.reply(PauseMentor(core.actor("bob"), first))
    core.clock.advance(timedelta(hours=1))
    again = await core.reply(PauseMentor(core.actor("bob"), second))
    assert again.startswith(said), again
    ends = core.profile("bob").paused_until
    assert ends is not None and (second is None or ends == core.clock.now() + second)


async def test_resumed_mentor_is_suggested_again(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.reply(PauseMentor(core.actor("bob"), None))
    said = await core.reply(ResumeMentor(core.actor("bob")))
    assert said == "Welcome back! You'll be suggested for questions again."
    n = await core.ask("alice")
    assert core.question(n).suggested == (core.user("bob"),)


async def test_resume_when_never_paused_says_so_without_a_welcome_back(core: Core) -> None:
    await core.join("bob", "pandas")
    said = await core.reply(ResumeMentor(core.actor("bob")))
    assert said == "You're not paused: you're being suggested for questions already."
    assert "Welcome back" not in said


async def test_pause_ends_by_itself_after_the_duration(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.reply(PauseMentor(core.actor("bob"), timedelta(days=2)))
    core.clock.advance(timedelta(days=2, minutes=1))
    n = await core.ask("alice")
    assert core.question(n).suggested == (core.user("bob"),)


async def test_timed_pause_schedules_a_welcome_back(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.reply(PauseMentor(core.actor("bob"), timedelta(hours=12)))
    [nudge] = core.db.rows("nudges")
    assert (nudge.kind, nudge.target) == (NudgeKind.PAUSE_END, core.user("bob"))
    assert nudge.due_at == core.clock.now() + timedelta(hours=12)


async def test_paused_profile_says_so(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.reply(PauseMentor(core.actor("bob"), None))
    said = await core.reply(ShowMentorProfile(core.actor("bob")))
    assert "Status: paused until you resume" in said


async def test_list_shows_every_mentor_with_skills(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    await core.join("carol", "kubernetes")
    said = await core.reply(ListMentors(core.actor("alice")))
    assert said.splitlines() == [
        "Mentors",
        "• bob: python, pandas (in hours now)",
        "• carol: kubernetes (in hours now)",
    ]


async def test_list_filters_by_skill(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    await core.join("carol", "kubernetes")
    said = await core.reply(ListMentors(core.actor("alice"), "kubernetes"))
    assert said.splitlines() == ["Mentors for kubernetes", "• carol: kubernetes (in hours now)"]


async def test_list_for_a_skill_nobody_has_says_so(core: Core) -> None:
    await core.join("bob", "python")
    assert (
        await core.reply(ListMentors(core.actor("alice"), "cobol")) == "No mentors for cobol yet."
    )


async def test_why_explains_the_ranking_to_a_suggested_mentor(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    n = await core.ask("alice")
    said = await core.reply(ExplainMatch(core.actor("bob"), n))
    assert said.startswith(f"Why these mentors for #{n} — topics: pandas")
    assert "1. bob — score" in said
    assert "skills: pandas" in said


@pytest.mark.parametrize("names", [("bob", "carol", "dave"), ("erin", "frank", "gina")])
async def test_why_lists_the_mentors_in_the_cards_order_in_words(
    core: Core, names: tuple[str, ...]
) -> None:
    for name in names:
        await core.join(name, "pandas")
    n = await core.ask("alice")
    said = await core.reply(ExplainMatch(core.actor("admin"), n))
    listed = [line.split(" — ")[0].split(". ", 1)[1] for line in said.splitlines()[2:]]
    card = [ref.id for ref in core.question(n).suggested]  # the harness's ids are names
    assert listed == card
    assert "skill_fit" not in said and "skill fit +100" in said
    assert "." not in said.split(" — score ")[1].split(";")[0]  # whole points


async def test_why_keeps_the_cards_order_when_todays_scores_would_order_them_otherwise(
    core: Core,
) -> None:
    for name in ("bob", "carol", "dave"):
        await core.join(name, "pandas")
    n = await core.ask("alice")
    card = [ref.id for ref in core.question(n).suggested]  # the harness's ids are names
    first = card[0]
    # After the card went out its first mentor takes on two other questions: busier, so they
    # score lower today than the others.
    for asker, extra in (("erin", " Also with a mean."), ("frank", " And a count too.")):
        other = await core.ask(asker, QUESTION + extra)
        said = await core.claim(first, other)
        assert said.startswith(f"You claimed #{other}"), said
    said = await core.reply(ExplainMatch(core.actor("admin"), n))
    rows = [line.split(". ", 1)[1] for line in said.splitlines()[2:] if line[:1].isdigit()]
    listed = [row.split(" — ")[0] for row in rows]
    scores = {row.split(" — ")[0]: int(row.split(" — score ")[1].split(";")[0]) for row in rows}
    assert scores[first] < min(scores[name] for name in card[1:]), said  # today's order differs
    assert listed == card, said  # why still lists them as the card does


async def test_why_leaves_out_the_skills_part_when_only_a_related_skill_fits(core: Core) -> None:
    await core.join("bob", "python")  # related to pandas, not pandas itself
    n = await core.ask("alice")
    said = await core.reply(ExplainMatch(core.actor("admin"), n))
    assert "1. bob — score" in said and "related skills cover: pandas" in said
    assert "matched" not in said and "skills: ;" not in said


async def test_why_names_only_the_questions_own_topics_as_covered(core: Core) -> None:
    """The ranking weighs the areas around a question's topics too (data analysis, around
    pandas): they are not the question's, so `why` does not list them as covered."""
    await core.join("bob", "python", "pandas")
    n = await core.ask(
        "alice",
        "How do I merge two pandas DataFrames on a column and keep rows that don't match in python?",
    )
    said = await core.reply(ExplainMatch(core.actor("bob"), n))
    topics = core.question(n).topics
    assert said.startswith(f"Why these mentors for #{n} — topics: {', '.join(topics)}\n")
    assert "data analysis" not in topics and "data analysis" not in said, said


async def test_why_says_the_scores_are_as_of_now_and_may_differ_from_the_cards_order(
    core: Core,
) -> None:
    await core.join("bob", "pandas")
    n = await core.ask("alice")
    said = await core.reply(ExplainMatch(core.actor("bob"), n))
    assert said.splitlines()[1] == (
        "Scores are as of now (recomputed for this answer); the numbers are the card's order, "
        "decided when it was posted, so the two may differ."
    )


async def test_why_of_an_anonymous_question_lists_no_mentor_for_an_admin(core: Core) -> None:
    # carol fits as well as bob and erin: missing from the list, she would be the asker.
    for name in ("bob", "carol", "erin"):
        await core.join(name, "pandas")
    n = await core.ask("carol", anonymous=True)
    said = await core.reply(ExplainMatch(core.actor("admin"), n))
    assert "was asked anonymously" in said
    assert not any(name in said for name in ("bob", "carol", "erin"))
    mine = await core.reply(ExplainMatch(core.actor("bob"), n))  # a suggested mentor: theirs
    assert "bob — score" in mine and "erin" not in mine and "carol" not in mine


async def test_why_is_refused_to_someone_not_suggested(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    n = await core.ask("alice")
    said = await core.reply(ExplainMatch(core.actor("zed"), n))
    assert said == (
        f"Only admins and the mentors suggested for #{n} can see why they were suggested."
    )


async def test_a_name_the_platform_could_not_look_up_keeps_the_known_one(core: Core) -> None:
    """An adapter whose look-up failed can only give the user id as the name: the stored name
    stays (it is what cards and the digest show)."""
    me = core.actor("bob")
    bob = Actor(UserRef(me.user.platform, "U0BOB0001"), "bob", me.workspace)
    await core.reply(RegisterMentor(bob, ("python",)))
    stand_in = Actor(bob.user, bob.user.id, bob.workspace)
    await core.reply(RegisterMentor(stand_in, ("python", "sql")))
    assert core.db.tables["people"][bob.user].name == "bob"
    await core.reply(RegisterMentor(Actor(bob.user, "Bob B.", bob.workspace), ("python",)))
    assert core.db.tables["people"][bob.user].name == "Bob B."  # a real new name is taken


def test_the_join_forms_misspelt_timezone_gets_the_close_spelling() -> None:
    """The Slack and Discord join forms check the timezone field as the chat command does."""
    from bot.config import Config
    from bot.forms import form_problems
    from bot.refs import WorkspaceRef

    actor = Actor(UserRef("slack", "U1"), "bob", WorkspaceRef("slack", "T1"))
    problems = form_problems(RegisterMentor(actor, ("python",), timezone="Europe/Pariss"), Config())
    assert problems == {
        "timezone": "`Europe/Pariss` is not a timezone I know. Did you mean `Europe/Paris`?"
    }


@pytest.mark.parametrize(
    ("joins", "heading", "first_field"),
    [(True, "Your mentor profile", "Skills: pandas"), (False, "Your profile", "Badges: ")],
    ids=["mentor", "not-a-mentor"],
)
async def test_home_puts_the_profile_under_its_own_heading_after_the_leaderboard(
    core: Core, joins: bool, heading: str, first_field: str
) -> None:
    if joins:
        await core.join("bob", "pandas")
    said = (await core.reply(ShowHome(core.actor("bob")))).splitlines()
    at = said.index(heading)
    assert said[at - 1] == "" and "points" in said[at - 2], said
    assert said[at + 1].startswith(first_field), said
