"""The lightning card's rating in the channel: never a figure that gives away how someone rated
(how many rated it, never their average: a rounded one still moves with each new rating)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.lightning.cards import lightning_card
from bot.lightning.model import Lightning, LightningState, Rsvp
from bot.refs import UserRef, WorkspaceRef

WS = WorkspaceRef("console", "T1")
AT = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def held(scores: list[int | None]) -> str:
    s = Lightning(
        workspace=WS,
        topic="pandas",
        created_at=AT,
        state=LightningState.HELD,
        title="groupby",
        speaker=UserRef("console", "bob"),
        starts_at=AT,
        local_number=1,
        id=1,
    )
    rsvps = [
        Rsvp(1, UserRef("console", f"u{i}"), AT, score=score) for i, score in enumerate(scores)
    ]
    card = lightning_card(s, speaker="bob", rsvps=rsvps, tz=None)
    return dict((name, value.plain()) for name, value in card.fields)["Held"]


@pytest.mark.parametrize(
    ("scores", "said"),
    [
        ([None, None], "2 signed up"),
        ([5, None], "2 signed up; rated by 1"),
        ([5, 4], "2 signed up; rated by 2"),
        ([5, 4, 1], "3 signed up; rated by 3"),
        ([5, 4, 1, 2], "4 signed up; rated by 4"),
        ([5, 4, 4, 4], "4 signed up; rated by 4"),
        ([5, 5, 5], "3 signed up; rated by 3"),
    ],
)
def test_the_card_shows_how_many_rated_it_never_an_average(
    scores: list[int | None], said: str
) -> None:
    assert held(scores) == said
