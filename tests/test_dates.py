import calendar
import contextlib
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.dates import DateError, Mention, find, resolve, session

PAGE = (Path(__file__).parent / "fixtures" / "meta-page.wikitext").read_text(encoding="utf-8")


def page_line(marker: str) -> str:
    """The line of the real page that carries a translation marker such as "T:24"."""
    return next(line for line in PAGE.splitlines() if f"<!--{marker}-->" in line)


def found(text: str) -> Mention:
    mention = find(text)
    assert mention is not None, text
    return mention


def written_on(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


# --- the page's own lines ---


def test_upcoming_line_reads_weekday_date_and_time():
    mention = found(page_line("T:24"))
    assert (mention.year, mention.month, mention.day, mention.weekday) == (None, 6, 26, 0)
    assert (mention.start_time, mention.end_time) == (time(12, 0), None)
    assert (mention.zone, mention.zone_label) == (UTC, "UTC")


def test_span_runs_from_weekday_to_zone():
    line = page_line("T:24")
    mention = found(line)
    assert mention.text == "Monday, June 26 @ 12:00 UTC"
    assert line[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    ("marker", "day", "start_time", "end_time"),
    [
        ("T:30", date(2022, 10, 30), None, None),
        ("T:31", date(2022, 10, 28), None, None),
        ("T:32", date(2022, 9, 29), None, None),
        ("T:33", date(2022, 9, 24), None, None),
        ("T:34", date(2022, 8, 27), time(8, 0), None),
        ("T:35", date(2022, 8, 26), time(14, 0), None),
        ("T:36", date(2022, 7, 28), time(17, 0), time(18, 30)),
        ("T:37", date(2022, 7, 28), time(12, 0), None),
        ("T:38", date(2022, 6, 29), None, None),
    ],
)
def test_every_log_line_is_read(marker, day, start_time, end_time):
    mention = found(page_line(marker))
    assert date(mention.year, mention.month, mention.day) == day
    assert (mention.start_time, mention.end_time) == (start_time, end_time)


def test_time_range_may_follow_other_parentheses():
    mention = found(page_line("T:36"))
    assert mention.text == "July 28, 2022 (EXTENDED time) (17:00-18:30 UTC"
    assert (mention.start_time, mention.end_time) == (time(17, 0), time(18, 30))


def test_date_only_line_has_no_time_or_zone():
    mention = found(page_line("T:30"))
    assert mention.text == "October 30, 2022"
    assert (mention.start_time, mention.zone, mention.zone_label) == (None, UTC, None)


@pytest.mark.parametrize("marker", ["T:2", "T:18", "T:23", "T:27"])
def test_prose_without_a_day_has_no_mention(marker):
    assert find(page_line(marker)) is None


# --- URLs, meeting IDs and markup ---


def test_zoom_url_and_meeting_id_are_not_dates():
    links = page_line("T:24").split("|", 1)[1]
    assert "87082260165" in links
    assert find(links) is None


def test_zoom_url_and_meeting_id_are_not_times():
    line = page_line("T:24").replace(" @ 12:00 UTC", "")
    mention = found(line)
    assert (mention.text, mention.start_time) == ("Monday, June 26", None)


def test_date_inside_url_is_not_read():
    assert find("[https://example.org/minutes/2023-06-26/notes Notes]") is None


def test_date_inside_file_link_target_is_not_read():
    assert find("[[:File:Conversation hour 2023-06-26.pdf|Slides]]") is None


def test_bold_entities_and_translate_tags_are_skipped():
    mention = found("* <translate><!--T:40--> '''Monday''', June&nbsp;26 @ 12:00 UTC</translate>")
    assert (mention.weekday, mention.month, mention.day, mention.start_time) == (
        0,
        6,
        26,
        time(12, 0),
    )


def test_weekday_must_be_a_whole_word():
    assert found("xMonday, June 26").weekday is None


def test_numeric_date_read_both_ways_is_an_error_naming_it():
    with pytest.raises(DateError, match="'06/07/2023'"):
        find("06/07/2023 at 12:00 UTC")


# --- date forms ---


def test_day_first_date():
    mention = found("26 June 2023")
    assert (mention.year, mention.month, mention.day, mention.weekday) == (2023, 6, 26, None)


def test_day_first_date_with_weekday_and_time():
    mention = found("Monday 26 June 2023, 12:00 UTC")
    assert (mention.year, mention.month, mention.day, mention.weekday) == (2023, 6, 26, 0)
    assert (mention.text, mention.start_time) == ("Monday 26 June 2023, 12:00 UTC", time(12, 0))


def test_iso_date():
    mention = found("2023-06-26")
    assert (mention.year, mention.month, mention.day, mention.start_time) == (2023, 6, 26, None)


def test_iso_date_with_time():
    mention = found("2023-06-26 12:00 UTC")
    assert (mention.year, mention.month, mention.day, mention.start_time) == (
        2023,
        6,
        26,
        time(12, 0),
    )


@pytest.mark.parametrize("text", ["June 26th", "26th June", "Monday, June 26th, 2023"])
def test_ordinal_day(text):
    mention = found(text)
    assert (mention.month, mention.day) == (6, 26)


@pytest.mark.parametrize(
    ("text", "month", "weekday"),
    [
        ("Mon, Jun 26", 6, 0),
        ("Tues. Sept 5", 9, 1),
        ("Thurs, Sep. 7", 9, 3),
        ("Wed 6 Sept", 9, 2),
        ("SATURDAY, DECEMBER 2", 12, 5),
    ],
)
def test_abbreviated_and_capitalised_names(text, month, weekday):
    mention = found(text)
    assert (mention.month, mention.weekday) == (month, weekday)


def test_february_29_without_year_is_read():
    mention = found("Feb 29")
    assert (mention.month, mention.day) == (2, 29)


@pytest.mark.parametrize(
    "text", ["February 30, 2023", "February 29, 2023", "2023-13-01", "June 31", "30 February"]
)
def test_impossible_date_is_an_error(text):
    with pytest.raises(DateError):
        find(f"* {text}. Topic: copyright")


def test_error_names_the_date():
    with pytest.raises(DateError) as error:
        find("February 30, 2023. Topic: copyright")
    assert str(error.value) == "'February 30, 2023' is not a date"


# --- times ---


@pytest.mark.parametrize(
    "written",
    ["17:00-18:30", "17:00\u201318:30", "17:00\u201418:30", "17:00 \u2013 18:30", "17:00 to 18:30"],
)
def test_time_range_dashes_and_to(written):
    mention = found(f"July 28, 2022 ({written} UTC)")
    assert (mention.start_time, mention.end_time) == (time(17, 0), time(18, 30))


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2:00 pm UTC", time(14, 0)),
        ("2pm", time(14, 0)),
        ("9:30 a.m.", time(9, 30)),
        ("12 am", time(0, 0)),
        ("12pm", time(12, 0)),
    ],
)
def test_twelve_hour_time(written, expected):
    assert found(f"June 26 @ {written}").start_time == expected


@pytest.mark.parametrize(
    ("written", "start", "end"),
    [
        ("2-3pm", time(14), time(15)),
        ("11-1pm", time(11), time(13)),
        ("10:30-11:30 am", time(10, 30), time(11, 30)),
    ],
)
def test_range_start_borrows_am_or_pm_from_end(written, start, end):
    mention = found(f"June 26, {written}")
    assert (mention.start_time, mention.end_time) == (start, end)


def test_lone_numbers_after_date_are_not_times():
    mention = found("June 26. Topics: 1) disinformation 2) human rights, 3 speakers")
    assert mention.start_time is None


def test_time_belongs_to_nearest_date_before_it():
    mention = found("June 26 and Friday, June 30 @ 16:00 UTC")
    assert (mention.text, mention.start_time) == ("June 26", None)


@pytest.mark.parametrize("written", ["25:00 UTC", "13pm", "12:60"])
def test_impossible_time_is_an_error(written):
    with pytest.raises(DateError):
        find(f"June 26 @ {written}")


# --- zones ---


def test_time_without_zone_is_utc():
    mention = found("June 26 @ 12:00")
    assert (mention.zone, mention.zone_label) == (UTC, None)


@pytest.mark.parametrize(
    ("label", "offset"),
    [
        ("UTC+2", timedelta(hours=2)),
        ("UTC-05:30", -timedelta(hours=5, minutes=30)),
        ("UTC\u22123", -timedelta(hours=3)),
        ("GMT", timedelta(0)),
        ("GMT+1", timedelta(hours=1)),
    ],
)
def test_utc_offsets(label, offset):
    mention = found(f"June 26 @ 12:00 {label}")
    assert mention.zone.utcoffset(None) == offset
    assert mention.zone_label == label


@pytest.mark.parametrize(
    ("written", "zone"),
    [("14:00 Europe/Berlin", "Europe/Berlin"), ("14:00 (America/New_York)", "America/New_York")],
)
def test_iana_zone_names(written, zone):
    mention = found(f"June 26 @ {written}")
    assert (mention.zone, mention.zone_label) == (ZoneInfo(zone), zone)


@pytest.mark.parametrize("zone", ["Europe/Berlinn", "America/Argentina"])
def test_unknown_iana_zone_is_an_error(zone):
    with pytest.raises(DateError, match=zone):
        find(f"June 26 @ 14:00 {zone}")


@pytest.mark.parametrize("zone", ["CET", "EST", "PT"])
def test_zone_abbreviation_is_an_error_not_utc(zone):
    with pytest.raises(DateError, match=zone):
        find(f"June 26 @ 14:00 {zone}")


def test_offset_beyond_fourteen_hours_is_an_error():
    with pytest.raises(DateError):
        find("June 26 @ 14:00 UTC+15")


# --- resolve ---


def test_resolve_written_year():
    assert resolve(found(page_line("T:30")), written_on("2024-01-01")) == date(2022, 10, 30)


def test_resolve_written_year_with_wrong_weekday_is_an_error():
    with pytest.raises(DateError, match="Monday"):
        resolve(found("Tuesday 26 June 2023"), written_on("2023-06-01"))


def test_resolve_weekday_to_coming_date():
    assert resolve(found(page_line("T:24")), written_on("2023-06-10")) == date(2023, 6, 26)


def test_resolve_weekday_fitting_no_year_nearby_is_an_error():
    # June 26 is a Monday in 2017 and 2028, neither within a year of 2024-06-10.
    with pytest.raises(DateError):
        resolve(found(page_line("T:24")), written_on("2024-06-10"))


def test_resolve_past_date_to_next_year():
    assert resolve(found("June 26"), written_on("2023-07-10")) == date(2024, 6, 26)


def test_resolve_keeps_date_up_to_a_week_past():
    assert resolve(found("June 26"), written_on("2023-07-03")) == date(2023, 6, 26)


def test_resolve_date_more_than_a_week_past_to_next_year():
    assert resolve(found("June 26"), written_on("2023-07-04")) == date(2024, 6, 26)


def test_resolve_uses_the_utc_date_of_written_at():
    written_at = datetime(2023, 7, 3, 23, 0, tzinfo=timezone(-timedelta(hours=5)))
    assert resolve(found("June 26"), written_at) == date(2024, 6, 26)


def test_resolve_february_29_to_next_leap_year():
    assert resolve(found("Feb 29"), written_on("2023-03-01")) == date(2024, 2, 29)


def test_resolve_february_29_beyond_a_year_is_an_error():
    with pytest.raises(DateError):
        resolve(found("Feb 29"), written_on("2021-03-01"))


# --- session ---


def test_session_without_time_is_the_whole_utc_day():
    start, end = session(found(page_line("T:30")), date(2022, 10, 30))
    assert (start, end) == (datetime(2022, 10, 30, tzinfo=UTC), datetime(2022, 10, 31, tzinfo=UTC))


def test_session_without_end_lasts_the_default():
    start, end = session(found(page_line("T:34")), date(2022, 8, 27))
    assert (start, end) == (
        datetime(2022, 8, 27, 8, tzinfo=UTC),
        datetime(2022, 8, 27, 9, tzinfo=UTC),
    )


def test_session_default_can_be_changed():
    _, end = session(found(page_line("T:34")), date(2022, 8, 27), timedelta(minutes=90))
    assert end == datetime(2022, 8, 27, 9, 30, tzinfo=UTC)


def test_session_range():
    start, end = session(found(page_line("T:36")), date(2022, 7, 28))
    assert (start, end) == (
        datetime(2022, 7, 28, 17, tzinfo=UTC),
        datetime(2022, 7, 28, 18, 30, tzinfo=UTC),
    )


def test_session_range_across_midnight_ends_next_day():
    start, end = session(found("June 26 @ 23:30-00:30 UTC"), date(2023, 6, 26))
    assert (start, end) == (
        datetime(2023, 6, 26, 23, 30, tzinfo=UTC),
        datetime(2023, 6, 27, 0, 30, tzinfo=UTC),
    )


def test_session_offset_is_converted_to_utc():
    start, _ = session(found("June 26 @ 1:00 UTC+2"), date(2023, 6, 26))
    assert start == datetime(2023, 6, 25, 23, tzinfo=UTC)
    assert start.tzinfo is UTC


@pytest.mark.parametrize(("day", "utc_hour"), [(date(2023, 6, 26), 12), (date(2023, 1, 16), 13)])
def test_session_iana_zone_follows_daylight_saving(day, utc_hour):
    start, _ = session(found("June 26 @ 14:00 Europe/Berlin"), day)
    assert start == datetime.combine(day, time(utc_hour), UTC)


# --- properties ---


def ordinal(day: int) -> str:
    suffix = "th" if day in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


STYLES = [
    lambda d: f"{calendar.month_name[d.month]} {d.day}, {d.year}",
    lambda d: f"{d.day} {calendar.month_name[d.month]} {d.year}",
    lambda d: f"{calendar.day_name[d.weekday()]} {d.day} {calendar.month_name[d.month]} {d.year}",
    lambda d: f"{calendar.day_name[d.weekday()]}, {calendar.month_name[d.month]} {d.day}",
    lambda d: f"{calendar.day_abbr[d.weekday()]}, {calendar.month_abbr[d.month]} {ordinal(d.day)}",
    lambda d: f"{calendar.month_abbr[d.month]}. {d.day}",
    lambda d: d.isoformat(),
]


@settings(derandomize=True)
@given(st.dates(date(1900, 1, 1), date(2099, 12, 31)), st.sampled_from(STYLES))
def test_written_dates_read_back(day, style):
    line = f"* <translate><!--T:50--> {style(day)}. Topic: policy.</translate>"
    assert resolve(found(line), datetime.combine(day, time(), UTC)) == day


@settings(derandomize=True)
@given(st.times(), st.booleans())
def test_written_times_read_back(clock, twelve_hour):
    hour = (clock.hour - 1) % 12 + 1
    meridiem = "pm" if clock.hour >= 12 else "am"
    written = f"{hour}:{clock:%M} {meridiem}" if twelve_hour else f"{clock:%H:%M} UTC"
    mention = found(f"June 26 @ {written} | Meeting ID: 870 8226 0165")
    assert mention.start_time == clock.replace(second=0, microsecond=0)


@settings(derandomize=True)
@given(st.text() | st.text(alphabet="0123456789 :-\u2013/.,()+\u2212amptoUTCGMJuneFebMonday'<>[]"))
def test_find_raises_nothing_but_date_error(text):
    with contextlib.suppress(DateError):
        find(text)
