"""Hand-over with consent: a running session moves to another active mentor of the workspace
only when they accept; checks refuse the rest without changing anything."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.commands import (
    AcceptHandOver,
    DeclineHandOver,
    HandOverQuestion,
    HandOverUnreachable,
    PauseMentor,
    ResumeMentor,
)
from bot.domain import NudgeKind, NudgeState, QuestionState
from bot.messages import ChatMessage
from bot.ports import DeliveryRefused
from bot.refs import MessageRef, UserRef
from tests.unit.core_harness import Core, start_core
from tests.unit.fake_chat import ChatCall, FakeChat


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    return core


def hand_over(core: Core, by: str, n: int, to: str) -> HandOverQuestion:
    return HandOverQuestion(core.actor(by), n, core.user(to))


async def test_the_session_moves_only_when_the_other_mentor_accepts(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(hand_over(core, "bob", n, "carol"))
    assert said == f"Asked carol to take over #{n}. It stays with you until carol accepts."
    assert core.question(n).mentor == core.user("bob")
    [offer] = core.chat.messages("send_dm", user=core.user("carol"))
    assert [a.id for a in offer.actions] == ["accept", "decline"]
    said = await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert said == f"#{n} is now yours. Thank you for taking it on!"
    q = core.question(n)
    assert q.state is QuestionState.CLAIMED and q.mentor == core.user("carol")
    assert q.handover_to is None
    posted = [m.plain() for m in core.chat.messages("post_in_thread")]
    assert any(f"bob handed #{n} over to @carol" in p for p in posted)
    assert any(p.startswith("@alice meet @carol") for p in posted)
    assert "Claimed by carol" in core.chat.card(n).plain()


async def test_a_decline_leaves_the_session_and_tells_its_mentor(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    said = await core.reply(DeclineHandOver(core.actor("carol"), n))
    assert said == f"No problem — #{n} stays with its mentor."
    q = core.question(n)
    assert (q.mentor, q.handover_to) == (core.user("bob"), None)
    told = core.chat.dms(core.user("bob"))[-1]
    assert told.startswith(f"carol can't take over #{n}")
    assert f"`/mentor handover {n} @someone`" in told  # the whole command to ask someone else
    # The offer is gone: a late Accept does nothing.
    said = await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert said == f"There's no hand-over of #{n} waiting for you."
    assert core.question(n).mentor == core.user("bob")


async def test_an_admins_hand_over_says_whom_the_session_stays_with(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    said = await core.reply(hand_over(core, "admin", n, "carol"))
    assert said == f"Asked carol to take over #{n}. It stays with bob until carol accepts."


async def test_accepting_twice_says_the_session_is_yours_already(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    before = core.db.snapshot()
    assert await core.reply(AcceptHandOver(core.actor("carol"), n)) == f"#{n} is already yours."
    assert core.db.snapshot() == before


async def test_a_paused_mentor_is_not_offered_a_hand_over(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(PauseMentor(core.actor("carol"), timedelta(days=7)))
    before = core.db.snapshot()
    said = await core.reply(hand_over(core, "bob", n, "carol"))
    assert said == (
        f"carol is away (paused as a mentor), so they can't take over #{n} now. "
        "Ask another mentor: `/mentor list` shows who mentors what."
    )
    assert core.db.snapshot() == before
    assert core.chat.dms(core.user("carol")) == []


async def test_a_mentor_who_paused_after_the_offer_cannot_accept_until_back(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    await core.reply(PauseMentor(core.actor("carol"), None))
    said = await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert said.startswith(f"You're paused as a mentor, so #{n} stays with its mentor")
    assert core.question(n).mentor == core.user("bob")
    await core.reply(ResumeMentor(core.actor("carol")))
    assert (await core.reply(AcceptHandOver(core.actor("carol"), n))).startswith(
        f"#{n} is now yours"
    )


async def test_only_the_person_asked_can_accept(core: Core) -> None:
    await core.join("dave", "python")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    said = await core.reply(AcceptHandOver(core.actor("dave"), n))
    assert said == f"There's no hand-over of #{n} waiting for you."
    assert core.question(n).mentor == core.user("bob")


async def test_the_wrap_up_is_rescheduled_for_the_new_mentor(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    pending = [
        x
        for x in core.db.rows("nudges")
        if x.kind is NudgeKind.WRAP_UP and x.state is NudgeState.PENDING
    ]
    assert [x.due_at for x in pending] == [core.question(n).timebox_ends_at]


@pytest.mark.parametrize(
    ("by", "to", "refusal"),
    [
        ("carol", "carol", "Only the mentor of #{n} (or an admin) can hand it over."),
        ("alice", "carol", "Only the mentor of #{n} (or an admin) can hand it over."),
        ("bob", "alice", "The asker of #{n} can't mentor their own question."),
        ("bob", "bob", "You already have #{n}."),
        ("admin", "bob", "bob already has #{n}."),
        (
            "bob",
            "zed",  # never seen: not a mentor, and shown by id, never by a typed name
            "A session can only go to an active mentor of this workspace, and zed isn't one. "
            "`/mentor list` shows who mentors what.",
        ),
        (
            "bob",
            "dave",  # known, but not a mentor
            "A session can only go to an active mentor of this workspace, and dave isn't one. "
            "`/mentor list` shows who mentors what.",
        ),
    ],
)
async def test_a_hand_over_that_does_not_fit_is_refused_and_changes_nothing(
    core: Core, by: str, to: str, refusal: str
) -> None:
    await core.ask("dave", "How do I review a pull request kindly but thoroughly?")
    n = await core.claimed(asker="alice", mentor="bob")
    before = core.db.snapshot()
    said = await core.reply(hand_over(core, by, n, to))
    assert said == refusal.format(n=n)
    assert core.db.snapshot() == before


async def test_an_open_question_cannot_be_handed_over(core: Core) -> None:
    n = await core.ask("alice")
    said = await core.reply(hand_over(core, "admin", n, "carol"))
    assert said == f"#{n} has no session running, so there is nothing to hand over."


async def anonymous_claimed(core: Core) -> int:
    n = await core.ask("alice", anonymous=True)
    said = await core.claim("bob", n)
    assert said.startswith(f"You claimed #{n}"), said
    return n


@pytest.mark.parametrize("by", ["admin", "bob"])
async def test_an_anonymous_asker_is_refused_like_anyone_who_is_no_mentor(
    core: Core, by: str
) -> None:
    # Trying names one by one must not tell who asked: the asker gets the refusal of a
    # person who mentors nothing here, word for word.
    await core.ask("dave", "How do I review a pull request kindly but thoroughly?")
    n = await anonymous_claimed(core)
    before = core.db.snapshot()
    to_asker = await core.reply(hand_over(core, by, n, "alice"))
    to_nobody = await core.reply(hand_over(core, by, n, "dave"))
    assert to_asker == to_nobody.replace("dave", "alice")
    assert to_asker == (
        "A session can only go to an active mentor of this workspace, and alice isn't one. "
        "`/mentor list` shows who mentors what."
    )
    assert "asker" not in to_asker
    assert core.db.snapshot() == before


async def test_an_admins_hand_over_is_credited_to_an_admin_and_the_mentor_is_told(
    core: Core,
) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "admin", n, "carol"))
    # Asking moves nothing yet; the mentor is told it was asked (see test_admin_walk_fixes).
    [offered] = core.chat.dms(core.user("bob"))
    assert offered.startswith(f"An admin offered your session on #{n} to carol")
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert core.question(n).mentor == core.user("carol")
    posted = [m.plain() for m in core.chat.messages("post_in_thread")]
    assert f"An admin handed #{n} over to @carol. Thanks both!" in posted
    assert not any("bob handed" in p for p in posted)
    [_, told] = core.chat.dms(core.user("bob"))
    assert told.startswith(f"An admin handed your session on #{n} over to carol")
    assert "stop working on it" in told


async def test_the_mentors_own_hand_over_is_credited_to_them_and_sends_them_nothing(
    core: Core,
) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    posted = [m.plain() for m in core.chat.messages("post_in_thread")]
    assert f"bob handed #{n} over to @carol. Thanks both!" in posted
    assert not any(p.startswith("An admin") for p in posted)
    assert core.chat.dms(core.user("bob")) == []


async def test_an_admins_offer_the_mentor_replaced_is_credited_to_the_mentor(core: Core) -> None:
    await core.join("dave", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "admin", n, "dave"))
    await core.reply(hand_over(core, "bob", n, "carol"))  # the mentor asks someone else
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    posted = [m.plain() for m in core.chat.messages("post_in_thread")]
    assert f"bob handed #{n} over to @carol. Thanks both!" in posted
    # Told of the admin's offer when it was made, nothing of his own.
    [offered] = core.chat.dms(core.user("bob"))
    assert offered.startswith(f"An admin offered your session on #{n} to dave")


async def test_an_admins_earlier_hand_over_does_not_credit_a_later_one(core: Core) -> None:
    await core.join("dave", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "admin", n, "carol"))
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    core.clock.advance(timedelta(minutes=1))
    await core.reply(hand_over(core, "carol", n, "dave"))
    await core.reply(AcceptHandOver(core.actor("dave"), n))
    core.clock.advance(timedelta(minutes=1))
    await core.reply(hand_over(core, "dave", n, "carol"))  # back to carol, by dave himself
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    posted = [m.plain() for m in core.chat.messages("post_in_thread")]
    assert f"carol handed #{n} over to @dave. Thanks both!" in posted
    assert f"dave handed #{n} over to @carol. Thanks both!" in posted
    assert not any(d.startswith("An admin") for d in core.chat.dms(core.user("dave")))


async def test_an_admins_declined_offer_does_not_credit_the_mentors_own_later_one(
    core: Core,
) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "admin", n, "carol"))
    await core.reply(DeclineHandOver(core.actor("carol"), n))
    core.clock.advance(timedelta(minutes=1))
    await core.reply(hand_over(core, "bob", n, "carol"))  # the mentor asks carol himself
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    posted = [m.plain() for m in core.chat.messages("post_in_thread")]
    assert f"bob handed #{n} over to @carol. Thanks both!" in posted
    assert not any(p.startswith("An admin") for p in posted)
    assert not any(d.startswith("An admin handed") for d in core.chat.dms(core.user("bob")))


async def test_declining_an_admins_offer_is_told_to_the_admin_and_the_mentor(core: Core) -> None:
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "admin", n, "carol"))
    said = await core.reply(DeclineHandOver(core.actor("carol"), n))
    assert said == f"No problem — #{n} stays with its mentor."
    # Told of the offer when it was made, the mentor hears that it is off.
    assert core.chat.dms(core.user("bob"))[-1] == (
        f"The offer of your session on #{n} to carol is off: they can't take it, so it stays yours."
    )
    [told] = core.chat.dms(core.user("admin"))
    assert told.startswith(f"carol can't take over #{n}; it stays with its mentor.")
    q = core.question(n)
    assert (q.mentor, q.handover_to, q.handover_by) == (core.user("bob"), None, None)


@pytest.mark.parametrize("by", ["admin", "bob"])
async def test_an_anonymous_asker_who_mentors_is_asked_like_any_mentor_and_cannot_accept(
    core: Core, by: str
) -> None:
    # Refusing would single the asker out among the mentors `/mentor list` shows: they are
    # asked as anyone, and their Accept reads to whoever asked as any mentor's "can't".
    await core.join("alice", "pandas")
    await core.join("dave", "pandas")
    n = await anonymous_claimed(core)
    to_asker = await core.reply(hand_over(core, by, n, "alice"))
    said = await core.reply(AcceptHandOver(core.actor("alice"), n))
    assert said is not None and said.startswith(f"#{n} is your own question")
    q = core.question(n)
    assert (q.mentor, q.handover_to) == (core.user("bob"), None)
    to_dave = await core.reply(hand_over(core, by, n, "dave"))
    assert to_asker == to_dave.replace("dave", "alice")
    await core.reply(DeclineHandOver(core.actor("dave"), n))
    told = [t for t in core.chat.dms(core.user(by)) if "can't take over" in t]
    assert len(told) == 2 and told[0] == told[1].replace("dave", "alice")


class _ClosedDms(FakeChat):
    """A platform on which some people's DMs are closed to the bot (Discord's 50007), or, with
    `failing`, on which every attempt to DM them fails (a 5xx, a timeout)."""

    def __init__(self, *closed: str, failing: bool = False) -> None:
        super().__init__(platform="test")
        self.closed = set(closed)
        self.failing = failing

    async def send_dm(
        self, user: UserRef, message: ChatMessage, *, key: str = "", retry: bool = False
    ) -> MessageRef:
        if user.id in self.closed and self.failing:
            raise ConnectionError("server error")
        if user.id in self.closed:
            self.calls.append(ChatCall("refused_dm", {"user": user, "message": message}))
            raise DeliveryRefused("cannot send messages to this user")
        return await super().send_dm(user, message, key=key, retry=retry)


async def closed_dms_core(*closed: str) -> Core:
    core = await start_core(chat=_ClosedDms(*closed))
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    return core


def _addressed_to(core: Core, n: int, name: str) -> list[ChatMessage]:
    """What was said in #n's session thread(s) to `name` because their DM was refused."""
    return [
        m
        for m in core.chat.messages("post_in_thread")
        if m.plain().startswith(f"@{name}, I couldn't send you a direct message")
    ]


async def test_a_decline_reaches_a_mentor_with_closed_dms_in_their_session_thread() -> None:
    core = await closed_dms_core("bob")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    assert core.chat.messages("send_dm", user=core.user("carol"))  # carol's DMs are open
    await core.reply(DeclineHandOver(core.actor("carol"), n))
    [told] = _addressed_to(core, n, "bob")
    assert told.plain() == (
        f"@bob, I couldn't send you a direct message, so here it is: the mentor you asked "
        f"can't take over #{n}; it stays with you. You can ask someone else with "
        f"`/mentor handover {n} @someone`."
    )  # the thread's other readers (the asker; in a public one, the channel) learn no name
    assert told.mentions() == (core.user("bob"),)  # it pings bob and nobody else
    assert told in core.chat.messages("post_in_thread", thread=core.chat.thread_of(n))
    assert core.chat.dms(core.user("bob")) == []
    rows = [r for r in core.db.tables["outbox"].values() if r.delivery.user == core.user("bob")]
    assert [r.state for r in rows] == ["sent"]


async def test_an_admins_hand_over_reaches_the_mentor_with_closed_dms_in_their_old_thread() -> None:
    core = await closed_dms_core("bob")
    n = await core.claimed(asker="alice", mentor="bob")
    old_thread = core.chat.thread_of(n)
    await core.reply(hand_over(core, "admin", n, "carol"))
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    [told] = _addressed_to(core, n, "bob")
    assert told.plain().endswith(
        f"here it is: An admin handed your session on #{n} over to carol, so it is theirs now "
        "and you can stop working on it. Thank you for your help!"
    )
    assert told.mentions() == (core.user("bob"),)
    assert told in core.chat.messages("post_in_thread", thread=old_thread)


async def test_an_admin_with_closed_dms_is_not_told_a_decline_in_the_session_thread() -> None:
    # The admin is no member of the thread: a mention would pull them into a private one.
    core = await closed_dms_core("admin")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "admin", n, "carol"))
    await core.reply(DeclineHandOver(core.actor("carol"), n))
    assert not any("can't take over" in m.plain() for m in core.chat.messages("post_in_thread"))
    assert [c.args["user"] for c in core.chat.calls if c.method == "refused_dm"] == [
        core.user("admin")
    ]


@pytest.mark.parametrize("by", ["alice", "dave"])
async def test_an_anonymous_sessions_decline_for_a_mentor_with_closed_dms_names_only_them(
    by: str,
) -> None:
    # The asker of an anonymous question (asked as any mentor) or another mentor declines:
    # bob hears it in the private session thread, which mentions him alone.
    core = await closed_dms_core("bob")
    await core.join("alice", "pandas")
    await core.join("dave", "pandas")
    n = await anonymous_claimed(core)
    await core.reply(hand_over(core, "bob", n, by))
    if by == "alice":
        await core.reply(AcceptHandOver(core.actor("alice"), n))  # her own: a "can't"
    else:
        await core.reply(DeclineHandOver(core.actor("dave"), n))
    [told] = _addressed_to(core, n, "bob")
    assert f"the mentor you asked can't take over #{n}; it stays with you." in told.plain()
    assert by not in told.plain().removeprefix("@bob")
    assert told.mentions() == (core.user("bob"),)
    [opened] = core.chat.of("open_thread")
    assert opened.args["private"] is True
    assert told in core.chat.messages("post_in_thread", thread=opened.result)
    # Nowhere public names the asker.
    public = [*core.chat.messages("post_card"), *core.chat.messages("update_card")]
    assert all(core.user("alice") not in m.mentions() for m in public)
    assert all("alice" not in m.plain() for m in public)


@pytest.mark.parametrize("by", ["bob", "admin"])
async def test_an_offer_that_cannot_reach_the_mentor_asked_is_withdrawn_and_whoever_asked_told(
    by: str,
) -> None:
    core = await closed_dms_core("carol")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, by, n, "carol"))
    assert core.question(n).handover_to == core.user("carol")  # not heard back yet
    await core.tick()  # the refusal, taken in as an input, is decided
    q = core.question(n)
    assert (q.mentor, q.handover_to, q.handover_by) == (core.user("bob"), None, None)
    stays = "with you" if by == "bob" else "with its mentor"
    [told] = [d for d in core.chat.dms(core.user(by)) if "couldn't reach" in d]
    assert told == (
        "I couldn't reach carol by direct message, so they never saw "
        f"your request to take over #{n}; it stays {stays}. You can ask someone else with "
        f"`/mentor handover {n} @someone`."
    )
    # Asked again once their DMs are open, carol can take it.
    core.chat.closed.clear()
    await core.reply(hand_over(core, by, n, "carol"))
    await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert core.question(n).mentor == core.user("carol")


async def test_an_unreachable_offer_already_replaced_or_answered_changes_nothing() -> None:
    core = await closed_dms_core("carol")
    await core.join("dave", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    await core.reply(hand_over(core, "bob", n, "dave"))  # before the refusal is decided
    await core.tick()
    q = core.question(n)
    assert (q.mentor, q.handover_to) == (core.user("bob"), core.user("dave"))
    assert not any("couldn't reach" in d for d in core.chat.dms(core.user("bob")))
    await core.reply(AcceptHandOver(core.actor("dave"), n))
    await core.reply(HandOverUnreachable(q.pk, core.user("dave")))  # a late report, say
    assert core.question(n).mentor == core.user("dave")
    assert not any("couldn't reach" in d for d in core.chat.dms(core.user("bob")))


async def test_the_refusal_is_taken_in_once_however_often_the_delivery_is_tried() -> None:
    core = await closed_dms_core("carol")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    [row] = [r for r in core.db.tables["outbox"].values() if r.delivery.if_refused is not None]
    assert row.state == "failed"
    # A crash between the report and the row's settling: the delivery is tried again.
    row.state, row.lease_until, row.due_at = "pending", None, core.clock.now()
    await core.tick()
    reports = [r for r in core.db.tables["inbox"].values() if r.key == f"refused:{row.key}"]
    assert len(reports) == 1 and reports[0].state == "done"
    assert len([d for d in core.chat.dms(core.user("bob")) if "couldn't reach" in d]) == 1


async def test_a_second_hand_over_withdraws_the_first_and_tells_the_mentor_first_asked(
    core: Core,
) -> None:
    await core.join("dave", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    said = await core.reply(hand_over(core, "bob", n, "dave"))
    assert said == (
        f"Asked dave to take over #{n} (the request to carol is withdrawn). "
        "It stays with you until dave accepts."
    )
    withdrawn = core.chat.dms(core.user("carol"))[-1]
    assert withdrawn.startswith(f"The request to take over #{n} is withdrawn")
    said = await core.reply(AcceptHandOver(core.actor("carol"), n))  # her old button
    assert said == f"There's no hand-over of #{n} waiting for you."
    assert core.chat.dms(core.user("bob")) == []  # he replaced his own request: nothing to tell
    await core.reply(AcceptHandOver(core.actor("dave"), n))
    assert core.question(n).mentor == core.user("dave")


async def test_a_mentor_replacing_an_admins_hand_over_tells_the_admin(core: Core) -> None:
    await core.join("dave", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "admin", n, "carol"))
    await core.reply(hand_over(core, "bob", n, "dave"))
    [told] = core.chat.dms(core.user("admin"))
    assert told == (
        f"bob asked another mentor to take over #{n}, in place of carol, who is told it's "
        "withdrawn."
    )
    assert core.chat.dms(core.user("carol"))[-1].startswith(f"The request to take over #{n}")


async def test_an_offer_that_fails_on_every_attempt_is_reported_once_it_is_given_up() -> None:
    core = await start_core(chat=_ClosedDms("carol", failing=True))
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    for _ in range(10):  # every retry, with its back-off, until the outbox gives up
        core.clock.advance(timedelta(minutes=1))
        await core.tick()
    [told] = [d for d in core.chat.dms(core.user("bob")) if "couldn't reach" in d]
    assert told.startswith("I couldn't reach carol by direct message, so they never saw")
    assert core.question(n).handover_to is None


async def test_an_offer_ends_with_the_session_it_was_about(core: Core) -> None:
    """bob offered #n to carol, then released it; dave claimed it. carol's Accept on the old
    offer took dave's session from him, though nobody had asked her."""
    from bot.commands import ClaimQuestion, ReleaseQuestion

    await core.join("dave", "pandas")
    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert core.question(n).handover_to is None
    assert (await core.reply(ClaimQuestion(core.actor("dave"), n))).startswith("You claimed")
    said = await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert said == f"There's no hand-over of #{n} waiting for you.", said
    assert core.question(n).mentor == core.user("dave")


@pytest.mark.parametrize(
    ("ending", "why"),
    [
        ("release", "it went back to the queue"),
        ("resolve", "its session is resolved"),
        ("cancel", "the question was cancelled"),
        ("expire", "its session ended"),
        ("forget", "the question was withdrawn"),
    ],
)
async def test_an_offer_ended_with_its_session_is_withdrawn_and_the_mentor_asked_told(
    core: Core, ending: str, why: str
) -> None:
    """The offer ends with any move of its question; carol, asked with buttons that would now
    do nothing, heard nothing until she pressed Accept."""
    from bot.commands import CancelQuestion, ReleaseQuestion, ResolveQuestion
    from bot.privacy.commands import ForgetPerson

    n = await core.claimed(asker="alice", mentor="bob")
    await core.reply(hand_over(core, "bob", n, "carol"))
    offered = len(core.chat.dms(core.user("carol")))
    if ending == "release":
        await core.handle(ReleaseQuestion(core.actor("bob"), n))
    elif ending == "resolve":
        await core.handle(ResolveQuestion(core.actor("alice"), n))
    elif ending == "cancel":
        await core.handle(CancelQuestion(core.actor("admin"), n))
    elif ending == "forget":
        await core.handle(ForgetPerson(core.actor("admin"), core.user("alice"), confirmed=True))
    else:
        for minutes in (20, 10):  # the wrap-up, then its grace with no answer
            core.clock.advance(timedelta(minutes=minutes))
            await core.tick()
        assert core.question(n).state is QuestionState.EXPIRED
    withdrawn = [d for d in core.chat.dms(core.user("carol"))[offered:] if "take over" in d]
    then = (
        "You can still claim it there if you'd like to take it."
        if ending == "release"  # back in the queue
        else "There's nothing for you to do. Thank you all the same!"
    )
    assert withdrawn == [f"The request to take over #{n} is withdrawn: {why}. {then}"]
    said = await core.reply(AcceptHandOver(core.actor("carol"), n))
    assert said == f"There's no hand-over of #{n} waiting for you."


async def test_a_session_ended_without_an_offer_tells_no_other_mentor(core: Core) -> None:
    from bot.commands import ResolveQuestion

    n = await core.claimed(asker="alice", mentor="bob")
    await core.handle(ResolveQuestion(core.actor("alice"), n))
    assert [d for d in core.chat.dms(core.user("carol")) if "take over" in d] == []
