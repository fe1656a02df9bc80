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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from rapidfuzz import fuzz

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
from bot.learning.model import FaqEntry, FaqState, neutral_faq_question
from bot.messagebus import Context, Refusal
from bot.messages import Action, Bold, ChatMessage, Text, UserText, lines, text
from bot.nudges.quiet_hours import wait_for_working_hours
from bot.recognition.badges import faq_answer_written
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "FaqMatch",
    "answered_before",
    "confirm_faq",
    "faq_lines",
    "match_faq",
    "rank_faq",
    "retire_faq",
    "save_faq",
    "search_faq",
    "unquote_faq",
    "update_faq",
    "verify_faq",
    "visible_faq",
]

MIN_ANSWER = 10
MAX_ANSWER = 1000
_WORDS = re.compile(r"[a-z0-9][a-z0-9+#]*")
_IGNORE = frozenset(
    """a an and are as at be by can do does for from how i in is it me my of on or our should
    the to we what when where which who why with you your faq please help""".split()
)
_AT_ASK = 55.0  # an entry must score this much to be shown when someone asks
# ...and this much to hold the question back, offering the entry before any mentor is pinged.
# Measured on the console's pandas examples: rewordings of an entry's question score 76-92, a
# different question on the same topic 45-71 (a pivot against a groupby entry: 70.6).
_HOLD = 75.0
_SEARCH = 30.0  # ...and this much for `/askmentor faq <words>`


def _terms(s: str) -> set[str]:
    """Lower-case words without filler; a trailing plural "s" dropped, so "columns" meets "column"."""
    out: set[str] = set()
    for w in _WORDS.findall(s.lower()):
        if w in _IGNORE or len(w) < 2:
            continue
        out.add(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w)
    return out


def rank_faq(
    entries: Sequence[FaqEntry],
    query: str,
    topics: Sequence[str] = (),
    *,
    limit: int,
    min_score: float,
) -> list[FaqEntry]:
    """The entries most like `query`, best first (`_scored`)."""
    return [e for _, e in _scored(entries, query, topics, limit=limit, min_score=min_score)]


def _scored(
    entries: Sequence[FaqEntry],
    query: str,
    topics: Sequence[str],
    *,
    limit: int,
    min_score: float,
) -> list[tuple[float, FaqEntry]]:
    """The entries most like `query` with their scores (0–100: half the share of its words and
    topics an entry holds, topics counting double; half fuzzy similarity with the entry's
    question), best first."""
    wanted = _terms(query)
    wanted_topics = set(topics)
    if not (wanted or wanted_topics) or limit <= 0:
        return []
    total = len(wanted) + 2 * len(wanted_topics)
    scored: list[tuple[float, int, FaqEntry]] = []
    for e in entries:
        held = _terms(f"{e.question} {e.answer} {' '.join(e.topics)}")
        hits = len(wanted & held) + 2 * len(wanted_topics & set(e.topics))
        if not hits:
            continue
        cover = 100.0 * hits / total
        similar = fuzz.token_set_ratio(" ".join(sorted(wanted)), " ".join(sorted(_asked(e))))
        score = 0.5 * cover + 0.5 * similar
        if score >= min_score:
            scored.append((score, e.number, e))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    return [(score, e) for score, _, e in scored[:limit]]


def _asked(e: FaqEntry) -> set[str]:
    """What an entry is about, to compare a question with: its question, or its answer once the
    asker's words were taken out (its question then says no more than its topics)."""
    neutral = _removed(e.question) or e.question == neutral_faq_question(e.topics)
    return _terms(e.answer if neutral else e.question)


def _cutoff(ctx: Context) -> datetime:
    cfg = ctx.config.faq
    return ctx.clock.now() - timedelta(days=cfg.verify_days + cfg.hide_after_days)


async def visible_faq(ctx: Context, workspace: WorkspaceRef) -> list[FaqEntry]:
    """The workspace's shown entries (kept a few seconds, like other figures)."""

    async def load() -> list[FaqEntry]:
        reads = await ctx.reads()
        return await reads.faq.visible(workspace, verified_since=_cutoff(ctx))

    found: list[FaqEntry] = await ctx.services.figures.get(
        ("faq", workspace), load, now=ctx.clock.now()
    )
    return found


def _forget(ctx: Context, workspace: WorkspaceRef) -> None:
    figures = ctx.services.figures
    ctx.after_commit.append(lambda: figures.forget(lambda k: k == ("faq", workspace)))


@dataclass(frozen=True, slots=True)
class FaqMatch:
    """The FAQ ranked once for one question: what is shown with it and what holds it."""

    shown: tuple[FaqEntry, ...] = ()  # "Answered before" when it is posted (`_AT_ASK`)
    # So like the question that they likely answer it (`_HOLD`): it is held as a draft and
    # they are offered first (`bot.learning.drafts`). The best of `shown`, as ranked alone.
    holding: tuple[FaqEntry, ...] = ()

    @property
    def on_draft(self) -> tuple[FaqEntry, ...]:
        """What a held draft shows: the entries that hold it, else those that would be shown."""
        return self.holding or self.shown


async def match_faq(
    ctx: Context, workspace: WorkspaceRef, question: str, topics: Sequence[str]
) -> FaqMatch:
    """The FAQ entries that may answer `question` (shown before similar questions), and those
    that likely do; none with ``[faq] shown = 0``. One ranking serves both: the entries scoring
    `_HOLD` come first among those scoring `_AT_ASK`, so the first `shown` of the one are the
    first `shown` of the other."""
    shown = ctx.config.faq.shown
    if not shown:
        return FaqMatch()
    entries = await visible_faq(ctx, workspace)
    scored = _scored(entries, question, topics, limit=shown, min_score=_AT_ASK)
    return FaqMatch(
        shown=tuple(e for _, e in scored),
        holding=tuple(e for score, e in scored if score >= _HOLD),
    )


async def answered_before(
    ctx: Context, workspace: WorkspaceRef, question: str, topics: Sequence[str]
) -> list[FaqEntry]:
    """FAQ entries that may answer `question` (`match_faq`'s shown ones)."""
    return list((await match_faq(ctx, workspace, question, topics)).shown)


def _short(s: str, n: int) -> str:
    s = " ".join(s.split())
    return s if len(s) <= n else s[: n - 1] + "…"


def _removed(question: str) -> bool:
    """The asker was forgotten: their words were replaced by the privacy marker."""
    return not question.strip() or question.startswith("[removed")


def faq_lines(entries: Sequence[FaqEntry], *, answer_chars: int = 300) -> list[Text]:
    """One line per entry: its number, the question, the short answer."""
    return [
        text(
            "• ",
            Bold(f"FAQ {e.number}"),
            *(() if _removed(e.question) else (" ", UserText(_short(e.question, 100)))),
            " — ",
            UserText(_short(e.answer, answer_chars)),
        )
        for e in entries
    ]


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
    if actor.user != q.mentor and not is_admin(actor, ctx.config):
        raise Refusal(f"Only the mentor of #{q.number} (or an admin) can save it as an FAQ entry.")
    if q.state is not QuestionState.RESOLVED:
        raise Refusal(f"#{q.number} isn't resolved, so there's no answer to save yet.")
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
                UserText(_short(entry.answer, 200)),
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
        if q.asker != actor.user and not _removed(q.text):
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
    _forget(ctx, q.workspace)
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
                    text("“", UserText(_short(entry.question, 300)), "”"),
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
    if await ctx.uow.people.get(entry.author) is None:
        return
    said: list[Text] = [
        text(UserText(actor.name or "An admin"), f" {did} your answer in FAQ {entry.number}.")
    ]
    if answer:
        said += [
            text("It now reads: “", UserText(_short(answer, 600)), "”"),
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
        _forget(ctx, entry.workspace)
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
    if not _terms(words):
        raise Refusal("Search the FAQ with a few words, e.g. `/askmentor faq pandas groupby`.")
    found = rank_faq(await visible_faq(ctx, ws.ref), words, limit=5, min_score=_SEARCH)
    if not found:
        ctx.reply(
            text(
                "Nothing in the FAQ matches “",
                UserText(_short(words, 80)),
                "”. Ask a mentor with `/askmentor <question>`.",
            )
        )
        return
    ctx.reply(
        ChatMessage(
            title=text(Bold("From the FAQ"), " (“", UserText(_short(words, 80)), "”)"),
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
    _forget(ctx, entry.workspace)
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
    _forget(ctx, entry.workspace)
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
