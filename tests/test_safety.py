"""The safety net fires on every kind of change the plan does not account for."""

import dataclasses

import pytest

from bot.core.change import edit, safety
from bot.core.change.plan import plan
from bot.core.change.render import Renderer
from bot.core.page.reader import read_page
from bot.core.settings import Settings
from bot.errors import Refusal
from tests.conftest import WRITTEN, utc

STANDING = "There are no more regularly upcoming conversation hours."


@pytest.fixture
def planned(meta_page):
    settings = Settings()
    page = read_page(meta_page, settings)
    decided = plan(page.blocks, utc("2023-07-01T00:00:00"), settings, {}, WRITTEN)
    change = edit.build(page, decided, Renderer(settings.templates_dir))
    return page, decided, change


def test_the_bots_own_change_passes(planned):
    safety.verify(*planned)


def test_a_lost_line_is_refused(planned):
    page, decided, change = planned
    standing = next(line for line in change.text.split("\n") if line.startswith(STANDING))
    doctored = dataclasses.replace(change, text=change.text.replace(standing + "\n", ""))
    with pytest.raises(Refusal, match="would be lost or altered"):
        safety.verify(page, decided, doctored)


def test_an_altered_line_is_refused(planned):
    page, decided, change = planned
    doctored = dataclasses.replace(change, text=change.text.replace(STANDING, "Edited."))
    with pytest.raises(Refusal, match="safety check"):
        safety.verify(page, decided, doctored)


def test_an_undeclared_new_line_is_refused(planned):
    page, decided, change = planned
    doctored = dataclasses.replace(change, text=change.text + "\nspam\n")
    with pytest.raises(Refusal, match="not accounted for: 'spam'"):
        safety.verify(page, decided, doctored)


def test_a_removal_whose_reason_does_not_fit_is_refused(planned):
    page, decided, change = planned
    standing = next(
        n for n, line in enumerate(page.text.split("\n"), 1) if line.startswith(STANDING)
    )
    doctored = dataclasses.replace(change, removed={**change.removed, standing: "blank"})
    with pytest.raises(Refusal, match=f"line {standing} would be removed as 'blank'"):
        safety.verify(page, decided, doctored)


def test_a_removal_outside_upcoming_is_refused(planned):
    page, decided, change = planned
    doctored = dataclasses.replace(change, removed={**change.removed, 1: "tag"})
    with pytest.raises(Refusal, match="line 1 would be removed"):
        safety.verify(page, decided, doctored)


def test_a_silently_dropped_marker_is_refused(planned):
    page, decided, change = planned
    doctored = dataclasses.replace(change, dropped_units=("23",))
    with pytest.raises(Refusal, match=r"<!--T:26--> would be lost"):
        safety.verify(page, decided, doctored)


def with_declared_line(change, line):
    """The change with one more line at the end, declared, so only the marker checks object."""
    return dataclasses.replace(
        change, text=change.text + line + "\n", inserted=(*change.inserted, line)
    )


def test_a_duplicated_marker_is_refused(planned):
    page, decided, change = planned
    doctored = with_declared_line(change, "* <translate><!--T:30--> copy</translate>")
    with pytest.raises(Refusal, match=r"<!--T:30--> would be duplicated"):
        safety.verify(page, decided, doctored)


def test_an_invented_marker_is_refused(planned):
    page, decided, change = planned
    doctored = with_declared_line(change, "* <translate><!--T:99--> new</translate>")
    with pytest.raises(Refusal, match=r"<!--T:99--> would be invented"):
        safety.verify(page, decided, doctored)


def test_invalid_translate_markup_is_refused(planned):
    page, decided, change = planned
    doctored = with_declared_line(change, "<translate>")
    with pytest.raises(Refusal, match="would make Translate markup invalid"):
        safety.verify(page, decided, doctored)


def test_a_move_without_its_log_entry_is_refused(planned):
    page, decided, change = planned
    doctored = dataclasses.replace(change, entries=change.entries[:1])
    with pytest.raises(Refusal, match="2 sessions to move but 1 log entries"):
        safety.verify(page, decided, doctored)


# --- nothing becomes live, nothing is written inside a node -----------------------------------


def doctored_entry(change, entry: str, replacement: str):
    """The change with one of its log entries rewritten, declared as such."""
    assert entry in change.text
    inserted = tuple(replacement if line == entry else line for line in change.inserted)
    return dataclasses.replace(
        change, text=change.text.replace(entry, replacement, 1), inserted=inserted
    )


@pytest.mark.parametrize(
    "payload",
    [
        "~~~~",
        "{{subst:User:X/payload}}",
        "[[Category:Spam]]",
        "__NOINDEX__",
        "{{Spam}}",
        "[https://spam.example spam]",
        "<ref>spam</ref>",
    ],
)
def test_an_entry_that_makes_markup_live_is_refused(planned, payload):
    page, decided, change = planned
    entry = change.entries[0]
    doctored = doctored_entry(change, entry, f"{entry} {payload}")
    with pytest.raises(Refusal, match=r"would make .* live"):
        safety.verify(page, decided, doctored)


def test_markup_the_moved_slot_held_live_may_travel_with_it(planned):
    """The slot's own link arrives in its entry: it was live already."""
    page, decided, change = planned
    entry = change.entries[0]
    link = "[https://wikimedia.zoom.us/j/87082260165 Zoom]"
    safety.verify(page, decided, doctored_entry(change, entry, f"{entry} {link}"))


def test_a_new_line_inside_a_comment_that_spans_lines_is_refused():
    text = (
        "== Upcoming Conversation Hours ==\n'''Copyright call'''\n"
        "* June 26, 2023 @ 12:00 UTC | [https://wikimedia.zoom.us/j/1 Zoom]\n\n"
        "== Log of Previous Conversation Hours ==\n<!-- older entries:\n"
        "* May 1, 2023. Topic: Old.\n-->\n* June 1, 2023. Topic: Launch.\n"
    )
    settings = Settings()
    page = read_page(text, settings)
    decided = plan(page.blocks, utc("2023-07-01T00:00:00"), settings, {}, utc("2023-06-10"))
    change = edit.build(page, decided, Renderer(settings.templates_dir))
    safety.verify(page, decided, change)
    entry = change.entries[0]
    moved_inside = change.text.replace(entry + "\n", "").replace(
        "* May 1, 2023", entry + "\n* May 1, 2023"
    )
    with pytest.raises(Refusal, match="inside the template, tag or comment that opens on line 6"):
        safety.verify(page, decided, dataclasses.replace(change, text=moved_inside))


def test_a_new_line_that_leaves_a_comment_open_is_refused(planned):
    page, decided, change = planned
    entry = change.entries[0]
    with pytest.raises(Refusal, match="leaves markup open"):
        safety.verify(page, decided, doctored_entry(change, entry, f"{entry} <!-- note"))
