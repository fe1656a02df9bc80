"""Privacy storage on SQLite and PostgreSQL: sign-in links work once (even two uses at once),
sessions expire, the daily retention run is stored once whatever the number of replicas, and
offboarding releases claims on the real database."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from bot.app import App
from bot.clock import ManualClock
from bot.commands import (
    Actor,
    AskQuestion,
    ClaimQuestion,
    RegisterMentor,
    RegisterWorkspace,
    ReleaseQuestion,
    ResolveQuestion,
)
from bot.config import Config
from bot.learning.commands import SaveFaq
from bot.lightning.model import Lightning
from bot.main import build_app
from bot.privacy.commands import ForgetPerson, PersonLeft
from bot.privacy.signin import issue_link, sign_in, token_hash
from bot.refs import ChannelRef, UserRef, WorkspaceRef
from schedules import queue_retention
from storage.uow import SqlUnitOfWork
from tests.unit.fake_chat import FakeChat

WS = WorkspaceRef("test", "T1")
ADMIN = UserRef("test", "A1")
UowFactory = Callable[[], SqlUnitOfWork]
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@asynccontextmanager
async def _admins_app(db_url: str) -> AsyncIterator[App]:
    """The bot on `db_url` with workspace WS set up and ADMIN one of its admins."""
    config = Config.model_validate({"bot": {"admins": [ADMIN.key()]}})
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
            profile = await uow.mentors.get(bob.user)
            mentors = await uow.mentors.in_workspace(WS)
            assert await uow.privacy.left_at(bob.user) == T0
        assert q is not None and q.state.value == "open" and q.mentor is None
        assert profile is not None and not profile.active
        assert mentors == []
    finally:
        await app.dispose()


async def test_forgetting_reaches_the_lists_that_name_someone_and_the_faqs_copy(
    db_url: str,
) -> None:
    """Suggested, notified and released lists hold the tombstone instead of the person; an FAQ
    entry's copy of a forgotten asker's question is removed with the question."""
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
            session = await uow.lightning.get(talk.number)
        assert session is not None and bob.user not in {*session.invited, *session.declined}
        assert cleo.user in session.invited and len(session.declined) == 1
        assert q1 is not None and q2 is not None
        for q in (q1, q2):
            assert bob.user not in {*q.suggested, *q.released_by, *q.notified}
        assert any(u.id.startswith("forgotten-") for u in q1.suggested)
        assert any(u.id.startswith("forgotten-") for u in q2.released_by)
        assert cleo.user in q1.suggested  # the others stay
        assert faq is not None
        assert asked not in faq.question and faq.question.startswith("[removed")
        assert faq.answer.startswith("df.groupby")  # the mentor's answer is theirs


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
