"""Rules that a one-line change to the core could break unnoticed: each test here fails when its
rule is flipped or dropped (the grace period, the default length of a session, blocks that keep
an item without a date, the safety net's reasons and range, the order of sessions that start
together)."""

import dataclasses
from datetime import timedelta

import pytest

from bot.core.change import edit, safety
from bot.core.change.plan import plan
from bot.core.change.render import Renderer
from bot.core.page.reader import read_page
from bot.core.pipeline import transform
from bot.core.settings import Settings
from bot.errors import Refusal
from tests.conftest import utc

ONE_SESSION = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us.
* June 26, 2023 @ 12:00 UTC

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""


def moved(text: str, now: str, settings: Settings) -> bool:
    return transform(text, utc(now), settings).changed


# --- the grace period ------------------------------------------------------------------------


def test_a_longer_configured_grace_keeps_a_session_that_the_default_would_move():
    # The session ends at 13:00; at 15:00 it ended two hours ago.
    assert moved(ONE_SESSION, "2023-06-26T15:00:00", Settings())
    assert not moved(ONE_SESSION, "2023-06-26T15:00:00", Settings(grace=timedelta(hours=3)))


def test_a_shorter_configured_grace_moves_a_session_that_the_default_would_keep():
    assert not moved(ONE_SESSION, "2023-06-26T13:30:00", Settings())
    assert moved(ONE_SESSION, "2023-06-26T13:30:00", Settings(grace=timedelta(minutes=15)))


# --- the default length of a session ----------------------------------------------------------


def test_a_longer_configured_duration_keeps_a_session_without_an_end_time():
    # 60 minutes: ends 13:00, moves after 14:00. 90 minutes: ends 13:30, moves after 14:30.
    assert moved(ONE_SESSION, "2023-06-26T14:10:00", Settings())
    longer = Settings(default_duration=timedelta(minutes=90))
    assert not moved(ONE_SESSION, "2023-06-26T14:10:00", longer)
    assert moved(ONE_SESSION, "2023-06-26T14:40:00", longer)


# --- a block with an item the bot cannot date stays --------------------------------------------

WITH_UNDATED_ITEM = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us.
* June 26, 2023 @ 12:00 UTC
* A second session, date to be announced

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""


def test_a_block_that_still_holds_an_item_without_a_date_keeps_its_announcement():
    result = transform(WITH_UNDATED_ITEM, utc("2023-07-01T00:00:00"), Settings())
    assert [s.slot.line.text for s in result.moves] == ["* June 26, 2023 @ 12:00 UTC"]
    assert "'''Copyright hour''' Join us." in result.text
    assert "* A second session, date to be announced" in result.text
    assert result.dropped_paragraphs == ()


# --- the safety net's reasons and range ---------------------------------------------------------

TRANSLATED = """\
<languages />
<translate>
== Upcoming Conversation Hours == <!--T:1-->

<!--T:2-->
'''Copyright hour''' Join us.
</translate>
* <translate><!--T:3--> June 26, 2023 @ 12:00 UTC</translate>

<translate>
== Log of Previous Conversation Hours == <!--T:4-->
</translate>
* <translate><!--T:5--> October 30, 2022. Topic: Public policy priorities.</translate>

<translate>
<!--T:6-->
Follow us.
</translate>
"""


@pytest.fixture
def planned():
    settings = Settings()
    page = read_page(TRANSLATED, settings)
    decided = plan(page.blocks, utc("2023-07-01T00:00:00"), settings, {}, utc("2023-06-10"))
    return page, decided, edit.build(page, decided, Renderer(settings.templates_dir))


def number_of(text: str, line: str) -> int:
    return text.split("\n").index(line) + 1


def test_the_change_of_the_fixture_passes_the_net(planned):
    safety.verify(*planned)


def test_a_tag_line_removed_as_a_marker_is_refused(planned):
    """Only a line that holds a unit marker may be removed as "marker"."""
    page, decided, change = planned
    tag_line = number_of(page.text, "</translate>")
    doctored = dataclasses.replace(change, removed={**change.removed, tag_line: "marker"})
    with pytest.raises(Refusal, match=f"line {tag_line} would be removed as 'marker'"):
        safety.verify(page, decided, doctored)


def test_a_removal_that_fits_its_reason_but_lies_outside_upcoming_is_refused(planned):
    """A blank line of the log removed as "blank" fits its reason: only the range check can
    refuse it."""
    page, decided, change = planned
    entry = number_of(page.text, TRANSLATED.split("\n")[12])
    blank = entry + 1
    assert page.text.split("\n")[blank - 1] == ""
    doctored = dataclasses.replace(change, removed={**change.removed, blank: "blank"})
    with pytest.raises(Refusal, match=f"line {blank} would be removed as 'blank'"):
        safety.verify(page, decided, doctored)


# --- sessions that start together ----------------------------------------------------------------

SAME_START = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us.
* June 26, 2023 @ 12:00 UTC (English)

'''Hora de conversación''' En español.
* June 26, 2023 @ 12:00 UTC (español)

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""


def test_sessions_that_start_together_keep_the_order_of_the_page():
    result = transform(SAME_START, utc("2023-07-01T00:00:00"), Settings())
    assert [s.block.title for s in result.moves] == ["Copyright hour", "Hora de conversación"]
    log = result.text.split("== Log of Previous Conversation Hours ==")[1].strip().split("\n")
    # Each slot's own words ("(English)") reach its entry (issue 9: keep what a line carries).
    assert log[:2] == [
        "* June 26, 2023 (12:00 UTC). Topic: Copyright hour. (English).",
        "* June 26, 2023 (12:00 UTC). Topic: Hora de conversación. (español).",
    ]


# --- the rules of issue 16 that no test pinned ------------------------------------------------


def test_a_session_that_ended_exactly_the_grace_period_ago_stays():
    # It ends at 13:00; the grace is an hour.
    assert not moved(ONE_SESSION, "2023-06-26T14:00:00", Settings())
    assert moved(ONE_SESSION, "2023-06-26T14:00:01", Settings())


def log_of(text: str) -> list[str]:
    return text.split("== Log of Previous Conversation Hours ==")[1].strip().split("\n")


SAME_START_AS_LOGGED = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us.
* June 26, 2023 @ 12:00 UTC

== Log of Previous Conversation Hours ==
{entries}
"""


@pytest.mark.parametrize(
    "entries",
    [
        "* June 26, 2023 (12:00 UTC). Topic: Privacy hour.\n* May 1, 2023. Topic: Launch.",
        "* May 1, 2023. Topic: Launch.\n* June 26, 2023 (12:00 UTC). Topic: Privacy hour.",
    ],
    ids=["newest-first", "oldest-first"],
)
def test_a_session_that_starts_with_a_logged_one_goes_after_it(entries):
    result = transform(SAME_START_AS_LOGGED.format(entries=entries), utc("2023-07-01"), Settings())
    log = log_of(result.text)
    assert log.index("* June 26, 2023 (12:00 UTC). Topic: Copyright hour.") == (
        log.index("* June 26, 2023 (12:00 UTC). Topic: Privacy hour.") + 1
    )


def test_a_session_the_log_already_has_leaves_without_a_second_entry():
    entries = "* June 26, 2023 (12:00 UTC). Topic: Copyright hour.\n* May 1, 2023. Topic: Launch."
    result = transform(SAME_START_AS_LOGGED.format(entries=entries), utc("2023-07-01"), Settings())
    assert log_of(result.text) == entries.split("\n")
    assert "June 26, 2023 @ 12:00 UTC" not in result.text
    assert result.logged_already == ("* June 26, 2023 @ 12:00 UTC",)


YEAR_GROUPS_NEWEST_FIRST = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us.
* January 15, 2024 @ 12:00 UTC

== Log of Previous Conversation Hours ==
=== 2023 ===
* March 1, 2023. Topic: Early.
* June 1, 2023. Topic: Later.

=== 2022 ===
* October 30, 2022. Topic: Public policy priorities.
"""


def test_the_order_of_year_groups_is_told_from_two_groups():
    """The groups are newest first though the entries inside them are oldest first: the new
    year goes on top."""
    result = transform(YEAR_GROUPS_NEWEST_FIRST, utc("2024-02-01"), Settings())
    log = log_of(result.text)
    assert log.index("=== 2024 ===") < log.index("=== 2023 ===")


def test_a_tables_date_goes_in_the_column_its_header_names_wherever_it_is():
    text = ONE_SESSION.replace(
        "* October 30, 2022. Topic: Public policy priorities.",
        '{| class="wikitable"\n! Topic !! Recording !! Date\n|-\n'
        "| Public policy priorities || || October 30, 2022\n|}",
    )
    result = transform(text, utc("2023-07-01"), Settings())
    assert "| Copyright hour ||  || June 26, 2023 (12:00 UTC)" in result.text


def test_a_passcode_stays_only_when_its_own_cell_names_a_recording():
    text = ONE_SESSION.replace(
        "* June 26, 2023 @ 12:00 UTC",
        "* June 26, 2023 @ 12:00 UTC | [https://drive.google.com/file/d/1/view Recording] "
        "(password: Xy7!pq) | [https://wikimedia.zoom.us/j/1 Zoom] | Passcode: 512731",
    )
    entry = log_of(transform(text, utc("2023-07-01"), Settings()).text)[0]
    assert "512731" not in entry
    assert "(password: Xy7!pq)" in entry


def test_a_yearless_line_that_page_history_cannot_date_is_left_with_a_warning():
    text = ONE_SESSION.replace("June 26, 2023", "Monday, June 26")
    result = transform(text, utc("2023-07-01"), Settings(), {"* Monday, June 26 @ 12:00 UTC": None})
    assert not result.changed
    assert result.warnings == (
        "line 3: cannot tell from the page history when this yearless date was written; "
        "left in place",
    )


def test_a_removed_line_may_be_rewritten_only_to_its_tags(planned):
    page, decided, change = planned
    number = next(iter(change.removed))
    for rewritten in ({**change.rewritten, number: "<translate> visible"},):
        doctored = dataclasses.replace(change, rewritten=rewritten)
        with pytest.raises(Refusal, match=f"line {number} would be rewritten"):
            safety.verify(page, decided, doctored)
    kept = next(n for n in range(1, len(page.text.split("\n"))) if n not in change.removed)
    doctored = dataclasses.replace(change, rewritten={**change.rewritten, kept: "<translate>"})
    with pytest.raises(Refusal, match=f"line {kept} would be rewritten"):
        safety.verify(page, decided, doctored)
