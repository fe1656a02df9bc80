"""Kudos: public (or private) thanks that give the receiver a point; a few a day per giver, one
per giver and receiver a day, never to oneself, and the text cleaned like a question's. Between
the same two people (either way) only the week's first kudos earns a point: a pair thanking each
other daily is thanked, not ranked."""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from datetime import timedelta

from bot.actors import ensure_person, require_workspace
from bot.domain import Person
from bot.messagebus import Context, Refusal
from bot.messages import ChatMessage, UserText, text
from bot.recognition.commands import GiveKudos
from bot.recognition.kudos_card import kudos_post
from bot.recognition.model import Kudos
from bot.recognition.points import award_points, week_start
from bot.refs import UserRef, WorkspaceRef

__all__ = ["clean_reason", "give_kudos"]

_MIN_WORDS = 2
# Longer is no word but a run of characters that would stretch the card (a long link fits).
_LONGEST_WORD = 100
# How long public thanks between the asker of an anonymous question and a mentor who took it
# are refused (either way round), from the mentor's claim.
_ANONYMOUS_LATELY = timedelta(days=30)


def _people(n: int, *, more: bool = False) -> str:
    """``one person`` / ``3 people`` (``one more person`` / ``3 more people``): counts of kudos
    are said in people thanked, which never reads "1 kudos"."""
    extra = "more " if more else ""
    return f"one {extra}person" if n == 1 else f"{n} {extra}people"


def clean_reason(raw: str, *, max_length: int) -> str:
    """The reason with control and invisible formatting characters gone and spaces collapsed,
    or a :class:`Refusal` saying what to change (like a question's hygiene)."""
    visible = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in raw
        if unicodedata.category(ch) != "Cf"
    )
    cleaned = " ".join(visible.split())
    if len(cleaned) > max_length:
        raise Refusal(
            f"That's {len(cleaned)} characters; kudos are at most {max_length}. Keep it short "
            "and sweet."
        )
    longest = max(cleaned.split(), key=len, default="")
    if len(longest) > _LONGEST_WORD:
        raise Refusal(
            f"One word of your thanks is {len(longest)} characters long; a word (a link too) is "
            f"at most {_LONGEST_WORD}. Say it in words, e.g. "
            "`/kudos @bob for untangling my pandas groupby`."
        )
    if len(cleaned.split()) < _MIN_WORDS:
        raise Refusal(
            "Say what you're thanking them for, e.g. "
            "`/kudos @bob for untangling my pandas groupby`."
        )
    return cleaned


async def _thanked_this_week(
    ctx: Context, one: UserRef, other: UserRef, workspace: WorkspaceRef
) -> bool:
    """Whether `one` and `other` gave each other kudos (either way) this week (from Monday,
    UTC): the points of a pair's kudos count once a week."""
    since = week_start(ctx.clock.now())
    mine = await ctx.uow.kudos.given_since(one, since, workspace)
    if any(k.receiver == other for k in mine):
        return True
    return any(k.receiver == one for k in await ctx.uow.kudos.given_since(other, since, workspace))


async def give_kudos(cmd: GiveKudos, ctx: Context) -> None:
    actor = cmd.actor
    ws = await require_workspace(ctx, actor)
    if cmd.to == actor.user:
        raise Refusal("Kudos are for thanking someone else — but well done you!")
    if cmd.to_bot:
        raise Refusal("Kudos are for people — thank the person who helped you instead.")
    why = clean_reason(cmd.why, max_length=ctx.config.kudos.max_length)
    now = ctx.clock.now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    today = await ctx.uow.kudos.given_since(actor.user, day_start, ws.ref)
    receiver = await (await ctx.reads()).people.get(cmd.to)
    known = receiver.name if receiver is not None and receiver.name != cmd.to.id else None
    name = known or cmd.to_name or cmd.to.id
    if receiver is not None and receiver.left_at is not None:
        raise Refusal(
            text(
                UserText(name),
                " has left, so kudos can't reach them any more — nothing was posted. "
                "Thank someone who's still here, or tell the team in the channel.",
            )
        )
    if not cmd.private:
        since = now - _ANONYMOUS_LATELY
        reads = await ctx.reads()
        met = await reads.followups.mentors_met(ws.ref, cmd.to, since, anonymous=True)
        if actor.user in met:
            # Only their mentor knows whose an anonymous question was: a public thank-you
            # from that mentor, days after a session on it, could tell everyone.
            raise Refusal(
                text(
                    UserText(name),
                    " asked you a question anonymously lately, so thanking them in public "
                    "could tell others whose it was. Nothing was posted: thank them privately "
                    "with `/kudos --private`.",
                )
            )
        mine = await reads.followups.mentors_met(ws.ref, actor.user, since, anonymous=True)
        if cmd.to in mine:
            # The other way round too: everyone knows who mentored a question (its card says),
            # so the asker's public thanks to that mentor would name the asker.
            raise Refusal(
                text(
                    UserText(name),
                    f" mentored a question you asked anonymously in the last "
                    f"{_ANONYMOUS_LATELY.days} days, so thanking them in public could tell "
                    "others it was yours. Nothing was posted: thank them privately with "
                    "`/kudos --private`, which only they see.",
                )
            )
    if any(k.receiver == cmd.to for k in today):
        raise Refusal(
            text(
                "You've thanked ",
                UserText(name),
                " today already; thanking each person once a day keeps kudos special.",
            )
        )
    limit = ctx.config.kudos.daily_limit
    if len(today) >= limit:
        raise Refusal(
            f"You've thanked {_people(limit)} today, as many as a day allows — more tomorrow!"
        )
    await ensure_person(ctx, actor)
    if receiver is None:
        await ctx.uow.people.upsert(Person(ref=cmd.to, name=name))
    # Read before this one is stored: the week's kudos between the two, either way.
    paired = await _thanked_this_week(ctx, actor.user, cmd.to, ws.ref)
    given = Kudos(ws.ref, actor.user, cmd.to, why, now, private=cmd.private)
    given = replace(given, id=await ctx.uow.kudos.add(given))
    if not paired:  # held back quietly: the kudos is posted all the same
        await award_points(
            ctx, user=cmd.to, workspace=ws.ref, points=ctx.config.points.kudos, reason="kudos"
        )
    if cmd.private:
        # In the receiver's own DM: to them, not about them in the third person.
        ctx.outbox.dm(
            cmd.to,
            ChatMessage(body=text("🙌 Kudos from ", UserText(actor.name), ": ", UserText(why))),
        )
    else:
        # Its ref is recorded when it goes out, so that forgetting either of them redraws it.
        ctx.outbox.post(ws.mentoring_channel, kudos_post(given, receiver=name, giver=actor.name))
    left = limit - len(today) - 1
    where = "privately" if cmd.private else "in the mentoring channel"
    ctx.reply(
        text(
            "Thanks sent to ",
            UserText(name),
            f" {where}. ",
            f"You can thank {_people(left, more=True)} today."
            if left
            else "That was your last kudos for today.",
        )
    )
