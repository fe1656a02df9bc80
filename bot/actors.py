"""Who acts, and the look-ups every handler shares: people, admins, the workspace, a question or
a mentor profile by id (refusing politely when there is none), names for display."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timedelta

from bot.caching import Memo
from bot.commands import Actor
from bot.config import Config
from bot.domain import MentorProfile, Person, Question, Workspace
from bot.hygiene import clean_line, has_visible_text
from bot.messagebus import Context, Refusal
from bot.refs import UserRef, WorkspaceRef

__all__ = [
    "CONSOLE_ADMIN",
    "ensure_person",
    "is_admin",
    "listed_admin",
    "load_question",
    "names_for",
    "require_admin",
    "require_mentor",
    "require_workspace",
    "save_mentor",
    "start_of_week",
    "workspace_of",
]


# The console's own admin: its user `admin` (a console id, so no Slack or Discord member's).
CONSOLE_ADMIN = UserRef("console", "admin")


def listed_admin(user: UserRef, config: Config) -> bool:
    """An admin by the configuration: listed by platform id in ``[bot] admins``, or the
    console's admin. The same answer in every process (the console, the dashboard serving its
    database, `micromentor dashboard --link`), so a link the chat gave also works."""
    return user.key() in config.bot.admins or user == CONSOLE_ADMIN


def is_admin(actor: Actor, config: Config) -> bool:
    """Workspace admins/owners as the platform says, plus those of `listed_admin` (platform
    ids). Never by name: anyone can rename themselves "admin"."""
    return actor.platform_admin is True or listed_admin(actor.user, config)


def require_admin(actor: Actor, config: Config, what: str) -> None:
    """Refuse `what` (``/mentoradmin stats``, ``the dashboard``) to anyone but an admin, in the
    same words wherever it is refused."""
    if not is_admin(actor, config):
        raise Refusal(f"Sorry, {what} is for admins. Ask one of them if you need it.")


async def ensure_person(ctx: Context, actor: Actor) -> Person:
    """Create or refresh the person record of whoever issued a command (written only when
    something changed, so a known person costs no write). Someone recorded as having left the
    workspace who acts in one is here again: their `left_at` is cleared.

    Whether they are an admin is recorded per workspace, for the command's workspace only (a
    Discord or Enterprise Grid user id is the same person in every workspace the bot serves,
    and an admin of one is nobody in another), from the platform's reading alone: ``[bot]
    admins`` count everywhere by the configuration itself, so removing someone from it takes
    effect at once. An input without a reading (a Discord DM) leaves the record as it was."""
    reads = await ctx.reads()
    person = await reads.people.get(actor.user)
    name = clean_line(actor.name)
    if not has_visible_text(name) or name == actor.user.id:
        # No name (blanks or combining marks; or the platform's look-up failed and the adapter
        # could only give the id): the name we know stays.
        name = person.name if person is not None else actor.user.id
    if person is None:
        person = Person(ref=actor.user, name=name, timezone=actor.timezone)
        await ctx.uow.people.upsert(person)
    elif person.name != name or (actor.timezone and person.timezone != actor.timezone):
        person.name = name
        person.timezone = actor.timezone or person.timezone
        await ctx.uow.people.upsert(person)
    if actor.platform_admin is not None:
        admin = actor.platform_admin
        if (actor.workspace in await reads.people.admin_of(actor.user)) != admin:
            await ctx.uow.people.set_admin(actor.user, actor.workspace, admin)
    if person.left_at is not None:
        await ctx.uow.privacy.mark_back(actor.user)
        person.left_at = None
    return person


async def load_question(ctx: Context, actor: Actor, number: int) -> Question:
    """Question `number` of the actor's own workspace (numbers are per workspace: no command
    ever reaches another workspace's question)."""
    q = await ctx.uow.questions.get_by_number(actor.workspace, number)
    if q is None:
        raise Refusal(f"There is no question #{number}. Check the number and try again.")
    return q


async def workspace_of(ctx: Context, ref: WorkspaceRef) -> Workspace | None:
    """A workspace's settings (kept a few seconds: they change only when it is registered)."""

    async def load() -> Workspace | None:
        return await (await ctx.reads()).workspaces.get(ref)

    return await remembered_workspace(ctx.services.figures, ref, load, now=ctx.clock.now())


async def remembered_workspace(
    figures: Memo,
    ref: WorkspaceRef,
    load: Callable[[], Awaitable[Workspace | None]],
    *,
    now: datetime,
) -> Workspace | None:
    """A workspace's settings from the figures memo (one key for every reader, so a
    registration's `forget` reaches them all), `load`ed when not fresh."""
    found: Workspace | None = await figures.get(_settings_key(ref), load, now=now)
    return found


def forget_workspace(figures: Memo, ref: WorkspaceRef) -> None:
    """Read a workspace's settings again at the next `remembered_workspace`."""
    figures.forget(lambda k: k == _settings_key(ref))


def _settings_key(ref: WorkspaceRef) -> tuple[str, WorkspaceRef]:
    return ("workspace", ref)


async def require_workspace(ctx: Context, actor: Actor) -> Workspace:
    ws = await workspace_of(ctx, actor.workspace)
    if ws is None:
        raise Refusal(
            "Micromentor is not set up in this workspace yet: an admin needs to start it here."
        )
    return ws


async def require_mentor(ctx: Context, actor: Actor) -> MentorProfile:
    """The actor's active profile in the workspace the command came from (a profile in another
    workspace is another profile: it is never read or changed from here)."""
    profile = await ctx.uow.mentors.get(actor.user, actor.workspace)
    if profile is None:
        raise Refusal(
            "You are not a mentor yet. Join with `/mentor join <skill, skill, ...>`, "
            "e.g. `/mentor join python, sql`."
        )
    if not profile.active:  # they left: joining again keeps their history
        raise Refusal(
            "You left the mentor list. `/mentor join <skill, skill, ...>` brings you back."
        )
    return profile


async def save_mentor(ctx: Context, profile: MentorProfile) -> None:
    """Store a profile and drop the cached roster now and once the transaction commits."""
    await ctx.uow.mentors.save(profile)
    roster = ctx.services.roster
    roster.invalidate(profile.workspace)
    ctx.after_commit.append(lambda: roster.invalidate(profile.workspace))


async def names_for(ctx: Context, refs: Iterable[UserRef | None]) -> dict[UserRef, str]:
    """Display names (from the read snapshot: a name a moment old is fine)."""
    wanted = [r for r in dict.fromkeys(refs) if r is not None]
    people = await (await ctx.reads()).people.get_many(wanted)
    return {r: (people[r].name if r in people else r.id) for r in wanted}


def start_of_week(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week containing `now`."""
    day = now - timedelta(days=now.weekday())
    return day.replace(hour=0, minute=0, second=0, microsecond=0)
