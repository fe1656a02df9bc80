"""What the bot says about questions: the card, the session intro, controls and rating prompts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import quote

from bot.config import Config
from bot.domain import Question, QuestionState
from bot.emoji import shown_emoji
from bot.mentors.career import cross_region_mentors
from bot.messages import (
    Action,
    Bold,
    ChatMessage,
    Jump,
    Link,
    Mention,
    Text,
    UserText,
    lines,
    shortened,
    text,
    when,
)
from bot.ports import UnitOfWork
from bot.privacy.model import anyone_forgotten
from bot.recognition.model import FORGOTTEN_NAME
from bot.refs import UserRef

__all__ = [
    "ANONYMOUS",
    "LATE_RESOLVE",
    "TIMED_OUT_ADVICE",
    "an_admin",
    "call_link",
    "can_extend",
    "card_view",
    "feedback_prompt",
    "late_resolve_hours",
    "late_resolve_open",
    "late_resolve_until",
    "question_card",
    "session_controls",
    "session_intro",
    "who",
]

# What the asker and the mentor of a session closed because its time ran out are told to do
# next (when it closes, and if they write in its thread afterwards).
TIMED_OUT_ADVICE = {
    "asker": "If it isn't settled, `/askmentor` again with where you got to.",
    "mentor": "If you agreed to carry on, a DM or a call works.",
}

# How long after its time box closed a session can still be marked resolved by its asker or
# mentor (it may well have helped: the mentor gets the credit, the asker can rate it).
LATE_RESOLVE = timedelta(hours=24)


def late_resolve_until(q: Question) -> datetime | None:
    """Until when `q`, a session its time box closed, can still be marked resolved; None for a
    question in any other state."""
    if q.state is not QuestionState.EXPIRED or q.closed_at is None:
        return None
    return q.closed_at + LATE_RESOLVE


def late_resolve_open(q: Question, now: datetime) -> bool:
    """Whether Resolve can still be pressed on `q`, a session its time box closed: within
    ``LATE_RESOLVE``, and unless its asker or mentor was forgotten since (what is left of them
    is nobody to tell, rate or credit)."""
    until = late_resolve_until(q)
    return until is not None and now <= until and not anyone_forgotten(q.asker, q.mentor)


def late_resolve_hours() -> int:
    """``LATE_RESOLVE`` in whole hours, as people are told it."""
    return round(LATE_RESOLVE.total_seconds() / 3600)


ANONYMOUS = "anonymous"

_STATE_LINE = {
    QuestionState.OPEN: "Open: waiting for a mentor",
    QuestionState.CLAIMED: "Claimed",
    QuestionState.RESOLVED: "Resolved ✅",
    QuestionState.EXPIRED: "Closed: the time box ran out",
    QuestionState.CANCELLED: "Cancelled by the asker",
    QuestionState.UNANSWERED: "Closed: nobody could take it this time",
}


def who(user: UserRef | None, names: dict[UserRef, str], *, mention: bool = True) -> Text:
    """A person by name: an intended mention, or plain (escaped) when `mention` is False."""
    if user is None:
        return text("nobody")
    name = names.get(user, user.id)
    return text(Mention(user, name)) if mention else text(UserText(name))


def an_admin(name: str, *, start: bool = True) -> Text:
    """An admin as every message that names one says it: "An admin (Ada)", or only "An admin"
    when their name is none or "admin" itself ("An admin (admin)" says nothing twice).
    `start`: at the start of a sentence ("An admin"), else "an admin"."""
    said = "An admin" if start else "an admin"
    shown = name.strip()
    if not shown or shown.casefold() == "admin":
        return text(said)
    return text(said, " (", UserText(shown), ")")


def question_card(
    q: Question,
    *,
    names: dict[UserRef, str],
    config: Config,
    cross_region: frozenset[UserRef] = frozenset(),
) -> ChatMessage:
    """The card in the mentoring channel; never shows an anonymous asker, nor how the help was
    rated (that is the mentor's own feedback, `/mentor feedback`). Suggested mentors in
    `cross_region` are marked so ("a view from another region")."""
    n = q.number
    asker = text(ANONYMOUS) if q.anonymous else who(q.asker, names, mention=False)
    fields: list[tuple[str, Text]] = [
        ("Asked by", asker),
        ("Topics", text(UserText(", ".join(q.topics))) if q.topics else text("(none recognised)")),
    ]
    actions: list[Action] = []
    status = text(_STATE_LINE[q.state])
    if q.state is QuestionState.CANCELLED and q.resolved_by not in (None, q.asker):
        status = text("Cancelled by an admin")
    if q.state is QuestionState.OPEN:
        # An anonymous card names nobody: who was left out of the suggestions would point at
        # the asker (they are told by DM instead).
        if q.suggested and not q.anonymous:
            suggested = text()
            for i, ref in enumerate(q.suggested):
                suggested = suggested + (", " if i else "") + who(ref, names)
                if ref in cross_region:
                    suggested = suggested + " (cross-region)"
            fields.append(("Suggested", suggested))
        emoji = shown_emoji(config.claim.emoji)
        fields.append(("How to claim", text(f"press Claim or react with {emoji}")))
        actions = [
            Action("claim", n, "Claim", "primary"),
            Action("notmine", n, "Not my area"),
            Action("cancel", n, "Cancel (asker)", "danger"),
        ]
    elif q.state is QuestionState.CLAIMED:
        status = text("Claimed by ") + who(q.mentor, names, mention=False)
    elif q.mentor is not None and q.state is QuestionState.RESOLVED:
        status = status + " · helped by " + who(q.mentor, names, mention=False)
    fields.append(("Status", status))
    footer = text(
        "Tip for askers: say what you tried and what you expected. "
        "Sessions are short and time-boxed."
    )
    return ChatMessage(
        title=text(Bold(f"Question #{n}")),
        body=text(UserText(q.text)),
        fields=tuple(fields),
        actions=tuple(actions),
        footer=footer,
        kind="card",
        question_id=n,
    )


async def card_view(uow: UnitOfWork, q: Question, config: Config) -> ChatMessage:
    """The card as the question stands in the database now (the deliverer renders it so)."""
    people = await uow.people.get_many([r for r in (q.asker, q.mentor, *q.suggested) if r])
    names = {ref: p.name for ref, p in people.items()}
    # Someone forgotten is a tombstone ref with no person behind it: never shown by its id
    # (nor mentioned, when suggested: nobody to ping).
    for ref in (q.asker, q.mentor):
        if ref is not None and ref not in people:
            names[ref] = FORGOTTEN_NAME
    q = replace(q, suggested=tuple(r for r in q.suggested if r in people))
    cross: frozenset[UserRef] = frozenset()
    if q.state is QuestionState.OPEN:
        cross = await cross_region_mentors(uow, q, at=q.created_at, people=people)
    return question_card(q, names=names, config=config, cross_region=cross)


def session_controls(q: Question, config: Config) -> tuple[Action, ...]:
    """Resolve, Release and +N min (``[session] extend_minutes``); no +N min once every
    extension (``[session] max_extensions``) is used: the press would only be refused."""
    n = q.number
    extend = (
        (Action("extend", n, f"+{config.session.extend_minutes} min"),)
        if can_extend(q, config)
        else ()
    )
    return (Action("resolve", n, "Resolve", "primary"), Action("release", n, "Release"), *extend)


def can_extend(q: Question, config: Config) -> bool:
    """Whether the session of `q` has an extension left."""
    return q.extensions < config.session.max_extensions


def session_intro(
    q: Question, *, names: dict[UserRef, str], config: Config, tz: str = "UTC"
) -> ChatMessage:
    """The first message of a session, naming asker and mentor, the time box and two tips."""
    assert q.mentor is not None and q.timebox_ends_at is not None
    minutes = config.session.timebox_minutes
    body = lines(
        [
            text(
                who(q.asker, names),
                " meet ",
                who(q.mentor, names),
                f": a {minutes}-minute session on question #{q.number}.",
            ),
            text(Bold("Question: "), UserText(q.text)),
            text(
                "Time box: until ",
                when(q.timebox_ends_at, tz),
                f"; +{config.session.extend_minutes} min if you need it.",
            ),
            *([text("Talk it through: ", link)] if (link := call_link(q, config)) else []),
            text(
                "Tips: 1) asker, say what you tried and what you expected; "
                "2) mentor, aim for the next step, not the whole answer — a longer chat can follow."
            ),
            text(
                "When you're done, press Resolve (the asker can also react "
                f"{shown_emoji(config.claim.resolve_emoji)})."
            ),
        ]
    )
    return ChatMessage(
        body=body, actions=session_controls(q, config), kind="intro", question_id=q.number
    )


def call_link(q: Question, config: Config) -> Link | None:
    """``[session] call_link`` for this session (``{workspace}`` and ``{number}`` filled in,
    URL-safe), as a "Start a call" link; None when no call link is configured."""
    template = config.session.call_link
    if not template:
        return None
    workspace = quote(q.workspace.id.lower(), safe="")
    return Link(template.format(workspace=workspace, number=q.number), "Start a call")


def feedback_prompt(
    q: Question, *, names: dict[UserRef, str], role: str, share: bool = False
) -> ChatMessage:
    """Rating buttons: asker rates the help, mentor rates how clear the question was; the mentor
    may also save the answer as an FAQ entry, and with `share` (a language model suggests next
    steps) both may agree to share the mentor's short answer with it."""
    n = q.number
    extra: list[Action] = []
    if role == "asker":
        body = text(who(q.asker, names), f", how helpful was this session on #{n}? Rate 1–5.")
        prefix = "rate"
    else:
        body = text(
            who(q.mentor, names),
            f", how clear was question #{n}? Rate 1–5. Will others ask this too? "
            "Save as FAQ with a short answer, and they'll see it first.",
        )
        prefix = "clarity"
        extra.append(Action("faq", n, "Save as FAQ"))
    if share:
        body = body + (
            " Share summary: if you both agree, the mentor's short answer helps tailor the "
            "next-step suggestions (nothing else from the session is shared)."
        )
        extra.append(Action("share", n, "Share summary"))
    actions = tuple(Action(f"{prefix}:{i}", n, str(i)) for i in range(1, 6))
    # No [Add a comment] yet: a comment belongs to a rating (what was typed before one would
    # be turned away); the reply to the rating offers it.
    return ChatMessage(body=body, actions=(*actions, *extra))


def similar_lines(similar: Sequence[Question]) -> list[Text]:
    """Where to read already resolved questions like this one."""
    out: list[Text] = []
    for s in similar:
        target = s.thread or s.card
        label = f"#{s.number}"
        head = text(Jump(target, label)) if target is not None else text(label)
        out.append(text("• ", head, " ", UserText(shortened(s.text, 90))))
    return out
