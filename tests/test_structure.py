"""What the page's structure decides: lines inside a template or a tag are the template's, and
a subsection keeps its heading while anything of its own still lives under it."""

from bot.core.pipeline import transform
from bot.core.settings import Settings
from tests.conftest import utc

AFTER = utc("2023-07-01T00:00:00")

IN_A_TEMPLATE = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us.
{{Box|content=
* June 26, 2023 @ 12:00 UTC
}}

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""

IN_A_TAG = """\
== Upcoming Conversation Hours ==
<div class="event">
'''Copyright hour''' Join us.
* June 26, 2023 @ 12:00 UTC
</div>

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""

ON_ONE_LINE = """\
== Upcoming Conversation Hours ==
'''Copyright hour''' Join us. {{Flag|en}}
* June 26, 2023 @ 12:00 UTC <span class="zone">(UTC)</span>

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""


def test_a_timeslot_inside_a_template_parameter_is_never_cut_out_of_it():
    result = transform(IN_A_TEMPLATE, AFTER, Settings())
    assert not result.changed
    assert result.text == IN_A_TEMPLATE


def test_a_timeslot_inside_a_tag_that_spans_lines_stays():
    result = transform(IN_A_TAG, AFTER, Settings())
    assert not result.changed
    assert result.text == IN_A_TAG


def test_templates_and_tags_within_one_line_hide_nothing():
    result = transform(ON_ONE_LINE, AFTER, Settings())
    assert [s.slot.line.number for s in result.moves] == [3]


NESTED_SUBSECTION = """\
== Upcoming Conversation Hours ==
=== Copyright hour ===
* June 26, 2023 @ 12:00 UTC
==== Notes ====
Bring your questions.

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""

SIBLING_SUBSECTION = """\
== Upcoming Conversation Hours ==
=== Copyright hour ===
* June 26, 2023 @ 12:00 UTC
=== Other events ===
Bring your questions.

== Log of Previous Conversation Hours ==
* October 30, 2022. Topic: Public policy priorities.
"""


def test_a_finished_subsection_keeps_its_heading_while_a_deeper_heading_lives_under_it():
    result = transform(NESTED_SUBSECTION, AFTER, Settings())
    assert result.changed
    assert "=== Copyright hour ===\n==== Notes ====\nBring your questions." in result.text


def test_a_finished_subsection_leaves_with_its_heading_before_a_sibling_heading():
    result = transform(SIBLING_SUBSECTION, AFTER, Settings())
    assert "=== Copyright hour ===" not in result.text
    assert "=== Other events ===\nBring your questions." in result.text
