"""Lightning sessions are numbered per workspace, like questions: each workspace's first session
is its #1, `/lightning join 1` names this workspace's #1, and a button (which carries the
session's internal id) pressed in another workspace is refused."""

from __future__ import annotations

from datetime import timedelta

from adapters.console.translate import translate
from bot import commands as c
from bot.lightning.commands import JoinLightning, ProposeLightning
from tests.unit.core_harness import (
    SECOND_WORKSPACE,
    START,
    WORKSPACE,
    Core,
    start_core_in_two_workspaces,
)
from tests.unit.test_lightning_flow import AT, TITLE


async def two_sessions() -> tuple[Core, int, int]:
    """A session in each workspace: A's is stored first (internal ids A 1, B 2)."""
    core = await start_core_in_two_workspaces()
    for ws in (WORKSPACE, SECOND_WORKSPACE):
        said = await core.reply(
            ProposeLightning(core.actor("bob", workspace=ws), "pandas", AT, TITLE)
        )
        assert said.startswith("Thank you!"), said
    a, b = sorted(core.db.rows("lightning"), key=lambda s: s.stored_id)
    assert (a.workspace, b.workspace) == (WORKSPACE, SECOND_WORKSPACE)
    return core, a.stored_id, b.stored_id


def lightning_cards(core: Core) -> list[str]:
    return [m.plain() for m in core.chat.messages("post_card") if m.kind == "lightning"]


async def test_each_workspaces_first_session_is_its_number_one() -> None:
    core, _, _ = await two_sessions()
    cards = lightning_cards(core)
    assert len(cards) == 2
    for card in cards:
        assert "#1" in card and "#2" not in card, card
        assert "`/lightning join 1`" in card, card


async def test_joining_by_number_joins_this_workspaces_session() -> None:
    core, a_id, b_id = await two_sessions()
    said = await core.reply(JoinLightning(core.actor("dan", workspace=SECOND_WORKSPACE), 1))
    assert said.startswith("You're in!"), said
    signed = [(r.lightning_id, r.user) for r in core.db.rows("rsvps")]
    assert signed == [(b_id, core.user("dan"))]
    # B holds no #2 (its second-stored id): the number, not the id, names it
    said = await core.reply(JoinLightning(core.actor("erin", workspace=SECOND_WORKSPACE), 2))
    assert said.startswith("There is no lightning session #2."), said
    assert a_id not in {r.lightning_id for r in core.db.rows("rsvps")}


async def test_a_button_of_another_workspaces_session_is_refused() -> None:
    core, a_id, _ = await two_sessions()
    pressed = c.button_command(core.actor("dan", workspace=SECOND_WORKSPACE), "join", a_id)
    assert pressed is not None
    said = await core.reply(pressed)
    assert said.startswith("I can't find that lightning session here."), said
    assert core.db.rows("rsvps") == []


async def test_the_console_clicks_a_session_by_the_number_on_its_card() -> None:
    core, _, b_id = await two_sessions()
    dan = core.actor("dan", workspace=SECOND_WORKSPACE)
    clicked = translate(
        "click join 1",
        actor=dan,
        now=START + timedelta(hours=1),
        card_of=lambda _: None,
        thread_of=lambda _: None,
    )
    assert clicked == JoinLightning(dan, 1)
    assert isinstance(clicked, JoinLightning)
    said = await core.reply(clicked)
    assert said.startswith("You're in!"), said
    assert [r.lightning_id for r in core.db.rows("rsvps")] == [b_id]
