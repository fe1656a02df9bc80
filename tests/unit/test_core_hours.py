"""Weekly working hours: parsing, "inside now?" in the person's timezone, next start across DST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.hours import HoursError, WeeklyHours, check_timezone

WORKDAYS = WeeklyHours.parse("Mon-Fri 09:00-17:00")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "windows"),
    [
        ("Mon 09:00-17:00", ((0, 540, 1020),)),
        ("Mon-Wed 9:00-10:30", ((0, 540, 630), (1, 540, 630), (2, 540, 630))),
        ("Monday-Tuesday 09:00-10:00", ((0, 540, 600), (1, 540, 600))),
        ("mon 09:00-10:00; WED 14:00-15:00", ((0, 540, 600), (2, 840, 900))),
        ("Sat-Mon 10:00-11:00", ((0, 600, 660), (5, 600, 660), (6, 600, 660))),
        ("Sun 00:00-24:00", ((6, 0, 1440),)),
        ("Mon 22:00-24:00, Tue 00:00-06:00", ((0, 1320, 1440), (1, 0, 360))),
        ("Mon-Tue 9-17", ((0, 540, 1020), (1, 540, 1020))),
        ("Mon 9-17:30", ((0, 540, 1050),)),
    ],
    ids=[
        "one-day",
        "range",
        "long-names",
        "semicolon",
        "wraps-weekend",
        "whole-day",
        "overnight",
        "whole-hours",
        "whole-hour-start",
    ],
)
def test_parse_reads_days_ranges_and_times(
    raw: str, windows: tuple[tuple[int, int, int], ...]
) -> None:
    assert WeeklyHours.parse(raw).windows == windows


@pytest.mark.parametrize(
    "raw", ["Mon-Fri 09:00-17:00", "Mon 10:00-12:00, Wed 14:00-18:00", "Sat-Mon 10:00-11:00"]
)
def test_hours_print_as_text_that_parses_back_to_the_same_hours(raw: str) -> None:
    hours = WeeklyHours.parse(raw)
    assert WeeklyHours.parse(str(hours)) == hours


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Working hours are empty. Write them like `Mon-Fri 09:00-17:00`."),
        (" , ", "Working hours are empty."),
        ("9 to 5", "I could not read `9 to 5` as working hours. Write them like"),
        ("Mon-Fri", "I could not read `Mon-Fri` as working hours."),
        ("Moo 09:00-10:00", "`Moo 09:00-10:00` names a day I don't know."),
        ("Mon 09:60-10:00", "`Mon 09:60-10:00` has a time that does not exist on a clock."),
        ("Mon 24:30-24:45", "has a time that does not exist on a clock"),
        ("Mon 17:00-09:00", "In `Mon 17:00-09:00` the end time must be after the start time"),
        ("Mon 09:00-09:00", "the end time must be after the start time"),
        # `9-5` may be office hours written the 12-hour way: asked about, not guessed.
        (
            "Mon-Fri 9-5",
            "In `Mon-Fri 9-5` the end time must be after the start time: hours are 24-hour "
            "times, so for 9am to 5pm write `Mon-Fri 09:00-17:00`.",
        ),
        ("Mon 12-1", "so for noon to 1pm write `Mon 12:00-13:00`."),
        ("Mon 17-9", "In `Mon 17-9` the end time must be after the start time (overnight"),
    ],
)
def test_bad_hours_are_rejected_with_a_message_saying_how_to_write_them(
    raw: str, message: str
) -> None:
    with pytest.raises(HoursError) as error:
        WeeklyHours.parse(raw)
    assert message in str(error.value)


@pytest.mark.parametrize(
    ("when", "tz", "inside"),
    [
        (utc(2026, 11, 23, 9, 0), "UTC", True),  # Monday, start is inside
        (utc(2026, 11, 23, 17, 0), "UTC", False),  # end is outside
        (utc(2026, 11, 23, 8, 59), "UTC", False),
        (utc(2026, 11, 28, 12, 0), "UTC", False),  # Saturday
        (utc(2026, 1, 12, 8, 30), "Europe/Berlin", True),  # 09:30 CET
        (utc(2026, 1, 12, 7, 30), "Europe/Berlin", False),  # 08:30 CET
        (utc(2026, 7, 13, 7, 30), "Europe/Berlin", True),  # 09:30 CEST
        (utc(2026, 7, 13, 15, 30), "Europe/Berlin", False),  # 17:30 CEST
        (utc(2026, 11, 24, 2, 0), "America/New_York", False),  # Monday 21:00 local
        (utc(2026, 11, 23, 14, 0), "America/New_York", True),  # Monday 09:00 local
        (utc(2026, 11, 22, 23, 30), "Asia/Tokyo", False),  # Monday 08:30 local
    ],
)
def test_contains_checks_the_time_in_the_persons_own_timezone(
    when: datetime, tz: str, inside: bool
) -> None:
    assert WORKDAYS.contains(when, tz) is inside


def test_contains_uses_the_local_weekday_not_the_utc_one() -> None:
    monday_morning_tokyo = utc(2026, 11, 23, 0, 30)  # Monday 09:30 JST
    sunday_evening_la = utc(2026, 11, 23, 0, 30)  # Sunday 16:30 PST
    assert WORKDAYS.contains(monday_morning_tokyo, "Asia/Tokyo")
    assert not WORKDAYS.contains(sunday_evening_la, "America/Los_Angeles")


def test_a_whole_day_window_contains_the_last_minute() -> None:
    assert WeeklyHours.parse("Mon 00:00-24:00").contains(utc(2026, 11, 23, 23, 59), "UTC")


def test_next_start_is_now_when_inside_the_hours() -> None:
    now = utc(2026, 11, 23, 10, 0)
    assert WORKDAYS.next_start(now, "UTC") == now


@pytest.mark.parametrize(
    ("when", "tz", "expected"),
    [
        (utc(2026, 11, 23, 7, 0), "UTC", utc(2026, 11, 23, 9, 0)),  # later today
        (utc(2026, 11, 23, 18, 0), "UTC", utc(2026, 11, 24, 9, 0)),  # tomorrow
        (utc(2026, 11, 27, 18, 0), "UTC", utc(2026, 11, 30, 9, 0)),  # after the weekend
        (utc(2026, 11, 23, 7, 0), "Europe/Berlin", utc(2026, 11, 23, 8, 0)),  # 09:00 CET
        (utc(2026, 11, 23, 23, 0), "America/New_York", utc(2026, 11, 24, 14, 0)),  # 18:00 EST
    ],
)
def test_next_start_finds_the_next_window_in_the_persons_timezone(
    when: datetime, tz: str, expected: datetime
) -> None:
    assert WORKDAYS.next_start(when, tz) == expected


def test_next_start_over_the_spring_dst_change_uses_summer_time() -> None:
    # Friday 27 March 2026 18:00 CET; clocks go forward on Sunday 29 March
    friday_evening = utc(2026, 3, 27, 17, 0)
    assert WORKDAYS.next_start(friday_evening, "Europe/Berlin") == utc(2026, 3, 30, 7, 0)


def test_next_start_over_the_autumn_dst_change_uses_winter_time() -> None:
    # Friday 23 October 2026 18:00 CEST; clocks go back on Sunday 25 October
    friday_evening = utc(2026, 10, 23, 16, 0)
    assert WORKDAYS.next_start(friday_evening, "Europe/Berlin") == utc(2026, 10, 26, 8, 0)


def test_next_start_over_the_us_dst_change() -> None:
    # Saturday 7 March 2026 in New York; DST starts Sunday 8 March: 09:00 EDT is 13:00 UTC
    assert WORKDAYS.next_start(utc(2026, 3, 7, 15, 0), "America/New_York") == utc(2026, 3, 9, 13, 0)


@pytest.mark.parametrize(
    ("hours", "tz", "when", "expected"),
    [
        # Berlin, Sun 29 March 2026: 02:00 CET jumps to 03:00 CEST (01:00 UTC)
        ("Sun 02:30-05:00", "Europe/Berlin", utc(2026, 3, 28, 23, 0), utc(2026, 3, 29, 1, 0)),
        # New York, Sun 8 March 2026: 02:00 EST jumps to 03:00 EDT (07:00 UTC)
        ("Sun 02:30-05:00", "America/New_York", utc(2026, 3, 8, 5, 0), utc(2026, 3, 8, 7, 0)),
        # Lord Howe, Sun 4 October 2026: 02:00 (+10:30) jumps half an hour to 02:30 (+11)
        (
            "Sun 02:15-05:00",
            "Australia/Lord_Howe",
            utc(2026, 10, 3, 14, 0),
            utc(2026, 10, 3, 15, 30),
        ),
        # A window wholly inside the gap does not happen that day: next Sunday 02:00 CEST
        ("Sun 02:00-02:45", "Europe/Berlin", utc(2026, 3, 28, 23, 0), utc(2026, 4, 5, 0, 0)),
    ],
    ids=["berlin", "new-york", "lord-howe-half-hour", "window-inside-the-gap"],
)
def test_next_start_in_a_spring_forward_gap_is_the_moment_clocks_jump(
    hours: str, tz: str, when: datetime, expected: datetime
) -> None:
    assert WeeklyHours.parse(hours).next_start(when, tz) == expected


@pytest.mark.parametrize(
    ("hours", "tz", "when", "expected"),
    [
        # Berlin, Sun 25 October 2026: 02:00-03:00 happens twice; 01:30 UTC is the second 02:30
        ("Sun 02:45-04:00", "Europe/Berlin", utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 1, 45)),
        # New York, Sun 1 November 2026: 06:00 UTC is the second 01:00 (EST)
        ("Sun 01:30-03:00", "America/New_York", utc(2026, 11, 1, 6, 0), utc(2026, 11, 1, 6, 30)),
        # Lord Howe, Sun 5 April 2026: 02:00 (+11) goes back to 01:30 (+10:30); 15:00 UTC is
        # the second 01:30
        ("Sun 01:45-03:00", "Australia/Lord_Howe", utc(2026, 4, 4, 15, 0), utc(2026, 4, 4, 15, 15)),
        # Before the repeated hour: the first 02:45 (CEST)
        ("Sun 02:45-04:00", "Europe/Berlin", utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 0, 45)),
    ],
    ids=["berlin", "new-york", "lord-howe-half-hour", "first-of-the-two"],
)
def test_next_start_in_a_fall_back_hour_is_the_next_time_clocks_show_it(
    hours: str, tz: str, when: datetime, expected: datetime
) -> None:
    assert WeeklyHours.parse(hours).next_start(when, tz) == expected


def test_next_start_wraps_to_the_same_weekday_next_week() -> None:
    mondays = WeeklyHours.parse("Mon 09:00-10:00")
    assert mondays.next_start(utc(2026, 11, 23, 11, 0), "UTC") == utc(2026, 11, 30, 9, 0)


def test_next_start_is_aware_and_in_utc() -> None:
    found = WORKDAYS.next_start(utc(2026, 11, 28, 12, 0), "Asia/Kolkata")
    assert found.utcoffset() is not None and found.utcoffset().total_seconds() == 0  # type: ignore[union-attr]
    assert found == datetime(2026, 11, 30, 3, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Europe/Berlin", "Europe/Berlin"), ("europe/berlin", "Europe/Berlin"), ("UTC", "UTC")],
)
def test_check_timezone_accepts_iana_names_in_any_case(raw: str, expected: str) -> None:
    assert check_timezone(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "Give a timezone like `Europe/Berlin` or `America/New_York`."),
        ("Berlin", "`Berlin` is not a timezone I know. Did you mean `Europe/Berlin`?"),
        # A typo: the close spelling, as the config file check says it.
        ("Europe/Pariss", "`Europe/Pariss` is not a timezone I know. Did you mean `Europe/Paris`?"),
        ("Atlantis/Capital", "`Atlantis/Capital` is not a timezone I know. Use an IANA name"),
    ],
)
def test_check_timezone_refuses_unknown_names_with_a_hint(raw: str, message: str) -> None:
    with pytest.raises(HoursError) as error:
        check_timezone(raw)
    assert message in str(error.value)
