"""Quality control: low ratings and their comments reach the admins (anonymous askers stay
anonymous), `/mentor feedback` shows a mentor their own ratings, the digest lists low-rated
topics; and the call link in every session intro."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import (
    Actor,
    AskQuestion,
    CommentOnSession,
    RateSession,
    RegisterWorkspace,
    ShowStats,
)
from bot.config import Config, SessionSection
from bot.domain import Feedback, NudgeKind, NudgeState, QuestionState
from bot.feedback.ratings import CHANGE_MINUTES
from bot.learning.commands import ShowMentorFeedback
from bot.privacy.commands import ForgetPerson
from bot.refs import ChannelRef, WorkspaceRef
from tests.unit.core_harness import ADMIN_CHANNEL, WORKSPACE, Core, start_core


@pytest.fixture
async def core() -> Core:
    return await start_core()


def to_admins(core: Core) -> list[str]:
    return [m.plain() for m in core.chat.messages("post_card", channel=ADMIN_CHANNEL)]


async def window_closes(core: Core) -> None:
    """The rating's change window is over: a low rating is judged (its alert's nudge is due)."""
    core.clock.advance(timedelta(minutes=CHANGE_MINUTES))
    await core.tick()


async def test_a_rating_of_two_or_less_reaches_the_admins_with_its_comment(core: Core) -> None:
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 2, comment="Felt rushed."))
    await window_closes(core)
    [post] = to_admins(core)
    assert post.startswith(
        f"Low rating: the help on #{n} was rated 2/5 by its asker (alice) — mentor bob."
    )
    assert "Comment: Felt rushed." in post


async def test_a_low_rating_whose_mentor_was_forgotten_meanwhile_reaches_nobody(
    core: Core,
) -> None:
    """The alert waits for the change window; a mentor forgotten meanwhile is nobody to report
    on (it would name what is left of them)."""
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 1, comment="No help."))
    said = await core.reply(ForgetPerson(core.actor("admin"), core.user("bob"), confirmed=True))
    assert said.startswith("Done:"), said
    await window_closes(core)
    assert [p for p in to_admins(core) if p.startswith("Low rating")] == []


async def test_a_rating_of_three_stays_between_the_two(core: Core) -> None:
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 3))
    await window_closes(core)
    assert to_admins(core) == []


async def test_an_anonymous_askers_low_rating_keeps_them_anonymous(core: Core) -> None:
    await core.join("bob", "python", "pandas")
    n = await core.ask("alice", anonymous=True)
    await core.claim("bob", n)
    await core.resolve("alice", n)
    await core.handle(RateSession(core.actor("alice"), n, 1))
    await window_closes(core)
    await core.handle(CommentOnSession(core.actor("alice"), n, "Not what I needed."))
    posts = to_admins(core)
    assert posts[0].startswith(
        f"Low rating: the help on #{n} was rated 1/5 by its anonymous asker — mentor bob."
    ), posts[0]
    assert all("alice" not in p for p in posts)
    assert posts[1] == f"Comment on a low rating of #{n} (1/5, by its asker): Not what I needed."


async def test_a_low_clarity_rating_of_an_anonymous_question_says_asker_once(
    core: Core,
) -> None:
    await core.join("bob", "python", "pandas")
    n = await core.ask("alice", anonymous=True)
    await core.claim("bob", n)
    await core.resolve("alice", n)
    await core.handle(RateSession(core.actor("bob"), n, 1))
    await window_closes(core)
    [post] = to_admins(core)
    assert post.startswith(
        f"Low rating: mentor bob rated the clarity of #{n} 1/5 (asker: anonymous)."
    ), post


async def test_a_mentors_low_clarity_rating_reaches_the_admins_too(core: Core) -> None:
    n = await core.resolved()
    await core.handle(RateSession(core.actor("bob"), n, 1))
    await window_closes(core)
    [post] = to_admins(core)
    assert post.startswith(f"Low rating: mentor bob rated the clarity of #{n} 1/5 (asker: alice).")


async def test_a_comment_on_a_good_rating_stays_between_the_two(core: Core) -> None:
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 5))
    await core.handle(CommentOnSession(core.actor("alice"), n, "Great!"))
    await window_closes(core)
    assert to_admins(core) == []


async def test_mentor_feedback_shows_their_own_ratings_and_comments_only(core: Core) -> None:
    first = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), first, 5, comment="Spot on."))
    second = await core.resolved(asker="dave")
    await core.handle(RateSession(core.actor("dave"), second, 2, comment="Too fast."))
    other = await core.resolved(asker="erin", mentor="carol")
    await core.handle(RateSession(core.actor("erin"), other, 1, comment="Carol's comment."))
    said = await core.reply(ShowMentorFeedback(core.actor("bob")))
    assert said.startswith("Your feedback as a mentor\n2 ratings, average 3.5/5 · 5★ ×1 · 2★ ×1")
    assert f"• 2/5 on #{second}: Too fast." in said and f"• 5/5 on #{first}: Spot on." in said
    assert "Carol's comment." not in said and "dave" not in said and "alice" not in said


async def test_mentor_feedback_names_questions_by_their_number_in_the_workspace(
    core: Core,
) -> None:
    """Numbers are per workspace; the stored id is not what anyone sees on a card."""
    other = WorkspaceRef(WORKSPACE.platform, "T2")
    await core.handle(
        RegisterWorkspace(other, ChannelRef(other.platform, "m2"), ChannelRef(other.platform, "a2"))
    )
    elsewhere = Actor(core.user("zed"), "zed", other)
    await core.handle(AskQuestion(elsewhere, "How do I pivot a pandas frame into columns?"))
    n = await core.resolved(asker="dave")
    await core.handle(RateSession(core.actor("dave"), n, 2, comment="Too fast."))
    said = await core.reply(ShowMentorFeedback(core.actor("bob")))
    assert f"• 2/5 on #{n}: Too fast." in said
    assert n == 1  # the workspace's first question, stored second


async def test_mentor_feedback_without_ratings_says_so(core: Core) -> None:
    said = await core.reply(ShowMentorFeedback(core.actor("bob")))
    assert said.startswith("No ratings yet.")


async def test_the_digest_lists_topics_with_low_average_ratings(core: Core) -> None:
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 2))
    said = await core.digest()
    assert "Low-rated topics: pandas 2.0/5 (1 rating) — worth a look" in said


async def test_a_well_rated_week_lists_no_low_rated_topics(core: Core) -> None:
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 5))
    said = await core.digest()
    assert "Low-rated topics" not in said


async def test_every_session_intro_has_the_call_link() -> None:
    template = "https://meet.jit.si/micromentor-{workspace}-{number}"
    core = await start_core(Config(session=SessionSection(call_link=template)))
    n = await core.claimed()
    intro = core.chat.messages("post_in_thread", thread=core.chat.thread_of(n))[0]
    assert (
        f"Talk it through: Start a call (https://meet.jit.si/micromentor-t1-{n})" in intro.plain()
    )


async def test_without_a_call_link_the_intro_has_none(core: Core) -> None:
    n = await core.claimed()
    assert "Start a call" not in core.chat.in_thread(n)[0]


@pytest.mark.parametrize(
    "bad", ["meet.jit.si/{number}", "https://meet.jit.si/{room}", "https://x/{0}"]
)
def test_a_call_link_that_is_not_an_http_url_with_known_placeholders_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        SessionSection(call_link=bad)


async def test_low_rated_topics_are_counted_in_the_week_asked() -> None:
    core = await start_core()
    n = await core.resolved()
    core.clock.advance(timedelta(days=8))
    await core.handle(RateSession(core.actor("alice"), n, 1))
    said = await core.digest()
    assert "Low-rated topics" not in said  # this week's questions had none
    last_week = await core.digest("2026-W48")
    assert "Low-rated topics: pandas 1.0/5" in last_week


async def test_ratings_stored_of_an_expired_session_count_nowhere(core: Core) -> None:
    """Only a resolved session is rated now; ratings stored before of an expired one (kept: the
    asker's words) count in no average, and a comment added to one alerts nobody."""
    resolved = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), resolved, 5, comment="Spot on."))
    await core.handle(RateSession(core.actor("bob"), resolved, 4))
    expired = await core.claimed(asker="dave")
    for minutes in (20, 10):
        core.clock.advance(timedelta(minutes=minutes))
        await core.tick()
    q = core.question(expired)
    assert q.state is QuestionState.EXPIRED
    at = core.clock.now()
    core.db.tables["feedback"][q.pk, core.user("dave"), "asker"] = Feedback(
        q.pk, core.user("dave"), "asker", 1, at
    )
    core.db.tables["feedback"][q.pk, core.user("bob"), "mentor"] = Feedback(
        q.pk, core.user("bob"), "mentor", 1, at
    )
    said = await core.reply(ShowMentorFeedback(core.actor("bob")))
    assert said.startswith("Your feedback as a mentor\n1 rating, average 5.0/5 · 5★ ×1")
    stats = await core.reply(ShowStats(core.actor("admin")))
    assert "Average rating: 5.0/5 (1 rating); question clarity: 4.0/5" in stats
    before = to_admins(core)
    await core.handle(CommentOnSession(core.actor("dave"), expired, "Never showed up."))
    assert to_admins(core) == before


async def test_a_rating_changed_sets_aside_the_comment_written_for_the_old_score(
    core: Core,
) -> None:
    """Seen in a console walk: 5/5 with "Brilliant", then changed to 1/5, and the admins' alert
    quoted "Brilliant" under the 1/5."""
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 5))
    await core.handle(CommentOnSession(core.actor("alice"), n, "Brilliant, solved in two minutes!"))
    said = await core.reply(RateSession(core.actor("alice"), n, 1))
    assert said.startswith(f"Changed: you rated the help on #{n} 1/5 (was 5/5).")
    assert "Your comment was for 5/5, so it's set aside: add one for this score?" in said
    await window_closes(core)
    [post] = to_admins(core)
    assert "Brilliant" not in post and "Comment:" not in post
    [fb] = core.db.rows("feedback")
    assert (fb.score, fb.comment) == (1, "")


def low_rating_nudges(core: Core) -> list[NudgeState]:
    return [n.state for n in core.db.rows("nudges") if n.kind is NudgeKind.LOW_RATING]


async def test_a_low_rating_reaches_the_admins_only_once_it_can_no_longer_be_changed(
    core: Core,
) -> None:
    """Seen in a console walk: a 1/5 and its comment reached the admins at once, and stood
    after the asker corrected the click to 3/5 a moment later."""
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 1))
    await core.handle(CommentOnSession(core.actor("alice"), n, "He just closed it."))
    core.clock.advance(timedelta(minutes=CHANGE_MINUTES - 1))
    await core.tick()
    assert to_admins(core) == []
    core.clock.advance(timedelta(minutes=1))
    await core.tick()
    [post] = to_admins(core)  # the comment goes with it, not on its own
    assert post.startswith(f"Low rating: the help on #{n} was rated 1/5 by its asker (alice)")
    assert "Comment: He just closed it." in post


async def test_a_low_rating_changed_within_the_window_alerts_nobody(core: Core) -> None:
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 1))
    await core.handle(CommentOnSession(core.actor("alice"), n, "He just closed it."))
    core.clock.advance(timedelta(minutes=2))
    said = await core.reply(RateSession(core.actor("alice"), n, 3))
    assert said.startswith(f"Changed: you rated the help on #{n} 3/5 (was 1/5).")
    await window_closes(core)
    core.clock.advance(timedelta(days=1))
    await core.tick()
    assert to_admins(core) == []
    assert low_rating_nudges(core) == [NudgeState.SENT]


async def test_the_alert_tells_the_score_and_comment_as_they_are_when_the_window_closes(
    core: Core,
) -> None:
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 4))
    await core.handle(RateSession(core.actor("alice"), n, 1, comment="Rushed."))
    await core.handle(RateSession(core.actor("alice"), n, 2))
    await core.handle(CommentOnSession(core.actor("alice"), n, "Rushed, and no answer."))
    await window_closes(core)
    await window_closes(core)
    [post] = to_admins(core)  # one alert for the rating, however often it changed
    assert f"#{n} was rated 2/5" in post and "Comment: Rushed, and no answer." in post
    assert low_rating_nudges(core) == [NudgeState.SENT]


async def test_the_change_window_ends_when_the_rating_is_judged(core: Core) -> None:
    """At the very minute the alert is due the rating is final: no change slips in after it."""
    n = await core.resolved()
    await core.handle(RateSession(core.actor("alice"), n, 1))
    core.clock.advance(timedelta(minutes=CHANGE_MINUTES))
    said = await core.reply(RateSession(core.actor("alice"), n, 3))
    assert said.startswith(
        f"You rated the help on #{n} 1/5 already; a rating can be changed within"
    )
