"""An FAQ that stays true: a mentor saves a resolved session's short answer ("Save as FAQ",
`faq <n> <text>`); entries are searched at ask time (one that matches closely holds the question
back as a draft, offered before any mentor is pinged; weaker ones are shown with the posted
question, "Answered before") and by `/askmentor faq <words>`; ``[faq] verify_days`` after it was
last verified whoever last wrote or confirmed the answer is asked "still accurate?" [Yes]
[Update] [Retire], and an entry left unverified ``hide_after_days`` more is hidden.

An entry's question is its own published text, copied from the session's question when it is
saved (retention leaves it, as it leaves the answer). The asker is told so privately and may
take their words out ([Take my words out]: the question then reads as its topics); forgetting
the asker does that for them, for an anonymous question too (erasure takes their words out,
even though the change may tell an admin who asked)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.actors import ensure_person, is_admin, load_question, require_workspace, workspace_of
from bot.commands import Actor
from bot.domain import Nudge, NudgeKind, QuestionState
from bot.learning.commands import (
    ConfirmFaq,
    RetireFaq,
    SaveFaq,
    SearchFaq,
    UnquoteFaq,
    UpdateFaq,
)
from bot.learning.faq_match import (
    SEARCH_SCORE,
    faq_lines,
    forget_visible,
    rank_faq,
    search_terms,
    visible_faq,
    words_removed,
)
from bot.learning.model import FaqEntry, FaqState, neutral_faq_question
from bot.messagebus import Context, Refusal
from bot.messages import Action, Bold, ChatMessage, Text, UserText, lines, shortened, text
from bot.nudges.quiet_hours import wait_for_working_hours
from bot.privacy.model import is_tombstone
from bot.recognition.badges import faq_answer_written
from bot.refs import UserRef

__all__ = [
    "MAX_ANSWER",
    "MIN_ANSWER",
    "answer_problem",
    "confirm_faq",
    "retire_faq",
    "save_faq",
    "search_faq",
    "unquote_faq",
    "update_faq",
    "verify_faq",
]

MIN_ANSWER = 10
MAX_ANSWER = 1000


def answer_problem(raw: str) -> str | None:
    """What to change in an FAQ answer as typed (spaces run together count once); None when
    it can be saved. Also told under a form's field, so plain text."""
    answer = " ".join(raw.split())
    if len(answer) < MIN_ANSWER:
        return (
            "Write the answer in a sentence or two, so the next person can use it "
            "without the thread."
        )
    if len(answer) > MAX_ANSWER:
        return f"Keep it short: at most {MAX_ANSWER} characters (yours has {len(answer)})."
    return None


def _clean_answer(raw: str) -> str:
    problem = answer_problem(raw)
    if problem is not None:
        raise Refusal(problem)
    return " ".join(raw.split())


async def _schedule_check(ctx: Context, entry: FaqEntry, writer: Actor) -> None:
    """One pending check per entry: a new one (saved again, confirmed) replaces the one due. It
    goes to `writer`, who last wrote or confirmed the answer (the author, or an admin who
    changed it): they vouched for it, so they are asked. Someone other than the author is
    stored as a person: `verify_faq` then tells whether they left."""
    if writer.user != entry.author:
        await ensure_person(ctx, writer)
    await ctx.uow.nudges.cancel_subject(NudgeKind.FAQ_VERIFY, entry.number)
    await ctx.uow.nudges.add(
        Nudge(
            kind=NudgeKind.FAQ_VERIFY,
            workspace=entry.workspace,
            target=writer.user,
            step=entry.number,
            subject_id=entry.number,
            due_at=entry.verified_at + timedelta(days=ctx.config.faq.verify_days),
        )
    )


async def save_faq(cmd: SaveFaq, ctx: Context) -> None:
    """The mentor (or an admin) saves a resolved question's short answer; saving again updates it."""
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    actor = cmd.actor
    if q.state.is_final and q.state is not QuestionState.RESOLVED:
        raise Refusal(
            f"#{q.number} closed without being resolved, so there's no answer to save as an "
            "FAQ entry."
        )
    not_yet = (
        f"#{q.number} isn't resolved yet: save it as an FAQ entry once the session is resolved."
    )
    # Before it is claimed nobody is its mentor yet: whoever will be is told when to save it.
    if q.state is not QuestionState.RESOLVED and q.mentor is None:
        raise Refusal(not_yet)
    if actor.user != q.mentor and not is_admin(actor, ctx.config):
        raise Refusal(f"Only the mentor of #{q.number} (or an admin) can save it as an FAQ entry.")
    if q.state is not QuestionState.RESOLVED:
        raise Refusal(not_yet)
    now = ctx.clock.now()
    entry = await ctx.uow.faq.for_question(q.pk)
    if entry is not None and entry.author != actor.user and not is_admin(actor, ctx.config):
        raise Refusal(f"#{q.number} is FAQ {entry.number} already, written by someone else.")
    explicit, typed = cmd.replace, cmd.answer
    if entry is not None:
        word, _, rest = " ".join(typed.split()).partition(" ")
        if word.lower().rstrip(":") == "update" and rest:
            explicit, typed = True, rest
    answer = _clean_answer(typed)
    # A retired entry's answer is no one's to keep: writing one brings it back.
    retired = entry is not None and entry.state is not FaqState.ACTIVE
    if entry is not None and not explicit and not retired and answer != entry.answer:
        # `faq <n>` names a question, and FAQ entries have numbers of their own: a number
        # mixed up must not put an unrelated answer in place of one people rely on.
        raise Refusal(
            text(
                f"Question #{q.number} has an FAQ answer already (FAQ {entry.number}): “",
                UserText(shortened(entry.answer, 200)),
                f"”. Nothing changed. To replace it, start the new answer with the word "
                f"`update`: `faq {q.number} update <the new answer>`.",
            )
        )
    if entry is None:
        entry = await ctx.uow.faq.add(
            FaqEntry(
                workspace=q.workspace,
                question_id=q.pk,
                author=actor.user,
                question=q.text,
                answer=answer,
                created_at=now,
                verified_at=now,
                topics=q.topics,
            )
        )
        said = (
            f"Saved as FAQ {entry.number}: people asking something like #{q.number} see it first."
        )
        if q.asker != actor.user and not words_removed(q.text):
            _tell_asker(ctx, entry, q.asker, q.number)
    else:
        entry.answer, entry.updated_at, entry.verified_at = answer, now, now
        entry.state = FaqState.ACTIVE
        await ctx.uow.faq.update(entry)
        if entry.author != actor.user:
            await _tell_author(ctx, entry, actor, "updated", answer)
        said = (
            f"FAQ {entry.number} is updated and back in use: people asking something like "
            f"#{q.number} see it first again."
            if retired
            else f"FAQ {entry.number} is updated."
        )
    await _schedule_check(ctx, entry, actor)
    forget_visible(ctx, q.workspace)
    # Its author may earn the FAQ author badge (stored once: an update gives nothing more).
    await faq_answer_written(ctx, entry.author, q.workspace, writer=actor)
    days = ctx.config.faq.verify_days
    ctx.reply(f"{said} In {days} days I'll ask you whether it's still accurate.")


def _tell_asker(ctx: Context, entry: FaqEntry, asker: UserRef, number: int) -> None:
    """The asker hears, privately, that their question's words are now the FAQ's question
    (shown to anyone the entry is offered to), and how to take them out. The mentor is not told
    of this message: an anonymous asker stays anonymous."""
    ctx.outbox.dm(
        asker,
        ChatMessage(
            body=lines(
                [
                    text(
                        f"Your question #{number} was saved as FAQ {entry.number}, so people "
                        "asking something like it see its answer first. Its question is shown "
                        "with it, in your words (never your name):"
                    ),
                    text("“", UserText(shortened(entry.question, 300)), "”"),
                    text(
                        "Rather not? Take your words out and it reads “",
                        UserText(neutral_faq_question(entry.topics)),
                        "” instead.",
                    ),
                ]
            ),
            actions=(
                Action(
                    "faqunquote", entry.number, "Take my words out", "default", entry.workspace.id
                ),
            ),
        ),
    )


async def _tell_author(ctx: Context, entry: FaqEntry, actor: Actor, did: str, answer: str) -> None:
    """The author of an entry someone else (an admin) changed hears what was done to it, and
    that the accuracy checks now go to whoever changed it. A forgotten author is told nothing:
    the entry's author is then a tombstone with no person behind it."""
    if is_tombstone(entry.author):
        return
    said: list[Text] = [
        text(UserText(actor.name or "An admin"), f" {did} your answer in FAQ {entry.number}.")
    ]
    if answer:
        said += [
            text("It now reads: “", UserText(shortened(answer, 600)), "”"),
            text("From now on I'll ask them, not you, whether it's still accurate."),
        ]
    ctx.outbox.dm(entry.author, ChatMessage(body=lines(said)))


async def unquote_faq(cmd: UnquoteFaq, ctx: Context) -> None:
    """[Take my words out]: the asker of an entry's question puts it in neutral words."""
    entry = await ctx.uow.faq.get(cmd.entry_id)
    q = None if entry is None else await ctx.uow.questions.get(entry.question_id)
    if entry is None or q is None or q.asker != cmd.actor.user:
        raise Refusal(f"FAQ {cmd.entry_id} isn't from a question of yours.")
    neutral = neutral_faq_question(entry.topics)
    if entry.question != neutral:
        entry.question = neutral
        await ctx.uow.faq.update(entry)
        forget_visible(ctx, entry.workspace)
    ctx.reply(
        text(
            f"Done: FAQ {entry.number}'s question now reads “",
            UserText(neutral),
            "”. Your words are not shown with it any more.",
        )
    )


async def search_faq(cmd: SearchFaq, ctx: Context) -> None:
    ws = await require_workspace(ctx, cmd.actor)
    words = " ".join(cmd.words.split())
    if not search_terms(words):
        raise Refusal("Search the FAQ with a few words, e.g. `/askmentor faq pandas groupby`.")
    found = rank_faq(await visible_faq(ctx, ws.ref), words, limit=5, min_score=SEARCH_SCORE)
    if not found:
        ctx.reply(
            text(
                "Nothing in the FAQ matches “",
                UserText(shortened(words, 80)),
                "”. Ask a mentor with `/askmentor <question>`.",
            )
        )
        return
    ctx.reply(
        ChatMessage(
            title=text(Bold("From the FAQ"), " (“", UserText(shortened(words, 80)), "”)"),
            body=lines(faq_lines(found, answer_chars=600)),
        )
    )


async def _entry_for(ctx: Context, entry_id: int, actor: Actor) -> FaqEntry:
    entry = await ctx.uow.faq.get(entry_id)
    if entry is None or entry.workspace != actor.workspace:
        raise Refusal(f"There is no FAQ {entry_id}.")
    if entry.author != actor.user and not is_admin(actor, ctx.config):
        raise Refusal(f"Only the author of FAQ {entry.number} (or an admin) can change it.")
    return entry


async def confirm_faq(cmd: ConfirmFaq, ctx: Context) -> None:
    entry = await _entry_for(ctx, cmd.entry_id, cmd.actor)
    if entry.state is FaqState.RETIRED:
        raise Refusal(
            f"FAQ {entry.number} is retired, so there's nothing to confirm. To bring it back, "
            "press Update and write its answer again."
        )
    entry.verified_at = ctx.clock.now()
    await ctx.uow.faq.update(entry)
    await _schedule_check(ctx, entry, cmd.actor)
    forget_visible(ctx, entry.workspace)
    days = ctx.config.faq.verify_days
    ctx.reply(f"Thanks! FAQ {entry.number} stays up; I'll check with you again in {days} days.")


async def update_faq(cmd: UpdateFaq, ctx: Context) -> None:
    """[Update] where no form opens: say how to write the new answer."""
    entry = await _entry_for(ctx, cmd.entry_id, cmd.actor)
    q = await ctx.uow.questions.get(entry.question_id)
    if q is None:
        raise Refusal(f"The question of FAQ {entry.number} is gone; retire the entry instead.")
    # One numbering in what to type: `faq` takes the question's number, never the entry's.
    ctx.reply(
        f"FAQ {entry.number} answers question #{q.number}. Write its new answer as a line "
        f"with the question's number: `faq {q.number} update <the new answer>`."
    )


async def retire_faq(cmd: RetireFaq, ctx: Context) -> None:
    entry = await _entry_for(ctx, cmd.entry_id, cmd.actor)
    if entry.state is FaqState.RETIRED:
        raise Refusal(f"FAQ {entry.number} is retired already.")
    entry.state = FaqState.RETIRED
    entry.updated_at = ctx.clock.now()
    await ctx.uow.faq.update(entry)
    await ctx.uow.nudges.cancel_subject(NudgeKind.FAQ_VERIFY, entry.number)
    forget_visible(ctx, entry.workspace)
    if entry.author != cmd.actor.user:
        await _tell_author(ctx, entry, cmd.actor, "retired", "")
    ctx.reply(f"FAQ {entry.number} is retired and no longer shown. Thanks for keeping it true!")


async def verify_faq(ctx: Context, nudge: Nudge, now: datetime) -> None:
    """The "still accurate?" nudge, unless the entry was verified (or retired) meanwhile."""
    entry = await ctx.uow.faq.get(nudge.step)
    if entry is None or entry.state is not FaqState.ACTIVE or nudge.target is None:
        return
    cfg = ctx.config.faq
    if entry.verified_at + timedelta(days=cfg.verify_days) > now:
        return  # verified again since this was scheduled: a later check is due
    n = entry.number
    q = await ctx.uow.questions.get(entry.question_id)
    asked = f" (from question #{q.number})" if q is not None else ""
    # Who last wrote or confirmed the answer is asked (`_schedule_check`). An author who left
    # mentoring, or anyone who left or was forgotten, is asked nothing any more: the admins
    # keep the entry true instead, in their channel (they may confirm, update or retire it).
    if nudge.target == entry.author:
        author = await ctx.uow.mentors.get(nudge.target, entry.workspace)
        gone = author is None or not author.active
    else:
        person = await ctx.uow.people.get(nudge.target)
        gone = person is None or person.left_at is not None
    admins, who = None, "its author no longer mentors here"
    if nudge.target != entry.author:
        who = "whoever did so is no longer here"
    if gone:
        admins = await workspace_of(ctx, entry.workspace)
    if admins is None:
        await wait_for_working_hours(ctx, nudge, nudge.target, now)
    ws = entry.workspace.id  # sent by DM: the buttons name their workspace
    # What last vouched for the answer: writing it, an update, or a confirmation.
    if entry.updated_at == entry.verified_at:
        done, was_done = "last updated it", "was last updated"
    elif entry.verified_at == entry.created_at:
        done, was_done = "wrote it", "was written"
    else:
        done, was_done = "last confirmed it", "was last confirmed"
    ask = (
        f"Is FAQ {n} still accurate? You {done} {cfg.verify_days}+ days ago{asked}."
        if admins is None
        else f"Is FAQ {n} still accurate? It {was_done} {cfg.verify_days}+ days ago{asked}, and "
        f"{who} — could an admin check it?"
    )
    message = ChatMessage(
        body=lines(
            [
                text(ask),
                *faq_lines([entry], answer_chars=600),
                text(
                    f"If nobody confirms it within {cfg.hide_after_days} days it is hidden "
                    "until someone does."
                ),
            ]
        ),
        actions=(
            Action("faqok", n, "Yes, still accurate", "primary", ws),
            Action("faqupdate", n, "Update", "default", ws),
            Action("faqretire", n, "Retire", "danger", ws),
        ),
    )
    if admins is None:
        ctx.outbox.dm(nudge.target, message)
    else:
        ctx.outbox.post(admins.admin_channel, message)
