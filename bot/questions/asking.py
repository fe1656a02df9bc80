"""Asking: validate the question, find topics and mentors, store it, tell the asker what next."""

from __future__ import annotations

import statistics
from datetime import timedelta

from bot.actors import ensure_person, names_for, require_workspace
from bot.commands import AskQuestion
from bot.domain import Question, QuestionState
from bot.events import QuestionAsked
from bot.matching import RankedMentor, Reading
from bot.messagebus import Context, Refusal
from bot.messages import ChatMessage, Text, UserText, lines, text
from bot.questions.cards import similar_lines
from bot.questions.ranking import rank_for, read_question
from bot.questions.topic_choice import topic_buttons
from bot.refs import UserRef, WorkspaceRef

__all__ = ["ask_question", "similar_resolved", "validate_question"]


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


async def _median_minutes_to_claim(ctx: Context, workspace: WorkspaceRef) -> float | None:
    """From real data: the median wait of the latest claims in the last 30 days."""
    now = ctx.clock.now()

    async def load() -> float | None:
        reads = await ctx.reads()
        waits = await reads.questions.recent_claim_waits(
            workspace, since=now - timedelta(days=30), limit=200
        )
        return statistics.median(waits) if waits else None

    median: float | None = await ctx.services.figures.get(("claim_wait", workspace), load)
    return median


async def ask_question(cmd: AskQuestion, ctx: Context) -> None:
    actor = cmd.actor
    body = validate_question(cmd.text, ctx)
    if cmd.anonymous and not ctx.config.ask.allow_anonymous:
        raise Refusal("Anonymous questions are switched off here; ask without `--anonymous`.")
    # Everything that only reads comes first, from the read snapshot; the decision itself (the
    # person, the question, its card and nudges) is a short write at the end.
    ws = await require_workspace(ctx, actor)
    now = ctx.clock.now()
    reading = await read_question(ctx, ws.ref, body)
    topics = list(reading.topics)
    ranked = await rank_for(
        ctx,
        workspace=ws.ref,
        topics=topics,
        exclude={actor.user},
        limit=ctx.config.matching.suggest,
        seed=body,
        text=body,
        reading=reading,
    )
    draft = Question(
        workspace=ws.ref,
        asker=actor.user,
        text=body,
        created_at=now,
        anonymous=cmd.anonymous,
        topics=tuple(topics),
        suggested=tuple(r.ref for r in ranked),
    )
    names = await names_for(ctx, draft.suggested)
    names[actor.user] = actor.name
    similar = await similar_resolved(ctx, draft)
    waited = await _median_minutes_to_claim(ctx, ws.ref)
    await ensure_person(ctx, actor)
    await ctx.close_reads()  # nothing more to read: let its connection go before writing
    q = await ctx.uow.questions.add(draft)
    ctx.reply(_confirmation(q, ranked, names, similar, waited, reading, ctx))
    ctx.emit(QuestionAsked(q.number))


async def similar_resolved(ctx: Context, q: Question) -> list[Question]:
    """Resolved questions like `q` (knowledge reuse), best first."""
    hits = ctx.services.similar.search(q.text, q.topics, limit=ctx.config.ask.similar_shown)
    found: list[Question] = []
    for hit in hits:
        other = await (await ctx.reads()).questions.get(hit.question_id)
        if other is not None and other.state is QuestionState.RESOLVED and other.id != q.id:
            found.append(other)
    return found


def _confirmation(
    q: Question,
    ranked: list[RankedMentor],
    names: dict[UserRef, str],
    similar: list[Question],
    waited: float | None,
    reading: Reading,
    ctx: Context,
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
            else "none I'm sure of — a mentor will still see it.",
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
    if reading.unsure and reading.choices and ctx.config.matching.ask_when_unsure:
        ask, actions = topic_buttons(q, reading)
        parts.append(ask)
        return ChatMessage(body=lines(parts), actions=actions)
    return ChatMessage(body=lines(parts))
