"""Discord payloads → core commands and refs (pure: plain ids, names and option dicts in)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from bot import commands as c
from bot.flow.outbox import ReplyTo
from bot.learning import commands as lc
from bot.lightning.commands import AcceptLightning
from bot.messages import Text, parse_custom_id
from bot.privacy.commands import ExportPerson, ForgetPerson, PersonLeft
from bot.recognition.commands import GiveKudos
from bot.refs import ChannelRef, MessageRef, Ref, ThreadRef, UserRef, WorkspaceRef
from bot.textcommands import (
    ParseError,
    parse_admin,
    parse_ask_command,
    parse_lightning,
    parse_mentor,
    parse_when,
    when_problem,
)

__all__ = [
    "ADMINISTRATOR",
    "CHOICE_LIMIT",
    "MANAGE_GUILD",
    "PLATFORM",
    "CommentRequest",
    "FormRequest",
    "TeachRequest",
    "actor_for",
    "admin_command",
    "ask_command",
    "button_command",
    "channel_ref",
    "complete_skills",
    "complete_timezone",
    "handover_command",
    "interaction_key",
    "interaction_reply_to",
    "kudos_command",
    "lightning_command",
    "lightning_form_command",
    "member_left",
    "mentor_command",
    "message_ids",
    "message_ref",
    "normalize_emoji",
    "reaction_command",
    "reaction_key",
    "snowflake",
    "thread_message_key",
    "thread_ref",
    "user_ref",
    "workspace_ref",
]

PLATFORM = "discord"
ADMINISTRATOR = 1 << 3
MANAGE_GUILD = 1 << 5
CHOICE_LIMIT = 100  # an autocomplete choice's name and value: 1-100 characters


@dataclass(frozen=True, slots=True)
class CommentRequest:
    """The "comment" button: open a modal, then send CommentOnSession."""

    actor: c.Actor
    question_id: int


@dataclass(frozen=True, slots=True)
class TeachRequest:
    """The "I'll teach it" button: open a modal, then send AcceptLightning."""

    actor: c.Actor
    lightning_id: int


@dataclass(frozen=True, slots=True)
class FormRequest:
    """A button that opens a form: ``faq`` (save question `n` as an FAQ answer), ``faqupdate``
    (FAQ entry `n`'s answer) or ``edit`` (coached draft `n`, the ask form again)."""

    kind: str
    actor: c.Actor
    n: int


_FORMS = frozenset({"faq", "faqupdate", "edit", "ask"})


def user_ref(user_id: int | str) -> UserRef:
    return UserRef(PLATFORM, str(user_id))


def workspace_ref(guild_id: int | str) -> WorkspaceRef:
    return WorkspaceRef(PLATFORM, str(guild_id))


def channel_ref(channel_id: int | str) -> ChannelRef:
    return ChannelRef(PLATFORM, str(channel_id))


def thread_ref(thread_id: int | str) -> ThreadRef:
    return ThreadRef(PLATFORM, str(thread_id))


def message_ref(channel_id: int | str, message_id: int | str) -> MessageRef:
    """A message is ``"channel_id:message_id"`` (a message can't be fetched by id alone)."""
    return MessageRef(PLATFORM, f"{channel_id}:{message_id}")


def message_ids(ref: MessageRef) -> tuple[int, int]:
    """Inverse of :func:`message_ref`: (channel id, message id)."""
    channel, _, message = ref.id.partition(":")
    return int(channel), int(message)


def snowflake(ref: Ref) -> int:
    """The Discord id of a user, channel, thread or guild ref."""
    return int(ref.id)


def account_name(user: Any) -> str:
    """The name someone goes by on Discord as a whole (their display name, else their
    username), never a server nickname: one person is one record across the servers the bot
    serves, and a nickname chosen for one server is not shown to another's members."""
    return str(getattr(user, "global_name", None) or getattr(user, "name", None) or user.id)


def actor_for(
    *, user_id: int | str, name: str, guild_id: int | str, permissions: int | None = 0
) -> c.Actor:
    """Who acts; a member with Manage Server or Administrator is a platform admin. No
    `permissions` (None: a DM, which has none) is no reading of the role at all."""
    return c.Actor(
        user=user_ref(user_id),
        name=name,
        workspace=workspace_ref(guild_id),
        platform_admin=(
            None if permissions is None else bool(permissions & (MANAGE_GUILD | ADMINISTRATOR))
        ),
    )


# Inbox keys: the platform's own identity of an input, so a replayed gateway event (RESUME) or
# the same interaction delivered twice is stored once.


def interaction_key(interaction_id: int | str) -> str:
    return f"discord:ia:{interaction_id}"


def reaction_key(
    *, channel_id: int | str, message_id: int | str, user_id: int | str, emoji: str
) -> str:
    """A reaction has no id of its own: who put which emoji on which message."""
    return f"discord:react:{channel_id}:{message_id}:{user_id}:{emoji}"


def thread_message_key(message_id: int | str) -> str:
    return f"discord:msg:{message_id}"


def interaction_reply_to(
    *,
    user_id: int | str,
    channel_id: int | str | None,
    token: str,
    application_id: int | str,
    note: Text | None = None,
) -> ReplyTo:
    """Answers to an interaction go out later as ephemeral follow-ups on its token; `note`,
    what the adapter adds to the first of them (see `ReplyTo.note`)."""
    return ReplyTo(
        user_ref(user_id),
        channel=channel_ref(channel_id) if channel_id is not None else None,
        token=token,
        app_id=str(application_id),
        note=note,
    )


def button_command(
    actor: c.Actor, custom_id: str
) -> c.Command | CommentRequest | TeachRequest | FormRequest | ParseError | None:
    """A button's ``mm:<action>:<number>`` custom id → command; None for ids that aren't ours."""
    parsed = parse_custom_id(custom_id)
    if parsed is None:
        return None
    action, question_id = parsed
    if action == "comment":
        return CommentRequest(actor, question_id)
    if action == "teach":
        return TeachRequest(actor, question_id)
    if action in _FORMS:
        return FormRequest(action, actor, question_id)
    if action == "skills":  # the home view's [Edit skills]: Discord has the slash command
        return ParseError("Change your skills with `/mentor skills`, e.g. `python, sql`.")
    command = c.button_command(actor, action, question_id)
    if isinstance(command, c.RateSession) and not 1 <= command.score <= 5:
        return None  # not a button we render: ignored, like any foreign id
    return command


# Skin tones and the emoji variation selector: ✋🏽 and ✋️ claim like ✋.
_EMOJI_MODIFIERS = re.compile("[\U0001f3fb-\U0001f3ff\ufe0f]")


def normalize_emoji(name: str) -> str:
    return _EMOJI_MODIFIERS.sub("", name)


def reaction_command(
    actor: c.Actor, *, channel_id: int | str, message_id: int | str, emoji: str
) -> c.HandleReaction:
    """A reaction → HandleReaction. The channel is passed as the thread too: the core looks it up,
    and a channel that holds no session finds nothing."""
    return c.HandleReaction(
        actor,
        message_ref(channel_id, message_id),
        normalize_emoji(emoji),
        thread_ref(channel_id),
    )


def _option_text(options: Mapping[str, Any], name: str) -> str:
    value = options.get(name)
    return "" if value is None else str(value).strip()


def mentor_command(
    actor: c.Actor, subcommand: str, options: Mapping[str, Any]
) -> c.Command | ParseError:
    """``/mentor <subcommand>`` with typed options → command (the text grammar does the checks)."""
    argument = {
        "about": "text",
        "join": "skills",
        "skills": "skills",
        "hours": "hours",
        "capacity": "sessions",
        "tz": "timezone",
        "pause": "duration",
        "list": "skill",
        "why": "question",
        "leaderboard": "period",
        "stage": "stage",
        "region": "region",
    }.get(subcommand)
    rest = _option_text(options, argument) if argument else ""
    if subcommand == "learn" and options.get("stop"):
        return lc.StopLearning(actor)
    if subcommand == "learn" and options.get("start"):
        return lc.ShowLearning(actor, start=True)
    parsed = parse_mentor(actor, f"{subcommand} {rest}".strip())
    if subcommand == "join" and isinstance(parsed, c.RegisterMentor):
        parsed = replace(
            parsed,
            about=_option_text(options, "about"),
            stage=_option_text(options, "stage") or None,
            region=_option_text(options, "region") or None,
        )
    return parsed


def ask_command(
    actor: c.Actor, question: str, *, anonymous: bool = False, stage: str | None = None
) -> c.Command | ParseError:
    """``/askmentor question:<text> [anonymous] [stage]``: ``cancel <n>`` and ``faq <words>``
    typed as the question work as in the text grammar, and flags typed in the text (``--senior``,
    ``--anonymous``) count like the options."""
    typed = parse_ask_command(actor, question, anonymous=anonymous)
    if not isinstance(typed, c.AskQuestion):
        return typed
    return replace(typed, stage=stage or typed.stage)


def handover_command(actor: c.Actor, question_id: int, *, to_id: int | str) -> c.Command:
    """``/mentor handover question:<n> to:<member>``."""
    return c.HandOverQuestion(actor, question_id, user_ref(to_id))


def admin_command(
    actor: c.Actor, subcommand: str, options: Mapping[str, Any], *, now: datetime
) -> c.Command | ParseError:
    """``/mentoradmin digest [week] | stats | audit | dashboard | export member |
    forget member [confirm]``."""
    if subcommand in ("export", "forget") and options.get("member_id") is not None:
        member = user_ref(options["member_id"])
        name = str(options.get("member_name") or member.id)
        if subcommand == "export":
            return ExportPerson(actor, member, name)
        return ForgetPerson(actor, member, name, confirmed=bool(options.get("confirm")))
    rest = _option_text(options, "week") if subcommand == "digest" else ""
    return parse_admin(actor, f"{subcommand} {rest}".strip(), now=now)


def kudos_command(
    actor: c.Actor,
    *,
    to_id: int | str,
    to_name: str,
    why: str,
    private: bool,
    to_bot: bool = False,
) -> c.Command:
    """``/kudos member:<member> why:<text> private:<bool>`` (`to_bot`: the member is a bot)."""
    return GiveKudos(actor, user_ref(to_id), to_name, why.strip(), private, to_bot=to_bot)


def lightning_command(
    actor: c.Actor, subcommand: str, options: Mapping[str, Any]
) -> c.Command | ParseError:
    """``/lightning <subcommand>`` with typed options → command (the text grammar checks)."""
    order = {
        "propose": ("topic", "when", "title"),
        "accept": ("session", "when", "title"),
        "join": ("session",),
        "leave": ("session",),
        "rate": ("session", "score"),
        "list": (),
        "move": ("session", "when"),
        "cancel": ("session",),
    }.get(subcommand, ())
    rest = " ".join(_option_text(options, name) for name in order)
    return parse_lightning(actor, f"{subcommand} {rest}".strip())


def lightning_form_command(
    actor: c.Actor, lightning_id: int, *, title: str, when: str
) -> c.Command | ParseError:
    """The "I'll teach it" form → AcceptLightning (the time in the mentor's own timezone)."""
    starts_at = parse_when(when)
    if starts_at is None:
        # A real-looking but impossible time (2026-02-30, 24:30) is named, not "unreadable".
        problem = when_problem(when) or f"I couldn't read `{when.strip()}` as a time."
        # Said under the form just sent (a Discord form can't stay open to be corrected): what
        # to do in the form again, not a command with a number the form never showed.
        return ParseError(
            f"{problem} Press **I'll teach it** again and type the start as "
            "`YYYY-MM-DD HH:MM`, e.g. `2026-12-03 15:00` (in your own timezone)."
        )
    # The form came from a button: the session's internal id (never shown).
    return AcceptLightning(actor, lightning_id, starts_at, title, by_id=True)


def complete_timezone(typed: str, zones: Iterable[str], *, limit: int = 25) -> list[str]:
    """Timezones for autocomplete: prefix matches first, then substring matches."""
    needle = typed.strip().lower().replace(" ", "_")
    prefix = [z for z in zones if z.lower().startswith(needle)]
    if len(prefix) >= limit or not needle:
        return prefix[:limit]
    inside = [z for z in zones if needle in z.lower() and z not in prefix]
    return (prefix + inside)[:limit]


def complete_skills(typed: str, terms: Iterable[str], *, limit: int = 25) -> list[str]:
    """Complete the last skill of a comma-separated list, keeping the ones already typed.
    Picking a choice replaces the whole option with it, and a choice is at most
    CHOICE_LIMIT characters: only completions that fit whole are offered. Past that
    (a long list) there are none, and what was typed is sent as typed; a shortened
    choice would silently drop skills."""
    head, sep, last = typed.rpartition(",")
    keep = f"{head.strip()}, " if sep else ""
    needle = last.strip().lower()
    chosen = {s.strip().lower() for s in head.split(",") if s.strip()}
    names = sorted({t for t in terms if t not in chosen})
    prefix = [t for t in names if t.startswith(needle)]
    inside = [t for t in names if needle and needle in t and t not in prefix]
    whole = [keep + t for t in prefix + inside]
    return [v for v in whole if len(v) <= CHOICE_LIMIT][:limit]


def member_left(*, user_id: int | str, guild_id: int | str) -> PersonLeft:
    """``GUILD_MEMBER_REMOVE``: someone left (or was removed from) the server."""
    return PersonLeft(user_ref(user_id), WorkspaceRef(PLATFORM, str(guild_id)))
