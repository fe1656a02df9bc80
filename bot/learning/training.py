"""Training in bite-sized steps: the first lesson arrives with someone's first `/askmentor`
(the askers' course) or `/mentor join` (the mentors' course); the next ones come as nudges every
``[learning] every_days``, at the start of the learner's working time (quiet hours); `/mentor
learn` shows where they are and when the next lesson comes (never sending it before its day);
`/mentor learn stop` ends it, `/mentor learn start` picks it up again (or, every course had being
finished, takes them again); quick checks are buttons."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.actors import ensure_person, require_workspace
from bot.domain import Nudge, NudgeKind
from bot.learning.commands import AnswerCheck, LessonUnreachable, ShowLearning, StopLearning
from bot.learning.courses import COMPLETE, Course, course, lesson_message, quoted
from bot.learning.model import Enrollment, Track
from bot.lightning.times import reader_timezone
from bot.messagebus import Context, Refusal
from bot.messages import Bold, ChatMessage, Text, in_zone, lines, text, when
from bot.nudges.quiet_hours import wait_for_working_hours, working_hours
from bot.refs import UserRef, WorkspaceRef

log = logging.getLogger(__name__)

__all__ = [
    "answer_check",
    "enroll",
    "lesson_step",
    "lesson_unreachable",
    "send_lesson",
    "show_learning",
    "stop_learning",
]

_MENTOR_STEP = 100  # a lesson nudge's step: the lesson number, +100 in the mentors' course
# The first lesson's greeting: `{count}` lessons (the course's own, shipped or an admin's),
# `{pace}` as `[learning] every_days` sends them.
_WELCOME = {
    Track.MENTEE: (
        "Welcome! While you wait for a mentor, here is the first of {count} short lessons on "
        "getting the most out of micromentoring — {pace}, a minute each."
    ),
    Track.MENTOR: (
        "Thanks for mentoring! Here is the first of {count} short lessons on running a short "
        "session — {pace}, a minute each."
    ),
}
_COUNTS = ("two", "three", "four", "five", "six", "seven", "eight")  # a course's 2 to 8 lessons


def _welcome(track: Track, c: Course, every_days: int) -> str:
    count = _COUNTS[len(c) - 2] if 2 <= len(c) <= 8 else str(len(c))
    pace = "one a day" if every_days == 1 else f"one every {every_days} days"
    return _WELCOME[track].format(count=count, pace=pace)


def lesson_step(track: Track, number: int) -> int:
    return number + (_MENTOR_STEP if track is Track.MENTOR else 0)


def _from_step(step: int) -> tuple[Track, int]:
    if step > _MENTOR_STEP:
        return Track.MENTOR, step - _MENTOR_STEP
    return Track.MENTEE, step


async def enroll(ctx: Context, *, user: UserRef, workspace: WorkspaceRef, track: Track) -> None:
    """Start `track` for `user` the first time only (a course once stopped stays stopped until
    they ask for it with `/mentor learn start`; a mentors' course stopped before they mentored
    and freed by `start` begins here, at their join)."""
    if not ctx.config.learning.enabled:
        return
    known = await ctx.uow.learning.get(user, track)
    if known is not None and not (known.stopped_at is None and _never_begun(known)):
        return  # had, running or stopped; one `start` freed before its first lesson begins
    enrollment = Enrollment(user, workspace, track, started_at=ctx.clock.now())
    c = course(track, ctx.config)
    intro = _welcome(track, c, ctx.config.learning.every_days)
    await _deliver(ctx, enrollment, c, intro=intro)


async def _deliver(ctx: Context, e: Enrollment, c: Course, *, intro: str = "") -> None:
    """Send lesson `e.next_lesson` by DM (also when `/mentor learn` finds it due: a DM stays,
    where an answer only its asker sees may be gone with its quick check's buttons), advance,
    and schedule the next one (or finish the course)."""
    now = ctx.clock.now()
    number = e.next_lesson
    message = lesson_message(c, number, intro=intro)
    e.next_lesson = number + 1
    e.last_sent_at = now
    if number >= len(c):
        e.completed_at = now  # the lesson's footer says so
    await ctx.uow.learning.save(e)
    # Refused (DMs closed): the lesson is not counted as had (`lesson_unreachable`).
    ctx.outbox.dm(e.user, message, if_refused=LessonUnreachable(e.user, e.track.value, number))
    if e.completed_at is None:
        await ctx.uow.nudges.add(
            Nudge(
                kind=NudgeKind.LESSON,
                workspace=e.workspace,
                target=e.user,
                step=lesson_step(e.track, e.next_lesson),
                due_at=now + timedelta(days=ctx.config.learning.every_days),
            )
        )


async def send_lesson(ctx: Context, nudge: Nudge, now: datetime) -> None:
    """The lesson nudge: sends the lesson it was scheduled for, unless the learner stopped, or
    already had it (from `/mentor learn` once it was due); waits for the learner's working time."""
    if nudge.target is None or not ctx.config.learning.enabled:
        return
    track, number = _from_step(nudge.step)
    e = await ctx.uow.learning.get(nudge.target, track)
    if e is None or not e.active or e.next_lesson != number:
        return
    if await _gone(ctx, e):
        # Left mentoring (the mentors' course) or the workspace: no more lessons. The course
        # counts as stopped, so `/mentor learn start` picks it up again should they come back.
        e.stopped_at = now
        await ctx.uow.learning.save(e)
        return
    await wait_for_working_hours(ctx, nudge, nudge.target, now)
    await _deliver(ctx, e, course(track, ctx.config))


async def _not_mentoring(ctx: Context, e: Enrollment) -> bool:
    """A mentors'-course learner with no active mentor profile in the course's workspace (they
    ran `/mentor leave`, were taken off the list, or left)."""
    if e.track is not Track.MENTOR:
        return False
    profile = await ctx.uow.mentors.get(e.user, e.workspace)
    return profile is None or not profile.active


async def _gone(ctx: Context, e: Enrollment) -> bool:
    """Whether the learner is no longer someone to teach: a mentor-course learner with no
    active mentor profile in the course's workspace (they ran `/mentor leave`, or left), or
    anyone who left after the course began (offboarding marks it)."""
    if await _not_mentoring(ctx, e):
        return True
    left = await ctx.uow.privacy.left_at(e.user)
    return left is not None and left >= e.started_at


def _checks(e: Enrollment) -> str:
    answered = len(e.checks_answered)
    if not answered:
        return "no quick checks answered yet"
    return f"quick checks {e.checks_right}/{answered} right"


def _where(e: Enrollment, c: Course) -> str:
    """Where a running course is: the lesson they last had and whether its quick check is
    answered."""
    had = min(e.next_lesson - 1, len(c))
    if had < 1:
        return "starting now"
    notes = [] if had in e.checks_answered else ["the buttons are on the lesson"]
    if e.checks_answered:
        notes.append(_checks(e))
    answered = "answered" if had in e.checks_answered else "not answered yet"
    return f"lesson {had} of {len(c)}, its quick check {answered} ({'; '.join(notes)})"


async def _next_due(ctx: Context, e: Enrollment, pending: dict[int, Nudge]) -> datetime | None:
    """When lesson `e.next_lesson` comes by DM: its pending nudge's time (scheduling one at
    the last lesson plus ``every_days`` should none be waiting, as after a stop); None when it is
    due already (its nudge then finds it had and sends nothing)."""
    now = ctx.clock.now()
    step = lesson_step(e.track, e.next_lesson)
    if step in pending:
        return pending[step].due_at if pending[step].due_at > now else None
    if e.last_sent_at is None:
        return None
    due = e.last_sent_at + timedelta(days=ctx.config.learning.every_days)
    if due <= now:
        return None
    await ctx.uow.nudges.add(
        Nudge(kind=NudgeKind.LESSON, workspace=e.workspace, target=e.user, step=step, due_at=due)
    )
    return due


async def _arrives(ctx: Context, e: Enrollment, due: datetime) -> datetime:
    """When a lesson due at `due` reaches the learner: its nudge waits for their working time
    (`wait_for_working_hours`, the rule `send_lesson` follows)."""
    if not ctx.config.nudges.quiet_hours:
        return due
    nudge = Nudge(kind=NudgeKind.LESSON, workspace=e.workspace, target=e.user, due_at=due)
    known = await working_hours(ctx, e.user, nudge)
    if known is None:
        return due
    hours, tz = known
    return max(due, hours.next_start(due, tz))


async def show_learning(cmd: ShowLearning, ctx: Context) -> None:
    """Where someone is in each course, without sending a lesson before its day: someone with
    no course starts the askers' one (and the mentors' one if they mentor) with lesson 1; a
    stopped course says how to pick it up, and with `start` picks up again (its next lesson at
    once if its day has come, else by DM on its day); a running one says when its next lesson
    comes."""
    if not ctx.config.learning.enabled:
        raise Refusal("Lessons are switched off here.")
    ws = await require_workspace(ctx, cmd.actor)
    await ensure_person(ctx, cmd.actor)
    user = cmd.actor.user
    now = ctx.clock.now()
    mine = {e.track: e for e in await ctx.uow.learning.for_user(user)}
    if not mine:
        mine[Track.MENTEE] = Enrollment(user, ws.ref, Track.MENTEE, started_at=now)
        profile = await ctx.uow.mentors.get(user, ws.ref)
        if profile is not None and profile.active:
            mine[Track.MENTOR] = Enrollment(user, ws.ref, Track.MENTOR, started_at=now)
    courses = {track: course(track, ctx.config) for track in mine}
    pending = {n.step: n for n in await ctx.uow.nudges.pending_of_kind(NudgeKind.LESSON, user)}
    reads_in = await reader_timezone(ctx, user, ws.ref)
    summary: list[Text] = []
    now_due: list[Enrollment] = []
    picking_up = cmd.start and any(
        e.stopped_at is not None and e.completed_at is None and not _never_begun(e)
        for e in mine.values()
    )
    # Every course had is finished, none part-way: `start` takes the finished ones again.
    retake = (
        cmd.start
        and any(e.completed_at is not None for e in mine.values())
        and all(e.completed_at is not None or _never_begun(e) for e in mine.values())
    )
    waiting: set[Track] = set()  # a mentors' course for someone not mentoring, not begun
    for e in mine.values():
        c = courses[e.track]
        head: tuple[Bold | str, ...] = ("• ", Bold(c.title), ": ")
        if e.completed_at is not None and retake and not await _not_mentoring(ctx, e):
            _from_the_start(e, now)
            await ctx.uow.learning.save(e)
            now_due.append(e)
            summary.append(
                text(*head, f"taking it again ({len(c)} lessons); lesson 1 is in your DMs now")
            )
            continue
        if e.completed_at is not None:
            done = min(e.next_lesson - 1, len(c))
            if len(c) in e.checks_answered:
                line = f"complete ({done} of {len(c)} lessons, {_checks(e)})"
            else:  # every lesson had; complete once the last one's quick check is answered
                line = (
                    f"all {len(c)} lessons had; the last one's quick check is not answered yet "
                    "(the buttons are on the lesson)"
                )
            if all(
                o.completed_at is not None or _never_begun(o) for o in mine.values()
            ) and not await _not_mentoring(ctx, e):
                line += " — `/mentor learn start` takes it again"
            summary.append(text(*head, line))
            if e.stopped_at is not None:
                e.stopped_at = None
                await ctx.uow.learning.save(e)
            continue
        if _never_begun(e) and await _not_mentoring(ctx, e):
            # `/mentor learn stop` before they mentored: it is not to start when they join
            # (once they do, it shows stopped before lesson 1). `start` picking nothing else
            # up lets it begin as they join. Not listed: they don't mentor.
            waiting.add(e.track)
            if e.stopped_at is not None and cmd.start and not picking_up:
                e.stopped_at = None
                await ctx.uow.learning.save(e)
            continue
        if await _not_mentoring(ctx, e):
            # No lessons for someone off the mentor list (`send_lesson` would stop it again):
            # it waits, stopped, for them to come back.
            if e.stopped_at is None:
                e.stopped_at = now
                await ctx.uow.learning.save(e)
            had = min(e.next_lesson - 1, len(c))
            summary.append(
                text(
                    *head,
                    f"paused after {had} of {len(c)} lessons: you left the mentor list. "
                    "Join again (`/mentor join <skills>`) and `/mentor learn start` picks it up.",
                )
            )
            continue
        if e.stopped_at is not None and not cmd.start:
            summary.append(text(*head, _stopped(e, c)))
            continue
        if e.stopped_at is not None and _never_begun(e) and picking_up:
            # `/mentor learn stop` recorded it so it would not start by itself: `start` picks
            # up the courses they had lessons of, not one they never had (a mentor who never
            # asked gets no askers' course with their own).
            # Not told to type the `start` they just typed: `/mentor learn` says how later.
            summary.append(
                text(
                    *head,
                    f"not started ({len(c)} lessons) — you stopped it before its first lesson, "
                    "so it stays off",
                )
            )
            continue
        if e.stopped_at is not None:
            had = min(e.next_lesson - 1, len(c))
            if had:
                where = f"restarted after lesson {had} of {len(c)}"
            else:  # stopped before it began (`/mentor learn stop` before any lesson)
                where = f"started ({len(c)} lessons)"
            e.stopped_at = None
            await ctx.uow.learning.save(e)
        else:
            where = _where(e, c)
        due = await _next_due(ctx, e, pending)
        if due is None:
            now_due.append(e)
            summary.append(text(*head, where, f"; lesson {e.next_lesson} is in your DMs now"))
        else:
            arrives = await _arrives(ctx, e, due)
            summary.append(
                text(
                    *head,
                    where,
                    f"; lesson {e.next_lesson} comes by DM from ",
                    when(arrives, with_date=True),
                    in_zone(arrives, reads_in),
                )
            )
    running = any(
        e.completed_at is None and e.stopped_at is None and e.track not in waiting
        for e in mine.values()
    )
    ctx.reply(
        ChatMessage(
            title=text(Bold("Your lessons")),
            body=lines(summary),
            footer=text("`/mentor learn stop` ends the lessons") if running else None,
        )
    )
    for e in now_due:
        await _deliver(ctx, e, courses[e.track])


def _from_the_start(e: Enrollment, now: datetime) -> None:
    """A finished course taken again: from lesson 1, its quick checks to answer anew."""
    e.started_at = now
    e.next_lesson = 1
    e.last_sent_at = e.completed_at = e.stopped_at = None
    e.checks_right = 0
    e.checks_answered = ()


def _never_begun(e: Enrollment) -> bool:
    """A course recorded as stopped before any lesson of it was sent."""
    return e.next_lesson == 1 and e.last_sent_at is None


def _stopped(e: Enrollment, c: Course) -> str:
    """A stopped course's line in `/mentor learn`, with the command that picks it up."""
    had = min(e.next_lesson - 1, len(c))
    if had:
        return f"stopped after {had} of {len(c)} lessons — `/mentor learn start` picks it up again"
    return f"stopped before lesson 1 of {len(c)} — `/mentor learn start` starts it"


async def stop_learning(cmd: StopLearning, ctx: Context) -> None:
    """No more lessons (pending lesson nudges find the course stopped and do nothing). A course
    not started yet is recorded as stopped too, so that it does not start by itself later (at a
    first question, a first session)."""
    stopped = 0
    now = ctx.clock.now()
    enrolled = await ctx.uow.learning.for_user(cmd.actor.user)
    for e in enrolled:
        if e.active:
            e.stopped_at = now
            await ctx.uow.learning.save(e)
            stopped += 1
    started = {e.track for e in enrolled}
    # Both courses, the mentors' one too for someone not mentoring (yet): a stop is not undone
    # by a first question or a `/mentor join` later.
    for track in Track:
        if track not in started:
            e = Enrollment(cmd.actor.user, cmd.actor.workspace, track, now, stopped_at=now)
            await ctx.uow.learning.save(e)
    if not enrolled:
        ctx.reply(
            "Done: no lessons will come — not when you ask, nor if you become a mentor. "
            "`/mentor learn start` starts them any time."
        )
        return
    if not stopped:
        had = [e for e in enrolled if not _never_begun(e)]
        if had and all(e.completed_at is not None for e in had):
            ctx.reply(_all_had(had, ctx))
        else:
            ctx.reply(
                "You have no lessons running. `/mentor learn start` starts them again any time."
            )
        return
    ctx.reply(
        "Done: no more lessons. `/mentor learn` shows where you stopped; `/mentor learn start` "
        "picks up there, any time."
    )


def _all_had(enrolled: list[Enrollment], ctx: Context) -> str:
    """`/mentor learn stop` once every lesson was had: finished, or (as `/mentor learn` says)
    with the last lesson's quick check still to answer."""
    last_open = [e for e in enrolled if len(course(e.track, ctx.config)) not in e.checks_answered]
    if not last_open:
        return (
            "You have no lessons running: you finished them all. Well done! "
            "`/mentor learn start` takes them again."
        )
    if len(last_open) == 1:
        return (
            "That was the last lesson; its quick check is still open (the buttons are on the "
            "lesson, in your DMs) — nothing more will come."
        )
    return (
        "You had the last lesson of each course; their quick checks are still open (the "
        "buttons are on the lessons, in your DMs) — nothing more will come."
    )


async def answer_check(cmd: AnswerCheck, ctx: Context) -> None:
    try:
        track = Track(cmd.track)
    except ValueError:
        raise Refusal("That quick check is not one of ours.") from None
    c = course(track, ctx.config)
    lesson = c.lesson(cmd.lesson)
    e = await ctx.uow.learning.get(cmd.actor.user, track)
    if lesson is None or e is None or cmd.lesson >= e.next_lesson:
        raise Refusal("That lesson isn't one you've had yet. `/mentor learn` shows where you are.")
    if not 1 <= cmd.option <= len(lesson.check.options):
        raise Refusal("That answer isn't one of the options.")
    right = cmd.option == lesson.check.answer
    first = cmd.lesson not in e.checks_answered
    if not first:
        verdict = "You answered this one already."
    else:
        e.checks_answered = (*e.checks_answered, cmd.lesson)
        e.checks_right += int(right)
        await ctx.uow.learning.save(e)
        verdict = "Right!" if right else "Not quite."
    correct = lesson.check.options[lesson.check.answer - 1]
    said = f"{verdict} The answer is {quoted(correct)}."
    if lesson.check.explain:
        said += " " + lesson.check.explain
    if first and cmd.lesson == len(c):
        said += " " + COMPLETE  # the last lesson's check: the course is complete now
    ctx.reply(said)


async def lesson_unreachable(cmd: LessonUnreachable, ctx: Context) -> None:
    """A lesson the learner's closed DMs refused goes back to being the next one: the course
    waits there (a later lesson's nudge finds it is not next and sends nothing), and
    `/mentor learn` sends it again once their DMs are open."""
    e = await ctx.uow.learning.get(cmd.user, Track(cmd.track))
    if e is None or e.next_lesson != cmd.lesson + 1:
        return  # answered already, or the course moved on (stopped and started again)
    e.next_lesson = cmd.lesson
    e.completed_at = None
    await ctx.uow.learning.save(e)
    log.info("a lesson could not be sent (direct messages closed); it waits for /mentor learn")
