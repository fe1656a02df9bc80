"""The whole lightning flow on a fake clock: proposal, accept (title and time), announcement with
sign-ups on the card, invitations, reminders (with the call link), held, rating, points, digest."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from bot.commands import ShowHome
from bot.config import Config
from bot.domain import Person
from bot.lightning.commands import (
    AcceptLightning,
    DeclineLightning,
    JoinLightning,
    ListLightning,
    ProposeLightning,
    RateLightning,
)
from bot.lightning.model import LightningState
from bot.messages import Bold, ChatMessage, UserText, when_text
from tests.unit.core_harness import MENTORING, QUESTION, START, Core, start_core

CALL = "https://meet.example.com/lightning"
# Wednesday 15:00, two days after the harness's Monday 10:00 start (naive: the speaker's zone).
AT = datetime(2026, 11, 25, 15, 0)
TITLE = "groupby in 15 minutes"


@pytest.fixture
async def core() -> Core:
    core = await start_core(Config.model_validate({"session": {"call_link": CALL}}))
    await core.join("bob", "python", "pandas")
    return core


async def proposed(core: Core) -> int:
    """Five pandas questions (asker1..asker5): the session proposed to bob."""
    for i in range(1, 6):
        await core.ask(f"asker{i}", QUESTION)
    [s] = core.db.rows("lightning")
    return s.number


async def scheduled(core: Core) -> int:
    n = await proposed(core)
    said = await core.reply(AcceptLightning(core.actor("bob"), n, AT, TITLE))
    assert said.startswith("Thank you!"), said
    return n


def dms(core: Core, name: str) -> list[ChatMessage]:
    return core.chat.messages("send_dm", user=core.user(name))


def reminders(core: Core, name: str) -> list[str]:
    return [m.plain() for m in dms(core, name) if m.plain().startswith("⏰")]


def card_versions(core: Core) -> list[ChatMessage]:
    """The lightning card as posted, then as each edit left it."""
    posted = [m for m in core.chat.messages("post_card") if m.kind == "lightning"]
    return posted + [m for m in core.chat.messages("update_card") if m.kind == "lightning"]


def field(message: ChatMessage, name: str) -> str:
    return dict((k, v.plain()) for k, v in message.fields)[name]


async def at(core: Core, when: datetime) -> None:
    core.clock.set(when.replace(tzinfo=START.tzinfo))
    await core.tick()


async def test_accepting_announces_the_session_with_a_join_button(core: Core) -> None:
    n = await scheduled(core)
    [card] = card_versions(core)
    [call] = [c for c in core.chat.of("post_card") if c.message is card]
    assert call.args["channel"] == MENTORING
    assert card.title is not None and TITLE in card.title.plain()
    assert field(card, "When") == "Wed 2026-11-25 15:00 UTC · 15 min"
    assert field(card, "Speaker") == "bob"
    assert field(card, "Going") == "0 signed up"
    assert [(a.id, a.question_id) for a in card.actions] == [("join", n)]
    [s] = core.db.rows("lightning")
    assert (s.state, s.speaker, s.title) == (LightningState.SCHEDULED, core.user("bob"), TITLE)


async def test_the_askers_of_the_clustered_questions_get_a_personal_invitation(
    core: Core,
) -> None:
    n = await scheduled(core)
    for i in range(1, 6):
        [invite] = [m for m in dms(core, f"asker{i}") if any(a.id == "join" for a in m.actions)]
        assert "You asked about pandas recently" in invite.plain()
        assert invite.actions[0].question_id == n


async def test_a_time_someone_typed_is_read_in_their_timezone_and_shown_in_each_readers(
    core: Core,
) -> None:
    n = await proposed(core)
    profile = core.profile("bob")
    profile.timezone = "Europe/Berlin"
    core.db.tables["people"][core.user("asker1")] = Person(
        core.user("asker1"), "asker1", timezone="America/New_York"
    )
    said = await core.reply(AcceptLightning(core.actor("bob"), n, AT, TITLE))
    assert "Wed 2026-11-25 14:00 UTC (15:00 Europe/Berlin)" in said
    [invite] = [m for m in dms(core, "asker1") if m.actions]
    assert "Wed 2026-11-25 14:00 UTC (09:00 America/New_York)" in invite.plain()


async def test_joining_counts_on_the_card_and_twice_counts_once(core: Core) -> None:
    n = await scheduled(core)
    said = await core.reply(JoinLightning(core.actor("asker1"), n))
    assert said.startswith(f"You're in! #{n} “{TITLE}” is on Wed 2026-11-25 15:00 UTC.")
    await core.reply(JoinLightning(core.actor("carol"), n))
    again = await core.reply(JoinLightning(core.actor("carol"), n))
    assert again.startswith("You're already signed up")
    assert field(card_versions(core)[-1], "Going") == "2 signed up"
    assert len([m for m in core.chat.messages("post_card") if m.kind == "lightning"]) == 1


async def test_the_speaker_cannot_sign_up_for_their_own_session(core: Core) -> None:
    n = await scheduled(core)
    said = await core.reply(JoinLightning(core.actor("bob"), n))
    assert "You're the speaker" in said
    assert core.db.rows("rsvps") == []


async def test_reminders_a_day_and_fifteen_minutes_before_carry_the_call_link(
    core: Core,
) -> None:
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    await at(core, AT - timedelta(days=1, minutes=1))
    assert reminders(core, "asker1") == []
    await at(core, AT - timedelta(days=1))
    [day] = reminders(core, "asker1")
    assert "is tomorrow" in day and CALL in day
    await at(core, AT - timedelta(minutes=15))
    [_, soon] = reminders(core, "asker1")
    assert "starts in 15 minutes" in soon and CALL in soon
    speaker = reminders(core, "bob")
    assert len(speaker) == 2 and all("you're speaking" in m for m in speaker)


async def test_a_day_reminder_sent_late_on_the_day_itself_says_today(core: Core) -> None:
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    # the process was down over the day reminder's time and comes back on the morning of it
    await at(core, AT - timedelta(hours=5))
    [day] = reminders(core, "asker1")
    assert "is today" in day and "tomorrow" not in day


@pytest.mark.parametrize(
    ("starts", "day_reminder"),
    [
        # Sun 29 March 2026 15:00 CEST; the day before, 15:00 was CET (14:00 UTC, not 13:00)
        (datetime(2026, 3, 29, 15, 0), datetime(2026, 3, 28, 14, 0)),
        # Sun 25 October 2026 15:00 CET; the day before, 15:00 was CEST (13:00 UTC, not 14:00)
        (datetime(2026, 10, 25, 15, 0), datetime(2026, 10, 24, 13, 0)),
    ],
    ids=["spring-forward", "fall-back"],
)
async def test_the_day_before_reminder_keeps_the_sessions_local_time_across_a_dst_change(
    core: Core, starts: datetime, day_reminder: datetime
) -> None:
    core.profile("bob").timezone = "Europe/Berlin"
    await at(core, starts - timedelta(days=5))
    said = await core.reply(ProposeLightning(core.actor("bob"), "pandas", starts, TITLE))
    assert said.startswith("Thank you!"), said
    await at(core, day_reminder - timedelta(minutes=1))
    assert reminders(core, "bob") == []
    await at(core, day_reminder)
    [day] = reminders(core, "bob")
    assert "is tomorrow" in day


async def test_a_reminder_overtaken_by_the_next_one_is_not_sent(core: Core) -> None:
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    await at(core, AT - timedelta(minutes=10))  # down through both reminder times
    [soon] = reminders(core, "asker1")
    assert "starts in 15 minutes" in soon


async def test_reminders_leave_out_the_call_link_when_none_is_set() -> None:
    core = await start_core()
    await core.join("bob", "pandas")
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    await at(core, AT - timedelta(minutes=15))
    [soon] = reminders(core, "asker1")
    assert "Join here" not in soon


async def test_after_the_session_attendees_rate_it_and_the_speaker_gets_points_and_thanks(
    core: Core,
) -> None:
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    await core.reply(JoinLightning(core.actor("asker2"), n))
    await at(core, AT + timedelta(minutes=15))
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.HELD
    [prompt] = [m for m in dms(core, "asker1") if m.actions and m.actions[0].id.startswith("lrate")]
    assert [a.id for a in prompt.actions] == [f"lrate:{i}" for i in range(1, 6)]
    thanks = [m.plain() for m in dms(core, "bob") if m.plain().startswith("Thank you for teaching")]
    assert thanks and "2 people signed up" in thanks[0]
    assert "your points come with the first rating of 3 or more" in thanks[0]
    assert "Held" in dict(card_versions(core)[-1].fields)
    said = await core.reply(RateLightning(core.actor("asker1"), n, 5))
    assert said.startswith(f"Thanks for rating #{n} 5/5")
    points = [(p.user.id, p.points, p.reason) for p in core.db.rows("points")]
    assert points == [("bob", 5, "lightning")]
    await core.reply(RateLightning(core.actor("asker2"), n, 4))
    assert len(core.db.rows("points")) == 1  # the speaker's points come once
    assert field(card_versions(core)[-1], "Held") == "2 signed up; rated by 2"
    badge = [m.plain() for m in dms(core, "bob") if "Lightning speaker" in m.plain()]
    assert len(badge) == 1


async def test_a_session_noticed_late_is_held_when_it_ended_for_the_digests_week(
    core: Core,
) -> None:
    """The process was down over the weekend: the session of Wednesday 15:00 counts as held
    on Wednesday 15:15 (its week's digest lists it), not when the bot came back."""
    await scheduled(core)
    await at(core, AT + timedelta(days=6))
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.HELD and s.ends_at is not None
    assert s.held_at == s.ends_at


async def test_only_people_who_signed_up_rate_and_only_once(core: Core) -> None:
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    early = await core.reply(RateLightning(core.actor("asker1"), n, 5))
    assert "hasn't taken place yet" in early
    await at(core, AT + timedelta(minutes=15))
    stranger = await core.reply(RateLightning(core.actor("dave"), n, 5))
    assert "Only the people who signed up" in stranger
    assert "don't rate their own" in await core.reply(RateLightning(core.actor("bob"), n, 5))
    await core.reply(RateLightning(core.actor("asker1"), n, 5))
    again = await core.reply(RateLightning(core.actor("asker1"), n, 1))
    assert "rated #1 already" in again.replace(f"#{n}", "#1")


async def test_a_proposal_is_taken_by_the_first_mentor_who_accepts(core: Core) -> None:
    await core.join("carol", "pandas")
    n = await scheduled(core)
    said = await core.reply(AcceptLightning(core.actor("carol"), n, AT, "another title"))
    assert "is taken: bob gives it" in said


async def test_of_two_mentors_accepting_at_once_exactly_one_gets_the_session(core: Core) -> None:
    await core.join("carol", "pandas")
    n = await proposed(core)
    said = await asyncio.gather(
        core.reply(AcceptLightning(core.actor("bob"), n, AT, TITLE)),
        core.reply(AcceptLightning(core.actor("carol"), n, AT, "other title")),
    )
    assert sorted(s.startswith("Thank you!") for s in said) == [False, True]
    assert len(card_versions(core)) == 1


async def test_times_in_the_past_or_too_soon_are_refused(core: Core) -> None:
    n = await proposed(core)
    said = await core.reply(
        AcceptLightning(core.actor("bob"), n, datetime(2026, 11, 23, 10, 5), TITLE)
    )
    assert "at least 20 minutes from now" in said
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.PROPOSED


async def test_not_now_from_everyone_asks_the_next_best_mentors(core: Core) -> None:
    n = await proposed(core)
    await core.join("carol", "pandas")  # joined after the proposal went out
    said = await core.reply(DeclineLightning(core.actor("bob"), n))
    assert said.startswith("No problem")
    [s] = core.db.rows("lightning")
    assert s.invited == (core.user("bob"), core.user("carol"))
    assert any(any(a.id == "teach" for a in m.actions) for m in dms(core, "carol"))


async def test_anyone_may_propose_a_session_and_askers_of_the_topic_are_invited(
    core: Core,
) -> None:
    await core.ask("asker1", QUESTION)
    said = await core.reply(ProposeLightning(core.actor("dave"), "Pandas", AT, "pivot tables"))
    assert said.startswith("Thank you! Lightning session #1 “pivot tables”")
    [s] = core.db.rows("lightning")
    assert (s.topic, s.speaker, s.state) == ("pandas", core.user("dave"), LightningState.SCHEDULED)
    [invite] = [m for m in dms(core, "asker1") if m.actions and m.actions[0].id == "join"]
    assert "You asked about pandas recently" in invite.plain()


async def test_the_speaker_is_not_told_a_head_count_that_would_place_an_anonymous_asker(
    core: Core,
) -> None:
    # Two named cards on pandas and one anonymous: "invited 2" or "3" would say whether the
    # anonymous asker is one of the two.
    await core.ask("asker1", QUESTION)
    await core.ask("asker2", QUESTION + " With a twist.")
    await core.ask("asker1", QUESTION + " Asked anonymously.", anonymous=True)
    said = await core.reply(ProposeLightning(core.actor("dave"), "Pandas", AT, "pivot tables"))
    assert "and invited the people who asked about it." in said
    for name in ("asker1", "asker2"):
        assert [m for m in dms(core, name) if m.actions and m.actions[0].id == "join"]


async def test_list_shows_what_is_coming_with_sign_ups(core: Core) -> None:
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    said = await core.reply(ListLightning(core.actor("carol")))
    assert said.splitlines() == [
        "Coming up: lightning sessions",
        f"#{n} “{TITLE}” by bob — Wed 2026-11-25 15:00 UTC, 15 min, 1 going · `/lightning join {n}`",
    ]
    await at(core, AT + timedelta(minutes=15))
    assert "No lightning sessions are coming up" in await core.reply(
        ListLightning(core.actor("carol"))
    )


async def test_the_home_view_shows_what_is_coming_up(core: Core) -> None:
    await scheduled(core)
    [home] = await core.handle(ShowHome(core.actor("asker1")))
    assert f"#1 “{TITLE}” by bob — Wed 2026-11-25 15:00 UTC" in home.plain()


async def test_the_digest_reports_held_sessions_and_attendance(core: Core) -> None:
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    await core.reply(JoinLightning(core.actor("asker2"), n))  # two came: the talk earns points
    await at(core, AT + timedelta(minutes=15))
    await core.reply(RateLightning(core.actor("asker1"), n, 4))
    said = await core.digest()
    assert f"Lightning sessions held: 1 — “{TITLE}” by bob (2 signed up, rated 4.0/5 by 1)" in said
    # The month so far is the week: its most helpful are not listed twice.
    assert "Most thanked: 1. bob (5 points)" in said
    assert "Most helpful in November 2026: the same as this week's most thanked." in said


async def test_the_digests_attendance_leaves_out_a_forgotten_sign_up(core: Core) -> None:
    """A forgotten person's sign-up stays under a tombstone (its rating, a figure, counts) but
    nobody attended: the digest counts as the card does."""
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    await core.reply(JoinLightning(core.actor("ann"), n))
    await at(core, AT + timedelta(minutes=15))
    await core.reply(RateLightning(core.actor("ann"), n, 4))
    await core.handle(ForgetPerson(core.actor("admin"), core.user("ann"), confirmed=True))
    said = await core.digest()
    assert f"“{TITLE}” by bob (1 signed up, rated 4.0/5 by 1)" in said, said


async def test_the_digest_names_a_forgotten_speaker_as_forgotten_never_by_their_tombstone(
    core: Core,
) -> None:
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    await at(core, AT + timedelta(minutes=15))
    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    said = await core.digest()
    assert f"“{TITLE}” by someone forgotten (1 signed up)" in said, said
    assert "forgotten-" not in said, said


async def test_session_numbers_are_scoped_to_the_workspace(core: Core) -> None:
    n = await scheduled(core)
    stranger = core.actor("eve")
    stranger = type(stranger)(stranger.user, "eve", type(stranger.workspace)("test", "other"))
    said = await core.reply(JoinLightning(stranger, n))
    assert f"There is no lightning session #{n}" in said


def test_times_show_utc_and_the_readers_zone_when_known() -> None:
    when = START + timedelta(hours=14)  # midnight UTC: the day differs in Los Angeles
    assert when_text(when, None) == "Tue 2026-11-24 00:00 UTC"
    assert when_text(when, "UTC") == "Tue 2026-11-24 00:00 UTC"
    assert when_text(when, "America/Los_Angeles") == (
        "Tue 2026-11-24 00:00 UTC (Mon 16:00 America/Los_Angeles)"
    )
    assert when_text(when, "Not/AZone") == "Tue 2026-11-24 00:00 UTC"


async def test_a_session_title_is_shown_as_the_speaker_typed_it_never_as_markup(
    core: Core,
) -> None:
    """The title is the speaker's text: every message quotes it as user text (escaped by each
    platform), so `**`, a masked link or @everyone in it can't format, link or ping."""
    n = await proposed(core)
    title = "**big** [click](https://example.com) @everyone"
    replies = await core.bus.handle(AcceptLightning(core.actor("bob"), n, AT, title))
    for message in [*replies, *dms(core, "asker1")]:
        spans = [s for t in (message.title, message.body) if t for s in t.spans]
        if title in message.plain():
            assert any(isinstance(s, UserText) and s.text == title for s in spans), message
            assert not any(isinstance(s, Bold) and title in s.text for s in spans), message
    assert any(title in m.plain() for m in dms(core, "asker1"))  # the invitation names it


async def test_a_forgotten_speakers_coming_session_is_cancelled_and_sign_ups_told(
    core: Core,
) -> None:
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("ann"), n))
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    assert said.startswith("Done"), said
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.CANCELLED
    assert "cancelled" in card_versions(core)[-1].plain()
    assert any("is cancelled" in m.plain() for m in dms(core, "ann"))
    listed = await core.reply(ListLightning(core.actor("ann")))
    assert "No lightning sessions are coming up" in listed
    for when in (AT - timedelta(hours=23), AT - timedelta(minutes=10), AT + timedelta(hours=1)):
        await at(core, when)  # no reminders, no "held", no rating prompt
    assert reminders(core, "ann") == []
    assert not any("How was" in m.plain() for m in dms(core, "ann"))


async def test_a_speaker_who_leaves_the_workspace_has_their_session_cancelled(core: Core) -> None:
    from bot.privacy.commands import PersonLeft

    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("ann"), n))
    await core.handle(PersonLeft(core.user("bob"), core.actor("bob").workspace))
    [s] = core.db.rows("lightning")
    assert s.state is LightningState.CANCELLED
    assert any("is cancelled" in m.plain() for m in dms(core, "ann"))


def tombstone_dms(core: Core) -> list[str]:
    """DMs that went to a forgotten person's tombstone ref (nobody is there to read them)."""
    return [
        c.message.plain()
        for c in core.chat.of("send_dm")
        if c.message is not None and c.args["user"].id.startswith("forgotten-")
    ]


async def test_a_cancelled_card_names_a_forgotten_speaker_as_forgotten_never_by_their_tombstone(
    core: Core,
) -> None:
    from bot.privacy.commands import ForgetPerson

    await scheduled(core)
    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    card = card_versions(core)[-1]
    assert "cancelled" in card.plain()
    assert field(card, "Speaker") == "someone forgotten"
    assert "forgotten-" not in card.plain()


async def test_a_forgotten_attendee_gets_no_reminders_nor_rating_prompt(core: Core) -> None:
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("ann"), n))
    await core.handle(JoinLightning(core.actor("cat"), n))
    await core.handle(ForgetPerson(core.actor("admin"), core.user("ann"), confirmed=True))
    before = len(dms(core, "ann"))
    for when in (AT - timedelta(hours=23), AT - timedelta(minutes=10), AT + timedelta(hours=1)):
        await at(core, when)
    assert len(reminders(core, "cat")) == 2  # the others are reminded as before
    assert any("How was" in m.plain() for m in dms(core, "cat"))
    assert tombstone_dms(core) == [] and len(dms(core, "ann")) == before
    # The speaker's thanks counts those asked to rate it: a forgotten sign-up is nobody.
    assert any("! 1 person signed up. I've asked them" in m.plain() for m in dms(core, "bob"))


async def test_a_forgotten_asker_of_the_topic_is_not_invited(core: Core) -> None:
    from bot.privacy.commands import ForgetPerson

    n = await proposed(core)
    # asker1's question was answered (a forgotten person's open ones are cancelled, and
    # cancelled questions are no demand): it still counts, under a tombstone.
    [first] = [q for q in core.db.rows("questions") if q.asker == core.user("asker1")]
    await core.claim("bob", first.pk)
    await core.resolve("asker1", first.pk)
    await core.handle(ForgetPerson(core.actor("admin"), core.user("asker1"), confirmed=True))
    said = await core.reply(AcceptLightning(core.actor("bob"), n, AT, TITLE))
    assert "invited the 4 people" in said, said
    assert tombstone_dms(core) == []


async def test_a_speaker_forgotten_after_the_session_earns_no_points_nor_badge_dm(
    core: Core,
) -> None:
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("ann"), n))
    await core.handle(JoinLightning(core.actor("asker1"), n))  # a talk that would earn points
    await at(core, AT + timedelta(hours=1))
    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    said = await core.reply(RateLightning(core.actor("ann"), n, 5))
    assert said.startswith("Thanks for rating"), said
    assert tombstone_dms(core) == []
    assert not [p for p in core.db.rows("points") if p.reason == "lightning"]
    assert field(card_versions(core)[-1], "Speaker") == "someone forgotten"


async def test_forgetting_a_speaker_redraws_the_card_of_a_session_they_gave(core: Core) -> None:
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("ann"), n))
    await at(core, AT + timedelta(hours=1))
    assert "Thank you, bob!" in card_versions(core)[-1].plain()
    before = len(card_versions(core))
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    assert said.startswith("Done"), said
    [card] = card_versions(core)[before:]  # redrawn once, without anyone rating it
    assert "took place" in card.plain() and "bob" not in card.plain(), card.plain()
    assert field(card, "Speaker") == "someone forgotten"
    assert "forgotten-" not in card.plain()


async def test_forgetting_a_speaker_redraws_the_card_of_a_session_they_cancelled(
    core: Core,
) -> None:
    from bot.lightning.commands import CancelLightning
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.handle(CancelLightning(core.actor("bob"), n))
    assert field(card_versions(core)[-1], "Speaker") == "bob"
    before = len(card_versions(core))
    await core.handle(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    [card] = card_versions(core)[before:]
    assert "cancelled" in card.plain()
    assert field(card, "Speaker") == "someone forgotten"


async def test_a_late_sign_up_is_promised_only_the_reminders_still_ahead(core: Core) -> None:
    n = await scheduled(core)
    said = await core.reply(JoinLightning(core.actor("ann"), n))
    assert said.endswith("I'll remind you a day and 15 minutes before."), said
    await at(core, AT - timedelta(hours=2))
    said = await core.reply(JoinLightning(core.actor("cat"), n))
    assert said.endswith("I'll remind you 15 minutes before."), said
    await at(core, AT - timedelta(minutes=5))
    said = await core.reply(JoinLightning(core.actor("dan"), n))
    assert "starts in a few minutes" in said and "remind" not in said, said
    await at(core, AT + timedelta(minutes=5))
    said = await core.reply(JoinLightning(core.actor("eve"), n))
    assert "started at Wed 2026-11-25 15:00 UTC" in said and "remind" not in said, said


async def test_not_now_after_joining_takes_them_off_the_list(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("dan"), n))
    await core.handle(JoinLightning(core.actor("cat"), n))
    assert field(card_versions(core)[-1], "Going") == "2 signed up"
    said = await core.reply(DeclineLightning(core.actor("dan"), n))
    assert said == (
        f"You're off the list for #{n} “{TITLE}”; join again any time before it starts."
    ), said
    assert field(card_versions(core)[-1], "Going") == "1 signed up"
    assert [r.user for r in core.db.rows("rsvps")] == [core.user("cat")]
    listed = await core.reply(ListLightning(core.actor("dan")))
    assert "1 going" in listed
    # Saying it again: nothing is waiting for them any more.
    again = await core.reply(DeclineLightning(core.actor("dan"), n))
    assert again == "No problem — nothing is waiting for you there."
    before = len(dms(core, "dan"))
    for when in (AT - timedelta(hours=23), AT - timedelta(minutes=10), AT + timedelta(hours=1)):
        await at(core, when)
    assert len(reminders(core, "cat")) == 2 and any(
        "How was" in m.plain() for m in dms(core, "cat")
    )
    assert len(dms(core, "dan")) == before  # no reminders, no rating prompt
    assert any("1 person signed up" in m.plain() for m in dms(core, "bob"))
    assert field(card_versions(core)[-1], "Held") == "1 signed up"
    refused = await core.reply(RateLightning(core.actor("dan"), n, 5))
    assert "Only the people who signed up" in refused


async def test_after_not_now_joining_again_brings_the_reminders_back(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("dan"), n))
    await core.handle(DeclineLightning(core.actor("dan"), n))
    said = await core.reply(JoinLightning(core.actor("dan"), n))
    assert said.startswith("You're in!"), said
    assert field(card_versions(core)[-1], "Going") == "1 signed up"
    for when in (AT - timedelta(hours=23), AT - timedelta(minutes=15)):
        await at(core, when)
    assert len(reminders(core, "dan")) == 2


async def test_not_now_from_someone_who_had_not_joined_changes_nothing(core: Core) -> None:
    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("cat"), n))
    cards = len(card_versions(core))
    said = await core.reply(DeclineLightning(core.actor("dan"), n))
    assert said == "No problem — nothing is waiting for you there."
    assert len(card_versions(core)) == cards
    assert [r.user for r in core.db.rows("rsvps")] == [core.user("cat")]


@pytest.mark.parametrize(
    ("invited", "said"),
    [
        (0, "announced it in the mentoring channel. You'll"),
        (1, "and invited the person who asked about it."),
        (3, "and invited the 3 people who asked about it."),
        (None, "and invited the people who asked about it."),
    ],
)
def test_the_speakers_answer_counts_whom_it_invited_in_words(
    invited: int | None, said: str
) -> None:
    from bot.lightning.handlers import _scheduled_reply
    from bot.lightning.model import Lightning, LightningState
    from bot.refs import WorkspaceRef

    starts = AT.replace(tzinfo=START.tzinfo)
    s = Lightning(
        WorkspaceRef("test", "T1"),
        "pandas",
        starts,
        state=LightningState.SCHEDULED,
        starts_at=starts,
        local_number=3,
    )
    s.id = 3
    assert said in _scheduled_reply(s, "UTC", invited, starts - timedelta(days=2)).plain()


async def test_list_offers_leave_to_someone_already_going(core: Core) -> None:
    n = await scheduled(core)
    await core.reply(JoinLightning(core.actor("asker1"), n))
    said = await core.reply(ListLightning(core.actor("asker1")))
    assert said.splitlines()[1] == (
        f"#{n} “{TITLE}” by bob — Wed 2026-11-25 15:00 UTC, 15 min, 1 going"
        f" (you're going) · `/lightning leave {n}`"
    )


async def test_a_sign_up_is_promised_the_day_reminder_while_it_is_still_to_come(
    core: Core,
) -> None:
    """Sunday 15:00 in Berlin the day DST begins (13:00 UTC); its day reminder is Saturday
    15:00 there (14:00 UTC), 23 hours before. Joining at 13:10 UTC, less than 24 hours before
    but ahead of that reminder, is promised it and gets it (a sign-up after it went hears only
    the 15-minute one: the next test); the one rule is the reminder's own time."""
    starts = datetime(2027, 3, 28, 15, 0)
    core.profile("bob").timezone = "Europe/Berlin"
    await at(core, starts - timedelta(days=5))
    said = await core.reply(ProposeLightning(core.actor("bob"), "pandas", starts, TITLE))
    assert "You'll get reminders a day and 15 minutes before." in said, said
    [s] = core.db.rows("lightning")
    await at(core, datetime(2027, 3, 27, 13, 10))
    said = await core.reply(JoinLightning(core.actor("ann"), s.number))
    assert said.endswith("I'll remind you a day and 15 minutes before."), said
    await at(core, datetime(2027, 3, 27, 14, 10))
    assert len(reminders(core, "ann")) == 1 and len(reminders(core, "bob")) == 1
    said = await core.reply(JoinLightning(core.actor("carol"), s.number))
    assert said.endswith("I'll remind you 15 minutes before."), said
    await at(core, datetime(2027, 3, 28, 12, 46))
    [_, soon] = reminders(core, "ann")
    [carols] = reminders(core, "carol")
    assert "starts in 15 minutes" in soon and "starts in 15 minutes" in carols


async def test_a_sign_up_after_the_day_reminder_went_is_not_promised_it(core: Core) -> None:
    """Across the autumn change the day reminder is 25 hours before: Sunday 10:00 in New York
    (15:00 UTC, EST) is reminded Saturday 10:00 there (14:00 UTC, EDT). Joining at 14:30 UTC,
    more than 24 hours before, was promised "a day and 15 minutes before", and the day one had
    gone out half an hour earlier."""
    starts = datetime(2026, 11, 1, 10, 0)
    core.profile("bob").timezone = "America/New_York"
    await at(core, datetime(2026, 10, 28, 12, 0))
    await core.reply(ProposeLightning(core.actor("bob"), "pandas", starts, TITLE))
    [s] = core.db.rows("lightning")
    await core.reply(JoinLightning(core.actor("carol"), s.number))
    await at(core, datetime(2026, 10, 31, 14, 0))
    assert len(reminders(core, "carol")) == 1
    await at(core, datetime(2026, 10, 31, 14, 30))
    said = await core.reply(JoinLightning(core.actor("ann"), s.number))
    assert said.endswith("I'll remind you 15 minutes before."), said


async def test_the_speaker_of_a_session_within_a_day_is_promised_the_15_minute_reminder_only(
    core: Core,
) -> None:
    said = await core.reply(
        ProposeLightning(
            core.actor("bob"), "pandas", START.replace(tzinfo=None).replace(hour=18), TITLE
        )
    )
    assert "You'll get a reminder 15 minutes before." in said and "a day" not in said, said


async def test_a_forgotten_persons_sign_up_is_nobody_going_nor_asked_to_rate(core: Core) -> None:
    """The review's case: the only sign-up is forgotten; the list said "1 going" and the
    speaker's thanks said it had asked them to rate it, though no prompt went to anyone."""
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("ann"), n))
    await core.handle(ForgetPerson(core.actor("admin"), core.user("ann"), confirmed=True))
    said = await core.reply(ListLightning(core.actor("carol")))
    assert ", 0 going · `/lightning join" in said, said
    await at(core, AT + timedelta(hours=1))
    assert field(card_versions(core)[-1], "Signed up") == "nobody"
    [told] = [m.plain() for m in dms(core, "bob") if "signed up" in m.plain()]
    assert "asked them to rate" not in told and told.startswith("Nobody signed up"), told


async def test_the_card_stops_counting_a_forgotten_sign_up_at_once(core: Core) -> None:
    """The card said "1 signed up" until its next update (someone else joining, the session
    being held): forgetting the one going redraws it."""
    from bot.privacy.commands import ForgetPerson

    n = await scheduled(core)
    await core.handle(JoinLightning(core.actor("ann"), n))
    await core.handle(JoinLightning(core.actor("carol"), n))
    assert field(card_versions(core)[-1], "Going") == "2 signed up"
    await core.handle(ForgetPerson(core.actor("admin"), core.user("ann"), confirmed=True))
    assert field(card_versions(core)[-1], "Going") == "1 signed up"
