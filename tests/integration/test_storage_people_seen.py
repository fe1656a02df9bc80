"""Who the dashboard's People page finds, on SQLite and PostgreSQL: everyone an admin may have a
data request about (askers by name, mentors, kudos givers and receivers, lightning speakers and
sign-ups, admins) and never someone whose only trace is an anonymous question."""

from __future__ import annotations

from datetime import timedelta

from bot.commands import Actor, AskQuestion, RegisterMentor
from bot.lightning.commands import JoinLightning, ProposeLightning
from bot.messagebus import MessageBus
from bot.privacy.commands import OpenDashboard
from bot.recognition.commands import GiveKudos
from bot.refs import UserRef
from tests.integration.test_storage_privacy import ADMIN, T0, WS, _admins_app


def _actor(name: str, *, platform_admin: bool | None = None) -> Actor:
    return Actor(UserRef("test", name), name, WS, platform_admin=platform_admin)


async def _mentor_and_anonymous_asker(bus: MessageBus) -> Actor:
    """bob mentors pandas; dave asks him #1 anonymously (dave is returned)."""
    await bus.handle(RegisterMentor(_actor("bob"), ("pandas",)))
    dave = _actor("dave")
    await bus.handle(AskQuestion(dave, "How do I pivot a pandas DataFrame wide?", anonymous=True))
    return dave


async def test_people_lists_kudos_lightning_and_admins_but_not_an_anonymous_asker(
    db_url: str,
) -> None:
    async with _admins_app(db_url) as app:
        bus = app.bus
        await _mentor_and_anonymous_asker(bus)
        # Kudos: ann (no mentor) thanks bob; bob thanks erin (neither asked nor mentored).
        await bus.handle(
            GiveKudos(_actor("ann"), UserRef("test", "bob"), "bob", "explaining merges so clearly")
        )
        await bus.handle(
            GiveKudos(_actor("bob"), UserRef("test", "erin"), "erin", "the notes from the workshop")
        )
        # A lightning session proposed by gil (no mentor), signed up for by hal.
        when = T0 + timedelta(days=3)
        await bus.handle(ProposeLightning(_actor("gil"), "negotiation", when, "Asking for a raise"))
        await bus.handle(JoinLightning(_actor("hal"), 1))
        # The platform's admin of WS, and one of [bot] admins who acted here.
        await bus.handle(OpenDashboard(_actor("ivy", platform_admin=True)))
        await bus.handle(OpenDashboard(Actor(ADMIN, "ada", WS)))
        async with app.uow_factory(read_only=True) as uow:
            paged, total = await uow.people.seen_in(WS, "", limit=50)
            found = {ref.id for ref, *_ in paged}
            each = {
                name: await uow.people.is_seen_in(WS, UserRef("test", name))
                for name in ("ann", "erin", "gil", "hal", "ivy", "dave")
            }
    assert found == {"bob", "ann", "erin", "gil", "hal", "ivy", "A1"}, found
    assert total == len(found)
    assert each == {n: n != "dave" for n in each}


async def test_kudos_to_an_anonymous_asker_lists_them_as_thanked_not_as_an_asker(
    db_url: str,
) -> None:
    """Thanked in the open, they are found (as anyone thanked); asking anonymously alone never
    makes them so, whatever follows from it (a badge, the askers' course)."""
    async with _admins_app(db_url) as app:
        bus = app.bus
        dave = await _mentor_and_anonymous_asker(bus)
        async with app.uow_factory(read_only=True) as uow:
            assert not await uow.people.is_seen_in(WS, dave.user)
        await bus.handle(
            GiveKudos(_actor("bob"), dave.user, "dave", "a very good question on pivots")
        )
        async with app.uow_factory(read_only=True) as uow:
            assert await uow.people.is_seen_in(WS, dave.user)


async def test_a_private_thank_you_from_the_mentor_of_an_anonymous_question_lists_nobody(
    db_url: str,
) -> None:
    """The mentor who took an anonymous question is pointed to thank its asker privately: the
    asker appearing on People then would tell the admin whose question it was. A private
    thank-you is between two people: neither is listed for it."""
    from bot.commands import ClaimQuestion

    async with _admins_app(db_url) as app:
        bus = app.bus
        dave = await _mentor_and_anonymous_asker(bus)
        async with app.uow_factory(read_only=True) as uow:
            q = await uow.questions.get_by_number(WS, 1)
        assert q is not None and q.id is not None
        await bus.handle(ClaimQuestion(_actor("bob"), q.number))
        said = await bus.handle(GiveKudos(_actor("bob"), dave.user, "dave", "a good question"))
        assert "privately" in " ".join(m.body.plain() for m in said)
        sent = await bus.handle(
            GiveKudos(_actor("bob"), dave.user, "dave", "a good question", private=True)
        )
        assert "Thanks sent" in " ".join(m.body.plain() for m in sent)
        await bus.handle(
            GiveKudos(_actor("zoe"), UserRef("test", "yan"), "yan", "thanks", private=True)
        )
        async with app.uow_factory(read_only=True) as uow:
            seen = {
                n: await uow.people.is_seen_in(WS, UserRef("test", n))
                for n in ("dave", "zoe", "yan")
            }
    assert seen == {"dave": False, "zoe": False, "yan": False}


async def test_an_admins_export_leaves_out_private_kudos_the_persons_own_copy_has_them(
    db_url: str,
) -> None:
    async with _admins_app(db_url) as app:
        bus = app.bus
        await bus.handle(RegisterMentor(_actor("bob"), ("pandas",)))
        await bus.handle(
            AskQuestion(_actor("dave"), "How do I group a pandas DataFrame by two keys?")
        )
        dave = UserRef("test", "dave")
        await bus.handle(GiveKudos(_actor("bob"), dave, "dave", "thanks, in private", private=True))
        app.clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
        await bus.handle(GiveKudos(_actor("ann"), dave, "dave", "thanks, for everyone"))
        async with app.uow_factory(read_only=True) as uow:
            admins = await uow.privacy.person_data(dave, workspace=WS, anonymous=False)
            own = await uow.privacy.person_data(dave)
    assert [k["text"] for k in admins.sections["kudos_received"]] == ["thanks, for everyone"]
    assert len(own.sections["kudos_received"]) == 2
    # The private one's points (same instant) go with it; the public one's stay.
    kudos_points = [p for p in admins.sections["points"] if p["reason"] == "kudos"]
    assert len(kudos_points) == 1
    assert len([p for p in own.sections["points"] if p["reason"] == "kudos"]) == 2
