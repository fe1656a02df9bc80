"""A platform user group defines the mentors (`[slack] mentor_group`): mentors taken out of the
group leave the mentor list (their sessions released, audited); members the bot has never met
are invited once to `/mentor join` with their skills (a mentor needs skills to be matched)."""

from __future__ import annotations

from bot.commands import Actor
from bot.domain import Person
from bot.messagebus import Context
from bot.messages import ChatMessage, text
from bot.privacy.audit import OPERATOR, audit
from bot.privacy.commands import SyncMentorGroup
from bot.privacy.rights import step_down
from bot.wording import plural

__all__ = ["sync_mentor_group"]


async def sync_mentor_group(cmd: SyncMentorGroup, ctx: Context) -> None:
    members = set(cmd.members)
    operator = Actor(OPERATOR.user, f"mentor group {cmd.group}".strip(), cmd.workspace)
    for profile in await ctx.uow.mentors.in_workspace(cmd.workspace):
        if profile.ref in members:
            continue
        released = await step_down(
            ctx,
            profile.ref,
            cmd.workspace,
            name=profile.ref.id,
            why="is no longer in the mentors group",
        )
        await audit(
            ctx,
            operator,
            "roster remove",
            subject=profile.ref.key(),
            detail=f"not in the group; {plural(released, 'session')} released",
        )
    known = await ctx.uow.people.get_many(sorted(members, key=lambda r: r.key()))
    for member in sorted(members - set(known), key=lambda r: r.key()):
        # Remembered as a person, so the invitation goes once.
        await ctx.uow.people.upsert(Person(ref=member, name=member.id))
        ctx.outbox.dm(
            member,
            ChatMessage(
                body=text(
                    "You're in the mentors group, so you can take people's short questions "
                    "here. Join with `/mentor join <skill, skill, ...>` (e.g. "
                    "`/mentor join python, sql`); `/mentor pause` takes a break any time."
                )
            ),
        )
