"""The escalation ladder for an unclaimed question: DM more mentors, bump, tell admins, give up."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.actors import names_for
from bot.domain import Nudge, NudgeKind, Question, QuestionState, Transition, Workspace
from bot.events import QuestionUnanswered
from bot.messagebus import Context
from bot.messages import Action, ChatMessage, Jump, Mention, Text, UserText, text
from bot.nudges.coverage import step_due_times
from bot.nudges.quiet_hours import Later, wait_for_working_hours
from bot.questions.ranking import rank_for
from bot.refs import UserRef
from bot.wording import duration_text

__all__ = ["escalate"]

log = logging.getLogger(__name__)

_RANK_POOL = 50  # how many ranked mentors to look through for ones inside their hours
_GROUP_MENTIONS = 10  # at most this many mentors are pinged by a channel bump


def _claim(q: Question) -> tuple[Action, ...]:
    return (Action("claim", q.number, "Claim", "primary", q.workspace.id),)


def _ref(q: Question) -> Text:
    target = q.card or q.thread
    return text(Jump(target, f"#{q.number}")) if target is not None else text(f"#{q.number}")


async def _later_rungs(ctx: Context, nudge: Nudge) -> list[Nudge]:
    assert nudge.question_id is not None
    pending = await ctx.uow.nudges.pending_for(nudge.question_id)
    return [n for n in pending if n.kind is NudgeKind.ESCALATE and n.step > nudge.step]


async def escalate(ctx: Context, nudge: Nudge, now: datetime) -> None:
    """Send ladder step `nudge.step` if the question is still open and the step not overtaken."""
    q = await ctx.uow.questions.get(nudge.question_id) if nudge.question_id else None
    ladder = ctx.config.nudges.escalation
    if q is None or q.state is not QuestionState.OPEN or nudge.step >= len(ladder):
        return
    rung = ladder[nudge.step]
    # The mentors who fit may have changed their hours, paused or left since the step was
    # scheduled: it waits until they have had its working time (counted from the question's
    # posting; a released question's steps were counted from the release when scheduled).
    due = await step_due_times(ctx, q, q.created_at)
    if due[nudge.step] > now:
        raise Later(due[nudge.step])
    later = await _later_rungs(ctx, nudge)
    also_due: list[str] = [
        ladder[n.step].action
        for n in later
        if n.due_at <= now and n.step < len(due) and due[n.step] <= now
    ]
    if _overtaken(rung.action, also_due):
        # Overdue after downtime: a later step that is due too says it, so this one is skipped,
        # not spammed.
        log.info("escalation step %d of #%s overtaken by a later step", nudge.step, q.number)
        return
    ws = await ctx.uow.workspaces.get(q.workspace)
    if ws is None:
        return
    await _ACTIONS[rung.action](ctx, q, ws, nudge, now, later)


# Whom each step asks for help, and which later steps reach them as widely or wider: the
# channel re-post calls the mentors who fit where every mentor sees it, so it does what a DM to
# the next-best ones would; telling the admins asks nobody among the mentors.
_COVERED_BY: dict[str, frozenset[str]] = {
    "dm_next": frozenset({"dm_next", "channel_bump"}),
    "channel_bump": frozenset({"channel_bump"}),
    "admins": frozenset({"admins"}),
}


def _overtaken(action: str, also_due: list[str]) -> bool:
    """Whether a step is skipped because later steps are due at once (the clock jumped, the
    process was down): each audience hears once, by the latest, widest step due for it, so the
    mentors get one re-post in the channel (not a DM, then the re-post) and the admins one
    heads-up; a re-post is not lost to a later step that only tells the admins. A due give-up
    overtakes every earlier step (re-posting a question as it is closed helps nobody) and is
    itself never skipped."""
    if action == "give_up" or not also_due:
        return False
    return "give_up" in also_due or not _COVERED_BY.get(action, {action}).isdisjoint(also_due)


async def _dm_next(
    ctx: Context, q: Question, ws: Workspace, nudge: Nudge, now: datetime, later: list[Nudge]
) -> None:
    ranked = await rank_for(
        ctx,
        workspace=q.workspace,
        topics=q.topics,
        text=q.text,
        question_id=q.id,
        exclude={q.asker, *q.suggested, *q.notified, *q.released_by},
        limit=_RANK_POOL,
        stage=q.wanted_stage,
    )
    wanted = ctx.config.matching.suggest
    awake = [r.ref for r in ranked if r.factors.get("in_hours")][:wanted]
    if not awake and ranked and ctx.config.nudges.quiet_hours:
        # Everyone who fits is off work: wait for the first of them, unless the ladder's next
        # step comes sooner anyway.
        starts = []
        for r in ranked[:wanted]:
            profile = await ctx.uow.mentors.get(r.ref, q.workspace)
            if profile is not None:
                starts.append(profile.hours.next_start(now, profile.timezone))
        first = min(starts, default=None)
        if first is not None and first > now and all(first < n.due_at for n in later):
            raise Later(first)
    await _tell(ctx, q, awake)
    if not awake:
        log.info("escalation of #%s: no further mentors inside their hours to ask", q.number)


async def _tell(ctx: Context, q: Question, mentors: list[UserRef]) -> None:
    """DM each mentor not told about `q` before, and remember that they were."""
    fresh = [ref for ref in mentors if ref not in q.notified]
    if not fresh:
        return
    for ref in fresh:
        fits = await _how_it_fits(ctx, q, ref)
        ctx.outbox.dm(
            ref,
            ChatMessage(
                body=text(
                    "Question ",
                    _ref(q),
                    f" is still waiting for a mentor and {fits}: ",
                    UserText(q.text[:200]),
                    " — claim it if you can help.",
                ),
                actions=_claim(q),
                question_id=q.number,
            ),
        )
    q.notified = (*q.notified, *fresh)
    await ctx.uow.questions.update(q, expected_state=QuestionState.OPEN)


async def _how_it_fits(ctx: Context, q: Question, mentor: UserRef) -> str:
    """Whether the question fits `mentor`'s skills (they list one of its topics) or is only
    close to them: a mentor ranked for it through a related skill (python for a pandas
    question) is not told it fits."""
    profile = await ctx.uow.mentors.get(mentor, q.workspace)
    if profile is not None and set(q.topics) & set(profile.skills):
        return "fits your skills"
    return "is close to your skills"


async def _channel_bump(
    ctx: Context, q: Question, ws: Workspace, nudge: Nudge, now: datetime, later: list[Nudge]
) -> None:
    topics = set(q.topics)
    mentors = {p.ref: p for p in await ctx.uow.mentors.in_workspace(q.workspace)}
    # Who said "not my area" on this question is not called about it again (nor counted away).
    not_theirs = set(await ctx.uow.not_my_area.said_by(q.pk))
    available = {
        ref
        for ref, p in mentors.items()
        if p.active
        and not p.is_paused(now)
        and ref != q.asker
        and ref not in q.released_by
        and ref not in not_theirs
        and p.hours.contains(now, p.timezone)
    }
    # The mentors the card suggests first (the ranking's pick, related skills included), then
    # whoever else lists one of its topics; a suggested mentor away now is said, not called.
    suggested = [r for r in q.suggested if r in available]
    away = [
        r
        for r in q.suggested
        if r not in available
        and r in mentors
        and r != q.asker
        and r not in q.released_by
        and r not in not_theirs
    ]
    others = [r for r, p in mentors.items() if r in available and topics & set(p.skills)]
    group = list(dict.fromkeys([*suggested, *others]))[:_GROUP_MENTIONS]
    if q.anonymous:
        # Naming who is called would point at the asker by who is missing: the bump names
        # nobody, and the mentors who fit hear of it by DM.
        await _tell(ctx, q, group)
        group = []
    names = await names_for(ctx, group)
    calling: list[str | Mention] = []
    for i, ref in enumerate(group):
        calling += [", " if i else " ", Mention(ref, names[ref])]
    ctx.outbox.post(
        ws.escalation_channel or ws.mentoring_channel,
        ChatMessage(
            body=text(
                f"Still open: question #{q.number} (",
                UserText(", ".join(q.topics) or "no topic recognised"),
                ") needs a mentor. Can anyone help?",
                *((" Calling", *calling, ".") if group else ()),
                *((_away_note(len(away)),) if away and not q.anonymous else ()),
            ),
            actions=_claim(q),
            question_id=q.number,
        ),
    )


def _away_note(away: int) -> str:
    if away == 1:
        return " (1 suggested mentor is not available right now.)"
    return f" ({away} suggested mentors are not available right now.)"


async def _admins(
    ctx: Context, q: Question, ws: Workspace, nudge: Nudge, now: datetime, later: list[Nudge]
) -> None:
    waited = duration_text((now - q.created_at).total_seconds() / 60)
    ctx.outbox.post(
        ws.admin_channel,
        ChatMessage(
            body=text(
                "Heads-up: question ",
                _ref(q),
                f" has had no mentor for {waited}. Topics: ",
                UserText(", ".join(q.topics) or "none recognised"),
                ". Could you find someone?",
            ),
            question_id=q.number,
        ),
    )


async def _give_up(
    ctx: Context, q: Question, ws: Workspace, nudge: Nudge, now: datetime, later: list[Nudge]
) -> None:
    # Closing the question waits for the asker's working time too, so the kind note is read;
    # not an anonymous one's: the card closing as their day starts would say who they are.
    if not q.anonymous:
        await wait_for_working_hours(ctx, nudge, q.asker, now)
    closed = q.moved(Transition.GIVE_UP, closed_at=now)
    if await ctx.uow.questions.update(closed, expected_state=QuestionState.OPEN):
        ctx.emit(QuestionUnanswered(q.pk))


_Action = Callable[[Context, Question, Workspace, Nudge, datetime, list[Nudge]], Awaitable[None]]
_ACTIONS: dict[str, _Action] = {
    "dm_next": _dm_next,
    "channel_bump": _channel_bump,
    "admins": _admins,
    "give_up": _give_up,
}
