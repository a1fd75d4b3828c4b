"""Danish business calendar for SLA clocks.

Pure Python: no Django, no database. All instants are aware datetimes; opening
hours are interpreted in the calendar's local time zone, so DST changes are
handled by converting each local day's window to UTC before intersecting.

Instants are truncated to whole seconds (floor) when counting business time,
which keeps ``business_seconds_between`` an exact, additive integer count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from zoneinfo import ZoneInfo

from dateutil.easter import easter

__all__ = [
    "DEFAULT_CALENDAR",
    "BusinessCalendar",
    "customary_closed_days",
    "danish_public_holidays",
]

UTC = dt.UTC
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
_ONE_SECOND = dt.timedelta(seconds=1)
_ONE_DAY = dt.timedelta(days=1)
# Store bededag was abolished by law from 2024 onwards.
_STORE_BEDEDAG_LAST_YEAR = 2023


def danish_public_holidays(year: int) -> dict[dt.date, str]:
    """Return the Danish public holidays (helligdage) of ``year`` by date."""
    easter_sunday: dt.date = easter(year)

    def rel(days: int) -> dt.date:
        return easter_sunday + dt.timedelta(days=days)

    holidays = {
        dt.date(year, 1, 1): "Nytårsdag",
        rel(-3): "Skærtorsdag",
        rel(-2): "Langfredag",
        easter_sunday: "Påskedag",
        rel(1): "2. påskedag",
        rel(39): "Kristi himmelfartsdag",
        rel(49): "Pinsedag",
        rel(50): "2. pinsedag",
        dt.date(year, 12, 25): "Juledag",
        dt.date(year, 12, 26): "2. juledag",
    }
    if year <= _STORE_BEDEDAG_LAST_YEAR:
        holidays[rel(26)] = "Store bededag"  # 4th Friday after Easter
    return dict(sorted(holidays.items()))


def customary_closed_days(year: int) -> dict[dt.date, str]:
    """Return days municipal offices customarily close on (not public holidays)."""
    return {
        dt.date(year, 6, 5): "Grundlovsdag",
        dt.date(year, 12, 24): "Juleaftensdag",
        dt.date(year, 12, 31): "Nytårsaftensdag",
    }


@lru_cache(maxsize=256)
def _closed_dates(year: int, include_customary: bool) -> frozenset[dt.date]:
    days = set(danish_public_holidays(year))
    if include_customary:
        days.update(customary_closed_days(year))
    return frozenset(days)


def _default_hours() -> dict[int, tuple[dt.time, dt.time]]:
    return {weekday: (dt.time(8), dt.time(16)) for weekday in range(5)}


def _require_aware(value: dt.datetime, name: str) -> None:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime")


def _floor_utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(UTC).replace(microsecond=0)


@dataclass(frozen=True)
class BusinessCalendar:
    """Opening hours on Danish business days in a local time zone."""

    tz: ZoneInfo = COPENHAGEN
    hours: dict[int, tuple[dt.time, dt.time]] = field(default_factory=_default_hours, hash=False)
    include_customary_closed_days: bool = True
    extra_closed_days: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        if not self.hours:
            raise ValueError("hours must give opening hours for at least one weekday")
        for weekday, (opens, closes) in self.hours.items():
            if weekday not in range(7):
                raise ValueError(f"weekday must be 0 (Monday) to 6, got {weekday!r}")
            if opens.tzinfo is not None or closes.tzinfo is not None:
                raise ValueError("opening hours must be naive local times")
            if opens.microsecond or closes.microsecond:
                raise ValueError("opening hours must be whole seconds")
            if opens >= closes:
                raise ValueError(f"weekday {weekday}: opens must be before closes")
        # Defensive copy so later mutation of the caller's dict has no effect.
        object.__setattr__(self, "hours", dict(self.hours))
        object.__setattr__(self, "extra_closed_days", frozenset(self.extra_closed_days))

    def is_business_day(self, d: dt.date) -> bool:
        """Return True if the local calendar date ``d`` has opening hours."""
        if isinstance(d, dt.datetime):
            raise TypeError("is_business_day takes a date, not a datetime")
        return (
            d.weekday() in self.hours
            and d not in self.extra_closed_days
            and d not in _closed_dates(d.year, self.include_customary_closed_days)
        )

    def is_open(self, at: dt.datetime) -> bool:
        """Return True if the aware instant ``at`` lies within opening hours."""
        _require_aware(at, "at")
        local_day = at.astimezone(self.tz).date()
        windows = self._windows(local_day - _ONE_DAY, local_day + _ONE_DAY)
        return any(ws <= at < we for ws, we in windows)

    def business_seconds_between(self, start: dt.datetime, end: dt.datetime) -> int:
        """Count whole business seconds in ``[start, end)``; 0 if end <= start."""
        _require_aware(start, "start")
        _require_aware(end, "end")
        lo, hi = _floor_utc(start), _floor_utc(end)
        if hi <= lo:
            return 0
        total = dt.timedelta()
        first_day = lo.astimezone(self.tz).date() - _ONE_DAY
        last_day = hi.astimezone(self.tz).date() + _ONE_DAY
        for ws, we in self._windows(first_day, last_day):
            overlap = min(we, hi) - max(ws, lo)
            if overlap > dt.timedelta():
                total += overlap
        return total // _ONE_SECOND

    def add_business_seconds(self, start: dt.datetime, seconds: int) -> dt.datetime:
        """Return the earliest UTC instant ``t >= start`` with ``seconds`` business
        seconds in ``[start, t)``; ``start`` itself when ``seconds == 0``.
        """
        _require_aware(start, "start")
        if seconds < 0:
            raise ValueError("seconds must not be negative")
        if seconds == 0:
            return start.astimezone(UTC)
        lo = _floor_utc(start)
        remaining = dt.timedelta(seconds=seconds)
        for ws, we in self._windows(lo.astimezone(self.tz).date() - _ONE_DAY):
            begin = max(ws, lo)
            if begin >= we:
                continue
            if remaining <= we - begin:
                return begin + remaining
            remaining -= we - begin
        raise AssertionError("unreachable: _windows is infinite")  # pragma: no cover

    def next_opening(self, at: dt.datetime) -> dt.datetime:
        """Return the earliest UTC instant ``>= at`` at which the office is open."""
        _require_aware(at, "at")
        at_utc = at.astimezone(UTC)
        for ws, we in self._windows(at_utc.astimezone(self.tz).date() - _ONE_DAY):
            if at_utc < we:
                return max(ws, at_utc)
        raise AssertionError("unreachable: _windows is infinite")  # pragma: no cover

    def _window(self, d: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
        """Return the UTC opening window of local date ``d``, if any."""
        if not self.is_business_day(d):
            return None
        opens, closes = self.hours[d.weekday()]
        ws = dt.datetime.combine(d, opens, tzinfo=self.tz).astimezone(UTC)
        we = dt.datetime.combine(d, closes, tzinfo=self.tz).astimezone(UTC)
        # Opening hours inside a DST gap can collapse; treat as closed.
        return (ws, we) if ws < we else None

    def _windows(self, first: dt.date, last: dt.date | None = None) -> Iterator[tuple[dt.datetime, dt.datetime]]:
        """Yield UTC opening windows of local dates ``first`` to ``last`` (or on)."""
        day = first
        closed_streak = 0
        # Holidays never close a weekday for long, so only explicit extra closed
        # days can make a long closed streak; bound it so we never spin forever.
        max_streak = 400 + len(self.extra_closed_days)
        while last is None or day <= last:
            window = self._window(day)
            if window is None:
                closed_streak += 1
                if last is None and closed_streak > max_streak:
                    raise ValueError(f"no opening hours within {max_streak} days")
            else:
                closed_streak = 0
                yield window
            day += _ONE_DAY


DEFAULT_CALENDAR = BusinessCalendar()
