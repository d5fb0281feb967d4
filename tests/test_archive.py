"""A page whose log is kept on archive pages (issue 19): the moved sessions leave "Upcoming" as
in any run, and their entries go to the archive's log instead of the page's own."""

from dataclasses import replace
from datetime import datetime

import pytest

from bot.core import pipeline
from bot.core.change import edit, safety
from bot.core.change.render import Renderer
from bot.core.page.log import read_log
from bot.core.page.reader import read_log_page, read_page
from bot.core.pipeline import Run
from bot.core.report.result import archive_summary, summary
from bot.core.settings import Settings
from bot.errors import Refusal
from tests.conftest import page, utc

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
PATTERN = "/Archive/%(year)d"
HEADER = (
    "This is the archive of [[Global Advocacy/Conversation hours and Events]].\n"
    "\n"
    "== Log of Previous Conversation Hours ==\n"
)
#: The Meta page's layout, without Translate: one block, its sessions either side of New Year.
PAGE = page("archive/new-year")
DECEMBER_18 = (
    "December 18, 2023 (12:00 UTC). Topic: Ad-hoc conversation hour on the Global Digital Compact."
)
JANUARY_12 = (
    "January 12, 2024 (16:00 UTC). Topic: Ad-hoc conversation hour on the Global Digital Compact."
)
BETWEEN = utc("2023-12-20T00:00:00")  # after the December session, before the January one
AFTER = utc("2024-01-13T00:00:00")  # after both


def page_run(text: str, now: datetime) -> Run:
    return pipeline.run(read_page(text, SETTINGS), now, SETTINGS)


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
