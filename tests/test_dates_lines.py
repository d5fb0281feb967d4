"""Session lines as editors really write them on Meta-Wiki event pages: several sessions on one
line, ranges of days, struck dates, deadlines, times before the date or in two zones, numeric
dates, and zonestamp/timeanddate links."""

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.core.dates import (
    DEADLINE_WORDS,
    DateError,
    Mention,
    find,
    find_all,
    last_day,
    resolve,
    session,
    strike_spans,
)

ZOOM = "[https://wikimedia.zoom.us/j/87082260165 Zoom] | Meeting ID: 870 8226 0165"
NOON_JUNE_26 = "https://zonestamp.toolforge.org/1687780800"  # 2023-06-26 12:00 UTC
FIVE_PM_JUNE_26 = "https://zonestamp.toolforge.org/1687798800"  # 2023-06-26 17:00 UTC
FIXEDTIME = "https://www.timeanddate.com/worldclock/fixedtime.html"


def item(text: str, marker: str = "24") -> str:
    """A timeslot as the page writes it: a list item that is a translation unit of its own."""
    return f"* <translate><!--T:{marker}--> {text}</translate>"


def only(text: str) -> Mention:
    mentions = find_all(text)
    assert len(mentions) == 1, mentions
    return mentions[0]


def days(mentions: list[Mention]) -> list[tuple[int, int]]:
    return [(mention.month, mention.day) for mention in mentions]


def times(mentions: list[Mention]) -> list[time | None]:
    return [mention.start_time for mention in mentions]


# --- several sessions on one line ---


def test_two_dates_each_with_its_time_are_two_sessions():
    line = item("Sessions on Monday, June 26 @ 12:00 UTC and Friday, June 30 @ 16:00 UTC")
    mentions = find_all(line)
    assert days(mentions) == [(6, 26), (6, 30)]
    assert times(mentions) == [time(12), time(16)]
    assert [mention.weekday for mention in mentions] == [0, 4]


def test_each_session_span_is_its_own_text():
    line = item("Monday, June 26 @ 12:00 UTC and Friday, June 30 @ 16:00 UTC | " + ZOOM)
    assert [line[m.start : m.end] for m in find_all(line)] == [
        "Monday, June 26 @ 12:00 UTC",
        "Friday, June 30 @ 16:00 UTC",
    ]


def test_second_time_after_a_date_is_a_second_session_that_day():
    mentions = find_all(item("Monday, June 26 @ 12:00 UTC and 17:00 UTC | " + ZOOM))
    assert days(mentions) == [(6, 26), (6, 26)]
    assert times(mentions) == [time(12), time(17)]
    assert mentions[1].weekday == 0
    assert mentions[1].text == "17:00 UTC"


def test_times_joined_by_a_comma_are_two_sessions():
    assert times(find_all("Monday, June 26 @ 12:00 UTC, 17:00 UTC")) == [time(12), time(17)]


def test_time_range_is_one_session():
    mention = only(item("'''July 28, 2022''' (17:00-18:30 UTC)"))
    assert (mention.start_time, mention.end_time) == (time(17), time(18, 30))


def test_times_inside_tvars_are_read():
    line = item(
        "'''Monday, June 26''' @ <tvar name=\"t1\">12:00 UTC</tvar> and "
        'Friday, June 30 @ <tvar name="t2">16:00 UTC</tvar>'
    )
    assert times(find_all(line)) == [time(12), time(16)]


def test_time_in_another_sentence_is_not_another_session():
    line = item("Monday, June 26 @ 12:00 UTC. The Zoom room opens at 11:45 UTC.")
    assert times(find_all(line)) == [time(12)]


def test_time_without_zone_takes_the_zone_of_the_next_time():
    first, second = find_all("June 26 @ 12:00 and 17:00 Europe/Berlin")
    assert first.zone == second.zone
    assert session(first, date(2023, 6, 26))[0] == datetime(2023, 6, 26, 10, tzinfo=UTC)


def test_duration_in_parentheses_is_not_a_time():
    mention = only("Monday, June 26 @ 12:00 UTC (1h30)")
    assert (mention.start_time, mention.alternatives) == (time(12), ())


def test_find_is_the_first_session_of_the_line():
    line = item("Monday, June 26 @ 12:00 UTC and Friday, June 30 @ 16:00 UTC")
    assert find(line) == find_all(line)[0]


def test_date_without_time_before_a_dated_time_stays_without_time():
    assert times(find_all("June 26 and Friday, June 30 @ 16:00 UTC")) == [None, time(16)]


# --- ranges of days ---


@pytest.mark.parametrize(
    ("text", "first", "last"),
    [
        ("August 16\u201319, 2023", (2023, 8, 16), (2023, 8, 19)),
        ("August 16-19, 2023", (2023, 8, 16), (2023, 8, 19)),
        ("August 30 \u2013 September 2, 2023", (2023, 8, 30), (2023, 9, 2)),
        ("16\u201319 August 2023", (2023, 8, 16), (2023, 8, 19)),
        ("16-19 August 2023", (2023, 8, 16), (2023, 8, 19)),
        ("30 August \u2013 2 September 2023", (2023, 8, 30), (2023, 9, 2)),
        ("December 30, 2023 \u2013 January 2, 2024", (2023, 12, 30), (2024, 1, 2)),
        ("26.06.2023 \u2013 28.06.2023", (2023, 6, 26), (2023, 6, 28)),
    ],
)
def test_range_of_days_is_one_mention_with_its_last_day(text, first, last):
    mention = only(item(f"'''Wikimania:''' {text}, Singapore and online"))
    assert (mention.year, mention.month, mention.day) == first
    assert (mention.end_year, mention.end_month, mention.end_day) == last


def test_year_at_the_end_of_a_range_is_the_start_year_too():
    assert only("August 30 \u2013 September 2, 2023").year == 2023


def test_range_over_new_year_with_one_year_starts_the_year_before():
    mention = only("December 30 \u2013 January 2, 2024")
    assert (mention.year, mention.end_year) == (2023, 2024)


def test_range_over_new_year_with_the_start_year_ends_the_year_after():
    mention = only("December 30, 2023 \u2013 January 2")
    assert (mention.year, mention.end_year) == (2023, 2024)


@pytest.mark.parametrize("joiner", [" to ", " until ", " through "])
def test_range_written_with_words(joiner):
    mention = only(f"From Monday, June 26{joiner}Friday, June 30")
    assert (mention.day, mention.end_day, mention.end_weekday) == (26, 30, 4)


def test_range_span_runs_over_both_ends():
    line = item("Wednesday, August 16 \u2013 Saturday, August 19, 2023 | Singapore")
    mention = only(line)
    assert mention.text == "Wednesday, August 16 \u2013 Saturday, August 19, 2023"


def test_range_end_month_by_name_after_day_first():
    mention = only("June 3 \u2013 5 July")
    assert (mention.month, mention.day, mention.end_month, mention.end_day) == (6, 3, 7, 5)


def test_smaller_number_after_a_dash_is_no_range():
    mention = only("June 26 - 2 speakers from the EU team")
    assert (mention.day, mention.end_day) == (26, None)


def test_time_after_a_dash_is_no_range():
    mention = only("June 26 \u2013 16 UTC")
    assert (mention.end_day, mention.start_time) == (None, time(16))


def test_range_with_an_impossible_end_is_an_error():
    with pytest.raises(DateError, match="February 27"):
        find("February 27\u201330, 2023")


def test_range_ending_before_it_starts_is_an_error():
    with pytest.raises(DateError, match="ends before it starts"):
        find("June 30, 2023 \u2013 June 26, 2023")


def test_last_day_of_a_yearless_range_over_new_year_is_next_year():
    mention = only("Saturday, December 30 \u2013 Tuesday, January 2")
    first = resolve(mention, datetime(2023, 12, 1, tzinfo=UTC))
    assert (first, last_day(mention, first)) == (date(2023, 12, 30), date(2024, 1, 2))


def test_range_end_weekday_must_fit():
    mention = only("Wednesday, August 16 \u2013 Friday, August 19, 2023")
    with pytest.raises(DateError, match="Saturday"):
        resolve(mention, datetime(2023, 8, 1, tzinfo=UTC))


def test_range_without_time_ends_at_the_end_of_its_last_day():
    mention = only("August 16\u201319, 2023")
    assert session(mention, date(2023, 8, 16)) == (
        datetime(2023, 8, 16, tzinfo=UTC),
        datetime(2023, 8, 20, tzinfo=UTC),
    )


def test_range_with_start_time_ends_at_the_end_of_its_last_day_in_its_zone():
    mention = only("August 16\u201319, 2023, from 09:00 Asia/Singapore")
    assert session(mention, date(2023, 8, 16)) == (
        datetime(2023, 8, 16, 1, tzinfo=UTC),
        datetime(2023, 8, 19, 16, tzinfo=UTC),
    )


def test_range_with_time_range_ends_at_its_end_time_on_the_last_day():
    mention = only("August 16\u201319, 2023, 14:00-16:00 UTC")
    assert session(mention, date(2023, 8, 16))[1] == datetime(2023, 8, 19, 16, tzinfo=UTC)


def test_single_day_has_itself_as_last_day():
    assert last_day(only("June 26"), date(2023, 6, 26)) == date(2023, 6, 26)


# --- struck text ---


def test_struck_date_is_not_read_and_the_new_one_is():
    line = item(
        "<s>Monday, June 26 @ 12:00 UTC</s> Rescheduled: Wednesday, June 28 @ 12:00 UTC | " + ZOOM
    )
    mention = only(line)
    assert (mention.day, mention.text) == (28, "Wednesday, June 28 @ 12:00 UTC")


@pytest.mark.parametrize("tag", ["s", "del", "strike", "S", "DEL"])
def test_line_whose_only_date_is_struck_has_no_session(tag):
    assert find_all(item(f"<{tag}>Monday, June 26 @ 12:00 UTC</{tag}> (postponed)")) == []


def test_struck_time_is_not_read():
    mention = only("Monday, June 26 @ <s>12:00 UTC</s> 14:00 UTC")
    assert mention.start_time == time(14)


def test_unclosed_strike_runs_to_the_end_of_the_line():
    assert find_all("<s>Monday, June 26 @ 12:00 UTC, Friday, June 30 @ 16:00 UTC") == []


def test_strike_spans_include_the_tags():
    line = "a <s>June 26</s> b <del class='x'>June 27</del>"
    assert [line[start:end] for start, end in strike_spans(line)] == [
        "<s>June 26</s>",
        "<del class='x'>June 27</del>",
    ]


def test_span_tag_is_not_a_strike():
    assert days(find_all("<span>Monday, June 26</span>")) == [(6, 26)]


def test_offsets_stay_those_of_the_line_after_a_strike():
    line = "<s>June 26</s> June 28 @ 12:00 UTC"
    mention = only(line)
    assert line[mention.start : mention.end] == "June 28 @ 12:00 UTC"


def test_struck_link_is_not_read():
    assert find_all(f"Next call: <s>[{NOON_JUNE_26} your time]</s>") == []


# --- deadlines ---


def test_registration_deadline_is_not_a_session():
    line = item("Register by Friday, June 16 \u00b7 Session: Tuesday, June 20 @ 14:00 UTC")
    assert days(find_all(line)) == [(6, 20)]


@pytest.mark.parametrize(
    "qualifier",
    [
        "Register by",
        "Registration closes",
        "Deadline:",
        "Applications open until",
        "Registration closes on",
        "RSVP by",
        "Apply by",
        "Submit your questions by",
        "Sign up by",
        "Sign up on Meta by",
        "Please register on Meta by",
    ],
)
def test_date_after_a_deadline_word_is_not_a_session(qualifier):
    assert find_all(item(f"{qualifier} Friday, June 16")) == []


def test_deadline_words_are_the_callers_to_choose():
    line = "Register by Friday, June 16"
    assert DEADLINE_WORDS and find_all(line) == []
    assert days(find_all(line, deadline_words=())) == [(6, 16)]
    assert find(line, deadline_words=("register by",)) is None


def test_deadline_word_in_an_earlier_sentence_does_not_apply():
    line = item("Sessions continue until further notice. Next: Monday, June 26 @ 12:00 UTC")
    assert days(find_all(line)) == [(6, 26)]


def test_deadline_word_far_before_the_date_does_not_apply():
    line = "Deadline talk with our friends from the legal team Monday, June 26"
    assert days(find_all(line)) == [(6, 26)]


def test_deadline_word_before_the_previous_date_does_not_apply():
    line = "Register by June 16 for June 20 @ 14:00 UTC"
    assert days(find_all(line)) == [(6, 20)]


def test_by_without_register_is_not_a_deadline():
    assert days(find_all("Hosted by the Legal team on Monday, June 26")) == [(6, 26)]


def test_range_with_until_is_not_a_deadline():
    assert only("From June 26 until June 30").end_day == 30


# --- times ---


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("noon UTC", time(12)),
        ("12 noon UTC", time(12)),
        ("Noon", time(12)),
        ("midnight UTC", time(0)),
        ("12pm UTC", time(12)),
        ("12 p.m. UTC", time(12)),
        ("16 UTC", time(16)),
        ("16h UTC", time(16)),
        ("16h00 UTC", time(16)),
        ("16:00h", time(16)),
        ("9 UTC+2", time(9)),
    ],
)
def test_time_forms(written, expected):
    assert only(f"Monday, June 26 @ {written} | {ZOOM}").start_time == expected


@pytest.mark.parametrize("written", ["16h", "(16 speakers)", "16 (UTC)"])
def test_bare_hour_without_a_zone_right_after_it_is_not_a_time(written):
    assert only(f"Monday, June 26, {written}").start_time is None


def test_noon_inside_a_word_is_not_a_time():
    assert only("Monday, June 26, afternoon session").start_time is None


@pytest.mark.parametrize(
    "line", ["12:00 UTC, Monday, June 26", "At 12:00 UTC on June 26", "12:00 UTC (June 26)"]
)
def test_time_just_before_the_date_is_its_time(line):
    mention = only(item(line))
    assert (mention.start_time, mention.day) == (time(12), 26)


def test_span_of_a_time_before_the_date_starts_with_the_time():
    assert only("At 12:00 UTC on June 26").text == "12:00 UTC on June 26"


def test_time_after_the_date_wins_over_one_before():
    assert only("12:00 UTC, Monday, June 26 @ 14:00 UTC").start_time == time(14)


def test_time_far_before_the_date_is_not_its_time():
    line = "Calls start at 12:00 UTC. The next one is on Monday, June 26"
    assert only(line).start_time is None


def test_times_before_their_dates_go_to_those_dates():
    mentions = find_all("12:00 UTC, Monday, June 26 and 16:00 UTC, Friday, June 30")
    assert times(mentions) == [time(12), time(16)]


def test_time_right_after_a_date_is_not_the_next_dates():
    mentions = find_all("Monday, June 26, 12:00 UTC, Wednesday, June 28")
    assert times(mentions) == [time(12), None]


def test_times_continuing_a_dates_times_are_not_the_next_dates():
    mentions = find_all("Monday, June 26 @ 12:00 UTC and 17:00 UTC, Wednesday, June 28")
    assert times(mentions) == [time(12), time(17), None]


@pytest.mark.parametrize(
    "written", ["14:00 CEST / 12:00 UTC", "12:00 UTC (14:00 CEST)", "12:00 UTC / 8:00 EDT"]
)
def test_utc_is_preferred_over_a_zone_that_cannot_be_trusted(written):
    mention = only(f"Monday, June 26 @ {written}")
    assert (mention.start_time, mention.zone, mention.zone_label) == (time(12), UTC, "UTC")


def test_only_untrusted_zones_is_an_error_naming_the_zone():
    with pytest.raises(DateError, match="CEST"):
        find("Monday, June 26 @ 14:00 CEST / 08:00 EDT")


def test_two_trusted_zones_that_agree_are_fine():
    mention = only("Monday, June 26 @ 12:00 UTC (14:00 Europe/Berlin)")
    assert [alt.text for alt in mention.alternatives] == ["14:00 Europe/Berlin"]
    assert resolve(mention, datetime(2023, 6, 1, tzinfo=UTC)) == date(2023, 6, 26)


def test_two_trusted_zones_that_disagree_are_an_error_naming_both():
    mention = only("Monday, June 26 @ 12:00 UTC (15:00 Europe/Berlin)")
    with pytest.raises(DateError) as error:
        resolve(mention, datetime(2023, 6, 1, tzinfo=UTC))
    assert "12:00 UTC" in str(error.value) and "15:00 Europe/Berlin" in str(error.value)


def test_trusted_zones_are_compared_on_the_resolved_date():
    # 13:00 Berlin is 12:00 UTC in winter only.
    mention = only("Monday, January 16 @ 12:00 UTC (13:00 Europe/Berlin)")
    assert resolve(mention, datetime(2023, 1, 1, tzinfo=UTC)) == date(2023, 1, 16)
    summer = only("Monday, June 26 @ 12:00 UTC (13:00 Europe/Berlin)")
    with pytest.raises(DateError):
        resolve(summer, datetime(2023, 6, 1, tzinfo=UTC))


# --- numeric dates ---


@pytest.mark.parametrize("written", ["26.06.2023", "26/06/2023", "06/26/2023", "2023-06-26"])
def test_numeric_dates_read_one_way_only(written):
    mention = only(f"{written}, 12:00 UTC")
    assert (mention.year, mention.month, mention.day) == (2023, 6, 26)


def test_numeric_date_that_reads_the_same_both_ways():
    assert only("05/05/2023").day == 5


@pytest.mark.parametrize("written", ["31.02.2023", "13/13/2023"])
def test_impossible_numeric_date_is_an_error(written):
    with pytest.raises(DateError, match=written):
        find(written)


def test_dotted_date_is_day_first():
    with pytest.raises(DateError):
        find("06.26.2023")


def test_version_number_is_not_a_date():
    assert find_all("Pywikibot v1.26.2023 release notes") == []


# --- links that carry the moment ---


def test_zonestamp_link_gives_the_time_of_a_date_without_time():
    mention = only(item(f"Monday, June 26 [{NOON_JUNE_26} (your time)] | {ZOOM}"))
    assert (mention.year, mention.start_time, mention.zone) == (2023, time(12), UTC)
    assert mention.link == NOON_JUNE_26


def test_zonestamp_link_that_agrees_confirms_the_year():
    mention = only(item(f"Monday, June 26 @ [{NOON_JUNE_26} 12:00 UTC]"))
    assert (mention.year, mention.start_time, mention.link) == (2023, time(12), NOON_JUNE_26)


def test_zonestamp_link_is_compared_in_the_written_zone():
    mention = only(f"Monday, June 26 @ 14:00 Europe/Berlin [{NOON_JUNE_26} your time]")
    assert mention.link == NOON_JUNE_26


def test_zonestamp_link_on_another_time_is_an_error_naming_both():
    with pytest.raises(DateError) as error:
        find(f"Monday, June 26 @ 13:00 UTC [{NOON_JUNE_26} your time]")
    assert "13:00 UTC" in str(error.value) and NOON_JUNE_26 in str(error.value)


def test_zonestamp_link_on_another_day_is_an_error():
    with pytest.raises(DateError, match="disagree"):
        find(f"Tuesday, June 27 [{NOON_JUNE_26} your time]")


def test_zonestamp_link_on_another_year_is_an_error():
    with pytest.raises(DateError, match="disagree"):
        find(f"June 26, 2024 [{NOON_JUNE_26} your time]")


def test_zonestamp_link_alone_is_a_session():
    mention = only(item(f"Next call: [{NOON_JUNE_26} click for your time] | {ZOOM}"))
    assert (mention.year, mention.month, mention.day, mention.start_time) == (
        2023,
        6,
        26,
        time(12),
    )


def test_zonestamp_link_gives_the_time_when_the_written_zone_cannot_be_trusted():
    mention = only(f"Monday, June 26 @ [{NOON_JUNE_26} 14:00 CEST]")
    assert (mention.start_time, mention.zone) == (time(12), UTC)


def test_each_link_goes_to_the_time_it_labels():
    line = f"Monday, June 26 @ [{NOON_JUNE_26} 12:00 UTC] and [{FIVE_PM_JUNE_26} 17:00 UTC]"
    assert [m.link for m in find_all(line)] == [NOON_JUNE_26, FIVE_PM_JUNE_26]


def test_link_next_to_a_deadline_only_line_is_not_a_session():
    assert find_all(f"Register by Friday, June 16 [{NOON_JUNE_26} your time]") == []


@pytest.mark.parametrize(
    "query",
    [
        "iso=20230626T1200",
        "iso=20230626T12",
        "iso=2023-06-26T12:00:00Z",
        "iso=20230626T1200Z&p1=1440",
    ],
)
def test_timeanddate_link_in_utc_is_a_session(query):
    mention = only(f"[{FIXEDTIME}?{query} Convert to your time]")
    assert (mention.year, mention.month, mention.day, mention.start_time) == (2023, 6, 26, time(12))


def test_timeanddate_link_in_a_place_time_is_not_trusted():
    assert find_all(f"[{FIXEDTIME}?iso=20230626T1200&p1=1440 Convert to your time]") == []


def test_timeanddate_link_gives_the_time_of_a_date_without_time():
    assert only(f"Monday, June 26 ([{FIXEDTIME}?iso=20230626T1200 your time])").start_time == time(
        12
    )


def test_other_links_with_long_numbers_are_still_not_dates():
    assert find_all(item(ZOOM)) == []


# --- session and resolve for what is new ---


def test_session_of_a_linked_time_lasts_the_default():
    mention = only(f"Monday, June 26 [{NOON_JUNE_26} your time]")
    assert session(mention, date(2023, 6, 26), timedelta(minutes=90)) == (
        datetime(2023, 6, 26, 12, tzinfo=UTC),
        datetime(2023, 6, 26, 13, 30, tzinfo=UTC),
    )


def test_second_session_of_a_day_resolves_like_the_first():
    mentions = find_all("Monday, June 26 @ 12:00 UTC and 17:00 UTC")
    written = datetime(2023, 6, 10, tzinfo=UTC)
    assert [session(m, resolve(m, written))[0].hour for m in mentions] == [12, 17]


def test_larger_day_before_a_dash_is_no_range():
    mention = only("Part 30 \u2013 2 August")
    assert (mention.day, mention.end_day) == (2, None)


def test_range_ending_on_its_first_day_is_an_error():
    with pytest.raises(DateError, match="ends before it starts"):
        find("June 26, 2023 \u2013 June 26, 2023")


def test_last_day_before_the_given_first_day_is_an_error():
    with pytest.raises(DateError, match="not a range of days"):
        last_day(only("August 16\u201319, 2023"), date(2024, 8, 16))
