"""Ask when unsure: the asker picks their question's topic; the pick re-suggests and teaches."""

from __future__ import annotations

from bot.actors import is_admin, load_question, names_for
from bot.commands import PickTopic
from bot.domain import Question, QuestionState
from bot.events import Event, SessionRated, SuggestionsChanged
from bot.matching import Lesson, Reading
from bot.messagebus import Context, EventHandler, Handler, Refusal
from bot.messages import Action, Text, UserText, text
from bot.questions.ranking import rank_for

__all__ = [
    "OTHER",
    "TOPIC_CHOICE_COMMANDS",
    "TOPIC_CHOICE_REACTIONS",
    "UNSURE_PROMPT",
    "learn_from_rating",
    "pick_topic",
    "topic_buttons",
]

OTHER = "other"
UNSURE_PROMPT = "I'm not sure which area this is — pick one, and I'll suggest mentors for it."
# Discord allows 100 characters in a button's custom id (``mm:topic:<name>:<n>@<ws>``).
_MAX_ID = 100


def topic_buttons(q: Question, reading: Reading) -> tuple[Text, tuple[Action, ...]]:
    """The question to the asker and its buttons: the best guesses plus "something else"."""
    # Each names its workspace: the question may reach the asker by DM (a reply that could not
    # be shown where they asked), and a Discord DM is shared by every server.
    ws = q.workspace.id
    guesses = (Action(f"topic:{t}", q.number, t, "default", ws) for t in reading.choices)
    actions = tuple(a for a in guesses if a.id != f"topic:{OTHER}" and len(a.custom_id) <= _MAX_ID)
    actions += (Action(f"topic:{OTHER}", q.number, "Something else", "default", ws),)
    return text(UNSURE_PROMPT), actions


async def pick_topic(cmd: PickTopic, ctx: Context) -> None:
    q = await load_question(ctx, cmd.actor, cmd.question_id)
    if cmd.actor.user != q.asker and not is_admin(cmd.actor, ctx.config):
        raise Refusal(f"Only the person who asked #{q.number} can say what it's about.")
    topic = cmd.topic.strip().lower()
    # The first answer wins: the card, its suggestions and what matching learned follow it, so a
    # second press (another topic, or "something else" after a topic) changes nothing.
    chosen = await ctx.uow.topic_choices.chosen_topic(q.pk)
    if chosen is not None:
        if chosen:
            raise Refusal(text(f"#{q.number} is already about ", UserText(chosen), "."))
        raise Refusal(
            f"You said #{q.number} is about something else already: mentors read it as you "
            "wrote it."
        )
    if topic == OTHER:
        await ctx.uow.topic_choices.choose_topic(
            workspace=q.workspace, question_id=q.pk, topic="", at=ctx.clock.now()
        )
        ctx.reply(f"Thanks — mentors will read #{q.number} as you wrote it.")
        return
    canon = ctx.services.taxonomy.canonical(topic)
    if canon is None or canon not in ctx.services.taxonomy:
        raise Refusal(text("I don't know the topic ", UserText(topic), "."))
    await ctx.uow.topic_choices.choose_topic(
        workspace=q.workspace, question_id=q.pk, topic=canon, at=ctx.clock.now()
    )
    q.topics = (canon, *(t for t in q.topics if t != canon))
    said = text("Thanks — #", str(q.number), " is about ", UserText(canon), " now.")
    if q.state is QuestionState.OPEN:
        ranked = await rank_for(
            ctx,
            workspace=q.workspace,
            topics=q.topics,
            text=q.text,
            exclude={q.asker, *q.released_by},
            limit=ctx.config.matching.suggest,
            seed=q.text,
            question_id=q.id,
        )
        q.suggested = tuple(r.ref for r in ranked)
        if await ctx.uow.questions.update(q, expected_state=QuestionState.OPEN):
            ctx.emit(SuggestionsChanged(q.pk))
        if ranked:
            names = await names_for(ctx, list(q.suggested))
            who = ", ".join(names.get(r, r.id) for r in q.suggested)
            said = text(said, " Suggested mentors: ", UserText(who), ".")
    else:
        await ctx.uow.questions.update(q, expected_state=q.state)
    lesson = Lesson(q.pk, q.text, None, (canon,))
    ctx.after_commit.append(lambda: ctx.services.learned.teach(q.workspace, lesson))
    ctx.reply(said)


async def learn_from_rating(event: SessionRated, ctx: Context) -> None:
    """A resolved session its asker rated well teaches who helps with questions like it."""
    least = ctx.config.matching.learn_min_rating
    if event.role != "asker" or event.score < least:
        return
    if event.previous is not None and event.previous >= least:
        return  # learnt from it already
    q = await ctx.uow.questions.get(event.question_id)
    if q is None or q.state is not QuestionState.RESOLVED or q.mentor is None:
        return
    lesson = Lesson(q.pk, q.text, q.mentor, q.topics)
    ctx.after_commit.append(lambda: ctx.services.learned.teach(q.workspace, lesson))


TOPIC_CHOICE_COMMANDS: dict[type, Handler] = {PickTopic: pick_topic}
TOPIC_CHOICE_REACTIONS: dict[type[Event], list[EventHandler]] = {SessionRated: [learn_from_rating]}
