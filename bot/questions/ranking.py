"""Reading a question and ranking a workspace's available mentors for it, right now."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from datetime import timedelta
from zoneinfo import ZoneInfo

from bot.actors import start_of_week
from bot.domain import MentorProfile
from bot.hours import WeeklyHours
from bot.matching import (
    MentorCandidate,
    OfflineClassifier,
    RankedMentor,
    Reading,
    merge_guesses,
    rank_mentors,
    skill_words,
)
from bot.matching.perspectives import AskerView
from bot.mentors.roster_cache import RosterSnapshot
from bot.messagebus import Context
from bot.messages import Text, UserText, When, text
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "away_for",
    "back_at_work",
    "listing_mentors",
    "mentor_at_work",
    "perspective_of",
    "rank_for",
    "read_question",
]

_YIELD_EVERY = 1000  # mentors looked at between two turns of the event loop


async def read_question(
    ctx: Context, workspace: WorkspaceRef, text: str, *, question_id: int | None = None
) -> Reading:
    """What `text` is about: the classifier's guesses (a model's, when one is configured, else
    the offline reading) with what this workspace learned from questions like it."""
    cfg = ctx.config.matching
    classifier = ctx.services.classifier or OfflineClassifier(
        ctx.services.taxonomy, threshold=cfg.topic_threshold
    )
    guesses = await classifier.classify(text)
    learned = ctx.services.learned.topics(workspace, text, exclude=question_id)
    roster: RosterSnapshot = await ctx.services.roster.snapshot(await ctx.reads(), workspace)
    return merge_guesses(
        [g for g in guesses if g.skill in ctx.services.taxonomy],
        learned=learned,
        fallback=lambda: _mentored_choices(ctx, roster, text),
        sure=cfg.sure_weight,
        close=cfg.unsure_margin,
    )


def _mentored_choices(ctx: Context, roster: RosterSnapshot, text: str) -> list[str]:
    """What to offer an asker whose question names nothing the bot can tell: the skills of
    this workspace's mentors whose words the question shares most (a topic nobody here mentors
    routes to nobody). Without mentors: any skill's words. Never a skill that shares no word
    with the question: picking it would only ping mentors of something else."""
    taxonomy = ctx.services.taxonomy
    if not roster.by_skill:
        return skill_words(taxonomy, text)
    fitting = [s for s in skill_words(taxonomy, text, limit=len(taxonomy)) if s in roster.by_skill]
    return fitting[:3]


def perspective_of(asker: UserRef, *, anonymous: bool) -> UserRef | None:
    """Whose history the ranking may weigh (the `asker` of `rank_for`): nobody's for an
    anonymous question — who is suggested (and told of it) would hint at whom its asker met,
    and `/mentor why` could not explain the order without saying so."""
    return None if anonymous else asker


async def rank_for(
    ctx: Context,
    *,
    workspace: WorkspaceRef,
    topics: list[str] | tuple[str, ...],
    exclude: set[UserRef],
    limit: int,
    seed: str | int = "",
    text: str = "",
    reading: Reading | None = None,
    question_id: int | None = None,
    asker: UserRef | None = None,
    stage: str | None = None,
) -> list[RankedMentor]:
    """Rank the workspace's available mentors right now for a question: its `topics` (each
    weighing 1) and, given its `text`, every guess of its reading, the mentors' own words and
    who helped with similar questions (the question itself, `question_id`, left out); with the
    `asker` (and the `stage` they asked for) the perspective factors apply too. A mentor who
    said "not my area" to the question `question_id` is never suggested for it again."""
    now = ctx.clock.now()
    taxonomy = ctx.services.taxonomy
    weights: dict[str, float] = {}
    own: dict[UserRef, float] = {}
    helped: dict[UserRef, float] = {}
    reads = await ctx.reads()
    roster: RosterSnapshot = await ctx.services.roster.snapshot(reads, workspace)
    if text:
        if reading is None:
            reading = await read_question(ctx, workspace, text, question_id=question_id)
        weights.update(reading.weights)
        own = roster.words.match(text)
        helped = ctx.services.learned.helped(workspace, text, exclude=question_id)
    weights.update(dict.fromkeys(topics, 1.0))
    profiles = roster.for_topics(weights, taxonomy.related, also=own.keys() | helped.keys())
    if not profiles:
        return []
    if question_id is not None:
        exclude = exclude | await reads.not_my_area.said_by(question_id)
    week = start_of_week(now)
    load = await ctx.services.figures.get(
        ("load", workspace, week), lambda: reads.questions.mentor_load(workspace, week), now=now
    )
    days = ctx.config.matching.not_my_area_days
    declined: dict[UserRef, list[str]] = (
        await ctx.services.figures.get(
            ("not_my_area", workspace),
            lambda: reads.not_my_area.since(workspace, now - timedelta(days=days)),
            now=now,
        )
        if days
        else {}
    )
    at_work: dict[tuple[WeeklyHours, str], bool] = {}  # mentors share a few schedules

    def in_hours(p: MentorProfile) -> bool:
        key = (p.hours, p.timezone)
        if key not in at_work:
            at_work[key] = p.hours.contains(now, p.timezone)
        return at_work[key]

    none = (0, 0)
    candidates = []
    for i, p in enumerate(profiles, 1):
        if i % _YIELD_EVERY == 0:
            await asyncio.sleep(0)  # thousands of mentors take a while: let acks in between
        if p.is_paused(now) or p.ref in exclude:
            continue
        sessions, claims = load.get(p.ref, none)
        refused = declined.get(p.ref)
        candidates.append(
            MentorCandidate(
                ref=p.ref,
                skills=p.skills,
                in_hours=in_hours(p),
                open_sessions=sessions,
                claims_this_week=claims,
                capacity_per_week=p.capacity_per_week,
                not_my_area=tuple(refused) if refused else (),
                average_rating=roster.ratings.get(p.ref),
                stage=p.stage,
            )
        )
    view = await _asker_view(ctx, workspace, asker, stage) if asker or stage else None
    await asyncio.sleep(0)  # two CPU-bound steps on a big roster: let acks in between
    return rank_mentors(
        weights,
        candidates,
        limit=limit,
        related=taxonomy.related,
        seed=seed,
        own_words=own,
        helped=helped,
        asker=view,
    )


async def listing_mentors(
    ctx: Context, *, workspace: WorkspaceRef, topics: list[str] | tuple[str, ...], asker: UserRef
) -> list[UserRef]:
    """Mentors who list one of `topics` (or a related one), whether free for it now or not
    (paused, released it, said "not my area"); never its `asker`."""
    if not topics:
        return []
    roster = await ctx.services.roster.snapshot(await ctx.reads(), workspace)
    profiles = roster.for_topics(dict.fromkeys(topics, 1.0), ctx.services.taxonomy.related)
    return [p.ref for p in profiles if p.ref != asker]


async def away_for(
    ctx: Context, *, workspace: WorkspaceRef, topics: list[str] | tuple[str, ...], asker: UserRef
) -> list[UserRef]:
    """Mentors who list one of `topics` (or a related one) but are paused right now."""
    if not topics:
        return []
    now = ctx.clock.now()
    roster = await ctx.services.roster.snapshot(await ctx.reads(), workspace)
    profiles = roster.for_topics(dict.fromkeys(topics, 1.0), ctx.services.taxonomy.related)
    return [p.ref for p in profiles if p.is_paused(now) and p.ref != asker]


async def back_at_work(
    ctx: Context,
    *,
    workspace: WorkspaceRef,
    mentors: Sequence[UserRef],
    names: Mapping[UserRef, str],
    tz: tuple[str | None, str],
) -> Text | None:
    """When none of `mentors` is inside their working hours now, a line saying so and when the
    first of them starts work again; None when one of them is at work, or none is a mentor here.
    Platforms show the time in each reader's own zone; elsewhere it is in the first known zone
    of `tz` (the asker's, as their platform reports it, then the workspace's)."""
    now = ctx.clock.now()
    roster = await ctx.services.roster.snapshot(await ctx.reads(), workspace)
    order = {ref: i for i, ref in enumerate(mentors)}  # a tie goes to the better suggestion
    starts = [
        (p.hours.next_start(now, p.timezone), order[p.ref], p.ref)
        for p in roster.profiles
        if p.ref in order
    ]
    if not starts or any(at <= now for at, _, _ in starts):
        return None
    at, _, ref = min(starts)
    local = at.astimezone(_zone(*tz))
    return text(
        "No mentor for this is at work right now; ",
        UserText(names.get(ref, ref.id)),
        " is back ",
        When(at, f"{local:%a %H:%M %Z}", with_date=True),
        ".",
    )


async def mentor_at_work(ctx: Context, workspace: WorkspaceRef) -> bool:
    """Whether any mentor of the workspace is inside their working hours now (a pause aside,
    as the digest's coverage by hour counts them), each distinct schedule checked once."""
    now = ctx.clock.now()
    roster = await ctx.services.roster.snapshot(await ctx.reads(), workspace)
    schedules = {(p.hours, p.timezone) for p in roster.profiles}
    return any(hours.contains(now, tz) for hours, tz in schedules)


def _zone(own: str | None, default: str) -> ZoneInfo:
    if own:
        try:
            return ZoneInfo(own)
        except (ValueError, KeyError):
            pass
    return ZoneInfo(default)


async def _asker_view(
    ctx: Context, workspace: WorkspaceRef, asker: UserRef | None, stage: str | None
) -> AskerView | None:
    """The stage asked for, and — for someone with enough recent sessions — whom they met."""
    met: dict[UserRef, int] = {}
    if asker is not None:
        cfg = ctx.config.matching
        since = ctx.clock.now() - timedelta(days=cfg.variety_days)
        met = await (await ctx.reads()).followups.mentors_met(workspace, asker, since)
        frequent = sum(met.values()) >= cfg.variety_after_sessions
    else:
        frequent = False
    if not stage and not frequent:
        return None
    return AskerView(wanted_stage=stage, frequent=frequent, met=frozenset(met))
