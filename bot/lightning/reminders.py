"""A scheduled session's nudges: reminders a day and 15 minutes before (with the call link when
there is one), and at its end: held, thanks to the speaker, a rating prompt to who signed up
(or, when nobody signed up, one kind word to the speaker: no thanks for a talk not given)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.actors import names_for, workspace_of
from bot.domain import Nudge
from bot.lightning.cards import named, rating_prompt, reminder
from bot.lightning.handlers import REMIND, gets_day_reminder, present, show_card
from bot.lightning.model import LightningState
from bot.lightning.times import reader_timezone
from bot.messagebus import Context
from bot.messages import ChatMessage, text
from bot.questions.cards import who
from bot.recognition.points import LIGHTNING_ATTENDEES, LIGHTNING_GOOD_RATING

__all__ = ["send_lightning_nudge"]


async def send_lightning_nudge(ctx: Context, nudge: Nudge, now: datetime) -> None:
    s = await ctx.uow.lightning.get(nudge.subject_id) if nudge.subject_id else None
    if s is None or s.state is not LightningState.SCHEDULED or s.starts_at is None:
        return
    # A forgotten attendee's sign-up stays (the count is a figure) under a tombstone ref,
    # which is nobody to remind or ask for a rating.
    rsvps = await present(ctx, await ctx.uow.lightning.rsvps(s.stored_id))
    if nudge.step in (REMIND["day"], REMIND["soon"]):
        soon_due = s.starts_at - timedelta(minutes=15)
        if now >= s.starts_at or (nudge.step == REMIND["day"] and now >= soon_due):
            return  # overtaken (the process was down): the next one or the end still comes
        call = ctx.config.session.call_link
        if nudge.step == REMIND["day"]:
            # Who signed up later was told of the 15-minute reminder only: the same rule.
            rsvps = [r for r in rsvps if gets_day_reminder(nudge.due_at, r.at)]
        for user in [*(r.user for r in rsvps), *([s.speaker] if s.speaker else [])]:
            tz = await reader_timezone(ctx, user, s.workspace)
            ctx.outbox.dm(
                user,
                reminder(
                    s,
                    tz=tz,
                    soon=nudge.step == REMIND["soon"],
                    call_link=call,
                    speaking=user == s.speaker,
                    now=now,
                ),
                workspace=s.workspace,
            )
        return
    if nudge.step != REMIND["done"]:
        return
    # Held when it ended, not when this ran (later, if the process was down then): the digest
    # counts it in the week it took place.
    ended = s.ends_at if s.ends_at is not None and s.ends_at < now else now
    s = replace(s, state=LightningState.HELD, held_at=ended)
    if not await ctx.uow.lightning.save(s, expected_state=LightningState.SCHEDULED):
        return
    ws = await workspace_of(ctx, s.workspace)
    if ws is not None:
        show_card(ctx, s, ws)
    for r in rsvps:
        ctx.outbox.dm(r.user, rating_prompt(s), workspace=s.workspace)
    if s.speaker is None:
        return
    names = await names_for(ctx, [s.speaker])
    going = len(rsvps)  # those asked to rate it: a forgotten sign-up is nobody
    if going:
        said = text(
            "Thank you for teaching ",
            named(s),
            ", ",
            who(s.speaker, names, mention=False),
            f"! {going} {'person' if going == 1 else 'people'} signed up. "
            "I've asked them to rate it; "
            + (
                f"your points come with the first rating of {LIGHTNING_GOOD_RATING} or more."
                if going >= LIGHTNING_ATTENDEES
                else f"points come with talks {LIGHTNING_ATTENDEES} or more people sign up for."
            ),
        )
    else:
        # Nobody to talk to: no thanks for a talk that most likely didn't happen, said once.
        said = text(
            "Nobody signed up for ",
            named(s),
            " this time, ",
            who(s.speaker, names, mention=False),
            " — that happens, and thank you for offering it. Another day or time may suit "
            "more people: `/lightning propose <topic> <YYYY-MM-DD HH:MM> <title>` offers it "
            "again.",
        )
    ctx.outbox.dm(s.speaker, ChatMessage(body=said), workspace=s.workspace)
