"""`/mentoradmin …`: the admin commands (digest, stats, audit, dashboard, export, forget), their
usage, and where an admin who typed another command's word is sent instead."""

from __future__ import annotations

import re
from datetime import datetime

from bot import commands as c
from bot.privacy import commands as pc
from bot.privacy.audit import AUDIT_SHOWN
from bot.textcommands.common import ParseError, UserLookup, _unknown

__all__ = ["ADMIN_USAGE", "parse_admin"]

ADMIN_USAGE = (
    "Admin commands (for this workspace's admins): `/mentoradmin digest [YYYY-Www]` · `/mentoradmin stats` · "
    "`/mentoradmin audit` · `/mentoradmin dashboard` · `/mentoradmin export @someone` · "
    "`/mentoradmin forget @someone` · the mentor list (for everyone): `/mentor list [skill]`"
)
_ADMIN_WORDS = ("digest", "stats", "audit", "dashboard", "export", "forget")
# What an admin types for something another command shows, and where to look instead.
_MENTOR_LIST = (
    "The mentor list is `/mentor list` (or `/mentor list <skill>`), for admins and members "
    "alike; the dashboard's Mentors page (`/mentoradmin dashboard`) lets you manage them."
)
_HANDOVER = (
    "Hand a session over with `/mentor handover <n> @someone`: its mentor can, and an admin can "
    "for any session."
)
# What a bare command shows, for the one that seems to want more of it.
_BARE_SHOWS = {
    "audit": f"; it shows the latest {AUDIT_SHOWN} entries, and the dashboard's audit page "
    "(`/mentoradmin dashboard`) the rest",
}
_ROSTER = (
    "A roster is imported by whoever runs the bot (`micromentor mentors import FILE.csv`); the "
    "dashboard's Mentors page (`/mentoradmin dashboard`) manages mentors one by one."
)
_MANAGE = (
    "Pausing, resuming, removing a mentor or changing their capacity is done on the dashboard's "
    "Mentors page (`/mentoradmin dashboard`); the mentor is told. A mentor can pause themselves "
    "with `/mentor pause`."
)
_ADMIN_MEANT = {
    "pause": _MANAGE,
    "resume": _MANAGE,
    "unpause": _MANAGE,
    "remove": _MANAGE,
    "kick": _MANAGE,
    "capacity": _MANAGE,
    "mentors": _MENTOR_LIST,
    "mentor": _MENTOR_LIST,
    "list": _MENTOR_LIST,
    "handover": _HANDOVER,
    "hand-over": _HANDOVER,
    "reassign": _HANDOVER,
    "import": _ROSTER,
    "roster": _ROSTER,
}
# The commands that take nothing after them: words there are a mistake, not ignored (`audit 50`
# does not show 50 entries).
_BARE = {"stats": c.ShowStats, "audit": pc.ShowAudit, "dashboard": pc.OpenDashboard}

_WEEK = re.compile(r"^\d{4}-W\d{2}$")


def parse_admin(
    actor: c.Actor, raw: str, *, now: datetime, user_named: UserLookup | None = None
) -> c.Command | ParseError:
    """``/mentoradmin <sub>`` text → command; `now` stamps an on-demand digest; `user_named`
    reads the person of ``export`` and ``forget``."""
    sub, _, rest = raw.strip().partition(" ")
    sub, rest = sub.lower(), rest.strip()
    if sub in _BARE:
        if rest:
            return ParseError(
                f"`/mentoradmin {sub}` takes nothing after it, so I didn't run it: type "
                f"`/mentoradmin {sub}` on its own{_BARE_SHOWS.get(sub, '')}."
            )
        return _BARE[sub](actor)
    if sub in ("export", "forget"):
        who, confirm = rest, False
        if sub == "forget" and rest.lower().endswith(" confirm"):
            who, confirm = rest[: -len(" confirm")].strip(), True
        found = user_named(who) if user_named and who else None
        if found is None:
            return ParseError(f"Name the person like `/mentoradmin {sub} @someone`.")
        if sub == "export":
            return pc.ExportPerson(actor, found[0], found[1])
        return pc.ForgetPerson(actor, found[0], found[1], confirmed=confirm)
    if sub == "digest":
        rest = rest.upper()  # `2026-w48` is the same week
        if rest and not _WEEK.match(rest):
            return ParseError("Give the week like `2026-W48`, or nothing for this week so far.")
        return c.SendDigest(now=now, workspace=actor.workspace, actor=actor, week=rest or None)
    if not sub or sub == "help":
        return ParseError(ADMIN_USAGE)
    if sub in _ADMIN_MEANT:
        return ParseError(f"I don't know `/mentoradmin {sub}`. {_ADMIN_MEANT[sub]}")
    return _unknown("/mentoradmin", sub, _ADMIN_WORDS, ADMIN_USAGE)
