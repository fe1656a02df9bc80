"""The question lifecycle: every (state, move) pair of the state machine, allowed or refused."""

from __future__ import annotations

import itertools

import pytest

from bot.domain import IllegalTransition, Question, QuestionState, Transition, next_state
from bot.refs import UserRef, WorkspaceRef
from tests.unit.core_harness import START

S, T = QuestionState, Transition

ALLOWED = {
    (S.OPEN, T.CLAIM): S.CLAIMED,
    (S.OPEN, T.CANCEL): S.CANCELLED,
    (S.OPEN, T.GIVE_UP): S.UNANSWERED,
    (S.CLAIMED, T.RELEASE): S.OPEN,
    (S.CLAIMED, T.RESOLVE): S.RESOLVED,
    (S.CLAIMED, T.EXPIRE): S.EXPIRED,
    (S.CLAIMED, T.CANCEL): S.CANCELLED,
    (S.EXPIRED, T.RESOLVE): S.RESOLVED,  # the late resolve of a timed-out session
}
REFUSED = [pair for pair in itertools.product(S, T) if pair not in ALLOWED]


@pytest.mark.parametrize(("state", "move"), list(ALLOWED), ids=lambda v: v.value)
def test_allowed_move_leads_to_the_next_state(state: QuestionState, move: Transition) -> None:
    assert next_state(state, move) is ALLOWED[(state, move)]


@pytest.mark.parametrize(("state", "move"), REFUSED, ids=lambda v: v.value)
def test_refused_move_raises_illegal_transition_naming_state_and_move(
    state: QuestionState, move: Transition
) -> None:
    with pytest.raises(IllegalTransition) as refused:
        next_state(state, move)
    assert refused.value.state is state and refused.value.move is move
    assert str(refused.value) == f"cannot {move.value} a question that is {state.value}"


def test_the_table_covers_every_state_and_move() -> None:
    assert len(ALLOWED) + len(REFUSED) == len(S) * len(T)


@pytest.mark.parametrize("state", list(S), ids=lambda s: s.value)
def test_final_states_allow_no_move_but_the_late_resolve(state: QuestionState) -> None:
    allowed_moves = [m for m in T if (state, m) in ALLOWED]
    if state is S.EXPIRED:
        assert state.is_final and allowed_moves == [T.RESOLVE]
    else:
        assert state.is_final == (not allowed_moves)


def _question(state: QuestionState) -> Question:
    return Question(
        workspace=WorkspaceRef("test", "T1"),
        asker=UserRef("test", "alice"),
        text="q",
        created_at=START,
        state=state,
        id=1,
    )


def test_moved_returns_a_changed_copy_and_leaves_the_original_alone() -> None:
    q = _question(S.OPEN)
    mentor = UserRef("test", "bob")
    claimed = q.moved(T.CLAIM, mentor=mentor)
    assert (claimed.state, claimed.mentor) == (S.CLAIMED, mentor)
    assert (q.state, q.mentor) == (S.OPEN, None)


def test_moved_refuses_an_illegal_move() -> None:
    with pytest.raises(IllegalTransition):
        _question(S.RESOLVED).moved(T.CLAIM)
