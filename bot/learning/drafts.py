"""Drafts before posting: a question that misses what mentors need is kept as a draft only its
asker sees, with one or two suggestions and [Post as is] [Edit] (Slack and Discord reopen the
ask form with the text; the console answers `click edit <draft>` with the text to send again).
A question an FAQ entry likely answers is held the same way, the entry's answer offered first
with [That answers it] (closed, nothing posted) [Post my question anyway]; a question that needs
both is held once, in one message. ``[ask] coaching = "off"`` leaves out the coaching, ``[faq]
shown = 0`` the FAQ; with both off every question is posted at once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta

from bot.commands import AskQuestion
from bot.domain import Question, QuestionState, Workspace
from bot.learning.coaching import coach
from bot.learning.commands import AnsweredByFaq, EditDraft, PostDraft
from bot.learning.faq_match import FaqMatch, faq_lines
from bot.learning.forms import draft_done, no_draft
from bot.learning.model import Draft, DraftState, FaqEntry
from bot.matching import question_kind
from bot.messagebus import Context, Refusal
from bot.messages import Action, Bold, ChatMessage, Text, UserText, lines, text
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "STILL_HELD",
    "close_answered",
    "edit_draft",
    "hold_as_draft",
    "post_draft",
    "retire_waiting",
]

# A draft held this recently is still meant: the home view lists it, and a question typed
# while an anonymous one is held stays anonymous. Older ones were likely given up.
STILL_HELD = timedelta(days=7)


async def hold_as_draft(
    cmd: AskQuestion,
    body: str,
    topics: Sequence[str],
    ws: Workspace,
    ctx: Context,
    *,
    faq: FaqMatch,
) -> bool:
    """Keep the question as a draft when it needs coaching or an FAQ entry likely answers it
    (`faq`, ranked once by the ask; True: the preview is the reply). A draft posted as is
    (`cmd.coached`) is held no more.

    A question sent from an edited draft's form replaces that draft either way, but only while
    it is pending: a draft is posted once, so the edit of a draft already posted as it was (or
    already replaced by another edit) posts nothing and says what to do instead.

    Any other draft of the asker's still waiting in the workspace is retired (replaced): where
    no form carries the draft's number (the console's `click edit`, or a new `/askmentor`), the
    question asked after it is the one meant, and the old [Post as is] must not post it too."""
    if cmd.draft_id is not None:
        old = await ctx.uow.drafts.get(cmd.draft_id)
        if old is not None and old.asker == cmd.actor.user:
            if not await ctx.uow.drafts.close(old.number, DraftState.EDITED):
                raise Refusal(await _not_posted_again(ctx, old.number))
    if cmd.coached:
        return False
    suggestions: tuple[str, ...] = ()
    if ctx.config.ask.coaching != "off":
        kind = question_kind(ctx.services.taxonomy, body, topics)
        suggestions = coach(body, topics, kind=kind).suggestions
    sure = faq.holding
    if not suggestions and not sure:
        return False  # the question is posted: `retire_waiting` at its write
    await retire_waiting(ctx, ws.ref, cmd.actor.user)
    draft = await ctx.uow.drafts.add(
        Draft(
            workspace=ws.ref,
            asker=cmd.actor.user,
            text=body,
            created_at=ctx.clock.now(),
            anonymous=cmd.anonymous,
            stage=cmd.stage,
        )
    )
    if not suggestions:
        ctx.reply(_faq_first(draft, sure))
        return True
    ctx.reply(_preview(draft, suggestions, faq_lines(faq.on_draft)))
    return True


def _shown(draft: Draft) -> Text:
    """The held question as its asker reads it, saying whether it will be posted anonymously."""
    how = "only you see it; it will be posted anonymously" if draft.anonymous else "only you see it"
    return text(Bold("Your draft"), f" ({how}): ", UserText(draft.text))


async def retire_waiting(ctx: Context, workspace: WorkspaceRef, asker: UserRef) -> None:
    """The asker's drafts still waiting in `workspace` are replaced by what they asked now.
    A write: called where the ask writes (after its reads, so SQLite's write lock is not held
    through the ranking)."""
    await ctx.uow.drafts.close_pending(workspace, asker, DraftState.REPLACED)


async def _not_posted_again(ctx: Context, draft_id: int, *, edited: bool = True) -> str:
    """Why an edit of a draft posts nothing: the draft was posted or replaced already
    (`edited`: an edited question was sent; otherwise [Edit] was pressed)."""
    draft = await ctx.uow.drafts.get(draft_id)  # as it is now (a click may have just closed it)
    if (draft is None or draft.state is not DraftState.POSTED) and not edited:
        return "This draft was replaced by an edit already."
    if draft is None or draft.state is not DraftState.POSTED:
        return (
            "That draft was already replaced by an edit, so I haven't posted this one "
            "too. To ask something else, use `/askmentor <question>`."
        )
    q = await _posted_from(ctx, draft)
    said = "That draft was already posted as it was"
    not_again = ", so I haven't posted your edit too" if edited else ""
    if q is None:
        return (
            f"{said}{not_again}. To change it, cancel that question with "
            "`/askmentor cancel <number>` and ask anew, or add the details in its thread once a "
            "mentor claims it."
        )
    if q.state.is_final:
        return (
            f"{said}, as #{q.number} (now {q.state.value}){not_again}. To ask again, use "
            "`/askmentor <question>`."
        )
    thread = (
        "add the details in its thread"
        if q.state is QuestionState.CLAIMED
        else "add the details in its thread once a mentor claims it"
    )
    return (
        f"{said}, as #{q.number}{not_again}. To change it, cancel it with "
        f"`/askmentor cancel {q.number}` and ask anew, or {thread}."
    )


async def _posted_from(ctx: Context, draft: Draft) -> Question | None:
    """The question [Post as is] made of `draft`: the asker's first with its text since."""
    reads = await ctx.reads()
    since = await reads.questions.created_between(draft.workspace, draft.created_at, None)
    return next((q for q in since if q.asker == draft.asker and q.text == draft.text), None)


def _faq_first(draft: Draft, entries: Sequence[FaqEntry]) -> ChatMessage:
    """The held question and the FAQ entries that likely answer it, before any mentor hears."""
    n = draft.number
    found = "This was answered before" if len(entries) == 1 else "These were answered before"
    return ChatMessage(
        body=lines(
            [
                text(
                    f"{found} — maybe it's what you need. I've held your question back, so no "
                    "mentor has been pinged yet:"
                ),
                *faq_lines(entries, answer_chars=600),
                _shown(draft),
            ]
        ),
        actions=(
            Action("answered", n, "That answers it", "primary"),
            Action("post", n, "Post my question anyway"),
        ),
    )


def _preview(draft: Draft, suggestions: Sequence[str], faq: list[Text]) -> ChatMessage:
    """The coaching preview; with FAQ entries listed in it, [That answers it] is offered too
    (one of them may be all the asker needed, whether it held the question or not)."""
    n = draft.number
    parts: list[Text] = [
        text(
            "Before I post it: mentors answer fastest when a question has a goal, some context "
            "and what you tried. "
            + ("A suggestion:" if len(suggestions) == 1 else "Two suggestions:")
        ),
        *(text("• ", s) for s in suggestions),
        _shown(draft),
    ]
    if faq:
        parts += [text("Answered before, maybe it's already here:"), *faq]
    actions: tuple[Action, ...] = (
        Action("post", n, "Post as is"),
        Action("edit", n, "Edit", "primary"),
    )
    if faq:
        actions = (Action("answered", n, "That answers it"), *actions)
    return ChatMessage(body=lines(parts), actions=actions)


async def _own_pending(
    ctx: Context, draft_id: int, cmd: PostDraft | EditDraft | AnsweredByFaq
) -> Draft:
    draft = await ctx.uow.drafts.get(draft_id)
    if draft is None or draft.asker != cmd.actor.user:
        raise Refusal(no_draft())
    if draft.state is not DraftState.PENDING:
        raise Refusal(draft_done(draft.state))
    return draft


async def post_draft(cmd: PostDraft, ctx: Context) -> None:
    """[Post as is]: the draft is asked as it stands (closed first, so two clicks post once)."""
    from bot.questions.asking import ask_question  # asking imports this module

    draft = await _own_pending(ctx, cmd.draft_id, cmd)
    if not await ctx.uow.drafts.close(draft.number, DraftState.POSTED):
        raise Refusal("This draft was posted already.")
    # Asked where it was drafted: a click in a DM may come with another workspace (a Discord
    # member of two servers whose button named none).
    asker = replace(cmd.actor, workspace=draft.workspace)
    await ask_question(
        AskQuestion(asker, draft.text, draft.anonymous, stage=draft.stage, coached=True), ctx
    )


async def close_answered(cmd: AnsweredByFaq, ctx: Context) -> None:
    """[That answers it]: the FAQ answered the held question; it is closed, nothing is posted.
    Closed drafts in this state count how often the FAQ spared a question.

    On a draft asked again since (replaced, or replaced by an edit) the asker still said the
    FAQ answered it: they hear that, and nothing changes — the draft was not posted and stays
    as it is, and what they asked after it stays too."""
    old = await ctx.uow.drafts.get(cmd.draft_id)
    if (
        old is not None
        and old.asker == cmd.actor.user
        and old.state in (DraftState.REPLACED, DraftState.EDITED)
    ):
        replaced = DraftState.REPLACED
        after = "by the question you asked after it" if old.state is replaced else "by your edit"
        ctx.reply(f"Glad the FAQ answered it. (That draft was already replaced {after}.)")
        return
    draft = await _own_pending(ctx, cmd.draft_id, cmd)
    if not await ctx.uow.drafts.close(draft.number, DraftState.ANSWERED):
        raise Refusal("This draft was closed already.")
    ctx.reply(
        "Glad it helped! Your draft is closed: nothing was posted and no mentor was "
        "pinged. If it turns out you need more, ask with `/askmentor <question>`."
    )


async def edit_draft(cmd: EditDraft, ctx: Context) -> None:
    """[Edit] where no form opens: the text comes back, to change and send again (a draft
    posted as it was meanwhile says where it is instead). As when [Edit] opens a form, the
    draft stays pending: nothing was sent yet, so [Post as is] still posts it (the asker
    changed their mind), once, until the asker asks again (which replaces it)."""
    draft = await ctx.uow.drafts.get(cmd.draft_id)
    if draft is not None and draft.asker == cmd.actor.user and draft.state is DraftState.POSTED:
        raise Refusal(await _not_posted_again(ctx, draft.number, edited=False))
    draft = await _own_pending(ctx, cmd.draft_id, cmd)
    flags = ("--anonymous " if draft.anonymous else "") + (
        f"--{draft.stage} " if draft.stage else ""
    )
    ctx.reply(
        text(
            "Here is your draft to edit. Change it and send it again with "
            f"`/askmentor {flags}<question>` (or press Post as is to ask it as it was):\n",
            UserText(draft.text),
        )
    )
