"""Properties of reading whole session lines, on generated lines (fixed seed)."""

import calendar
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dates import lead_of, resolve
from bot.core.dates.grammar import Stated
from bot.core.wikitext.patterns import LIST_PREFIX

ZOOM = "[https://wikimedia.zoom.us/j/87082260165 Zoom] | Meeting ID: 870 8226 0165"


HOUR = timedelta(hours=1)


def stated(line: str) -> list[Stated]:
    """The sessions a line's lead states."""
    lead = lead_of(LIST_PREFIX.sub("", line, count=1))
    return list(lead.sessions) if lead is not None else []


def start_time(session: Stated) -> time | None:
    return session.clock.start if session.clock is not None else None


def written(day: date, year: bool) -> str:
    weekday = calendar.day_name[day.weekday()]
    month = calendar.month_name[day.month]
    return f"{weekday}, {month} {day.day}" + (f", {day.year}" if year else "")


def clock(moment: time) -> str:
    return f"{moment:%H:%M} UTC"


SESSION_DAYS = st.lists(
    st.dates(date(2023, 1, 1), date(2025, 12, 31)), min_size=1, max_size=4, unique=True
).map(sorted)
TIMES = st.lists(st.times().map(lambda t: t.replace(second=0, microsecond=0)), max_size=3)


@settings(derandomize=True)
@given(
    SESSION_DAYS.flatmap(
        lambda days: st.tuples(
            st.just(days),
            st.lists(TIMES, min_size=len(days), max_size=len(days)),
            st.lists(st.booleans(), min_size=len(days), max_size=len(days)),
            st.sampled_from([" and ", "; ", ", ", " \u00b7 "]),
            st.sampled_from([" and ", ", "]),
        )
    )
)
def test_every_session_written_on_a_line_is_read_in_order(case):
    days, day_times, years, between_days, between_times = case
    parts = []
    for day, times, year in zip(days, day_times, years, strict=True):
        at = f" @ {between_times.join(clock(t) for t in times)}" if times else ""
        parts.append(written(day, year) + at)
    line = f"* <translate><!--T:24--> Sessions on {between_days.join(parts)} | {ZOOM}</translate>"
    expected = [
        (day.month, day.day, moment)
        for day, times in zip(days, day_times, strict=True)
        for moment in (times or [None])
    ]
    assert [(s.first.month, s.first.day, start_time(s)) for s in stated(line)] == expected


@settings(derandomize=True)
@given(
    SESSION_DAYS.flatmap(
        lambda days: st.tuples(
            st.just(days),
            st.lists(st.booleans(), min_size=len(days), max_size=len(days)),
            st.sampled_from(["s", "del", "strike"]),
        )
    )
)
def test_struck_sessions_are_never_read(case):
    """Struck dates are old ones: the lead is the first date left standing, and none after it
    on the line is a session."""
    days, struck, tag = case
    parts = [
        f"<{tag}>{written(day, False)} @ 12:00 UTC</{tag}>" if gone else written(day, False)
        for day, gone in zip(days, struck, strict=True)
    ]
    line = f"* <translate><!--T:24--> {' Rescheduled: '.join(parts)}</translate>"
    standing = [(day.month, day.day) for day, gone in zip(days, struck, strict=True) if not gone]
    assert [(s.first.month, s.first.day) for s in stated(line)] == standing[:1]


RANGE_STYLES = [
    lambda a, b, y: (
        f"{calendar.month_name[a.month]} {a.day}\u2013"
        + (f"{b.day}" if a.month == b.month else f"{calendar.month_name[b.month]} {b.day}")
        + y
    ),
    lambda a, b, y: (
        f"{a.day}"
        + ("" if a.month == b.month else f" {calendar.month_name[a.month]}")
        + f" - {b.day} {calendar.month_name[b.month]}"
        + y.replace(",", "")
    ),
    lambda a, b, y: f"{written(a, False)} to {written(b, False)}{y}",
]


@settings(derandomize=True)
@given(
    st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    st.integers(1, 40),
    st.sampled_from(RANGE_STYLES),
    st.booleans(),
)
def test_ranges_of_days_read_back(first, length, style, with_year):
    last = first + timedelta(days=length)
    if first.year != last.year and not with_year:
        with_year = True  # a yearless range over new year is tested on its own
    line = f"'''Wikimania''': {style(first, last, f', {last.year}' if with_year else '')}, online"
    (session,) = stated(line)
    resolved = resolve(session, datetime.combine(first - timedelta(days=3), time(), UTC), HOUR)
    assert (resolved.start.date(), resolved.last_day) == (first, last)
