"""Numbers as people read them: durations ("under a minute", "8 h") and plurals ("1 point")."""

from __future__ import annotations

__all__ = ["duration_text", "plural"]


def duration_text(minutes: float | None) -> str:
    """``under a minute``, ``12 min``, ``8 h``, ``2 h 30 min``, ``3 days``; ``n/a`` for None.

    Every duration the bot prints (waits, medians, escalations) goes through here, so the
    asker's "usually claimed in …" and the admin's "median time to claim" read alike.
    """
    if minutes is None:
        return "n/a"
    whole = round(minutes)
    if minutes < 1 or whole == 0:
        return "under a minute"
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    if hours < 24:
        return f"{hours} h" + (f" {rest} min" if rest else "")
    days, hours = divmod(round(minutes / 60), 24)
    return plural(days, "day") + (f" {hours} h" if hours else "")


def plural(n: int, one: str, many: str | None = None) -> str:
    """``1 point``, ``2 points``, ``0 points`` (`many` for irregular words)."""
    return f"{n} {one if n == 1 else (many or one + 's')}"
