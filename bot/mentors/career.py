"""Experience and place: a mentor's career stage and region (`/mentor stage`, `/mentor region`,
the join forms, the roster CSV), and which suggested mentors work in another region than the
asker (the card says "cross-region")."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.actors import require_mentor, save_mentor
from bot.domain import Person, Question
from bot.learning.commands import SetMentorRegion, SetMentorStage
from bot.matching.perspectives import STAGE_ALIASES, STAGES, Place, cross_region
from bot.messagebus import Context, Refusal
from bot.ports import UnitOfWork
from bot.refs import UserRef
from bot.textcommands import MENTOR_REGION_USAGE

__all__ = [
    "MAX_REGION",
    "clean_region",
    "cross_region_mentors",
    "parse_stage",
    "set_mentor_region",
    "set_mentor_stage",
    "stage_problem",
]

MAX_REGION = 60


def parse_stage(raw: str) -> str | None:
    """``Senior``, ``junior``, ``staff`` → a stage of `STAGES`; None if it names none."""
    word = raw.strip().lower().lstrip("-")
    if word in STAGES:
        return word
    return STAGE_ALIASES.get(word)


def stage_problem(raw: str) -> str:
    return f"`{raw}` is not a career stage. Use one of: {', '.join(STAGES)}."


async def set_mentor_stage(cmd: SetMentorStage, ctx: Context) -> None:
    from bot.mentors.profile import profile_card, with_intro  # profile imports this module

    profile = await require_mentor(ctx, cmd.actor)
    stage = parse_stage(cmd.stage)
    if stage is None:
        raise Refusal(stage_problem(cmd.stage))
    profile.stage = stage
    await save_mentor(ctx, profile)
    card = profile_card(profile, cmd.actor.name, ctx.clock.now(), quiet=ctx.services.taxonomy.quiet)
    ctx.reply(with_intro(f"Career stage set to {stage}.", card))


def clean_region(raw: str) -> str:
    region = " ".join(raw.split())
    if region.lower() in ("none", "-", "clear"):
        return ""
    if len(region) > MAX_REGION:
        raise Refusal(f"A region is at most {MAX_REGION} characters, e.g. `Europe` or `US East`.")
    return region


async def set_mentor_region(cmd: SetMentorRegion, ctx: Context) -> None:
    from bot.mentors.profile import profile_card, with_intro

    profile = await require_mentor(ctx, cmd.actor)
    if not cmd.region.strip():  # a missing argument never clears it: `clear` does
        raise Refusal(MENTOR_REGION_USAGE)
    profile.region = clean_region(cmd.region)
    await save_mentor(ctx, profile)
    card = profile_card(profile, cmd.actor.name, ctx.clock.now(), quiet=ctx.services.taxonomy.quiet)
    said = f"Region set to {profile.region}." if profile.region else "Region cleared."
    ctx.reply(with_intro(said, card))


async def cross_region_mentors(
    uow: UnitOfWork,
    q: Question,
    *,
    at: datetime,
    people: Mapping[UserRef, Person] | None = None,
) -> frozenset[UserRef]:
    """The suggested mentors of `q` who work in another region than its asker (never for an
    anonymous question: it would say something about where the asker is). `people`: what the
    caller read already (the asker's timezone is taken from there when it holds them)."""
    if q.anonymous or not q.suggested:
        return frozenset()
    # One look-up for the asker's and the suggested mentors' profiles (a card is drawn each
    # time it goes out: this is on every delivery of one).
    profiles = await uow.mentors.get_many([q.asker, *q.suggested], q.workspace)
    asker_profile = profiles.get(q.asker)
    if asker_profile is not None:
        asker = Place(region=asker_profile.region, timezone=asker_profile.timezone)
    else:
        if people is not None and q.asker in people:
            person: Person | None = people[q.asker]
        else:
            person = await uow.people.get(q.asker)
        asker = Place(region="", timezone=person.timezone if person is not None else None)
    if not asker.region and not asker.timezone:
        return frozenset()
    found: set[UserRef] = set()
    for ref in q.suggested:
        profile = profiles.get(ref)
        if profile is not None and cross_region(
            asker, Place(profile.region, profile.timezone), at=at
        ):
            found.add(ref)
    return frozenset(found)
