"""Kudos: public or private thanks and a point; never to oneself, a few a day per giver, one per
giver and receiver a day, the text cleaned and escaped like a question's."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.config import Config
from bot.messages import Mention, UserText
from bot.privacy.commands import PersonLeft
from bot.recognition.commands import GiveKudos
from tests.unit.core_harness import MENTORING, WORKSPACE, Core, start_core


@pytest.fixture
async def core() -> Core:
    return await start_core(Config.model_validate({"kudos": {"daily_limit": 3}}))


def kudos(
    core: Core,
    giver: str,
    receiver: str,
    why: str = "for the pandas help",
    *,
    private: bool = False,
) -> GiveKudos:
    return GiveKudos(core.actor(giver), core.user(receiver), receiver, why, private)


def points_of(core: Core, name: str) -> int:
    return sum(p.points for p in core.db.rows("points") if p.user == core.user(name))


async def test_kudos_are_posted_in_the_mentoring_channel_and_give_a_point(core: Core) -> None:
    said = await core.reply(kudos(core, "alice", "bob"))
    assert said == "Thanks sent to bob in the mentoring channel. You can thank 2 more people today."
    [post] = core.chat.of("post_card")
    assert post.args["channel"] == MENTORING
    assert post.message is not None
    assert post.message.plain() == "🙌 Kudos to @bob from alice: for the pandas help"
    assert points_of(core, "bob") == 1


async def test_private_kudos_go_to_the_receiver_only(core: Core) -> None:
    said = await core.reply(kudos(core, "alice", "bob", private=True))
    assert said.startswith("Thanks sent to bob privately.")
    assert core.chat.of("post_card") == []
    [dm] = core.chat.dms(core.user("bob"))
    assert dm == "🙌 Kudos from alice: for the pandas help"


async def test_kudos_to_oneself_are_refused_and_earn_nothing(core: Core) -> None:
    said = await core.reply(kudos(core, "bob", "bob"))
    assert said.startswith("Kudos are for thanking someone else")
    assert core.db.rows("kudos") == [] and core.db.rows("points") == []


async def test_one_kudos_per_giver_and_receiver_a_day(core: Core) -> None:
    await core.reply(kudos(core, "alice", "bob"))
    said = await core.reply(kudos(core, "alice", "bob", "and for the SQL tip"))
    assert "You've thanked bob today already" in said
    assert len(core.db.rows("kudos")) == 1
    core.clock.advance(timedelta(days=1))
    assert (await core.reply(kudos(core, "alice", "bob"))).startswith("Thanks sent")


async def test_a_giver_has_daily_limit_kudos_a_day(core: Core) -> None:
    for name in ("bob", "carol", "dave"):
        await core.reply(kudos(core, "alice", name))
    said = await core.reply(kudos(core, "alice", "erin"))
    assert said == "You've thanked 3 people today, as many as a day allows — more tomorrow!"
    assert len(core.db.rows("kudos")) == 3
    core.clock.advance(timedelta(days=1))
    assert (await core.reply(kudos(core, "alice", "erin"))).startswith("Thanks sent")


@pytest.mark.parametrize(
    ("why", "problem"),
    [
        ("", "Say what you're thanking them for"),
        ("thanks", "Say what you're thanking them for"),
        ("\u200b\u200b \u2060", "Say what you're thanking them for"),
        ("x " * 300, "kudos are at most 500"),
        ("x" * 600, "That's 600 characters; kudos are at most 500."),
        (
            "x" * 400,
            "One word of your thanks is 400 characters long; a word (a link too) is at most 100.",
        ),
        ("thanks " + "x" * 400, "One word of your thanks is 400 characters long"),
    ],
    ids=[
        "empty",
        "one-word",
        "invisible",
        "too-long",
        "one-overlong-word",
        "one-long-word",
        "a-long-word",
    ],
)
async def test_empty_or_overlong_reasons_are_refused(core: Core, why: str, problem: str) -> None:
    said = await core.reply(kudos(core, "alice", "bob", why))
    assert problem in said
    assert core.db.rows("kudos") == []


async def test_hostile_text_is_kept_as_the_users_text_and_pings_nobody_else(core: Core) -> None:
    hostile = "thanks @channel <!everyone> <@U0ROOT> *bold*\u202e\x00 and\n\nmore"
    await core.reply(kudos(core, "alice", "bob", hostile))
    [post] = core.chat.messages("post_card")
    assert post.mentions() == (core.user("bob"),)
    typed = [s for s in post.body.spans if isinstance(s, UserText)]
    assert typed[-1].text == "thanks @channel <!everyone> <@U0ROOT> *bold* and more"
    assert [s for s in post.body.spans if isinstance(s, Mention)] == [
        Mention(core.user("bob"), "bob")
    ]
    [stored] = core.db.rows("kudos")
    assert "\x00" not in stored.text and "\u202e" not in stored.text


async def test_the_receiver_is_named_as_the_platform_named_them(core: Core) -> None:
    await core.reply(GiveKudos(core.actor("alice"), core.user("U0BOB"), "Bob B.", "for the help"))
    [post] = core.chat.messages("post_card")
    assert "Kudos to @Bob B. from alice" in post.plain()


async def test_kudos_to_a_bot_are_refused_and_earn_nothing(core: Core) -> None:
    to_bot = GiveKudos(
        core.actor("alice"),
        core.user("helperbot"),
        "helperbot",
        "for the quick answer",
        to_bot=True,
    )
    said = await core.reply(to_bot)
    assert said.startswith("Kudos are for people"), said
    assert points_of(core, "helperbot") == 0
    assert core.db.rows("kudos") == []


async def test_kudos_to_someone_who_left_are_refused_and_earn_nothing(core: Core) -> None:
    await core.reply(kudos(core, "bob", "carol"))  # carol is known to the bot
    await core.handle(PersonLeft(core.user("carol"), WORKSPACE))
    said = await core.reply(kudos(core, "alice", "carol"))
    assert said.startswith("carol has left, so kudos can't reach them"), said
    assert points_of(core, "carol") == 1  # bob's, from before she left
    assert len(core.db.rows("kudos")) == 1


async def test_kudos_counts_never_read_one_kudos() -> None:
    """Counts are said in people thanked: "one more person", never "1 kudos"."""
    core = await start_core(Config.model_validate({"kudos": {"daily_limit": 2}}))
    said = await core.reply(kudos(core, "alice", "bob"))
    assert said.endswith("You can thank one more person today."), said
    said = await core.reply(kudos(core, "alice", "carol"))
    assert said.endswith("That was your last kudos for today."), said
    one = await start_core(Config.model_validate({"kudos": {"daily_limit": 1}}))
    await one.reply(kudos(one, "alice", "bob"))
    said = await one.reply(kudos(one, "alice", "carol"))
    assert said == "You've thanked one person today, as many as a day allows — more tomorrow!"
    said = await one.reply(kudos(one, "alice", "bob", "and for the SQL tip"))
    assert "1 kudos" not in said and "one kudos" not in said, said


async def test_the_daily_limit_is_counted_in_each_workspace() -> None:
    """Thanking three people in one server left none for the other one's helpers that day."""
    from tests.unit.core_harness import SECOND_WORKSPACE, start_core_in_two_workspaces

    core = await start_core_in_two_workspaces()
    for name in ("fred", "gina"):
        await core.reply(kudos(core, "alice", name))
    for name in ("bob", "carol", "dave"):
        await core.reply(kudos(core, "alice", name))
    there = GiveKudos(
        core.actor("alice", workspace=SECOND_WORKSPACE), core.user("erin"), "erin", "for the demo"
    )
    assert (await core.reply(there)).startswith("Thanks sent"), core.db.rows("kudos")


async def test_a_mentor_who_released_an_anonymous_question_thanks_its_asker_privately_only(
    core: Core,
) -> None:
    """A mentor who claimed an anonymous question and released it knows whose it was, as its
    mentor does: their public kudos to the asker is refused (the fakes read it as SQL does)."""
    from bot.commands import ReleaseQuestion

    await core.join("bob", "python", "pandas")
    await core.join("carol", "python", "pandas")
    n = await core.ask("alice", anonymous=True)
    assert (await core.claim("bob", n)).startswith(f"You claimed #{n}")
    await core.reply(ReleaseQuestion(core.actor("bob"), n))
    assert (await core.claim("carol", n)).startswith(f"You claimed #{n}")
    core.clock.advance(timedelta(days=1))
    said = await core.reply(kudos(core, "bob", "alice"))
    assert "asked you a question anonymously lately" in said, said
    assert core.db.rows("kudos") == []
    core.clock.advance(timedelta(days=31))
    assert (await core.reply(kudos(core, "bob", "alice"))).startswith("Thanks sent")


async def test_a_mentor_who_handed_an_anonymous_question_over_thanks_its_asker_privately_only(
    core: Core,
) -> None:
    """Handing a session over is letting it go, as a release is: the mentor who had it knows
    whose it was, and is not asked to claim it again."""
    from bot.commands import AcceptHandOver, HandOverQuestion

    await core.join("bob", "python", "pandas")
    await core.join("carol", "python", "pandas")
    n = await core.ask("alice", anonymous=True)
    assert (await core.claim("bob", n)).startswith(f"You claimed #{n}")
    await core.reply(HandOverQuestion(core.actor("bob"), n, core.user("carol")))
    assert "now yours" in await core.reply(AcceptHandOver(core.actor("carol"), n))
    q = core.question(n)
    assert q.mentor == core.user("carol")
    assert core.user("bob") in q.released_by
    core.clock.advance(timedelta(days=1))
    said = await core.reply(kudos(core, "bob", "alice"))
    assert "asked you a question anonymously lately" in said, said
    assert core.db.rows("kudos") == []


async def test_a_kudos_whose_giver_is_forgotten_while_it_is_posted_is_redrawn_at_once() -> None:
    """The forget committed while the post was on its way found no post to redraw: the gateway,
    recording where it went, sees the forget and redraws it there."""
    from dataclasses import replace as changed

    from bot.refs import UserRef
    from tests.unit.fake_chat import FakeChat

    class ForgetMidPost(FakeChat):
        core: Core | None = None

        async def post_card(self, channel, message, *, key="", retry=False):  # type: ignore[no-untyped-def]
            ref = await super().post_card(channel, message, key=key, retry=retry)
            if message.kind == "kudos" and self.core is not None:
                table = self.core.db.tables["kudos"]
                for n, k in table.items():  # alice forgotten: her rows now name her tombstone
                    table[n] = changed(k, giver=UserRef("test", "forgotten-1"), text="")
            return ref

    chat = ForgetMidPost(platform="test")
    core = await start_core(chat=chat)
    chat.core = core
    await core.reply(kudos(core, "alice", "bob", "for the great groupby tricks"))
    [post] = core.chat.of("post_card")
    [redraw] = core.chat.of("update_card")
    assert redraw.args["card"] == post.result
    said = redraw.args["message"].plain()
    assert "groupby" not in said and "alice" not in said and "someone forgotten" in said
