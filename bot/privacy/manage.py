"""What admins change about mentors from the dashboard: pause, resume, remove, capacity
(each one an audited action of the admin's own workspace)."""

from __future__ import annotations

from datetime import timedelta

from bot.actors import is_admin, names_for, save_mentor
from bot.commands import MAX_CAPACITY_PER_WEEK
from bot.events import MentorPaused, MentorResumed
from bot.messagebus import Context, Refusal
from bot.messages import ChatMessage, UserText, text
from bot.privacy.audit import audit
from bot.privacy.commands import ManageMentor
from bot.privacy.rights import step_down
from bot.wording import plural

__all__ = ["MAX_CAPACITY", "manage_mentor"]

# One ceiling for every way a capacity is set: the dashboard, `/mentor capacity`, a roster import.
MAX_CAPACITY = MAX_CAPACITY_PER_WEEK
_INDEFINITE = timedelta(days=3650)


async def manage_mentor(cmd: ManageMentor, ctx: Context) -> None:
    if not is_admin(cmd.actor, ctx.config):
        raise Refusal("Sorry, only admins can change other mentors.")
    profile = await ctx.uow.mentors.get(cmd.mentor, cmd.actor.workspace)
    if profile is None or not profile.active:
        raise Refusal("That mentor is not on this workspace's list.")
    name = (await names_for(ctx, [cmd.mentor]))[cmd.mentor]
    now = ctx.clock.now()
    detail = ""
    released = 0
    if cmd.action in ("pause", "resume") and profile.is_paused(now) == (cmd.action == "pause"):
        # Nothing changes: no second audit entry, no second event.
        ctx.reply(
            text(
                UserText(name),
                " is already paused." if profile.is_paused(now) else " is not paused.",
            )
        )
        return
    if cmd.action == "pause":
        profile.paused_until = now + _INDEFINITE
        await save_mentor(ctx, profile)
        ctx.emit(
            MentorPaused(
                profile.ref, since=now, until=profile.paused_until, workspace=profile.workspace
            )
        )
        said = "is paused until resumed"
    elif cmd.action == "resume":
        profile.paused_until = None
        await save_mentor(ctx, profile)
        ctx.emit(MentorResumed(profile.ref, at=now, workspace=profile.workspace))
        said = "is suggested again"
    elif cmd.action == "remove":
        released = await step_down(
            ctx, profile.ref, profile.workspace, name=name, why="was taken off the mentor list"
        )
        freed = f" ({plural(released, 'claimed session')} released)" if released else ""
        said = f"is off the mentor list{freed}"
    elif cmd.action == "capacity":
        if cmd.capacity is None or not 1 <= cmd.capacity <= MAX_CAPACITY:
            raise Refusal(f"Capacity is a number of sessions a week, 1 to {MAX_CAPACITY}.")
        if cmd.capacity == profile.capacity_per_week:
            # Nothing changes: no audit entry, and the mentor is not told of a change.
            ctx.reply(
                text(
                    UserText(name),
                    f" already takes {plural(cmd.capacity, 'session')} a week.",
                )
            )
            return
        detail = f"{profile.capacity_per_week} → {cmd.capacity} a week"
        profile.capacity_per_week = cmd.capacity
        await save_mentor(ctx, profile)
        said = f"now takes {plural(cmd.capacity, 'session')} a week"
    else:
        raise Refusal(f"I don't know how to {cmd.action} a mentor.")
    await audit(ctx, cmd.actor, f"mentor {cmd.action}", subject=profile.ref.key(), detail=detail)
    if profile.ref != cmd.actor.user:
        # The mentor did not do it: told what an admin did (else their `/mentor me` reads as
        # their own doing), by the outbox as ever: after the commit, and a closed DM changes
        # nothing of what was done.
        ctx.outbox.dm(profile.ref, ChatMessage(body=text(_told(cmd, released))))
    ctx.reply(text(UserText(name), f" {said}."))


def _told(cmd: ManageMentor, released: int) -> str:
    """What the mentor is told an admin did: "An admin", unnamed (what was done is theirs to
    know, not who clicked; a hand-over offer names the admin to the one asked, who decides on
    it)."""
    if cmd.action == "pause":
        return (
            "An admin paused you as a mentor until you resume: I won't suggest you for "
            "questions meanwhile, and the sessions you have stay yours. `/mentor resume` when "
            "you're ready to take questions again."
        )
    if cmd.action == "resume":
        return (
            "An admin resumed you as a mentor: you'll be suggested for questions again. "
            "`/mentor pause` when you need a break."
        )
    if cmd.action == "remove":
        if released == 1:
            freed = " Your claimed session went back to the queue for another mentor."
        elif released:
            freed = f" Your {released} claimed sessions went back to the queue for other mentors."
        else:
            freed = ""
        return (
            "An admin took you off the mentor list of this workspace: you won't be suggested "
            f"or asked any more.{freed} `/mentor join <skills>` to come back."
        )
    assert cmd.capacity is not None  # checked above
    return (
        f"An admin set your capacity to {plural(cmd.capacity, 'session')} a week; "
        "`/mentor capacity <n>` changes it."
    )
