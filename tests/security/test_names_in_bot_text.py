"""A person's display name is theirs to choose: wherever the bot names someone in what it says
to somebody else (the home view, a lost claim, a refused hand-over), the name is untrusted text
that each renderer neutralises, never part of the bot's own (trusted) words."""

from __future__ import annotations

import asyncio

from adapters.slack.render import render_text
from bot.commands import (
    Actor,
    AskQuestion,
    ClaimQuestion,
    HandOverQuestion,
    RegisterMentor,
    ShowHome,
)
from bot.messages import ChatMessage, Plain, Text, UserText, filled
from tests.unit.core_harness import ALWAYS, WORKSPACE, Core, start_core
from tests.unit.fake_chat import FakeChat

# Slack formatting and a broadcast word, and a Discord markdown link.
NAME = "*Boss* _the_ ~king~ @here [Claim](https://evil.example)"


def as_named(core: Core, user: str) -> Actor:
    return Actor(core.user(user), NAME, WORKSPACE)


async def join_as_named(core: Core, user: str) -> None:
    said = await core.handle(RegisterMentor(as_named(core, user), ("pandas",), hours=ALWAYS))
    assert "mentor" in said[0].plain().lower()


def spans(t: Text) -> tuple[list[str], list[str]]:
    """The texts of `t`'s trusted (Plain) spans and of its untrusted (UserText) ones."""
    trusted = [s.text for s in t.spans if isinstance(s, Plain)]
    untrusted = [s.text for s in t.spans if isinstance(s, UserText)]
    return trusted, untrusted


def assert_named_as_user_text(message: ChatMessage) -> None:
    trusted, untrusted = spans(message.body)
    assert NAME in message.plain()
    assert not any("Boss" in s for s in trusted), trusted
    assert NAME in untrusted
    shown = render_text(message.body)
    assert "*Boss*" not in shown and "_the_" not in shown and "@here" not in shown


async def test_the_home_view_names_the_mentor_of_your_question_as_untrusted_text() -> None:
    core = await start_core()
    await join_as_named(core, "bob")
    n = await core.ask("alice")
    await core.handle(ClaimQuestion(as_named(core, "bob"), n))
    [home] = await core.handle(ShowHome(core.actor("alice")))
    line = next(
        p for p in home.body.plain().splitlines() if p.startswith(f"• #{n} (you asked, claimed")
    )
    assert NAME in line
    assert_named_as_user_text(home)


async def test_a_lost_claim_names_the_winner_as_untrusted_text() -> None:
    core = await start_core()
    await join_as_named(core, "bob")
    n = await core.ask("alice")
    await core.handle(ClaimQuestion(as_named(core, "bob"), n))
    await core.join("carol", "pandas")
    [refusal] = await core.handle(ClaimQuestion(core.actor("carol"), n))
    assert refusal.plain() == f"{NAME} claimed #{n} first. Thanks for jumping in!"
    assert_named_as_user_text(refusal)


async def test_a_claim_lost_in_a_race_names_the_winner_as_untrusted_text() -> None:
    core = await start_core(chat=FakeChat(platform="test", interleave=True))
    for user in ("bob", "carol", "dave"):
        await join_as_named(core, user)
    n = await core.ask("alice")
    said = await asyncio.gather(
        *(core.handle(ClaimQuestion(as_named(core, u), n)) for u in ("bob", "carol", "dave"))
    )
    lost = [m for [m, *_] in said if "first" in m.plain()]
    assert len(lost) == 2
    for refusal in lost:
        assert_named_as_user_text(refusal)


async def test_refused_hand_overs_name_the_mentor_asked_as_untrusted_text() -> None:
    core = await start_core()
    await join_as_named(core, "bob")
    await join_as_named(core, "carol")
    # Known here (they asked something), but no mentor.
    await core.handle(AskQuestion(as_named(core, "dave"), "How do I review a pull request?", False))
    n = await core.ask("alice")
    await core.handle(ClaimQuestion(as_named(core, "bob"), n))

    def hand_over(to: str, by: str = "bob") -> HandOverQuestion:
        return HandOverQuestion(as_named(core, by), n, core.user(to))

    # An admin naming the session's own mentor (the mentor hears "You already have #n").
    [already_has] = await core.handle(hand_over("bob", by="admin"))
    assert already_has.plain() == f"{NAME} already has #{n}."
    [not_a_mentor] = await core.handle(hand_over("dave"))
    assert "isn't one" in not_a_mentor.plain()
    await core.handle(hand_over("carol"))
    [asked_already] = await core.handle(hand_over("carol"))
    assert asked_already.plain().startswith(f"{NAME} has been asked already")
    for refusal in (already_has, not_a_mentor, asked_already):
        assert_named_as_user_text(refusal)


def test_a_template_filled_with_a_name_keeps_the_name_untrusted_at_each_place() -> None:
    said = filled("In #{channel}, ask an admin of #{channel} ({who}).", channel=NAME, who="x*y")
    trusted, untrusted = spans(said)
    assert untrusted == [NAME, NAME, "x*y"]
    assert trusted == ["In #", ", ask an admin of #", " (", ")."]
    assert said.plain() == f"In #{NAME}, ask an admin of #{NAME} (x*y)."
