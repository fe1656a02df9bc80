"""Lightning sessions from people: propose one, take a proposed one (title and time), say "not
now", sign up (and leave), rate it afterwards, see what's coming."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from bot.actors import ensure_person, is_admin, names_for, require_workspace, workspace_of
from bot.commands import Actor
from bot.domain import Nudge, NudgeKind, Workspace
from bot.lightning.cards import card_placeholder, invitation, leave_button, named
from bot.lightning.commands import (
    AcceptLightning,
    CancelLightning,
    DeclineLightning,
    JoinLightning,
    LeaveLightning,
    ListLightning,
    MoveLightning,
    ProposeLightning,
    RateLightning,
    SessionCommand,
)
from bot.lightning.model import Lightning, LightningState, Rsvp
from bot.lightning.proposals import invite_next_mentors
from bot.lightning.times import actor_timezone, day_before, reader_timezone, to_utc
from bot.messagebus import Context, Refusal
from bot.messages import Bold, ChatMessage, Text, UserText, lines, text, when_text
from bot.recognition.badges import review_badges
from bot.recognition.points import award_points, lightning_earns
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "REMIND",
    "TITLE_MAX",
    "accept_lightning",
    "cancel_lightning",
    "cancel_speaker_sessions",
    "decline_lightning",
    "gets_day_reminder",
    "join_lightning",
    "leave_lightning",
    "list_lightning",
    "move_lightning",
    "present",
    "propose_lightning",
    "rate_lightning",
    "redraw_sessions",
    "redraw_signed_up",
    "show_card",
]

# The steps of a session's LIGHTNING nudges.
REMIND = {"day": 0, "soon": 1, "done": 2}
_TITLE_MIN, TITLE_MAX = 3, 100
_SOONEST = timedelta(minutes=20)  # far enough ahead for the 15-minute reminder to make sense
_LATEST = timedelta(days=90)


async def _session(ctx: Context, actor: Actor, cmd: SessionCommand) -> Lightning:
    """The session `cmd` names in the actor's workspace (by its number there, or a button's
    internal id), or a polite refusal: never a session of another workspace."""
    if cmd.by_id:
        s = await ctx.uow.lightning.get(cmd.number)
        if s is None or s.workspace != actor.workspace:
            raise Refusal(
                "I can't find that lightning session here. `/lightning list` shows what's coming."
            )
        return s
    s = await ctx.uow.lightning.get_by_number(actor.workspace, cmd.number)
    if s is None:
        raise Refusal(
            f"There is no lightning session #{cmd.number}. `/lightning list` shows what's coming."
        )
    return s


def _clean_title(raw: str) -> str:
    title = " ".join(raw.split())
    if not _TITLE_MIN <= len(title) <= TITLE_MAX:
        raise Refusal(
            f"Give the session a title of {_TITLE_MIN} to {TITLE_MAX} characters, e.g. "
            "“groupby in 15 minutes”."
        )
    return title


async def _start(
    ctx: Context, actor: Actor, cmd: ProposeLightning | AcceptLightning | MoveLightning
) -> tuple[datetime, str]:
    """The start time in UTC (a naive one is in the actor's zone) and the zone it was read in."""
    tz = await actor_timezone(ctx, actor)
    starts = to_utc(cmd.starts_at, tz)
    now = ctx.clock.now()
    if starts < now + _SOONEST:
        raise Refusal(
            f"Pick a time at least {int(_SOONEST.total_seconds() // 60)} minutes from now "
            f"(I read {when_text(starts, tz)}; times are in {tz})."
        )
    if starts > now + _LATEST:
        raise Refusal("Pick a time within the next 90 days.")
    return starts, tz


async def present(ctx: Context, rsvps: list[Rsvp]) -> list[Rsvp]:
    """The sign-ups of people still known: a forgotten person's ref is a tombstone with no
    person behind it (every sign-up made sure of one), nobody to send anything to."""
    known = await ctx.uow.people.get_many([r.user for r in rsvps])
    return [r for r in rsvps if r.user in known]


def show_card(ctx: Context, s: Lightning, ws: Workspace) -> None:
    """Post the session's card, or bring the posted one up to date."""
    ctx.outbox.post(ws.mentoring_channel, card_placeholder(s), workspace=s.workspace)


async def _schedule(ctx: Context, s: Lightning, tz: str) -> None:
    """A day before (same local time in `tz`) and 15 minutes before (when still ahead), and its
    end."""
    assert s.starts_at is not None and s.ends_at is not None
    now = ctx.clock.now()
    due = {
        REMIND["day"]: day_before(s.starts_at, tz),
        REMIND["soon"]: s.starts_at - timedelta(minutes=15),
        REMIND["done"]: s.ends_at,
    }
    await ctx.uow.nudges.add_many(
        [
            Nudge(
                kind=NudgeKind.LIGHTNING,
                workspace=s.workspace,
                due_at=when,
                step=step,
                subject_id=s.stored_id,
            )
            for step, when in due.items()
            if when > now
        ]
    )


async def _announce(
    ctx: Context, s: Lightning, ws: Workspace, *, speaker: str, tz: str
) -> int | None:
    """The card, reminders (`tz`: the zone the speaker gave the time in), and a personal
    invitation to whoever asked about the topic; how many were invited, or None for "some"
    when one asked anonymously (beside the named askers on the cards, a head count would
    tell whether the anonymous one is among them)."""
    show_card(ctx, s, ws)
    await _schedule(ctx, s, tz)
    since = ctx.clock.now() - timedelta(days=ctx.config.lightning.window_days)
    asked = await ctx.uow.lightning.topic_demand(s.workspace, s.topic, since)
    askers = [u for u in dict.fromkeys(q.asker for q in asked) if u != s.speaker]
    # A forgotten asker's questions stay under a tombstone ref: nobody to invite.
    known = await ctx.uow.people.get_many(askers)
    invited = [u for u in askers if u in known]
    for user in invited:
        reads_in = await reader_timezone(ctx, user, s.workspace)
        ctx.outbox.dm(user, invitation(s, speaker=speaker, tz=reads_in), workspace=s.workspace)
    if any(q.anonymous and q.asker in invited for q in asked):
        return None
    return len(invited)


def _scheduled_reply(s: Lightning, tz: str, invited: int | None, now: datetime) -> Text:
    assert s.starts_at is not None
    # The reminders `_schedule` stored: the day one only when its time is still ahead.
    ahead = [
        label
        for label, due in (
            ("a day", day_before(s.starts_at, tz)),
            ("15 minutes", s.starts_at - timedelta(minutes=15)),
        )
        if due > now
    ]
    reminders = (
        f" You'll get {'reminders' if len(ahead) > 1 else 'a reminder'} {' and '.join(ahead)} "
        "before."
        if ahead
        else ""
    )
    return text(
        "Thank you! ",
        named(s, number=f"Lightning session #{s.number}"),
        f" is on {when_text(s.starts_at, tz)} for {s.minutes} minutes. I've announced it in "
        "the mentoring channel"
        + (
            " and invited the people who asked about it."
            if invited is None
            else " and invited the person who asked about it."
            if invited == 1
            else f" and invited the {invited} people who asked about it."
            if invited
            else "."
        )
        + reminders
        + " Plans change? "
        f"`/lightning move {s.number} <YYYY-MM-DD HH:MM>` or `/lightning cancel {s.number}`.",
    )


_QUOTES = "\"'“”‘’"


async def _not_double_booked(
    ctx: Context,
    ws: WorkspaceRef,
    speaker: UserRef,
    starts: datetime,
    tz: str,
    *,
    minutes: int | None = None,
    besides: int | None = None,
    yours: bool = True,
    upcoming: Sequence[Lightning] | None = None,
) -> None:
    """A speaker gives one talk at a time: a session of theirs that would overlap this one
    (`minutes` long: a session's own length, `[lightning] minutes` for a new one) is named, and
    nothing is scheduled. `yours`: the one asking is the speaker (else an admin moves someone's
    talk). `upcoming`: the workspace's upcoming sessions, when the caller has read them."""
    length = timedelta(minutes=minutes or ctx.config.lightning.minutes)
    if upcoming is None:
        upcoming = await ctx.uow.lightning.upcoming(ws, ctx.clock.now())
    for coming in upcoming:
        if coming.speaker != speaker or coming.number == besides or coming.starts_at is None:
            continue
        theirs = timedelta(minutes=coming.minutes)
        if starts < coming.starts_at + theirs and coming.starts_at < starts + length:
            raise Refusal(
                text(
                    "You're" if yours else "Its speaker is",
                    f" speaking then already: lightning session #{coming.number}, ",
                    named(coming),
                    f", {when_text(coming.starts_at, tz)}. Nothing was changed: pick a time "
                    "after it ends, or move that one with "
                    f"`/lightning move {coming.number} <YYYY-MM-DD HH:MM>`.",
                )
            )


async def propose_lightning(cmd: ProposeLightning, ctx: Context) -> None:
    """Anyone offers a talk: it is scheduled at once, with them as the speaker."""
    ws = await require_workspace(ctx, cmd.actor)
    topic = " ".join(cmd.topic.split()).strip("#")
    as_typed = len(topic) > 2 and topic[0] in _QUOTES and topic[-1] in _QUOTES
    if as_typed:
        topic = topic[1:-1].strip()
    if not topic or len(topic) > 60:
        raise Refusal("Name the topic in a word or two, e.g. `/lightning propose pandas ...`.")
    taxonomy = ctx.services.taxonomy
    canon = taxonomy.canonical(topic)
    near = None if canon is not None or as_typed else taxonomy.close_to(topic)
    if near is not None:  # the card shows it to everyone: a typo is asked about first
        raise Refusal(
            text(
                "“",
                UserText(topic),
                f"” isn't a topic I know — did you mean {near}? Nothing was posted: propose "
                f"again with `{near}`, or put the topic in quotes (",
                UserText(f'"{topic}"'),
                ") to use it as you typed it.",
            )
        )
    topic = canon or topic.lower()
    title = _clean_title(cmd.title)
    starts, tz = await _start(ctx, cmd.actor, cmd)
    upcoming = await ctx.uow.lightning.upcoming(ws.ref, ctx.clock.now())
    for coming in upcoming:
        same = (coming.speaker, coming.topic, coming.starts_at, coming.title)
        if same == (cmd.actor.user, topic, starts, title):
            # The same talk sent twice (a retyped command): one session, not two cards.
            raise Refusal(
                text(
                    f"You proposed this already: lightning session #{coming.number}, ",
                    named(coming),
                    f", {when_text(starts, tz)}. Nothing new was posted; "
                    f"`/lightning move {coming.number} <YYYY-MM-DD HH:MM>` changes its time.",
                )
            )
    await _not_double_booked(ctx, ws.ref, cmd.actor.user, starts, tz, upcoming=upcoming)
    await ensure_person(ctx, cmd.actor)
    s = await ctx.uow.lightning.add(
        Lightning(
            workspace=ws.ref,
            topic=topic,
            created_at=ctx.clock.now(),
            state=LightningState.SCHEDULED,
            minutes=ctx.config.lightning.minutes,
            title=title,
            speaker=cmd.actor.user,
            proposed_by=cmd.actor.user,
            starts_at=starts,
        )
    )
    assert s is not None
    invited = await _announce(ctx, s, ws, speaker=cmd.actor.name, tz=tz)
    ctx.reply(_scheduled_reply(s, tz, invited, ctx.clock.now()))


async def accept_lightning(cmd: AcceptLightning, ctx: Context) -> None:
    """ "I'll teach it": the first mentor to give a title and a time gets the session."""
    s = await _session(ctx, cmd.actor, cmd)
    ws = await require_workspace(ctx, cmd.actor)
    if s.state is not LightningState.PROPOSED:
        if s.speaker == cmd.actor.user:
            raise Refusal(await _yours_already(ctx, cmd, s))
        names = await names_for(ctx, [s.speaker])
        raise Refusal(
            text(
                f"Lightning session #{s.number} is taken: ",
                UserText(names.get(s.speaker, "someone") if s.speaker else "someone"),
                " gives it. Thanks for offering! Propose another with `/lightning propose`.",
            )
        )
    profile = await ctx.uow.mentors.get(cmd.actor.user, s.workspace)
    if cmd.actor.user not in s.invited and (profile is None or not profile.active):
        raise Refusal(
            "This proposal went to mentors who know the topic. Offer your own talk with "
            "`/lightning propose <topic> <YYYY-MM-DD HH:MM> <title>`."
        )
    title = _clean_title(cmd.title)
    starts, tz = await _start(ctx, cmd.actor, cmd)
    await _not_double_booked(ctx, ws.ref, cmd.actor.user, starts, tz, minutes=s.minutes)
    await ensure_person(ctx, cmd.actor)
    s = replace(
        s,
        state=LightningState.SCHEDULED,
        speaker=cmd.actor.user,
        title=title,
        starts_at=starts,
    )
    if not await ctx.uow.lightning.save(s, expected_state=LightningState.PROPOSED):
        raise Refusal(
            f"Someone took lightning session #{s.number} a moment ago. Thanks for offering! "
            "Propose another with `/lightning propose`."
        )
    invited = await _announce(ctx, s, ws, speaker=cmd.actor.name, tz=tz)
    ctx.reply(_scheduled_reply(s, tz, invited, ctx.clock.now()))


async def _yours_already(ctx: Context, cmd: AcceptLightning, s: Lightning) -> Text:
    """The speaker accepts their own session again: what it stands at. A time or title other
    than the session's is not taken silently: the time changes with `/lightning move`."""
    if s.state is not LightningState.SCHEDULED or s.starts_at is None:
        return text(f"Lightning session #{s.number} is yours already — thank you!")
    tz = await actor_timezone(ctx, cmd.actor)
    when = when_text(s.starts_at, tz)
    other_time = to_utc(cmd.starts_at, tz) != s.starts_at
    other_title = " ".join(cmd.title.split()) != s.title
    if not (other_time or other_title):
        return text(
            "Lightning session ",
            named(s, number=f"#{s.number}"),
            f" is yours already, on {when} — thank you!",
        )
    changes = (
        f" To give it a new time: `/lightning move {s.number} <YYYY-MM-DD HH:MM>`."
        if other_time
        else ""
    )
    if other_title:
        changes += " Its title stays as announced."
    return text(
        "Lightning session ",
        named(s, number=f"#{s.number}"),
        f" is yours already and scheduled for {when}: nothing was changed.",
        changes,
    )


async def decline_lightning(cmd: DeclineLightning, ctx: Context) -> None:
    """ "Not now": a mentor asked to teach a proposed session passes it on; someone signed up
    for a coming session is taken off its list (no reminders, no rating prompt)."""
    s = await _session(ctx, cmd.actor, cmd)
    if await _leave(ctx, cmd.actor, s):
        return
    if s.state is not LightningState.PROPOSED or cmd.actor.user not in s.invited:
        ctx.reply("No problem — nothing is waiting for you there.")
        return
    if cmd.actor.user not in s.declined:
        s = replace(s, declined=(*s.declined, cmd.actor.user))
        await ctx.uow.lightning.save(s, expected_state=LightningState.PROPOSED)
        if set(s.invited) <= set(s.declined):
            await invite_next_mentors(ctx, s)
    ctx.reply("No problem, thanks for letting me know. Maybe another time!")


async def _leave(ctx: Context, actor: Actor, s: Lightning) -> bool:
    """Take `actor` off the sign-ups of a session that has not ended (the reminders and the
    rating prompt go to whoever is signed up when they are due); False when they weren't on it."""
    now = ctx.clock.now()
    if s.state is not LightningState.SCHEDULED or s.ends_at is None or s.ends_at <= now:
        return False
    if not await ctx.uow.lightning.remove_rsvp(s.stored_id, actor.user):
        return False
    ws = await workspace_of(ctx, s.workspace)
    if ws is not None:
        show_card(ctx, s, ws)
    assert s.starts_at is not None
    again = (
        "; join again any time before it starts."
        if now < s.starts_at
        else f"; `/lightning join {s.number}` brings you back while it runs."
    )
    ctx.reply(text("You're off the list for ", named(s, number=f"#{s.number}"), again))
    return True


async def leave_lightning(cmd: LeaveLightning, ctx: Context) -> None:
    """``/lightning leave <n>`` or Leave on a reminder: off the list of a session that has not
    ended."""
    s = await _session(ctx, cmd.actor, cmd)
    if s.state is LightningState.CANCELLED:
        raise Refusal(f"Lightning session #{s.number} is cancelled already: nothing to leave.")
    if s.state is LightningState.HELD or (s.ends_at is not None and s.ends_at <= ctx.clock.now()):
        raise Refusal(f"Lightning session #{s.number} has already ended.")
    if s.speaker == cmd.actor.user:
        raise Refusal(
            f"You're the speaker of #{s.number}. Can't give it after all? "
            f"`/lightning cancel {s.number}` calls it off and tells whoever signed up."
        )
    if not await _leave(ctx, cmd.actor, s):
        raise Refusal(f"You're not signed up for #{s.number}.")


async def join_lightning(cmd: JoinLightning, ctx: Context) -> None:
    s = await _session(ctx, cmd.actor, cmd)
    now = ctx.clock.now()
    if s.state is LightningState.PROPOSED:
        raise Refusal(
            f"Nobody has taken lightning session #{s.number} yet, so there's nothing to join; "
            "`/lightning list` shows the sessions coming."
        )
    if s.state is LightningState.CANCELLED:
        raise Refusal(f"Lightning session #{s.number} was called off, so there's nothing to join.")
    if s.state is not LightningState.SCHEDULED or s.ends_at is None or s.ends_at <= now:
        raise Refusal(f"Lightning session #{s.number} isn't taking sign-ups any more.")
    if s.speaker == cmd.actor.user:
        raise Refusal("You're the speaker — you'll be there anyway! 🙂")
    await ensure_person(ctx, cmd.actor)
    tz = await reader_timezone(ctx, cmd.actor.user, cmd.actor.workspace)
    assert s.starts_at is not None
    if not await ctx.uow.lightning.add_rsvp(Rsvp(s.stored_id, cmd.actor.user, now)):
        ctx.reply(text(f"You're already signed up for #{s.number}: {when_text(s.starts_at, tz)}."))
        return
    ws = await workspace_of(ctx, s.workspace)
    assert ws is not None
    show_card(ctx, s, ws)
    day = await _day_reminder_due(ctx, s)
    ctx.reply(
        ChatMessage(
            body=text(
                "You're in! ",
                named(s, number=f"#{s.number}"),
                _what_comes(s, now, tz, day),
                *await _overlaps(ctx, s, cmd.actor.user, tz),
            ),
            actions=(leave_button(s),),
        )
    )


async def _overlaps(ctx: Context, s: Lightning, user: UserRef, tz: str | None) -> list[Text]:
    """A sign-up is taken even when it clashes (someone may hop between talks), but not
    silently: each coming session overlapping `s` that `user` gives or signed up for is named,
    with its time."""
    assert s.starts_at is not None and s.ends_at is not None
    notes: list[Text] = []
    for other in await ctx.uow.lightning.upcoming(s.workspace, ctx.clock.now()):
        if other.stored_id == s.stored_id or other.starts_at is None or other.ends_at is None:
            continue
        if not (other.starts_at < s.ends_at and s.starts_at < other.ends_at):
            continue
        if other.speaker == user:
            yours = "you're giving it"
        elif any(r.user == user for r in await ctx.uow.lightning.rsvps(other.stored_id)):
            yours = f"you're signed up for it too (`/lightning leave {other.number}` if not)"
        else:
            continue
        notes.append(
            text(
                " Heads-up: it overlaps lightning session ",
                named(other, number=f"#{other.number}"),
                f", {when_text(other.starts_at, tz)} — {yours}.",
            )
        )
    return notes


async def _day_reminder_due(ctx: Context, s: Lightning) -> datetime | None:
    """When the session's day-before reminder is due (the same local time the day before in the
    zone its time was given in: across a DST change not 24 hours); None when none is to come."""
    for nudge in await ctx.uow.nudges.pending_about(NudgeKind.LIGHTNING, s.stored_id):
        if nudge.step == REMIND["day"]:
            return nudge.due_at
    return None


def gets_day_reminder(day_due: datetime | None, signed_up_at: datetime) -> bool:
    """Whether a sign-up made at `signed_up_at` gets the day-before reminder due at `day_due`:
    made before it. The one rule for what a sign-up is promised and what the day reminder's
    nudge sends (a later sign-up hears only the 15-minute one)."""
    return day_due is not None and signed_up_at < day_due


def _what_comes(s: Lightning, now: datetime, tz: str | None, day_due: datetime | None) -> str:
    """What a sign-up will hear of the session: only the reminders still ahead of it (a late
    sign-up is reminded of nothing already past; one while it runs is asked to rate it)."""
    assert s.starts_at is not None
    when = when_text(s.starts_at, tz)
    if now >= s.starts_at:
        return f" started at {when} — join now! I'll ask you to rate it afterwards."
    ahead = [
        label
        for label, comes in (
            ("a day", gets_day_reminder(day_due, now)),
            ("15 minutes", s.starts_at - timedelta(minutes=15) > now),
        )
        if comes
    ]
    if not ahead:
        return f" is on {when} — it starts in a few minutes."
    return f" is on {when}. I'll remind you {' and '.join(ahead)} before."


async def rate_lightning(cmd: RateLightning, ctx: Context) -> None:
    """Attendees rate once; the first rating of 3 or more, once two people or more signed up,
    gives the speaker their points (within the cap) and the badge."""
    s = await _session(ctx, cmd.actor, cmd)
    if not 1 <= cmd.score <= 5:
        raise Refusal("Rate from 1 to 5.")
    if s.state is LightningState.PROPOSED:
        raise Refusal(f"Nobody gave lightning session #{s.number}, so there's nothing to rate.")
    if s.state is LightningState.CANCELLED:
        raise Refusal(f"Lightning session #{s.number} was called off, so there's nothing to rate.")
    if s.state is not LightningState.HELD:
        raise Refusal(f"Lightning session #{s.number} hasn't taken place yet; rate it afterwards.")
    if s.speaker == cmd.actor.user:
        raise Refusal("Speakers don't rate their own session — the attendees' ratings are yours.")
    now = ctx.clock.now()
    if not await ctx.uow.lightning.rate(s.stored_id, cmd.actor.user, cmd.score, now):
        signed = {r.user for r in await ctx.uow.lightning.rsvps(s.stored_id)}
        if cmd.actor.user in signed:
            raise Refusal(f"You've rated #{s.number} already. Thank you!")
        raise Refusal(f"Only the people who signed up for #{s.number} rate it.")
    ws = await workspace_of(ctx, s.workspace)
    speaker = s.speaker
    assert ws is not None and speaker is not None
    # A speaker forgotten since it was held is a tombstone ref: no points, no badge DM to it.
    known = await ctx.uow.people.get(speaker) is not None
    # Points and the badge come with a good rating of a talk more than one friend signed up for.
    # (counted as the speaker's thanks counts them: a forgotten sign-up is nobody)
    going = await present(ctx, await ctx.uow.lightning.rsvps(s.stored_id))
    signed_up = sum(1 for r in going if r.user != speaker)
    earns = lightning_earns(cmd.score, signed_up)
    if known and earns and await ctx.uow.lightning.mark_rewarded(s.stored_id, now):
        await award_points(
            ctx,
            user=speaker,
            workspace=s.workspace,
            points=ctx.config.points.lightning,
            reason="lightning",
        )
        await review_badges(ctx, speaker, s.workspace, among={"lightning_speaker"})
    show_card(ctx, s, ws)
    ctx.reply(f"Thanks for rating #{s.number} {cmd.score}/5 — it helps the speaker.")


async def cancel_speaker_sessions(ctx: Context, speaker: UserRef, workspace: WorkspaceRef) -> int:
    """A speaker who is forgotten or left the workspace can't give their coming sessions: each
    is cancelled (its reminders and "held" step then do nothing), its card says so, and whoever
    signed up is told. How many were cancelled."""
    cancelled = 0
    ws = await workspace_of(ctx, workspace)
    for s in await ctx.uow.lightning.upcoming(workspace, ctx.clock.now()):
        if s.speaker != speaker:
            continue
        if await _call_off(ctx, s, ws, why="its speaker can't give it any more") is not None:
            cancelled += 1
    return cancelled


async def redraw_signed_up(ctx: Context, person: UserRef, workspace: WorkspaceRef) -> None:
    """The coming sessions `person` signed up for, whose cards count them as going: redrawn
    once this commits (a forget, after which their sign-up is nobody's)."""
    ws = await workspace_of(ctx, workspace)
    if ws is None:
        return
    for s in await ctx.uow.lightning.upcoming(workspace, ctx.clock.now()):
        if s.speaker != person and any(
            r.user == person for r in await ctx.uow.lightning.rsvps(s.stored_id)
        ):
            show_card(ctx, s, ws)


async def redraw_sessions(ctx: Context, lightning_ids: Sequence[int]) -> None:
    """These sessions' cards, redrawn once this commits (a forget's: the held or cancelled
    sessions its person gave, whose cards name their speaker)."""
    for lightning_id in lightning_ids:
        s = await ctx.uow.lightning.get(lightning_id)
        ws = None if s is None else await workspace_of(ctx, s.workspace)
        if s is not None and ws is not None:
            show_card(ctx, s, ws)


async def _call_off(ctx: Context, s: Lightning, ws: Workspace | None, *, why: str) -> int | None:
    """Cancel a scheduled session: its card says so, its reminders are dropped, whoever signed
    up is told (`why`). How many were told; None when it was no longer scheduled."""
    gone = replace(s, state=LightningState.CANCELLED)
    if not await ctx.uow.lightning.save(gone, expected_state=LightningState.SCHEDULED):
        return None
    await ctx.uow.nudges.cancel_subject(NudgeKind.LIGHTNING, s.stored_id)
    if ws is not None:
        show_card(ctx, gone, ws)
    told = await present(ctx, await ctx.uow.lightning.rsvps(s.stored_id))
    for r in told:
        ctx.outbox.dm(
            r.user,
            ChatMessage(
                body=text(
                    f"Lightning session #{s.number} ",
                    named(s),
                    f" is cancelled: {why}. Sorry! `/lightning list` shows what else is coming.",
                )
            ),
            workspace=s.workspace,
        )
    return len(told)


async def _speakers_session(
    ctx: Context, actor: Actor, cmd: CancelLightning | MoveLightning, verb: str
) -> Lightning:
    """A scheduled session that has not started, which the actor may change: its speaker's, or
    any of the workspace's for an admin."""
    s = await _session(ctx, actor, cmd)
    if s.speaker != actor.user and not is_admin(actor, ctx.config):
        raise Refusal(
            f"Sorry, only the speaker of lightning session #{s.number} (or an admin) can {verb} it. "
            "`/lightning list` shows what's coming."
        )
    if s.state is LightningState.PROPOSED:
        raise Refusal(f"Nobody has taken lightning session #{s.number} yet: nothing to {verb}.")
    if s.state is LightningState.HELD:
        # (Not "took place": its time may have passed with nobody signed up.)
        raise Refusal(f"Lightning session #{s.number} is over already: its time has passed.")
    if s.state is not LightningState.SCHEDULED:
        if verb == "cancel":
            raise Refusal(f"Lightning session #{s.number} is cancelled already.")
        raise Refusal(f"Lightning session #{s.number} was cancelled, so it can't be {verb}d.")
    assert s.starts_at is not None
    if s.starts_at <= ctx.clock.now():
        raise Refusal(f"Lightning session #{s.number} has started; it ends on its own.")
    return s


def _by(s: Lightning, actor: Actor) -> str:
    return "its speaker" if s.speaker == actor.user else "an admin"


def _told(n: int) -> str:
    if not n:
        return "Nobody had signed up yet."
    return f"I've told the {n} {'person' if n == 1 else 'people'} who signed up."


async def cancel_lightning(cmd: CancelLightning, ctx: Context) -> None:
    """``/lightning cancel <n>``: the speaker (or an admin) calls a coming session off."""
    s = await _speakers_session(ctx, cmd.actor, cmd, "cancel")
    ws = await workspace_of(ctx, s.workspace)
    told = await _call_off(ctx, s, ws, why=f"{_by(s, cmd.actor)} called it off")
    if told is None:
        raise Refusal(f"Lightning session #{s.number} changed a moment ago; have another look.")
    if s.speaker is not None and s.speaker != cmd.actor.user:
        ctx.outbox.dm(
            s.speaker,
            ChatMessage(
                body=text(
                    f"An admin cancelled your lightning session #{s.number} ",
                    named(s),
                    ". Thank you for offering it!",
                )
            ),
            workspace=s.workspace,
        )
    ctx.reply(text(f"Cancelled lightning session #{s.number} ", named(s), ". ", _told(told)))


async def move_lightning(cmd: MoveLightning, ctx: Context) -> None:
    """``/lightning move <n> <YYYY-MM-DD HH:MM>``: a new time (in the actor's zone); the card
    shows it, the reminders follow it, and whoever signed up is told in their own zone."""
    s = await _speakers_session(ctx, cmd.actor, cmd, "move")
    starts, tz = await _start(ctx, cmd.actor, cmd)
    assert s.starts_at is not None
    if starts == s.starts_at:
        ctx.reply(text(f"Lightning session #{s.number} is on {when_text(starts, tz)} already."))
        return
    if s.speaker is not None:
        await _not_double_booked(
            ctx,
            s.workspace,
            s.speaker,
            starts,
            tz,
            minutes=s.minutes,
            besides=s.number,
            yours=s.speaker == cmd.actor.user,
        )
    moved = replace(s, starts_at=starts)
    if not await ctx.uow.lightning.save(moved, expected_state=LightningState.SCHEDULED):
        raise Refusal(f"Lightning session #{s.number} changed a moment ago; have another look.")
    await ctx.uow.nudges.cancel_subject(NudgeKind.LIGHTNING, s.stored_id)
    await _schedule(ctx, moved, tz)
    ws = await workspace_of(ctx, s.workspace)
    if ws is not None:
        show_card(ctx, moved, ws)
    told = await present(ctx, await ctx.uow.lightning.rsvps(s.stored_id))
    audience = [r.user for r in told]
    if moved.speaker is not None and moved.speaker != cmd.actor.user:
        audience.append(moved.speaker)
    for user in audience:
        reads_in = await reader_timezone(ctx, user, s.workspace)
        ctx.outbox.dm(
            user,
            ChatMessage(
                body=text(
                    f"Lightning session #{s.number} ",
                    named(s),
                    f" has moved to {when_text(starts, reads_in)}; {_by(s, cmd.actor)} moved it."
                    + (
                        " You're still signed up; the reminders follow the new time."
                        if user != moved.speaker
                        else ""
                    ),
                )
            ),
            workspace=s.workspace,
        )
    ctx.reply(
        text(
            f"Moved lightning session #{s.number} ",
            named(s),
            f" to {when_text(starts, tz)}. ",
            _told(len(told)),
            " The reminders follow the new time.",
        )
    )


async def list_lightning(cmd: ListLightning, ctx: Context) -> None:
    ws = await require_workspace(ctx, cmd.actor)
    ctx.reply(await upcoming_text(ctx, ws, cmd.actor.user))


async def upcoming_text(ctx: Context, ws: Workspace, viewer: UserRef) -> ChatMessage:
    """What's coming up, in the viewer's zone, with how many signed up."""
    now = ctx.clock.now()
    upcoming = await ctx.uow.lightning.upcoming(ws.ref, now)
    if not upcoming:
        return ChatMessage(
            body=text(
                "No lightning sessions are coming up. Offer one: "
                "`/lightning propose <topic> <YYYY-MM-DD HH:MM> <title>`."
            )
        )
    tz = await reader_timezone(ctx, viewer, ws.ref)
    names = await names_for(ctx, [s.speaker for s in upcoming])
    out: list[Text] = [text(Bold("Coming up: lightning sessions"))]
    for s in upcoming[:20]:
        assert s.starts_at is not None and s.speaker is not None
        # A forgotten person's sign-up is a tombstone: nobody going.
        rsvps = await present(ctx, await ctx.uow.lightning.rsvps(s.stored_id))
        going = len(rsvps)
        mine = " (you're speaking)" if s.speaker == viewer else ""
        if mine:
            act = ""  # the speaker has nothing to sign up for
        elif any(r.user == viewer for r in rsvps):
            act = f" (you're going) · `/lightning leave {s.number}`"
        else:
            act = f" · `/lightning join {s.number}`"
        out.append(
            text(
                f"#{s.number} ",
                named(s),
                " by ",
                UserText(names.get(s.speaker, s.speaker.id)),
                f"{mine} — {when_text(s.starts_at, tz)}, {s.minutes} min, {going} going",
                act,
            )
        )
    return ChatMessage(body=lines(out))
