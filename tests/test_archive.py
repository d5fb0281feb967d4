"""A page whose log is kept on archive pages (issue 19): the moved sessions leave "Upcoming" as
in any run, and their entries go to the archive's log instead of the page's own."""

import pytest

from bot.core.page.log import read_log
from bot.core.page.reader import read_log_page, read_page
from bot.core.settings import Settings
from bot.errors import Refusal

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
