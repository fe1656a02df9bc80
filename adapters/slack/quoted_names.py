"""The names of the people a message quoted in the ask form mentions, as far as they can be
told in time."""

from __future__ import annotations

import asyncio

from adapters.slack.users import SlackDirectory, SlackUser

__all__ = ["NAMES_AT_MOST", "NAMES_WITHIN", "names_within"]

# The message shortcut's quote names the people it mentions: users.info for those the directory
# does not know yet, at most this long after the shortcut arrived (its trigger_id lasts 3 s and
# views.open comes after), and for at most this many people (the rest: "@someone"). A slash
# command's text, read after its acknowledgement, is given as long for mentions Slack sent
# without a name.
NAMES_WITHIN = 1.0
NAMES_AT_MOST = 10


async def names_within(
    directory: SlackDirectory, users: list[str], *, within: float
) -> dict[str, str]:
    """The names of `users` (ids) that can be told within `within` seconds: what the directory
    knows already, then users.info for the rest, all at once; one not found (or a look-up that
    failed or is late) is left out."""
    found: dict[str, SlackUser] = {}
    asking: list[str] = []
    for uid in users:
        who = directory.known(uid)
        if who is not None:
            found[uid] = who
        elif len(asking) < NAMES_AT_MOST:
            asking.append(uid)
    if asking and within > 0:
        lookups = {uid: asyncio.ensure_future(directory.user(uid)) for uid in asking}
        _, late = await asyncio.wait(lookups.values(), timeout=within)
        for task in late:
            task.cancel()
        await asyncio.gather(*lookups.values(), return_exceptions=True)
        for uid, task in lookups.items():
            if task.done() and not task.cancelled() and task.exception() is None:
                found[uid] = task.result()
    return {
        uid: who.name
        for uid, who in found.items()
        if who.name and who.name != uid and not who.missing  # not the stand-in (the id)
    }
