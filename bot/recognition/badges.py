"""Earning badges: which rules to look at after what happened, storing a badge once, and one DM
a day at most that names the new ones.

A badge is stored once and never taken back (the DM may have named it already), so a badge that
rests on an asker's rating is looked at only once that rating can no longer be corrected: a BADGES
nudge about the question (its `subject_id`) is due when the rating's correction window closes, and
the review then sees the rating as it stands. A BADGES nudge without a subject is the next day's
badge DM."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.actors import ensure_person
from bot.commands import Actor
from bot.domain import Nudge, NudgeKind, Person
from bot.feedback.ratings import CHANGE_MINUTES
from bot.messagebus import Context
from bot.messages import Bold, ChatMessage, Text, lines, text
from bot.nudges.quiet_hours import wait_for_working_hours
from bot.privacy.model import is_tombstone
from bot.questions.cards import who
from bot.recognition.catalogue import (
    BADGE_BY_ID,
    CROSS_TIMEZONE_HOURS,
    BadgeFacts,
    badge_label,
    earned_badges,
)
from bot.recognition.model import GOOD_RATING, EarnedBadge, HelpedSession
from bot.recognition.points import showed_help
from bot.recognition.streaks import helped_sessions, streak_of
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "MENTOR_BADGES",
    "badges_text",
    "cross_timezone_sessions",
    "faq_answer_written",
    "review_after_rating",
    "review_badges",
    "send_badge_note",
]

# What a resolved session may earn its mentor.
MENTOR_BADGES = frozenset(
    {"first_session", "ten_sessions", "helping_streak", "cross_timezone", "faq_author"}
)


def _offset_hours(tz: str, at: datetime) -> float | None:
    try:
        offset = at.astimezone(ZoneInfo(tz)).utcoffset()
    except (KeyError, ValueError):
        return None
    return None if offset is None else offset.total_seconds() / 3600


def cross_timezone_sessions(
    sessions: Sequence[HelpedSession], *, mentor_tz: str, asker_tz: dict[UserRef, str | None]
) -> int:
    """Sessions whose asker was at least CROSS_TIMEZONE_HOURS hours away from the mentor when it
    was resolved (askers whose timezone we don't know don't count)."""
    count = 0
    for s in sessions:
        theirs = asker_tz.get(s.asker)
        if not theirs:
            continue
        mine, other = _offset_hours(mentor_tz, s.resolved_at), _offset_hours(theirs, s.resolved_at)
        if mine is not None and other is not None and abs(mine - other) >= CROSS_TIMEZONE_HOURS:
            count += 1
    return count


async def _facts(
    ctx: Context, user: UserRef, workspace: WorkspaceRef, wanted: set[str]
) -> BadgeFacts:
    """Only the figures the wanted badges look at (the mentor's timezone: their profile in
    `workspace`)."""
    uow = ctx.uow
    facts: dict[str, int] = {}
    if "first_question" in wanted:
        facts["questions_asked"] = 1  # reviewed right after they asked
    if wanted & {"first_session", "ten_sessions", "cross_timezone"}:
        sessions = await helped_sessions(ctx, user, since=None)
        facts["sessions_resolved"] = len(sessions)
        if "cross_timezone" in wanted:
            profile = await uow.mentors.get(user, workspace)
            people: dict[UserRef, Person] = await uow.people.get_many(
                list({s.asker for s in sessions})
            )
            facts["cross_timezone_sessions"] = cross_timezone_sessions(
                sessions,
                mentor_tz=profile.timezone if profile is not None else "UTC",
                asker_tz={ref: p.timezone for ref, p in people.items()},
            )
    if "five_stars" in wanted:
        # Every workspace's, like the sessions and streak above: a badge is earned once per
        # person, not per workspace (nothing of a rating shows, only the badge).
        # Only sessions that showed real help count, as for points (a friend's 5s on claims
        # resolved at once earn nothing).
        fives = [f for f in await uow.feedback.for_mentor(user, workspace=None) if f.score == 5]
        rated = await uow.questions.get_many([f.question_id for f in fives])
        facts["five_star_ratings"] = sum(
            1 for f in fives if f.question_id in rated and showed_help(rated[f.question_id])
        )
    if "helping_streak" in wanted:
        facts["longest_streak"] = (await streak_of(ctx, user)).best
    if "faq_author" in wanted:
        facts["faq_entries"] = await uow.faq.count_by_author(workspace, user)
    if "lightning_speaker" in wanted:
        facts["lightning_given"] = await uow.lightning.given_by(user)
    return BadgeFacts(**facts)


async def review_badges(
    ctx: Context, user: UserRef, workspace: WorkspaceRef, *, among: Collection[str]
) -> list[str]:
    """Give `user` the badges of `among` they now earn and don't have; returns the new ones.
    New badges are announced by the day's one badge DM. A forgotten person earns nothing: what
    is left of them (a look at a rating still due, a session kept for the figures) is nobody's."""
    if is_tombstone(user):
        return []
    owned = {b.badge for b in await ctx.uow.badges.of(user)}
    wanted = set(among) - owned
    if not wanted:
        return []
    now = ctx.clock.now()
    new = []
    for badge in sorted(earned_badges(await _facts(ctx, user, workspace, wanted), among=wanted)):
        if await ctx.uow.badges.add(EarnedBadge(workspace, user, badge, now)):
            new.append(badge)
    if new:
        await _announce_or_wait(ctx, user, workspace, now)
    return new


def _day_start(now: datetime) -> datetime:
    return now.replace(hour=0, minute=0, second=0, microsecond=0)


async def _announce_or_wait(
    ctx: Context, user: UserRef, workspace: WorkspaceRef, now: datetime
) -> None:
    """One badge DM a day at most (UTC days): now, if none went out today, else tomorrow's
    names every badge earned meanwhile."""
    last = await ctx.uow.badges.last_announced(user)
    if last is None or last < _day_start(now):
        await _announce(ctx, user, workspace, now)
        return
    if any(
        n.subject_id is None for n in await ctx.uow.nudges.pending_of_kind(NudgeKind.BADGES, user)
    ):
        return  # tomorrow's will name this one too
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.BADGES,
            workspace=workspace,
            target=user,
            due_at=_day_start(now) + timedelta(days=1),
        )
    )


async def _here(ctx: Context, user: UserRef) -> Person | None:
    """`user`, unless they are nobody to congratulate any more: forgotten (their ref is a
    tombstone with no person behind it) or gone (left, and no active mentor profile anywhere:
    someone who left and came back to mentor is here again)."""
    person = await ctx.uow.people.get(user)
    if person is None or person.left_at is None:
        return person
    if any(p.active for p in await ctx.uow.mentors.of_person(user)):
        return person
    return None


async def _announce(ctx: Context, user: UserRef, workspace: WorkspaceRef, now: datetime) -> None:
    """The badge DM: every badge not announced yet, in one message (none to someone gone: the
    badges stay, for the figures). It points only at views that show them to this person:
    `/mentor me` answers only an active mentor of `workspace`; the home view answers anyone."""
    person = await _here(ctx, user)
    if person is None:
        return
    new = await ctx.uow.badges.announce(user, now)
    if not new:
        return
    names = {user: person.name}
    head = "a new badge" if len(new) == 1 else f"{len(new)} new badges"
    body: list[Text] = [text("🎉 ", who(user, names, mention=False), f", you earned {head}:")]
    for b in new:
        badge = BADGE_BY_ID.get(b.badge)
        rule = f" — you {badge.rule}" if badge is not None else ""
        body.append(text("• ", Bold(badge_label(b.badge)), rule))
    profile = await ctx.uow.mentors.get(user, workspace)
    if profile is not None and profile.active:
        body.append(
            text(
                "Thank you! Your badges are in `/mentor me` and on your home view (`/mentor home`)."
            )
        )
    else:
        body.append(text("Thank you! Your badges are on your home view (`/mentor home`)."))
    ctx.outbox.dm(user, ChatMessage(body=lines(body)), workspace=workspace)


async def send_badge_note(ctx: Context, nudge: Nudge, now: datetime) -> None:
    """The next day's badge DM (in the person's working hours when we know them); or, for a
    nudge about a question, the look at the badges its rating earns once it can't change."""
    user = nudge.target
    if user is None:
        return
    if nudge.subject_id is not None:
        await _review_rated(ctx, user, nudge.subject_id)
        return
    last = await ctx.uow.badges.last_announced(user)
    if last is not None and last >= _day_start(now):
        # Announced today already: what was earned since waits for tomorrow's.
        if any(b.announced_at is None for b in await ctx.uow.badges.of(user)):
            await ctx.uow.nudges.add(
                Nudge(
                    kind=NudgeKind.BADGES,
                    workspace=nudge.workspace,
                    target=user,
                    due_at=_day_start(now) + timedelta(days=1),
                )
            )
        return
    await wait_for_working_hours(ctx, nudge, user, now)
    await _announce(ctx, user, nudge.workspace, now)


def badges_text(badges: Sequence[EarnedBadge]) -> Text:
    """``🌱 First question · 🤝 First session`` (or how to earn one)."""
    if not badges:
        return text("none yet — help someone, ask a question or give a lightning talk")
    return text(" · ".join(badge_label(b.badge) for b in badges))


# A rating's badges are looked at this long after it was given: its correction window, closed.
RATING_SETTLED = timedelta(minutes=CHANGE_MINUTES + 1)


def _rating_badges(score: int | None, *, self_resolved: bool) -> set[str]:
    """What an asker's rating of `score` may earn the mentor: Five stars for a 5, and, for a
    session its mentor closed themselves (it counts once rated well), the session's badges."""
    if score is None or score < GOOD_RATING:
        return set()
    among = {"five_stars"} if score == 5 else set()
    return (among | MENTOR_BADGES) if self_resolved else among


async def review_after_rating(ctx: Context, question_id: int, rater: UserRef, score: int) -> None:
    """After an asker rated (or corrected their rating of) a session: look at the badges it may
    earn the mentor once the rating can no longer be corrected, so they follow the rating as it
    stands (a 5 corrected to 1 within the window earns nothing). One look per question."""
    q = await ctx.uow.questions.get(question_id)
    if q is None or q.mentor is None:
        return
    if not _rating_badges(score, self_resolved=q.resolved_by == q.mentor):
        return
    pending = await ctx.uow.nudges.pending_of_kind(NudgeKind.BADGES, q.mentor)
    if any(n.subject_id == q.pk for n in pending):
        return  # a correction within the window: the look already due sees it
    rating = await ctx.uow.feedback.get(q.pk, rater, "asker")
    given = rating.created_at if rating is not None else ctx.clock.now()
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.BADGES,
            workspace=q.workspace,
            target=q.mentor,
            due_at=given + RATING_SETTLED,
            subject_id=q.pk,
        )
    )


async def _review_rated(ctx: Context, mentor: UserRef, question_id: int) -> None:
    q = await ctx.uow.questions.get(question_id)
    if q is None or q.mentor != mentor:
        return
    rating = await ctx.uow.feedback.get(q.pk, q.asker, "asker")
    among = _rating_badges(
        rating.score if rating is not None else None, self_resolved=q.resolved_by == q.mentor
    )
    if among:
        await review_badges(ctx, mentor, q.workspace, among=among)


async def faq_answer_written(
    ctx: Context, author: UserRef, workspace: WorkspaceRef, *, writer: Actor | None = None
) -> None:
    """Call when someone saves an FAQ answer: it may earn its author the FAQ author badge (once:
    a badge is stored once per person, so saving again or updating gives nothing more).
    `writer`, who saved it: when it is the author, their person record is made sure of, so an
    admin who never asked nor mentored is someone the badge DM can reach."""
    if writer is not None and writer.user == author:
        await ensure_person(ctx, writer)
    await review_badges(ctx, author, workspace, among={"faq_author"})
