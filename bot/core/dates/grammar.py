"""The rules by which a slot states its sessions, read over the tokens of its line.

    lead    := label* (clock [,] [on] date | session) {joiner session}
    session := date [join] times
    date    := [weekday [,]] (month day | day [-day] [of] month | numeric) [year] [range]
    times   := clock {same-moment} [duration] {and clock {same-moment}}
    clock   := time [dash time] [zone]

Every rule reads tokens that stand next to each other (spaces and joining words between, where
a reader puts them) and says where it stopped; nothing is read "near" a date. What a rule does
not read is no session: a date later in the line is a mention. Rules never raise for a writing
the bot cannot trust: it is returned with its problem named, and the caller leaves the line.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

from bot.core.dates import vocabulary as v
from bot.core.dates.lexer import T, Token, text_tokens

#: How far past a date, in tokens, its time may stand with words between ("June 26: Copyright
#: basics, 14:00 UTC"); further away, or past the end of the clause, a time is a mention.
_CLOCK_REACH = 24
#: The most words a label ending in a colon may have ("Session 2 of the series:").
_LABEL_WORDS = 6
_DASHES = ("-", "\u2013", "\u2014")
#: What ends a clause of a slot's line: "Register by June 16 · Session: June 20".
_CLAUSE_ENDS = ("\u00b7", "\u2022", "|", ";")
#: Words after which a date is a deadline or an old date, and a time a deadline.
_DATE_QUALIFIERS = v.DEADLINE_WORDS | v.OLD_DATE_WORDS
_TIME_QUALIFIERS = v.DEADLINE_WORDS


@dataclass(frozen=True)
class Day:
    """A calendar day as written; a missing year is resolved from when the line was written.
    Month 0 marks a numeric date that reads as two real dates (06/07/2023)."""

    year: int | None
    month: int
    day: int
    weekday: int | None = None


@dataclass(frozen=True)
class Clock:
    """A time of day as written, with its zone; `zone` is None when the written zone cannot be
    trusted, and then `problem` says why."""

    start: time
    end: time | None
    zone: tzinfo | None
    zone_text: str | None  # the zone as written; None when none is written
    problem: str | None
    text: str


@dataclass(frozen=True)
class Stated:
    """One session as a lead states it."""

    first: Day
    last: Day | None  # the last day of a range of days
    text: str  # the lead's words for it, for messages
    clock: Clock | None = None  # the trusted writing of its time
    alternatives: tuple[Clock, ...] = ()  # other trusted writings of the same start
    moment: datetime | None = None  # the moment a time link next to it carries
    duration: timedelta | None = None
    problem: str | None = None  # why its time cannot be trusted


@dataclass(frozen=True)
class Lead:
    """What a slot's lead states, and which tokens state it: those leave the line when its
    entry is written; every other token stays."""

    sessions: tuple[Stated, ...]
    used: frozenset[int]
    start: int  # the first token after the label
    end: int  # just past the lead's last token


@dataclass(frozen=True)
class _Read:
    end: int
    used: frozenset[int]


# --- a lead --------------------------------------------------------------------------------


def read_lead(tokens: Sequence[Token], default_zone: tzinfo = UTC, at: int = 0) -> Lead | None:
    """The sessions the tokens state at their start (from `at`), or None when no date stands
    there: past a label, a session (or a time and its date), and further sessions joined to it."""
    label_end, lead_in = skip_label(tokens, at)
    start = skip(tokens, label_end, T.QUOTES, T.FORMAT, T.SPACE)
    first = (
        _clock_then_date(tokens, start, default_zone)
        or session(tokens, start, default_zone)
        or _linked_session(tokens, start)
    )
    if first is None:
        return None
    sessions, read = first
    used, end = set(read.used) | lead_in, read.end
    while (joined := _joined(tokens, end, default_zone)) is not None:
        more, read = joined
        sessions = [*sessions, *more]
        used |= read.used
        end = read.end
    used |= _bold_around(tokens, label_end, start, used)
    return Lead(tuple(sessions), frozenset(used), start, end)


def _bold_around(tokens: Sequence[Token], label_end: int, start: int, used: set[int]) -> set[int]:
    """The quotes that open a bold date ("'''Monday, June 26''' @ 12:00"), when the lead used
    the ones that close it: bold marks leave in pairs."""
    closing = [i for i in used if tokens[i].kind is T.QUOTES]
    opening = [i for i in range(label_end, start) if tokens[i].kind is T.QUOTES]
    return {opening[-1]} if len(closing) % 2 and opening else set()


def _joined(tokens: Sequence[Token], i: int, zone: tzinfo) -> tuple[list[Stated], _Read] | None:
    """A further session: ", and Friday, June 30 @ 16:00 UTC", "; June 28"."""
    j = skip(tokens, i, T.SPACE, T.QUOTES, T.FORMAT)
    joiner = _at(tokens, j, T.PUNCT, ",", ";", "&", "/", "\u00b7", "\u2022")
    if joiner:
        j = skip(tokens, j + 1, T.SPACE)
    while _at(tokens, j, T.WORD, *v.AND_WORDS, "on"):
        joiner = True
        j = skip(tokens, j + 1, T.SPACE)
    if not joiner or _preceded_by(tokens, j, _DATE_QUALIFIERS):
        return None
    found = _clock_then_date(tokens, j, zone) or session(tokens, j, zone)
    if found is None:
        return None
    sessions, read = found
    return sessions, _Read(read.end, read.used | frozenset(range(i, j)))


def session(tokens: Sequence[Token], i: int, zone: tzinfo) -> tuple[list[Stated], _Read] | None:
    """A date and the times written for it: one session, or several that day."""
    days = date(tokens, i)
    if days is None:
        return None
    first, last, read = days
    found = _times(tokens, read.end, zone)
    if found is None:
        return [Stated(first, last, _text(tokens, i, read.end))], read
    groups, times = found
    text = _text(tokens, i, times.end)
    sessions = [_with_writings(Stated(first, last, text), group) for group in groups]
    return sessions, _Read(times.end, read.used | times.used)


def _clock_then_date(
    tokens: Sequence[Token], i: int, zone: tzinfo
) -> tuple[list[Stated], _Read] | None:
    """A time before its date: "12:00 UTC, Monday, June 26", "At 14:00 UTC on June 26"."""
    j = skip(tokens, i + 1, T.SPACE) if _at(tokens, i, T.WORD, "at") else i
    found = clock(tokens, j, zone)
    if found is None:
        return None
    read_clock, read = found
    k = skip(tokens, read.end, T.SPACE, T.QUOTES, T.FORMAT)
    opened = _at(tokens, k, T.PUNCT, "(")
    if _at(tokens, k, T.PUNCT, ",", "(", *_DASHES):
        k = skip(tokens, k + 1, T.SPACE)
    for word in ("on", "the"):
        if _at(tokens, k, T.WORD, word):
            k = skip(tokens, k + 1, T.SPACE)
    days = date(tokens, k)
    if days is None:
        return None
    first, last, day_read = days
    end = _closing(tokens, day_read.end, "(" if opened else None)
    own = _times(tokens, end, zone, far=False)
    if own is not None:  # "12:00 UTC, Monday, June 26 @ 14:00 UTC": which one?
        text = _text(tokens, i, own[1].end)
        problem = f"{text!r} names two times for one date"
        return [Stated(first, last, text, problem=problem)], _Read(
            own[1].end, frozenset(range(i, own[1].end))
        )
    stated = _with_writings(Stated(first, last, _text(tokens, i, end)), [read_clock])
    return [stated], _Read(end, frozenset(range(i, end)))


def _linked_session(tokens: Sequence[Token], i: int) -> tuple[list[Stated], _Read] | None:
    """A time link standing where the date would ("Next call: [zonestamp... your time]"): the
    session is the moment it carries."""
    if not _at(tokens, i, T.TIMELINK):
        return None
    moment = _moment(tokens[i])
    first = Day(moment.year, moment.month, moment.day)
    stated = Stated(first, None, tokens[i].text, moment=moment)
    return [stated], _Read(i + 1, frozenset({i}))


def _with_writings(stated: Stated, group: list[Clock | datetime | timedelta]) -> Stated:
    """A session with the writings of its start: the first trusted clock (the others are checked
    against it when the session is resolved), a link's moment, a duration. With untrusted
    clocks alone and no link, its time is a problem."""
    clocks = [c for c in group if isinstance(c, Clock)]
    trusted = [c for c in clocks if c.zone is not None]
    moment = next((m for m in group if isinstance(m, datetime)), None)
    duration = next((d for d in group if isinstance(d, timedelta)), None)
    problem = clocks[0].problem if clocks and not trusted and moment is None else None
    return replace(
        stated,
        clock=trusted[0] if trusted else None,
        alternatives=tuple(trusted[1:]),
        moment=moment,
        duration=duration,
        problem=problem,
    )


# --- labels --------------------------------------------------------------------------------


def skip_label(tokens: Sequence[Token], i: int) -> tuple[int, frozenset[int]]:
    """Where a lead starts, past what may label it: formatting, icons (a file link or template
    first on the line), struck old dates, a bold title, a short label ending in a colon
    ("Session 2:", "Rescheduled:"), a day label ("Day 1 -"), a few lead-in words ("Sessions
    on"). A label that names a deadline ("Deadline:") leads up to no session. Also the lead-in
    words, which only lead up to the date and leave the entry with it."""
    lead_in: set[int] = set()
    while True:
        j = skip(tokens, i, T.SPACE, T.FORMAT, T.STRUCK, T.BREAK)
        j = _past_icons(tokens, j)
        for rule in (_past_deadline_clause, _past_bold_label, _past_colon_label, _past_day_label):
            j = rule(tokens, j)
        k = _past_lead_in(tokens, j)
        lead_in.update(range(j, k))
        if k == i:
            return i, frozenset(lead_in)
        i = k


def _past_deadline_clause(tokens: Sequence[Token], i: int) -> int:
    """ "Register by June 16 · Session: June 20": a first clause that names a deadline, up to
    its separator, so that the session after it leads; its date stays a mention."""
    if not (_at(tokens, i, T.WORD) and tokens[i].word in v.DEADLINE_WORDS):
        return i
    for j in range(i + 1, min(len(tokens), i + 16)):
        if tokens[j].is_(T.PUNCT, *_CLAUSE_ENDS) or tokens[j].kind is T.BREAK:
            return skip(tokens, j + 1, T.SPACE)
    return i


def _past_icons(tokens: Sequence[Token], i: int) -> int:
    while _at(tokens, i, T.NODE) and tokens[i].text.casefold().startswith(
        ("[[file:", "[[image:", "{{")
    ):
        i = skip(tokens, i + 1, T.SPACE)
    return i


def _past_bold_label(tokens: Sequence[Token], i: int) -> int:
    """A bold title without a date ("'''Kick-off:''' June 26"); bold around a date is read
    through instead, as formatting."""
    if not _at(tokens, i, T.QUOTES):
        return i
    close = next(
        (j for j in range(i + 1, min(len(tokens), i + 40)) if tokens[j].kind is T.QUOTES), None
    )
    if close is None or date(tokens, skip(tokens, i + 1, T.SPACE, T.FORMAT)) is not None:
        return i
    words = [t for t in tokens[i + 1 : close] if t.kind is T.WORD]
    if (
        not words
        or _names_deadline(words)
        or any(date(tokens, j) or clock(tokens, j, UTC) for j in range(i + 1, close))
    ):
        return i
    j = skip(tokens, close + 1, T.SPACE, T.FORMAT)
    if _at(tokens, j, T.PUNCT, ":", "|", ",", *_DASHES):
        j += 1
    return skip(tokens, j, T.SPACE, T.FORMAT)


def _past_colon_label(tokens: Sequence[Token], i: int) -> int:
    """A few words, then a colon: "Session 2:", "Rescheduled:", "When:"."""
    words: list[Token] = []
    j = i
    while j < len(tokens) and len(words) <= _LABEL_WORDS:
        token = tokens[j]
        if token.is_(T.PUNCT, ":"):
            if not words or _names_deadline(words):
                return i
            return skip(tokens, j + 1, T.SPACE, T.QUOTES, T.FORMAT)
        if token.kind in (T.WORD, T.NUMBER):
            if date(tokens, j) is not None or clock(tokens, j, UTC) is not None:
                return i
            words += [token] if token.kind is T.WORD else []
        elif token.kind not in (T.SPACE, T.QUOTES, T.FORMAT) and not token.is_(
            T.PUNCT, "-", "'", "(", ")", "#", "."
        ):
            return i
        j += 1
    return i


def _past_day_label(tokens: Sequence[Token], i: int) -> int:
    """A numbered label, then a separator: "Day 1 -", "Session 2 -", "Part 3,"."""
    if not _at(tokens, i, T.WORD, *v.DAY_LABELS):
        return i
    j = skip(tokens, i + 1, T.SPACE)
    if not _at(tokens, j, T.NUMBER) or len(tokens[j].text) > 2:
        return i
    k = skip(tokens, j + 1, T.SPACE)
    if _at(tokens, k, T.PUNCT, ",", ":", ".", "|", *_DASHES):
        return skip(tokens, k + 1, T.SPACE, T.QUOTES, T.FORMAT)
    return i


def _past_lead_in(tokens: Sequence[Token], i: int) -> int:
    """Up to three words ending in on or at: "Sessions on", "Next call on", "Join us at"; and
    the "From" of "From June 26 to June 30"."""
    if _at(tokens, i, T.WORD, "from", "between"):
        j = skip(tokens, i + 1, T.SPACE)
        found = date(tokens, j)
        if found is not None and found[1] is not None:
            return j
    j, count = i, 0
    while j < len(tokens) and count <= 3:
        if count and tokens[j].is_(T.WORD, *v.LEAD_IN_ENDS):
            return skip(tokens, j + 1, T.SPACE)
        if not tokens[j].is_(T.WORD, *v.LEAD_IN):
            return i
        count += 1
        j = skip(tokens, j + 1, T.SPACE)
    return i


def _names_deadline(words: list[Token]) -> bool:
    return any(w.word in v.DEADLINE_WORDS for w in words)


# --- dates ---------------------------------------------------------------------------------


def date(tokens: Sequence[Token], i: int) -> tuple[Day, Day | None, _Read] | None:
    """A date or a range of days at token i, a weekday first or not."""
    weekday, j = _weekday(tokens, i)
    found = _month_first(tokens, j) or _day_first(tokens, j) or _numeric(tokens, j)
    if found is None:
        return None
    first, last, end = found
    if weekday is None:
        weekday, end = _weekday_after(tokens, end)
    if weekday is not None:
        first = replace(first, weekday=weekday)
    if last is None:
        last, end = _range_end(tokens, end, first)
    if last is not None and first.year is None and last.year is not None:
        crosses = (first.month, first.day) > (last.month, last.day)
        first = replace(first, year=last.year - 1 if crosses else last.year)
    return first, last, _Read(end, frozenset(range(i, end)))


def _weekday(tokens: Sequence[Token], i: int) -> tuple[int | None, int]:
    """The weekday of "Monday, ", "Mon. ", "Thurs the", and where the date after it starts."""
    if not (_at(tokens, i, T.WORD) and tokens[i].word in v.WEEKDAYS):
        return None, i
    j = skip(tokens, _past(tokens, i + 1, "."), T.SPACE, T.QUOTES, T.FORMAT)
    j = skip(tokens, _past(tokens, j, ","), T.SPACE, T.QUOTES, T.FORMAT)
    if _at(tokens, j, T.WORD, "the"):
        j = skip(tokens, j + 1, T.SPACE)
    return v.WEEKDAYS[tokens[i].word], j


def _weekday_after(tokens: Sequence[Token], i: int) -> tuple[int | None, int]:
    """The weekday in brackets after a date: "2 October (Friday)"."""
    j = skip(tokens, i, T.SPACE)
    k = skip(tokens, j + 1, T.SPACE)
    if _at(tokens, j, T.PUNCT, "(") and _at(tokens, k, T.WORD) and tokens[k].word in v.WEEKDAYS:
        close = skip(tokens, k + 1, T.SPACE)
        if _at(tokens, close, T.PUNCT, ")"):
            return v.WEEKDAYS[tokens[k].word], close + 1
    return None, i


def _month_first(tokens: Sequence[Token], i: int) -> tuple[Day, Day | None, int] | None:
    """Month first: "June 26", "Jun. 26th, 2023"."""
    month = _month(tokens, i)
    if month is None:
        return None
    day = _day(tokens, skip(tokens, _past(tokens, i + 1, "."), T.SPACE))
    if day is None:
        return None
    number, end = day
    year, end = _year(tokens, end)
    return Day(year, month, number), None, end


def _day_first(tokens: Sequence[Token], i: int) -> tuple[Day, Day | None, int] | None:
    """Day first: "26 June 2023", "26th of June", and the range "16-19 August 2023"."""
    day = _day(tokens, i)
    if day is None:
        return None
    number, j = day
    last_number = None
    k = skip(tokens, j, T.SPACE)
    if _at(tokens, k, T.PUNCT, *_DASHES):
        other = _day(tokens, skip(tokens, k + 1, T.SPACE))
        if other is not None and other[0] > number:
            last_number, j = other
    j = skip(tokens, j, T.SPACE)
    if _at(tokens, j, T.WORD, "of"):
        j = skip(tokens, j + 1, T.SPACE)
    month = _month(tokens, j)
    if month is None:
        return None
    year, end = _year(tokens, _past(tokens, j + 1, "."))
    last = Day(year, month, last_number) if last_number is not None else None
    return Day(year, month, number), last, end


def _numeric(tokens: Sequence[Token], i: int) -> tuple[Day, Day | None, int] | None:
    """2023-06-26; 26.06.2023 (day first); 26/06/2023 or 06/26/2023 (month 0 when both readings
    are dates: the caller names it)."""
    if i + 4 >= len(tokens) or tokens[i].kind is not T.NUMBER:
        return None
    a, s1, b, s2, c = tokens[i : i + 5]
    if s1.kind is not T.PUNCT or s1.text != s2.text:
        return None
    if b.kind is not T.NUMBER or c.kind is not T.NUMBER or _continues(tokens, i + 5):
        return None
    if s1.text == "-" and len(a.text) == 4 and len(b.text) <= 2 and len(c.text) <= 2:
        return Day(int(a.text), int(b.text), int(c.text)), None, i + 5
    if len(c.text) != 4 or len(a.text) > 2 or len(b.text) > 2:
        return None
    year, x, y = int(c.text), int(a.text), int(b.text)
    if s1.text == ".":
        return Day(year, y, x), None, i + 5
    if s1.text != "/":
        return None
    day_first, month_first = x <= 31 and 1 <= y <= 12, 1 <= x <= 12 and y <= 31
    if day_first and month_first and x != y:
        return Day(year, 0, 0), None, i + 5
    if day_first or month_first:
        return (Day(year, y, x) if day_first else Day(year, x, y)), None, i + 5
    return Day(year, x, y), None, i + 5  # no real date: resolve names it


def _continues(tokens: Sequence[Token], i: int) -> bool:
    """Whether a number goes on past a date's digits (a version, an address)."""
    return (
        i + 1 < len(tokens)
        and tokens[i].kind is T.PUNCT
        and tokens[i].text in "./-"
        and tokens[i + 1].kind is T.NUMBER
    ) or _at(tokens, i, T.WORD)


def _month(tokens: Sequence[Token], i: int) -> int | None:
    return v.MONTHS.get(tokens[i].word) if _at(tokens, i, T.WORD) else None


def _day(tokens: Sequence[Token], i: int) -> tuple[int, int] | None:
    """A day of the month with its ordinal suffix; a number that starts a time is none."""
    if not _at(tokens, i, T.NUMBER) or len(tokens[i].text) > 2:
        return None
    number = int(tokens[i].text)
    if not 1 <= number <= 31 or _starts_time(tokens, i):
        return None
    if _at(tokens, i + 1, T.WORD) and tokens[i + 1].word in v.ORDINAL_SUFFIXES:
        return number, i + 2
    if _at(tokens, i + 1, T.WORD):
        return None  # "26June": a word stuck to it
    return number, i + 1


def _starts_time(tokens: Sequence[Token], i: int) -> bool:
    """Whether the number at i is an hour: "12:00", "16h00", "2pm", "2 p.m.", "16 UTC"."""
    if _at(tokens, i + 1, T.PUNCT, ":") and _at(tokens, i + 2, T.NUMBER):
        return True
    if _at(tokens, i + 1, T.WORD, "h", "am", "pm", "hrs", "hr", "a", "p"):
        return True
    k = skip(tokens, i + 1, T.SPACE)
    return _at(tokens, k, T.WORD, "am", "pm", "utc", "gmt", "noon") or _is_meridiem(tokens, k)


def _year(tokens: Sequence[Token], i: int) -> tuple[int | None, int]:
    """A year after a day: ", 2023" or " 2023"; not the hour of "June 26, 20:00"."""
    j = skip(tokens, _past(tokens, skip(tokens, i, T.SPACE), ","), T.SPACE)
    if _is_year(tokens, j) and not (
        _at(tokens, j + 1, T.PUNCT, ":") and _two_digits(tokens, j + 2)
    ):
        return int(tokens[j].text), j + 1
    return None, i


def _is_year(tokens: Sequence[Token], j: int) -> bool:
    return (
        _at(tokens, j, T.NUMBER) and len(tokens[j].text) == 4 and tokens[j].text[:2] in ("19", "20")
    )


def _range_end(tokens: Sequence[Token], i: int, first: Day) -> tuple[Day | None, int]:
    """The last day of a range: "August 16-19, 2023", "August 30 - September 2", "Monday, June
    26 to Friday, June 30". "June 26 - 16 UTC" is a time, not a range."""
    j = skip(tokens, i, T.SPACE)
    if not (_at(tokens, j, T.PUNCT, *_DASHES) or _at(tokens, j, T.WORD, *v.RANGE_WORDS)):
        return None, i
    k = skip(tokens, j + 1, T.SPACE, T.STRUCK)  # "5 July - <s>9 July</s> 14 July"
    other = date(tokens, k)
    if other is not None and other[1] is None and first.month:
        return other[0], other[2].end
    day = _day(tokens, k)
    if day is None or day[0] <= first.day or _month(tokens, skip(tokens, day[1], T.SPACE)):
        return None, i
    year, end = _year(tokens, day[1])
    return Day(year, first.month, day[0]), end


# --- clocks --------------------------------------------------------------------------------


def clock(tokens: Sequence[Token], i: int, default_zone: tzinfo) -> tuple[Clock, _Read] | None:
    """A time or a time range with its zone, at token i. A lone number is no time ("2
    speakers"), nor is a length ("1h30", "approx. 1h")."""
    try:
        first = _time(tokens, i)
    except _NoTime as impossible:
        written = str(impossible)
        end = i + len(lexed(written))
        why = f"{written!r} is not a time"
        return Clock(time(0), None, None, None, why, written), _Read(end, frozenset(range(i, end)))
    if first is None or _is_length(tokens, i):
        return None
    start, end, bare, meridiem = first
    until: time | None = None
    k = skip(tokens, end, T.SPACE)
    if _at(tokens, k, T.PUNCT, *_DASHES) or _at(tokens, k, T.WORD, "to", "until"):
        try:
            second = _time(tokens, skip(tokens, k + 1, T.SPACE))
        except _NoTime:
            second = None
        if second is not None and (not second[2] or not bare):
            until, end = second[0], second[1]
            if meridiem is None and second[3] is not None:
                start = _borrowed(start, until, second[3])
            bare = False
    zone, zone_text, problem, zone_end = _zone(tokens, end, default_zone)
    if bare and (zone_text is None or _at(tokens, skip(tokens, end, T.SPACE), T.PUNCT, "(")):
        return None  # "16 (UTC)" may be a count in brackets; "16 UTC" is a time
    text = _text(tokens, i, zone_end)
    return Clock(start, until, zone, zone_text, problem, text), _Read(
        zone_end, frozenset(range(i, zone_end))
    )


class _NoTime(Exception):
    """A time written with values no clock shows ("25:00", "13pm"): never guessed at."""


def _time(tokens: Sequence[Token], i: int) -> tuple[time, int, bool, str | None] | None:
    """(time, end, bare, am/pm) for "16:00", "16h00", "16:00h", "2pm", "2 p.m.", "noon";
    raises _NoTime for a time-shaped writing with impossible values."""
    if _at(tokens, i - 1, T.PUNCT, ":", ".") and _at(tokens, i - 2, T.NUMBER):
        return None  # the minutes of "25:00", not a time of their own
    if _at(tokens, i, T.WORD, "noon"):
        return time(12), i + 1, False, None
    if _at(tokens, i, T.WORD, "midnight"):
        return time(0), i + 1, False, None
    if not _at(tokens, i, T.NUMBER) or len(tokens[i].text) > 2:
        return None
    hours, minutes, j, bare = int(tokens[i].text), 0, i + 1, True
    if _at(tokens, j, T.PUNCT, ":", ".") and _two_digits(tokens, j + 1):
        if tokens[j].text == "." and _meridiem(tokens, j + 2)[0] is None:
            return None  # "26.06" is a date; "2.30 pm" a time
        minutes, j, bare = int(tokens[j + 1].text), j + 2, False
    elif _at(tokens, j, T.WORD, "h") and _two_digits(tokens, j + 1):
        minutes, j, bare = int(tokens[j + 1].text), j + 2, False
    if _at(tokens, j, T.WORD, "h"):
        j += 1
    if hours == 12 and _at(tokens, skip(tokens, j, T.SPACE), T.WORD, "noon"):
        return time(12), skip(tokens, j, T.SPACE) + 1, False, None
    meridiem, j = _meridiem(tokens, j)
    if meridiem is not None:
        if not 1 <= hours <= 12:
            raise _NoTime(_text(tokens, i, j))
        hours, bare = hours % 12 + (12 if meridiem == "p" else 0), False
    if hours > 23 or minutes > 59:
        if bare:
            return None
        raise _NoTime(_text(tokens, i, j))
    return time(hours, minutes), j, bare, meridiem


def _two_digits(tokens: Sequence[Token], i: int) -> bool:
    return _at(tokens, i, T.NUMBER) and len(tokens[i].text) == 2


def _meridiem(tokens: Sequence[Token], i: int) -> tuple[str | None, int]:
    """The half of the day ("a" or "p") of "pm", "p.m.", " PM", and where it ends."""
    j = skip(tokens, i, T.SPACE)
    if _at(tokens, j, T.WORD, "am", "pm"):
        return tokens[j].word[0], _past(tokens, j + 1, ".")
    if _is_meridiem(tokens, j):
        return tokens[j].word, _past(tokens, j + 3, ".")
    return None, i


def _is_meridiem(tokens: Sequence[Token], j: int) -> bool:
    return (
        _at(tokens, j, T.WORD, "a", "p")
        and _at(tokens, j + 1, T.PUNCT, ".")
        and _at(tokens, j + 2, T.WORD, "m")
    )


def _borrowed(start: time, end: time, meridiem: str) -> time:
    """A start without am/pm borrows the end's ("2-3pm", "10:30-11:30 am") unless that puts it
    after the end: "11-1pm" means 11 am."""
    if not 1 <= start.hour <= 12:
        return start
    borrowed = start.replace(hour=start.hour % 12 + (12 if meridiem == "p" else 0))
    if borrowed > end:
        borrowed = start.replace(hour=start.hour % 12 + (0 if meridiem == "p" else 12))
    return borrowed


def _is_length(tokens: Sequence[Token], i: int) -> bool:
    """Whether a number counts hours ("1h30", "2h", "approx. 90", "~1h") rather than naming an
    hour of the day; a zone after it ("9h30 UTC") makes it a time after all."""
    if _at(tokens, i + 1, T.WORD, "h") and len(tokens[i].text) == 1:
        after = i + 3 if _two_digits(tokens, i + 2) else i + 2
        if _zone(tokens, after, UTC)[1] is None:
            return True
    back = skip_back(tokens, i - 1)
    while back >= 0 and tokens[back].is_(T.PUNCT, ".", "("):
        back = skip_back(tokens, back - 1)
    return back >= 0 and (
        tokens[back].is_(T.WORD, *v.APPROXIMATELY) or tokens[back].is_(T.PUNCT, "~")
    )


def _zone(
    tokens: Sequence[Token], i: int, default_zone: tzinfo
) -> tuple[tzinfo | None, str | None, str | None, int]:
    """The zone written after a time: (the zone, or None when it cannot be trusted; its text;
    why not; where it ends). No zone text at all: the page's default zone."""
    j = skip(tokens, i, T.SPACE)
    opened = _at(tokens, j, T.PUNCT, "(")
    k = skip(tokens, j + 1, T.SPACE) if opened else j
    read = _zone_words(tokens, k)
    if read is None:
        return default_zone, None, None, i
    zone, text, problem, end = read
    if opened:
        close = skip(tokens, end, T.SPACE)
        if not _at(tokens, close, T.PUNCT, ")"):
            return default_zone, None, None, i
        end = close + 1
    return zone, text, problem, end


def _zone_words(
    tokens: Sequence[Token], k: int
) -> tuple[tzinfo | None, str, str | None, int] | None:
    if not _at(tokens, k, T.WORD):
        return None
    word = tokens[k]
    if word.word in v.UTC_WORDS and (word.word != "z" or word.text == "Z"):
        return _utc(tokens, k)
    found = _iana_name(tokens, k) or _place_time(tokens, k)
    if found is not None:
        return found
    if word.text.isupper() and 2 <= len(word.text) <= 5 and word.text.endswith("T"):
        end = _past_offset(tokens, k + 1)
        return None, _text(tokens, k, end), _unsure(tokens, k, end), end
    if word.word in v.REGION_WORDS:
        end = _past_time_words(tokens, k + 1)
        return None, _text(tokens, k, end), _unsure(tokens, k, end), end
    if word.text[0].isupper() and word.word in v.iana_places():
        text = word.text
        return None, text, f"{text!r} may name a place or a zone; write the time in UTC", k + 1
    return None


def _unsure(tokens: Sequence[Token], start: int, end: int) -> str:
    return f"{_text(tokens, start, end)!r} is a zone the bot cannot be sure of; write UTC"


def _utc(tokens: Sequence[Token], k: int) -> tuple[tzinfo | None, str, str | None, int]:
    """UTC, GMT, and offsets: "UTC+2", "UTC-5", "GMT+05:30", "UTC+0530"."""
    j = k + 1
    if not (_at(tokens, j, T.PUNCT, "+", "-", "\u2212") and _at(tokens, j + 1, T.NUMBER)):
        return UTC, tokens[k].text, None, j
    sign = -1 if tokens[j].text in "-\u2212" else 1
    digits, end = tokens[j + 1].text, j + 2
    hours, minutes = (int(digits[:-2]), int(digits[-2:])) if len(digits) > 2 else (int(digits), 0)
    if _at(tokens, end, T.PUNCT, ":") and _two_digits(tokens, end + 1):
        minutes, end = int(tokens[end + 1].text), end + 2
    text = _text(tokens, k, end)
    offset = timedelta(hours=hours, minutes=minutes)
    if minutes > 59 or offset > timedelta(hours=14):
        return None, text, f"{text!r} is not a UTC offset", end
    return timezone(sign * offset), text, None, end


def _past_offset(tokens: Sequence[Token], j: int) -> int:
    if _at(tokens, j, T.PUNCT, "+", "-") and _at(tokens, j + 1, T.NUMBER):
        return j + 2
    return j


def _iana_name(
    tokens: Sequence[Token], k: int
) -> tuple[tzinfo | None, str, str | None, int] | None:
    """An IANA zone name: "Europe/Berlin", "America/Argentina/Buenos_Aires"."""
    j, parts = k, [tokens[k].text]
    while _at(tokens, j + 1, T.PUNCT, "/", "_") and _at(tokens, j + 2, T.WORD):
        parts += [tokens[j + 1].text, tokens[j + 2].text]
        j += 2
    if j == k:
        return None
    name = "".join(parts)
    try:
        return ZoneInfo(name), name, None, j + 1
    except (KeyError, ValueError, OSError):  # OSError: a folder, such as "America/Argentina"
        return None, name, f"{name!r} is not a known time zone", j + 1


def _place_time(
    tokens: Sequence[Token], k: int
) -> tuple[tzinfo | None, str, str | None, int] | None:
    """An IANA place, then "time": "New York time". Other places are refused."""
    words: list[str] = []
    j = k
    while _at(tokens, j, T.WORD) and tokens[j].text[0].isupper() and len(words) < 3:
        words.append(tokens[j].word)
        j = skip(tokens, j + 1, T.SPACE)
    if not words or not _at(tokens, j, T.WORD, "time"):
        return None
    text = _text(tokens, k, j + 1)
    zone = v.iana_places().get(" ".join(words))
    if zone is None:
        return None, text, _unsure(tokens, k, j + 1), j + 1
    return ZoneInfo(zone), text, None, j + 1


def _past_time_words(tokens: Sequence[Token], j: int) -> int:
    """Past "time", "standard time" or "daylight time" after a region ("Pacific time")."""
    k = skip(tokens, j, T.SPACE)
    if _at(tokens, k, T.WORD, "standard", "daylight"):
        k = skip(tokens, k + 1, T.SPACE)
    return k + 1 if _at(tokens, k, T.WORD, "time") else j


# --- the times of a date ---------------------------------------------------------------------


def _times(
    tokens: Sequence[Token], i: int, zone: tzinfo, *, far: bool = True
) -> tuple[list[list[Clock | datetime | timedelta]], _Read] | None:
    """The times written for a date, each group one session's writings of its start: right
    after it ("June 26 @ 12:00 UTC", "June 26, 2023 (EXTENDED time) (17:00-18:30 UTC)"), or
    after a few words of the same clause ("June 26: Copyright basics, 14:00 UTC"; those words
    are the slot's own and stay in its entry)."""
    position = _time_position(tokens, i, zone, far)
    if position is None:
        return None
    j, joined = position
    groups: list[list[Clock | datetime | timedelta]] = []
    used = set(joined)
    end = _one_time(tokens, j, zone, groups, used)
    while (more := _next_time(tokens, end, zone)) is not None:
        used.update(range(end, more))
        end = _one_time(tokens, more, zone, groups, used)
    if "(" in (tokens[k].text for k in joined):  # "(17:00-18:30 UTC)": its closing one too
        close = skip(tokens, end, T.SPACE)
        if _at(tokens, close, T.PUNCT, ")"):
            used.update(range(end, close + 1))
            end = close + 1
    _inherit_zones(groups)
    return groups, _Read(end, frozenset(used))


def _one_time(
    tokens: Sequence[Token],
    j: int,
    zone: tzinfo,
    groups: list[list[Clock | datetime | timedelta]],
    used: set[int],
) -> int:
    """Reads the time at j (a clock or a time link) into a new group; returns where it ends."""
    if _at(tokens, j, T.TIMELINK):
        group: list[Clock | datetime | timedelta] = [_moment(tokens[j])]
        label = lexed(tokens[j].text)
        written = clock(label, skip(label, 0, T.SPACE), zone)
        if written is not None and written[0].zone_text is not None:
            group.insert(0, written[0])
        groups.append(group)
        used.add(j)
        end = j + 1
    else:
        found = clock(tokens, j, zone)
        assert found is not None  # callers only stop at a time
        groups.append([found[0]])
        used |= found[1].used
        end = found[1].end
    return _other_writings(tokens, end, zone, groups[-1], used)


def _moment(token: Token) -> datetime:
    assert token.moment is not None
    return token.moment


def _time_position(
    tokens: Sequence[Token], i: int, zone: tzinfo, far: bool
) -> tuple[int, set[int]] | None:
    """Where a date's time starts, and the joining tokens before it ("@", "at", ",", "(", "-");
    a parenthesised note between ("(EXTENDED time)") is the slot's own and stays."""
    j, joined = i, set[int]()
    while j < len(tokens):
        if _time_at(tokens, j, zone):
            return j, joined
        note = _note_end(tokens, j)
        if note is not None:
            j = note
        elif (
            tokens[j].kind in (T.SPACE, T.QUOTES, T.FORMAT, T.STRUCK)
            or tokens[j].is_(T.PUNCT, ",", "@", "(", "[", "|", ":", *_DASHES)
            or tokens[j].is_(T.WORD, *v.CLOCK_JOINERS)
        ):
            joined.add(j)
            j += 1
        else:
            break
    later = _time_in_clause(tokens, i, zone) if far else None
    return (later, set()) if later is not None else None


def _time_at(tokens: Sequence[Token], j: int, zone: tzinfo) -> bool:
    return _at(tokens, j, T.TIMELINK) or clock(tokens, j, zone) is not None


def _note_end(tokens: Sequence[Token], j: int) -> int | None:
    """Just past a parenthesis of words alone, "(EXTENDED time)": a note between a date and
    its time, which stays in the entry."""
    if not _at(tokens, j, T.PUNCT, "("):
        return None
    for k in range(j + 1, min(len(tokens), j + 12)):
        if tokens[k].is_(T.PUNCT, ")"):
            return k + 1
        if tokens[k].kind not in (T.WORD, T.SPACE, T.QUOTES):
            return None
    return None


def _time_in_clause(tokens: Sequence[Token], i: int, zone: tzinfo) -> int | None:
    """A time a few words after its date in the same clause, written so that it can only be a
    time (minutes, am/pm, a range or a zone), not after a word that makes it a deadline."""
    for j in range(i, min(len(tokens), i + _CLOCK_REACH)):
        token = tokens[j]
        if token.kind in (T.BREAK, T.STRUCK, T.TIMELINK) or token.is_(T.PUNCT, "|", ";", "."):
            return None
        if date(tokens, j) is not None:
            return None
        found = clock(tokens, j, zone)
        if found is not None and _date_follows(tokens, found[1].end):
            return None  # "... and 16:00 UTC, Friday, June 30": that date's time
        if found is not None:
            written = found[0]
            plain_hour = (
                written.zone_text is None and written.end is None and ":" not in written.text
            )
            if plain_hour or _preceded_by(tokens, j, _TIME_QUALIFIERS):
                return None
            return j
    return None


def _date_follows(tokens: Sequence[Token], i: int) -> bool:
    j = skip(tokens, i, T.SPACE)
    if _at(tokens, j, T.PUNCT, ",", *_DASHES):
        j = skip(tokens, j + 1, T.SPACE)
    if _at(tokens, j, T.WORD, "on"):
        j = skip(tokens, j + 1, T.SPACE)
    return date(tokens, j) is not None


def _preceded_by(tokens: Sequence[Token], j: int, words: frozenset[str]) -> bool:
    """Whether the word before j is one of `words` ("by June 16", "moved from June 19",
    "instead of June 19")."""
    back = j - 1
    while back >= 0 and (
        tokens[back].kind in (T.SPACE, T.QUOTES) or tokens[back].is_(T.PUNCT, ":")
    ):
        back -= 1
    if back < 0 or tokens[back].kind is not T.WORD:
        return False
    if tokens[back].word == "of":
        earlier = skip_back(tokens, back - 1)
        return earlier >= 0 and tokens[earlier].is_(T.WORD, "instead")
    return tokens[back].word in words


def skip_back(tokens: Sequence[Token], i: int) -> int:
    while i >= 0 and tokens[i].kind is T.SPACE:
        i -= 1
    return i


def _other_writings(
    tokens: Sequence[Token],
    i: int,
    zone: tzinfo,
    group: list[Clock | datetime | timedelta],
    used: set[int],
) -> int:
    """Other writings of the same start after a time ("14:00 CEST / 12:00 UTC", "12:00 UTC
    (14:00 CEST)", a time link), and a length ("(approx. 1h30)"), which stays in the entry."""
    end = i
    while True:
        j = skip(tokens, end, T.SPACE)
        opener = tokens[j].text if _at(tokens, j, T.PUNCT, "(", "/", "=", "[") else None
        k = skip(tokens, j + 1, T.SPACE) if opener else j
        if _at(tokens, k, T.TIMELINK):
            group.append(_moment(tokens[k]))
            close = _closing(tokens, k + 1, opener)
            used.update(range(end, close))
            end = close
            continue
        other = clock(tokens, k, zone) if opener else None
        if other and opener == "(" and _closing(tokens, other[1].end, "(") == other[1].end:
            other = None  # "(15:00 Perth / Taipei)": not one writing of the time; it stays
        previous = (
            next(c for c in reversed(group) if isinstance(c, Clock))
            if any(isinstance(c, Clock) for c in group)
            else None
        )
        if (
            other is not None
            and other[0].zone_text
            and (previous is None or other[0].zone_text != previous.zone_text)
        ):
            group.append(other[0])
            close = _closing(tokens, other[1].end, opener)
            used.update(range(end, close))
            end = close
            continue
        length = _length(tokens, j)
        if length is not None:
            group.append(length)
        return end


def _closing(tokens: Sequence[Token], i: int, opener: str | None) -> int:
    """Past the ")" that closes what "(" opened, when it is there."""
    if opener != "(":
        return i
    j = skip(tokens, i, T.SPACE)
    return j + 1 if _at(tokens, j, T.PUNCT, ")") else i


def _length(tokens: Sequence[Token], i: int) -> timedelta | None:
    """How long a session lasts: "(approx. 1h30)", ", 1h30", "(90 minutes)", "for 2 hours"."""
    j = i
    if _at(tokens, j, T.PUNCT, "(", ","):
        j = skip(tokens, j + 1, T.SPACE)
    while _at(tokens, j, T.WORD, *v.APPROXIMATELY) or _at(tokens, j, T.PUNCT, ".", "~"):
        j = skip(tokens, j + 1, T.SPACE)
    if not _at(tokens, j, T.NUMBER) or len(tokens[j].text) > 3:
        return None
    number = int(tokens[j].text)
    k = skip(tokens, j + 1, T.SPACE)
    if _at(tokens, k, T.WORD, *v.HOUR_UNITS):
        minutes = int(tokens[k + 1].text) if _two_digits(tokens, k + 1) else 0
        return timedelta(hours=number, minutes=minutes)
    if _at(tokens, k, T.WORD, *v.MINUTE_UNITS):
        return timedelta(minutes=number)
    return None


def _next_time(tokens: Sequence[Token], i: int, zone: tzinfo) -> int | None:
    """Where another session the same day starts: "and 17:00 UTC", ", 17:00 UTC"; not a length
    ("1h30"), not the time of a date written next."""
    j = skip(tokens, i, T.SPACE)
    if _at(tokens, j, T.PUNCT, ",", "&", ";"):
        j = skip(tokens, j + 1, T.SPACE)
    elif not _at(tokens, j, T.WORD, *v.AND_WORDS):
        return None
    while _at(tokens, j, T.WORD, *v.AND_WORDS, "at") or _at(tokens, j, T.PUNCT, "@"):
        j = skip(tokens, j + 1, T.SPACE)
    if _at(tokens, j, T.TIMELINK):
        return j
    found = clock(tokens, j, zone)
    if found is None or date(tokens, skip(tokens, found[1].end, T.SPACE)) is not None:
        return None
    return j


def _inherit_zones(groups: list[list[Clock | datetime | timedelta]]) -> None:
    """A time without a zone before one with a zone ("12:00 and 17:00 UTC") is in that zone."""
    zoned: Clock | None = None
    for group in reversed(groups):
        clocks = [c for c in group if isinstance(c, Clock)]
        if len(clocks) == 1 and clocks[0].zone_text is None and zoned is not None:
            group[group.index(clocks[0])] = replace(
                clocks[0], zone=zoned.zone, problem=zoned.problem
            )
        elif clocks and clocks[0].zone_text is not None:
            zoned = clocks[0]


# --- helpers -------------------------------------------------------------------------------


def lexed(text: str) -> list[Token]:
    """The tokens of plain text (a link's label, a time written in a message)."""
    return text_tokens(text, 0)


def skip(tokens: Sequence[Token], i: int, *kinds: T) -> int:
    """Past the tokens of these kinds from i."""
    while i < len(tokens) and tokens[i].kind in kinds:
        i += 1
    return i


def _at(tokens: Sequence[Token], i: int, kind: T, *words: str) -> bool:
    return 0 <= i < len(tokens) and tokens[i].is_(kind, *words)


def _past(tokens: Sequence[Token], i: int, punct: str) -> int:
    return i + 1 if _at(tokens, i, T.PUNCT, punct) else i


def _text(tokens: Sequence[Token], start: int, end: int) -> str:
    return "".join(t.text for t in tokens[start:end]).strip()
