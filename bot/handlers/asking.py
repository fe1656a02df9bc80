"""Asking: validate the question, find topics and mentors, post the card, tell the asker what next."""

from __future__ import annotations

import asyncio
import statistics
from datetime import timedelta

from bot import nudging
from bot.cards import question_card, similar_lines
from bot.commands import AskQuestion
from bot.domain import MentorProfile, Question, QuestionState
from bot.events import QuestionAsked
from bot.handlers._common import ensure_person, names_for, require_workspace, start_of_week
from bot.hours import WeeklyHours
from bot.matching import MentorCandidate, RankedMentor, extract_topics, rank_mentors
from bot.mentor_roster import RosterSnapshot
from bot.messagebus import Context, Refusal
from bot.messages import ChatMessage, Text, UserText, lines, text
from bot.refs import UserRef, WorkspaceRef

__all__ = ["ask_question", "rank_for", "similar_resolved", "validate_question"]


def validate_question(raw: str, ctx: Context) -> str:
    """The cleaned question, or a :class:`Refusal` saying exactly what to change."""
    cfg = ctx.config.ask
    cleaned = " ".join(raw.split())
    if not cleaned:
        raise Refusal(
            "Please write your question after the command, e.g. "
            "`/askmentor How do I speed up a slow SQL query with a JOIN? I tried an index on ...`"
        )
    if len(cleaned) > cfg.max_length:
        raise Refusal(
            f"Your question is {len(cleaned)} characters; the limit is {cfg.max_length}. "
            "Please shorten it to the essentials — a mentor can ask for details in the thread."
        )
    if len(cleaned) < cfg.min_length or len(cleaned.split()) < cfg.min_words:
        raise Refusal(
            "That's a bit short for a mentor to help with. Add a sentence on what you're trying "
            "to do, what you tried and what you expected, e.g. "
            "`/askmentor How do I group a pandas DataFrame by two columns? groupby on one works.`"
        )
    return cleaned


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
    roster: RosterSnapshot = await ctx.services.roster.snapshot(ctx.uow, workspace)
    profiles = roster.for_topics(topics, taxonomy.related)
    if not profiles:
        return []
    load = await ctx.uow.questions.mentor_load(workspace, start_of_week(now))
    days = ctx.config.matching.not_my_area_days
    declined = (
        await ctx.uow.not_my_area.since(workspace, now - timedelta(days=days)) if days else {}
    )
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


async def _median_minutes_to_claim(ctx: Context, workspace: WorkspaceRef) -> float | None:
    """From real data: the median wait of the latest claims in the last 30 days."""
    now = ctx.clock.now()
    waits = await ctx.uow.questions.recent_claim_waits(
        workspace, since=now - timedelta(days=30), limit=200
    )
    return statistics.median(waits) if waits else None


async def ask_question(cmd: AskQuestion, ctx: Context) -> None:
    actor = cmd.actor
    body = validate_question(cmd.text, ctx)
    if cmd.anonymous and not ctx.config.ask.allow_anonymous:
        raise Refusal("Anonymous questions are switched off here; ask without `--anonymous`.")
    ws = await require_workspace(ctx, actor)
    await ensure_person(ctx, actor)
    now = ctx.clock.now()
    topics = extract_topics(
        body, ctx.services.taxonomy, threshold=ctx.config.matching.topic_threshold
    )
    ranked = await rank_for(
        ctx,
        workspace=ws.ref,
        topics=topics,
        exclude={actor.user},
        limit=ctx.config.matching.suggest,
        seed=body,
    )
    q = await ctx.uow.questions.add(
        Question(
            workspace=ws.ref,
            asker=actor.user,
            text=body,
            created_at=now,
            anonymous=cmd.anonymous,
            topics=tuple(topics),
            suggested=tuple(r.ref for r in ranked),
        )
    )
    names = await names_for(ctx, [q.asker, *q.suggested])
    card = await ctx.chat.post_card(
        ws.mentoring_channel, question_card(q, names=names, config=ctx.config)
    )
    q.card = card
    if not await ctx.uow.questions.update(q, expected_state=QuestionState.OPEN):
        raise RuntimeError("question changed while it was being posted")
    await nudging.schedule_escalation(ctx, q, base=now)
    similar = await similar_resolved(ctx, q)
    waited = await _median_minutes_to_claim(ctx, ws.ref)
    ctx.reply(_confirmation(q, ranked, names, similar, waited))
    ctx.emit(QuestionAsked(q.number))


async def similar_resolved(ctx: Context, q: Question) -> list[Question]:
    """Resolved questions like `q` (knowledge reuse), best first."""
    hits = ctx.services.similar.search(q.text, q.topics, limit=ctx.config.ask.similar_shown)
    found: list[Question] = []
    for hit in hits:
        other = await ctx.uow.questions.get(hit.question_id)
        if other is not None and other.state is QuestionState.RESOLVED and other.id != q.id:
            found.append(other)
    return found


def _confirmation(
    q: Question,
    ranked: list[RankedMentor],
    names: dict[UserRef, str],
    similar: list[Question],
    waited: float | None,
) -> ChatMessage:
    parts: list[Text] = [
        text(
            f"Thanks! Your question is #{q.number}"
            + (
                " (posted anonymously: mentors will not see your name on the card)."
                if q.anonymous
                else "."
            )
        ),
        text(
            "Topics I found: ",
            UserText(", ".join(q.topics))
            if q.topics
            else "none I recognise — a mentor will still see it.",
        ),
    ]
    if ranked:
        who_ = ", ".join(names.get(r.ref, r.ref.id) for r in ranked)
        parts.append(text("Suggested mentors: ", UserText(who_), "."))
    else:
        parts.append(
            text(
                "No mentor lists these topics yet; it's posted for everyone in the mentoring channel."
            )
        )
    if waited is not None:
        parts.append(
            text(f"Questions here are usually claimed in about {max(1, round(waited))} min.")
        )
    else:
        parts.append(text("You'll get a thread with your mentor as soon as someone claims it."))
    if similar:
        parts.append(text("Already answered, maybe useful meanwhile:"))
        parts.extend(similar_lines(similar))
    return ChatMessage(body=lines(parts))
