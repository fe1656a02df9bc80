"""What follows each question event, in the same transaction: the card shows the new state, the
session thread opens or hears a note, points are given, nudges are scheduled or cancelled.
Nothing here talks to a platform: it records deliveries on the outbox."""

from __future__ import annotations

from collections.abc import Sequence

from bot.actors import names_for, workspace_of
from bot.domain import NudgeKind, Question, QuestionState, Workspace
from bot.events import (
    Event,
    QuestionAsked,
    QuestionCancelled,
    QuestionClaimed,
    QuestionExpired,
    QuestionHandedOver,
    QuestionReleased,
    QuestionResolved,
    QuestionUnanswered,
    SessionRated,
    SuggestionsChanged,
    TimeboxExtended,
)
from bot.learning.suggestions import configured_suggester
from bot.messagebus import Context, EventHandler
from bot.messages import Action, ChatMessage, Jump, Text, UserText, lines, text, when
from bot.nudges import schedule
from bot.questions.asking import similar_resolved
from bot.questions.cards import (
    TIMED_OUT_ADVICE,
    an_admin,
    feedback_prompt,
    late_resolve_hours,
    session_intro,
    similar_lines,
    who,
)
from bot.questions.ranking import listing_mentors
from bot.recognition.model import GOOD_RATING
from bot.recognition.points import award_points, take_back_points
from bot.refs import UserRef

__all__ = ["QUESTION_REACTIONS"]


async def _question(ctx: Context, question_id: int) -> tuple[Question, Workspace]:
    q = await ctx.uow.questions.get(question_id)
    assert q is not None, f"question {question_id} vanished within its own transaction"
    ws = await workspace_of(ctx, q.workspace)
    assert ws is not None, "a question's workspace is always registered"
    return q, ws


def _load_changed(ctx: Context, q: Question) -> None:
    """A mentor's load (and the usual wait for a claim) changed: read fresh once this commits."""
    figures = ctx.services.figures
    ws = q.workspace
    ctx.after_commit.append(lambda: figures.forget(lambda k: isinstance(k, tuple) and k[1] == ws))


def _show_card(ctx: Context, q: Question, ws: Workspace) -> None:
    ctx.outbox.card(q, channel=ws.mentoring_channel)


def _note(ctx: Context, q: Question, body: Text, actions: tuple[Action, ...] = ()) -> None:
    ctx.outbox.in_thread(ChatMessage(body=body, actions=actions, question_id=q.number), q)


def _in_thread(q: Question) -> Text:
    return text(Jump(q.thread, f"#{q.number}")) if q.thread else text(f"#{q.number}")


def _invite(ctx: Context, q: Question, mentors: Sequence[UserRef], said: Text) -> None:
    """A DM to each of `mentors` about `q`, with its Claim button (naming its workspace)."""
    for ref in mentors:
        ctx.outbox.dm(
            ref,
            ChatMessage(
                body=said,
                actions=(Action("claim", q.number, "Claim", "primary", q.workspace.id),),
                question_id=q.number,
            ),
        )


def _tell_suggested(ctx: Context, q: Question, mentors: Sequence[UserRef]) -> None:
    """An anonymous question's card names nobody: its suggested mentors hear of it by DM."""
    said = text(
        f"A question in your areas was asked anonymously (#{q.number}): ",
        UserText(q.text[:300]),
        " — claim it if you can help.",
    )
    _invite(ctx, q, mentors, said)


async def asked(event: QuestionAsked, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _show_card(ctx, q, ws)
    if q.anonymous:
        _tell_suggested(ctx, q, q.notified)
    await schedule.schedule_escalation(ctx, q, base=q.created_at)


async def claimed(event: QuestionClaimed, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _load_changed(ctx, q)
    _show_card(ctx, q, ws)
    await _open_session(ctx, q, ws)
    # No points here: claiming alone is not help (claim/release would farm them).
    await schedule.after_claim(ctx, q)


async def _open_session(ctx: Context, q: Question, ws: Workspace) -> None:
    """The session's conversation (a thread under the card, or a private one for anonymous
    questions) and its intro."""
    assert q.mentor is not None
    ctx.outbox.open_thread(
        q,
        channel=ws.mentoring_channel,
        members=(q.asker, q.mentor),
        private=q.anonymous,
    )
    names = await names_for(ctx, [q.asker, q.mentor])
    profile = await ctx.uow.mentors.get(q.mentor, q.workspace)
    tz = profile.timezone if profile is not None else ws.timezone
    ctx.outbox.in_thread(session_intro(q, names=names, config=ctx.config, tz=tz), q)


async def released(event: QuestionReleased, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _load_changed(ctx, q)
    # An admin let the session go (neither its asker nor its mentor): said so to everyone.
    by_admin = event.by not in (q.asker, event.mentor)
    # Nobody else fits (q.suggested is the new ranking): say so rather than promise others.
    queue = (
        "it's back in the queue and other mentors are being asked."
        if q.suggested
        else "it's back in the queue, open to every mentor in the mentoring channel."
    )
    if by_admin:
        by = an_admin(event.by_name or "")
    else:
        by = who(event.by, {event.by: event.by_name}, mention=False)
    if event.by == q.asker:  # the asker let their mentor go, not their question
        mentor = who(event.mentor, await names_for(ctx, [event.mentor]), mention=False)
        _note(ctx, q, text(by, " released ", mentor, f" from #{q.number}; {queue}"))
    else:
        _note(ctx, q, text(by, f" released #{q.number}; {queue}"))
    _show_card(ctx, q, ws)
    again = text(
        f"Question #{q.number} is looking for a mentor again, in your areas: ",
        UserText(q.text[:200]),
    )
    _invite(ctx, q, event.notify, again)
    if by_admin:
        ctx.outbox.dm(
            event.mentor,
            ChatMessage(
                body=an_admin(event.by_name or "")
                + text(
                    f" released your session on #{q.number}: it is back in the queue "
                    "for another mentor, so you can stop working on it. Thank you for your help!"
                ),
                question_id=q.number,
            ),
        )
    if event.by != q.asker:
        if q.suggested:
            others = "Other mentors are being asked now"
        elif await listing_mentors(ctx, workspace=q.workspace, topics=q.topics, asker=q.asker):
            others = (
                "No other mentor who fits is free to take it right now, but every mentor in "
                "the mentoring channel can still take it"
            )
        else:
            others = (
                "No other mentor lists its topics, but every mentor in the mentoring channel "
                "can still take it"
            )
        said = (
            an_admin(event.by_name or "") + f" put your question #{q.number} back in the queue"
            if by_admin
            else text(
                f"Your question #{q.number} is back in the queue: your mentor "
                + (event.why or "had to let it go")
            )
        )
        ctx.outbox.dm(
            q.asker,
            ChatMessage(
                body=text(said, f". {others}; there's nothing you need to do."),
                question_id=q.number,
            ),
        )
    await schedule.after_release(ctx, q)


async def resolved(event: QuestionResolved, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _load_changed(ctx, q)
    _show_card(ctx, q, ws)
    names = await names_for(ctx, [q.asker, q.mentor])
    names[event.by] = event.by_name  # the thread note uses the name they act under now
    _note(
        ctx,
        q,
        text(
            f"#{q.number} is resolved (by ",
            who(event.by, names, mention=False),
            "). Thank you both!",
        ),
    )
    share = configured_suggester(ctx.services) is not None
    for role in ("asker", "mentor"):
        ctx.outbox.in_thread(feedback_prompt(q, names=names, role=role, share=share), q)
    assert q.mentor is not None
    # Points for help given, not for taking a question: claim-release cycles earn nothing, and
    # a session its mentor closed themselves earns them when the asker rates it (claim and
    # resolve at once is no way to farm points).
    if event.by != q.mentor:
        await award_points(
            ctx, user=q.mentor, question=q, points=ctx.config.points.resolve, reason="resolve"
        )
    await schedule.after_resolve(ctx, q)
    similar = ctx.services.similar
    ctx.after_commit.append(lambda: similar.of(q.workspace).add(q.pk, q.text, q.topics))


def _cancel_note(event: QuestionCancelled, q: Question) -> Text:
    """The session thread hears who cancelled; its mentor is thanked only while there is one
    (after a release the question was back in the queue: nobody to thank)."""
    admin = event.by_admin and event.by != q.asker
    by = an_admin(event.by_name or "") if admin else text("The asker")
    if q.mentor is not None:
        return by + f" cancelled #{q.number}. Thanks for your time!"
    return by + f" cancelled #{q.number}."


async def cancelled(event: QuestionCancelled, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _load_changed(ctx, q)
    _show_card(ctx, q, ws)
    if q.claims:  # a session conversation was opened at some point
        _note(ctx, q, _cancel_note(event, q))
    # The asker did not do it: tell them (someone forgotten meanwhile is nobody to tell).
    if event.by_admin and event.by != q.asker and await ctx.uow.people.get_many([q.asker]):
        ctx.outbox.dm(
            q.asker,
            ChatMessage(
                body=text(
                    an_admin(event.by_name or ""),
                    f" cancelled your question #{q.number}: ",
                    UserText(q.text[:200]),
                    " If you still need help, `/askmentor` again — or ask the admins why.",
                ),
                question_id=q.number,
            ),
        )
    # A session under way: its mentor hears it where they will look, not only in the thread.
    if event.by_admin and q.mentor is not None and q.mentor != event.by:
        ctx.outbox.dm(
            q.mentor,
            ChatMessage(
                body=text(
                    an_admin(event.by_name or ""),
                    f" cancelled #{q.number}, the question of your session, so you can "
                    "stop working on it. Thank you for your help!",
                ),
                question_id=q.number,
            ),
        )
    await schedule.on_close(ctx, q)


async def extended(event: TimeboxExtended, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    assert q.timebox_ends_at is not None
    # The fallback in the same zone as the session's first message (each reader sees theirs).
    profile = await ctx.uow.mentors.get(q.mentor, q.workspace) if q.mentor is not None else None
    ws_tz = profile.timezone if profile is not None else ws.timezone
    minutes = ctx.config.session.extend_minutes
    why = "You're still talking, so I've added time. " if event.automatic else ""
    _note(
        ctx,
        q,
        text(
            f"{why}+{minutes} min: the session on #{q.number} now ends at ",
            when(q.timebox_ends_at, ws_tz),
            ".",
        ),
    )
    await schedule.after_extend(ctx, q)


async def handed_over(event: QuestionHandedOver, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _load_changed(ctx, q)
    names = await names_for(ctx, [q.asker, event.previous, event.mentor])
    # Whoever asked for it: the mentor, or an admin (never credited to the mentor).
    by = text("An admin") if event.by_admin else who(event.previous, names, mention=False)
    note = ChatMessage(
        body=by + text(f" handed #{q.number} over to ", who(event.mentor, names), ". Thanks both!"),
        question_id=q.number,
    )
    if event.by_admin:  # the mentor did not ask for it: tell them, so they can stop working on it
        told = ChatMessage(
            body=text(
                f"An admin handed your session on #{q.number} over to ",
                who(event.mentor, names, mention=False),
                ", so it is theirs now and you can stop working on it. Thank you for your help!",
            ),
            question_id=q.number,
        )
        if event.old_thread is not None:
            # Their DMs closed, they hear it in the session thread they were in (the new
            # session's may be another, without them).
            name = names.get(event.previous, "mentor")
            ctx.outbox.dm_or_in_thread(event.previous, told, q, name=name, thread=event.old_thread)
        else:
            ctx.outbox.dm(event.previous, told)
    # The note goes to the thread the question has now, before the new one (if any) opens.
    ctx.outbox.in_thread(note, q, thread=event.old_thread)
    await _open_session(ctx, q, ws)
    _show_card(ctx, q, ws)
    await schedule.after_claim(ctx, q)


async def suggestions_changed(event: SuggestionsChanged, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _show_card(ctx, q, ws)
    fresh = [r for r in q.suggested if r not in q.notified]
    if q.anonymous and fresh:  # newly suggested ("not my area", a topic picked): tell them
        q.notified = (*q.notified, *fresh)
        if await ctx.uow.questions.update(q, expected_state=q.state):
            _tell_suggested(ctx, q, fresh)


async def expired(event: QuestionExpired, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _load_changed(ctx, q)
    _show_card(ctx, q, ws)
    await schedule.on_close(ctx, q)
    _note(
        ctx,
        q,
        text(
            f"The session on #{q.number} has closed: "
            + (
                "its time box and every extension ran out. "
                if event.still_talking
                else "its time box ran out with no answer to the wrap-up. "
            )
            # No "ask again" here: only the asker asks, and each DM below says what next.
            + "Thanks both! If it did help, either of you can still press Resolve within "
            f"{late_resolve_hours()} hours."
        ),
        actions=(Action("resolve", q.number, "Resolve", "primary"),),
    )
    names = await names_for(ctx, [q.asker, q.mentor])
    advice = {
        q.asker: TIMED_OUT_ADVICE["asker"],
        q.mentor: "Thanks for your time! " + TIMED_OUT_ADVICE["mentor"],
    }
    for user in (q.asker, q.mentor):
        if user is not None:
            ctx.outbox.dm(
                user,
                ChatMessage(
                    body=text(
                        who(user, names, mention=False),
                        ", session ",
                        _in_thread(q),
                        " was closed because its time box ran out. ",
                        advice[user],
                        " If it got sorted, Resolve still marks it resolved within "
                        f"{late_resolve_hours()} hours.",
                    ),
                    actions=(Action("resolve", q.number, "Resolve", "primary", q.workspace.id),),
                    question_id=q.number,
                ),
            )


async def unanswered(event: QuestionUnanswered, ctx: Context) -> None:
    q, ws = await _question(ctx, event.question_id)
    _show_card(ctx, q, ws)
    await schedule.on_close(ctx, q)
    names = await names_for(ctx, [q.asker])
    similar = await similar_resolved(ctx, q)
    body = [
        text(
            who(q.asker, names, mention=False),  # a DM: no need to ping them by name
            f", I'm sorry: no mentor could take your question #{q.number} this time, "
            "so I've closed it. It's not you — please ask again, perhaps with a little more "
            "detail or other keywords: `/askmentor ...`",
        )
    ]
    if similar:
        body += [text("These answered questions may help meanwhile:"), *similar_lines(similar)]
    ctx.outbox.dm(q.asker, ChatMessage(body=lines(body), question_id=q.number))


async def rated(event: SessionRated, ctx: Context) -> None:
    if event.role != "asker":
        return
    q, _ = await _question(ctx, event.question_id)
    await ctx.uow.nudges.cancel(q.pk, [NudgeKind.FEEDBACK])
    if (
        event.previous is None
        and q.mentor is not None
        and q.state is QuestionState.RESOLVED
        and not await ctx.uow.points.given_for(q.mentor, q.pk, "resolve")
    ):
        # The mentor resolved it themselves: the asker's first rating confirms the session.
        await award_points(
            ctx, user=q.mentor, question=q, points=ctx.config.points.resolve, reason="resolve"
        )
    # The good-rating points follow the rating as corrected: a 5 corrected to 1 takes them back,
    # a 1 corrected to 5 gives them; the mentor holds them once at most.
    good = event.score >= GOOD_RATING
    was_good = event.previous is not None and event.previous >= GOOD_RATING
    if q.mentor is not None and (event.previous is None or good != was_good):
        held = await ctx.uow.points.held_for(q.mentor, q.pk, "good rating")
        # Only a resolved session earns them (ratings are taken for nothing else).
        if good and held <= 0 and q.state is QuestionState.RESOLVED:
            await award_points(
                ctx,
                user=q.mentor,
                question=q,
                points=ctx.config.points.good_rating,
                reason="good rating",
            )
        elif not good and held > 0:
            await take_back_points(ctx, user=q.mentor, question=q, reason="good rating")
    # The card does not change: a rating is between the asker, the mentor (`/mentor feedback`)
    # and, when low, the admins — never shown to the channel.


QUESTION_REACTIONS: dict[type[Event], list[EventHandler]] = {
    QuestionAsked: [asked],
    QuestionClaimed: [claimed],
    QuestionReleased: [released],
    QuestionResolved: [resolved],
    QuestionCancelled: [cancelled],
    TimeboxExtended: [extended],
    QuestionHandedOver: [handed_over],
    SuggestionsChanged: [suggestions_changed],
    QuestionExpired: [expired],
    QuestionUnanswered: [unanswered],
    SessionRated: [rated],
}
