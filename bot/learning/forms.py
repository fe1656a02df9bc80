"""What a form opened from a button starts with: [Edit] on a coached draft reopens the ask form
with the draft's text; [Update] on an FAQ entry opens the FAQ form with its answer. Platforms
must open a form within seconds of the click, so they read this directly (a read-only snapshot)
rather than through the inbox; the submitted form goes through the inbox as usual."""

from __future__ import annotations

from dataclasses import dataclass

from bot.learning.model import DraftState, FaqState
from bot.ports import UnitOfWorkFactory
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "FAQ_GONE",
    "FAQ_NOT_HERE",
    "DraftForm",
    "FaqForm",
    "draft_done",
    "draft_form",
    "faq_form",
    "no_draft",
]


@dataclass(frozen=True, slots=True)
class DraftForm:
    draft_id: int
    text: str
    anonymous: bool
    stage: str | None
    workspace: WorkspaceRef  # the draft's own: an edit opened from a DM asks there again


@dataclass(frozen=True, slots=True)
class FaqForm:
    question_id: int  # the question's number in its workspace (what the form's submission names)
    answer: str
    workspace: WorkspaceRef  # whose number it is: a form opened from a DM must say so


def no_draft() -> str:
    """What someone is told for a draft that is not one of theirs (a mistyped console number,
    someone else's button, a draft gone). Draft numbers are global, so no text shows one: it
    would tell the asker how many drafts other people have."""
    return (
        "That draft isn't one of yours, or it's gone. To ask your question, use "
        "`/askmentor <question>`."
    )


def draft_done(state: DraftState) -> str:
    """What someone is told for their draft posted, edited, replaced or answered already."""
    if state is DraftState.REPLACED:
        return (
            "That draft was replaced by the question you asked after it, so I haven't "
            "posted it. To ask it as well, use `/askmentor <question>`."
        )
    if state is DraftState.ANSWERED:
        return (
            "That draft was closed: you said the FAQ answered it, so I haven't posted "
            "it. To ask it after all, use `/askmentor <question>`."
        )
    done = "posted" if state is DraftState.POSTED else "replaced by an edit"
    return f"This draft was {done} already."


async def draft_form(
    uow_factory: UnitOfWorkFactory, user: UserRef, draft_id: int
) -> DraftForm | str:
    """The pending draft `draft_id` of `user`, or what to answer instead (someone else's or no
    such draft: :func:`no_draft`; posted or edited already: :func:`draft_done`)."""
    async with uow_factory(read_only=True) as uow:
        draft = await uow.drafts.get(draft_id)
    if draft is None or draft.asker != user:
        return no_draft()
    if draft.state is not DraftState.PENDING:
        return draft_done(draft.state)
    return DraftForm(draft.number, draft.text, draft.anonymous, draft.stage, draft.workspace)


FAQ_GONE = "That FAQ entry is retired or gone."
FAQ_NOT_HERE = "That FAQ entry isn't in this workspace."


async def faq_form(
    uow_factory: UnitOfWorkFactory,
    entry_id: int,
    *,
    workspace: WorkspaceRef | None,
    user: UserRef,
) -> FaqForm | str:
    """FAQ entry `entry_id`'s question and answer, or what to answer instead (:data:`FAQ_GONE`,
    :data:`FAQ_NOT_HERE`). Only an entry of the clicker's `workspace` opens; None where the click
    names none (a DM button from before DM buttons named their workspace), and then only for
    the entry's author, whom that DM was sent to. Who may change it is checked again on submit."""
    async with uow_factory(read_only=True) as uow:
        entry = await uow.faq.get(entry_id)
        q = await uow.questions.get(entry.question_id) if entry is not None else None
    if entry is None:
        return FAQ_GONE
    if entry.workspace != workspace and (workspace is not None or entry.author != user):
        return FAQ_NOT_HERE
    if entry.state is not FaqState.ACTIVE or q is None:
        return FAQ_GONE
    return FaqForm(q.number, entry.answer, entry.workspace)
