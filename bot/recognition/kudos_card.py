"""A public kudos post: what it says when first posted, and once its giver or receiver was
forgotten (which erases its words): then it is redrawn in place (see
`bot.recognition.kudos_gateway`)."""

from __future__ import annotations

from bot.messages import ChatMessage, Mention, UserText, text
from bot.ports import UnitOfWork
from bot.privacy.model import is_tombstone
from bot.recognition.model import FORGOTTEN_NAME, Kudos
from bot.refs import UserRef

__all__ = ["KUDOS_KIND", "kudos_post", "redrawn_kudos"]

KUDOS_KIND = "kudos"


def kudos_post(k: Kudos, *, receiver: str, giver: str) -> ChatMessage:
    """The public thank-you as first posted: both named, the words quoted. `k.id` is its
    subject, so that its post can be found again (see `bot.recognition.kudos_gateway`)."""
    said = text(
        "🙌 Kudos to ",
        Mention(k.receiver, receiver),
        " from ",
        UserText(giver),
        ": ",
        UserText(k.text),
    )
    return ChatMessage(body=said, kind=KUDOS_KIND, question_id=k.id)


async def redrawn_kudos(uow: UnitOfWork, k: Kudos) -> ChatMessage:
    """The post as it reads once its giver or receiver is forgotten: whoever was forgotten is
    "someone forgotten" (never their tombstone id), and the words are gone (they were erased
    with them). One who is still here keeps their name."""
    people = await uow.people.get_many([k.receiver, k.giver])

    def name(ref: UserRef) -> str:
        found = people.get(ref)
        if is_tombstone(ref) or found is None:
            return FORGOTTEN_NAME
        return found.name

    to: Mention | str = (
        FORGOTTEN_NAME
        if is_tombstone(k.receiver) or k.receiver not in people
        else Mention(k.receiver, name(k.receiver))
    )
    said = text(
        "🙌 Kudos to ",
        to,
        " from ",
        UserText(name(k.giver)),
        " (its words were removed on request).",
    )
    return ChatMessage(body=said, kind=KUDOS_KIND, question_id=k.id)
