"""Weekly working hours in a person's own timezone: parsing, checking and finding the next slot."""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = [
    "DAYS",
    "HoursError",
    "WeeklyHours",
    "check_timezone",
    "first_instant_at",
    "known_timezones",
]

DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_INDEX = {d.lower(): i for i, d in enumerate(DAYS)}
_SEGMENT = re.compile(
    r"^\s*(?P<d1>[A-Za-z]{3})[a-z]*\s*(?:-\s*(?P<d2>[A-Za-z]{3})[a-z]*)?\s+"
    r"(?P<h1>\d{1,2})(?::(?P<m1>\d{2}))?\s*-\s*(?P<h2>\d{1,2})(?::(?P<m2>\d{2}))?\s*$"
)


class HoursError(ValueError):
    """A working-hours text or timezone that could not be understood."""


@dataclass(frozen=True, slots=True)
class WeeklyHours:
    """Working windows per weekday, in minutes after local midnight: ``(day, start, end)``."""

    windows: tuple[tuple[int, int, int], ...]

    @classmethod
    def parse(cls, text: str) -> WeeklyHours:
        """Parse ``Mon-Fri 09:00-17:00`` (several parts separated by ``,`` or ``;``)."""
        # Rosters repeat a handful of schedules; loading 10,000 profiles must not parse 10,000 times.
        return _parse_cached(text)

    @classmethod
    def _parse(cls, text: str) -> WeeklyHours:
        windows: list[tuple[int, int, int]] = []
        parts = [p for p in re.split(r"[;,]", text) if p.strip()]
        if not parts:
            raise HoursError("Working hours are empty. Write them like `Mon-Fri 09:00-17:00`.")
        for part in parts:
            m = _SEGMENT.match(part)
            if not m:
                raise HoursError(
                    f"I could not read `{part.strip()}` as working hours. "
                    "Write them like `Mon-Fri 09:00-17:00` or `Mon 10:00-12:00, Wed 14:00-18:00`."
                )
            d1 = _DAY_INDEX.get(m["d1"].lower())
            d2 = _DAY_INDEX.get((m["d2"] or m["d1"]).lower())
            if d1 is None or d2 is None:
                raise HoursError(
                    f"`{part.strip()}` names a day I don't know. Use Mon, Tue, Wed, Thu, Fri, Sat, Sun."
                )
            # Whole hours may go without minutes: `9-17` is 09:00-17:00.
            h1, m1, h2, m2 = (int(m[g] or 0) for g in ("h1", "m1", "h2", "m2"))
            if h1 > 24 or h2 > 24 or m1 > 59 or m2 > 59 or (h1 == 24 and m1) or (h2 == 24 and m2):
                raise HoursError(f"`{part.strip()}` has a time that does not exist on a clock.")
            start, end = h1 * 60 + m1, h2 * 60 + m2
            twelve_hour = h1 <= 12 and 1 <= h2 < 12 and h2 + 12 > h1
            if end <= start and not m["m1"] and not m["m2"] and twelve_hour:
                # `9-5`: office hours written the 12-hour way, or 09:00 to 05:00? Not guessed.
                raise HoursError(
                    f"In `{part.strip()}` the end time must be after the start time: hours are "
                    f"24-hour times, so for {'noon' if h1 == 12 else f'{h1}am'} to {h2}pm write "
                    f"`{m['d1']}{'-' + m['d2'] if m['d2'] else ''} {h1:02}:00-{h2 + 12:02}:00`."
                )
            if end <= start:
                raise HoursError(
                    f"In `{part.strip()}` the end time must be after the start time "
                    "(overnight shifts: write two parts, e.g. `Mon 22:00-24:00, Tue 00:00-06:00`)."
                )
            day = d1
            while True:
                windows.append((day, start, end))
                if day == d2:
                    break
                day = (day + 1) % 7
        return cls(tuple(sorted(set(windows))))

    def __str__(self) -> str:
        """Compact form that :meth:`parse` reads back, e.g. ``Mon-Fri 09:00-17:00``."""
        by_span: dict[tuple[int, int], list[int]] = {}
        for d, s, e in self.windows:
            by_span.setdefault((s, e), []).append(d)
        parts: list[tuple[int, str]] = []
        for (s, e), days in by_span.items():
            span = f"{s // 60:02d}:{s % 60:02d}-{e // 60:02d}:{e % 60:02d}"
            runs: list[list[int]] = []
            for d in days:
                if runs and d == runs[-1][-1] + 1:
                    runs[-1].append(d)
                else:
                    runs.append([d])
            for run in runs:
                label = DAYS[run[0]] if len(run) == 1 else f"{DAYS[run[0]]}-{DAYS[run[-1]]}"
                parts.append((run[0], f"{label} {span}"))
        return ", ".join(p for _, p in sorted(parts))

    def contains(self, when: datetime, tz: str) -> bool:
        """Whether the aware datetime `when` falls inside these hours in timezone `tz`."""
        local = when.astimezone(ZoneInfo(tz))
        minute = local.hour * 60 + local.minute
        day = local.weekday()
        return any(d == day and s <= minute < e for d, s, e in self.windows)

    def next_start(self, when: datetime, tz: str) -> datetime:
        """`when` itself if inside the hours, else the first real instant at which a window
        begins (aware, in `when`'s zone).

        A start in a spring-forward gap (02:30 on the night clocks jump from 02:00 to 03:00)
        begins when the clocks jump, not an hour later; a window wholly inside the gap does not
        happen that day; a start in a fall-back hour is the first of its two instants still to
        come."""
        if not self.windows or self.contains(when, tz):
            return when
        zone = ZoneInfo(tz)
        first_day = when.astimezone(zone).date()
        found: list[datetime] = []
        for offset in range(0, 8):
            # One day past the first with a start: a fall-back hour around midnight can make
            # the next local day's start come first in real time; no later day's can.
            had_one = bool(found)
            day = first_day + timedelta(days=offset)
            for d, s, e in self.windows:
                if d != day.weekday():
                    continue
                midnight = datetime.combine(day, time())
                end = _instants(midnight + timedelta(minutes=e), zone)[-1]
                starts = _instants(midnight + timedelta(minutes=s), zone)
                found += [t for t in starts if when <= t < end]
            if had_one:
                break
        return min(found).astimezone(when.tzinfo) if found else when

    @property
    def around_the_clock(self) -> bool:
        """Whether every minute of the week is working time (``Mon-Sun 00:00-24:00``)."""
        covered = {d: 0 for d in range(7)}
        for d, s, e in _merged_days(self.windows):
            covered[d] += e - s
        return all(m == 24 * 60 for m in covered.values())

    def spans(self, start: datetime, end: datetime, tz: str) -> list[tuple[datetime, datetime]]:
        """The working time between the aware `start` and `end`, as (from, to) instants in UTC,
        in order; each window's ends are found as :meth:`next_start` finds its start."""
        zone = ZoneInfo(tz)
        out: list[tuple[datetime, datetime]] = []
        day = start.astimezone(zone).date() - timedelta(days=1)
        last = end.astimezone(zone).date() + timedelta(days=1)
        while day <= last:
            midnight = datetime.combine(day, time())
            for d, s, e in self.windows:
                if d != day.weekday():
                    continue
                begin = max(_instants(midnight + timedelta(minutes=s), zone)[0], start)
                finish = min(_instants(midnight + timedelta(minutes=e), zone)[-1], end)
                if begin < finish:
                    out.append((begin.astimezone(UTC), finish.astimezone(UTC)))
            day += timedelta(days=1)
        return sorted(out)


def _merged_days(windows: tuple[tuple[int, int, int], ...]) -> list[tuple[int, int, int]]:
    """Each day's windows with overlaps merged (``Mon 09:00-12:00, Mon 10:00-13:00``)."""
    out: list[tuple[int, int, int]] = []
    for d, s, e in sorted(windows):
        if out and out[-1][0] == d and s <= out[-1][2]:
            out[-1] = (d, out[-1][1], max(out[-1][2], e))
        else:
            out.append((d, s, e))
    return out


def first_instant_at(wall: datetime, tz: str) -> datetime:
    """The first real instant (aware, UTC) at which clocks in `tz` read the naive `wall` or
    later: the first of two in a fall-back hour, the moment clocks jump in a spring-forward gap."""
    return _instants(wall, ZoneInfo(tz))[0]


def _instants(wall: datetime, zone: ZoneInfo) -> tuple[datetime, ...]:
    """The instants (UTC) at which clocks in `zone` reach the naive `wall`: one as a rule, two
    in a fall-back hour, and in a spring-forward gap the instant clocks jump."""
    early = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    late = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if early == late:
        return (early,)
    if early < late:  # a repeated hour: fold=0 is the first time clocks show it
        return (early, late)
    # A gap: fold=1 (the offset after) lands before the jump, fold=0 (the offset before) after
    # it. The jump is the first instant whose clock reading is at or past `wall`.
    lo, hi = int(late.timestamp()), int(early.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.fromtimestamp(mid, zone).replace(tzinfo=None) >= wall:
            hi = mid
        else:
            lo = mid
    return (datetime.fromtimestamp(hi, UTC),)


@functools.lru_cache(maxsize=1024)
def _parse_cached(text: str) -> WeeklyHours:
    return WeeklyHours._parse(text)


def check_timezone(name: str) -> str:
    """Return the IANA name if it exists, else raise :class:`HoursError` with a suggestion."""
    name = name.strip()
    if not name:
        raise HoursError("Give a timezone like `Europe/Berlin` or `America/New_York`.")
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        offset = _offset_minutes(name)
        if offset is not None:
            # `+2`, `UTC+2`, `GMT+2`, `UTC+05:30`: an offset, not a name (a typed IANA name
            # such as `Etc/GMT+2` or `GMT+0` is read above, as IANA defines it). Never matched as
            # a substring: `+2` is in `Etc/GMT+2`, which is UTC−2 (the POSIX sign).
            raise HoursError(f"`{name}` is not a timezone name. {_offset_advice(offset)}") from None
        lowered = {z.lower(): z for z in known_timezones()}
        if name.lower() in lowered:
            return lowered[name.lower()]
        hint = [z for z in known_timezones() if name.lower() in z.lower()][:3]
        # Else a typo (`Europe/Pariss`): the close spellings, the same in the config file
        # check, the chat command, the forms and the roster.
        hint = hint or difflib.get_close_matches(name, known_timezones(), n=2, cutoff=0.85)
        advice = (
            f"Did you mean {', '.join(f'`{h}`' for h in hint)}?"
            if hint
            else "Use an IANA name like `Europe/Berlin`."
        )
        raise HoursError(f"`{name}` is not a timezone I know. {advice}") from None
    return name


# `+2`, `-3`, `UTC+2`, `GMT +2`, `UTC+05:30`, `+0530`: a UTC offset as people write one.
_OFFSET = re.compile(
    r"^(?:UTC|GMT|Z)?\s*(?P<sign>[+\-−])\s*(?P<h>\d{1,2})(?::?(?P<m>\d{2}))?$", re.IGNORECASE
)
# Offsets that are not whole hours have no `Etc/` zone: the cities whose clock shows each one,
# in standard time or in summer (UTC+10:30 is Adelaide in summer and Lord Howe in winter).
_PART_HOUR_CITIES = {
    -570: ("Pacific/Marquesas",),
    -210: ("America/St_Johns",),
    -150: ("America/St_Johns",),
    210: ("Asia/Tehran",),
    270: ("Asia/Kabul",),
    330: ("Asia/Kolkata", "Asia/Colombo"),
    345: ("Asia/Kathmandu",),
    390: ("Asia/Yangon",),
    525: ("Australia/Eucla",),
    570: ("Australia/Darwin", "Australia/Adelaide"),
    630: ("Australia/Adelaide", "Australia/Lord_Howe"),
    765: ("Pacific/Chatham",),
    825: ("Pacific/Chatham",),
}
_DST_NOTE = "A city name like `Europe/Berlin` follows daylight saving; a fixed offset does not."


def _offset_minutes(name: str) -> int | None:
    """The UTC offset `name` writes (``UTC+05:30`` → 330), or None if it is no offset."""
    m = _OFFSET.match(name)
    if m is None:
        return None
    hours, minutes = int(m["h"]), int(m["m"] or 0)
    if minutes > 59:
        return None
    total = hours * 60 + minutes
    return -total if m["sign"] in "-−" else total


def _offset_advice(minutes: int) -> str:
    """What to write instead of an offset: the fixed `Etc/` zone (its sign is POSIX's, the other
    way round: UTC+2 is `Etc/GMT-2`), or for a part-hour offset a city that keeps it."""
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    shown = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    if minutes == 0:
        return f"For UTC itself write `UTC`. {_DST_NOTE}"
    if rest:
        cities = _PART_HOUR_CITIES.get(minutes)
        if cities is None:
            return f"No timezone I know keeps {shown}. Use your city's IANA name, like `Europe/Berlin`."
        named = " or ".join(f"`{c}`" for c in cities)
        return (
            f"There is no fixed zone for {shown}: use the city whose clock you keep, e.g. {named}."
        )
    if not -12 * 60 <= minutes <= 14 * 60:
        return f"No timezone keeps {shown}. Use an IANA name like `Europe/Berlin`."
    zone = f"Etc/GMT{'-' if minutes > 0 else '+'}{hours}"
    return (
        f"For {shown} all year, use `{zone}` (IANA writes the sign the other way round). "
        + _DST_NOTE
    )


_ZONES: list[str] = []


def known_timezones() -> list[str]:
    """All IANA timezone names, sorted (cached)."""
    if not _ZONES:
        _ZONES.extend(sorted(z for z in available_timezones() if "/" in z or z == "UTC"))
    return _ZONES
