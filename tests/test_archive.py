"""A page whose log is kept on archive pages (issue 19): the moved sessions leave "Upcoming" as
in any run, and their entries go to the archive's log instead of the page's own."""

import re
from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.core import pipeline
from bot.core.archive import (
    ArchivedRun,
    archive_problem,
    archive_title,
    archive_titles,
    prefix_problem,
    run_archived,
)
from bot.core.change import edit, safety
from bot.core.change.render import Renderer
from bot.core.page.log import read_log
from bot.core.page.reader import read_log_page, read_page
from bot.core.pipeline import Run
from bot.core.report.result import archive_summary, summary
from bot.core.settings import META_PAGE, Settings
from bot.core.wikitext.liveness import live_markup
from bot.errors import Refusal
from tests.conftest import page, utc
from tests.test_properties import CHECK, cases

SETTINGS = Settings()

ARCHIVE_2023 = """\
This is the archive of [[Global Advocacy/Conversation hours and Events]] for 2023.

== Log of Previous Conversation Hours ==
* May 11, 2023 (14:00 UTC). Topic: Launch of the 2023 conversation hours.
* March 3, 2023. Topic: Human Rights Impact Assessment.

[[Category:Global Advocacy archives]]
"""


# --- reading an archive page ----------------------------------------------------------------


def test_an_archive_page_is_read_for_its_log_alone():
    archive = read_log_page(ARCHIVE_2023, SETTINGS)
    entries = [entry.line.text for entry in read_log(archive).entries]
    assert entries == [
        "* May 11, 2023 (14:00 UTC). Topic: Launch of the 2023 conversation hours.",
        "* March 3, 2023. Topic: Human Rights Impact Assessment.",
    ]


def test_an_archive_page_needs_no_upcoming_section_as_the_page_does():
    with pytest.raises(Refusal, match="no section titled 'Upcoming Conversation Hours'"):
        read_page(ARCHIVE_2023, SETTINGS)
    assert read_log_page(ARCHIVE_2023, SETTINGS).log.heading.title == (
        "Log of Previous Conversation Hours"
    )


def test_an_archive_page_without_a_log_section_is_refused():
    with pytest.raises(Refusal, match="no section titled 'Log of Previous Conversation Hours'"):
        read_log_page("This is the archive of [[Global Advocacy]].\n", SETTINGS)


# --- the page's edit and the archive's ------------------------------------------------------

TITLE = "Global Advocacy/Conversation hours and Events"
META_TITLE = META_PAGE
PATTERN = "/Archive/%(year)d"
HEADER = (
    "This is the archive of [[Global Advocacy/Conversation hours and Events]].\n"
    "\n"
    "== Log of Previous Conversation Hours ==\n"
)
#: The Meta page's layout, without Translate: one block, its sessions either side of New Year.
PAGE = page("archive/new-year")
TOPIC = "Topic: Ad-hoc conversation hour on the Global Digital Compact."
DECEMBER_18 = f"December 18, 2023 (12:00 UTC). {TOPIC}"
JANUARY_12 = f"January 12, 2024 (16:00 UTC). {TOPIC}"
BETWEEN = utc("2023-12-20T00:00:00")  # after the December session, before the January one
AFTER = utc("2024-01-13T00:00:00")  # after both


def page_run(text: str, now: datetime) -> Run:
    return pipeline.run(read_page(text, SETTINGS), now, SETTINGS)


def upcoming(text: str) -> str:
    return text[text.index("== Upcoming") : text.index("== Log of")]


def log(text: str) -> str:
    return text[text.index("== Log of") :]


RENDERER = Renderer(SETTINGS.templates_dir)


@pytest.fixture
def december():
    """The page on December 20: its December session moves, to the 2023 archive."""
    run = page_run(PAGE, BETWEEN)
    archive = read_log_page(ARCHIVE_2023, SETTINGS)
    return run, archive, edit.build_log(archive, run.plan.moves, RENDERER)


def test_the_pages_edit_without_its_entries_passes_the_safety_net(december):
    run, _, _ = december
    change = edit.build_archived(run.page, run.plan, RENDERER)
    safety.verify(run.page, run.plan, change)
    assert change.entries == ()
    assert change.archived == (run.plan.moves[0].slot.line.number,)


def test_an_edit_that_drops_entries_without_sending_them_to_an_archive_is_refused(december):
    run, _, _ = december
    change = edit.build_archived(run.page, run.plan, RENDERER)
    with pytest.raises(Refusal, match="1 sessions to move but 0 log entries written"):
        safety.verify(run.page, run.plan, replace(change, archived=()))


def test_the_archives_edit_passes_the_safety_net(december):
    run, archive, change = december
    safety.verify_log(archive, run.plan.moves, change)
    assert change.inserted == (f"* {DECEMBER_18}",)


def test_an_archive_edit_that_alters_a_line_of_the_archive_is_refused(december):
    run, archive, change = december
    doctored = replace(change, text=change.text.replace("Topic: Launch", "Topic: Lunch"))
    with pytest.raises(Refusal, match="would be lost or altered"):
        safety.verify_log(archive, run.plan.moves, doctored)


def test_an_archive_edit_with_a_line_it_does_not_declare_is_refused(december):
    run, archive, change = december
    doctored = replace(change, text=change.text + "spam\n")
    with pytest.raises(Refusal, match="not accounted for: 'spam'"):
        safety.verify_log(archive, run.plan.moves, doctored)


def test_an_archive_edit_that_makes_a_signature_live_is_refused(december):
    run, archive, change = december
    signed = f"* {DECEMBER_18} ~~~~"
    doctored = replace(
        change, text=change.text.replace(f"* {DECEMBER_18}", signed), inserted=(signed,)
    )
    with pytest.raises(Refusal, match="would make signature:~~~~ live"):
        safety.verify_log(archive, run.plan.moves, doctored)


def test_an_archive_edit_that_logs_a_session_neither_written_nor_found_is_refused(december):
    run, archive, change = december
    with pytest.raises(Refusal, match="1 sessions to log but 0 entries written"):
        safety.verify_log(archive, run.plan.moves, replace(change, entries=()))


TRANSLATABLE_ARCHIVE = """\
<languages />
<translate>
== Log of Previous Conversation Hours == <!--T:1-->
</translate>
* <translate><!--T:2--> May 11, 2023 (14:00 UTC). Topic: Launch.</translate>
"""


def doctored_translatable(extra: str):
    """The December run's archive edit on the translatable archive, with `extra` declared as
    one more new line at the end."""
    run = page_run(PAGE, BETWEEN)
    archive = read_log_page(TRANSLATABLE_ARCHIVE, SETTINGS)
    change = edit.build_log(archive, run.plan.moves, RENDERER)
    doctored = replace(change, text=change.text + extra + "\n", inserted=(*change.inserted, extra))
    return archive, run.plan.moves, doctored


def test_an_archive_edit_that_copies_a_unit_marker_is_refused():
    archive, moves, doctored = doctored_translatable("* <translate><!--T:2--> Copy.</translate>")
    with pytest.raises(Refusal, match="marker <!--T:2--> would be duplicated"):
        safety.verify_log(archive, moves, doctored)


def test_an_archive_edit_that_leaves_a_translate_tag_open_is_refused():
    archive, moves, doctored = doctored_translatable("<translate>")
    with pytest.raises(Refusal, match="would make Translate markup invalid"):
        safety.verify_log(archive, moves, doctored)


def test_an_archive_edit_that_writes_inside_a_comment_is_refused():
    commented = ARCHIVE_2023.replace(
        "* March 3, 2023.",
        "<!-- Sessions before March\nare on the main page. -->\n* March 3, 2023.",
    )
    run = page_run(PAGE, BETWEEN)
    archive = read_log_page(commented, SETTINGS)
    change = edit.build_log(archive, run.plan.moves, RENDERER)
    inside = change.text.replace("March\n", "March\n* Spam.\n")
    doctored = replace(change, text=inside, inserted=(*change.inserted, "* Spam."))
    with pytest.raises(Refusal, match="would stand inside the template, tag or comment"):
        safety.verify_log(archive, run.plan.moves, doctored)


def test_a_session_that_two_archives_receive_is_refused():
    run = page_run(PAGE, BETWEEN)
    change = edit.build_archived(run.page, run.plan, RENDERER)
    with pytest.raises(Refusal, match="1 sessions leave the page but the archive pages receive 2"):
        safety.verify_archived(run.plan, change, [run.plan.moves, run.plan.moves])


def test_a_session_that_no_archive_receives_is_refused():
    run = page_run(PAGE, BETWEEN)
    change = edit.build_archived(run.page, run.plan, RENDERER)
    with pytest.raises(Refusal, match="1 sessions leave the page but the archive pages receive 0"):
        safety.verify_archived(run.plan, change, [])


# --- edit summaries ---------------------------------------------------------------------------

ARCHIVE_OF_2023 = f"{TITLE}/Archive/2023"


def test_the_pages_summary_names_the_archive_its_entries_went_to():
    moves = page_run(PAGE, BETWEEN).plan.moves
    assert summary(moves, (ARCHIVE_OF_2023,)) == (
        f"Bot: moved 1 past conversation hour to [[{ARCHIVE_OF_2023}]] (December 18, 2023)"
    )


def test_the_archives_summary_names_the_page_its_entries_came_from():
    moves = page_run(PAGE, BETWEEN).plan.moves
    assert archive_summary(moves, TITLE) == (
        f"Bot: logged 1 past conversation hour from [[{TITLE}]] (December 18, 2023)"
    )


# --- which archive pages -------------------------------------------------------------------


def test_an_archive_of_a_year_is_a_subpage_named_by_that_year():
    assert archive_title(TITLE, PATTERN, 2023) == f"{TITLE}/Archive/2023"


def test_an_archive_written_as_a_full_title_names_the_same_subpage():
    full = "Global_Advocacy/Conversation_hours_and_Events/Archive/%(year)d"
    assert archive_title(TITLE, full, 2023) == f"{TITLE}/Archive/2023"


def test_sessions_of_two_years_go_to_two_archive_pages():
    assert archive_titles(TITLE, PATTERN, page_run(PAGE, AFTER)) == (
        f"{TITLE}/Archive/2023",
        f"{TITLE}/Archive/2024",
    )


def test_a_session_goes_to_the_archive_of_the_year_it_started_in_utc():
    new_years_night = PAGE.replace(
        "Friday, January 12, 2024 @ 16:00 UTC", "Monday, January 1, 2024 @ 00:30 UTC+1"
    )
    assert archive_titles(TITLE, PATTERN, page_run(new_years_night, AFTER)) == (ARCHIVE_OF_2023,)


def test_an_archive_without_the_year_is_one_page_for_every_year():
    assert archive_titles(TITLE, "/Archive", page_run(PAGE, AFTER)) == (f"{TITLE}/Archive",)


def test_nothing_to_move_means_no_archive_to_read():
    assert archive_titles(TITLE, PATTERN, page_run(PAGE, utc("2023-12-01T00:00:00"))) == ()


@pytest.mark.parametrize(
    "pattern",
    [PATTERN, "/Archive", f"{TITLE}/Archive %(year)d", "/Archive/%(year)d/Log", "/%(year)d"],
)
def test_a_subpage_with_at_most_the_year_in_it_is_a_good_archive(pattern):
    assert archive_problem(TITLE, pattern) is None


BAD_PATTERNS = {
    "": "the archive parameter is empty",
    "  ": "the archive parameter is empty",
    "/": f"must be a subpage of this page, such as /Archive/%(year)d or {TITLE}/Archive",
    "Archive/%(year)d": "must be a subpage of this page",
    "Global Advocacy/Archive/%(year)d": "must be a subpage of this page",
    f"Talk:{TITLE}/Archive": "must be a subpage of this page",
    "/Archive/%(month)d": "may hold %(year)d (the year of each session) and nothing else "
    "starting with %, but it holds %(month)d",
    "/Archive/%(year)s": "but it holds %(year)s",
    "/Archive/%s": "but it holds %s",
    "/Archive 100%": "but it holds %",
    "/Archive/[[2023]]": "holds [ ], which a page title cannot hold",
    "/Archive#2023": "holds #, which a page title cannot hold",
    "/../Archive": "holds . or .. between slashes",
    f"{TITLE} archive/%(year)d": "must be a subpage of this page",
}


@pytest.mark.parametrize("pattern", BAD_PATTERNS)
def test_a_bad_archive_is_told_in_words_the_editor_understands(pattern):
    assert BAD_PATTERNS[pattern] in (archive_problem(TITLE, pattern) or "")


def test_a_bad_archive_refuses_the_run():
    with pytest.raises(Refusal, match="must be a subpage of this page"):
        archive_titles(TITLE, "Archive/%(year)d", page_run(PAGE, BETWEEN))


# --- archives the operator allows elsewhere ----------------------------------------------------

PREFIXES = ("Meta:Archives/", "Help:Old sessions/")
PREFIXED = "Meta:Archives/Global Advocacy/%(year)d"


def test_a_title_under_a_prefix_the_operator_allows_is_a_good_archive():
    assert archive_problem(TITLE, PREFIXED, PREFIXES) is None


def test_without_the_prefixes_the_same_title_is_refused_as_archivebot_would():
    assert archive_problem(TITLE, PREFIXED) == (
        f"the archive must be a subpage of this page, such as /Archive/%(year)d or "
        f"{TITLE}/Archive/%(year)d; {PREFIXED!r} is not"
    )


def test_a_title_outside_the_subpages_and_the_prefixes_is_refused_naming_the_prefixes():
    assert archive_problem(TITLE, "Meta:Other/2023", PREFIXES) == (
        f"the archive must be a subpage of this page, such as /Archive/%(year)d or "
        f"{TITLE}/Archive/%(year)d, or a page whose title starts with Meta:Archives/ or "
        "Help:Old sessions/; 'Meta:Other/2023' is not"
    )


def test_the_year_in_a_title_under_a_prefix_names_a_page_a_year():
    assert archive_titles(TITLE, PREFIXED, page_run(PAGE, AFTER), PREFIXES) == (
        "Meta:Archives/Global Advocacy/2023",
        "Meta:Archives/Global Advocacy/2024",
    )


def test_a_prefixed_title_is_read_as_mediawiki_reads_it_and_spelled_as_the_operator_wrote():
    written = "meta:Archives/Global_Advocacy/%(year)d"
    assert archive_title(TITLE, written, 2023, PREFIXES) == "Meta:Archives/Global Advocacy/2023"
    assert archive_title(TITLE, "Help:Old_sessions/x", 2023, PREFIXES) == "Help:Old sessions/x"


@pytest.mark.parametrize(
    "pattern",
    [
        "Meta:Archives2/Global Advocacy",  # the same letters, another page
        "Meta:Archives",  # the page the prefix is under, not a page under it
        "Meta:Archives/",  # no page named after the prefix
        "Meta:Archives/ ",
        "Meta:archives/Global Advocacy",  # only the first letter's case does not count
        "Talk:Meta:Archives/Global Advocacy",
    ],
)
def test_a_title_that_only_looks_like_one_under_a_prefix_is_refused(pattern):
    assert "or a page whose title starts with Meta:Archives/" in (
        archive_problem(TITLE, pattern, PREFIXES) or ""
    )


def test_a_prefix_without_its_slash_admits_nothing_even_when_the_core_is_given_one():
    assert "must be a subpage" in (
        archive_problem(TITLE, "Meta:Archives2/x", ("Meta:Archives",)) or ""
    )
    assert "must be a subpage" in (
        archive_problem(TITLE, "Meta:Archives/x", ("Meta:Archives",)) or ""
    )


def test_every_other_check_holds_under_a_prefix_too():
    assert "but it holds %(month)d" in (
        archive_problem(TITLE, "Meta:Archives/%(month)d", PREFIXES) or ""
    )
    assert "holds # [ ]" in (archive_problem(TITLE, "Meta:Archives/[[x]]#y", PREFIXES) or "")
    assert "holds . or .. between slashes" in (
        archive_problem(TITLE, "Meta:Archives/../Main Page", PREFIXES) or ""
    )


def test_the_run_writes_its_entries_under_the_prefix():
    archives = {"Meta:Archives/Global Advocacy/2023": None}
    (created,) = run_archived(
        page_run(PAGE, BETWEEN), TITLE, PREFIXED, archives, HEADER, SETTINGS, PREFIXES
    ).archives
    assert created.title == "Meta:Archives/Global Advocacy/2023" and created.written


def test_the_run_refuses_a_prefixed_title_it_was_not_given_the_prefixes_for():
    with pytest.raises(Refusal, match="must be a subpage of this page"):
        run_archived(page_run(PAGE, BETWEEN), TITLE, PREFIXED, {}, HEADER, SETTINGS)


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("Meta:Archives/", None),
        ("Meta:Archives", "'Meta:Archives' does not end in /"),
        ("/Archives/", "'/Archives/' is not a full title ending in /"),
        ("/", "'/' is not a full title ending in /"),
        (" ", "' ' is not a full title ending in /"),
        ("Meta:Archives#old/", "holds #, which an archive's title cannot hold"),
        ("Meta:Archives/%(year)d/", "holds %, which an archive's title cannot hold"),
        ("Meta:Archives/../", "holds . or .. between slashes"),
    ],
)
def test_a_prefix_is_a_full_title_ending_in_a_slash(prefix, problem):
    found = prefix_problem(prefix)
    assert found is None if problem is None else problem in (found or ""), found


TRANSLATABLE = "an archive is not supported on a translatable page"


def test_a_translatable_page_with_an_archive_is_refused(meta_page):
    run = page_run(meta_page, utc("2023-07-01T00:00:00"))
    with pytest.raises(Refusal, match=TRANSLATABLE):
        archive_titles(META_TITLE, PATTERN, run)


def test_a_translatable_page_with_an_archive_is_refused_before_anything_moves(meta_page):
    run = page_run(meta_page, utc("2023-06-01T00:00:00"))
    assert not run.plan.moves
    with pytest.raises(Refusal, match=TRANSLATABLE):
        archive_titles(META_TITLE, PATTERN, run)


# --- the run -------------------------------------------------------------------------------

ARCHIVE_2024 = f"{TITLE}/Archive/2024"


def archived(text: str, now: datetime, archives: dict[str, str | None]) -> ArchivedRun:
    return run_archived(page_run(text, now), TITLE, PATTERN, archives, HEADER, SETTINGS)


def test_a_missing_archive_page_is_created_from_the_header():
    (created,) = archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: None}).archives
    assert created.old is None
    assert created.text == f"{HEADER}* {DECEMBER_18}\n"
    assert created.changed


def test_each_years_session_goes_to_its_years_archive():
    done = archived(PAGE, AFTER, {ARCHIVE_OF_2023: None, ARCHIVE_2024: None})
    assert {e.title: e.text.removeprefix(HEADER) for e in done.archives} == {
        ARCHIVE_OF_2023: f"* {DECEMBER_18}\n",
        ARCHIVE_2024: f"* {JANUARY_12}\n",
    }


def test_an_existing_archive_keeps_its_text_byte_for_byte():
    (kept,) = archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: ARCHIVE_2023}).archives
    assert kept.text.replace(f"* {DECEMBER_18}\n", "", 1) == ARCHIVE_2023


def test_an_existing_archive_gets_the_entry_in_its_order_and_date_style():
    oldest_first = ARCHIVE_2023.replace(
        "* May 11, 2023 (14:00 UTC). Topic: Launch of the 2023 conversation hours.\n"
        "* March 3, 2023. Topic: Human Rights Impact Assessment.\n",
        "* 3 March 2023. Topic: Human Rights Impact Assessment.\n"
        "* 11 May 2023 (14:00 UTC). Topic: Launch of the 2023 conversation hours.\n",
    )
    (kept,) = archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: oldest_first}).archives
    assert kept.text.split("\n")[3:6] == [
        "* 3 March 2023. Topic: Human Rights Impact Assessment.",
        "* 11 May 2023 (14:00 UTC). Topic: Launch of the 2023 conversation hours.",
        f"* 18 December 2023 (12:00 UTC). {TOPIC}",
    ]


def test_an_archive_marked_for_translation_gets_its_entry_as_a_new_unit():
    (kept,) = archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: TRANSLATABLE_ARCHIVE}).archives
    assert kept.text.split("\n")[4:6] == [
        f"* <translate>{DECEMBER_18}</translate>",
        TRANSLATABLE_ARCHIVE.split("\n")[4],
    ]


def test_a_session_the_archive_has_already_is_not_logged_twice():
    logged_by_hand = ARCHIVE_2023.replace(
        "== Log of Previous Conversation Hours ==\n",
        "== Log of Previous Conversation Hours ==\n"
        "* December 18, 2023. Topic: Global Digital Compact, with the Wikimedia Foundation.\n",
    )
    done = archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: logged_by_hand})
    (kept,) = done.archives
    assert not kept.changed
    assert kept.text == logged_by_hand
    assert kept.logged_already == (done.run.plan.moves[0].slot.line.text,)
    assert done.run.result.logged_already == kept.logged_already


def test_the_slots_leave_upcoming_as_in_a_run_without_an_archive():
    done = archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: None})
    without = page_run(PAGE, BETWEEN).result.text
    assert upcoming(done.run.result.text) == upcoming(without)
    assert upcoming(done.run.result.text) != upcoming(PAGE)


def test_the_pages_own_log_gets_no_entry():
    done = archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: None})
    assert log(done.run.result.text) == log(PAGE)


def test_the_moved_slot_is_all_the_page_loses():
    done = archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: None})
    (moved,) = done.run.plan.moves
    assert done.run.result.text == PAGE.replace(f"{moved.slot.line.text}\n", "")


ONLY_BLOCK = """\
== Upcoming Conversation Hours ==
'''Copyright reform in Africa''' Join us to talk about copyright.
* Monday, December 18, 2023 @ 12:00 UTC | [https://wikimedia.zoom.us/j/87082260165 Zoom]

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""


def test_a_block_that_finishes_leaves_the_placeholder_as_usual():
    done = archived(ONLY_BLOCK, BETWEEN, {ARCHIVE_OF_2023: None})
    assert done.run.result.placeholder
    assert done.run.result.text == page_run(ONLY_BLOCK, BETWEEN).result.text.replace(
        "* December 18, 2023 (12:00 UTC). Topic: Copyright reform in Africa.\n", ""
    )


def test_what_the_announcement_made_inert_stays_inert_in_the_archive():
    inert = "'''Hour on <nowiki>{{subst:Compact}} ~~~~</nowiki>'''"
    text = PAGE.replace("'''Ad-hoc conversation hour on the Global Digital Compact'''", inert)
    (created,) = archived(text, BETWEEN, {ARCHIVE_OF_2023: None}).archives
    escaped = "&#123;&#123;subst:Compact&#125;&#125; &#126;&#126;&#126;&#126;"
    assert f"Topic: Hour on {escaped}." in created.text
    assert live_markup(created.text) == live_markup(HEADER)


def test_an_existing_archive_without_a_log_section_is_refused_naming_it():
    notes = "This is the archive of [[Global Advocacy/Conversation hours and Events]].\n"
    with pytest.raises(Refusal, match=rf"archive page \[\[{ARCHIVE_OF_2023}\]\]: no section"):
        archived(PAGE, BETWEEN, {ARCHIVE_OF_2023: notes})


def test_a_header_without_a_log_section_is_refused():
    run = page_run(PAGE, BETWEEN)
    created = rf"archive page \[\[{ARCHIVE_OF_2023}\]\], created from the header: no section"
    with pytest.raises(Refusal, match=created):
        run_archived(run, TITLE, PATTERN, {ARCHIVE_OF_2023: None}, "Archive.\n", SETTINGS)


def test_an_archive_page_not_read_is_the_shells_mistake():
    with pytest.raises(ValueError, match=r"archive pages not read: .*/Archive/2024"):
        archived(PAGE, AFTER, {ARCHIVE_OF_2023: None})


def test_a_second_run_on_the_outputs_changes_nothing():
    first = archived(PAGE, AFTER, {ARCHIVE_OF_2023: ARCHIVE_2023, ARCHIVE_2024: None})
    again = page_run(first.run.result.text, AFTER)
    assert archive_titles(TITLE, PATTERN, again) == ()
    second = run_archived(again, TITLE, PATTERN, {}, HEADER, SETTINGS)
    assert not second.run.result.changed
    assert second.run.result.text == first.run.result.text
    assert second.archives == ()


def test_a_run_after_the_pages_save_failed_finishes_it_without_a_second_entry():
    first = archived(PAGE, AFTER, {ARCHIVE_OF_2023: ARCHIVE_2023, ARCHIVE_2024: None})
    saved = {e.title: e.text for e in first.archives}  # the archives were saved, the page not
    retried = archived(PAGE, AFTER, saved)
    assert [e.changed for e in retried.archives] == [False, False]
    assert retried.run.result.text == first.run.result.text


# --- properties on generated pages ----------------------------------------------------------

#: The generated pages without Translate markup: an archive is for those alone.
PLAIN_CASES = cases().filter(lambda case: case.style == "plain")
LOG_HEADING = re.compile(r"^=+ *Log +of", re.MULTILINE)


def above_the_log(text: str) -> str:
    return text[: LOG_HEADING.search(text).start()]


def new_lines(old: str, new: str) -> Counter[str]:
    return Counter(new.split("\n")) - Counter(old.split("\n"))


def archived_case(case, pattern: str, data) -> tuple[datetime, Run, ArchivedRun]:
    """The case's run with its archive, each archive page missing or holding older entries;
    half the time a day after the last session, so that most runs move something."""
    ends = [slot.end for event in case.events for slot in event.slots]
    later = max(ends, default=case.now) + timedelta(days=1)
    now = data.draw(st.sampled_from([later, case.now]))
    run = pipeline.run(read_page(case.text, SETTINGS), now, SETTINGS)
    titles = archive_titles(TITLE, pattern, run)
    archives = {name: data.draw(st.sampled_from([ARCHIVE_2023, None])) for name in titles}
    return now, run, run_archived(run, TITLE, pattern, archives, HEADER, SETTINGS)


@given(PLAIN_CASES, st.sampled_from([PATTERN, "/Archive"]), st.data())
@CHECK
def test_what_leaves_upcoming_is_exactly_what_the_archives_receive(case, pattern, data):
    _, run, done = archived_case(case, pattern, data)
    received: Counter[str] = Counter()
    for page_edit in done.archives:
        received += new_lines(page_edit.old or HEADER, page_edit.text)
    assert received == Counter(f"* {case.entries[d.slot.line.text]}" for d in run.plan.moves)


@given(PLAIN_CASES, st.sampled_from([PATTERN, "/Archive"]), st.data())
@CHECK
def test_the_page_changes_above_its_log_as_without_an_archive_and_not_in_it(case, pattern, data):
    _, run, done = archived_case(case, pattern, data)
    assert above_the_log(done.run.result.text) == above_the_log(run.result.text)
    assert done.run.result.text.removeprefix(above_the_log(done.run.result.text)) == (
        case.text.removeprefix(above_the_log(case.text))
    )


@given(PLAIN_CASES, st.sampled_from([PATTERN, "/Archive"]), st.data())
@CHECK
def test_a_second_run_and_a_run_after_a_failed_page_save_change_nothing_more(case, pattern, data):
    now, run, done = archived_case(case, pattern, data)
    again = pipeline.run(read_page(done.run.result.text, SETTINGS), now, SETTINGS)
    assert not again.plan.moves
    saved = {e.title: e.text if e.changed else e.old for e in done.archives}
    retried = run_archived(run, TITLE, pattern, saved, HEADER, SETTINGS)
    assert not any(e.changed for e in retried.archives)
    assert retried.run.result.text == done.run.result.text
