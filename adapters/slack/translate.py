"""Slack payloads → commands (pure): slash commands, reactions, buttons, modals, thread messages."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot import commands as c
from bot.flow.outbox import ReplyTo
from bot.learning import commands as lc
from bot.lightning.commands import AcceptLightning
from bot.messages import parse_custom_id
from bot.privacy.commands import PersonBack, PersonLeft
from bot.refs import ChannelRef, MessageRef, ThreadRef, UserRef, WorkspaceRef
from bot.textcommands import (
    ParseError,
    parse_admin,
    parse_ask_command,
    parse_kudos,
    parse_lightning,
    parse_mentor,
    split_skills,
)

__all__ = [
    "AUTHORIZED_TEAM",
    "FORM_BUTTONS",
    "PLATFORM",
    "OpenModal",
    "block_action",
    "channel_of",
    "channel_ref",
    "emoji_name",
    "event_happened_by",
    "form_for_button",
    "mentioned_user",
    "mentioned_users",
    "message_ref",
    "metadata_of",
    "modal_for",
    "reacted_message",
    "reaction",
    "slash_command",
    "split_ref",
    "thread_of_message",
    "thread_ref",
    "unescape",
    "user_change",
    "user_left",
    "user_ref",
    "view_submission",
    "workspace_ref",
]

PLATFORM = "slack"

_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{6,}$")


@dataclass(frozen=True, slots=True)
class OpenModal:
    """The user needs a form first: ``ask``, ``join``, ``comment`` or ``faq`` (on question
    `question_id`), ``edit`` (coached draft `question_id`, the ask form again with its text),
    ``faqupdate`` (FAQ entry `question_id`, the FAQ form with its answer) or ``lightning``
    (teaching lightning session `question_id`)."""

    kind: str
    question_id: int | None = None
    initial: str = ""  # text the form starts with (the ask form from a message shortcut)


# The message shortcut "Ask a mentor about this" (both manifests declare it).
ASK_ABOUT_SHORTCUT = "mm_ask_about"
# of the 2000 a question may have (of a shorter limit, as much less): room for the person's words
_QUOTE_LIMIT = 1200
_SLACK_LINK = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_MENTIONS = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^<>]*)?>")


def mentioned_users(message_text: str) -> list[str]:
    """The user ids a Slack message mentions (``<@U…>``), each once, in order."""
    return list(dict.fromkeys(_MENTIONS.findall(message_text or "")))


_UNNAMED_MENTIONS = re.compile(r"<@([UW][A-Z0-9]+)>")


def unnamed_mentions(slack_text: str) -> list[str]:
    """The user ids a text mentions without their name (``<@U…>``, no ``|name``), each once:
    Slack leaves the name out of a slash command's mentions more and more."""
    return list(dict.fromkeys(_UNNAMED_MENTIONS.findall(slack_text or "")))


def _plain_link(m: re.Match[str], names: Mapping[str, str]) -> str:
    """One of Slack's ``<…>`` as plain words (https://api.slack.com/reference/surfaces/
    formatting#retrieving-messages); nothing of it may ping once the text is posted again."""
    target, label = m.group(1), (m.group(2) or "").strip()
    if target.startswith("@"):  # <@U1> or <@U1|bob>: the person's name, as Slack shows it
        name = names.get(target[1:]) or label.lstrip("@")
        return f"@{name}" if name else "@someone"
    if target.startswith("#"):  # <#C1|general>, or <#C1> (Slack now leaves the name out)
        return f"#{label.lstrip('#') or 'channel'}"
    if target.startswith("!date^"):  # <!date^1392734382^{date}|Feb 18, 2014>: its fallback
        return label or "a date"
    if target.startswith("!subteam^"):  # <!subteam^S1|@platform>: a user group, by its handle
        return f"@{label.lstrip('@')}" if label.lstrip("@") else "@a group"
    if target.startswith("!"):  # <!here>, <!channel>, <!everyone> (a label, when any, alike)
        return f"@{(label or target).lstrip('@!')}"
    if target.startswith("mailto:") and label:
        return label
    return f"{label} ({target})" if label and label != target else target


def _plain_words(slack_text: str, names: Mapping[str, str] | None = None) -> str:
    """Text as Slack sends it (a message, a slash command's), as the person wrote it: Slack's
    markup (``<@U1|bob>``, ``<#C1|general>``, ``<https://…|label>``, ``<!here>``) as plain
    words (a mentioned user by `names`: user id → name), ``&lt;`` ``&gt;`` ``&amp;`` as typed.
    Renderers escape it again: nothing of it pings once posted."""
    known = names or {}
    return unescape(_SLACK_LINK.sub(lambda m: _plain_link(m, known), slack_text or ""))


def quoted_for_ask(
    message_text: str, *, max_length: int = 2000, names: Mapping[str, str] | None = None
) -> str:
    """The ask form's start from a message shortcut: the message quoted (``> ``), mentions and
    links as plain words (a mentioned user by `names`: user id → name), then an empty line for
    the question (`max_length`: a question's)."""
    plain = _plain_words(message_text, names).strip()
    quoted = "\n".join(f"> {line}" if line else ">" for line in plain.splitlines())
    limit = min(_QUOTE_LIMIT, max_length * _QUOTE_LIMIT // 2000)
    if len(quoted) > limit:  # the ``> `` of many short lines counts too
        quoted = quoted[: limit - 1].rstrip() + "…"
    return f"{quoted}\n\n" if quoted else ""


# Buttons that open a form instead of sending a command.
# Buttons that open a form first (its submission is the input), and the form each opens.
FORM_BUTTONS = {
    "comment": "comment",
    "faq": "faq",
    "edit": "edit",
    "faqupdate": "faqupdate",
    "teach": "lightning",
    "ask": "ask",  # the home view's [Ask a question]
    "skills": "join",  # the home view's [Edit skills]: the join form sets them again
}


def user_ref(user_id: str) -> UserRef:
    return UserRef(PLATFORM, user_id)


def workspace_ref(team_id: str) -> WorkspaceRef:
    return WorkspaceRef(PLATFORM, team_id)


def channel_ref(channel_id: str) -> ChannelRef:
    return ChannelRef(PLATFORM, channel_id)


def message_ref(channel: str, ts: str) -> MessageRef:
    """A Slack message is its channel plus its timestamp: ``C123:1700000000.000100``."""
    return MessageRef(PLATFORM, f"{channel}:{ts}")


def thread_ref(channel: str, thread_ts: str | None = None) -> ThreadRef:
    """A reply thread (``C123:thread_ts``) or a whole group DM (``G123``)."""
    return ThreadRef(PLATFORM, f"{channel}:{thread_ts}" if thread_ts else channel)


def split_ref(ref_id: str) -> tuple[str, str | None]:
    """Inverse of :func:`message_ref` / :func:`thread_ref`: (channel, ts or None)."""
    channel, _, ts = ref_id.partition(":")
    return channel, ts or None


# Rows stored by a release before `ReplyTo.reacted` name the message a reaction was on in
# `ReplyTo.thread`, as "of:<ts>"; they are read so. (Nothing writes it any more: a release that
# knew no better took it for a thread_ts.)
_REACTED = "of:"


def reacted_message(to: ReplyTo) -> str | None:
    """The ts of the message `to`'s input reacted to, whose thread its answer goes to (a
    reaction_added event does not name it: looked up when the answer is sent), else None."""
    if to.reacted:
        return to.reacted
    if to.thread and to.thread.startswith(_REACTED):
        return to.thread.removeprefix(_REACTED) or None
    return None


def channel_of(name_or_id: str) -> str | None:
    """A configured channel that is already an id (``C0123ABCD``) is used as is, else None."""
    value = name_or_id.strip()
    return value if _CHANNEL_ID.match(value) else None


def emoji_name(raw: str) -> str:
    """``:raising_hand::skin-tone-2:`` or ``raising_hand::skin-tone-2`` → ``raising_hand``."""
    return raw.strip(":").split("::", 1)[0]


def unescape(s: str) -> str:
    """Slack sends typed ``&``, ``<`` and ``>`` as ``&amp;``, ``&lt;`` and ``&gt;``; the core
    wants what the person typed (renderers escape it again)."""
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def modal_for(command: str, raw_text: str) -> OpenModal | None:
    """The form a slash command opens instead of running: `/askmentor` and `/mentor join`
    with nothing after them."""
    name = command.lstrip("/").lower()
    body = unescape(raw_text).strip()
    if name == "askmentor" and not body:
        return OpenModal("ask")
    if name == "mentor" and body.lower() == "join":
        return OpenModal("join")
    return None


def slash_command(
    command: str,
    raw_text: str,
    *,
    actor: c.Actor,
    now: datetime,
    names: Mapping[str, str] | None = None,
) -> c.Command | ParseError | OpenModal:
    """``/askmentor``, ``/mentor``, ``/mentoradmin``, ``/kudos``, ``/lightning`` and their text →
    a command or a form; a mention without its name (``<@U1>``) is written with `names` (user
    id → name), else "@someone"."""
    modal = modal_for(command, raw_text)
    if modal is not None:
        return modal
    name = command.lstrip("/").lower()
    parsed = _slash_command(name, raw_text, actor=actor, now=now, names=names)
    if (
        isinstance(parsed, ParseError)
        and name in _NAMES_A_PERSON
        and _TYPED_MENTION.search(raw_text)
    ):
        # "@alice" as plain text: typed rather than picked, or the app's manifest does not
        # escape this command (`should_escape: false`), so Slack sent no user id.
        return ParseError(
            f"{parsed.message} Pick the person from Slack's @ list, so that I get who they "
            "are, not only a name."
        )
    return parsed


# A plain "@name" that is not Slack's escaped mention (``<@U…|name>``), in the commands whose
# text names a person (a hand-over, export and forget, kudos); in a question it is just text.
_TYPED_MENTION = re.compile(r"(?:^|\s)@\w")
_NAMES_A_PERSON = frozenset({"mentor", "mentoradmin", "kudos"})


def _slash_command(
    name: str,
    raw_text: str,
    *,
    actor: c.Actor,
    now: datetime,
    names: Mapping[str, str] | None = None,
) -> c.Command | ParseError:
    body = _slash_text(name, raw_text, names)
    if name == "askmentor":
        return parse_ask_command(actor, body)
    if name == "mentor":
        # The mention is read from the text as Slack sent it: a real one is ``<@U…|name>``,
        # while a typed look-alike arrives escaped (``&lt;@U…&gt;``) and names nobody.
        sent = raw_text.strip().split(None, 2)

        def user_named(_: str) -> tuple[UserRef, str] | None:
            return mentioned_user(sent[2]) if len(sent) == 3 else None

        return parse_mentor(actor, body, user_named=user_named)
    if name == "mentoradmin":
        parts = raw_text.strip().split(None, 1)
        tail = parts[1] if len(parts) == 2 else ""

        def admin_named(_: str) -> tuple[UserRef, str] | None:
            # `<@U…|name>` as Slack sent it (a typed look-alike arrives escaped: nobody).
            mention = tail[: -len(" confirm")] if tail.lower().endswith(" confirm") else tail
            return mentioned_user(mention)

        return parse_admin(actor, body, now=now, user_named=admin_named)
    if name == "kudos":
        # As for a hand-over: only a mention Slack sent counts (it arrives unescaped in the raw
        # text); a typed ``<@U…|Any Name>`` arrives escaped and thanks nobody.
        raw_words = raw_text.split()

        def sent_mention(who: str) -> tuple[UserRef, str] | None:
            return mentioned_user(who) if who in raw_words else None

        return parse_kudos(actor, body, user_named=sent_mention)
    if name == "lightning":
        return parse_lightning(actor, body)
    return ParseError(f"I don't know the command `/{name}`.")


def _slash_text(name: str, raw_text: str, names: Mapping[str, str] | None = None) -> str:
    """A slash command's text for the core: the words that may name a person (`_person_words`)
    as typed, the rest (a thanks, an about text, a question) as plain words. Slack sends
    ``<@U…|name>``, ``<#C…|name>``, ``<https://…>`` for a command with ``should_escape`` (and
    ``&lt;`` ``&gt;`` ``&amp;`` for what was typed, either way): stored as is, they would be shown
    escaped, literally."""
    head = re.match(rf"\s*(?:\S+(?:\s+|$)){{0,{_person_words(name, raw_text)}}}", raw_text)
    end = head.end() if head else 0
    return (unescape(raw_text[:end]) + _plain_words(raw_text[end:], names)).strip()


def _person_words(name: str, raw_text: str) -> int:
    """How many of a command's first words are read as Slack sent them (a mention there names
    someone): ``/kudos [--private] <person>``, ``/mentor handover <n> <person>``,
    ``/mentoradmin export|forget <person> [confirm]``, else the subcommand's word at most."""
    words = raw_text.split()
    sub = words[0].lower() if words else ""
    if name == "kudos":  # through the first mention Slack sent (none: the thanks fails)
        return next((i + 1 for i, word in enumerate(words) if word.startswith("<@")), 0)
    if name == "mentor":
        return 3 if sub == "handover" else 1
    if name == "mentoradmin":
        return len(words) if sub in ("export", "forget") else 1
    return 0


_USER_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|([^>]*))?>$")


def mentioned_user(raw: str) -> tuple[UserRef, str] | None:
    """``<@U123|carol>`` (how Slack escapes an @mention in slash text) → the user and a name."""
    m = _USER_MENTION.match(raw.strip())
    if m is None:
        return None
    return user_ref(m[1]), (m[2] or m[1])


def reaction(
    event: Mapping[str, Any], *, actor: c.Actor, thread: ThreadRef | None
) -> c.Command | None:
    """``reaction_added`` on a message → HandleReaction (the core decides if it means anything)."""
    item = event.get("item") or {}
    if item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
        return None
    return c.HandleReaction(
        actor,
        message_ref(item["channel"], item["ts"]),
        emoji_name(event.get("reaction", "")),
        thread,
    )


def block_action(action_id: str, *, actor: c.Actor) -> c.Command | OpenModal | None:
    """A button ``mm:<action>:<question>`` → its command; None for ids that aren't ours."""
    parsed = parse_custom_id(action_id)
    if parsed is None:
        return None
    form = form_for_button(action_id)
    if form is not None:
        return form
    action, question_id = parsed
    if action in FORM_BUTTONS:
        return OpenModal(action, question_id)
    return c.button_command(actor, action, question_id)


def form_for_button(action_id: str) -> OpenModal | None:
    """The form a button opens first (`FORM_BUTTONS`); None for every other button."""
    parsed = parse_custom_id(action_id)
    if parsed is None or parsed[0] not in FORM_BUTTONS:
        return None
    return OpenModal(FORM_BUTTONS[parsed[0]], parsed[1])


def user_left(body: Mapping[str, Any]) -> PersonLeft | None:
    """``user_change`` with ``deleted``: someone was deactivated (left the company)."""
    change = user_change(body)
    return change if isinstance(change, PersonLeft) else None


AUTHORIZED_TEAM = "micromentor_team_id"
"""Where the OAuth mode puts the workspace Bolt authorised a request for, in its body."""


def user_change(body: Mapping[str, Any]) -> PersonLeft | PersonBack | None:
    """What a ``user_change`` event says about a person: deactivated (``deleted``: they left the
    company) or active (back, if they had left; most are mere profile edits, which the listener
    stores only for someone recorded as having left). None for any other event, and for a bot
    user (an app's, or Slackbot): bots are never people the bot mentors or asks."""
    event = body.get("event") or {}
    user = event.get("user") if isinstance(event, dict) else None
    if event.get("type") != "user_change" or not isinstance(user, dict):
        return None
    uid = str(user.get("id") or "")
    if not uid or user.get("is_bot") or uid == "USLACKBOT":
        return None
    # The workspace the event came from (the one the app is installed in): the user object's
    # `team_id` is their home team, another one for a Slack Connect or Enterprise Grid member.
    team = str(body.get(AUTHORIZED_TEAM) or body.get("team_id") or user.get("team_id") or "")
    if user.get("deleted"):
        return PersonLeft(user_ref(uid), workspace_ref(team))
    return PersonBack(user_ref(uid), workspace_ref(team))


def event_happened_by(body: Mapping[str, Any]) -> datetime | None:
    """When what an Events API envelope tells of had happened by: the end of the whole second
    of its ``event_time`` (Slack dispatched it in that second; a retry keeps it), so a call
    begun within that second counts as before it. None without one."""
    when = body.get("event_time")
    if not isinstance(when, int | float) or isinstance(when, bool):
        return None
    return datetime.fromtimestamp(int(when) + 1, UTC)


def metadata_of(view: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON we put in a modal's ``private_metadata``."""
    try:
        data = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _value(values: Mapping[str, Any], block_id: str) -> str:
    element = (values.get(block_id) or {}).get("value") or {}
    return str(element.get("value") or "").strip()


def _selected(values: Mapping[str, Any], block_id: str) -> str:
    """The value of a static select (empty when nothing or "any" is chosen)."""
    option = ((values.get(block_id) or {}).get("value") or {}).get("selected_option") or {}
    chosen = str(option.get("value") or "")
    return "" if chosen == "any" else chosen


def view_submission(view: Mapping[str, Any], *, actor: c.Actor) -> c.Command | None:
    """A submitted modal (``mm_ask``, ``mm_join``, ``mm_lightning``, ``mm_comment``, ``mm_faq``)
    → its command."""
    values = (view.get("state") or {}).get("values") or {}
    callback = view.get("callback_id")
    meta = metadata_of(view)
    question_id = meta.get("question_id")
    if callback == "mm_ask":
        selected = ((values.get("anonymous") or {}).get("value") or {}).get(
            "selected_options"
        ) or []
        anonymous = any(o.get("value") == "anonymous" for o in selected)
        draft = meta.get("draft_id")
        return c.AskQuestion(
            actor,
            _value(values, "question"),
            anonymous,
            stage=_selected(values, "stage") or None,
            draft_id=draft if isinstance(draft, int) else None,
        )
    if callback == "mm_join":
        return c.RegisterMentor(
            actor,
            split_skills(_value(values, "skills")),
            hours=_value(values, "hours") or None,
            timezone=_value(values, "timezone") or None,
            about=_value(values, "about"),
            stage=_selected(values, "stage") or None,
            region=_value(values, "region") or None,
        )
    if callback == "mm_lightning":
        lightning_id = meta.get("lightning_id")
        picked = ((values.get("starts_at") or {}).get("value") or {}).get("selected_date_time")
        if not isinstance(lightning_id, int) or not isinstance(picked, int):
            return None
        starts_at = datetime.fromtimestamp(picked, tz=UTC)
        # The form came from a button: the session's internal id.
        return AcceptLightning(actor, lightning_id, starts_at, _value(values, "title"), by_id=True)
    if not isinstance(question_id, int):
        return None
    if callback == "mm_comment":
        return c.CommentOnSession(actor, question_id, _value(values, "comment"))
    if callback == "mm_faq":
        # [Update]'s form says so; "Save as FAQ" never replaces an answer saved already.
        return lc.SaveFaq(
            actor, question_id, _value(values, "answer"), replace=meta.get("replace") is True
        )
    return None


# What a person writes: a plain message (no subtype), a reply also sent to the channel, a file
# with a comment, a /me message. Everything else (edits, deletions, joins, topic and purpose
# changes, pins, bots, Slackbot, subtypes Slack adds later) is not a person talking.
_PERSON_SUBTYPES = {None, "thread_broadcast", "file_share", "me_message"}


def thread_of_message(event: Mapping[str, Any]) -> ThreadRef | None:
    """Where a human wrote (for session activity): a reply thread, or a group DM (a private
    session's thread is the whole group DM: a reply in a thread inside it counts for it too);
    else None."""
    if event.get("bot_id") or event.get("subtype") not in _PERSON_SUBTYPES or not event.get("user"):
        return None
    channel = event.get("channel")
    if not channel:
        return None
    if event.get("channel_type") == "mpim":
        return thread_ref(channel)
    if event.get("thread_ts"):
        return thread_ref(channel, event["thread_ts"])
    return None
