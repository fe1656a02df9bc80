"""The learning feature's commands — courses, coached drafts, the FAQ, sharing a summary, a
mentor's career stage and region, their own feedback — and the buttons that send them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.commands import Actor, Command
from bot.learning.courses import parse_check_action
from bot.refs import UserRef

__all__ = [
    "AnswerCheck",
    "AnsweredByFaq",
    "ConfirmFaq",
    "EditDraft",
    "LessonUnreachable",
    "PostDraft",
    "RetireFaq",
    "SaveFaq",
    "SearchFaq",
    "SetMentorRegion",
    "SetMentorStage",
    "ShareSummary",
    "ShowLearning",
    "ShowMentorFeedback",
    "StopLearning",
    "UnquoteFaq",
    "UpdateFaq",
    "learning_button",
]


@dataclass(frozen=True, slots=True)
class ShowLearning(Command):
    """`/mentor learn`: progress in each course and the next lesson (starting one if none);
    `/mentor learn start` (`start`) picks a stopped course up again as well."""

    actor: Actor
    start: bool = False


@dataclass(frozen=True, slots=True)
class StopLearning(Command):
    """`/mentor learn stop`: no more lessons."""

    actor: Actor


@dataclass(frozen=True, slots=True)
class AnswerCheck(Command):
    """A quick check's button: `option` (1-based) on lesson `lesson` of course `track`."""

    actor: Actor
    track: str
    lesson: int
    option: int


@dataclass(frozen=True, slots=True)
class LessonUnreachable(Command):
    """The bot's own: lesson `lesson` of course `track` could not be sent to `user` (their
    direct messages are closed), so it is not counted as had."""

    user: UserRef
    track: str
    lesson: int


@dataclass(frozen=True, slots=True)
class PostDraft(Command):
    """[Post as is] on a coached draft."""

    actor: Actor
    draft_id: int


@dataclass(frozen=True, slots=True)
class AnsweredByFaq(Command):
    """[That answers it] on a draft held for the FAQ entries offered with it: nothing is posted."""

    actor: Actor
    draft_id: int


@dataclass(frozen=True, slots=True)
class EditDraft(Command):
    """[Edit] on a coached draft, where no form can open (the console): the text comes back."""

    actor: Actor
    draft_id: int


@dataclass(frozen=True, slots=True)
class SaveFaq(Command):
    """The mentor's short answer to a resolved question, saved as an FAQ entry. A question that
    has an entry already keeps its answer unless the update is explicit: `replace` (a form opened
    by [Update]), or the typed answer starting with the word ``update``."""

    actor: Actor
    question_id: int
    answer: str
    replace: bool = False


@dataclass(frozen=True, slots=True)
class SearchFaq(Command):
    """`/askmentor faq <words>`."""

    actor: Actor
    words: str


@dataclass(frozen=True, slots=True)
class ConfirmFaq(Command):
    """[Yes] to "still accurate?"."""

    actor: Actor
    entry_id: int


@dataclass(frozen=True, slots=True)
class UpdateFaq(Command):
    """[Update] where no form can open (the console): how to write the new answer."""

    actor: Actor
    entry_id: int


@dataclass(frozen=True, slots=True)
class RetireFaq(Command):
    """[Retire]: the entry is no longer shown."""

    actor: Actor
    entry_id: int


@dataclass(frozen=True, slots=True)
class UnquoteFaq(Command):
    """[Take my words out]: the asker of an FAQ entry's question has its question put in
    neutral words (its topics)."""

    actor: Actor
    entry_id: int


@dataclass(frozen=True, slots=True)
class ShareSummary(Command):
    """[Share summary]: consent that the mentor's short answer shapes the next-steps suggestions."""

    actor: Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class SetMentorStage(Command):
    """`/mentor stage <early|mid|senior|lead|executive>` (handled in `bot.mentors.career`)."""

    actor: Actor
    stage: str


@dataclass(frozen=True, slots=True)
class SetMentorRegion(Command):
    """`/mentor region <text>`; ``clear`` (or ``none``, ``-``) clears it, empty is refused (handled in `bot.mentors.career`)."""

    actor: Actor
    region: str


@dataclass(frozen=True, slots=True)
class ShowMentorFeedback(Command):
    """`/mentor feedback`: a mentor's own ratings and comments (handled in
    `bot.feedback.quality`)."""

    actor: Actor


_BUTTONS: dict[str, Callable[[Actor, int], Command]] = {
    "post": PostDraft,
    "edit": EditDraft,
    "answered": AnsweredByFaq,
    "faqok": ConfirmFaq,
    "faqupdate": UpdateFaq,
    "faqretire": RetireFaq,
    "faqunquote": UnquoteFaq,
    "share": ShareSummary,
}


def learning_button(actor: Actor, action: str, n: int) -> Command | None:
    """The command behind one of this feature's buttons (`n` is the draft, FAQ entry, question
    or lesson it is on); None for ids that are not ours (``faq`` opens a form instead)."""
    if action in _BUTTONS:
        return _BUTTONS[action](actor, n)
    check = parse_check_action(action)
    if check is not None:
        return AnswerCheck(actor, check[0].value, n, check[1])
    return None
