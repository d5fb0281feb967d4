"""Reading the dates and times of sessions the way editors write them in wikitext lines.

Editors write dates by hand, in many styles, often without a year. Everything here is pure so
the callers decide what "now" is; a date that is written but cannot be trusted raises DateError
rather than being skipped, because moving a session on a wrong date is worse than not moving it.
"""

import calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo


class DateError(ValueError):
    """A date is written but cannot be trusted; str(err) is a short reason naming the text."""


@dataclass(frozen=True)
class Mention:
    """A date (and maybe time) as written; a missing year is resolved later, by resolve()."""

    start: int
    end: int
    text: str
    year: int | None
    month: int
    day: int
    weekday: int | None
    start_time: time | None
    end_time: time | None
    zone: tzinfo
    zone_label: str | None


@dataclass(frozen=True)
class _Clock:
    """A time or time range with its zone, as found somewhere after a date."""

    start: int
    end: int
    start_time: time
    end_time: time | None
    zone: tzinfo
    zone_label: str | None


def _names_by_prefix(names: Iterable[str]) -> dict[str, int]:
    """Editors abbreviate freely ("Sept", "Tues", "Thurs"), so every prefix of three letters or
    more stands for its name; in English three letters already tell all months and days apart."""
    return {
        name[:length].lower(): number
        for number, name in enumerate(names)
        for length in range(3, len(name) + 1)
    }


# The calendar tables follow the process locale; the page is English whatever the bot's locale.
with calendar.different_locale("C"):
    _MONTHS = _names_by_prefix(calendar.month_name)  # month_name[0] is "", so numbers are 1-12
    _WEEKDAY_NAMES = list(calendar.day_name)
_WEEKDAYS = _names_by_prefix(_WEEKDAY_NAMES)

# Markup is blanked out (same length, so offsets stay those of the original line) rather than
# removed: URLs and meeting links hold long digit runs and dates that are not the session's.
# The leading lookahead only lets the engine skip quickly over plain text.
_MARKUP = re.compile(
    r"(?=[<'&\u00a0\u2009\u202fhf/\[])(?:"
    r"<!--.*?(?:-->|$)"  # translation markers such as <!--T:24-->
    r"|<[^<>]*>"  # <translate>, <tvar name="pw">, <br />
    r"|'{2,}"  # bold and italic quotes
    r"|&(?:[a-z]+|\#[0-9]+);"  # &nbsp; and other entities
    r"|[\u00a0\u2009\u202f]"  # non-breaking and thin spaces, so ASCII \s matches them
    r"|(?:https?|ftp)://[^\s\[\]<>|]+"  # URLs, bare or in [url label]
    r"|//[^\s\[\]<>|]+"  # protocol-relative URLs
    r"|\[\[[^\[\]|]*\|"  # the target of a piped wiki link, e.g. a file name with a date
    r")",
    re.IGNORECASE | re.DOTALL,
)

# re.ASCII keeps IGNORECASE from matching look-alikes such as the long s for "s", which would
# then miss the lookup tables, and keeps \b to the letters and digits editors actually type.
_FLAGS = re.ASCII | re.IGNORECASE

# Month and weekday names are matched as any word and looked up afterwards, and what precedes a
# number is checked afterwards too (_joined): an alternation of every abbreviation, or a leading
# lookbehind, is tried at every position of the line and made find() several times slower.
_NAME = r"\b[a-z]{3,9}\b\.?"
_DAY = r"(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?\b(?!:[0-9])"
_YEAR = r"(?P<year>(?:19|20)[0-9]{2})(?![0-9])"
_DATE_FORMS = tuple(
    re.compile(pattern, _FLAGS)
    for pattern in (
        rf"(?P<month>{_NAME})\s+{_DAY}(?:,?\s+{_YEAR})?",  # June 26 / October 30, 2022
        rf"{_DAY}\s+(?P<month>{_NAME})(?:,?\s+{_YEAR})?",  # 26 June 2023
        rf"{_YEAR}-(?P<month>[0-9]{{1,2}})-(?P<day>[0-9]{{1,2}})(?![\w\-/])",
    )
)
# Searched backwards from a date's start ($ is the date's start), e.g. "Monday, " or "Mon. ".
_WEEKDAY_BEFORE = re.compile(rf"(?P<weekday>{_NAME})[\s,]+$", _FLAGS)
_WEEKDAY_REACH = len("Wednesday., ") + 4  # and a few extra spaces

# One time of day: hour, optional minutes, optional am/pm, as groups h{n}, m{n} and p{n}.
_CLOCK = (
    r"(?P<h{n}>[0-9]{{1,2}})(?![0-9])(?::(?P<m{n}>[0-9]{{2}})(?![0-9:]))?"
    r"(?:\s*(?P<p{n}>[ap])\.?m\b\.?)?"
)
_RANGE_DASH = r"\s*(?:-|\u2013|\u2014|\bto\b|\buntil\b)\s*"
# A range's end must look like a time on its own ("18:30", "3pm"), so "1-2 people" is no range.
_LOOKS_LIKE_TIME = r"(?=[0-9]{1,2}(?::[0-9]|\s*[ap]\.?m\b))"
_ZONE = (
    r"(?P<zone>"
    r"(?P<utc>UTC|GMT)(?:(?P<sign>[+\-\u2212])(?P<oh>[0-9]{1,2})(?::?(?P<om>[0-9]{2}))?)?\b"
    r"|(?P<iana>(?-i:[A-Z][A-Za-z]+(?:/[A-Z][A-Za-z0-9_+\-]*)+))"
    r"|(?-i:[A-Z]{1,4}T)\b"  # CET, EST, PT: a zone is named, just not one that can be trusted
    r")"
)
_TIME = re.compile(
    rf"{_CLOCK.format(n=1)}"
    rf"(?:{_RANGE_DASH}{_LOOKS_LIKE_TIME}{_CLOCK.format(n=2)})?"
    rf"(?:\s*\(?\s*{_ZONE})?",
    _FLAGS,
)


def find(text: str) -> Mention | None:
    """The first date mention in the text, with the first time written after it (before any
    later date). Raises DateError for an impossible date or time."""
    plain = _MARKUP.sub(lambda markup: " " * len(markup.group()), text)
    found = _first_date(plain, 0, len(plain))
    if found is None:
        return None
    start, weekday = _weekday_before(plain, found.start())
    year, month, day = _calendar_fields(found, text[start : found.end()])
    clock = _first_clock(plain, found.end())
    if clock and _first_date(plain, found.end(), clock.start):
        clock = None  # that time belongs to a later date
    end = clock.end if clock else found.end()
    return Mention(
        start=start,
        end=end,
        text=text[start:end],
        year=year,
        month=month,
        day=day,
        weekday=weekday,
        start_time=clock.start_time if clock else None,
        end_time=clock.end_time if clock else None,
        zone=clock.zone if clock else UTC,
        zone_label=clock.zone_label if clock else None,
    )


def _first_date(plain: str, pos: int, endpos: int) -> re.Match[str] | None:
    found = [match for form in _DATE_FORMS if (match := _search_date(form, plain, pos, endpos))]
    return min(found, key=lambda match: match.start(), default=None)


def _search_date(form: re.Pattern[str], plain: str, pos: int, endpos: int) -> re.Match[str] | None:
    while (match := form.search(plain, pos, endpos)) is not None:
        if _is_month(match["month"]) and not _joined(plain, match.start()):
            return match
        pos = match.end()  # no match of the same form can start inside this one
    return None


def _joined(plain: str, start: int) -> bool:
    """Whether a match starts inside a word or number: "06/26", "v1.26", "T:24", "UTC+2"."""
    return start > 0 and (plain[start - 1].isalnum() or plain[start - 1] in "_/:.+-\u2212")


def _is_month(written: str) -> bool:
    return written.isdigit() or _name_key(written) in _MONTHS


def _month_number(written: str) -> int:
    return int(written) if written.isdigit() else _MONTHS[_name_key(written)]


def _name_key(written: str) -> str:
    return written.rstrip(".").lower()


def _weekday_before(plain: str, date_start: int) -> tuple[int, int | None]:
    """Where the mention starts, and its weekday when one is named just before the date."""
    match = _WEEKDAY_BEFORE.search(plain, max(0, date_start - _WEEKDAY_REACH), date_start)
    if match is None or _name_key(match["weekday"]) not in _WEEKDAYS:
        return date_start, None
    return match.start(), _WEEKDAYS[_name_key(match["weekday"])]


def _calendar_fields(found: re.Match[str], written: str) -> tuple[int | None, int, int]:
    """Year, month and day; checked against a leap year when no year is written, so
    "February 29" stays readable while "February 30" does not."""
    month = _month_number(found["month"])
    year = int(found["year"]) if found["year"] else None
    day = int(found["day"])
    if _date_or_none(year or 2000, month, day) is None:
        raise DateError(f"{written!r} is not a date")
    return year, month, day


def _date_or_none(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _first_clock(plain: str, pos: int) -> _Clock | None:
    for match in _TIME.finditer(plain, pos):
        clock = None if _joined(plain, match.start()) else _read_clock(match)
        if clock:
            return clock
    return None


def _read_clock(match: re.Match[str]) -> _Clock | None:
    """None for a lone number ("1)", "2 speakers"): only minutes, am/pm or a range make a time."""
    if match["h2"] is None and match["m1"] is None and match["p1"] is None:
        return None
    written = match.group().strip()
    if match["h2"] is None:
        start, end = _clock_time(match["h1"], match["m1"], match["p1"], written), None
    else:
        end = _clock_time(match["h2"], match["m2"], match["p2"], written)
        start = _range_start(match, end, written)
    zone = _read_zone(match, written) if match["zone"] else UTC
    return _Clock(match.start(), match.end(), start, end, zone, match["zone"])


def _range_start(match: re.Match[str], end: time, written: str) -> time:
    """A start without am/pm borrows the end's ("2-3pm", "10:30-11:30 am") unless that would put
    it after the end: "11-1pm" means 11 am."""
    borrowed = match["p2"] if match["p1"] is None and 1 <= int(match["h1"]) <= 12 else None
    start = _clock_time(match["h1"], match["m1"], match["p1"] or borrowed, written)
    if borrowed and start > end:
        other = "a" if borrowed.lower() == "p" else "p"
        start = _clock_time(match["h1"], match["m1"], other, written)
    return start


def _clock_time(hour: str, minute: str | None, meridiem: str | None, written: str) -> time:
    hours, minutes = int(hour), int(minute or 0)
    if meridiem:
        if not 1 <= hours <= 12:
            raise DateError(f"{written!r} is not a time")
        hours = hours % 12 + (12 if meridiem.lower() == "p" else 0)
    if hours > 23 or minutes > 59:
        raise DateError(f"{written!r} is not a time")
    return time(hours, minutes)


def _read_zone(match: re.Match[str], written: str) -> tzinfo:
    if match["utc"]:
        return _utc_offset(match, written)
    if match["iana"]:
        return _iana_zone(match["iana"], written)
    raise DateError(f"{written!r}: write UTC or an IANA zone instead of {match['zone']!r}")


def _utc_offset(match: re.Match[str], written: str) -> tzinfo:
    if match["sign"] is None:
        return UTC
    hours, minutes = int(match["oh"]), int(match["om"] or 0)
    offset = timedelta(hours=hours, minutes=minutes)
    if minutes > 59 or offset > timedelta(hours=14):
        raise DateError(f"{written!r}: {match['zone']!r} is not a UTC offset")
    return timezone(-offset if match["sign"] in "-\u2212" else offset)


def _iana_zone(name: str, written: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # OSError: a zone folder such as "America/Argentina"
        raise DateError(f"{written!r}: {name!r} is not a known time zone") from None


def resolve(mention: Mention, written_at: datetime) -> date:
    """The calendar date meant. A year-less date is taken as the next one from about when it was
    written; a week of slack keeps a session just past from jumping to next year, and no guess is
    made beyond a year ahead because a weekday that fits no nearby year means a typo somewhere.
    A naive written_at is taken as UTC."""
    if mention.year is not None:
        return _dated(mention, mention.year)
    today = written_at.astimezone(UTC).date() if written_at.tzinfo else written_at.date()
    earliest, latest = today - timedelta(weeks=1), _year_after(today)
    for year in range(earliest.year, latest.year + 1):
        candidate = _date_or_none(year, mention.month, mention.day)
        if candidate and earliest <= candidate <= latest and _weekday_fits(mention, candidate):
            return candidate
    raise DateError(f"{mention.text!r} matches no date from {earliest} to {latest}")


def _dated(mention: Mention, year: int) -> date:
    day = _date_or_none(year, mention.month, mention.day)
    if day is None:
        raise DateError(f"{mention.text!r} is not a date")
    if not _weekday_fits(mention, day):
        raise DateError(f"{mention.text!r}: {day} is a {_WEEKDAY_NAMES[day.weekday()]}")
    return day


def _weekday_fits(mention: Mention, day: date) -> bool:
    return mention.weekday is None or mention.weekday == day.weekday()


def _year_after(day: date) -> date:
    """The same date a year later; February 29 falls back to February 28."""
    return _date_or_none(day.year + 1, day.month, day.day) or date(day.year + 1, 2, 28)


def session(
    mention: Mention, day: date, default: timedelta = timedelta(minutes=60)
) -> tuple[datetime, datetime]:
    """Start and end in UTC; the day is the date in the mention's zone. A session without a time
    could be at any hour, so it takes the whole UTC day; an end before the start is read as
    running past midnight rather than as a typo."""
    if mention.start_time is None:
        midnight = datetime.combine(day, time(), UTC)
        return midnight, midnight + timedelta(days=1)
    start = _in_utc(day, mention.start_time, mention.zone)
    if mention.end_time is None:
        return start, start + default
    end_day = day + timedelta(days=1) if mention.end_time < mention.start_time else day
    return start, _in_utc(end_day, mention.end_time, mention.zone)


def _in_utc(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, zone).astimezone(UTC)
