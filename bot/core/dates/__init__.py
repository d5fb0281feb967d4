"""Reading the dates and times of sessions the way editors write them in wikitext lines.

Editors write dates by hand, in many styles, often without a year, sometimes several sessions on
one line, sometimes striking an old date out and writing the new one after it. Everything here is
pure so the callers decide what "now" is; a date that is written but cannot be trusted raises
DateError rather than being skipped, because moving a session on a wrong date is worse than not
moving it. Only English names and words are read.
"""

import calendar
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from bot.core.wikitext.patterns import STRUCK_OPEN, STRUCK_SPAN, URL


class DateError(ValueError):
    """A date is written but cannot be trusted; str(err) is a short reason naming the text."""


@dataclass(frozen=True)
class Alternative:
    """Another writing of a session's start in a zone the bot trusts ("12:00 UTC (14:00
    Europe/Berlin)"); resolve() checks that it names the same moment."""

    text: str
    start_time: time
    zone: tzinfo


@dataclass(frozen=True)
class Mention:
    """One session as written; a missing year is resolved later, by resolve().

    start/end/text: the span in the line; for a further session on the same date ("June 26 @
    12:00 UTC and 17:00 UTC") only its time, "17:00 UTC". year/month/day/weekday: the first day;
    year is the written one, the one the range's other end carries, or the one a link carries.
    start_time/end_time: the time as written, or the link's when none is. zone: the time's zone
    (UTC when none is written or the time is the link's; a time with no zone written before one
    with a zone, "12:00 and 17:00 Europe/Berlin", takes that zone). zone_label: the zone as
    written next to the time, else None. end_year/end_month/end_day/end_weekday: the last day of
    a range of days ("August 16-19"), all None for a single day. alternatives: other trusted
    writings of the same start, checked by resolve(). link: the zonestamp or timeanddate URL whose
    moment confirmed or gave the start.
    """

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
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    end_weekday: int | None = None
    alternatives: tuple[Alternative, ...] = ()
    link: str | None = None


#: Words that make the date after them (within three words, in the same sentence) a deadline
#: rather than a session. A phrase's words may have up to three other words between them, so
#: "register by" also reads "Register on Meta by". Callers may pass their own tuple.
DEADLINE_WORDS: tuple[str, ...] = (
    "register by",
    "registration closes",
    "deadline",
    "until",
    "closes",
    "rsvp by",
    "apply by",
    "submit by",
    "sign up by",
)


@dataclass(frozen=True)
class _Clock:
    """A time or time range with its zone; zone is None when the written zone is not trusted,
    and then problem says why."""

    start: int
    end: int
    start_time: time
    end_time: time | None
    zone: tzinfo | None
    zone_label: str | None
    problem: str | None = None


@dataclass(frozen=True)
class _Date:
    """A date, or a range of days, as found in the blanked line."""

    start: int
    end: int
    year: int | None
    month: int
    day: int
    weekday: int | None
    end_year: int | None = None
    end_month: int | None = None
    end_day: int | None = None
    end_weekday: int | None = None


@dataclass(frozen=True)
class _Link:
    start: int
    end: int
    url: str
    moment: datetime


def _names_by_prefix(names: Iterable[str]) -> dict[str, int]:
    """Editors abbreviate freely ("Sept", "Tues", "Thurs"), so every prefix of three letters or
    more stands for its name; in English three letters already tell all months and days apart."""
    return {
        name[:length].lower(): number
        for number, name in enumerate(names)
        for length in range(3, len(name) + 1)
    }


# The calendar tables follow the process locale; the page is English whatever the bot's locale.
with calendar.different_locale("C"):  # type: ignore[arg-type]  # typeshed wants a tuple; str works
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
_MONTH_FIRST = re.compile(rf"(?P<month>{_NAME})\s+{_DAY}(?:,?\s+{_YEAR})?", _FLAGS)
_DAY_FIRST = re.compile(rf"{_DAY}\s+(?P<month>{_NAME})(?:,?\s+{_YEAR})?", _FLAGS)
# 2023-06-26; 26.06.2023 (day first, as in Europe); 26/06/2023 or 06/26/2023 (read when only one
# of day-first and month-first gives a date). One pattern, so the line is scanned once.
_NUMERIC = re.compile(
    r"(?P<iy>(?:19|20)[0-9]{2})-(?P<im>[0-9]{1,2})-(?P<id>[0-9]{1,2})(?![\w\-/])"
    r"|(?P<dd>[0-9]{1,2})\.(?P<dm>[0-9]{1,2})\.(?P<dy>(?:19|20)[0-9]{2})(?![\w\-/]|\.[0-9])"
    r"|(?P<sa>[0-9]{1,2})/(?P<sb>[0-9]{1,2})/(?P<sy>(?:19|20)[0-9]{2})(?![\w\-/]|\.[0-9])",
    _FLAGS,
)
_DIGITS = re.compile(r"[0-9]+")
# Searched backwards from a number (the $), for the month name of "June 26".
_MONTH_BEFORE = re.compile(r"\b[a-z]{3,9}\b\.?\s+$", _FLAGS)
_MONTH_REACH = len("September. ") + 4
# Searched backwards from a date's start ($ is the date's start), e.g. "Monday, " or "Mon. ".
_WEEKDAY_BEFORE = re.compile(rf"(?P<weekday>{_NAME})[\s,]+$", _FLAGS)
_WEEKDAY_REACH = len("Wednesday., ") + 4  # and a few extra spaces
# Ranges of days: "August 16-19, 2023" (read after the date) and "16-19 August" (read before).
_DASH = r"(?:-|\u2013|\u2014)"
_DAY_RANGE_END = re.compile(
    rf"\s*{_DASH}\s*(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?\b"
    r"(?!:[0-9]|\s*(?:[ap]\.?m\b|h\b|utc\b|gmt\b|noon\b))"  # "June 26 - 16 UTC" is a time
    rf"(?:,?\s+{_YEAR})?(?:\s+(?P<next>[a-z]{{3,9}}))?",
    _FLAGS,
)
_DAY_RANGE_START = re.compile(
    rf"(?<![0-9:./])(?P<day>[0-9]{{1,2}})(?:st|nd|rd|th)?\s*{_DASH}\s*$", _FLAGS
)
_DAY_RANGE_REACH = len("31st - ") + 4
# Between two dates that make one range: "August 30 - September 2", "Monday, June 26 to Friday".
_RANGE_JOIN = re.compile(
    rf"\s*(?:{_DASH}|\bto\b|\bthrough\b|\bthru\b|\buntil\b|\btill\b)\s*", _FLAGS
)

# One time of day: hour, optional minutes ("16:00", "16h00", "16:00h"), optional am/pm, or the
# words noon and midnight, as groups h{n}, m{n}, s{n} (a trailing h), p{n} and w{n}.
_CLOCK = (
    r"(?:(?P<w{n}>(?:12\s*)?noon|midnight)\b"
    r"|(?P<h{n}>[0-9]{{1,2}})(?![0-9])(?:[:h](?P<m{n}>[0-9]{{2}})(?![0-9:]))?(?P<s{n}>h\b)?"
    r"(?:\s*(?P<p{n}>[ap])\.?m\b\.?)?)"
)
_RANGE_DASH = r"\s*(?:-|\u2013|\u2014|\bto\b|\buntil\b)\s*"
# A range's end must look like a time on its own ("18:30", "3pm"), so "1-2 people" is no range.
_LOOKS_LIKE_TIME = r"(?=[0-9]{1,2}(?:[:h][0-9]|\s*[ap]\.?m\b)|noon|midnight|12\s*noon)"
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
    rf"(?:\s*(?P<paren>\()?\s*{_ZONE})?",
    _FLAGS,
)
# What may stand between a date and the time written just before it ("12:00 UTC, Monday, June
# 26", "At 14:00 UTC on June 26") or just after it ("June 26, 12:00", "June 26 @ 12:00").
# Square brackets are those of external links, whose address is blanked: "@ [url 12:00 UTC]".
_BEFORE_DATE = re.compile(r"[\s,(\[\]]*(?:\bon\s+)?(?:\bthe\s+)?", _FLAGS)
_AFTER_DATE = re.compile(r"[\s,(@\-\u2013\[\]]*(?:\b(?:at|from)\b[\s\[]*)?", _FLAGS)
_TIME_REACH = 80  # how far before a date a time directly before it is looked for
# Between two times: the same moment in another zone ("14:00 CEST / 12:00 UTC", "12:00 UTC
# (14:00 CEST)"), or another session on the same date ("12:00 UTC and 17:00 UTC").
_SAME_MOMENT = re.compile(r"[\s\]]*(?:/|\(|=)[\s\[]*", _FLAGS)
_NEXT_SESSION = re.compile(
    r"[\s\])]*(?:,|;|&|\band\b)\s*(?:(?:and|&)\s+)?(?:(?:again|also)\s+)?(?:(?:at|@)\s*)?[\s\[]*",
    _FLAGS,
)
_SENTENCE_END = re.compile(r".*[.;!?|\u00b7\u2022]", re.DOTALL)
_WORDS = re.compile(r"[a-z]+")
_DEADLINE_WINDOW = 120  # characters before a date where its qualifier is looked for
_DEADLINE_REACH = 3  # words between a deadline word and its date, and between a phrase's words

# Links whose address carries the exact moment of the session.
_ZONESTAMP = re.compile(r"//zonestamp\.toolforge\.org/(?P<seconds>[0-9]{9,10})(?![0-9])")
_TIMEANDDATE = re.compile(r"//(?:www\.)?timeanddate\.com/worldclock/fixedtime\.html\?(?P<q>.*)")
_PLACE = re.compile(r"p[0-9]+")
_ISO = re.compile(
    r"(?P<y>[0-9]{4})-?(?P<mo>[0-9]{2})-?(?P<d>[0-9]{2})"
    r"T(?P<h>[0-9]{2})(?::?(?P<mi>[0-9]{2}))?(?::?(?P<s>[0-9]{2}))?(?P<z>Z)?"
)


def strike_spans(text: str) -> list[tuple[int, int]]:
    """Where `<s>`, `<del>` and `<strike>` spans are, tags included: nothing in them is a session.
    Struck text is an old date an editor kept for readers ("<s>June 26</s> Rescheduled: June 28");
    an unclosed strike runs to the end of the text, so nothing after it is read as a session."""
    if STRUCK_OPEN.search(text) is None:
        return []
    return [match.span() for match in STRUCK_SPAN.finditer(text)]


def find(text: str, deadline_words: tuple[str, ...] = DEADLINE_WORDS) -> Mention | None:
    """The first session mention in the text (see find_all), or None."""
    mentions = find_all(text, deadline_words)
    return mentions[0] if mentions else None


def find_all(text: str, deadline_words: tuple[str, ...] = DEADLINE_WORDS) -> list[Mention]:
    """Every session mention in the text, in order. A date takes the times written after it up to
    the next date (each further time joined by "and" or a comma is another session that day), or
    else the time written just before it; struck text and deadlines ("Register by June 16") are
    not sessions; a zonestamp or timeanddate link gives or confirms the moment. Raises DateError
    when any date or time on the line is written but cannot be trusted."""
    unstruck = _blank(text, strike_spans(text))
    links = _links(unstruck)
    plain = _MARKUP.sub(lambda markup: " " * len(markup.group()), unstruck)
    found = _dates(plain, text)
    leads = [_time_before(plain, found, i) for i in range(len(found))]
    sessions: list[_Session] = []
    for i, day in enumerate(found):
        limit = _after_limit(found, leads, i, len(plain))
        lead = leads[i]
        groups = _clock_groups(plain, day.end, limit) or ([[lead]] if lead else [])
        if not _is_deadline(plain, found, i, deadline_words):
            sessions.extend(_day_mentions(text, day, groups))
    if not found:
        return [_link_mention(link) for link in links]
    return _with_links(plain, sessions, links) if sessions else []


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


# --- dates ---


def _dates(plain: str, text: str) -> list[_Date]:
    """Every date in the line, in order; "August 16-19" and "16-19 August" are one date each,
    and so are two dates joined as a range."""
    found: list[_Date] = []
    for run in _DIGITS.finditer(plain):
        floor = found[-1].end if found else 0
        match = _date_at(plain, run) if run.start() >= floor else None
        if match is None or match.start() < floor:
            continue
        before = _day_range_start(plain, match, floor)
        if before is None and _joined(plain, match.start()):
            continue
        found.append(_read_date(plain, text, match, before))
    return _joined_ranges(plain, text, found)


def _date_at(plain: str, run: re.Match[str]) -> re.Match[str] | None:
    """The date whose number starts the run of digits: finding numbers first and trying each form
    there is several times faster than searching the line for each form."""
    at = run.start()
    if run.end() - at > 4 or (at and (plain[at - 1].isalnum() or plain[at - 1] in _INSIDE)):
        return None  # inside a word, a longer number, a time or a version ("-": "16-19 August")
    if run.end() - at > 2:
        return _NUMERIC.match(plain, at)
    if at > 3 and plain[at - 1].isspace():
        before = _MONTH_BEFORE.search(plain, max(0, at - _MONTH_REACH), at)
        named = before and _MONTH_FIRST.match(plain, before.start())
        if named and _is_month(named["month"]):
            return named
    named = _DAY_FIRST.match(plain, at)
    if named and _is_month(named["month"]):
        return named
    return _NUMERIC.match(plain, at)


def _day_range_start(plain: str, match: re.Match[str], floor: int) -> re.Match[str] | None:
    """The "16-" of "16-19 August", when it is not part of the date before."""
    if match.re is not _DAY_FIRST:
        return None
    before = _DAY_RANGE_START.search(
        plain, max(floor, match.start() - _DAY_RANGE_REACH), match.start()
    )
    if before is None or before.start() < floor or int(before["day"]) >= int(match["day"]):
        return None  # "30-2 August" is no range of days
    return before


def _read_date(plain: str, text: str, match: re.Match[str], before: re.Match[str] | None) -> _Date:
    if match.re is _NUMERIC:
        start, weekday = _weekday_before(plain, match.start())
        return _Date(start, match.end(), *_numeric_fields(match), weekday)
    if before:
        first, last = int(before["day"]), int(match["day"])
        return _day_range(plain, text, match, (before.start(), match.end()), (first, last))
    after = _DAY_RANGE_END.match(plain, match.end()) if match["year"] is None else None
    if after and int(after["day"]) > int(match["day"]) and not _is_month(after["next"] or ""):
        end = after.end("year") if after["year"] else after.end("day")
        days = (int(match["day"]), int(after["day"]))
        return _day_range(plain, text, match, (match.start(), end), days, after["year"])
    start, weekday = _weekday_before(plain, match.start())
    year, month, day = _calendar_fields(match, text[start : match.end()])
    return _Date(start, match.end(), year, month, day, weekday)


def _day_range(
    plain: str,
    text: str,
    match: re.Match[str],
    span: tuple[int, int],
    days: tuple[int, int],
    year_after: str | None = None,
) -> _Date:
    """ "August 16-19, 2023" or "16-19 August 2023": one month, one year, two days, the first
    before the last (checked by the caller, which reads anything else as no range)."""
    start, weekday = _weekday_before(plain, span[0])
    written = text[start : span[1]]
    month = _month_number(match["month"])
    year_text = match["year"] or year_after
    year = int(year_text) if year_text else None
    if any(_date_or_none(year or 2000, month, day) is None for day in days):
        raise DateError(f"{written!r} is not a date")
    return _Date(start, span[1], year, month, days[0], weekday, year, month, days[1])


def _numeric_fields(match: re.Match[str]) -> tuple[int, int, int]:
    written = match.group()
    if match["iy"]:
        readings = [(int(match["iy"]), int(match["im"]), int(match["id"]))]
    elif match["dd"]:
        readings = [(int(match["dy"]), int(match["dm"]), int(match["dd"]))]
    else:
        a, b, year = int(match["sa"]), int(match["sb"]), int(match["sy"])
        readings = list(dict.fromkeys([(year, b, a), (year, a, b)]))  # day first, month first
    valid = [reading for reading in readings if _date_or_none(*reading)]
    if not valid:
        raise DateError(f"{written!r} is not a date")
    if len(valid) > 1:
        raise DateError(f"{written!r} could be day/month or month/day: write the month's name")
    return valid[0]


_INSIDE = "_/:.+\u2212"


def _joined(plain: str, start: int) -> bool:
    """Whether a match starts inside a word or number: "06/26", "v1.26", "T:24", "UTC+2"."""
    return start > 0 and (plain[start - 1].isalnum() or plain[start - 1] in _INSIDE + "-")


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


def _joined_ranges(plain: str, text: str, found: list[_Date]) -> list[_Date]:
    """Two dates with only a dash, "to" or "until" between them are one range; a year written on
    one end applies to both (the start falls in the year before when it is later in the year)."""
    merged: list[_Date] = []
    for day in found:
        last = merged[-1] if merged else None
        if last and last.end_month is None and _RANGE_JOIN.fullmatch(plain, last.end, day.start):
            merged[-1] = _range(last, day, text[last.start : day.end])
        else:
            merged.append(day)
    return merged


def _range(first: _Date, last: _Date, written: str) -> _Date:
    if last.end_month is not None:
        raise DateError(f"{written!r} is not a range of days")
    later = (last.month, last.day) >= (first.month, first.day)
    start_year, end_year = first.year, last.year
    if start_year is None and end_year is not None:
        start_year = end_year if later else end_year - 1
    elif end_year is None and start_year is not None:
        end_year = start_year if later else start_year + 1
    if start_year is not None and end_year is not None:
        starts, ends = (
            _date_or_none(start_year, first.month, first.day),
            _date_or_none(end_year, last.month, last.day),
        )
        if starts is None or ends is None:
            raise DateError(f"{written!r} is not a date")
        if ends <= starts:
            raise DateError(f"{written!r} ends before it starts")
    elif (last.month, last.day) == (first.month, first.day):
        raise DateError(f"{written!r} ends before it starts")
    return replace(
        first,
        end=last.end,
        year=start_year,
        end_year=end_year,
        end_month=last.month,
        end_day=last.day,
        end_weekday=last.weekday,
    )


def _is_deadline(plain: str, found: list[_Date], i: int, phrases: tuple[str, ...]) -> bool:
    """Whether the date is qualified by a deadline phrase a few words before it, in the same
    sentence and after the previous date."""
    start = found[i - 1].end if i else 0
    window = plain[max(start, found[i].start - _DEADLINE_WINDOW) : found[i].start].lower()
    split = _split_phrases(phrases)
    if not any(phrase[0] in window for phrase in split):
        return False
    sentence = _SENTENCE_END.match(window)
    words = _WORDS.findall(window[sentence.end() :] if sentence else window)
    return any(_ends_with_phrase(words, phrase) for phrase in split)


@functools.cache
def _split_phrases(phrases: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(phrase.lower().split()) for phrase in phrases if phrase.strip())


def _ends_with_phrase(words: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether the phrase's words occur in order near the end of `words`, with at most
    _DEADLINE_REACH other words after the last one and between any two of them."""
    end = len(words)
    for wanted in reversed(phrase):
        reach = range(end - 1, max(end - 2 - _DEADLINE_REACH, -1), -1)
        end = next((k for k in reach if words[k] == wanted), -1)
        if end < 0:
            return False
    return True


# --- times ---


def _time_before(plain: str, found: list[_Date], i: int) -> _Clock | None:
    """The time written directly before the date ("12:00 UTC, Monday, June 26"), unless it is
    written directly after the date before ("June 26 @ 12:00 UTC, June 28" is June 26's) or
    continues its times ("June 26 @ 12:00 UTC and 17:00 UTC, June 28" too)."""
    floor = found[i - 1].end if i else 0
    if not plain[max(floor, found[i].start - _TIME_REACH) : found[i].start].strip(" *#:;"):
        return None
    last = None
    for match in _TIME.finditer(plain, max(floor, found[i].start - _TIME_REACH), found[i].start):
        if not _joined(plain, match.start()):
            last = match
    if last is None or not _BEFORE_DATE.fullmatch(plain, last.end(), found[i].start):
        return None
    if i and _AFTER_DATE.fullmatch(plain, floor, last.start()):
        return None
    clock = _read_clock(last)
    if clock and i:
        before = [c for group in _clock_groups(plain, floor, last.end()) for c in group]
        if len(before) > 1 and before[-1].end == clock.end:
            return None
    return clock


def _after_limit(found: list[_Date], leads: list[_Clock | None], i: int, length: int) -> int:
    """Where the times that belong to date i end: at the next date, or at its time before it."""
    if i + 1 == len(found):
        return length
    lead = leads[i + 1]
    return lead.start if lead else found[i + 1].start


def _clock_groups(plain: str, pos: int, endpos: int) -> list[list[_Clock]]:
    """The times after a date: the first one anywhere before the next date, then those joined to
    it; each group is one session, several times in a group the same moment in other zones."""
    first = next(
        (
            clock
            for match in _TIME.finditer(plain, pos, endpos)
            if not _joined(plain, match.start()) and (clock := _read_clock(match))
        ),
        None,
    )
    if first is None:
        return []
    groups = [[first]]
    while join := _SAME_MOMENT.match(plain, groups[-1][-1].end, endpos) or _NEXT_SESSION.match(
        plain, groups[-1][-1].end, endpos
    ):
        match = _TIME.match(plain, join.end(), endpos)
        clock = _read_clock(match) if match else None
        if clock is None:
            break
        labels = (groups[-1][-1].zone_label, clock.zone_label)
        if join.re is _SAME_MOMENT and None in labels:
            break  # "12:00 UTC (1h30)" is a duration, not the same moment
        if join.re is _SAME_MOMENT and labels[0] != labels[1]:
            groups[-1].append(clock)
        else:
            groups.append([clock])
    return groups


def _read_clock(match: re.Match[str]) -> _Clock | None:
    """None for a lone number ("1)", "2 speakers"): only minutes, am/pm, a range, noon or a zone
    right after the hour ("16 UTC", "16h UTC") make a time."""
    bare = match["m1"] is None and match["p1"] is None and match["w1"] is None
    if bare and match["h2"] is None and (match["zone"] is None or match["paren"]):
        return None
    written = match.group().strip()
    if match["h2"] is None and match["w2"] is None:
        start, end = _clock_time(match, "1", None, written), None
    else:
        end = _clock_time(match, "2", None, written)
        start = _range_start(match, end, written)
    zone, problem = _read_zone(match, written) if match["zone"] else (UTC, None)
    return _Clock(match.start(), match.end(), start, end, zone, match["zone"], problem)


def _range_start(match: re.Match[str], end: time, written: str) -> time:
    """A start without am/pm borrows the end's ("2-3pm", "10:30-11:30 am") unless that would put
    it after the end: "11-1pm" means 11 am."""
    twelve_hour = match["h1"] is not None and 1 <= int(match["h1"]) <= 12
    borrowed = match["p2"] if match["p1"] is None and twelve_hour else None
    start = _clock_time(match, "1", borrowed, written)
    if borrowed and start > end:
        other = "a" if borrowed.lower() == "p" else "p"
        start = _clock_time(match, "1", other, written)
    return start


def _clock_time(match: re.Match[str], n: str, borrowed: str | None, written: str) -> time:
    if match["w" + n]:
        return time(0) if match["w" + n].lower() == "midnight" else time(12)
    hours, minutes = int(match["h" + n]), int(match["m" + n] or 0)
    meridiem = match["p" + n] or borrowed
    if meridiem:
        if not 1 <= hours <= 12:
            raise DateError(f"{written!r} is not a time")
        hours = hours % 12 + (12 if meridiem.lower() == "p" else 0)
    if hours > 23 or minutes > 59:
        raise DateError(f"{written!r} is not a time")
    return time(hours, minutes)


def _read_zone(match: re.Match[str], written: str) -> tuple[tzinfo | None, str | None]:
    """The zone, or None and why it cannot be trusted (a UTC writing of the same moment may
    still be given next to it)."""
    try:
        if match["utc"]:
            return _utc_offset(match, written), None
        if match["iana"]:
            return _iana_zone(match["iana"], written), None
    except DateError as error:
        return None, str(error)
    return None, f"{written!r}: write UTC or an IANA zone instead of {match['zone']!r}"


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


# --- mentions ---


@dataclass(frozen=True)
class _Session:
    """A mention being built: where its time (or date) starts, so a link next to it is found,
    and why its time cannot be trusted when no trusted writing of it is found."""

    mention: Mention
    at: int
    problem: str | None = None


def _day_mentions(text: str, day: _Date, groups: list[list[_Clock]]) -> list[_Session]:
    """One mention per session written for the date; a time without a zone before one with a
    zone ("12:00 and 17:00 UTC") is in that zone."""
    if not groups:
        return [_Session(_mention(text, day, day.start, day.end), day.start)]
    sessions: list[_Session] = []
    zoned: _Clock | None = None  # the nearest time after this one that names its zone
    for n in reversed(range(len(groups))):
        group = groups[n]
        if len(group) == 1 and group[0].zone_label is None and zoned:
            group = [replace(group[0], zone=zoned.zone, problem=zoned.problem)]
        zoned = group[0] if group[0].zone_label else zoned
        start = min(day.start, group[0].start) if n == 0 else group[0].start
        end = max(day.end, group[-1].end) if n == 0 else group[-1].end
        sessions.append(_timed(text, day, start, end, group))
    return sessions[::-1]


def _timed(text: str, day: _Date, start: int, end: int, group: list[_Clock]) -> _Session:
    """The session at the time of a group of writings of one moment, in the first zone trusted;
    without any, its time is unknown until a link gives it."""
    trusted = [clock for clock in group if clock.zone is not None]
    if not trusted:
        return _Session(_mention(text, day, start, end), group[0].start, group[0].problem)
    chosen, *others = trusted
    alternatives = tuple(
        Alternative(text[c.start : c.end].strip(), c.start_time, c.zone)
        for c in others
        if c.zone is not None
    )
    return _Session(_mention(text, day, start, end, chosen, alternatives), group[0].start)


def _mention(
    text: str,
    day: _Date,
    start: int,
    end: int,
    clock: _Clock | None = None,
    alternatives: tuple[Alternative, ...] = (),
) -> Mention:
    return Mention(
        start=start,
        end=end,
        text=text[start:end],
        year=day.year,
        month=day.month,
        day=day.day,
        weekday=day.weekday,
        start_time=clock.start_time if clock else None,
        end_time=clock.end_time if clock else None,
        zone=clock.zone or UTC if clock else UTC,
        zone_label=clock.zone_label if clock else None,
        end_year=day.end_year,
        end_month=day.end_month,
        end_day=day.end_day,
        end_weekday=day.end_weekday,
        alternatives=alternatives,
    )


def _links(text: str) -> list[_Link]:
    """Zonestamp and timeanddate links whose moment can be trusted, in order."""
    if "zonestamp" not in text and "timeanddate" not in text:
        return []
    links = []
    for url in URL.finditer(text):
        moment = _link_moment(url.group())
        if moment is not None:
            links.append(_Link(url.start(), url.end(), url.group(), moment))
    return links


def _link_moment(url: str) -> datetime | None:
    """The start a link carries, in UTC. A timeanddate time is only trusted when it is marked UTC
    ("Z") or no place is given (p1=...): a place makes it that place's local time, and the
    bot does not know timeanddate's place numbers."""
    if stamp := _ZONESTAMP.search(url):
        return datetime.fromtimestamp(int(stamp["seconds"]), UTC)
    fixed = _TIMEANDDATE.search(url)
    if fixed is None:
        return None
    query = parse_qs(fixed["q"].replace("&amp;", "&"))
    iso = _ISO.fullmatch(query.get("iso", [""])[0])
    if iso is None or (not iso["z"] and any(_PLACE.fullmatch(key) for key in query)):
        return None
    try:
        return datetime(
            int(iso["y"]),
            int(iso["mo"]),
            int(iso["d"]),
            int(iso["h"]),
            int(iso["mi"] or 0),
            int(iso["s"] or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def _link_mention(link: _Link) -> Mention:
    moment = link.moment
    return Mention(
        start=link.start,
        end=link.end,
        text=link.url,
        year=moment.year,
        month=moment.month,
        day=moment.day,
        weekday=None,
        start_time=_minute(moment),
        end_time=None,
        zone=UTC,
        zone_label=None,
        link=link.url,
    )


def _minute(moment: datetime) -> time:
    return moment.time().replace(second=0, microsecond=0)


def _with_links(plain: str, sessions: list[_Session], links: list[_Link]) -> list[Mention]:
    """Each link confirms (or gives the time of) the session it is written next to: the one whose
    time follows it directly ("@ [url 12:00 UTC]"), else the last one before it, else the first.
    A session whose time is written only in zones the bot cannot trust needs a link."""
    for link in links:
        k = _link_owner(plain, sessions, link)
        sessions[k] = replace(sessions[k], mention=_confirmed(sessions[k], link), problem=None)
    for session in sessions:
        if session.problem:
            raise DateError(session.problem)
    return [session.mention for session in sessions]


def _link_owner(plain: str, sessions: list[_Session], link: _Link) -> int:
    for k, session in enumerate(sessions):
        if session.at >= link.end and not plain[link.end : session.at].strip(" []"):
            return k
    before = [k for k, session in enumerate(sessions) if session.mention.start <= link.start]
    return before[-1] if before else 0


def _confirmed(session: _Session, link: _Link) -> Mention:
    """The mention with the link's moment, which must fall on its date and, when a trusted time
    is written, at that time."""
    mention = session.mention
    trusted_time = mention.start_time is not None and session.problem is None
    local = link.moment.astimezone(mention.zone if trusted_time else UTC)
    written = (mention.year or local.year, mention.month, mention.day)
    if written != (local.year, local.month, local.day) or (
        trusted_time and mention.start_time != _minute(local)
    ):
        label = mention.zone_label or "UTC"
        raise DateError(
            f"{mention.text.strip()!r} and {link.url!r} disagree: the link says "
            f"{local:%Y-%m-%d %H:%M} {label if trusted_time else 'UTC'}"
        )
    if trusted_time:
        return replace(mention, year=local.year, link=link.url)
    return replace(
        mention,
        year=local.year,
        start_time=_minute(local),
        zone=UTC,
        zone_label=None,
        link=link.url,
    )


# --- resolving ---


def resolve(mention: Mention, written_at: datetime) -> date:
    """The calendar date of the session's first day. A year-less date is taken as the next one
    from about when it was written; a week of slack keeps a session just past from jumping to
    next year, and no guess is made beyond a year ahead because a weekday that fits no nearby year
    means a typo somewhere. A naive written_at is taken as UTC. Also checks the range's last day
    and that other writings of the start name the same moment."""
    if mention.year is not None:
        day = _dated(mention, mention.year)
    else:
        day = _nearest(mention, written_at)
    last_day(mention, day)
    _check_alternatives(mention, day)
    return day


def _nearest(mention: Mention, written_at: datetime) -> date:
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


def last_day(mention: Mention, day: date) -> date:
    """The session's last day, given its first: the range's end (the first one on or after the
    first day when no year is written at the end), else the first day itself."""
    if mention.end_month is None or mention.end_day is None:
        return day
    year = mention.end_year
    if year is None:
        year = (
            day.year
            if (mention.end_month, mention.end_day) >= (day.month, day.day)
            else day.year + 1
        )
    last = _date_or_none(year, mention.end_month, mention.end_day)
    if last is None or last <= day:
        raise DateError(f"{mention.text!r} is not a range of days")
    if mention.end_weekday is not None and mention.end_weekday != last.weekday():
        raise DateError(f"{mention.text!r}: {last} is a {_WEEKDAY_NAMES[last.weekday()]}")
    return last


def _check_alternatives(mention: Mention, day: date) -> None:
    if mention.start_time is None:
        return
    start = _in_utc(day, mention.start_time, mention.zone)
    for other in mention.alternatives:
        if _in_utc(day, other.start_time, other.zone) != start:
            first = f"{mention.start_time:%H:%M} {mention.zone_label or 'UTC'}"
            raise DateError(f"{mention.text!r}: {first!r} and {other.text!r} disagree")


def session(
    mention: Mention, day: date, default: timedelta = timedelta(minutes=60)
) -> tuple[datetime, datetime]:
    """Start and end in UTC; the day is the first day in the mention's zone (as resolve() gives
    it). A session without a time could be at any hour, so it takes whole days; a range of days
    ends with its last day (at its end time, when one is written); an end before the start is
    read as running past midnight rather than as a typo."""
    last = last_day(mention, day)
    ranged = last != day
    if mention.start_time is None:
        return _in_utc(day, time(), mention.zone), _in_utc(
            last + timedelta(days=1), time(), mention.zone
        )
    start = _in_utc(day, mention.start_time, mention.zone)
    if mention.end_time is None:
        if ranged:
            return start, _in_utc(last + timedelta(days=1), time(), mention.zone)
        return start, start + default
    if mention.end_time < mention.start_time:
        last += timedelta(days=1)
    return start, _in_utc(last, mention.end_time, mention.zone)


def _in_utc(day: date, clock: time, zone: tzinfo) -> datetime:
    return datetime.combine(day, clock, zone).astimezone(UTC)
