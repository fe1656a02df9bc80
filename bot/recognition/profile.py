"""Recognition on someone's own views (`/mentor me`, the home view): badges and the streak."""

from __future__ import annotations

from bot.messagebus import Context
from bot.messages import Text, text
from bot.recognition.badges import badges_text
from bot.recognition.streaks import streak_of
from bot.refs import UserRef

__all__ = ["recognition_fields", "streak_text"]


def streak_text(current: int, best: int, this_week: bool) -> Text:
    if current == 0:
        tail = f" (best {best})" if best else ""
        return text(f"no current streak{tail} — a week counts when you resolve a session")
    weeks = "1 week" if current == 1 else f"{current} weeks in a row"
    note = "" if this_week else "; none yet this week"
    return text(f"🔥 {weeks} (best {best}{note})")


async def recognition_fields(
    ctx: Context, user: UserRef, *, mentor: bool
) -> tuple[tuple[str, Text], ...]:
    """("Helping streak", …) for mentors, and ("Badges", …) for everyone."""
    fields: list[tuple[str, Text]] = []
    if mentor:
        streak = await streak_of(ctx, user)
        fields.append(
            ("Helping streak", streak_text(streak.current, streak.best, streak.this_week))
        )
    fields.append(("Badges", badges_text(await ctx.uow.badges.of(user))))
    return tuple(fields)
