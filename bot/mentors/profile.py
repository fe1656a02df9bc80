"""Mentor profiles: join, skills, hours, timezone, pause/resume, me."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.actors import ensure_person, require_mentor, require_workspace, save_mentor
from bot.commands import (
    MAX_CAPACITY_PER_WEEK,
    PauseMentor,
    RegisterMentor,
    ResumeMentor,
    SetMentorAbout,
    SetMentorCapacity,
    SetMentorHours,
    SetMentorTimezone,
    ShowMentorProfile,
    UpdateMentorSkills,
)
from bot.domain import MentorProfile, Nudge, NudgeKind, QuestionState
from bot.events import MentorPaused, MentorRegistered, MentorResumed
from bot.hours import HoursError, WeeklyHours, check_timezone
from bot.mentors.career import clean_region, parse_stage, stage_problem
from bot.mentors.skills import read_skills
from bot.messagebus import Context, Refusal
from bot.messages import Bold, ChatMessage, Text, UserText, text, when_text
from bot.recognition.profile import recognition_fields
from bot.textcommands import MENTOR_ABOUT_USAGE
from bot.wording import plural

__all__ = [
    "ABOUT_MAX",
    "CLEAR_WORDS",
    "clean_about",
    "pause_mentor",
    "profile_card",
    "register_mentor",
    "resume_mentor",
    "set_mentor_about",
    "set_mentor_capacity",
    "set_mentor_hours",
    "set_mentor_timezone",
    "show_mentor_profile",
    "update_mentor_skills",
    "with_intro",
]

_INDEFINITE = timedelta(days=3650)


def _noting(intro: str | Text, note: Text) -> Text:
    """`intro`, then the renamed skills' `note` (if any) on a line of its own."""
    return text(intro, "\n", note) if note else text(intro)


def _hours(raw: str) -> WeeklyHours:
    try:
        return WeeklyHours.parse(raw)
    except HoursError as e:
        raise Refusal(_with_timezone_hint(raw) or str(e)) from None


def _with_timezone_hint(raw: str) -> str | None:
    """`Mon-Fri 09:00-17:00 Europe/Berlin`: hours that end in a timezone. The zone is set on its
    own (`/mentor tz`), once for hours, quiet hours and the times people type."""
    hours, _, zone = raw.strip().rpartition(" ")
    try:
        WeeklyHours.parse(hours)
        tz = check_timezone(zone)
    except HoursError:
        return None
    return (
        f"Working hours take no timezone: set it on its own with `/mentor tz {tz}`, then "
        f"`/mentor hours {hours}`."
    )


def _tz(raw: str) -> str:
    try:
        return check_timezone(raw)
    except HoursError as e:
        raise Refusal(str(e)) from None


def profile_card(
    p: MentorProfile, name: str, now: datetime, *, quiet: Collection[str] = ()
) -> ChatMessage:
    """A mentor's card; skills in `quiet` (everyday words questions are not matched to, the
    taxonomy's `quiet`) are marked, so that none sits there looking like it finds questions."""
    status: str | Text = "active"
    if p.is_paused(now):
        assert p.paused_until is not None
        status = (
            "paused until you resume"
            if p.paused_until - now > _INDEFINITE / 2
            else text("paused until ", when_text(p.paused_until, p.timezone))
        )
    in_hours = "yes" if p.hours.contains(now, p.timezone) else "no"
    return ChatMessage(
        title=text(Bold("Mentor "), UserText(name)),
        body=text(),
        fields=(
            ("Skills", _skills_text(p.skills, quiet)),
            ("Hours", text(f"{p.hours} ({p.timezone}); in working hours now: {in_hours}")),
            ("Capacity", text(f"{plural(p.capacity_per_week, 'session')} a week")),
            *((("I can help with", text(UserText(p.about))),) if p.about else ()),
            ("Career stage", text(p.stage or "not set (`/mentor stage senior`)")),
            ("Region", text(UserText(p.region)) if p.region else text("not set")),
            ("Status", text(status)),
        ),
        kind="profile",
    )


def _skills_text(skills: tuple[str, ...], quiet: Collection[str]) -> Text:
    """``python, management (not matched)``."""
    parts: list[Text | UserText | str] = []
    for i, skill in enumerate(skills):
        parts += [", " if i else "", UserText(skill)]
        if skill in quiet:
            parts.append(" (not matched)")
    return text(*parts)


def _card(ctx: Context, p: MentorProfile, name: str) -> ChatMessage:
    """`profile_card` for the mentor's own replies, their everyday-word skills marked."""
    return profile_card(p, name, ctx.clock.now(), quiet=ctx.services.taxonomy.quiet)


async def register_mentor(cmd: RegisterMentor, ctx: Context) -> None:
    ws = await require_workspace(ctx, cmd.actor)
    person = await ensure_person(ctx, cmd.actor)
    skills, renamed = read_skills(ctx, cmd.skills)
    mc = ctx.config.mentors
    hours = _hours(cmd.hours) if cmd.hours else None
    tz = _tz(cmd.timezone) if cmd.timezone else None
    if cmd.capacity_per_week is not None:
        _check_capacity(cmd.capacity_per_week)
    stage = parse_stage(cmd.stage) if cmd.stage else None
    if cmd.stage and stage is None:
        raise Refusal(stage_problem(cmd.stage))
    region = clean_region(cmd.region) if cmd.region is not None else None
    now = ctx.clock.now()
    # The profile of this workspace only: one elsewhere is another one, left as it is.
    existing = await ctx.uow.mentors.get(cmd.actor.user, ws.ref)
    if existing is not None and existing.active:
        intro = _updated_intro(before=existing.skills, after=skills)
        existing.skills = skills
        existing.hours = hours or existing.hours
        existing.timezone = tz or existing.timezone
        existing.capacity_per_week = cmd.capacity_per_week or existing.capacity_per_week
        existing.about = clean_about(cmd.about) or existing.about
        existing.stage = stage or existing.stage
        existing.region = existing.region if region is None else region
        profile = existing
    else:
        profile = MentorProfile(
            ref=cmd.actor.user,
            workspace=ws.ref,
            skills=skills,
            # A zone set with `/mentor tz` before joining (kept on the person) carries over.
            timezone=tz or cmd.actor.timezone or person.timezone or mc.default_timezone,
            hours=hours or WeeklyHours.parse(mc.default_hours),
            capacity_per_week=cmd.capacity_per_week or mc.default_capacity_per_week,
            joined_at=now,
            about=clean_about(cmd.about),
            stage=stage,
            region=region or "",
        )
        intro = text(
            "Welcome aboard! You're a mentor now. Questions in your areas will be suggested to you."
        )
    await save_mentor(ctx, profile)
    ctx.reply(with_intro(_noting(intro, renamed), _card(ctx, profile, cmd.actor.name)))
    ctx.emit(MentorRegistered(cmd.actor.user, ws.ref))


def _updated_intro(*, before: tuple[str, ...], after: tuple[str, ...]) -> Text:
    """`/mentor join` on a profile replaces its skills: name the ones it dropped, and how to keep
    them (`/mentor skills` with the whole list)."""
    dropped = [s for s in before if s not in after]
    if not dropped:
        return text("Your mentor profile is updated.")
    everything = ", ".join((*dropped, *after))
    return text(
        "Your mentor profile is updated. Skills now: ",
        UserText(", ".join(after)),
        " (before: ",
        UserText(", ".join(before)),
        ") — to keep them all, list them: `/mentor skills ",
        UserText(everything),
        "`.",
    )


def with_intro(intro: str | Text, card: ChatMessage) -> ChatMessage:
    return ChatMessage(title=card.title, body=text(intro), fields=card.fields, kind=card.kind)


ABOUT_MAX = 500


def clean_about(raw: str) -> str:
    """A mentor's own words, on one line and at most `ABOUT_MAX` characters."""
    return " ".join(raw.split())[:ABOUT_MAX]


# The words that clear a mentor's own words or region: a missing argument never does.
CLEAR_WORDS = frozenset({"clear", "none", "-"})


async def set_mentor_about(cmd: SetMentorAbout, ctx: Context) -> None:
    profile = await require_mentor(ctx, cmd.actor)
    about = clean_about(cmd.text)
    if not about:
        raise Refusal(MENTOR_ABOUT_USAGE)
    profile.about = "" if about.lower() in CLEAR_WORDS else about
    await save_mentor(ctx, profile)
    intro = (
        "Thanks — questions described in words like yours will find you too."
        if profile.about
        else "Your own words are cleared; matching uses your skills only."
    )
    ctx.reply(with_intro(intro, _card(ctx, profile, cmd.actor.name)))


async def update_mentor_skills(cmd: UpdateMentorSkills, ctx: Context) -> None:
    profile = await require_mentor(ctx, cmd.actor)
    profile.skills, renamed = read_skills(ctx, cmd.skills)
    await save_mentor(ctx, profile)
    intro = _noting("Skills updated.", renamed)
    ctx.reply(with_intro(intro, _card(ctx, profile, cmd.actor.name)))


async def set_mentor_hours(cmd: SetMentorHours, ctx: Context) -> None:
    profile = await require_mentor(ctx, cmd.actor)
    profile.hours = _hours(cmd.hours)
    await save_mentor(ctx, profile)
    ctx.reply(with_intro("Working hours updated.", _card(ctx, profile, cmd.actor.name)))


def _check_capacity(capacity: int) -> None:
    if not 1 <= capacity <= MAX_CAPACITY_PER_WEEK:
        raise Refusal(
            f"Weekly capacity is a number of sessions from 1 to {MAX_CAPACITY_PER_WEEK}, "
            "e.g. `/mentor capacity 5`."
        )


async def set_mentor_capacity(cmd: SetMentorCapacity, ctx: Context) -> None:
    """How many sessions a week the mentor takes (what their profile shows as Capacity)."""
    profile = await require_mentor(ctx, cmd.actor)
    _check_capacity(cmd.capacity_per_week)
    profile.capacity_per_week = cmd.capacity_per_week
    await save_mentor(ctx, profile)
    ctx.reply(with_intro("Capacity updated.", _card(ctx, profile, cmd.actor.name)))


async def set_mentor_timezone(cmd: SetMentorTimezone, ctx: Context) -> None:
    """Anyone's timezone: times they type (`/lightning propose`) and read are in it. One place
    holds it, the one `bot.lightning.times.reader_timezone` reads first: a mentor's profile in
    this workspace (with their hours), else the person record."""
    tz = _tz(cmd.timezone)
    profile = await ctx.uow.mentors.get(cmd.actor.user, cmd.actor.workspace)
    if profile is not None and profile.active:
        profile.timezone = tz
        await save_mentor(ctx, profile)
        ctx.reply(with_intro("Timezone updated.", _card(ctx, profile, cmd.actor.name)))
        return
    person = await ensure_person(ctx, cmd.actor)
    if person.timezone != tz:
        person.timezone = tz
        await ctx.uow.people.upsert(person)
    said = (
        f"Thanks — your timezone is {tz}: times you type, e.g. in `/lightning propose`, "
        "are read in it."
    )
    if cmd.actor.timezone and cmd.actor.timezone != tz:
        # The platform's zone (Slack's profile) comes with every command and is read first.
        said += (
            f" Your chat app's own setting ({cmd.actor.timezone}) still goes first while it "
            "gives one: change it there too."
        )
    ctx.reply(said)


async def pause_mentor(cmd: PauseMentor, ctx: Context) -> None:
    profile = await require_mentor(ctx, cmd.actor)
    now = ctx.clock.now()
    if cmd.duration is not None and cmd.duration <= timedelta(0):
        raise Refusal("Pause for a positive time, e.g. `/mentor pause 7d` or `/mentor pause 12h`.")
    was = profile.paused_until if profile.is_paused(now) else None
    if was is not None and cmd.duration is None and _open_ended(was, now):
        ctx.reply("You're already paused until you resume with `/mentor resume`.")
        return
    profile.paused_until = now + (cmd.duration or _INDEFINITE)
    await save_mentor(ctx, profile)
    ctx.emit(
        MentorPaused(
            profile.ref, since=now, until=profile.paused_until, workspace=profile.workspace
        )
    )
    if cmd.duration is not None:
        await ctx.uow.nudges.add(
            Nudge(
                kind=NudgeKind.PAUSE_END,
                workspace=profile.workspace,
                target=profile.ref,
                due_at=profile.paused_until,
            )
        )
        ctx.reply(
            text(
                "Paused until ",
                when_text(profile.paused_until, profile.timezone),
                *_instead_of(was, profile, now),
                ". Enjoy the break — I won't suggest you meanwhile.",
                await _still_yours(ctx, profile),
            )
        )
    else:
        ctx.reply(
            text(
                "Paused until you resume with `/mentor resume`",
                *_instead_of(was, profile, now),
                ". I won't suggest you meanwhile.",
                await _still_yours(ctx, profile),
            )
        )


async def _still_yours(ctx: Context, profile: MentorProfile) -> str:
    """A pause stops new suggestions only: the sessions the mentor holds stay theirs (" Your
    session #3 stays yours to finish, or release it."), or nothing to say."""
    held = [
        q.number
        for q in await ctx.uow.questions.open_for(profile.ref)
        if q.workspace == profile.workspace
        and q.mentor == profile.ref
        and q.state is QuestionState.CLAIMED
    ]
    if not held:
        return ""
    numbers = [f"#{n}" for n in sorted(held)]
    if len(numbers) == 1:
        return f" Your session {numbers[0]} stays yours to finish (or release it)."
    listed = ", ".join(numbers[:-1]) + " and " + numbers[-1]
    return f" Your sessions {listed} stay yours to finish (or release them)."


def _open_ended(until: datetime, now: datetime) -> bool:
    return until - now > _INDEFINITE / 2


def _instead_of(was: datetime | None, profile: MentorProfile, now: datetime) -> tuple[Text, ...]:
    """What a pause given while paused replaced ("instead of until …")."""
    if was is None:
        return ()
    # After a comma: the time before it may end in its own parentheses (the local time).
    if _open_ended(was, now):
        return (text(", instead of until you resume"),)
    return (text(", instead of until ", when_text(was, profile.timezone)),)


async def resume_mentor(cmd: ResumeMentor, ctx: Context) -> None:
    profile = await require_mentor(ctx, cmd.actor)
    if not profile.is_paused(ctx.clock.now()):
        ctx.reply("You're not paused: you're being suggested for questions already.")
        return
    profile.paused_until = None
    await save_mentor(ctx, profile)
    ctx.emit(MentorResumed(profile.ref, at=ctx.clock.now(), workspace=profile.workspace))
    ctx.reply("Welcome back! You'll be suggested for questions again.")


async def show_mentor_profile(cmd: ShowMentorProfile, ctx: Context) -> None:
    """A mentor's card with their streak and badges; someone who is no mentor (or left the list)
    sees their badges and points, and how to join."""
    profile = await ctx.uow.mentors.get(cmd.actor.user, cmd.actor.workspace)
    if profile is None or not profile.active:
        ctx.reply(await _not_a_mentor_card(cmd, ctx, left=profile is not None))
        return
    card = _card(ctx, profile, cmd.actor.name)
    extra = await recognition_fields(ctx, cmd.actor.user, mentor=True)
    ctx.reply(replace(card, fields=(*card.fields, *extra, await _points_field(cmd, ctx))))


async def _points_field(cmd: ShowMentorProfile, ctx: Context) -> tuple[str, Text]:
    """("Points", "12 (thank-you points, all time)"): on a mentor's card and anyone else's."""
    points = await ctx.uow.points.total_since(cmd.actor.user, _EVER, cmd.actor.workspace)
    return ("Points", text(f"{points} (thank-you points, all time)"))


async def _not_a_mentor_card(cmd: ShowMentorProfile, ctx: Context, *, left: bool) -> ChatMessage:
    hint = (
        "You left the mentor list. `/mentor join <skill, skill, ...>` brings you back."
        if left
        else "You are not a mentor yet. Join with `/mentor join <skill, skill, ...>`, "
        "e.g. `/mentor join python, sql`."
    )
    badges = await recognition_fields(ctx, cmd.actor.user, mentor=False)
    return ChatMessage(
        title=text(Bold("Your profile")),
        body=text(hint, " `/mentor home` shows your questions and sessions."),
        fields=(*badges, await _points_field(cmd, ctx)),
        kind="profile",
    )


_EVER = datetime(2000, 1, 1, tzinfo=UTC)
