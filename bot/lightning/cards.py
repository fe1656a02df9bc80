"""What the bot says about a lightning session: its card in the mentoring channel (posted once,
then edited in place as people sign up: see `bot.lightning.card_gateway`), the proposal,
invitations, reminders and the rating prompt."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.lightning.model import Lightning, LightningState, Rsvp
from bot.lightning.times import day_word
from bot.messages import Action, Bold, ChatMessage, Link, Text, UserText, lines, text, when_text
from bot.ports import UnitOfWork
from bot.recognition.model import FORGOTTEN_NAME

__all__ = [
    "CARD_KIND",
    "card_placeholder",
    "invitation",
    "leave_button",
    "lightning_card",
    "lightning_card_view",
    "named",
    "proposal_prompt",
    "rating_prompt",
    "reminder",
]

CARD_KIND = "lightning"


def named(s: Lightning, *, number: str = "") -> Text:
    """A session as `number` “its title” (bold number, the title as the speaker typed it)."""
    return (
        text(Bold(number), " “", UserText(s.title), "”")
        if number
        else text("“", UserText(s.title), "”")
    )


def _title(s: Lightning) -> Text:
    return text(Bold(f"⚡ Lightning session #{s.number}: "), UserText(s.title or s.topic))


def lightning_card(
    s: Lightning,
    *,
    speaker: str,
    rsvps: Sequence[Rsvp],
    tz: str | None,
    going: int | None = None,
) -> ChatMessage:
    """The card in the mentoring channel: what, when, who, how many are going (`going`, else
    every sign-up in `rsvps`); [I'll join]."""
    assert s.starts_at is not None
    going = len(rsvps) if going is None else going
    scores = [r.score for r in rsvps if r.score is not None]
    fields: list[tuple[str, Text]] = [
        ("Topic", text(UserText(s.topic))),
        ("When", text(when_text(s.starts_at, tz), f" · {s.minutes} min")),
        ("Speaker", text(UserText(speaker))),
    ]
    actions: tuple[Action, ...] = ()
    if s.state is LightningState.SCHEDULED:
        fields.append(("Going", text(f"{going} signed up")))
        body = text(
            f"A {s.minutes}-minute talk to learn ",
            UserText(s.topic),
            " from someone who knows it. Press I'll join for reminders (a day and 15 minutes "
            f"before), or `/lightning join {s.number}`.",
        )
        actions = (Action("join", s.stored_id, "I'll join", "primary"),)
    elif s.state is LightningState.HELD and (going or scores):
        fields.append(("Held", text(f"{going} signed up{_rated(scores)}")))
        body = text("This session took place. Thank you, ", UserText(speaker), "!")
    elif s.state is LightningState.HELD:
        # Its time passed with nobody signed up: it most likely didn't take place, so no thanks
        # for a talk and no "held"; a kind word for offering it.
        fields.append(("Signed up", text("nobody")))
        body = text(
            "This session's time has passed with nobody signed up. Thanks for offering it, ",
            UserText(speaker),
            " — `/lightning list` shows what's coming next.",
        )
    else:
        body = text("This session was cancelled.")
    return ChatMessage(
        title=_title(s),
        body=body,
        fields=tuple(fields),
        actions=actions,
        kind=CARD_KIND,
        question_id=s.stored_id,  # the card's subject: this session (its internal id)
    )


def _rated(scores: Sequence[int]) -> str:
    """The card's rating: how many rated it, never their average. Any average on a public card,
    rounded or not, moves with each new rating, so those watching it could tell how each
    attendee rated; the digest gives admins the exact figure."""
    return f"; rated by {len(scores)}" if scores else ""


def card_placeholder(s: Lightning) -> ChatMessage:
    """What the outbox stores for the card: it is rendered afresh when it goes out (see
    `bot.lightning.card_gateway`), so the count on it is the one at delivery."""
    return ChatMessage(title=_title(s), body=text(), kind=CARD_KIND, question_id=s.stored_id)


def _call(call_link: str) -> Text:
    return text(" Join here: ", Link(call_link, call_link), ".") if call_link else text()


def proposal_prompt(
    s: Lightning, *, asked: int, askers: int | None, window_days: int
) -> ChatMessage:
    """The DM to a mentor who knows the topic: [I'll teach it] [Not now]. `askers`: how many
    different people asked (None: left out, when not known any more or one asked anonymously)."""
    people = "" if askers is None else f" from {askers} {'person' if askers == 1 else 'people'}"
    return ChatMessage(
        body=lines(
            [
                text(
                    f"⚡ {asked} questions{people} about ",
                    UserText(s.topic),
                    f" came up in the last {window_days} days. Would you give a "
                    f"{s.minutes}-minute lightning session on it? People learn a lot from a "
                    "short demo by someone who knows.",
                ),
                text(
                    "Press I'll teach it to pick a title and a time, or type "
                    f"`/lightning accept {s.number} <YYYY-MM-DD HH:MM> <title>` "
                    "(the time in your own timezone)."
                ),
            ]
        ),
        actions=(
            # Sent by DM: the buttons name their workspace (a Discord DM is in no server).
            # Buttons carry the internal id (people never see it); the text, the number.
            Action("teach", s.stored_id, "I'll teach it", "primary", s.workspace.id),
            Action("notnow", s.stored_id, "Not now", "default", s.workspace.id),
        ),
    )


def invitation(s: Lightning, *, speaker: str, tz: str | None) -> ChatMessage:
    """A personal invitation to someone who asked about the topic within the window."""
    assert s.starts_at is not None
    return ChatMessage(
        body=text(
            "You asked about ",
            UserText(s.topic),
            " recently — ",
            UserText(speaker),
            f" gives a {s.minutes}-minute lightning session on it: ",
            named(s),
            f", {when_text(s.starts_at, tz)}. Want to join?",
        ),
        actions=(Action("join", s.stored_id, "I'll join", "primary", s.workspace.id),),
    )


def leave_button(s: Lightning) -> Action:
    """[Leave] for someone signed up: off the list, no reminders nor rating prompt."""
    # Sent by DM too: the button names its workspace (a Discord DM is in no server).
    return Action("leave", s.stored_id, "Leave", "default", s.workspace.id)


def reminder(
    s: Lightning, *, tz: str | None, soon: bool, call_link: str, speaking: bool, now: datetime
) -> ChatMessage:
    """A day before, or 15 minutes before; with the call link when there is one, and [Leave]
    for a sign-up (the speaker cancels instead)."""
    assert s.starts_at is not None
    when = "starts in 15 minutes" if soon else f"is {day_word(s.starts_at, now, tz)}"
    role = "you're speaking" if speaking else "you signed up"
    return ChatMessage(
        body=text(
            "⏰ Lightning session ",
            named(s, number=f"#{s.number}"),
            f" {when}: {when_text(s.starts_at, tz)}; {role}.",
            _call(call_link),
        ),
        actions=() if speaking else (leave_button(s),),
    )


def rating_prompt(s: Lightning) -> ChatMessage:
    return ChatMessage(
        body=text(
            "How was the lightning session ",
            named(s, number=f"#{s.number}"),
            "? One click helps the speaker and the next sessions "
            f"(or `/lightning rate {s.number} <1-5>`).",
        ),
        actions=tuple(
            Action(f"lrate:{i}", s.stored_id, str(i), "default", s.workspace.id)
            for i in range(1, 6)
        ),
    )


async def lightning_card_view(uow: UnitOfWork, lightning_id: int) -> ChatMessage | None:
    """A session's card as the database has it now (None if the session is gone)."""
    s = await uow.lightning.get(lightning_id)
    if s is None or s.starts_at is None:
        return None
    rsvps = await uow.lightning.rsvps(s.stored_id)
    # A forgotten person's sign-up stays under a tombstone ref: nobody going (its rating, a
    # figure, still counts).
    known = await uow.people.get_many([r.user for r in rsvps])
    going = [r for r in rsvps if r.user in known]
    person = await uow.people.get(s.speaker) if s.speaker is not None else None
    # A forgotten speaker's ref is a tombstone with no person behind it: never show its id.
    speaker = person.name if person is not None else FORGOTTEN_NAME
    ws = await uow.workspaces.get(s.workspace)
    return lightning_card(
        s, speaker=speaker, rsvps=rsvps, going=len(going), tz=ws.timezone if ws else None
    )
