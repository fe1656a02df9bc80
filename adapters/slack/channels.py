"""The configured channels of each workspace, watched: archived, unarchived, deleted or renamed
(Slack's ``channel_*`` and ``group_*`` events), or refused by Slack when a delivery went there
(``is_archived``, ``channel_not_found``: an event missed is learned at the first failure).

A workspace without a usable mentoring channel takes no questions: `ChannelWatch.cannot_ask`
says so, in memory (asked before a slash command's 3-second acknowledgement). The operator is
told once when a configured channel becomes unusable, and once when it is usable again."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from adapters.slack.translate import channel_of

if TYPE_CHECKING:
    from bot.config import ChannelsSection

__all__ = ["ARCHIVED", "DELETED", "NOT_FOUND", "ChannelWatch", "no_mentoring"]

log = logging.getLogger(__name__)

# Why a configured channel can't be used.
ARCHIVED = "archived"
DELETED = "deleted"
NOT_FOUND = "not_found"  # Slack's channel_not_found: deleted, or a private one the app left
# Slack's delivery errors that say the channel is unusable, and why.
_REFUSALS = {"is_archived": ARCHIVED, "channel_not_found": NOT_FOUND}

# What happened to the channel, for the operator's line and the asker's answer.
_HAPPENED = {
    ARCHIVED: "is archived",
    DELETED: "was deleted",
    NOT_FOUND: "can't be found by the app (deleted, or a private channel the app was removed from)",
}
# What the operator does about it (`key`: the ``[channels]`` setting).
_FIX = {
    ARCHIVED: (
        "unarchive it in Slack (taken at once), or set [channels] {key} in bot.toml to another "
        "channel's name or id and restart"
    ),
    DELETED: "set [channels] {key} in bot.toml to another channel's name or id and restart",
    NOT_FOUND: (
        "for a private channel, invite the app back (/invite @Micromentor) and restart; else "
        "set [channels] {key} in bot.toml to another channel's name or id and restart"
    ),
}
# What each channel is for, when it is gone.
_EFFECT = {
    "mentoring": ("/askmentor there is answered that questions can't be posted (nothing is saved)"),
    "admin": "what goes there (digests, escalations, reports) is skipped",
    "escalation": "escalations to it are skipped",
}

# The answer to a question asked while the workspace's mentoring channel is unusable: not
# taken (its card could go nowhere; an asker told "taken" would wait for mentors who never
# see it). Plain text: it is also shown under a form's field.
NO_MENTORING = (
    "Sorry, questions can't be posted right now: this workspace's mentoring channel {happened}, "
    "so your question was not saved. {how} Please ask again once that is done."
)
_HOW = {
    ARCHIVED: (
        "A workspace admin needs to unarchive the channel, or ask whoever runs Micromentor to "
        "set another mentoring channel."
    ),
    DELETED: "Whoever runs Micromentor needs to set another mentoring channel.",
    NOT_FOUND: (
        "If it is a private channel, someone in it needs to invite the app back "
        "(/invite @Micromentor); otherwise whoever runs Micromentor needs to set another "
        "mentoring channel."
    ),
}
_ASKER_HAPPENED = {
    ARCHIVED: "is archived",
    DELETED: "was deleted",
    NOT_FOUND: "can't be reached by the app",
}


def no_mentoring(why: str) -> str:
    """What someone asking in a workspace whose mentoring channel is unusable (`why`) is told."""
    return NO_MENTORING.format(happened=_ASKER_HAPPENED[why], how=_HOW[why])


@dataclass(slots=True)
class _Workspace:
    """One workspace's configured channels (``[channels]`` key → id), how each was configured
    (for the log), and those unusable now (key → why)."""

    name: str
    channels: dict[str, str]
    configured: dict[str, str]
    unusable: dict[str, str] = field(default_factory=dict)


class ChannelWatch:
    """Per workspace (team id): its configured channels, and which are unusable now."""

    def __init__(self) -> None:
        self._teams: dict[str, _Workspace] = {}

    def watch(
        self,
        team_id: str,
        channels: ChannelsSection,
        *,
        name: str,
        mentoring: str,
        admin: str,
        escalation: str | None,
    ) -> None:
        """The workspace was set up with these channel ids, found usable (at start-up or its
        registration): any earlier unusable state is gone."""
        ids = {"mentoring": mentoring, "admin": admin}
        configured = {"mentoring": channels.mentoring, "admin": channels.admin}
        if escalation:
            ids["escalation"] = escalation
            configured["escalation"] = channels.escalation or escalation
        before = self._teams.get(team_id)
        self._teams[team_id] = _Workspace(name or team_id, ids, configured)
        if before is not None and before.unusable:
            log.info(
                "Slack: workspace %s (%s) is set up again with usable channels",
                name or team_id,
                team_id,
            )

    def _keys(self, ws: _Workspace, channel_id: str) -> list[str]:
        return [key for key, known in ws.channels.items() if known == channel_id]

    def _where(self, ws: _Workspace, key: str) -> str:
        wanted = ws.configured.get(key, "")
        channel_id = ws.channels[key]
        if channel_of(wanted):
            return channel_id
        return f"#{wanted.strip().lstrip('#')} ({channel_id})"

    def lost(self, team_id: str, channel_id: str, why: str, *, news_only: bool = False) -> None:
        """A channel of workspace `team_id` is unusable (`why`: `ARCHIVED`, `DELETED`,
        `NOT_FOUND`); for a configured one the operator is told once, with what to do. With
        `news_only`, a channel already known unusable (for any reason) is left as it is."""
        ws = self._teams.get(team_id)
        if ws is None:
            return
        for key in self._keys(ws, channel_id):
            known = ws.unusable.get(key)
            if known == why or known == DELETED or (news_only and known is not None):
                continue  # told already (a deleted channel stays deleted)
            ws.unusable[key] = why
            log.error(
                "Slack: workspace %s (%s): its %s channel %s %s. Until this is fixed, %s: %s.",
                ws.name,
                team_id,
                key,
                self._where(ws, key),
                _HAPPENED[why],
                _EFFECT.get(key, "what goes there is skipped"),
                _FIX[why].format(key=key),
            )

    def refused(self, team_id: str | None, channel_id: str, code: str) -> None:
        """Slack refused a delivery to `channel_id` with `code`: ``is_archived`` or
        ``channel_not_found`` for a configured channel makes it unusable (the event about it
        may have been missed). `team_id` None: whichever workspace was set up with it."""
        why = _REFUSALS.get(code)
        if why is None:
            return
        for team in self._teams_of(team_id, channel_id):
            self.lost(team, channel_id, why, news_only=True)  # each row after: nothing said

    def delivered(self, team_id: str | None, channel_id: str) -> None:
        """Slack took a delivery to `channel_id`: usable, whatever was thought (an unarchive
        missed)."""
        for team in self._teams_of(team_id, channel_id):
            self.back(team, channel_id)

    def _teams_of(self, team_id: str | None, channel_id: str) -> list[str]:
        teams = [team_id] if team_id else list(self._teams)
        return [t for t in teams if t in self._teams and self._keys(self._teams[t], channel_id)]

    def back(self, team_id: str, channel_id: str) -> None:
        """A channel of workspace `team_id` is usable again (unarchived): said once."""
        ws = self._teams.get(team_id)
        if ws is None:
            return
        for key in self._keys(ws, channel_id):
            if ws.unusable.pop(key, None) is None:
                continue
            after = (
                "questions are taken again" if key == "mentoring" else "deliveries go there again"
            )
            log.info(
                "Slack: workspace %s (%s): its %s channel %s is usable again; %s",
                ws.name,
                team_id,
                key,
                self._where(ws, key),
                after,
            )

    def renamed(self, team_id: str, channel_id: str, name: str) -> None:
        """A configured channel was renamed: the app goes on posting there (by id), but a
        ``[channels]`` setting by name will not find it at the next start: said once."""
        ws = self._teams.get(team_id)
        if ws is None:
            return
        for key in self._keys(ws, channel_id):
            wanted = ws.configured.get(key, "")
            if channel_of(wanted) or wanted.strip().lstrip("#").lower() == name.lower():
                continue
            log.warning(
                "Slack: workspace %s (%s): its %s channel %s was renamed to #%s. The app goes on "
                "posting there, but at the next start [channels] %s = %r will not find it: set "
                "it to %r (or the id %s) in bot.toml",
                ws.name,
                team_id,
                key,
                self._where(ws, key),
                name,
                key,
                wanted,
                name,
                channel_id,
            )

    def unusable(self, team_id: str, key: str = "mentoring") -> str | None:
        """Why workspace `team_id`'s `key` channel is unusable now; None when it is usable."""
        ws = self._teams.get(team_id)
        return ws.unusable.get(key) if ws is not None else None

    def cannot_ask(self, team_id: str) -> str | None:
        """What to answer a question asked in workspace `team_id` whose mentoring channel is
        unusable; None when questions are taken there. In memory only: no Slack call."""
        why = self.unusable(team_id)
        return no_mentoring(why) if why is not None else None
