"""Privacy storage on SQLite and PostgreSQL: sign-in links work once (even two uses at once),
sessions expire, the daily retention run is stored once whatever the number of replicas, and
offboarding releases claims on the real database."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from bot.app import App
from bot.clock import ManualClock
from bot.commands import (
    AcceptHandOver,
    Actor,
    AskQuestion,
    ClaimQuestion,
    DeclineHandOver,
    HandOverQuestion,
    RateSession,
    RegisterMentor,
    RegisterWorkspace,
    ReleaseQuestion,
    ResolveQuestion,
)
from bot.config import Config
from bot.domain import PointsEntry, Question, QuestionState
from bot.flow.outbox import SCRUBBED, Delivery, Op, OutboxItem
from bot.learning.commands import SaveFaq
from bot.lightning.model import Lightning, LightningState, Rsvp
from bot.main import build_app
from bot.messages import ChatMessage, text
from bot.privacy.commands import ForgetPerson, OpenDashboard, PersonLeft
from bot.privacy.model import PastCards, PersonData
from bot.privacy.signin import issue_link, sign_in, token_hash
from bot.recognition.model import Kudos, PausePeriod
from bot.refs import ChannelRef, MessageRef, UserRef, WorkspaceRef
from schedules import queue_retention
from storage.uow import SqlUnitOfWork
from tests.unit.fake_chat import FakeChat

WS = WorkspaceRef("test", "T1")
ADMIN = UserRef("test", "A1")
UowFactory = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@asynccontextmanager
async def _admins_app(db_url: str, *more_admins: UserRef) -> AsyncIterator[App]:
    """The bot on `db_url` with workspace WS set up and ADMIN (and `more_admins`) its admins."""
    admins = [a.key() for a in (ADMIN, *more_admins)]
    config = Config.model_validate({"bot": {"admins": admins}})
    app = await build_app(
        config,
        clock=ManualClock(T0),
        gateways={"test": FakeChat(platform="test")},
        database_url=db_url,
    )
    try:
        await app.bus.handle(
            RegisterWorkspace(WS, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
        )
        yield app
    finally:
        await app.dispose()


async def test_a_link_signs_in_once_even_when_used_twice_at_once(uow_factory: UowFactory) -> None:
    config = Config()
    async with uow_factory() as uow:
        token = await issue_link(
            uow, admin=ADMIN, name="ada", workspaces=(WS,), now=T0, config=config
        )
        await uow.commit()

    async def use() -> bool:
        async with uow_factory() as uow:
            got = await sign_in(uow, token, now=T0 + timedelta(minutes=1), config=config)
            await uow.commit()
            return got is not None

    wins = await asyncio.gather(use(), use(), return_exceptions=True)
    assert [w for w in wins if w is True] == [True]
    async with uow_factory() as uow:
        [entry] = await uow.audit.recent([WS], limit=5)
    assert entry.action == "dashboard sign-in" and entry.actor == ADMIN


async def test_a_link_expires_after_ten_minutes_and_a_session_after_eight_hours(
    uow_factory: UowFactory,
) -> None:
    config = Config()
    async with uow_factory() as uow:
        late = await issue_link(uow, admin=ADMIN, name="", workspaces=(WS,), now=T0, config=config)
        fresh = await issue_link(uow, admin=ADMIN, name="", workspaces=(WS,), now=T0, config=config)
        await uow.commit()
    async with uow_factory() as uow:
        assert await sign_in(uow, late, now=T0 + timedelta(minutes=11), config=config) is None
        started = await sign_in(uow, fresh, now=T0 + timedelta(minutes=9), config=config)
        await uow.commit()
    assert started is not None
    session = token_hash(started[0])
    async with uow_factory() as uow:
        at = T0 + timedelta(hours=8)
        assert await uow.privacy.use_grant(session, "session", at) is not None
        assert await uow.privacy.use_grant(session, "session", at + timedelta(minutes=10)) is None
        # A session token is not a link, nor the other way round.
        assert await uow.privacy.use_grant(session, "link", at) is None


async def test_two_replicas_queue_one_retention_run_a_day(db_url: str) -> None:
    clock = ManualClock(T0)
    apps = [
        await build_app(Config(), clock=clock, gateways={"test": FakeChat()}, database_url=db_url)
        for _ in range(2)
    ]
    try:
        stored = await asyncio.gather(*(queue_retention(app) for app in apps))
        assert sorted(stored) == [False, True]
        assert not await queue_retention(apps[0])  # later the same day: still one
        clock.advance(timedelta(days=1))
        assert await queue_retention(apps[1])  # the next day's run
    finally:
        for app in apps:
            await app.dispose()


async def test_a_member_who_left_is_released_and_no_longer_suggested(db_url: str) -> None:
    clock = ManualClock(T0)
    chat = FakeChat(platform="test")
    app = await build_app(Config(), clock=clock, gateways={"test": chat}, database_url=db_url)
    try:
        await app.bus.handle(
            RegisterWorkspace(WS, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
        )
        bob = Actor(UserRef("test", "bob"), "bob", WS)
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        await app.bus.handle(RegisterMentor(bob, ("pandas",)))
        await app.bus.handle(
            AskQuestion(alice, "How do I group a pandas DataFrame by two columns?")
        )
        await app.bus.handle(ClaimQuestion(bob, 1))
        await app.bus.handle(PersonLeft(bob.user, WS))
        async with app.uow_factory() as uow:
            q = await uow.questions.get_by_number(WS, 1)
            profile = await uow.mentors.get(bob.user, WS)
            mentors = await uow.mentors.in_workspace(WS)
            assert await uow.privacy.left_at(bob.user) == T0
        assert q is not None and q.state.value == "open" and q.mentor is None
        assert profile is not None and not profile.active
        assert mentors == []
    finally:
        await app.dispose()


async def test_someone_who_left_and_acts_again_is_back(db_url: str) -> None:
    """Offboarding is recorded on the person; their next command (here joining again as a
    mentor) clears it. Stopping mentoring records nothing."""
    clock = ManualClock(T0)
    app = await build_app(
        Config(), clock=clock, gateways={"test": FakeChat(platform="test")}, database_url=db_url
    )
    try:
        await app.bus.handle(
            RegisterWorkspace(WS, ChannelRef("test", "mentoring"), ChannelRef("test", "admins"))
        )
        bob = Actor(UserRef("test", "bob"), "bob", WS)
        await app.bus.handle(RegisterMentor(bob, ("pandas",)))
        await app.bus.handle(PersonLeft(bob.user, WS))
        async with app.uow_factory() as uow:
            person = await uow.people.get(bob.user)
        assert person is not None and person.left_at == T0
        clock.advance(timedelta(days=1))
        await app.bus.handle(RegisterMentor(bob, ("pandas",)))
        async with app.uow_factory() as uow:
            assert await uow.privacy.left_at(bob.user) is None
            profile = await uow.mentors.get(bob.user, WS)
        assert profile is not None and profile.active
    finally:
        await app.dispose()


async def test_forgetting_reaches_the_lists_that_name_someone_and_the_faqs_copy(
    db_url: str,
) -> None:
    """Suggested, notified and released lists hold the tombstone instead of the person; an FAQ
    entry's copy of a forgotten (named) asker's question reads as its topics instead."""
    async with _admins_app(db_url) as app:
        bob = Actor(UserRef("test", "bob"), "bob", WS)
        cleo = Actor(UserRef("test", "cleo"), "cleo", WS)
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        admin = Actor(ADMIN, "ada", WS)
        await app.bus.handle(RegisterMentor(bob, ("pandas",)))
        await app.bus.handle(RegisterMentor(cleo, ("pandas",)))
        asked = "How do I group a pandas DataFrame by two columns?"
        await app.bus.handle(AskQuestion(alice, asked))
        await app.bus.handle(ClaimQuestion(cleo, 1))
        await app.bus.handle(ResolveQuestion(alice, 1))
        await app.bus.handle(SaveFaq(cleo, 1, "df.groupby(['a', 'b']) — then .agg()."))
        await app.bus.handle(AskQuestion(alice, "How do I pivot a pandas DataFrame wide?"))
        await app.bus.handle(ClaimQuestion(bob, 2))
        await app.bus.handle(ReleaseQuestion(bob, 2))
        async with app.uow_factory() as uow:
            q1 = await uow.questions.get_by_number(WS, 1)
            q2 = await uow.questions.get_by_number(WS, 2)
            talk = await uow.lightning.add(
                Lightning(WS, "pandas", T0, invited=(bob.user, cleo.user), declined=(bob.user,))
            )
            await uow.commit()
        assert q1 is not None and {bob.user, cleo.user} <= set(q1.suggested)
        assert q2 is not None and bob.user in q2.released_by
        await app.bus.handle(ForgetPerson(admin, bob.user, "bob", confirmed=True))
        await app.bus.handle(ForgetPerson(admin, alice.user, "alice", confirmed=True))
        async with app.uow_factory() as uow:
            q1 = await uow.questions.get_by_number(WS, 1)
            q2 = await uow.questions.get_by_number(WS, 2)
            faq = await uow.faq.for_question(1)
            session = await uow.lightning.get(talk.stored_id)
        assert session is not None and bob.user not in {*session.invited, *session.declined}
        assert cleo.user in session.invited and len(session.declined) == 1
        assert q1 is not None and q2 is not None
        for q in (q1, q2):
            assert bob.user not in {*q.suggested, *q.released_by, *q.notified}
        assert any(u.id.startswith("forgotten-") for u in q1.suggested)
        assert any(u.id.startswith("forgotten-") for u in q2.released_by)
        assert cleo.user in q1.suggested  # the others stay
        assert faq is not None
        # A named asker's words give way to the entry's topics (it is still found by them).
        assert faq.question == "A question about pandas"
        assert faq.answer.startswith("df.groupby")  # the mentor's answer is theirs


async def test_a_forgotten_admins_hand_over_offer_stands_and_its_decline_tells_only_the_mentor(
    db_url: str,
) -> None:
    """Who asked for a waiting hand-over becomes the tombstone: the offer stands, and its
    Decline tells only the mentor (told of the offer when it was made) that it is off: no DM
    to a tombstone; a later offer replaces it."""
    other = UserRef("test", "A2")
    async with _admins_app(db_url, other) as app:
        bob, cleo, dan, alice = (
            Actor(UserRef("test", n), n, WS) for n in ("bob", "cleo", "dan", "alice")
        )
        ada, olga = Actor(ADMIN, "ada", WS), Actor(other, "olga", WS)
        for mentor in (bob, cleo, dan):
            await app.bus.handle(RegisterMentor(mentor, ("pandas",)))
        await app.bus.handle(AskQuestion(alice, "How do I group a pandas DataFrame by two keys?"))
        await app.bus.handle(ClaimQuestion(bob, 1))
        await app.bus.handle(HandOverQuestion(ada, 1, cleo.user))
        await app.bus.handle(ForgetPerson(olga, ADMIN, "ada", confirmed=True))
        async with app.uow_factory() as uow:
            q = await uow.questions.get_by_number(WS, 1)
        assert q is not None and q.handover_to == cleo.user
        assert q.handover_by is not None and q.handover_by.id.startswith("forgotten-")
        async with app.engine.connect() as conn:
            before = (await conn.execute(sa.text("SELECT max(id) FROM outbox"))).scalar_one()
        await app.bus.handle(DeclineHandOver(cleo, 1))
        async with app.engine.connect() as conn:
            rows = await conn.execute(
                sa.text("SELECT spec FROM outbox WHERE id > :before"), {"before": before}
            )
            said = [str(spec) for (spec,) in rows]
        assert len(said) == 1, said  # no DM to a tombstone
        assert bob.user.key() in said[0] and "forgotten-" not in said[0]
        assert "The offer of your session on " in said[0] and " is off: " in said[0]
        await app.bus.handle(HandOverQuestion(olga, 1, dan.user))
        await app.bus.handle(AcceptHandOver(dan, 1))
        async with app.uow_factory() as uow:
            q = await uow.questions.get_by_number(WS, 1)
        assert q is not None and q.mentor == dan.user and q.handover_by is None


async def test_forgetting_someone_an_admin_handed_a_session_to_leaves_no_id_in_the_audit(
    db_url: str,
) -> None:
    """The audit keeps that a hand-over happened, to whom as nobody: not the forgotten
    person's platform id in its detail."""
    async with _admins_app(db_url) as app:
        bob, cleo, dan, alice = (
            Actor(UserRef("test", n), n, WS) for n in ("bob", "cleo", "dan", "alice")
        )
        ada = Actor(ADMIN, "ada", WS)
        for mentor in (bob, cleo, dan):
            await app.bus.handle(RegisterMentor(mentor, ("pandas",)))
        await app.bus.handle(AskQuestion(alice, "How do I group a pandas DataFrame by two keys?"))
        await app.bus.handle(ClaimQuestion(bob, 1))
        await app.bus.handle(HandOverQuestion(ada, 1, cleo.user))
        await app.bus.handle(HandOverQuestion(ada, 1, dan.user))  # not to the one forgotten
        await app.bus.handle(ForgetPerson(ada, cleo.user, "cleo", confirmed=True))
        async with app.uow_factory() as uow:
            trail = await uow.audit.recent([WS], limit=10, action="handover")
        details = sorted(e.detail for e in trail)
        assert details[0] == "to test:dan", details
        assert details[1].startswith("to test:forgotten-"), details


async def test_a_mentor_forgotten_while_a_rating_settles_earns_no_badge_as_a_tombstone(
    db_url: str,
) -> None:
    """The look at a good rating comes when its change window closes; by then the mentor's
    nudge, session and all are the tombstone's, which must earn nothing."""
    async with _admins_app(db_url) as app:
        bob = Actor(UserRef("test", "bob"), "bob", WS)
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        await app.bus.handle(RegisterMentor(bob, ("pandas",)))
        await app.bus.handle(
            AskQuestion(alice, "How do I group a pandas DataFrame by two columns?")
        )
        await app.bus.handle(ClaimQuestion(bob, 1))
        await app.bus.handle(ResolveQuestion(bob, 1))
        await app.bus.handle(RateSession(alice, 1, 5))
        admin = Actor(ADMIN, "Admin", WS)
        await app.bus.handle(ForgetPerson(admin, bob.user, confirmed=True))
        assert isinstance(app.clock, ManualClock)
        app.clock.advance(timedelta(minutes=11))
        await app.runtime.drain()
        async with app.uow_factory() as uow:
            [q] = [await uow.questions.get_by_number(WS, 1)]
            assert q is not None and q.mentor is not None
            assert await uow.badges.of(q.mentor) == []
            assert [b.badge for b in await uow.badges.of(alice.user)] == ["first_question"]


async def test_forget_and_export_on_the_real_database(db_url: str) -> None:
    async with _admins_app(db_url) as app:
        bob = Actor(UserRef("test", "bob"), "bob", WS)
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        admin = Actor(ADMIN, "ada", WS)
        await app.bus.handle(RegisterMentor(bob, ("pandas",)))
        await app.bus.handle(
            AskQuestion(alice, "How do I group a pandas DataFrame by two columns?")
        )
        await app.bus.handle(ClaimQuestion(bob, 1))
        async with app.uow_factory() as uow:
            before = await uow.privacy.person_data(bob.user)
        assert [s["number"] for s in before.sections["sessions_mentored"]] == [1]
        await app.bus.handle(ForgetPerson(admin, bob.user, "bob", confirmed=True))
        async with app.uow_factory() as uow:
            after = await uow.privacy.person_data(bob.user)
            q = await uow.questions.get_by_number(WS, 1)
            [entry] = await uow.audit.recent([WS], limit=5, action="forget")
        assert not after.found()
        assert q is not None and q.state.value == "open" and q.mentor is None
        assert entry.subject.startswith("test:forgotten-")


async def test_an_admins_export_leaves_out_what_someone_asked_anonymously_their_own_has_it(
    db_url: str,
) -> None:
    """Not the question, nor what points at it (their rating of the session, its points, the
    mentor's clarity score of it): an admin reading it could match them to the card."""
    async with _admins_app(db_url) as app:
        bob = Actor(UserRef("test", "bob"), "bob", WS)
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        await app.bus.handle(RegisterMentor(bob, ("pandas",)))
        await app.bus.handle(AskQuestion(alice, "How do I group a pandas DataFrame by two keys?"))
        await app.bus.handle(
            AskQuestion(alice, "How do I pivot a pandas DataFrame wide?", anonymous=True)
        )
        for n in (1, 2):
            await app.bus.handle(ClaimQuestion(bob, n))
            await app.bus.handle(ResolveQuestion(alice, n))
            await app.bus.handle(RateSession(alice, n, 5))
            await app.bus.handle(RateSession(bob, n, 4))
        async with app.uow_factory() as uow:
            ids = {n: (await uow.questions.get_by_number(WS, n)) for n in (1, 2)}
            shown = await uow.privacy.person_data(alice.user, workspace=WS, anonymous=False)
            whole = await uow.privacy.person_data(alice.user)
        public, secret = (ids[n].pk for n in (1, 2) if ids[n] is not None)

        def question_ids(data: PersonData) -> set[int]:
            found = {r["id"] for r in data.sections["questions_asked"]}
            for section in ("ratings_given", "ratings_received", "points"):
                found |= {r["question_id"] for r in data.sections[section] if r["question_id"]}
            return found

        assert question_ids(whole) == {public, secret}
        assert question_ids(shown) == {public}
        assert "pivot" not in json.dumps(shown.sections, default=str)
        assert [r["question_id"] for r in shown.sections["ratings_received"]] == [public]


async def test_an_admins_export_has_no_first_question_dates_when_it_was_anonymous(
    db_url: str,
) -> None:
    """The first-question badge and the askers' course begin with the first question: their
    dates would point at its anonymous card."""
    async with _admins_app(db_url) as app:
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        await app.bus.handle(RegisterMentor(Actor(UserRef("test", "bob"), "bob", WS), ("pandas",)))
        await app.bus.handle(
            AskQuestion(alice, "How do I pivot a pandas DataFrame wide?", anonymous=True)
        )
        await app.bus.handle(AskQuestion(alice, "How do I group a pandas DataFrame by two keys?"))
        async with app.uow_factory(read_only=True) as uow:
            shown = await uow.privacy.person_data(alice.user, workspace=WS, anonymous=False)
            whole = await uow.privacy.person_data(alice.user)
        assert [b["badge"] for b in whole.sections["badges"]] == ["first_question"]
        assert [c["track"] for c in whole.sections["courses"]] == ["mentee"]
        assert shown.sections["badges"] == [] and shown.sections["courses"] == []
        assert len(shown.sections["questions_asked"]) == 1  # the named one


async def test_someone_who_only_asked_anonymously_is_not_found_among_the_people(
    db_url: str,
) -> None:
    """A new name on People at the moment an anonymous card appears would say who asked."""
    async with _admins_app(db_url) as app:
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        await app.bus.handle(RegisterMentor(Actor(UserRef("test", "bob"), "bob", WS), ("pandas",)))
        await app.bus.handle(
            AskQuestion(alice, "How do I pivot a pandas DataFrame wide?", anonymous=True)
        )

        async def found() -> tuple[set[str], bool]:
            async with app.uow_factory(read_only=True) as uow:
                paged, _ = await uow.people.seen_in(WS, "", limit=10)
                return {r[0].id for r in paged}, await uow.people.is_seen_in(WS, alice.user)

        assert await found() == ({"bob"}, False)
        await app.bus.handle(AskQuestion(alice, "How do I group a pandas DataFrame by two keys?"))
        assert await found() == ({"alice", "bob"}, True)


async def test_a_search_for_people_takes_percent_and_underscore_as_typed(db_url: str) -> None:
    async with _admins_app(db_url) as app:
        for name in ("bob", "ann_lee"):
            actor = Actor(UserRef("test", name), name, WS)
            await app.bus.handle(RegisterMentor(actor, ("pandas",)))
        async with app.uow_factory(read_only=True) as uow:
            found = {
                typed: {r[0].id for r in (await uow.people.seen_in(WS, typed, limit=10))[0]}
                for typed in ("%", "_", "n_l", "")
            }
            assert await uow.people.is_seen_in(WS, UserRef("test", "bob"))
            assert not await uow.people.is_seen_in(WS, UserRef("test", "bo"))
    assert found == {"%": set(), "_": {"ann_lee"}, "n_l": {"ann_lee"}, "": {"bob", "ann_lee"}}


async def test_a_search_for_people_folds_every_letter_not_only_ascii(db_url: str) -> None:
    """ "émile" finds Émile, and names sort as read ("Zoë" after "Émile" after "bob"), on
    SQLite as on PostgreSQL (SQLite's own lower() leaves É as it is)."""
    async with _admins_app(db_url) as app:
        for key, name in (("emile", "Émile"), ("zoe", "Zoë"), ("bob", "bob"), ("oscar", "ÖSCAR")):
            await app.bus.handle(RegisterMentor(Actor(UserRef("test", key), name, WS), ("pandas",)))
        async with app.uow_factory(read_only=True) as uow:
            found = {
                typed: {r[0].id for r in (await uow.people.seen_in(WS, typed, limit=10))[0]}
                for typed in ("émile", "ÉMILE", "zoë", "öscar")
            }
    assert found == {"émile": {"emile"}, "ÉMILE": {"emile"}, "zoë": {"zoe"}, "öscar": {"oscar"}}


async def test_a_mentor_of_two_workspaces_is_exported_listed_once_and_forgotten_in_both(
    db_url: str,
) -> None:
    other = WorkspaceRef("test", "T2")
    async with _admins_app(db_url) as app:
        await app.bus.handle(
            RegisterWorkspace(other, ChannelRef("test", "m2"), ChannelRef("test", "a2"))
        )
        bob = UserRef("test", "bob")
        await app.bus.handle(RegisterMentor(Actor(bob, "bob", WS), ("pandas",)))
        await app.bus.handle(RegisterMentor(Actor(bob, "bob", other), ("kubernetes",)))
        async with app.uow_factory() as uow:
            data = await uow.privacy.person_data(bob)
            listed = [(await uow.people.seen_in(ws, "bob", limit=10))[0] for ws in (WS, other)]
        profiles = data.sections["mentor_profile"]
        assert sorted((p["workspace"], tuple(p["skills"])) for p in profiles) == [
            ("test:T1", ("pandas",)),
            ("test:T2", ("kubernetes",)),
        ]
        for rows in listed:  # once in each workspace's list, mentoring there
            assert [(ref, active) for ref, _, active, _ in rows] == [(bob, True)]
        # An admin of one workspace can't erase them in the other; the operator can.
        admin = Actor(ADMIN, "ada", WS)
        [refused] = await app.bus.handle(ForgetPerson(admin, bob, "bob", confirmed=True))
        assert "another workspace" in refused.plain()
        async with app.uow_factory() as uow:
            assert len(await uow.mentors.of_person(bob)) == 2
        await app.bus.handle(ForgetPerson(admin, bob, "bob", confirmed=True, everywhere=True))
        async with app.uow_factory() as uow:
            left = await uow.mentors.of_person(bob)
            in_other = await uow.mentors.in_workspace(other)
        assert left == [] and in_other == []


async def test_one_workspaces_data_holds_only_its_rows_and_workspaces_of_names_each(
    db_url: str,
) -> None:
    """bob asks, mentors, is rated, thanked, scored and signs up for a lightning session in two
    workspaces (one Discord user in two servers): `person_data(workspace=...)` holds the rows of
    that one, by their own column, their question or their session; a pause of no workspace
    (recorded before pauses had one) only in the data of everywhere."""
    other = WorkspaceRef("test", "T2")
    async with _admins_app(db_url) as app:
        await app.bus.handle(
            RegisterWorkspace(other, ChannelRef("test", "m2"), ChannelRef("test", "a2"))
        )
        bob, cleo = UserRef("test", "bob"), UserRef("test", "cleo")
        ids: dict[WorkspaceRef, int] = {}
        talks: dict[WorkspaceRef, int] = {}
        for ws, skill, asked in (
            (WS, "pandas", "How do I group a pandas DataFrame by two columns?"),
            (other, "kubernetes", "How do I roll back a kubernetes deployment?"),
        ):
            await app.bus.handle(RegisterMentor(Actor(bob, "bob", ws), (skill,)))
            await app.bus.handle(RegisterMentor(Actor(cleo, "cleo", ws), (skill,)))
            # bob asks one (cleo mentors, rates its clarity) and mentors one of cleo's.
            await app.bus.handle(AskQuestion(Actor(bob, "bob", ws), asked))
            await app.bus.handle(ClaimQuestion(Actor(cleo, "cleo", ws), 1))
            await app.bus.handle(ResolveQuestion(Actor(bob, "bob", ws), 1))
            await app.bus.handle(RateSession(Actor(bob, "bob", ws), 1, 5))
            await app.bus.handle(RateSession(Actor(cleo, "cleo", ws), 1, 4))
            await app.bus.handle(AskQuestion(Actor(cleo, "cleo", ws), asked + " Again?"))
            await app.bus.handle(ClaimQuestion(Actor(bob, "bob", ws), 2))
            async with app.uow_factory() as uow:
                q1 = await uow.questions.get_by_number(ws, 1)
                q2 = await uow.questions.get_by_number(ws, 2)
                assert q1 is not None and q1.pk is not None and q2 is not None and q2.pk
                ids[ws] = q1.pk
                await uow.kudos.add(Kudos(ws, cleo, bob, f"thanks in {ws.id}", T0))
                await uow.kudos.add(Kudos(ws, bob, cleo, f"thanks back in {ws.id}", T0))
                await uow.points.add(PointsEntry(ws, bob, 3, "test", T0, q2.pk))
                await uow.not_my_area.add(mentor=bob, question_id=q1.pk, topics=[skill], at=T0)
                assert await uow.followups.share(q1.pk, bob, T0)  # "Share summary" consent
                talk = await uow.lightning.add(Lightning(ws, skill, T0, speaker=cleo))
                assert talk is not None
                talks[ws] = talk.stored_id  # the export names the internal id
                await uow.lightning.add_rsvp(Rsvp(talk.stored_id, bob, T0))
                await uow.commit()
        async with app.uow_factory() as uow:
            await uow.streaks.add_pause(PausePeriod(bob, T0, T0 + timedelta(days=7)))
            await uow.commit()
        async with app.uow_factory(read_only=True) as uow:
            everywhere = await uow.privacy.person_data(bob)
            here = await uow.privacy.person_data(bob, workspace=WS)
            there = await uow.privacy.person_data(bob, workspace=other)
            nobody = await uow.privacy.person_data(UserRef("test", "zed"), workspace=WS)
            where = await uow.privacy.workspaces_of(bob)
            where_cleo = await uow.privacy.workspaces_of(cleo)
            assert await uow.privacy.workspaces_of(UserRef("test", "zed")) == set()
        assert where == {WS, other} and where_cleo == {WS, other}
        assert everywhere.workspace is None and here.workspace == WS
        assert not nobody.found() and here.found()
        assert here.sections["person"] == everywhere.sections["person"] != []
        assert everywhere.sections["pauses"] and here.sections["pauses"] == []
        for name, rows in everywhere.sections.items():
            if name in ("person", "pauses"):
                continue
            # Every row in exactly one of the two; each has its own rows.
            assert len(here.sections[name]) + len(there.sections[name]) == len(rows), name
            for data, ws in ((here, WS), (there, other)):
                assert all(r.get("workspace", ws.key()) == ws.key() for r in data.sections[name])
        for name in (
            "mentor_profile",
            "questions_asked",
            "sessions_mentored",
            "ratings_given",
            "ratings_received",
            "points",
            "kudos_given",
            "kudos_received",
            "not_my_area",
            "summary_shares",
            "lightning_signups",
        ):
            assert here.sections[name] and there.sections[name], name
        assert json.dumps(here.sections).count("kubernetes") == 0
        assert json.dumps(there.sections).count("pandas") == 0
        assert [r["question_id"] for r in here.sections["ratings_given"]] == [ids[WS]]
        assert [r["question_id"] for r in there.sections["not_my_area"]] == [ids[other]]
        assert [r["question_id"] for r in there.sections["summary_shares"]] == [ids[other]]
        assert [r["lightning_id"] for r in there.sections["lightning_signups"]] == [talks[other]]
        for rows in (here.sections["questions_asked"], here.sections["mentor_profile"]):
            assert [r["workspace"] for r in rows] == [WS.key()]


async def test_an_askers_export_says_who_resolved_as_they_know_them_and_names_no_admin(
    db_url: str,
) -> None:
    async with _admins_app(db_url) as app:
        bob = Actor(UserRef("test", "bob"), "bob", WS)
        alice = Actor(UserRef("test", "alice"), "alice", WS)
        await app.bus.handle(RegisterMentor(bob, ("pandas",)))
        for text in (
            "How do I group a pandas DataFrame by two columns?",
            "How do I pivot a pandas DataFrame wide?",
            "How do I melt a pandas DataFrame long?",
        ):
            await app.bus.handle(AskQuestion(alice, text))
        for n, by in ((1, alice), (2, bob), (3, Actor(ADMIN, "ada", WS))):
            await app.bus.handle(ClaimQuestion(bob, n))
            await app.bus.handle(ResolveQuestion(by, n))
        async with app.uow_factory() as uow:
            data = await uow.privacy.person_data(alice.user)
        asked = data.sections["questions_asked"]
        assert [q["resolved_by"] for q in asked] == ["you", "your mentor", "an admin"]
        assert all(q["mentor"] == bob.user.key() for q in asked)  # shown in their session
        assert ADMIN.key() not in json.dumps(data.sections)


async def test_a_sign_in_link_leaves_the_outbox_once_sent_or_failed_on_the_real_database(
    db_url: str,
) -> None:
    async with _admins_app(db_url) as app:
        await app.bus.handle(OpenDashboard(Actor(ADMIN, "ada", WS)))
        await app.runtime.drain()
        async with app.uow_factory() as uow:
            refused = OutboxItem(
                Delivery(
                    Op.DM,
                    f"u:{ADMIN.key()}",
                    message=ChatMessage(body=text("https://x/admin/signin?token=abc123")),
                    user=ADMIN,
                    secret=True,
                ),
                key="mm-refused",
                due_at=T0,
            )
            await uow.outbox.add_many([refused])
            await uow.commit()
        async with app.uow_factory() as uow:
            [leased] = await uow.outbox.lease(T0, lease=timedelta(minutes=1), limit=10)
            assert leased.id is not None
            await uow.outbox.fail(leased.id, error="refused")
            await uow.commit()
        async with app.engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT state, spec FROM outbox"))).all()
        secrets = [(state, str(spec)) for state, spec in rows if "secret" in str(spec)]
        assert sorted(state for state, _ in secrets) == ["failed", "sent"]
        assert all("token=" not in spec and SCRUBBED in spec for _, spec in secrets)


async def test_workspaces_of_counts_the_lists_naming_someone_and_their_recent_actions(
    uow_factory: UowFactory,
) -> None:
    """A question someone released (they may not claim it again), was suggested or DM'd about,
    a lightning talk they were invited to or declined, and their asks and claims of the `[limits]`
    window: forget rewrites or deletes them all, so they are records of that workspace (an admin
    of another may not erase them). The same JSON-contains test as forget's, on either database;
    an id that only starts the same is not them."""
    other = WorkspaceRef("test", "T2")
    carol, dan, erin, fay = (UserRef("test", n) for n in ("carol", "dan", "erin", "fay"))
    async with uow_factory() as uow:
        await uow.questions.add(
            Question(workspace=WS, asker=ADMIN, text="How?", created_at=T0, released_by=(carol,))
        )
        await uow.questions.add(
            Question(
                workspace=other,
                asker=ADMIN,
                text="Why?",
                created_at=T0,
                suggested=(dan,),
                notified=(dan, erin),
            )
        )
        talk = await uow.lightning.add(Lightning(other, "sql", T0, declined=(fay,)))
        assert talk is not None
        await uow.rate_events.record(WS, fay, "claim", T0)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        assert await uow.privacy.workspaces_of(carol) == {WS}
        assert await uow.privacy.workspaces_of(dan) == {other}
        assert await uow.privacy.workspaces_of(erin) == {other}
        assert await uow.privacy.workspaces_of(fay) == {WS, other}
        assert await uow.privacy.workspaces_of(UserRef("test", "car")) == set()


async def test_past_cards_of_are_the_posted_cards_naming_someone_on_what_is_over(
    uow_factory: UowFactory,
) -> None:
    """What a forget redraws: the resolved questions they mentored and the held or cancelled
    lightning sessions they gave, each with a posted card; not a card still changing (an open
    question, a coming session), nor what the bot never posted, nor someone else's."""
    bob, cleo = UserRef("test", "bob"), UserRef("test", "cleo")
    card = MessageRef("test", "m1")
    async with uow_factory() as uow:
        questions: dict[str, int] = {}
        for name, state, mentor, posted in (
            ("resolved", QuestionState.RESOLVED, bob, True),
            ("unposted", QuestionState.RESOLVED, bob, False),
            ("claimed", QuestionState.CLAIMED, bob, True),
            ("cleos", QuestionState.RESOLVED, cleo, True),
        ):
            q = await uow.questions.add(
                Question(
                    workspace=WS,
                    asker=ADMIN,
                    text="How?",
                    created_at=T0,
                    state=state,
                    mentor=mentor,
                )
            )
            questions[name] = q.pk
            if posted:
                await uow.questions.set_card(q.pk, card)
        talks: dict[str, int] = {}
        for name, lstate, speaker, posted in (
            ("held", LightningState.HELD, bob, True),
            ("cancelled", LightningState.CANCELLED, bob, True),
            ("coming", LightningState.SCHEDULED, bob, True),
            ("unposted", LightningState.HELD, bob, False),
            ("cleos", LightningState.HELD, cleo, True),
        ):
            talk = await uow.lightning.add(
                Lightning(WS, "sql", T0, state=lstate, speaker=speaker, starts_at=T0)
            )
            assert talk is not None
            talks[name] = talk.stored_id
            if posted:
                await uow.lightning.set_card(talk.stored_id, card)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        assert await uow.privacy.past_cards_of(bob, limit=50) == PastCards(
            questions=(questions["resolved"],),
            lightning=(talks["cancelled"], talks["held"]),  # newest first
        )


async def test_past_cards_of_are_the_newest_few_of_each_kind(uow_factory: UowFactory) -> None:
    """A forget redraws a long-time mentor's newest cards only, not hundreds at once (each a
    chat.update against the platform's rate limits)."""
    bob = UserRef("test", "bob")
    card = MessageRef("test", "m1")
    async with uow_factory() as uow:
        questions = []
        for _ in range(3):
            q = await uow.questions.add(
                Question(
                    workspace=WS,
                    asker=ADMIN,
                    text="How?",
                    created_at=T0,
                    state=QuestionState.RESOLVED,
                    mentor=bob,
                )
            )
            await uow.questions.set_card(q.pk, card)
            questions.append(q.pk)
        talks = []
        for _ in range(3):
            talk = await uow.lightning.add(
                Lightning(WS, "sql", T0, state=LightningState.HELD, speaker=bob, starts_at=T0)
            )
            assert talk is not None
            await uow.lightning.set_card(talk.stored_id, card)
            talks.append(talk.stored_id)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        assert await uow.privacy.past_cards_of(bob, limit=2) == PastCards(
            questions=(questions[2], questions[1]), lightning=(talks[2], talks[1])
        )


async def test_past_cards_of_keep_the_newest_few_of_each_kind_of_question_card(
    uow_factory: UowFactory,
) -> None:
    """Someone who mentored, then asked a lot: their newest "Asked by" cards do not crowd out
    the "helped by" ones (the limit is per kind, as README says)."""
    bob = UserRef("test", "bob")
    card = MessageRef("test", "m1")
    async with uow_factory() as uow:
        helped, asked = [], []
        for by_bob in (False, False, True, True, True):  # two mentored, then three asked
            q = await uow.questions.add(
                Question(
                    workspace=WS,
                    asker=bob if by_bob else ADMIN,
                    text="How?",
                    created_at=T0,
                    state=QuestionState.RESOLVED,
                    mentor=ADMIN if by_bob else bob,
                )
            )
            await uow.questions.set_card(q.pk, card)
            (asked if by_bob else helped).append(q.pk)
        await uow.commit()
    async with uow_factory(read_only=True) as uow:
        past = await uow.privacy.past_cards_of(bob, limit=2)
    assert past.questions == (asked[2], asked[1], helped[1], helped[0])
