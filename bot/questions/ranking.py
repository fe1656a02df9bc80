"""Ranking a workspace's available mentors for a question's topics, right now."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.actors import start_of_week
from bot.domain import MentorProfile
from bot.hours import WeeklyHours
from bot.matching import MentorCandidate, RankedMentor, rank_mentors
from bot.mentors.roster_cache import RosterSnapshot
from bot.messagebus import Context
from bot.refs import UserRef, WorkspaceRef

__all__ = ["rank_for"]


async def rank_for(
    ctx: Context,
    *,
    workspace: WorkspaceRef,
    topics: list[str] | tuple[str, ...],
    exclude: set[UserRef],
    limit: int,
    seed: str | int = "",
) -> list[RankedMentor]:
    """Rank the workspace's available mentors for `topics` right now."""
    now = ctx.clock.now()
    taxonomy = ctx.services.taxonomy
    reads = await ctx.reads()
    roster: RosterSnapshot = await ctx.services.roster.snapshot(reads, workspace)
    profiles = roster.for_topics(topics, taxonomy.related)
    if not profiles:
        return []
    week = start_of_week(now)
    load = await ctx.services.figures.get(
        ("load", workspace, week), lambda: reads.questions.mentor_load(workspace, week)
    )
    days = ctx.config.matching.not_my_area_days
    declined = await reads.not_my_area.since(workspace, now - timedelta(days=days)) if days else {}
    at_work: dict[tuple[WeeklyHours, str], bool] = {}  # mentors share a few schedules

    def in_hours(p: MentorProfile) -> bool:
        key = (p.hours, p.timezone)
        if key not in at_work:
            at_work[key] = p.hours.contains(now, p.timezone)
        return at_work[key]

    candidates = [
        MentorCandidate(
            ref=p.ref,
            skills=p.skills,
            in_hours=in_hours(p),
            open_sessions=load.get(p.ref, (0, 0))[0],
            claims_this_week=load.get(p.ref, (0, 0))[1],
            capacity_per_week=p.capacity_per_week,
            not_my_area=tuple(declined.get(p.ref, ())),
            average_rating=roster.ratings.get(p.ref),
        )
        for p in profiles
        if not p.is_paused(now) and p.ref not in exclude
    ]
    await asyncio.sleep(0)  # two CPU-bound steps on a big roster: let acks in between
    return rank_mentors(topics, candidates, limit=limit, related=taxonomy.related, seed=seed)
