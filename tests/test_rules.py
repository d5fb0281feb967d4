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
