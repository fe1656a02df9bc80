"""Which printed buttons still make sense for the person at the console.

A mistyped ``click`` lists the buttons on that number its typist could press now: not a card's
Claim once the question is claimed, nor a session's Resolve once it is resolved, nor the quick
check of a lesson already answered, nor another person's buttons; but a timed-out session's
late Resolve while it can still be pressed, and what an admin may press on anyone's question."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.actors import CONSOLE_ADMIN
from bot.domain import Question, QuestionState
from bot.learning.courses import parse_check_action
from bot.learning.model import DraftState, Track
from bot.messages import Action
from bot.ports import UnitOfWork
from bot.questions.cards import late_resolve_open
from bot.refs import UserRef, WorkspaceRef

__all__ = ["Standing", "fits", "offered", "standing"]

_SHOWN = 8  # buttons listed at most, the latest message's first


@dataclass(frozen=True, slots=True)
class Standing:
    """What the database says of one number for one person, as a ``click`` line is read."""

    user: UserRef
    question: Question | None = None  # the question of that number, if there is one
    rated: frozenset[str] = frozenset()  # "asker", "mentor": the roles they rated it in
    topic_chosen: bool = False  # its asker said what it is about already
    shared: bool = False  # they agreed to share its summary already
    draft: bool = False  # their held draft of that number waits to be posted, edited or dropped
    # Per course (``mentee``, ``mentor``): the next lesson, and the lessons whose check is answered.
    courses: dict[str, tuple[int, frozenset[int]]] = field(default_factory=dict)
    admin: bool = False  # they may release, resolve, extend or cancel anyone's question
    now: datetime | None = None  # the console's clock (None: not told; a late Resolve is listed)


async def standing(
    uow: UnitOfWork,
    user: UserRef,
    workspace: WorkspaceRef,
    number: int,
    *,
    now: datetime | None = None,
    admin: bool | None = None,
) -> Standing:
    """What the database says now of `number` (a question's, a lesson's…) for `user`; `admin`
    when not told: whether they are the console's admin (its only one unless ``[bot] admins``
    lists console users)."""
    q = await uow.questions.get_by_number(workspace, number)
    rated: set[str] = set()
    chosen = shared = False
    if q is not None:
        for role in ("asker", "mentor"):
            if await uow.feedback.get(q.pk, user, role) is not None:
                rated.add(role)
        chosen = await uow.topic_choices.chosen_topic(q.pk) is not None
        shared = user in await uow.followups.shared_by(q.pk)
    held = await uow.drafts.get(number)
    draft = held is not None and held.asker == user and held.state is DraftState.PENDING
    courses = {}
    for track in Track:
        e = await uow.learning.get(user, track)
        if e is not None:
            courses[track.value] = (e.next_lesson, frozenset(e.checks_answered))
    if admin is None:
        admin = user == CONSOLE_ADMIN
    return Standing(user, q, frozenset(rated), chosen, shared, draft, courses, admin, now)


def _fits_question(action: str, q: Question | None, s: Standing) -> bool | None:
    """Whether a question's button makes sense for `s.user` now; None: not a question's."""
    kind, colon, _ = action.partition(":")
    rule = _QUESTION_RULES.get(kind if colon else action)
    if rule is None:
        return None
    if q is None:
        return False
    return rule(q, s)


def _you(q: Question, s: Standing) -> set[str]:
    roles = set()
    if s.user == q.asker:
        roles.add("asker")
    if q.mentor is not None and s.user == q.mentor:
        roles.add("mentor")
    return roles


def _manages(q: Question, s: Standing) -> bool:
    """Its asker, its mentor, or an admin (`bot.questions.sessions._may_manage`)."""
    return s.admin or bool(_you(q, s))


def _late_resolve(q: Question, s: Standing) -> bool:
    """A session its time box closed while its late resolve is open
    (`bot.questions.cards.late_resolve_open`); without a clock, whatever its age."""
    now = s.now if s.now is not None else q.closed_at
    return now is not None and late_resolve_open(q, now)


_OPEN, _CLAIMED, _RESOLVED = QuestionState.OPEN, QuestionState.CLAIMED, QuestionState.RESOLVED
_QUESTION_RULES: dict[str, Callable[[Question, Standing], bool]] = {
    "claim": lambda q, s: q.state is _OPEN and s.user != q.asker and s.user not in q.released_by,
    "notmine": lambda q, s: q.state is _OPEN and s.user != q.asker,
    # The asker calls off a question still waiting; an admin any question not closed yet.
    "cancel": lambda q, s: (
        (q.state is _OPEN and s.user == q.asker) or (s.admin and q.state in (_OPEN, _CLAIMED))
    ),
    "topic": lambda q, s: q.state is _OPEN and s.user == q.asker and not s.topic_chosen,
    "release": lambda q, s: q.state is _CLAIMED and _manages(q, s),
    "resolve": lambda q, s: (q.state is _CLAIMED or _late_resolve(q, s)) and _manages(q, s),
    "extend": lambda q, s: q.state is _CLAIMED and _manages(q, s),
    "accept": lambda q, s: q.state is _CLAIMED and s.user == q.handover_to,
    "decline": lambda q, s: q.state is _CLAIMED and s.user == q.handover_to,
    "rate": lambda q, s: q.state is _RESOLVED and "asker" in _you(q, s) - s.rated,
    "clarity": lambda q, s: q.state is _RESOLVED and "mentor" in _you(q, s) - s.rated,
    "comment": lambda q, s: q.state is _RESOLVED and bool(_you(q, s) & s.rated),
    "share": lambda q, s: q.state is _RESOLVED and bool(_you(q, s)) and not s.shared,
    "faq": lambda q, s: q.state is _RESOLVED and s.user == q.mentor,
}


_DRAFT_BUTTONS = frozenset({"post", "edit", "answered"})


def fits(action: Action, s: Standing) -> bool:
    """Whether `action` makes sense for `s.user` now. A question's button follows its state
    and their part in it; a held draft's, until it is posted or dropped; a lesson's quick check,
    until answered; any other is kept."""
    said = _fits_question(action.id, s.question, s)
    if said is not None:
        return said
    if action.id in _DRAFT_BUTTONS:
        return s.draft
    check = parse_check_action(action.id)
    if check is not None:
        course = s.courses.get(check[0].value)
        return (
            course is not None
            and action.question_id < course[0]
            and (action.question_id not in course[1])
        )
    return True


def offered(
    groups: Sequence[tuple[Action, ...]], action: str, s: Standing | None
) -> tuple[Action, ...]:
    """The buttons to list for a mistyped `action`, from the `groups` printed on its number
    (latest message first): those that make sense now, the latest first, at most a few. A
    typed ``mentor:…`` gets the latest lesson's buttons of its kind; a lesson's quick check
    is listed for another word only when nothing else is there to press."""
    live = [tuple(a for a in g if s is None or fits(a, s)) for g in groups]
    live = [g for g in live if g]
    kind, colon, _ = action.partition(":")
    for buttons in live if colon else ():
        if any(a.id.startswith(f"{kind}:") for a in buttons):
            return buttons[:_SHOWN]
    latest: dict[str, Action] = {}  # a button printed again counts where it was last shown
    for buttons in live:
        for a in buttons:
            latest.setdefault(a.id, a)
    not_checks = [a for a in latest.values() if parse_check_action(a.id) is None]
    return tuple(not_checks or latest.values())[:_SHOWN]
