"""Badges: each rule at its edge, earned once, announced by one DM a day at most; shown in
`/mentor me` and on the home view."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import RateSession, ShowHome, ShowMentorProfile
from bot.domain import NudgeKind, Person
from bot.learning.commands import SaveFaq
from bot.recognition.badges import cross_timezone_sessions
from bot.recognition.catalogue import BADGE_BY_ID, BADGES, Badge, BadgeFacts, earned_badges
from bot.recognition.model import HelpedSession
from tests.unit.core_harness import START, Core, start_core

ALICE = Core.user("alice")


@pytest.mark.parametrize(
    ("badge", "below", "at_edge"),
    [
        ("first_question", BadgeFacts(questions_asked=0), BadgeFacts(questions_asked=1)),
        ("first_session", BadgeFacts(sessions_resolved=0), BadgeFacts(sessions_resolved=1)),
        ("ten_sessions", BadgeFacts(sessions_resolved=9), BadgeFacts(sessions_resolved=10)),
        ("five_stars", BadgeFacts(five_star_ratings=4), BadgeFacts(five_star_ratings=5)),
        ("helping_streak", BadgeFacts(longest_streak=3), BadgeFacts(longest_streak=4)),
        (
            "cross_timezone",
            BadgeFacts(cross_timezone_sessions=4),
            BadgeFacts(cross_timezone_sessions=5),
        ),
        ("faq_author", BadgeFacts(faq_entries=0), BadgeFacts(faq_entries=1)),
        ("lightning_speaker", BadgeFacts(lightning_given=0), BadgeFacts(lightning_given=1)),
    ],
)
def test_each_badge_is_earned_exactly_at_its_edge(
    badge: str, below: BadgeFacts, at_edge: BadgeFacts
) -> None:
    assert badge not in earned_badges(below)
    assert badge in earned_badges(at_edge)


def test_every_badge_has_a_rule_in_words() -> None:
    assert len({b.id for b in BADGES}) == len(BADGES) == 8
    assert all(b.rule and b.emoji and b.name for b in BADGES)


@pytest.mark.parametrize("badge", BADGES, ids=lambda b: b.id)
def test_every_badge_rule_reads_as_a_sentence_after_you(badge: Badge) -> None:
    """The DM says "• ⭐ Five stars — you <rule>": the rule starts with what they did."""
    verb = badge.rule.split()[0]
    assert verb in {"asked", "resolved", "had", "helped", "wrote", "gave"}, badge.rule


def test_the_rules_the_review_found_verbless_now_have_a_verb() -> None:
    assert BADGE_BY_ID["five_stars"].rule == "had 5 sessions rated 5/5 by their askers"
    assert BADGE_BY_ID["cross_timezone"].rule == "helped in 5 sessions with askers 4+ hours away"


def helped(asker: str, hour: int = 12) -> HelpedSession:
    return HelpedSession(1, START.replace(hour=hour), Core.user(asker))


def test_an_asker_counts_across_timezones_from_four_hours_away() -> None:
    sessions = [helped("ny"), helped("kolkata"), helped("berlin"), helped("unknown")]
    zones = {
        Core.user("ny"): "America/New_York",  # UTC-5 in November: 6 h from Berlin
        Core.user("kolkata"): "Asia/Kolkata",  # UTC+5:30: 4.5 h from Berlin
        Core.user("berlin"): "Europe/Berlin",
        Core.user("unknown"): None,
    }
    assert cross_timezone_sessions(sessions, mentor_tz="Europe/Berlin", asker_tz=zones) == 2
    # Dubai (UTC+4) is exactly four hours from UTC: it counts; Moscow (UTC+3) does not.
    edge = {Core.user("a"): "Asia/Dubai", Core.user("b"): "Europe/Moscow"}
    assert cross_timezone_sessions([helped("a"), helped("b")], mentor_tz="UTC", asker_tz=edge) == 1


# --- earned in the flow ----------------------------------------------------------------------


@pytest.fixture
async def core() -> Core:
    return await start_core()


def badge_dms(core: Core, name: str) -> list[str]:
    return [m for m in core.chat.dms(core.user(name)) if "you earned" in m]


async def test_a_first_question_earns_a_badge_announced_by_dm(core: Core) -> None:
    await core.ask("alice")
    [dm] = badge_dms(core, "alice")
    assert "🌱 First question" in dm and "you asked your first question" in dm
    await core.ask("alice", "How do I pivot a pandas DataFrame with two index columns please?")
    assert len(badge_dms(core, "alice")) == 1
    assert [b.badge for b in core.db.rows("badges")] == ["first_question"]


async def test_the_badge_dm_points_a_non_mentor_only_at_what_answers_them(core: Core) -> None:
    await core.ask("alice")  # an asker, not a mentor: `/mentor me` would turn her away
    [dm] = badge_dms(core, "alice")
    assert "/mentor me" not in dm
    assert "Your badges are on your home view (`/mentor home`)." in dm
    [home] = await core.handle(ShowHome(core.actor("alice")))
    assert dict((k, v.plain()) for k, v in home.fields)["Badges"] == "🌱 First question"


async def test_the_badge_dm_points_a_mentor_at_mentor_me_too(core: Core) -> None:
    await core.resolved()
    [dm] = badge_dms(core, "bob")
    assert "Your badges are in `/mentor me` and on your home view (`/mentor home`)." in dm


async def test_a_mentor_who_stopped_is_not_sent_to_mentor_me(core: Core) -> None:
    from bot.privacy.commands import LeaveProgramme

    await earn_two_badges_in_a_day(core)
    await core.handle(LeaveProgramme(core.actor("bob")))  # `/mentor me`: "You left the list"
    core.clock.advance(timedelta(days=1))
    await core.tick()
    latest = badge_dms(core, "bob")[-1]
    assert "/mentor me" not in latest and "`/mentor home`" in latest


async def test_a_first_resolved_session_earns_the_mentor_a_badge(core: Core) -> None:
    await core.resolved()
    [dm] = badge_dms(core, "bob")
    assert "🤝 First session" in dm


async def test_at_most_one_badge_dm_a_day_and_the_next_day_names_the_rest(core: Core) -> None:
    await core.resolved()  # bob: first session, announced at once
    for _ in range(4):
        core.clock.advance(timedelta(minutes=3))  # asks spread out, as [limits] expects
        n = await core.helped()  # 5/5 of sessions that showed help: Five stars counts them
        await core.reply(RateSession(core.actor("alice"), n, 5))
    core.clock.advance(timedelta(minutes=3))
    first = await core.helped()
    await core.reply(RateSession(core.actor("alice"), first, 5))  # the fifth 5/5: five stars
    await settle(core)
    assert len(badge_dms(core, "bob")) == 1
    assert {b.badge for b in core.db.rows("badges") if b.user == core.user("bob")} == {
        "first_session",
        "five_stars",
    }
    core.clock.advance(timedelta(days=1))
    await core.tick()
    dms = badge_dms(core, "bob")
    assert (
        len(dms) == 2 and "• ⭐ Five stars — you had 5 sessions rated 5/5 by their askers" in dms[1]
    )


async def test_the_cross_timezone_badge_after_five_far_away_askers(core: Core) -> None:
    core.db.tables["people"][ALICE] = Person(ALICE, "alice", timezone="Asia/Tokyo")
    for _ in range(5):
        await core.resolved()
    assert "cross_timezone" in {b.badge for b in core.db.rows("badges")}


FAQ_ANSWER = "Use df.groupby(['a', 'b'])['c'].sum(), then reset_index() for a flat frame."


def bob_badges(core: Core) -> set[str]:
    return {b.badge for b in core.db.rows("badges") if b.user == core.user("bob")}


async def test_saving_an_faq_answer_earns_the_faq_author_badge_at_once(core: Core) -> None:
    n = await core.resolved()  # bob: first session, announced at once
    said = await core.reply(SaveFaq(core.actor("bob"), n, FAQ_ANSWER))
    assert said.startswith("Saved as FAQ 1"), said
    assert "faq_author" in bob_badges(core)
    core.clock.advance(timedelta(days=1))
    await core.tick()
    dms = badge_dms(core, "bob")
    assert len(dms) == 2 and "• 📚 FAQ author — you wrote an FAQ answer" in dms[1]


async def test_updating_the_faq_answer_does_not_award_the_badge_again(core: Core) -> None:
    n = await core.resolved()
    await core.reply(SaveFaq(core.actor("bob"), n, FAQ_ANSWER))
    said = await core.reply(
        SaveFaq(core.actor("bob"), n, FAQ_ANSWER + " Or use pivot_table.", replace=True)
    )
    assert said.startswith("FAQ 1 is updated"), said
    assert [b.badge for b in core.db.rows("badges")].count("faq_author") == 1
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert sum("📚 FAQ author" in dm for dm in badge_dms(core, "bob")) == 1


async def test_an_admin_who_writes_an_faq_answer_earns_the_badge(core: Core) -> None:
    n = await core.resolved()
    said = await core.reply(SaveFaq(core.actor("admin"), n, FAQ_ANSWER))
    assert said.startswith("Saved as FAQ 1"), said
    # The admin resolves no sessions: the save itself is what earns it.
    admin = core.user("admin")
    assert {b.badge for b in core.db.rows("badges") if b.user == admin} == {"faq_author"}
    assert "faq_author" not in bob_badges(core)
    [dm] = badge_dms(core, "admin")
    assert "• 📚 FAQ author — you wrote an FAQ answer" in dm


async def test_profile_and_home_show_the_badges(core: Core) -> None:
    await core.resolved()
    [card] = await core.handle(ShowMentorProfile(core.actor("bob")))
    assert dict((k, v.plain()) for k, v in card.fields)["Badges"] == "🤝 First session"
    [home] = await core.handle(ShowHome(core.actor("alice")))
    assert dict((k, v.plain()) for k, v in home.fields)["Badges"] == "🌱 First question"


async def test_a_session_its_mentor_resolved_earns_no_badge_until_the_asker_rates_it_well(
    core: Core,
) -> None:
    n = await core.claimed()
    await core.resolve("bob", n)
    await core.reply(RateSession(core.actor("alice"), n, 3))
    assert "first_session" not in {b.badge for b in core.db.rows("badges")}
    await core.reply(RateSession(core.actor("alice"), n, 4))  # corrected within the window
    await settle(core)
    assert "first_session" in {b.badge for b in core.db.rows("badges")}


async def settle(core: Core) -> None:
    """Let the ratings' correction window close: the badges they earn are looked at then."""
    core.clock.advance(timedelta(minutes=11))
    await core.tick()


async def test_a_good_rating_corrected_down_within_its_window_earns_no_badge(core: Core) -> None:
    n = await core.claimed()
    await core.resolve("bob", n)  # the mentor closed it: it counts once rated well
    await core.reply(RateSession(core.actor("alice"), n, 5))
    core.clock.advance(timedelta(minutes=5))
    said = await core.reply(RateSession(core.actor("alice"), n, 1))  # corrected
    assert said.startswith("Changed:"), said
    await settle(core)
    assert "first_session" not in bob_badges(core)
    assert badge_dms(core, "bob") == []
    assert bob_badges(core) == set()


async def test_a_good_rating_earns_its_badge_once_its_window_closes(core: Core) -> None:
    n = await core.claimed()
    await core.resolve("bob", n)
    await core.reply(RateSession(core.actor("alice"), n, 5))
    assert "first_session" not in bob_badges(core)  # it may still be corrected
    [look] = [x for x in core.db.rows("nudges") if x.kind is NudgeKind.BADGES]
    assert look.subject_id is not None
    await settle(core)
    assert "first_session" in bob_badges(core)
    [dm] = badge_dms(core, "bob")
    assert "🤝 First session" in dm


async def earn_two_badges_in_a_day(core: Core) -> None:
    """bob earns First session (announced at once) and Five stars (announced tomorrow)."""
    await core.resolved()
    for _ in range(5):
        core.clock.advance(timedelta(minutes=3))
        n = await core.helped()
        await core.reply(RateSession(core.actor("alice"), n, 5))
    await settle(core)
    assert len(badge_dms(core, "bob")) == 1
    assert "five_stars" in {b.badge for b in core.db.rows("badges") if b.user == core.user("bob")}


async def test_the_next_days_badge_dm_is_not_sent_to_someone_who_left(core: Core) -> None:
    from bot.privacy.commands import PersonLeft

    await earn_two_badges_in_a_day(core)
    await core.handle(PersonLeft(core.user("bob"), core.actor("bob").workspace))
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert len(badge_dms(core, "bob")) == 1


async def test_the_next_days_badge_dm_is_not_sent_to_someone_forgotten(core: Core) -> None:
    from bot.privacy.commands import ForgetPerson

    await earn_two_badges_in_a_day(core)
    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert len(badge_dms(core, "bob")) == 1
    assert not [
        c
        for c in core.chat.of("send_dm")
        if c.message is not None and c.args["user"].id.startswith("forgotten-")
    ]


async def test_a_mentor_who_stopped_mentoring_still_gets_their_badge_dm(core: Core) -> None:
    from bot.privacy.commands import LeaveProgramme

    await earn_two_badges_in_a_day(core)
    await core.handle(LeaveProgramme(core.actor("bob")))  # still here, just not mentoring
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert len(badge_dms(core, "bob")) == 2


async def test_a_mentor_who_left_and_came_back_gets_their_badge_dm(core: Core) -> None:
    from bot.privacy.commands import LeaveProgramme

    await earn_two_badges_in_a_day(core)
    await core.handle(LeaveProgramme(core.actor("bob")))
    await core.join("bob", "python", "pandas")
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert len(badge_dms(core, "bob")) == 2
