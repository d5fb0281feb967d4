"""Where a moved session's entry lands in the log, and in what shape: as the log's own editors
would write it. One page of tests/pages/editors/log-*.wikitext per shape of log, each with the
lines the run must leave around its new entries written down next to it.

A line of an expected run ending in "…" stands for any line that starts with the rest.
"""

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.page.log import entry_start, read_log
from bot.core.page.reader import read_page
from bot.core.pipeline import transform
from bot.core.settings import Settings
from bot.core.wikitext import translate_markup as translate
from bot.errors import Refusal
from tests.conftest import PAGES, utc

EDITORS = PAGES / "editors"
JULY = utc("2023-07-01T00:00:00")  # after both June 2023 sessions
LATE_JANUARY = utc("2024-01-20T00:00:00")  # after the January 2024 session (and December's)
JUNE_26 = "June 26, 2023 (12:00 UTC). Topic: Global Digital Compact."
JUNE_30 = "June 30, 2023 (16:00 UTC). Topic: Global Digital Compact."
JANUARY_15 = "January 15, 2024 (12:00 UTC). Topic: Copyright reform."
DECEMBER_14 = "December 14, 2023 (16:00 UTC). Topic: Copyright reform."


def editors(name: str) -> str:
    return (EDITORS / f"log-{name}.wikitext").read_text(encoding="utf-8")


#: Page -> (when the run happens, the run of lines it must leave in the log).
CORPUS: dict[str, tuple[datetime, list[str]]] = {
    "newest-first": (
        JULY,
        ["Notes from all calls…", f"* {JUNE_30}", f"* {JUNE_26}", "* October 30, 2022…"],
    ),
    "oldest-first": (
        JULY,
        ["* October 30, 2022…", f"* {JUNE_26}", f"* {JUNE_30}", "", "Follow us…"],
    ),
    "oldest-first-category": (
        JULY,
        ["* October 28, 2022…", f"* {JUNE_26}", f"* {JUNE_30}", "", "[[Category:Global Advocacy]]"],
    ),
    "oldest-first-closing-paragraph": (
        JULY,
        [
            "* October 30, 2022…",
            f"* {JUNE_26}",
            f"* {JUNE_30}",
            "",
            "Recordings are kept for one year.",
        ],
    ),
    "one-entry": (
        JULY,
        [
            "== Log of Previous Conversation Hours ==",
            f"* {JUNE_30}",
            f"* {JUNE_26}",
            "* October 30, 2022…",
        ],
    ),
    "yearless-entries": (JULY, ["* October 30, 2022…", f"* {JUNE_26}", f"* {JUNE_30}"]),
    # No date to order by: past the last entry, as the bot always did.
    "yearless-only": (
        JULY,
        ["* Pilot session. Topic: Launch.", f"* {JUNE_30}", f"* {JUNE_26}", ""],
    ),
    "empty": (JULY, ["Notes from all calls…", f"* {JUNE_30}", f"* {JUNE_26}", "", "Follow us…"]),
    "numbered-oldest-first": (JULY, ["# October 28, 2022…", f"# {JUNE_26}", f"# {JUNE_30}", ""]),
    "numbered-newest-first": (
        JULY,
        [
            "== Log of Previous Conversation Hours ==",
            f"# {JUNE_30}",
            f"# {JUNE_26}",
            "# October 30, 2022…",
        ],
    ),
    "sub-bullets-newest-first": (
        JULY,
        [
            "== Log of Previous Conversation Hours ==",
            f"* {JUNE_30}",
            f"* {JUNE_26}",
            "* October 30, 2022…",
            "** [https://drive.google.com/file/d/1Ow4Q0/view Recording]…",
        ],
    ),
    "sub-bullets-oldest-first": (
        JULY,
        [
            "** [[:File:Global Advocacy Conversation Hour October 2022.pdf|Slides]]",
            f"* {JUNE_26}",
            f"* {JUNE_30}",
            "",
        ],
    ),
    "continuation-lines-oldest-first": (
        JULY,
        ["*: Recording to follow.", f"* {JUNE_26}", f"* {JUNE_30}", ""],
    ),
    "year-groups": (JULY, ["=== 2023 ===", f"* {JUNE_30}", f"* {JUNE_26}", "* May 11, 2023…"]),
    "year-groups-missing-year": (
        LATE_JANUARY,
        ["Notes from all calls…", "", "=== 2024 ===", f"* {JANUARY_15}", "", "=== 2023 ==="],
    ),
    "year-groups-level-4": (
        LATE_JANUARY,
        [
            "== Log of Previous Conversation Hours ==",
            "==== 2024 ====",
            f"* {JANUARY_15}",
            "==== 2023 ====",
        ],
    ),
    "year-groups-oldest-first": (
        LATE_JANUARY,
        ["* November 2, 2023…", "=== 2024 ===", f"* {JANUARY_15}", "", "Follow us…"],
    ),
    "year-groups-entries-oldest-first": (
        JULY,
        ["* May 11, 2023…", f"* {JUNE_26}", f"* {JUNE_30}", "=== 2022 ==="],
    ),
    "year-groups-across-new-year": (
        LATE_JANUARY,
        [
            "== Log of Previous Conversation Hours ==",
            "=== 2024 ===",
            f"* {JANUARY_15}",
            "=== 2023 ===",
            f"* {DECEMBER_14}",
            "* November 2, 2023…",
        ],
    ),
    "year-group-still-empty": (
        LATE_JANUARY,
        ["=== 2024 ===", f"* {JANUARY_15}", "", "=== 2023 ==="],
    ),
    "year-groups-translate-markers": (
        LATE_JANUARY,
        [
            "== Log of Previous Conversation Hours == <!--T:10-->",
            "",
            "=== 2024 ===",
            "</translate>",
            f"* <translate>{JANUARY_15}</translate>",
            "<translate>",
            "",
            "=== 2023 === <!--T:11-->",
        ],
    ),
    "year-groups-headings-own-blocks": (
        LATE_JANUARY,
        [
            "</translate>",
            "",
            "<translate>",
            "=== 2024 ===",
            "</translate>",
            f"* <translate>{JANUARY_15}</translate>",
            "",
            "<translate>",
            "=== 2023 === <!--T:11-->",
        ],
    ),
    "year-groups-units-in-blocks": (
        LATE_JANUARY,
        [
            "== Log of Previous Conversation Hours == <!--T:10-->",
            "",
            "=== 2024 ===",
            "",
            f"* {JANUARY_15}",
            "",
            "=== 2023 === <!--T:11-->",
        ],
    ),
    "units-in-one-block": (
        JULY,
        [
            "Notes from all calls…",
            "",
            "<!--T:4-->",
            f"* {JUNE_30}",
            "",
            "<!--T:3-->",
            f"* {JUNE_26}",
            "",
            "<!--T:12-->",
            "* October 30, 2022…",
        ],
    ),
    "units-in-one-block-oldest-first": (
        JULY,
        [
            "* October 30, 2022…",
            "",
            "<!--T:3-->",
            f"* {JUNE_26}",
            "",
            "<!--T:4-->",
            f"* {JUNE_30}",
            "",
            "<!--T:15-->",
        ],
    ),
    "units-per-list": (
        JULY,
        ["<!--T:11-->", f"* {JUNE_30}", f"* {JUNE_26}", "* October 30, 2022…"],
    ),
    "units-per-line": (
        JULY,
        [
            "* <translate><!--T:12--> October 30, 2022…",
            f"* <translate><!--T:3--> {JUNE_26}</translate>",
            f"* <translate><!--T:4--> {JUNE_30}</translate>",
            "",
        ],
    ),
    "table": (
        JULY,
        [
            "! Date !! Topic !! Recording",
            "|-",
            "| June 30, 2023 (16:00 UTC) || Global Digital Compact ||",
            "|-",
            "| June 26, 2023 (12:00 UTC) || Global Digital Compact ||",
            "|-",
            "| October 30, 2022 || Public policy priorities…",
        ],
    ),
    "table-oldest-first-cells-per-line": (
        JULY,
        [
            "| [[:File:Global Advocacy Conversation Hour October 2022.pdf|Slides]]",
            "|-",
            "| June 26, 2023 (12:00 UTC)",
            "| Global Digital Compact",
            "|",
            "|-",
            "| June 30, 2023 (16:00 UTC)",
            "| Global Digital Compact",
            "|",
            "|}",
        ],
    ),
}

#: Pages the bot must leave alone, with the line and the reason it names.
REFUSED = {
    "table-without-date-column": (10, "no column of the log's table reads as the date"),
    "table-without-header": (9, "the log's table has no header row"),
}


def run_of(expected: list[str], lines: list[str]) -> bool:
    """Whether `expected` appears as consecutive lines ("…" ending a prefix)."""

    def fits(want: str, line: str) -> bool:
        return line.startswith(want[:-1]) if want.endswith("…") else line == want

    return any(
        all(fits(want, lines[i + k]) for k, want in enumerate(expected))
        for i in range(len(lines) - len(expected) + 1)
    )


def test_the_corpus_has_a_page_for_every_expected_outcome():
    pages = {path.stem.removeprefix("log-") for path in EDITORS.glob("log-*.wikitext")}
    assert pages == set(CORPUS) | set(REFUSED)
    assert len(pages) >= 20


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_entry_lands_where_the_logs_shape_says(name):
    now, expected = CORPUS[name]
    result = transform(editors(name), now)
    assert result.moves
    assert run_of(expected, result.text.split("\n")), result.text[result.text.index("== Log") :]
    translate.validate(result.text)
    assert transform(result.text, now).text == result.text


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_a_table_whose_columns_cannot_be_mapped_is_refused_naming_the_line(name):
    line, reason = REFUSED[name]
    with pytest.raises(Refusal, match=re.escape(reason)) as refusal:
        transform(editors(name), JULY)
    assert refusal.value.line == line


# --- one behaviour each ---------------------------------------------------------------------


def lines_after(name: str, now: datetime) -> list[str]:
    return transform(editors(name), now).text.split("\n")


def test_an_oldest_first_log_gets_the_entry_at_its_end():
    after = lines_after("oldest-first", JULY)
    assert after.index(f"* {JUNE_26}") > after.index(next(x for x in after if "October 30" in x))


def test_a_newest_first_log_gets_the_entry_at_its_top():
    after = lines_after("newest-first", JULY)
    assert after.index(f"* {JUNE_26}") < after.index(next(x for x in after if "October 30" in x))


def test_a_log_with_one_dated_entry_is_taken_as_newest_first():
    after = lines_after("one-entry", JULY)
    assert after.index(f"* {JUNE_26}") < after.index(next(x for x in after if "October 30" in x))


def test_entries_without_a_year_are_stepped_over_when_telling_the_order():
    after = lines_after("yearless-entries", JULY)
    assert (
        after.index(f"* {JUNE_30}") == after.index(next(x for x in after if "October 30" in x)) + 2
    )


def test_an_entry_goes_into_its_years_group():
    after = lines_after("year-groups", JULY)
    assert after.index("=== 2023 ===") < after.index(f"* {JUNE_26}") < after.index("=== 2022 ===")


def test_a_missing_year_gets_its_subheading_at_the_same_level_before_the_older_years():
    after = lines_after("year-groups-level-4", LATE_JANUARY)
    assert after.index("==== 2024 ====") + 1 == after.index(f"* {JANUARY_15}")
    assert after.index(f"* {JANUARY_15}") + 1 == after.index("==== 2023 ====")


def test_a_missing_year_goes_after_the_others_when_the_groups_are_oldest_first():
    after = lines_after("year-groups-oldest-first", LATE_JANUARY)
    assert after.index("=== 2023 ===") < after.index("=== 2024 ===")


def test_a_new_years_subheading_has_no_unit_marker():
    after = lines_after("year-groups-units-in-blocks", LATE_JANUARY)
    assert "=== 2024 ===" in after


def test_a_new_years_subheading_is_in_its_own_translate_block_like_the_others():
    after = lines_after("year-groups-headings-own-blocks", LATE_JANUARY)
    at = after.index("=== 2024 ===")
    assert after[at - 1 : at + 2] == ["<translate>", "=== 2024 ===", "</translate>"]


def test_a_table_log_gets_a_row_in_its_columns_not_a_bullet():
    after = lines_after("table", JULY)
    assert "| June 26, 2023 (12:00 UTC) || Global Digital Compact ||" in after
    assert not any(line.startswith("* June") for line in after)


def test_a_table_with_one_cell_per_line_gets_one_cell_per_line():
    after = lines_after("table-oldest-first-cells-per-line", JULY)
    at = after.index("| June 30, 2023 (16:00 UTC)")
    assert after[at - 1 : at + 4] == [
        "|-",
        "| June 30, 2023 (16:00 UTC)",
        "| Global Digital Compact",
        "|",
        "|}",
    ]


def test_an_entry_is_written_at_the_depth_of_the_top_level_entries():
    after = lines_after("sub-bullets-newest-first", JULY)
    assert f"* {JUNE_26}" in after
    assert f"** {JUNE_26}" not in after


def test_an_entry_never_lands_between_an_entry_and_its_sub_bullets():
    after = lines_after("sub-bullets-oldest-first", JULY)
    at = after.index(f"* {JUNE_26}")
    assert after[at - 1].startswith("** ")
    assert after[at - 2].startswith("** ")


def test_a_numbered_log_gets_a_numbered_entry():
    assert f"# {JUNE_26}" in lines_after("numbered-oldest-first", JULY)


def test_an_entry_in_a_block_of_units_is_a_unit_of_its_own_with_the_moved_marker():
    text = editors("units-in-one-block")
    result = transform(text, JULY)
    after = result.text.split("\n")
    at = after.index(f"* {JUNE_26}")
    assert after[at - 2 : at + 3] == ["", "<!--T:3-->", f"* {JUNE_26}", "", "<!--T:12-->"]
    assert result.moved_units == ("3", "4")
    # No unit of the log gained or lost text: the neighbours' translations stay current.
    before = {u.marker: u.content for u in translate.parse(text).units}
    for unit in translate.parse(result.text).units:
        if unit.marker in before and unit.marker not in ("3", "4"):
            assert unit.content == before[unit.marker]


def test_an_entry_in_a_list_that_is_one_unit_joins_that_unit():
    result = transform(editors("units-per-list"), JULY)
    assert result.changed_units == ("11",)
    assert result.moved_units == ()


def test_an_empty_log_gets_its_list_after_its_introduction():
    after = lines_after("empty", JULY)
    assert after[after.index(f"* {JUNE_30}") - 1].startswith("Notes from all calls")


# --- reading only what placement needs --------------------------------------------------------


def test_the_log_reads_an_entrys_date_only_when_asked():
    page = read_page(editors("newest-first"), Settings())
    entries = read_log(page).entries
    assert len(entries) == 4
    assert entries[0].start == utc("2022-10-30T00:00:00")


def test_a_long_log_is_placed_after_reading_a_few_dates():
    """9,000 entries newest first: the entry goes to the top after a handful of dates."""
    days = [datetime(2022, 10, 30) - timedelta(days=i) for i in range(9000)]
    entries = "".join(f"* {d:%B} {d.day}, {d.year}. Topic: Session {d:%j}.\n" for d in days)
    text = editors("newest-first").replace("* October 30, 2022.", entries + "* October 30, 2022.")
    entry_start.cache_clear()
    result = transform(text, JULY)
    assert len(result.moves) == 2
    assert entry_start.cache_info().misses < 10


# --- generated log shapes -----------------------------------------------------------------------

MONTHS = "January February March April May June July August September October November December"
MONTH = MONTHS.split()
DATE = re.compile(r"(?P<month>[A-Z][a-z]+) (?P<day>\d+), (?P<year>\d{4})")
YEAR_HEADING = re.compile(r"^(=+) ?(\d{4}) ?\1")
TOP_LEVEL = re.compile(r"^[*#] ")
FIRST_LOGGED = datetime(2021, 6, 1, tzinfo=UTC)
FIRST_SESSION = datetime(2023, 6, 1, tzinfo=UTC)


def written(moment: datetime) -> str:
    return f"{MONTH[moment.month - 1]} {moment.day}, {moment.year}"


@st.composite
def log_shapes(draw) -> tuple[str, datetime, dict[str, object]]:
    """A page whose log is newest or oldest first, grouped by year or not, with sub-bullets or
    not, numbered or not, its entries plain, units of their own, or units inside one block."""
    shape = {
        "newest first": draw(st.booleans()),
        "grouped": draw(st.booleans()),
        "level": draw(st.sampled_from([3, 4])),
        "prefix": draw(st.sampled_from(["*", "#"])),
        "units": draw(st.sampled_from(["plain", "line", "block"])),
    }
    days = draw(st.lists(st.integers(0, 700), max_size=7, unique=True))
    logged = sorted((FIRST_LOGGED + timedelta(days=d) for d in days), reverse=shape["newest first"])
    quarters = draw(st.lists(st.integers(0, 250 * 24), min_size=1, max_size=3, unique=True))
    sessions = sorted(FIRST_SESSION + timedelta(hours=q) for q in quarters)
    markers = iter(range(100, 200))
    prefix, units = shape["prefix"], shape["units"]

    def entry(moment: datetime) -> list[str]:
        text = f"{written(moment)}. Topic: Movement approaches to copyright advocacy."
        if units == "line":
            lines = [f"{prefix} <translate><!--T:{next(markers)}--> {text}</translate>"]
        elif units == "block":
            lines = ["", f"<!--T:{next(markers)}-->", f"{prefix} {text}"]
        else:
            lines = [f"{prefix} {text}"]
        if draw(st.booleans()):
            lines.append(f"{prefix}* [https://drive.google.com/file/d/{moment:%j}/view Recording]")
        return lines

    log: list[str] = []
    year = None
    for moment in logged:
        if shape["grouped"] and moment.year != year:
            year = moment.year
            bars = "=" * shape["level"]
            marker = f" <!--T:{next(markers)}-->" if units == "block" else ""
            log += (
                ["", f"{bars} {year} {bars}{marker}"]
                if units == "block"
                else [f"{bars} {year} {bars}"]
            )
        log += entry(moment)
    upcoming = [
        "== Upcoming Conversation Hours ==",
        "'''Copyright reform''' Speakers from two chapters share their campaigns.",
        *(
            f"* {written(s)} @ {s:%H}:00 UTC | [https://wikimedia.zoom.us/j/870 Zoom]"
            for s in sessions
        ),
        "",
    ]
    if units == "block":
        body = ["<translate>", "== Log of Previous Conversation Hours == <!--T:1-->", *log]
        body += ["", "<!--T:2-->", "Follow us on Twitter.", "</translate>"]
    else:
        body = ["== Log of Previous Conversation Hours ==", *log, "", "Follow us on Twitter."]
    text = "\n".join([*upcoming, *body, "", "[[Category:Global Advocacy]]", ""])
    return text, sessions[-1] + timedelta(hours=3), shape


def logged_entries(text: str) -> list[tuple[int | None, datetime]]:
    """(the year of the group it is under, when) for every top-level entry of the log."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("== Log of"))
    found, group = [], None
    for line in lines[start + 1 :]:
        heading = YEAR_HEADING.match(line)
        if heading:
            group = int(heading.group(2))
        elif TOP_LEVEL.match(line):
            date = DATE.search(line)
            assert date, line
            month = MONTH.index(date["month"]) + 1
            when = datetime(int(date["year"]), month, int(date["day"]), tzinfo=UTC)
            found.append((group, when))
    return found


@given(log_shapes())
@settings(
    max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow]
)
def test_a_run_keeps_the_logs_order_and_grouping_and_a_second_run_changes_nothing(case):
    text, now, shape = case
    result = transform(text, now)
    translate.validate(result.text)
    assert transform(result.text, now).text == result.text
    entries = logged_entries(result.text)
    assert len(entries) == len(logged_entries(text)) + len(result.moves)
    groups: list[int | None] = []
    for group, _ in entries:
        if not groups or groups[-1] != group:
            groups.append(group)
    assert len(groups) == len(set(groups)), "a year's entries are split"
    if shape["grouped"] and logged_entries(text):
        assert all(group == when.year for group, when in entries)
    told = any(
        sum(1 for g, _ in logged_entries(text) if g == group) >= 2
        for group in {g for g, _ in logged_entries(text)}
    )
    newest_first = shape["newest first"] or not told
    for group in groups:
        moments = [when for g, when in entries if g == group]
        assert moments == sorted(moments, reverse=newest_first)


MONTH_ENTRIES = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us.
* June 26, 2023 @ 12:00 UTC

== Log of Previous Conversation Hours ==
{entries}
"""


@pytest.mark.parametrize(
    ("entries", "expected"),
    [
        (
            "* July 2023: two calls on the Digital Services Act.\n* May 2023: the pilot.",
            ["* July 2023", "* June 26, 2023", "* May 2023"],
        ),
        (
            "* May 2023: the pilot.\n* July 2023: two calls on the Digital Services Act.",
            ["* May 2023", "* June 26, 2023", "* July 2023"],
        ),
    ],
    ids=["newest-first", "oldest-first"],
)
def test_an_entry_for_a_whole_month_is_ordered_as_that_month(entries, expected):
    """An entry for a whole month ("July 2023: ...") is dated to its month, so a June session
    goes between the July and May entries, whichever way the log runs."""
    after = transform(MONTH_ENTRIES.format(entries=entries), JULY).text.split("\n")
    log = after[after.index("== Log of Previous Conversation Hours ==") + 1 :]
    assert [next(line for line in log if line.startswith(e)) for e in expected] == [
        line for line in log if any(line.startswith(e) for e in expected)
    ]


BY_MONTH = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us.
* {slot} @ 12:00 UTC

== Log of Previous Conversation Hours ==
{log}
"""


def log_after(slot: str, log: str, now: str) -> list[str]:
    after = transform(BY_MONTH.format(slot=slot, log=log), utc(now)).text.split("\n")
    return after[after.index("== Log of Previous Conversation Hours ==") + 1 :]


MONTHS_2023 = (
    "=== July 2023 ===\n* July 5, 2023. Topic: Later.\n\n=== June 2023 ===\n"
    "* June 2, 2023. Topic: Early."
)


def test_a_session_goes_under_its_months_subheading():
    after = log_after("June 26, 2023", MONTHS_2023, "2023-07-10")
    assert after.index("* June 26, 2023 (12:00 UTC). Topic: Copyright hour.") == (
        after.index("=== June 2023 ===") + 1
    )


def test_a_month_without_its_subheading_gets_one_like_the_others_at_its_place():
    after = log_after("August 7, 2023", MONTHS_2023, "2023-08-10")
    assert after[:3] == [
        "=== August 2023 ===",
        "* August 7, 2023 (12:00 UTC). Topic: Copyright hour.",
        "=== July 2023 ===",
    ]


def test_an_entry_is_never_filed_under_a_month_of_another_year():
    """The June subheading holds June 2022's entries: a June 2023 session gets its own, with
    its year, since nothing above the month's subheading says which year it is."""
    log = "=== June ===\n* June 2, 2022. Topic: Early."
    after = log_after("June 26, 2023", log, "2023-07-10")
    assert after.index("=== June 2023 ===") < after.index("=== June ===")
    assert after[after.index("=== June 2023 ===") + 1].startswith("* June 26, 2023")


def test_under_year_subheadings_a_new_months_subheading_names_only_the_month():
    log = (
        "=== 2023 ===\n==== June ====\n* June 2, 2023. Topic: Early.\n\n"
        "=== 2022 ===\n==== December ====\n* December 1, 2022. Topic: Old."
    )
    after = log_after("July 3, 2023", log, "2023-07-10")
    assert (
        after.index("=== 2023 ===") < after.index("==== July ====") < after.index("==== June ====")
    )
