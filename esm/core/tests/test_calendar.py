"""Tests for the Danish business calendar (pure Python, no database)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from esm.core.calendar import (
    DEFAULT_CALENDAR,
    BusinessCalendar,
    customary_closed_days,
    danish_public_holidays,
)

CPH = ZoneInfo("Europe/Copenhagen")
UTC = dt.UTC
HOUR = 3600


def cph(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=CPH)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- holidays ---------------------------------------------------------------


def test_easter_2026_holidays_have_danish_names() -> None:
    holidays = danish_public_holidays(2026)
    assert holidays[dt.date(2026, 4, 2)] == "Skærtorsdag"
    assert holidays[dt.date(2026, 4, 3)] == "Langfredag"
    assert holidays[dt.date(2026, 4, 5)] == "Påskedag"
    assert holidays[dt.date(2026, 4, 6)] == "2. påskedag"


def test_easter_monday_2026_is_a_holiday() -> None:
    assert not DEFAULT_CALENDAR.is_business_day(dt.date(2026, 4, 6))
    assert DEFAULT_CALENDAR.is_business_day(dt.date(2026, 4, 7))


def test_ascension_day_2026_is_14_may() -> None:
    holidays = danish_public_holidays(2026)
    assert holidays[dt.date(2026, 5, 14)] == "Kristi himmelfartsdag"
    assert not DEFAULT_CALENDAR.is_business_day(dt.date(2026, 5, 14))


def test_whitsun_2026_is_24_and_25_may() -> None:
    holidays = danish_public_holidays(2026)
    assert holidays[dt.date(2026, 5, 24)] == "Pinsedag"
    assert holidays[dt.date(2026, 5, 25)] == "2. pinsedag"
    assert not DEFAULT_CALENDAR.is_business_day(dt.date(2026, 5, 25))


def test_fixed_date_holidays() -> None:
    holidays = danish_public_holidays(2026)
    assert holidays[dt.date(2026, 1, 1)] == "Nytårsdag"
    assert holidays[dt.date(2026, 12, 25)] == "Juledag"
    assert holidays[dt.date(2026, 12, 26)] == "2. juledag"


def test_2026_has_ten_public_holidays() -> None:
    assert len(danish_public_holidays(2026)) == 10


def test_store_bededag_2023_is_5_may() -> None:
    holidays = danish_public_holidays(2023)
    assert holidays[dt.date(2023, 5, 5)] == "Store bededag"
    assert not DEFAULT_CALENDAR.is_business_day(dt.date(2023, 5, 5))


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2030])
def test_store_bededag_is_abolished_from_2024(year: int) -> None:
    assert "Store bededag" not in danish_public_holidays(year).values()


def test_store_bededag_friday_2024_is_a_business_day() -> None:
    # Easter 2024 was 31 March; the former Store bededag would be 26 April.
    assert DEFAULT_CALENDAR.is_business_day(dt.date(2024, 4, 26))


def test_customary_closed_days_have_danish_names() -> None:
    assert customary_closed_days(2026) == {
        dt.date(2026, 6, 5): "Grundlovsdag",
        dt.date(2026, 12, 24): "Juleaftensdag",
        dt.date(2026, 12, 31): "Nytårsaftensdag",
    }


def test_constitution_day_is_closed_by_default() -> None:
    assert not DEFAULT_CALENDAR.is_business_day(dt.date(2026, 6, 5))  # Friday


def test_customary_closed_days_can_be_switched_off() -> None:
    calendar = BusinessCalendar(include_customary_closed_days=False)
    assert calendar.is_business_day(dt.date(2026, 6, 5))
    assert calendar.is_business_day(dt.date(2026, 12, 24))
    assert not calendar.is_business_day(dt.date(2026, 12, 25))


def test_extra_closed_days_are_not_business_days() -> None:
    calendar = BusinessCalendar(extra_closed_days=frozenset({dt.date(2026, 3, 4)}))
    assert not calendar.is_business_day(dt.date(2026, 3, 4))
    assert calendar.is_business_day(dt.date(2026, 3, 5))


def test_weekends_are_not_business_days() -> None:
    assert DEFAULT_CALENDAR.is_business_day(dt.date(2026, 3, 6))  # Friday
    assert not DEFAULT_CALENDAR.is_business_day(dt.date(2026, 3, 7))
    assert not DEFAULT_CALENDAR.is_business_day(dt.date(2026, 3, 8))


def test_is_business_day_rejects_datetimes() -> None:
    with pytest.raises(TypeError, match="not a datetime"):
        DEFAULT_CALENDAR.is_business_day(cph(2026, 3, 6, 9))


# --- construction -----------------------------------------------------------


def test_calendar_without_opening_hours_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least one weekday"):
        BusinessCalendar(hours={})


def test_opening_after_closing_is_rejected() -> None:
    with pytest.raises(ValueError, match="before closes"):
        BusinessCalendar(hours={0: (dt.time(16), dt.time(8))})
    with pytest.raises(ValueError, match="before closes"):
        BusinessCalendar(hours={0: (dt.time(8), dt.time(8))})


def test_unknown_weekday_is_rejected() -> None:
    with pytest.raises(ValueError, match="weekday"):
        BusinessCalendar(hours={7: (dt.time(8), dt.time(16))})


def test_default_calendar_is_copenhagen_weekdays_8_to_16() -> None:
    assert DEFAULT_CALENDAR.tz == CPH
    assert sorted(DEFAULT_CALENDAR.hours) == [0, 1, 2, 3, 4]
    assert DEFAULT_CALENDAR.hours[0] == (dt.time(8), dt.time(16))


# --- counting business time -------------------------------------------------


def test_a_full_week_has_forty_business_hours() -> None:
    seconds = DEFAULT_CALENDAR.business_seconds_between(cph(2026, 3, 2), cph(2026, 3, 9))
    assert seconds == 40 * HOUR


def test_only_opening_hours_are_counted() -> None:
    start, end = cph(2026, 3, 3, 7, 30), cph(2026, 3, 3, 9, 15)
    assert DEFAULT_CALENDAR.business_seconds_between(start, end) == HOUR + 15 * 60


def test_end_before_start_counts_zero() -> None:
    start, end = cph(2026, 3, 3, 12), cph(2026, 3, 3, 10)
    assert DEFAULT_CALENDAR.business_seconds_between(start, end) == 0
    assert DEFAULT_CALENDAR.business_seconds_between(start, start) == 0


def test_utc_input_is_interpreted_in_local_time() -> None:
    # 07:00 UTC is 08:00 in Copenhagen in winter.
    start, end = utc(2026, 1, 6, 7), utc(2026, 1, 6, 8)
    assert DEFAULT_CALENDAR.business_seconds_between(start, end) == HOUR


def test_naive_datetimes_are_rejected() -> None:
    naive = cph(2026, 3, 3, 9).replace(tzinfo=None)
    aware = "timezone-aware"
    with pytest.raises(ValueError, match=aware):
        DEFAULT_CALENDAR.business_seconds_between(naive, cph(2026, 3, 4))
    with pytest.raises(ValueError, match=aware):
        DEFAULT_CALENDAR.business_seconds_between(cph(2026, 3, 2), naive)
    with pytest.raises(ValueError, match=aware):
        DEFAULT_CALENDAR.add_business_seconds(naive, 10)
    with pytest.raises(ValueError, match=aware):
        DEFAULT_CALENDAR.next_opening(naive)
    with pytest.raises(ValueError, match=aware):
        DEFAULT_CALENDAR.is_open(naive)


def test_negative_seconds_are_rejected() -> None:
    with pytest.raises(ValueError, match="negative"):
        DEFAULT_CALENDAR.add_business_seconds(cph(2026, 3, 3, 9), -1)


# --- adding business time ---------------------------------------------------


def test_a_case_reported_friday_afternoon_is_due_monday() -> None:
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 3, 6, 15), 2 * HOUR)
    assert due == cph(2026, 3, 9, 9)
    assert due.tzinfo == UTC


def test_a_case_reported_before_opening_starts_at_opening() -> None:
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 3, 3, 6), HOUR)
    assert due == cph(2026, 3, 3, 9)


def test_a_case_reported_after_closing_starts_next_morning() -> None:
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 3, 3, 20), HOUR)
    assert due == cph(2026, 3, 4, 9)


def test_adding_exactly_the_rest_of_the_day_ends_at_closing() -> None:
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 3, 3, 12), 4 * HOUR)
    assert due == cph(2026, 3, 3, 16)


def test_adding_zero_seconds_returns_start_even_outside_hours() -> None:
    start = cph(2026, 3, 7, 3)  # Saturday night
    assert DEFAULT_CALENDAR.add_business_seconds(start, 0) == start


def test_easter_holidays_are_skipped() -> None:
    # Wednesday before Easter 2026; Thursday to Monday are closed.
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 4, 1, 15), 2 * HOUR)
    assert due == cph(2026, 4, 7, 9)


def test_store_bededag_2023_is_skipped() -> None:
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2023, 5, 4, 15), 2 * HOUR)
    assert due == cph(2023, 5, 8, 9)


def test_a_window_spanning_christmas_and_new_year() -> None:
    start, end = cph(2026, 12, 23, 8), cph(2027, 1, 5, 8)
    # Open: 23, 28, 29, 30 Dec and 4 Jan. Closed: 24-27 Dec, 31 Dec-3 Jan.
    assert DEFAULT_CALENDAR.business_seconds_between(start, end) == 5 * 8 * HOUR
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 12, 23, 15), 2 * HOUR)
    assert due == cph(2026, 12, 28, 9)
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 12, 30, 15), 2 * HOUR)
    assert due == cph(2027, 1, 4, 9)


def test_christmas_eve_counts_when_customary_days_are_switched_off() -> None:
    calendar = BusinessCalendar(include_customary_closed_days=False)
    start, end = cph(2026, 12, 23, 8), cph(2027, 1, 5, 8)
    # Additionally open: 24 Dec (Thursday) and 31 Dec (Thursday).
    assert calendar.business_seconds_between(start, end) == 7 * 8 * HOUR


def test_a_deadline_years_ahead_is_computed_quickly() -> None:
    start, end = cph(2026, 1, 2, 8), cph(2029, 1, 2, 12)
    seconds = DEFAULT_CALENDAR.business_seconds_between(start, end)
    assert DEFAULT_CALENDAR.add_business_seconds(start, seconds) == end


def test_a_deadline_ending_at_opening_time_is_the_previous_closing() -> None:
    # The earliest instant with enough business time is Friday's closing.
    start = cph(2026, 3, 6, 8)
    seconds = DEFAULT_CALENDAR.business_seconds_between(start, cph(2026, 3, 9, 8))
    assert seconds == 8 * HOUR
    assert DEFAULT_CALENDAR.add_business_seconds(start, seconds) == cph(2026, 3, 6, 16)


# --- daylight saving time ---------------------------------------------------


def test_spring_forward_weekend_keeps_local_opening_hours() -> None:
    # DST starts Sunday 29 March 2026: Monday opens at 08:00 CEST = 06:00 UTC.
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 3, 27, 15), 2 * HOUR)
    assert due == cph(2026, 3, 30, 9)
    assert due == utc(2026, 3, 30, 7)
    assert DEFAULT_CALENDAR.business_seconds_between(cph(2026, 3, 27, 16), cph(2026, 3, 30, 8)) == 0


def test_fall_back_weekend_keeps_local_opening_hours() -> None:
    # DST ends Sunday 25 October 2026: Monday opens at 08:00 CET = 07:00 UTC.
    due = DEFAULT_CALENDAR.add_business_seconds(cph(2026, 10, 23, 15), 2 * HOUR)
    assert due == cph(2026, 10, 26, 9)
    assert due == utc(2026, 10, 26, 8)


def test_weeks_containing_dst_changes_still_have_forty_hours() -> None:
    spring = DEFAULT_CALENDAR.business_seconds_between(cph(2026, 3, 23), cph(2026, 3, 30, 23))
    autumn = DEFAULT_CALENDAR.business_seconds_between(utc(2026, 10, 19), utc(2026, 10, 26, 7))
    assert spring == 48 * HOUR  # Mon 23 March to Mon 30 March inclusive
    assert autumn == 40 * HOUR  # Mon 26 October opens 08:00 CET = 07:00 UTC


def test_night_shift_counts_real_elapsed_time_on_dst_sundays() -> None:
    calendar = BusinessCalendar(hours={6: (dt.time(1), dt.time(4))})
    spring = calendar.business_seconds_between(cph(2026, 3, 29), cph(2026, 3, 30))
    autumn = calendar.business_seconds_between(cph(2026, 10, 25), cph(2026, 10, 26))
    assert spring == 2 * HOUR  # 02:00-03:00 does not exist
    assert autumn == 4 * HOUR  # 02:00-03:00 happens twice


# --- next opening / is_open -------------------------------------------------


def test_next_opening_inside_hours_is_now() -> None:
    at = cph(2026, 3, 3, 10, 30)
    assert DEFAULT_CALENDAR.next_opening(at) == at
    assert DEFAULT_CALENDAR.is_open(at)


def test_next_opening_on_friday_evening_is_monday_morning() -> None:
    at = cph(2026, 3, 6, 18)
    assert not DEFAULT_CALENDAR.is_open(at)
    opening = DEFAULT_CALENDAR.next_opening(at)
    assert opening == cph(2026, 3, 9, 8)
    assert opening.tzinfo == UTC


def test_closing_time_itself_is_closed() -> None:
    at = cph(2026, 3, 3, 16)
    assert not DEFAULT_CALENDAR.is_open(at)
    assert DEFAULT_CALENDAR.next_opening(at) == cph(2026, 3, 4, 8)


def test_next_opening_skips_extra_closed_days() -> None:
    calendar = BusinessCalendar(extra_closed_days=frozenset({dt.date(2026, 3, 4)}))
    assert calendar.next_opening(cph(2026, 3, 3, 17)) == cph(2026, 3, 5, 8)


# --- properties -------------------------------------------------------------

ZONES = [UTC, CPH, ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")]

aware_datetimes = st.datetimes(
    min_value=dt.datetime(2019, 1, 1),
    max_value=dt.datetime(2031, 12, 31),
    timezones=st.sampled_from(ZONES),
    allow_imaginary=False,
)
gaps = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=40))


@settings(max_examples=150, deadline=None)
@given(start=aware_datetimes, seconds=st.integers(min_value=0, max_value=500 * HOUR))
def test_adding_then_counting_round_trips(start: dt.datetime, seconds: int) -> None:
    due = DEFAULT_CALENDAR.add_business_seconds(start, seconds)
    assert due >= start
    assert DEFAULT_CALENDAR.business_seconds_between(start, due) == seconds
    if seconds > 0:
        # Earliest such instant: a moment earlier is not enough yet.
        earlier = due - dt.timedelta(microseconds=1)
        assert DEFAULT_CALENDAR.business_seconds_between(start, earlier) < seconds
        assert DEFAULT_CALENDAR.is_open(earlier)


@settings(max_examples=150, deadline=None)
@given(a=aware_datetimes, ab=gaps, bc=gaps)
def test_counting_is_additive(a: dt.datetime, ab: dt.timedelta, bc: dt.timedelta) -> None:
    b = a + ab
    c = b + bc
    between = DEFAULT_CALENDAR.business_seconds_between
    assert between(a, b) + between(b, c) == between(a, c)


@settings(max_examples=100, deadline=None)
@given(at=aware_datetimes)
def test_next_opening_is_open_and_nothing_is_skipped(at: dt.datetime) -> None:
    opening = DEFAULT_CALENDAR.next_opening(at)
    assert opening >= at
    assert DEFAULT_CALENDAR.is_open(opening)
    assert DEFAULT_CALENDAR.business_seconds_between(at, opening) == 0
