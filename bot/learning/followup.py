"""After a session: the thread offers [Save as FAQ] (and [Share summary] when a language model
suggests next steps); ``[followup] after_minutes`` later the asker gets "Next steps" — related
topics and resources from a `Suggester`, and FAQ entries — and, when they asked about the same
topic a third time lately, a proposal of a longer mentoring chat with a mentor of that topic.

The language model is asked before the deciding transaction opens (`prepare_next_steps`, run
by the nudge sweep), so a slow endpoint never holds a database lock."""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from bot.actors import load_question, names_for
from bot.domain import Nudge, NudgeKind, Question, QuestionState
from bot.events import QuestionResolved
from bot.learning.commands import ShareSummary
from bot.learning.faq_match import answered_before, faq_lines
from bot.learning.model import NextSteps, SuggestionRequest
from bot.learning.suggestions import configured_suggester, suggest_next_steps
from bot.messagebus import Context, MessageBus, Refusal
from bot.messages import Bold, ChatMessage, Jump, Link, Text, UserText, lines, text
from bot.nudges.quiet_hours import wait_for_working_hours
from bot.nudges.schedule import after_resolve_delay
from bot.ports import UnitOfWork
from bot.questions.cards import who
from bot.questions.ranking import rank_for

__all__ = [
    "prepare_next_steps",
    "schedule_next_steps",
    "send_next_steps",
    "share_summary",
    "summary_request",
]

Decide = Callable[[Context], Awaitable[None]]


async def schedule_next_steps(event: QuestionResolved, ctx: Context) -> None:
    """The next-steps nudge (the thread's rating prompts offer Save as FAQ and Share summary)."""
    q = await ctx.uow.questions.get(event.question_id)
    if q is None or not ctx.config.followup.enabled:
        return
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.NEXT_STEPS,
            workspace=q.workspace,
            question_id=q.pk,
            target=q.asker,
            due_at=ctx.clock.now() + after_resolve_delay(NudgeKind.NEXT_STEPS, ctx.config),
        )
    )


async def share_summary(cmd: ShareSummary, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if cmd.actor.user not in (q.asker, q.mentor):
        raise Refusal(f"Only the asker and the mentor of #{q.number} can share its summary.")
    if q.state is not QuestionState.RESOLVED:
        raise Refusal(f"#{q.number} isn't resolved yet; share its summary afterwards.")
    if configured_suggester(ctx.services) is None:
        # The button is offered only when a language model suggests the next steps: without
        # one, a summary would shape nothing, so nothing is recorded as agreed.
        raise Refusal(
            "There's nothing to share here: next steps in this workspace come from the built-in "
            "suggester, which reads only the question and its topics."
        )
    if not await ctx.uow.followups.share(q.pk, cmd.actor.user, ctx.clock.now()):
        raise Refusal(f"You've agreed to share the summary of #{q.number} already. Thanks!")
    both = set(await ctx.uow.followups.shared_by(q.pk)) >= {q.asker, q.mentor}
    # The mentor's short answer is their FAQ entry: the mentor hears of it as theirs to write.
    written = await ctx.uow.faq.for_question(q.pk) is not None
    if cmd.actor.user == q.mentor:
        answer = (
            "your short answer" if written else "your short answer (once you write it: Save as FAQ)"
        )
    else:
        answer = "the mentor's short answer" + ("" if written else " (once they write one)")
    ctx.reply(
        f"Thanks! On #{q.number}, {answer} will shape the next-step suggestions."
        if both
        else f"Noted. Once the {'asker' if cmd.actor.user == q.mentor else 'mentor'} of "
        f"#{q.number} agrees too, {answer} will shape the next-step suggestions."
    )


async def summary_request(uow: UnitOfWork, q: Question) -> SuggestionRequest:
    """What a suggester may see: the question, its topics, and the mentor's short answer (their
    FAQ entry) only when both people pressed Share summary. Never anything from the thread."""
    summary = None
    shared = set(await uow.followups.shared_by(q.pk))
    if q.mentor is not None and shared >= {q.asker, q.mentor}:
        entry = await uow.faq.for_question(q.pk)
        summary = entry.answer if entry is not None else None
    return SuggestionRequest(question=q.text, topics=q.topics, summary=summary)


async def prepare_next_steps(bus: MessageBus, nudge: Nudge, now: datetime) -> Decide:
    """Before the transaction: read the session (a read-only snapshot) and ask the suggester."""
    steps: NextSteps | None = None
    if nudge.question_id is not None:
        async with bus.uow_factory(read_only=True) as uow:
            q = await uow.questions.get(nudge.question_id)
            request = await summary_request(uow, q) if q is not None else None
        if q is not None and request is not None and q.state is QuestionState.RESOLVED:
            steps = await suggest_next_steps(request, services=bus.services, config=bus.config)

    async def decide(ctx: Context) -> None:
        await send_next_steps(ctx, nudge, now, steps=steps)

    return decide


async def send_next_steps(
    ctx: Context, nudge: Nudge, now: datetime, *, steps: NextSteps | None = None
) -> None:
    """The "Next steps" DM to the asker (`steps` from `prepare_next_steps`; else offline now)."""
    q = await ctx.uow.questions.get(nudge.question_id) if nudge.question_id else None
    if q is None or q.state is not QuestionState.RESOLVED:
        return
    await wait_for_working_hours(ctx, nudge, q.asker, now, triggered_at=q.resolve_pressed_at)
    if steps is None:
        request = await summary_request(ctx.uow, q)
        steps = await suggest_next_steps(request, services=ctx.services, config=ctx.config)
    faq = [
        e
        for e in await answered_before(ctx, q.workspace, q.text, q.topics)
        if e.question_id != q.pk
    ]
    parts: list[Text] = []
    if steps.topics:
        parts.append(text(Bold("Explore next: "), UserText(", ".join(steps.topics))))
    for r in steps.resources:
        label = text(UserText(r.title))
        if r.url:
            # A curated link is the bot's own; a model's is shown as text, never as a link.
            label = (
                text(Link(r.url, r.title))
                if steps.source == "offline"
                else text(UserText(f"{r.title} — {r.url}"))
            )
        parts.append(text("• ", label))
    if faq:
        parts += [text(Bold("Answered before:")), *faq_lines(faq)]
    longer = await _longer_chat(ctx, q)
    if longer is not None:
        parts.append(longer)
    if not parts:
        parts.append(
            text(
                "Write down in two lines what you learned — and next time, "
                "`/askmentor faq <words>` may already have it."
            )
        )
    head = text(Jump(q.thread, f"#{q.number}")) if q.thread else text(f"#{q.number}")
    topics = text(" · ", UserText(", ".join(q.topics))) if q.topics else text()
    ctx.outbox.dm(
        q.asker,
        ChatMessage(
            title=text(Bold("Next steps after "), head, topics),
            body=lines(parts),
            question_id=q.number,
        ),
    )


def _ordinal(n: int) -> str:
    return {2: "second", 3: "third", 4: "fourth", 5: "fifth"}.get(n, f"{n}th")


async def _longer_chat(ctx: Context, q: Question) -> Text | None:
    """The guard against quick fixes: the `repeat_count`-th question on one topic lately —
    counted up to and including this question (a later one, asked before these next steps went
    out, is not part of "this was your n-th"; one asked at the same instant counts only if its
    number is lower)."""
    cfg = ctx.config.followup
    since = q.created_at - timedelta(days=cfg.repeat_days)
    asked = await ctx.uow.followups.asked_topics(
        q.workspace, q.asker, since, up_to=(q.created_at, q.number)
    )
    counts = Counter(t for topics in asked for t in set(topics))
    repeated = [t for t in q.topics if counts[t] >= cfg.repeat_count]
    if not repeated:
        return None
    topic = repeated[0]
    mentor = q.mentor
    profile = await ctx.uow.mentors.get(mentor, q.workspace) if mentor is not None else None
    if profile is None or not profile.active or topic not in profile.skills:
        # Their mentor no longer mentors here (left, or was forgotten): someone who does.
        ranked = await rank_for(
            ctx, workspace=q.workspace, topics=[topic], exclude={q.asker}, limit=1
        )
        mentor = ranked[0].ref if ranked else None
    lead = text(
        f"This was your {_ordinal(counts[topic])} question about ",
        UserText(topic),
        " lately. Quick fixes only go so far: how about a longer mentoring chat? ",
    )
    if mentor is None:
        return lead + "Ask in the mentoring channel who'd take you on for a few sessions."
    names = await names_for(ctx, [mentor])
    return lead + text(
        who(mentor, names, mention=False),
        " mentors ",
        UserText(topic),
        ": ask them for a 30–45 minute session, or a few of them over the coming weeks.",
    )
