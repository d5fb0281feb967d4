"""From a session as a lead states it to the moments it starts and ends.

A date without a year is read against when its line was written; a range of days ends with its
last day; a time link, and other writings of the same start, must agree with what is written.
Anything the bot cannot be sure of raises DateError naming the text, because moving a session on
a wrong date is worse than not moving it.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.core.dates.grammar import Day, Stated
from bot.core.dates.vocabulary import WEEKDAY_NAMES


class DateError(ValueError):
    """A date is written but cannot be trusted; str(err) is a short reason naming the text."""


@dataclass(frozen=True)
class Session:
    """One meeting: from its start to its end, in UTC. A day without a time runs from midnight
    to midnight (UTC), a range of days to the end of its last day."""

    start: datetime
    end: datetime
    has_time: bool
    has_end: bool

    @property
    def last_day(self) -> date:
        """The day the session ends on, for "August 16-19, 2023"."""
        if self.has_time:
            return self.end.date()
        return (self.end - timedelta(microseconds=1)).date()


def resolve(stated: Stated, written_at: datetime, default_duration: timedelta) -> Session:
    """The session's start and end. A naive `written_at` is taken as UTC."""
    if stated.problem:
        raise DateError(stated.problem)
    if stated.first.month == 0:
        raise DateError(f"{stated.text!r} reads as two dates; write the month's name")
    zone = stated.clock.zone if stated.clock is not None and stated.clock.zone else UTC
    first = stated.first
    if stated.moment is not None and first.year is None:
        first = Day(stated.moment.astimezone(zone).year, first.month, first.day, first.weekday)
    day = _dated(first, stated.text) if first.year is not None else _nearest(stated, written_at)
    last = last_day(stated, day)
    _check_link(stated, day, zone)
    _check_alternatives(stated, day)
    return _interval(stated, day, last, zone, default_duration)


def _nearest(stated: Stated, written_at: datetime) -> date:
    """The first date with that month, day (and weekday) from a week before the line was
    written: a week of slack keeps a session just past from jumping to next year, and no guess
    is made beyond a year ahead, because a weekday that fits no nearby year means a typo."""
    today = written_at.astimezone(UTC).date() if written_at.tzinfo else written_at.date()
    earliest, latest = today - timedelta(weeks=1), _a_year_after(today)
    for year in range(earliest.year, latest.year + 1):
        candidate = _date_or_none(year, stated.first.month, stated.first.day)
        if candidate and earliest <= candidate <= latest and _fits(stated.first, candidate):
            return candidate
    raise DateError(f"{stated.text!r} matches no date from {earliest} to {latest}")


def _dated(day: Day, text: str) -> date:
    assert day.year is not None
    found = _date_or_none(day.year, day.month, day.day)
    if found is None:
        raise DateError(f"{text!r} is not a date")
    if not _fits(day, found):
        raise DateError(f"{text!r}: {found} is a {WEEKDAY_NAMES[found.weekday()]}")
    return found


def _fits(day: Day, candidate: date) -> bool:
    return day.weekday is None or day.weekday == candidate.weekday()


def _a_year_after(day: date) -> date:
    """The same date a year later; February 29 falls back to February 28."""
    return _date_or_none(day.year + 1, day.month, day.day) or date(day.year + 1, 2, 28)


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def last_day(stated: Stated, day: date) -> date:
    """The session's last day, given its first: the range's end (the first such day on or
    after the first when no year is written at the end), else the first day itself."""
    end = stated.last
    if end is None:
        return day
    year = end.year
    if year is None:
        year = day.year if (end.month, end.day) >= (day.month, day.day) else day.year + 1
    last = _date_or_none(year, end.month, end.day)
    if last is None or last <= day:
        raise DateError(f"{stated.text!r} is not a range of days")
    if not _fits(end, last):
        raise DateError(f"{stated.text!r}: {last} is a {WEEKDAY_NAMES[last.weekday()]}")
    return last


def _check_link(stated: Stated, day: date, zone: tzinfo) -> None:
    """A time link must fall on the written date and, when a trusted time is written, at it."""
    if stated.moment is None:
        return
    local = stated.moment.astimezone(zone)
    written = stated.clock.start if stated.clock is not None else None
    if local.date() != day or (written is not None and written != _minute(local)):
        label = stated.clock.zone_text if stated.clock and stated.clock.zone_text else "UTC"
        raise DateError(
            f"{stated.text!r} and its time link disagree: the link says "
            f"{local:%Y-%m-%d %H:%M} {label}"
        )


def _check_alternatives(stated: Stated, day: date) -> None:
    if stated.clock is None or stated.clock.zone is None:
        return
    start = _in_utc(day, stated.clock.start, stated.clock.zone)
    for other in stated.alternatives:
        assert other.zone is not None
        if _in_utc(day, other.start, other.zone) != start:
            raise DateError(f"{stated.text!r}: {stated.clock.text!r} and {other.text!r} disagree")


def _interval(
    stated: Stated, day: date, last: date, zone: tzinfo, default_duration: timedelta
) -> Session:
    """Start and end in UTC. A session without a time could be at any hour, so it takes whole
    days; a range of days ends with its last day (at its end time, when one is written); an end
    before the start is read as running past midnight rather than as a typo."""
    clock = stated.clock
    if clock is None and stated.moment is not None:
        start = stated.moment.replace(second=0, microsecond=0)
        return Session(start, start + (stated.duration or default_duration), True, False)
    if clock is None:
        return Session(
            _in_utc(day, time(), UTC), _in_utc(last + timedelta(days=1), time(), UTC), False, False
        )
    start = _in_utc(day, clock.start, zone)
    if clock.end is None:
        if last != day:
            return Session(start, _in_utc(last + timedelta(days=1), time(), zone), True, False)
        if stated.duration is not None:
            return Session(start, start + stated.duration, True, True)
        return Session(start, start + default_duration, True, False)
    if clock.end < clock.start:
        last += timedelta(days=1)
    return Session(start, _in_utc(last, clock.end, zone), True, True)


def _in_utc(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, zone).astimezone(UTC)


def _minute(moment: datetime) -> time:
    return moment.time().replace(second=0, microsecond=0)
