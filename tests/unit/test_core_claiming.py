"""Claiming: by button or reaction, exclusive, never by the asker; the session thread and intro."""

from __future__ import annotations

import asyncio

import pytest

from bot.commands import ClaimQuestion, HandleReaction, ResolveQuestion
from bot.domain import NudgeKind, QuestionState
from bot.refs import MessageRef
from tests.unit.core_harness import MENTORING, QUESTION, Core, start_core
from tests.unit.fake_chat import FakeChat


@pytest.fixture
async def core() -> Core:
    core = await start_core()
    await core.join("bob", "python", "pandas")
    await core.join("carol", "pandas")
    return core


async def test_claim_moves_the_question_to_claimed_with_the_mentor(core: Core) -> None:
    n = await core.ask("alice")
    said = await core.claim("bob", n)
    assert (
        said
        == f"You claimed #{n}. I'm opening your session thread with the asker — say hello there!"
    )
    q = core.question(n)
    assert (q.state, q.mentor, q.claims) == (QuestionState.CLAIMED, core.user("bob"), 1)


async def test_claim_updates_the_card_to_say_who_claimed_it(core: Core) -> None:
    n = await core.ask("alice")
    await core.claim("bob", n)
    card = core.chat.card(n)
    assert "Status: Claimed by bob" in card.plain()
    assert card.actions == ()


async def test_claim_opens_a_thread_under_the_card_with_asker_and_mentor(core: Core) -> None:
    n = await core.ask("alice")
    await core.claim("bob", n)
    [opened] = core.chat.of("open_thread")
    assert opened.args["card"] == core.question(n).card
    assert opened.args["channel"] == MENTORING
    assert opened.args["members"] == (core.user("alice"), core.user("bob"))
    assert opened.args["private"] is False
    assert opened.args["name"] == f"Question #{n}"
    assert core.question(n).thread == opened.result


async def test_thread_intro_names_asker_and_mentor_the_question_and_the_time_box(
    core: Core,
) -> None:
    n = await core.ask("alice")
    await core.claim("bob", n)
    [intro] = core.chat.messages("post_in_thread")
    assert intro.kind == "intro"
    assert intro.body.mentions() == (core.user("alice"), core.user("bob"))
    said = intro.plain()
    assert said.startswith(f"@alice meet @bob: a 20-minute session on question #{n}.")
    assert QUESTION in said
    assert "Time box: until 10:20 UTC" in said
    assert [a.id for a in intro.actions] == ["resolve", "release", "extend"]


async def test_asker_cannot_claim_their_own_question(core: Core) -> None:
    n = await core.ask("alice")
    calls = len(core.chat.calls)
    said = await core.claim("alice", n)
    assert said == f"You asked #{n} yourself, so you can't claim it. A mentor will pick it up."
    assert core.question(n).state is QuestionState.OPEN
    assert len(core.chat.calls) == calls


async def test_an_asker_claiming_their_taken_question_is_not_promised_a_mentor(core: Core) -> None:
    n = await core.ask("alice")
    await core.claim("bob", n)
    said = await core.claim("alice", n)
    assert said == f"You asked #{n} yourself, so you can't claim it."


async def test_second_claim_loses_and_is_told_who_won(core: Core) -> None:
    n = await core.ask("alice")
    await core.claim("bob", n)
    calls = len(core.chat.calls)
    said = await core.claim("carol", n)
    assert said == f"bob claimed #{n} first. Thanks for jumping in!"
    assert core.question(n).mentor == core.user("bob")
    assert len(core.chat.calls) == calls


async def test_claiming_again_tells_the_mentor_they_already_have_it(core: Core) -> None:
    n = await core.ask("alice")
    await core.claim("bob", n)
    assert await core.claim("bob", n) == f"You already have #{n}; the session thread is open."


async def test_of_simultaneous_claims_exactly_one_wins_and_the_others_hear_who() -> None:
    core = await start_core(chat=FakeChat(platform="test", interleave=True))
    for name in ("bob", "carol", "dave", "erin", "frank"):
        await core.join(name, "pandas")
    n = await core.ask("alice")
    names = ["bob", "carol", "dave", "erin", "frank"]
    said = await asyncio.gather(*(core.claim(name, n) for name in names))
    winners = [name for name, s in zip(names, said, strict=True) if s.startswith("You claimed")]
    assert len(winners) == 1
    winner = winners[0]
    assert core.question(n).mentor == core.user(winner)
    losers = [s for s in said if not s.startswith("You claimed")]
    assert losers == [f"{winner} claimed #{n} first. Thanks for jumping in!"] * 4
    assert len(core.chat.of("open_thread")) == 1


async def test_unknown_question_number_is_refused_politely(core: Core) -> None:
    said = await core.reply(ClaimQuestion(core.actor("bob"), 42))
    assert said == "There is no question #42. Check the number and try again."


@pytest.mark.parametrize(
    "emoji", ["✋", "raising_hand", ":raising_hand:", "raised_hand", "hand", ":raised_hand:"]
)
async def test_claim_emoji_on_the_card_claims_it(core: Core, emoji: str) -> None:
    n = await core.ask("alice")
    card = core.question(n).card
    assert card is not None
    said = await core.reply(HandleReaction(core.actor("bob"), card, emoji))
    assert said.startswith(f"You claimed #{n}")
    assert core.question(n).mentor == core.user("bob")


async def test_other_emoji_on_the_card_does_nothing(core: Core) -> None:
    n = await core.ask("alice")
    card = core.question(n).card
    assert card is not None
    calls = len(core.chat.calls)
    assert await core.handle(HandleReaction(core.actor("bob"), card, "tada")) == []
    assert core.question(n).state is QuestionState.OPEN
    assert len(core.chat.calls) == calls


async def test_claim_emoji_on_a_message_that_is_no_card_does_nothing(core: Core) -> None:
    await core.ask("alice")
    stranger = MessageRef("test", "mentoring/999")
    assert await core.handle(HandleReaction(core.actor("bob"), stranger, "✋")) == []


async def test_claim_emoji_by_the_asker_is_refused(core: Core) -> None:
    n = await core.ask("alice")
    card = core.question(n).card
    assert card is not None
    said = await core.reply(HandleReaction(core.actor("alice"), card, "✋"))
    assert "you can't claim it" in said
    assert core.question(n).state is QuestionState.OPEN


async def test_claim_by_someone_who_is_not_a_mentor_works_and_invites_them_to_join(
    core: Core,
) -> None:
    n = await core.ask("alice")
    said = await core.claim("zed", n)
    assert said.startswith(f"You claimed #{n}")
    assert "/mentor join <skills>" in said


async def test_anonymous_question_gets_a_private_thread_naming_asker_to_the_mentor(
    core: Core,
) -> None:
    n = await core.ask("alice", anonymous=True)
    await core.claim("bob", n)
    [opened] = core.chat.of("open_thread")
    assert opened.args["private"] is True
    assert opened.args["members"] == (core.user("alice"), core.user("bob"))
    [intro] = core.chat.messages("post_in_thread")
    assert intro.body.mentions() == (core.user("alice"), core.user("bob"))


async def test_anonymous_asker_stays_off_the_card_after_claim(core: Core) -> None:
    n = await core.ask("alice", anonymous=True)
    await core.claim("bob", n)
    for card in core.chat.messages("post_card") + core.chat.messages("update_card"):
        assert "alice" not in card.plain()
        assert core.user("alice") not in card.mentions()


async def test_claim_replaces_escalation_with_session_reminders(core: Core) -> None:
    n = await core.ask("alice")
    await core.claim("bob", n)
    pending = {nd.kind for nd in core.db.rows("nudges") if nd.state.value == "pending"}
    assert NudgeKind.ESCALATE not in pending
    assert NudgeKind.WRAP_UP in pending


async def test_a_claim_earns_points_only_when_the_session_resolves(core: Core) -> None:
    n = await core.ask("alice")
    await core.claim("bob", n)
    await core.talked(n)
    assert core.db.rows("points") == []
    await core.reply(ResolveQuestion(core.actor("alice"), n))
    got = sorted((e.user, e.points, e.reason) for e in core.db.rows("points"))
    assert got == [(core.user("bob"), 3, "resolve")]
