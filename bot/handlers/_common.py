"""Small pieces every handler needs: look-ups that refuse politely, permissions, names, points."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.cards import question_card
from bot.commands import Actor
from bot.config import Config
from bot.domain import MentorProfile, Person, PointsEntry, Question, Workspace
from bot.messagebus import Context, Refusal
from bot.refs import UserRef

__all__ = [
    "award_points",
    "ensure_person",
    "is_admin",
    "load_question",
    "names_for",
    "refresh_card",
    "require_mentor",
    "require_workspace",
    "save_mentor",
    "start_of_week",
]


def is_admin(actor: Actor, config: Config) -> bool:
    """Workspace admins/owners as the platform says, plus the users listed in ``[bot] admins``."""
    listed = set(config.bot.admins)
    return actor.platform_admin or bool({actor.name, actor.user.id, actor.user.key()} & listed)


async def ensure_person(ctx: Context, actor: Actor) -> Person:
    """Create or refresh the person record of whoever issued a command."""
    person = await ctx.uow.people.get(actor.user)
    admin = is_admin(actor, ctx.config)
    if person is None:
        person = Person(ref=actor.user, name=actor.name, timezone=actor.timezone, is_admin=admin)
        await ctx.uow.people.upsert(person)
    elif (
        person.name != actor.name
        or person.is_admin != admin
        or (actor.timezone and person.timezone != actor.timezone)
    ):
        person.name = actor.name
        person.is_admin = admin
        person.timezone = actor.timezone or person.timezone
        await ctx.uow.people.upsert(person)
    return person


async def load_question(ctx: Context, question_id: int) -> Question:
    q = await ctx.uow.questions.get(question_id)
    if q is None:
        raise Refusal(f"There is no question #{question_id}. Check the number and try again.")
    return q


async def require_workspace(ctx: Context, actor: Actor) -> Workspace:
    ws = await ctx.uow.workspaces.get(actor.workspace)
    if ws is None:
        raise Refusal(
            "Micromentor is not set up in this workspace yet: an admin needs to start it here."
        )
    return ws


async def require_mentor(ctx: Context, actor: Actor) -> MentorProfile:
    profile = await ctx.uow.mentors.get(actor.user)
    if profile is None or not profile.active:
        raise Refusal(
            "You are not a mentor yet. Join with `/mentor join <skill, skill, ...>`, "
            "e.g. `/mentor join python, sql`."
        )
    return profile


async def save_mentor(ctx: Context, profile: MentorProfile) -> None:
    """Store a profile and drop the cached roster now and once the transaction commits."""
    await ctx.uow.mentors.save(profile)
    roster = ctx.services.roster
    roster.invalidate(profile.workspace)
    ctx.after_commit.append(lambda: roster.invalidate(profile.workspace))


async def names_for(ctx: Context, refs: Iterable[UserRef | None]) -> dict[UserRef, str]:
    wanted = [r for r in dict.fromkeys(refs) if r is not None]
    people = await ctx.uow.people.get_many(wanted)
    return {r: (people[r].name if r in people else r.id) for r in wanted}


def start_of_week(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week containing `now`."""
    day = now - timedelta(days=now.weekday())
    return day.replace(hour=0, minute=0, second=0, microsecond=0)


async def award_points(
    ctx: Context, *, user: UserRef, question: Question, points: int, reason: str
) -> int:
    """Give points within the daily cap; returns what was actually given."""
    if points <= 0:
        return 0
    now = ctx.clock.now()
    day_start = now.replace(hour=0, minute=0, second=0, microsecond=0)
    already = await ctx.uow.points.total_since(user, day_start)
    granted = max(0, min(points, ctx.config.points.daily_cap - already))
    if granted:
        await ctx.uow.points.add(
            PointsEntry(
                workspace=question.workspace,
                user=user,
                points=granted,
                reason=reason,
                at=now,
                question_id=question.id,
            )
        )
    return granted


async def refresh_card(
    ctx: Context,
    q: Question,
    *,
    rating: int | None = None,
    names: dict[UserRef, str] | None = None,
) -> None:
    """Re-render the question's card in place; pass `names` when the handler has them already."""
    if q.card is None:
        return
    if names is None:
        names = await names_for(ctx, [q.asker, q.mentor, *q.suggested])
    await ctx.chat.update_card(
        q.card, question_card(q, names=names, config=ctx.config, rating=rating)
    )
