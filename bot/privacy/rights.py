"""People's data rights: leaving (`/mentor leave`), offboarding when someone leaves the
company, export (`/mentoradmin export`) and forget (`/mentoradmin forget`)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.actors import names_for, require_admin, save_mentor, workspace_of
from bot.commands import Actor, ReleaseQuestion
from bot.domain import IllegalTransition, Question, QuestionState, Transition
from bot.events import QuestionCancelled
from bot.lightning.handlers import cancel_speaker_sessions, redraw_sessions, redraw_signed_up
from bot.messagebus import Context, Refusal, Services
from bot.messages import Attachment, Bold, ChatMessage, Text, UserText, text
from bot.nudges.schedule import forget_target
from bot.privacy.audit import audit
from bot.privacy.commands import (
    ExportMyData,
    ExportPerson,
    ForgetPerson,
    LeaveProgramme,
    PersonBack,
    PersonLeft,
)
from bot.privacy.model import PastCards, PersonData, new_tombstone
from bot.questions.handover import offer_ended
from bot.questions.sessions import release_question
from bot.recognition.kudos_card import redrawn_kudos
from bot.refs import UserRef, WorkspaceRef
from bot.wording import plural

__all__ = [
    "FORGOTTEN",
    "export_json",
    "export_my_data",
    "export_person",
    "forget_person",
    "leave_programme",
    "person_back",
    "person_left",
    "step_down",
]

FORGOTTEN = "[removed on request]"
# Forgetting a long-time mentor or speaker redraws at most this many of their past cards of each
# kind, the newest (the ones still read): hundreds of card updates at once would run into the
# platforms' rate limits (Slack's chat.update); older cards keep the name they showed.
PAST_CARDS_REDRAWN = 50


async def step_down(
    ctx: Context,
    user: UserRef,
    workspace: WorkspaceRef,
    *,
    name: str,
    why: str,
    everywhere: bool = False,
) -> int:
    """End someone's mentoring in `workspace`: the profile there is deactivated (never
    suggested again), their claimed sessions there are released (each asker is told `why`);
    how many were released. A Discord (or Enterprise Grid) user is the same person in every
    server the bot serves, and mentoring elsewhere goes on, unless `everywhere` (forget).
    Ending mentoring is not leaving the workspace: `left_at` is offboarding's (`person_left`)."""
    for profile in await ctx.uow.mentors.of_person(user):
        if profile.active and (everywhere or profile.workspace == workspace):
            await save_mentor(ctx, replace(profile, active=False))
    released = 0
    replies = len(ctx.replies)
    for q in await ctx.uow.questions.open_for(user):
        if q.mentor != user or q.state is not QuestionState.CLAIMED:
            continue
        if not everywhere and q.workspace != workspace:
            continue
        actor = Actor(user=user, name=name, workspace=q.workspace)
        # One DM tells the asker (the release's own, saying why), for the question's workspace
        # (a forget releases sessions in every workspace).
        with ctx.outbox.speaking_for(q.workspace):
            await release_question(ReleaseQuestion(actor, q.number, why=why), ctx)
        released += 1
    del ctx.replies[replies:]  # "you released #n" is not what a leaver needs to read
    return released


async def leave_programme(cmd: LeaveProgramme, ctx: Context) -> None:
    """`/mentor leave`: off the mentor list of this workspace (mentoring elsewhere goes on)."""
    profile = await ctx.uow.mentors.get(cmd.actor.user, cmd.actor.workspace)
    if profile is None or not profile.active:
        raise Refusal(
            "You are not on the mentor list, so there is nothing to leave. Your questions stay "
            "yours: `/mentor mydata` sends you what is stored about you; an admin can erase it."
        )
    released = await step_down(
        ctx, cmd.actor.user, cmd.actor.workspace, name=cmd.actor.name, why="has left mentoring"
    )
    also = (
        f" {plural(released, 'session')} you had claimed "
        f"{'is' if released == 1 else 'are'} open again for others."
        if released
        else ""
    )
    ctx.reply(
        "You have left the mentor list: you won't be suggested or asked any more." + also + " "
        "Thank you for helping! Come back any time with `/mentor join <skills>`."
    )


async def person_left(cmd: PersonLeft, ctx: Context) -> None:
    """Offboarding: the platform told us the person left this workspace; their mentoring and
    sessions in another one go on. They have left (`left_at`: what the dashboard shows, and
    what stops their lessons and DMs) unless they still mentor in another workspace, which
    says they are still around; acting in a workspace again clears it (`ensure_person`)."""
    await step_down(ctx, cmd.user, cmd.workspace, name=cmd.user.id, why="is no longer here")
    if not any(p.active for p in await ctx.uow.mentors.of_person(cmd.user)):
        await ctx.uow.privacy.mark_left(cmd.user, ctx.clock.now())
    await cancel_speaker_sessions(ctx, cmd.user, cmd.workspace)


async def person_back(cmd: PersonBack, ctx: Context) -> None:
    """The platform says someone who had left is active again (reactivated): `left_at` is
    cleared without waiting for them to act. Nothing is written for someone who had not left
    (most such signals are profile edits). What offboarding ended stays ended: their mentor
    profile is inactive until they `/mentor join` again; released sessions stay released."""
    if await ctx.uow.privacy.left_at(cmd.user) is not None:
        await ctx.uow.privacy.mark_back(cmd.user)


def _same_platform(actor: Actor, person: UserRef) -> None:
    # Admins act inside their own workspace's platform: a Slack admin can't reach Discord people.
    if person.platform != actor.workspace.platform:
        raise Refusal("That person is not in this workspace.")


def export_json(data: PersonData, *, now: datetime) -> bytes:
    """The export file: what is stored, table by table, with the time it was made (and the
    workspace it covers, when it covers one)."""
    whole: dict[str, Any] = {
        "exported_at": now.isoformat(),
        "user": data.user.key(),
        **({"workspace": data.workspace.key()} if data.workspace is not None else {}),
        **data.sections,
    }
    return json.dumps(whole, indent=2, ensure_ascii=False, sort_keys=False).encode("utf-8")


async def export_person(cmd: ExportPerson, ctx: Context) -> None:
    require_admin(cmd.actor, ctx.config, "`/mentoradmin export`")
    _same_platform(cmd.actor, cmd.person)
    # A Discord (or Enterprise Grid) user id is the same in every server the bot serves, and
    # an admin of one is nobody in another: their export holds this workspace's rows only.
    # (The operator's `micromentor people export` is the one of everything.)
    # Questions they asked anonymously stay theirs: not in what an admin reads.
    data = await ctx.uow.privacy.person_data(
        cmd.person, workspace=cmd.actor.workspace, anonymous=False
    )
    name = cmd.name or (await names_for(ctx, [cmd.person])).get(cmd.person, cmd.person.id)
    if not data.found():
        # The same words for someone unknown and for someone whose only traces here follow
        # from asking anonymously (their person row, a badge, a course): true of both, and
        # telling them apart would tell the admin that someone asked anonymously.
        # Nor is someone erased told apart: their id is nowhere any more (an erasure keeps no
        # list of whom it erased), so the words hold for them too ("nothing is kept"), without
        # promising data that may not be there.
        raise Refusal(
            text(
                "Nothing I can show you about ",
                UserText(name),
                " here; nothing of theirs in this workspace is kept for an admin to see (of "
                "someone erased, nothing is kept at all). Anything stored about them, they can "
                "get with `/mentor mydata`, or whoever runs Micromentor with "
                "`micromentor people export`.",
            )
        )
    _send_export(
        ctx,
        cmd.actor.user,
        data,
        text(
            "Everything Micromentor stores about ",
            UserText(name),
            " in this workspace is attached (not the questions they asked anonymously: "
            "those are theirs, with `/mentor mydata`).",
        ),
    )
    await audit(ctx, cmd.actor, "export", subject=cmd.person.key())
    ctx.reply(text("The export of ", UserText(name), " is on its way to you by DM."))


async def export_my_data(cmd: ExportMyData, ctx: Context) -> None:
    """`/mentor mydata`: the person's own export, of every workspace, anonymous questions too."""
    data = await ctx.uow.privacy.person_data(cmd.actor.user)
    if not data.found():
        raise Refusal("I have nothing stored about you.")
    _send_export(
        ctx,
        cmd.actor.user,
        data,
        text(
            "Everything Micromentor stores about you is attached, the questions you asked "
            "anonymously included (an admin's export of you leaves those out)."
        ),
    )
    ctx.reply("Your data is on its way to you by DM.")


def _send_export(ctx: Context, to: UserRef, data: PersonData, body: Text) -> None:
    now = ctx.clock.now()
    filename = f"micromentor-export-{data.user.id}-{now:%Y%m%d}.json"
    ctx.outbox.dm(
        to,
        ChatMessage(
            title=text(Bold("Data export")),
            body=body,
            attachment=Attachment(filename, export_json(data, now=now), "application/json"),
        ),
        secret=True,  # a whole person's data: the stored copy loses it once it went out
    )


async def forget_person(cmd: ForgetPerson, ctx: Context) -> None:
    require_admin(cmd.actor, ctx.config, "`/mentoradmin forget`")
    _same_platform(cmd.actor, cmd.person)
    if cmd.person == cmd.actor.user and not cmd.everywhere:
        # Their own admin actions would lose their name in the audit trail, which every admin
        # of the workspace reads: not theirs alone to erase. (The operator's is the way.)
        raise Refusal(
            "You can't erase yourself as an admin: the admin actions you took would lose "
            "their name in the audit trail. `/mentor mydata` sends you what is stored about "
            "you; to be erased, ask another admin of this workspace, or whoever runs "
            f"Micromentor (`micromentor people delete {cmd.person.key()}`)."
        )
    name = cmd.name or (await names_for(ctx, [cmd.person])).get(cmd.person, cmd.person.id)
    if not cmd.everywhere:
        await _only_here(ctx, cmd, name)
    # Computed before the erasing below: the workspaces that hold the person's records.
    theirs = await ctx.uow.privacy.workspaces_of(cmd.person)
    if not cmd.confirmed:
        mentoring = any(p.active for p in await ctx.uow.mentors.of_person(cmd.person))
        ctx.reply(
            text(
                "This erases ",
                UserText(name),
                "'s name, question texts and comments for good"
                + (", ends their mentoring and releases their sessions" if mentoring else "")
                + "; the figures stay, attributed to nobody. "
                "To go ahead, repeat the command with `confirm` at the end.",
            )
        )
        return
    # What an admin's export would have shown them (never the anonymous questions): what they
    # hear back may not tell more, or forgetting would say whether someone asked anonymously.
    shown = (
        cmd.everywhere
        or (
            await ctx.uow.privacy.person_data(
                cmd.person, workspace=cmd.actor.workspace, anonymous=False
            )
        ).found()
        # Admin actions they took: every admin of the workspace reads them in the audit trail.
        or bool(await ctx.uow.audit.recent([cmd.actor.workspace], limit=1, actor=cmd.person))
    )
    seen = {ws for ws in theirs if await ctx.uow.people.is_seen_in(ws, cmd.person)}
    await step_down(
        ctx, cmd.person, cmd.actor.workspace, name=name, why="is no longer here", everywhere=True
    )
    # Read before their open questions and coming talks are called off below (whose cards
    # that redraws) and before the erasing (after which no row names them).
    past = await ctx.uow.privacy.past_cards_of(cmd.person, limit=PAST_CARDS_REDRAWN)
    withdrawn = await _cancel_open_questions(ctx, cmd)
    # Their coming talks (called off) and the cards of the talks they signed up for (redrawn:
    # their sign-up is nobody's now), in every workspace they have records in (only the
    # admin's own, unless the operator forgets everywhere: an admin is refused when there are
    # records elsewhere).
    for workspace in sorted({cmd.actor.workspace} | theirs, key=WorkspaceRef.key):
        with ctx.outbox.speaking_for(workspace):
            await cancel_speaker_sessions(ctx, cmd.person, workspace)
            await redraw_signed_up(ctx, cmd.person, workspace)
    await forget_target(ctx, cmd.person)
    asked = await ctx.uow.privacy.asked_by(cmd.person)
    tombstone = new_tombstone(cmd.person.platform)
    # Their words leave the FAQ too, copied from an anonymous question or not: erasure must
    # take them out, though an admin who watches the entries may then tell who asked it (as
    # with an open anonymous card, redrawn without its text above).
    unquoted = await ctx.uow.privacy.unquote_faq(cmd.person)
    changed = unquoted + await ctx.uow.privacy.forget(
        cmd.person, tombstone=tombstone, removed=FORGOTTEN
    )
    await _redraw_past(ctx, past)
    ctx.services.roster.invalidate(cmd.actor.workspace)
    ctx.after_commit.append(lambda: _forget_in_memory(ctx.services, cmd.person, asked))
    counted = f" ({changed} records changed)" if cmd.everywhere else ""
    # The operator's erasure is recorded in each workspace whose admins could see the person
    # (`seen`: not one where they only asked anonymously, whose admins would read that a
    # hidden member was erased then), else in the operator's own place; an admin's, in the
    # admin's workspace.
    recorded_in = (sorted(seen, key=WorkspaceRef.key) if cmd.everywhere else []) or [
        cmd.actor.workspace
    ]
    if not changed and not withdrawn:
        recorded_in = []  # nothing erased (forgotten before): no erasure, nor its tombstone, to record
    for workspace in recorded_in:
        await audit(
            ctx,
            replace(cmd.actor, workspace=workspace),
            "forget",
            subject=tombstone.key(),
            detail=counted.strip(" ()"),
        )
    # Forgotten before, or never used the bot here as the admin sees it; an FAQ entry changed
    # is seen, and so is an open card withdrawn (anonymous or not: erasure wins over what the
    # channel may infer), so neither is "nothing".
    if not changed or not (shown or unquoted or withdrawn):
        ctx.reply(text("There was nothing of ", UserText(name), " left to erase."))
        return
    ctx.reply(text("Done: ", UserText(name), f" is forgotten{counted}.", _withdrawn(withdrawn)))


def _withdrawn(questions: list[Question]) -> str:
    """What forgetting took out of the channel: the open questions it withdrew. An anonymous
    one is counted, never numbered: the admin's answer does not tie its card to the person
    (as their export of the person leaves it out)."""
    # The operator's forget spans workspaces, whose numbers repeat: each named by its own.
    several = len({q.workspace for q in questions}) > 1
    named = [
        f"#{q.number} ({q.workspace.key()})" if several else f"#{q.number}"
        for q in sorted(questions, key=lambda q: (q.workspace.key(), q.number))
        if not q.anonymous
    ]
    unnamed = sum(q.anonymous for q in questions)
    said = ""
    if len(named) == 1:
        said += f" Their open question {named[0]} is withdrawn: its card no longer shows the text."
    elif named:
        listed = ", ".join(named)
        said += (
            f" Their open questions {listed} are withdrawn: their cards no longer show the text."
        )
    too = " too" if named else ""
    if unnamed == 1:
        said += f" An open question they asked anonymously is withdrawn{too}, its text removed."
    elif unnamed:
        said += (
            f" {unnamed} open questions they asked anonymously are withdrawn{too}, texts removed."
        )
    return said


async def _only_here(ctx: Context, cmd: ForgetPerson, name: str) -> None:
    """An admin erases a person only when every record of theirs is in the admin's workspace:
    a Discord (or Enterprise Grid) user is the same person in every server the bot serves, and
    what they did in another one is not this admin's to erase. The operator can."""
    elsewhere = await ctx.uow.privacy.workspaces_of(cmd.person) - {cmd.actor.workspace}
    if elsewhere:
        raise Refusal(
            text(
                UserText(name),
                " also has records in another workspace, so I can't erase them from here. "
                "The operator who runs Micromentor can erase them everywhere with "
                f"`micromentor people delete {cmd.person.key()}`. Here, you can end their "
                "mentoring (Remove on the dashboard's Mentors page, `/mentoradmin dashboard`) "
                "and get what this workspace stores about them with `/mentoradmin export`.",
            )
        )


def _forget_in_memory(
    services: Services, person: UserRef, asked: list[tuple[WorkspaceRef, int]]
) -> None:
    """What this process keeps in memory of a forgotten person goes with their rows: their
    questions leave the similar-question index and the learned lessons, and lessons stop naming
    them as the mentor who helped; the seconds-old figures (mentor load, who declined which
    topic) are read again. (Mentors' own words live in the roster snapshots, which
    `save_mentor` dropped.) Other replicas rebuild these indexes from the database at their
    next start."""
    for workspace, question_id in asked:
        services.similar.remove(workspace, question_id)
        services.learned.forget(workspace, question_id)
    services.learned.forget_mentor(person)
    services.figures.forget()


async def _redraw_past(ctx: Context, past: PastCards) -> None:
    """The cards that named a forgotten person on what is over (resolved questions "helped by"
    them, closed questions they asked by name, lightning sessions they gave) are redrawn once
    this commits, drawn from the rows as they are then: someone forgotten. Only the newest
    `PAST_CARDS_REDRAWN` of each kind (see there): the older ones keep the name."""
    for qid in past.questions:
        q = await ctx.uow.questions.get(qid)
        ws = None if q is None else await workspace_of(ctx, q.workspace)
        if q is not None and ws is not None:
            ctx.outbox.card(q, channel=ws.mentoring_channel)
    await redraw_sessions(ctx, past.lightning)
    for kudos_id in past.kudos:
        k = await ctx.uow.kudos.get(kudos_id)
        ws = None if k is None else await workspace_of(ctx, k.workspace)
        if k is not None and ws is not None:
            # Edits the post where it is (see `KudosCardGateway`), its words gone.
            ctx.outbox.post(
                ws.mentoring_channel, await redrawn_kudos(ctx.uow, k), workspace=k.workspace
            )


async def _cancel_open_questions(ctx: Context, cmd: ForgetPerson) -> list[Question]:
    """A forgotten person's questions still waiting or in a session end (cancelled by the
    admin): nobody is asked about them any more, and their cards, redrawn once this commits,
    show neither the text nor the name. Those withdrawn, for the admin's answer."""
    now = ctx.clock.now()
    withdrawn: list[Question] = []
    for q in await ctx.uow.questions.open_for(cmd.person):
        if q.asker != cmd.person:
            continue
        try:
            cancelled = q.moved(Transition.CANCEL, closed_at=now, resolved_by=cmd.actor.user)
        except IllegalTransition:
            continue
        if await ctx.uow.questions.update(cancelled, expected_state=q.state):
            offer_ended(ctx, q, "the question was withdrawn", by=cmd.actor.user)
            ctx.emit(QuestionCancelled(q.pk, cmd.actor.user, cmd.actor.name, by_admin=True))
            withdrawn.append(q)
    return withdrawn
