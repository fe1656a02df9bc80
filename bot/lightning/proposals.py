"""Sessions from demand: when a topic has been asked about often enough, the mentors who know it
best are asked to teach it ([I'll teach it] [Not now]); one proposal per topic per window.

When one of its topics has no session proposed in the window, an ask stores a check due at
once (a nudge of its own) instead of deciding it in its own transaction: counting a topic's
questions and ranking a workspace's mentors are reads, done from the read snapshot before the
short write that records a proposal. Inside the ask's transaction they held SQLite's write lock,
and every input waiting to be stored (and acknowledged) behind it, for as long as they took.

A topic in demand that nobody can teach (no mentor holds it, or only its askers do) is left
alone for `UNTAUGHT_RECHECK`, or until a mentor profile of the workspace changes (a join, new
skills, a pause or return: `MentorRoster.changes`): otherwise every further ask on it would count
its questions, load them and rank the whole roster again, only to find nobody again. The digest's
skill gaps show it meanwhile. This memory is the process's own and lost on restart: it only
saves work.

Nobody has to ask again for the topic to be looked at again: finding nobody stores a check due
`UNTAUGHT_RECHECK` later (a nudge, so it survives a restart; again and again while the demand
lasts), and a mentor who joins or comes back (`MentorRegistered`, `MentorResumed`) has every
topic remembered as untaught in their workspace checked at once (`recheck_untaught`). New skills
(`/mentor skills`) and the end of a timed pause announce no event: the hourly check finds them.

A proposal every asked mentor said "not now" to, with nobody next best left to ask
(`invite_next_mentors`), waits the same way: its topic is remembered as untaught, checked again
hourly while the proposal is in the window, and at once when a mentor joins or comes back; each
check asks the next best mentors then (`_ask_next_again`)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from bot.domain import Nudge, NudgeKind, Question
from bot.events import MentorRegistered, MentorResumed, QuestionAsked
from bot.lightning.cards import proposal_prompt
from bot.lightning.demand import demand_period, find_demand
from bot.lightning.model import Lightning, LightningState
from bot.messagebus import Context
from bot.ports import UnitOfWork
from bot.questions.ranking import rank_for
from bot.refs import WorkspaceRef

__all__ = [
    "UNTAUGHT_RECHECK",
    "check_demand",
    "invite_next_mentors",
    "recheck_untaught",
    "schedule_demand_check",
]

UNTAUGHT_RECHECK = timedelta(hours=1)


def _untaught(ctx: Context, workspace: WorkspaceRef, topic: str) -> bool:
    found = ctx.services.untaught.get((workspace.key(), topic))
    if found is None:
        return False
    until, roster_changes = found
    return ctx.clock.now() < until and roster_changes == ctx.services.roster.changes(workspace)


async def _settled(
    ctx: Context, uow: UnitOfWork, workspace: WorkspaceRef, topic: str, since: datetime
) -> bool:
    """Whether the topic needs no demand check: a session was proposed on it in the window, or
    nobody could teach it a moment ago."""
    return _untaught(ctx, workspace, topic) or await uow.lightning.proposed_since(
        workspace, topic, since
    )


async def schedule_demand_check(event: QuestionAsked, ctx: Context) -> None:
    """After a question with topics: check the demand for them (`check_demand`) right away,
    unless each already has a session proposed in the window (the usual case, one indexed
    look-up per topic: a step of its own for every ask would cost more than it saves)."""
    q = await ctx.uow.questions.get(event.question_id)
    if q is None or not q.topics:
        return
    since = ctx.clock.now() - timedelta(days=ctx.config.lightning.window_days)
    for topic in q.topics:
        if not await _settled(ctx, ctx.uow, q.workspace, topic, since):
            break
    else:
        return
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.LIGHTNING_DEMAND,
            workspace=q.workspace,
            question_id=q.pk,
            due_at=ctx.clock.now(),
        )
    )
    ctx.nudge_now = True


async def check_demand(ctx: Context, nudge: Nudge, now: datetime) -> None:
    """For each topic of the question with no session proposed in the window, count the
    window's questions on it; at `min_questions` from `min_askers` different people, propose a
    session to the best mentors."""
    reads = await ctx.reads()
    q = await reads.questions.get(nudge.question_id) if nudge.question_id else None
    if q is None or not q.topics:
        return
    cfg = ctx.config.lightning
    since = now - timedelta(days=cfg.window_days)
    for topic in q.topics:
        if _untaught(ctx, q.workspace, topic):
            continue
        if await reads.lightning.proposed_since(q.workspace, topic, since):
            await _ask_next_again(ctx, q.workspace, topic, since)
            continue
        asked = await reads.lightning.topic_demand(
            q.workspace, topic, since, at_least=cfg.min_questions
        )
        found = find_demand(
            asked,
            now=now,
            min_questions=cfg.min_questions,
            min_askers=cfg.min_distinct_askers,
            window_days=cfg.window_days,
            topics={topic},
        )
        if found:
            await _propose(ctx, q, topic, asked)


async def _propose(ctx: Context, q: Question, topic: str, asked: list[Question]) -> None:
    cfg = ctx.config.lightning
    askers = {a.asker for a in asked}
    ranked = await rank_for(
        ctx, workspace=q.workspace, topics=(topic,), exclude=askers, limit=cfg.propose_to
    )
    now = ctx.clock.now()
    if not ranked:  # nobody to teach it yet: the digest's skill gaps show it; look again later
        await _look_again_later(ctx, q.workspace, topic, q.pk)
        return
    s = await ctx.uow.lightning.add(
        Lightning(
            workspace=q.workspace,
            topic=topic,
            created_at=now,
            state=LightningState.PROPOSED,
            minutes=cfg.minutes,
            question_ids=tuple(a.pk for a in asked),
            invited=tuple(r.ref for r in ranked),
            demand_period=demand_period(now, cfg.window_days),
        )
    )
    if s is None:
        return  # proposed by a question asked at the same moment
    for mentor in s.invited:
        ctx.outbox.dm(
            mentor,
            proposal_prompt(
                s, asked=len(asked), askers=_askers_shown(asked), window_days=cfg.window_days
            ),
            workspace=s.workspace,
        )


async def _look_again_later(
    ctx: Context, workspace: WorkspaceRef, topic: str, question_id: int
) -> None:
    """Nobody can teach `topic` now: remember it as untaught and check it again (through the
    question `question_id`) in `UNTAUGHT_RECHECK`, or at once when a mentor joins."""
    now = ctx.clock.now()
    key = (workspace.key(), topic)
    before = ctx.services.untaught.get(key)
    # A check still to come (stored when nobody was found before, the roster changed since)
    # is the one to wait for: one hourly check per topic, not one more per finding.
    waiting = before is not None and before[0] > now
    until = before[0] if before is not None and waiting else now + UNTAUGHT_RECHECK
    ctx.services.untaught[key] = (until, ctx.services.roster.changes(workspace))
    if not waiting:
        await ctx.uow.nudges.add(
            Nudge(
                kind=NudgeKind.LIGHTNING_DEMAND,
                workspace=workspace,
                question_id=question_id,
                due_at=until,
            )
        )


def _askers_shown(asked: list[Question]) -> int | None:
    """How many different people asked, for the proposal; None (left out) when any of them
    asked anonymously: beside the named askers on the cards, a head count would tell whether
    the anonymous one is among them."""
    if any(a.anonymous for a in asked):
        return None
    return len({a.asker for a in asked})


def _all_declined(s: Lightning) -> bool:
    return set(s.invited) <= set(s.declined)


async def _ask_next_again(
    ctx: Context, workspace: WorkspaceRef, topic: str, since: datetime
) -> None:
    """The proposals on `topic` from the window that every mentor asked declined: ask the next
    best mentors now (someone may have joined or taken up the topic since)."""
    for s in await ctx.uow.lightning.waiting_for_speaker(workspace, since):
        if s.topic == topic and _all_declined(s):
            await invite_next_mentors(ctx, s)


async def recheck_untaught(event: MentorRegistered | MentorResumed, ctx: Context) -> None:
    """A mentor joined (or updated their profile with `/mentor join`) or came back: check the
    demand at once for the topics of their workspace remembered as untaught, each through its
    latest question in the window (the check looks at that question's topics)."""
    if event.workspace is not None:
        workspaces = [event.workspace]
    else:  # a resume from before pauses had a workspace: each of the mentor's
        workspaces = [p.workspace for p in await ctx.uow.mentors.of_person(event.mentor)]
    now = ctx.clock.now()
    since = now - timedelta(days=ctx.config.lightning.window_days)
    reads = await ctx.reads()
    queued: set[int] = set()
    for workspace in workspaces:
        topics = [t for (ws, t) in ctx.services.untaught if ws == workspace.key()]
        # Proposals everyone asked declined (remembered above, unless the process restarted).
        waiting = await reads.lightning.waiting_for_speaker(workspace, since)
        topics += [s.topic for s in waiting if _all_declined(s) and s.topic not in topics]
        for topic in topics:
            asked = await reads.lightning.topic_demand(workspace, topic, since)
            if not asked:
                continue
            latest = max(asked, key=lambda a: (a.created_at, a.pk))
            if latest.pk in queued:
                continue
            queued.add(latest.pk)
            await ctx.uow.nudges.add(
                Nudge(
                    kind=NudgeKind.LIGHTNING_DEMAND,
                    workspace=workspace,
                    question_id=latest.pk,
                    due_at=now,
                )
            )
    if queued:
        ctx.nudge_now = True


async def invite_next_mentors(ctx: Context, s: Lightning) -> None:
    """Everyone asked said "not now": ask the next best mentors, if there are any (if not,
    look again later, as for a topic nobody can teach)."""
    cfg = ctx.config.lightning
    asked = await ctx.uow.lightning.topic_demand(
        s.workspace, s.topic, ctx.clock.now() - timedelta(days=cfg.window_days)
    )
    ranked = await rank_for(
        ctx,
        workspace=s.workspace,
        topics=(s.topic,),
        exclude={a.asker for a in asked} | set(s.invited),
        limit=cfg.propose_to,
    )
    if not ranked:
        latest = max(asked, key=lambda a: (a.created_at, a.pk), default=None)
        if latest is not None:
            await _look_again_later(ctx, s.workspace, s.topic, latest.pk)
        return
    s = replace(s, invited=(*s.invited, *(r.ref for r in ranked)))
    if not await ctx.uow.lightning.save(s, expected_state=LightningState.PROPOSED):
        return
    for r in ranked:
        ctx.outbox.dm(
            r.ref,
            proposal_prompt(
                s,
                asked=len(asked) or len(s.question_ids),
                # Questions gone from the window since: their askers are not known here.
                askers=_askers_shown(asked) if asked else None,
                window_days=cfg.window_days,
            ),
            workspace=s.workspace,
        )
