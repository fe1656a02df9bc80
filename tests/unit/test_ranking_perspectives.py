"""Experience and career stage in matching: the ``stage`` factor for `/askmentor --senior`,
``variety`` for people who ask often, "cross-region" on the card, and `/mentor stage|region`."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.commands import AskQuestion, CancelQuestion, ExplainMatch, RegisterMentor
from bot.learning.commands import SetMentorRegion, SetMentorStage
from bot.matching import MentorCandidate, rank_mentors
from bot.matching.perspectives import AskerView, Place, cross_region, stage_points
from bot.refs import UserRef
from tests.unit.core_harness import ALWAYS, QUESTION, Core, start_core

WINTER = datetime(2026, 1, 15, 12, tzinfo=UTC)


def mentor(name: str, stage: str | None = None) -> MentorCandidate:
    return MentorCandidate(UserRef("test", name), ("python",), in_hours=True, stage=stage)


@pytest.mark.parametrize(
    ("mentor_stage", "wanted", "points"),
    [
        ("senior", "senior", 25.0),
        ("lead", "senior", 15.0),
        ("executive", "mid", 15.0),
        ("mid", "senior", -10.0),
        ("early", "senior", -25.0),
        (None, "senior", 0.0),
        ("senior", None, 0.0),
    ],
)
def test_the_stage_factor(mentor_stage: str | None, wanted: str | None, points: float) -> None:
    assert stage_points(mentor_stage, wanted) == points


def test_asking_for_a_stage_puts_a_mentor_of_that_stage_first() -> None:
    mentors = [mentor("ann", "early"), mentor("sam", "senior"), mentor("max")]
    ranked = rank_mentors(["python"], mentors, asker=AskerView(wanted_stage="senior"))
    assert [r.ref.id for r in ranked] == ["sam", "max", "ann"]
    assert ranked[0].factors["stage"] == 25.0
    assert abs(ranked[0].score - sum(ranked[0].factors.values())) < 0.05


def test_the_stage_never_beats_having_the_skill() -> None:
    senior_without = MentorCandidate(
        UserRef("test", "sam"), ("java",), in_hours=True, stage="senior"
    )
    related = rank_mentors(
        ["python", "java"],
        [mentor("ann", "early"), senior_without],
        asker=AskerView(wanted_stage="senior"),
    )
    assert related[0].ref.id == "sam"  # both fit one topic each: then the stage decides
    ranked = rank_mentors(
        ["python"], [mentor("ann", "early"), senior_without], asker=AskerView(wanted_stage="senior")
    )
    assert [r.ref.id for r in ranked] == ["ann"]


def test_someone_who_asks_often_is_offered_a_mentor_they_have_not_met() -> None:
    met = frozenset({UserRef("test", "ann")})
    ranked = rank_mentors(
        ["python"], [mentor("ann"), mentor("bea")], asker=AskerView(frequent=True, met=met)
    )
    assert [r.ref.id for r in ranked] == ["bea", "ann"]
    assert (ranked[0].factors["variety"], ranked[1].factors["variety"]) == (10.0, 0.0)


def test_without_a_stage_or_frequent_asking_no_perspective_factor_applies() -> None:
    [r] = rank_mentors(["python"], [mentor("ann", "senior")], asker=AskerView())
    assert "stage" not in r.factors and "variety" not in r.factors


@pytest.mark.parametrize(
    ("asker", "other", "far"),
    [
        (Place("Europe"), Place("Americas"), True),
        (Place("europe"), Place(" Europe "), False),
        (Place("", "Europe/Berlin"), Place("", "America/New_York"), True),
        (Place("", "Europe/Berlin"), Place("", "Europe/London"), False),
        (Place("Europe", "Europe/Berlin"), Place("Europe", "Asia/Tokyo"), False),  # regions win
        (Place(), Place("", "Asia/Tokyo"), False),
    ],
)
def test_cross_region_is_another_region_or_timezones_three_hours_apart(
    asker: Place, other: Place, far: bool
) -> None:
    assert cross_region(asker, other, at=WINTER) is far


@pytest.fixture
async def core() -> Core:
    return await start_core()


async def test_askmentor_senior_prefers_the_senior_mentor_and_why_shows_it(core: Core) -> None:
    for name, stage in (("ann", "early"), ("sam", "senior")):
        await core.handle(RegisterMentor(core.actor(name), ("pandas",), hours=ALWAYS, stage=stage))
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, stage="senior"))
    assert "Suggested mentors: sam, ann." in said
    assert core.question(1).wanted_stage == "senior"
    why = await core.reply(ExplainMatch(core.actor("admin"), 1))
    assert "career stage +25" in why and "career stage −25" in why


async def test_an_unknown_stage_is_refused(core: Core) -> None:
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION, stage="wizard"))
    assert said.startswith("Ask for a career stage as one of: --early")


async def test_a_frequent_asker_is_suggested_a_mentor_they_have_not_met(core: Core) -> None:
    await core.join("bob", "pandas")
    await core.join("carol", "pandas")
    for _ in range(3):  # three sessions with bob: alice asks often now
        n = await core.ask("alice")
        await core.claim("bob", n)
        await core.resolve("alice", n)
    said = await core.reply(AskQuestion(core.actor("alice"), QUESTION + " Once more."))
    assert "Suggested mentors: carol, bob." in said


@pytest.mark.parametrize("viewer", ["carol", "admin"])
async def test_mentor_why_on_an_anonymous_question_says_nothing_of_whom_its_asker_met(
    core: Core, viewer: str
) -> None:
    # "Someone new to the asker" on carol and not on bob would say: a frequent asker who has
    # met bob lately (and not carol) asked this.
    await core.join("bob", "pandas")
    await core.join("carol", "pandas")
    for _ in range(3):
        n = await core.ask("alice")
        await core.claim("bob", n)
        await core.resolve("alice", n)
    n = await core.ask("alice", QUESTION + " Once more.", anonymous=True)
    assert core.user("carol") in core.question(n).suggested
    why = await core.reply(ExplainMatch(core.actor(viewer), n))
    if viewer == "admin":  # an anonymous question: no ranking at all for an admin
        assert "asked anonymously" in why and "score" not in why
    else:
        assert "carol — score" in why
    assert "new to the asker" not in why


async def test_mentor_stage_and_region_show_on_the_profile(core: Core) -> None:
    await core.join("bob", "pandas")
    said = await core.reply(SetMentorStage(core.actor("bob"), "Staff"))
    assert said.startswith("Mentor bob\nCareer stage set to lead.")
    said = await core.reply(SetMentorRegion(core.actor("bob"), "  US   East "))
    assert "Region: US East" in said
    assert (await core.reply(SetMentorRegion(core.actor("bob"), "none"))).startswith(
        "Mentor bob\nRegion cleared."
    )
    wrong = await core.reply(SetMentorStage(core.actor("bob"), "wizard"))
    assert (
        wrong == "`wizard` is not a career stage. Use one of: early, mid, senior, lead, executive."
    )


async def test_joining_with_a_stage_and_region(core: Core) -> None:
    await core.handle(
        RegisterMentor(core.actor("bob"), ("pandas",), stage="senior", region="Europe")
    )
    profile = core.profile("bob")
    assert (profile.stage, profile.region) == ("senior", "Europe")


async def test_the_card_marks_a_suggested_mentor_from_another_region(core: Core) -> None:
    await core.handle(RegisterMentor(core.actor("bob"), ("pandas",), hours=ALWAYS, region="Europe"))
    await core.handle(
        RegisterMentor(core.actor("carol"), ("pandas",), hours=ALWAYS, region="Americas")
    )
    await core.handle(
        RegisterMentor(core.actor("alice"), ("python",), hours=ALWAYS, region="Europe")
    )
    await core.ask("alice")
    suggested = dict((k, v.plain()) for k, v in core.chat.card(1).fields)["Suggested"]
    assert "@carol (cross-region)" in suggested and "@bob (cross-region)" not in suggested


async def test_an_anonymous_card_never_says_cross_region(core: Core) -> None:
    await core.handle(
        RegisterMentor(core.actor("carol"), ("pandas",), hours=ALWAYS, region="Americas")
    )
    await core.handle(
        RegisterMentor(core.actor("alice"), ("python",), hours=ALWAYS, region="Europe")
    )
    await core.ask("alice", anonymous=True)
    assert "cross-region" not in core.chat.card(1).plain()


async def test_an_anonymous_question_is_ranked_without_whom_its_asker_met(core: Core) -> None:
    # Named, a frequent asker is offered carol first (someone new); asked anonymously, the
    # order is what anyone's would be: whom the asker met shapes nothing others see.
    await core.join("bob", "pandas")
    await core.join("carol", "pandas")
    for asker, mentor in (("alice", "bob"), ("dave", "carol")):  # both as busy
        for _ in range(3):
            n = await core.ask(asker)
            await core.claim(mentor, n)
            await core.resolve(asker, n)
    text = QUESTION + " Once more."
    named = await core.ask("alice", text)
    await core.reply(CancelQuestion(core.actor("alice"), named))  # else "asked already"
    anonymous = await core.ask("alice", text, anonymous=True)
    anyone = await core.ask("zoe", text)
    bob, carol = core.user("bob"), core.user("carol")
    assert core.question(named).suggested == (carol, bob)
    assert core.question(anonymous).suggested == core.question(anyone).suggested == (bob, carol)
