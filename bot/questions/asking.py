"""Asking: validate the question, find topics and mentors, store it, tell the asker what next."""

from __future__ import annotations

import statistics
from collections.abc import Collection, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from rapidfuzz import fuzz

from bot.actors import ensure_person, names_for, require_workspace
from bot.commands import AskQuestion
from bot.config import AskSection
from bot.domain import Question, QuestionState
from bot.events import QuestionAsked
from bot.hygiene import has_visible_text, strip_invisible
from bot.learning.drafts import STILL_HELD, hold_as_draft, retire_waiting
from bot.learning.faq_match import FaqMatch, faq_lines, match_faq
from bot.learning.model import FaqEntry
from bot.matching import RankedMentor, Reading
from bot.matching.perspectives import STAGES
from bot.messagebus import Context, Refusal
from bot.messages import Action, ChatMessage, Text, UserText, When, lines, text, when
from bot.questions.cards import similar_lines
from bot.questions.ranking import (
    away_for,
    back_at_work,
    mentor_at_work,
    perspective_of,
    rank_for,
    read_question,
)
from bot.questions.topic_choice import topic_buttons
from bot.refs import UserRef, WorkspaceRef
from bot.wording import duration_text

__all__ = [
    "ask_question",
    "clean_question",
    "question_problem",
    "similar_resolved",
    "validate_question",
]


def validate_question(raw: str, ctx: Context) -> str:
    """The cleaned question, or a :class:`Refusal` saying exactly what to change."""
    problem = question_problem(raw, ctx.config.ask)
    if problem is not None:
        raise Refusal(problem)
    return clean_question(raw)


def clean_question(raw: str) -> str:
    return " ".join(strip_invisible(raw).split())


def question_problem(raw: str, cfg: AskSection, *, in_form: bool = False) -> str | None:
    """What to change for the question to be asked, or None (a form says it without the
    command's example, under the field)."""
    cleaned = clean_question(raw)
    if not cleaned or not has_visible_text(cleaned):
        if in_form:
            return "Please write your question."
        return (
            "Please write your question after the command, e.g. "
            "`/askmentor How do I speed up a slow SQL query with a JOIN? I tried an index on ...`"
        )
    if len(cleaned) > cfg.max_length:
        return (
            f"Your question is {len(cleaned)} characters; the limit is {cfg.max_length}. "
            "Please shorten it to the essentials — a mentor can ask for details in the thread."
        )
    if len(cleaned) < cfg.min_length or len(cleaned.split()) < cfg.min_words:
        if in_form:
            return (
                "That's a bit short for a mentor to help with. Add a sentence on what you're "
                "trying to do, what you tried and what you expected."
            )
        return (
            "That's a bit short for a mentor to help with. Add a sentence on what you're trying "
            "to do, what you tried and what you expected, e.g. "
            "`/askmentor How do I group a pandas DataFrame by two columns? groupby on one works.`"
        )
    return None


async def _median_minutes_to_claim(ctx: Context, workspace: WorkspaceRef) -> float | None:
    """From real data: the median wait of the latest claims in the last 30 days."""
    now = ctx.clock.now()

    async def load() -> float | None:
        reads = await ctx.reads()
        waits = await reads.questions.recent_claim_waits(
            workspace, since=now - timedelta(days=30), limit=200
        )
        return statistics.median(waits) if waits else None

    median: float | None = await ctx.services.figures.get(
        ("claim_wait", workspace), load, now=ctx.clock.now()
    )
    return median


def _about(minutes: float) -> str:
    said = duration_text(minutes)
    return said if said == "under a minute" else f"about {said}"


async def ask_question(cmd: AskQuestion, ctx: Context) -> None:
    actor = cmd.actor
    body = validate_question(cmd.text, ctx)
    if cmd.anonymous and not ctx.config.ask.allow_anonymous:
        raise Refusal("Anonymous questions are switched off here; ask without `--anonymous`.")
    if cmd.stage is not None and cmd.stage not in STAGES:
        raise Refusal(f"Ask for a career stage as one of: {', '.join('--' + s for s in STAGES)}.")
    # Everything that only reads comes first, from the read snapshot; the decision itself (the
    # person, the question, its card and nudges) is a short write at the end.
    ws = await require_workspace(ctx, actor)
    now = ctx.clock.now()
    await _within_limits(ctx, actor.user, body, ws.ref)
    kept_anonymous = False
    if not (cmd.anonymous or cmd.coached) and cmd.draft_id is None:
        # Asked again after an anonymous draft (sent back by Edit, or simply retyped) without
        # `--anonymous`: a forgotten flag must not put their name on the card. A form carries
        # the draft's own choice (`draft_id`), so only typed questions are kept anonymous.
        waiting = await ctx.uow.drafts.pending(ws.ref, actor.user)
        recent = [d for d in waiting if d.created_at >= now - STILL_HELD]
        if ctx.config.ask.allow_anonymous and any(d.anonymous for d in recent):
            cmd = replace(cmd, anonymous=True)
            kept_anonymous = True
    reading = await read_question(ctx, ws.ref, body)
    topics = list(reading.topics)
    faq = await match_faq(ctx, ws.ref, body, topics)  # once: for holding it and for showing
    if await hold_as_draft(cmd, body, topics, ws, ctx, faq=faq):
        return
    ranked = await rank_for(
        ctx,
        workspace=ws.ref,
        topics=topics,
        exclude={actor.user},
        limit=ctx.config.matching.suggest,
        seed=body,
        text=body,
        reading=reading,
        asker=perspective_of(actor.user, anonymous=cmd.anonymous),
        stage=cmd.stage,
    )
    draft = Question(
        workspace=ws.ref,
        asker=actor.user,
        text=body,
        created_at=now,
        anonymous=cmd.anonymous,
        topics=tuple(topics),
        suggested=tuple(r.ref for r in ranked),
        wanted_stage=cmd.stage,
        mentor_at_work=await mentor_at_work(ctx, ws.ref),
    )
    if draft.anonymous:  # the card names nobody: the suggested mentors are told by DM
        draft.notified = draft.suggested
    names = await names_for(ctx, draft.suggested)
    names[actor.user] = actor.name
    similar = await similar_resolved(ctx, draft, covered={e.question_id for e in faq.shown})
    waited = await _median_minutes_to_claim(ctx, ws.ref)
    away = [] if ranked else await away_for(ctx, workspace=ws.ref, topics=topics, asker=actor.user)
    away_back = await _first_back(ctx, ws.ref, away)
    only_you = False
    if not ranked and not away and topics:
        # A mentor asking about their own topic, with nobody else for it: "no mentor lists
        # these topics" would not be true for them.
        profile = await ctx.uow.mentors.get(actor.user, ws.ref)
        mine = {s.lower() for s in profile.skills} if profile and profile.active else set()
        only_you = bool(mine & {t.lower() for t in topics})
    back = await back_at_work(
        ctx,
        workspace=ws.ref,
        mentors=draft.suggested,
        names=names,
        tz=(actor.timezone, ws.timezone),
    )
    await ensure_person(ctx, actor)
    await ctx.close_reads()  # nothing more to read: let its connection go before writing
    await retire_waiting(ctx, ws.ref, actor.user)  # the question asked now is the one meant
    q = await ctx.uow.questions.add(draft)
    await ctx.uow.rate_events.record(ws.ref, actor.user, "ask", now)
    ctx.reply(
        _confirmation(
            q,
            ranked,
            names,
            similar,
            waited,
            reading,
            ctx,
            _not_seen(faq, posted_from_draft=cmd.coached),
            away=away,
            away_back=when(away_back, ws.timezone, with_date=True) if away_back else None,
            back=back,
            only_you=only_you,
            kept_anonymous=kept_anonymous,
        )
    )
    ctx.emit(QuestionAsked(q.pk))


# A pause longer than this is "until you resume" (`/mentor pause` with no duration pauses for ten
# years): no known return. The profile card tells the two apart the same way.
_UNTIL_RESUMED = timedelta(days=1825)


async def _first_back(
    ctx: Context, workspace: WorkspaceRef, away: Sequence[UserRef]
) -> datetime | None:
    """When the first of the paused mentors `away` is back, if every one of them is paused until
    a known time; None when one paused until they resume (nobody can say when)."""
    if not away:
        return None
    now = ctx.clock.now()
    roster = await ctx.services.roster.snapshot(await ctx.reads(), workspace)
    wanted = set(away)
    until = [p.paused_until for p in roster.profiles if p.ref in wanted]
    if not until or any(u is None or u - now > _UNTIL_RESUMED for u in until):
        return None
    return min(u for u in until if u is not None)


async def _within_limits(ctx: Context, asker: UserRef, body: str, ws: WorkspaceRef) -> None:
    """Refuse a burst of asks, or the same question again while the first is still running."""
    limits = ctx.config.limits
    reads = await ctx.reads()
    if limits.duplicate_similarity:
        mine = [
            q
            for q in await reads.questions.open_for(asker)
            if q.asker == asker and q.workspace == ws
        ]
        wanted = limits.duplicate_similarity
        for q in mine:
            if fuzz.token_sort_ratio(q.text.lower(), body.lower()) >= wanted:
                where = (
                    "it's in a session now — add to it in the thread"
                    if q.state is QuestionState.CLAIMED
                    else "it's still waiting for a mentor"
                )
                raise Refusal(
                    f"You already asked this as #{q.number} ({where}), so I haven't posted it "
                    f"again. To change it, cancel it with `/askmentor cancel {q.number}` and ask "
                    "anew."
                )
    if limits.asks:
        window = timedelta(minutes=limits.ask_window_minutes)
        asked = await reads.rate_events.count_since(ws, asker, "ask", ctx.clock.now() - window)
        if asked >= limits.asks:
            raise Refusal(
                f"You've asked {asked} questions in the last {limits.ask_window_minutes} minutes, "
                "the most one person can here. Nothing was posted; please try again in a few "
                "minutes (mentors are still working through the others)."
            )


async def similar_resolved(
    ctx: Context, q: Question, *, covered: Collection[int] = ()
) -> list[Question]:
    """Resolved questions like `q` (knowledge reuse), best first. Someone else's anonymous
    question is never one of them: its text was personal enough to hide a name, and its
    thread is private to its asker and mentor (a link the reader could not open). Questions
    in `covered` (the ids of those an FAQ entry shown alongside was saved from) are left out:
    the reader would see the same answer twice."""
    wanted = ctx.config.ask.similar_shown
    if not wanted:
        return []
    # Each workspace has its own index; a hit may have changed state since it was indexed.
    hits = ctx.services.similar.of(q.workspace).search(q.text, q.topics, limit=wanted * 2)
    found: list[Question] = []
    reads = await ctx.reads()
    # One look-up for every hit (the index may offer twice as many as are shown).
    known = await reads.questions.get_many([hit.question_id for hit in hits]) if hits else {}
    for hit in hits:
        other = known.get(hit.question_id)
        if (
            other is not None
            and other.workspace == q.workspace
            and other.state is QuestionState.RESOLVED
            and other.id != q.id
            and other.pk not in covered
            and (not other.anonymous or other.asker == q.asker)
        ):
            found.append(other)
            if len(found) == wanted:
                break
    return found


def _not_seen(faq: FaqMatch, *, posted_from_draft: bool) -> list[FaqEntry]:
    """The "Answered before" entries to list with the posted question: none the asker was just
    shown on the draft they posted it from ([Post as is], [Post my question anyway]), where the
    question was offered its entries the same way (`FaqMatch.on_draft`)."""
    seen = {e.number for e in faq.on_draft} if posted_from_draft else set()
    return [e for e in faq.shown if e.number not in seen]


def _stage_line(wanted: str, ranked: list[RankedMentor], names: dict[UserRef, str]) -> Text:
    """What the asker hears about the career stage they asked for: whether the suggested
    mentors are at it (or beyond), as far as their profiles say. The ``stage`` factor is
    positive exactly for a mentor at the stage asked for or above it; a mentor who gave no
    stage, or an earlier one, is not counted as one."""
    asked = f"You asked to hear from someone at the {wanted} career stage or beyond"
    at_stage = [r for r in ranked if r.factors.get("stage", 0.0) > 0]
    if len(at_stage) == len(ranked):
        return text(f"{asked}; I suggest such mentors first.")
    if not at_stage:
        if len(ranked) == 1:
            return text(
                f"{asked}, but the mentor suggested hasn't given that stage or beyond in their "
                "profile, so this is the best fit of any stage:"
            )
        return text(
            f"{asked}, but none of the mentors suggested has given that stage or beyond in "
            "their profile, so these are the best fits of any stage:"
        )
    who = ", ".join(names.get(r.ref, r.ref.id) for r in at_stage)
    return text(
        f"{asked}; of the mentors suggested, only ",
        UserText(who),
        " "
        + ("is" if len(at_stage) == 1 else "are")
        + " — the others are good fits at an earlier stage or one they haven't given.",
    )


def _confirmation(
    q: Question,
    ranked: list[RankedMentor],
    names: dict[UserRef, str],
    similar: list[Question],
    waited: float | None,
    reading: Reading,
    ctx: Context,
    faq: list[FaqEntry],
    *,
    away: Sequence[UserRef] = (),
    away_back: When | None = None,
    back: Text | None = None,
    only_you: bool = False,
    kept_anonymous: bool = False,
) -> ChatMessage:
    parts: list[Text] = [
        text(
            f"Thanks! Your question is #{q.number}"
            + (
                " (posted anonymously: mentors will not see your name on the card)."
                if q.anonymous
                else "."
            )
            + (
                " It replaces your anonymous draft, so it stays anonymous; to ask under your "
                f"name instead, cancel it with `/askmentor cancel {q.number}` and ask again."
                if kept_anonymous
                else ""
            )
        ),
        text(
            "Topics I found: ",
            UserText(", ".join(q.topics))
            if q.topics
            else "none I'm sure of — a mentor will still see it.",
        ),
    ]
    if q.wanted_stage and ranked:  # with nobody suggested, there is nobody to put first
        parts.append(_stage_line(q.wanted_stage, ranked, names))
    if ranked:
        who_ = ", ".join(names.get(r.ref, r.ref.id) for r in ranked)
        parts.append(text("Suggested mentors: ", UserText(who_), "."))
        if back is not None:  # none of them is at work now: when the first one is
            parts.append(back)
    elif not q.topics:
        parts.append(text("It's posted for every mentor in the mentoring channel."))
    elif only_you:
        parts.append(
            text(
                "You're the only mentor who lists these topics; it's posted for every mentor in "
                "the mentoring channel."
            )
        )
    elif away:
        # No names here: the asker learns when help is back, not who is away.
        one = len(away) == 1
        parts.append(
            text(
                "The mentor for these topics is away right now"
                if one
                else "The mentors for these topics are away right now",
                *(
                    (" (back " if one else " (the first is back ", away_back, ")")
                    if away_back is not None
                    else ()
                ),
                "; it's posted for every mentor in the mentoring channel meanwhile.",
            )
        )
    else:
        parts.append(
            text(
                "No mentor lists these topics yet; it's posted for every mentor in the mentoring "
                "channel."
            )
        )
    # How soon questions are usually claimed says nothing about one no mentor fits, nor about
    # one whose mentors are all off work until later (`back` says when).
    if waited is not None and ranked and back is None:
        parts.append(text(f"Questions here are usually claimed in {_about(waited)}."))
    else:
        parts.append(text("You'll get a thread with your mentor as soon as someone claims it."))
    if faq:
        parts.append(text("Answered before:"))
        parts.extend(faq_lines(faq))
    if similar:
        parts.append(text("Already answered, maybe useful meanwhile:"))
        parts.extend(similar_lines(similar))
    parts.append(text(f"Sorted it out yourself? Cancel with `/askmentor cancel {q.number}`."))
    cancel = Action("cancel", q.number, "Cancel my question", "danger", q.workspace.id)
    if reading.unsure and reading.choices and ctx.config.matching.ask_when_unsure:
        ask, actions = topic_buttons(q, reading)
        parts.insert(-1, ask)
        return ChatMessage(body=lines(parts), actions=(*actions, cancel), question_id=q.number)
    return ChatMessage(body=lines(parts), actions=(cancel,), question_id=q.number)
