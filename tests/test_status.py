"""The status page, offline: what editors read about each page the bot keeps."""

from datetime import UTC, datetime

from bot.core.optin import Mode
from bot.core.pipeline import transform
from bot.core.report.status import (
    LeftLine,
    PageStatus,
    left_lines,
    needs_edit,
    page_text,
    render_section,
)
from bot.ops.config import Target
from bot.wiki import flow
from bot.wiki.translation_flow import Report, Status
from tests.conftest import META, WRITTEN, utc

CET = META.replace("Friday, June 30 @ 16:00 UTC", "Friday, June 30 @ 16:00 CET")
PASS = datetime(2026, 11, 24, 7, 0, tzinfo=UTC)
TITLE = "Global Advocacy/Conversation hours and Events"


def status(**changes) -> PageStatus:
    return PageStatus(
        **{"site": "meta:meta", "title": TITLE, "outcome": "unchanged", "last_pass": PASS} | changes
    )


def test_a_line_left_names_its_reason_and_links_its_section():
    left = left_lines(CET, ["line 56: '16:00 CET': write UTC instead; left in place"])
    assert left == (
        LeftLine(
            56,
            "'16:00 CET': write UTC instead; left in place",
            "Upcoming Conversation Hours",
            "Friday, June 30 @ 16:00 CET | Zoom | Meeting ID: 876 0059 3…",
        ),
    )
    section = render_section(status(left=left))
    assert (
        f"** [[{TITLE}#Upcoming Conversation Hours|Upcoming Conversation Hours]]: "
        '"Friday, June 30 @ 16:00 CET &#124; Zoom &#124; Meeting ID: 876 0059 3…": '
        "'16:00 CET': write UTC instead; left in place\n" in section
    )


def test_a_line_left_is_shown_by_its_text_not_its_number():
    # Line numbers shift with any edit above the line; a status page showing them would change
    # after every edit of the bot's own.
    lines = CET.split("\n")
    moved_up = "\n".join(lines[:54] + lines[55:])  # line 55 gone: line 56 is now 55
    before = render_section(status(left=left_lines(CET, ["line 56: left in place"])))
    after = render_section(status(left=left_lines(moved_up, ["line 55: left in place"])))
    assert before == after


def test_a_warning_without_a_line_is_listed_as_it_is():
    assert left_lines(META, ["something odd"]) == (LeftLine(None, "something odd", None),)
    assert "** something odd\n" in render_section(status(left=left_lines(META, ["something odd"])))


def test_a_section_says_none_where_there_is_nothing_to_say():
    assert render_section(status()) == (
        f"== [[{TITLE}]] ==\n"
        "* Last pass: 2026-11-24 07:00 UTC\n"
        "* Last edit: none recorded\n"
        "* Lines left: none\n"
        "* Translation work pending: none\n"
    )


def test_a_refusal_is_shown_with_its_reason():
    section = render_section(status(outcome="refused", problem="no section titled 'Upcoming'"))
    assert section.endswith("* '''Not done''': no section titled 'Upcoming'\n")


def test_values_cannot_inject_markup():
    section = render_section(status(problem="[[Category:Spam]] {{delete}}"))
    assert "[[Category" not in section and "{{delete" not in section


def test_pending_translation_work_is_listed_when_there_is_some():
    section = render_section(status(pending=("units 24, 25 outdated",)))
    assert "* Translation work pending: units 24, 25 outdated\n" in section


def test_only_a_newer_timestamp_needs_no_edit():
    old = page_text([render_section(status())])
    new = page_text([render_section(status(last_pass=datetime(2026, 11, 24, 8, tzinfo=UTC)))])
    assert old != new
    assert not needs_edit(old, new)


def test_a_new_edit_needs_an_edit():
    old = page_text([render_section(status())])
    edited = status(last_edit=PASS, moved=("26 June 2023",))
    assert needs_edit(old, page_text([render_section(edited)]))


def test_a_new_line_left_needs_an_edit():
    old = page_text([render_section(status())])
    left = status(left=(LeftLine(56, "left in place", None),))
    assert needs_edit(old, page_text([render_section(left)]))


def test_the_last_edit_says_when_and_what_it_moved():
    section = render_section(status(last_edit=PASS, moved=("26 June 2023", "30 June 2023")))
    assert "* Last edit: 2026-11-24 07:00 UTC, moved 26 June 2023, 30 June 2023\n" in section


def test_a_missing_page_needs_an_edit():
    assert needs_edit(None, page_text([render_section(status())]))


def test_the_page_holds_one_section_per_page_in_order():
    text = page_text([render_section(status(title="A")), render_section(status(title="B"))])
    assert text.index("== [[A]] ==") < text.index("== [[B]] ==")


def test_an_edit_shows_what_it_moved_and_what_was_left():
    result = transform(CET, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    outcome = flow.Outcome(Target(title=TITLE), flow.Ending.EDITED, "saved", result, 7, source=CET)
    page = flow.page_status(outcome, PASS, PASS, flow.moved(result))
    assert page.moved == ("June 26, 2023 (Ad-hoc conversation hour on the Global Digital Compact)",)
    assert [line.number for line in page.left] == [56]
    assert page.problem is None


def test_a_quiet_pass_after_an_edit_still_shows_that_edit():
    result = transform(META, utc("2023-06-01T00:00:00"))
    outcome = flow.Outcome(
        Target(title=TITLE), flow.Ending.UNCHANGED, "nothing to move", result, source=META
    )
    earlier = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)
    page = flow.page_status(outcome, PASS, earlier, ["26 June 2023"])
    assert (page.last_edit, page.moved) == (earlier, ("26 June 2023",))


def test_a_failure_is_the_problem():
    outcome = flow.Outcome(Target(title=TITLE), flow.Ending.FAILED, "the wiki is read-only")
    page = flow.page_status(outcome, PASS, None, ())
    assert (page.moved, page.left, page.problem) == ((), (), "the wiki is read-only")


def test_a_refusal_is_the_problem_too():
    outcome = flow.Outcome(Target(title=TITLE), flow.Ending.REFUSED, "no section titled 'Upcoming'")
    assert flow.page_status(outcome, PASS, None, ()).problem == "no section titled 'Upcoming'"


def test_a_page_the_bot_never_edited_has_no_last_edit():
    outcome = flow.Outcome(Target(title=TITLE), flow.Ending.DRY_RUN, "would save")
    page = flow.page_status(outcome, PASS, None, ["ignored"])
    assert (page.last_edit, page.moved) == (None, ())


def test_translation_work_left_for_people_is_listed_as_pending():
    report = Report(Status.NEEDS_MARKING, left={"fr": {"25": "the translation's date disagrees"}})
    outcome = flow.Outcome(Target(title=TITLE), flow.Ending.EDITED, "saved", translations=report)
    assert flow.page_status(outcome, PASS, PASS, ()).pending == (
        "needs marking",
        "fr: unit 25 left (the translation's date disagrees)",
    )


def test_translations_all_written_leave_nothing_pending():
    outcome = flow.Outcome(
        Target(title=TITLE), flow.Ending.EDITED, "saved", translations=Report(Status.DONE)
    )
    assert flow.page_status(outcome, PASS, PASS, ()).pending == ()


# --- opted-in pages ----------------------------------------------------------------------------


def preview_outcome() -> flow.Outcome:
    result = transform(META, utc("2023-06-28T00:00:00"), default_written_at=utc("2023-06-10"))
    message = flow.PREVIEW + "Bot: moved 1 past conversation hour to the log (June 26, 2023)"
    target = Target(title=TITLE, mode=Mode.PREVIEW)
    return flow.Outcome(target, flow.Ending.PREVIEW, message, result, source=META)


def test_a_preview_lists_the_lines_that_would_move_where_and_the_summary():
    page = flow.page_status(preview_outcome(), PASS, None, ())
    assert page.preview == ("Monday, June 26 @ 12:00 UTC | Zoom | Meeting ID: 870 8226 0…",)
    assert page.preview_to == "Log of Previous Conversation Hours"
    assert page.summary == "Bot: moved 1 past conversation hour to the log (June 26, 2023)"


def test_a_preview_is_shown_in_the_section_with_a_link_to_the_log():
    section = render_section(flow.page_status(preview_outcome(), PASS, None, ()))
    assert (
        "* Preview (the page's template says mode = preview; nothing was edited): would move to "
        f"[[{TITLE}#Log of Previous Conversation Hours|Log of Previous Conversation Hours]]\n"
        '** "Monday, June 26 @ 12:00 UTC &#124; Zoom &#124; Meeting ID: 870 8226 0…"\n'
        "** Summary: Bot: moved 1 past conversation hour to the log (June 26, 2023)"
    ) in section


def test_a_page_that_is_no_preview_shows_none():
    result = transform(META, utc("2023-06-28T00:00:00"), default_written_at=utc("2023-06-10"))
    outcome = flow.Outcome(Target(title=TITLE), flow.Ending.DRY_RUN, "would", result, source=META)
    assert flow.page_status(outcome, PASS, None, ()).preview == ()


def test_a_page_held_at_its_cap_says_why():
    outcome = flow.Outcome(Target(title=TITLE), flow.Ending.HELD, "held: the cap is reached")
    assert flow.page_status(outcome, PASS, None, ()).problem == "held: the cap is reached"


def test_a_note_on_the_pages_settings_comes_first():
    target = Target(title=TITLE, note="configured in the operator's file")
    outcome = flow.Outcome(target, flow.Ending.UNCHANGED, "nothing to move")
    section = render_section(flow.page_status(outcome, PASS, None, ()))
    assert section.startswith(f"== [[{TITLE}]] ==\n* Note: configured in the operator's file\n")
