"""The whole job on real pages: what moves, where it lands, and what stays byte for byte."""

import pytest

from bot.core.pipeline import transform
from bot.core.settings import Settings
from bot.core.wikitext import translate_markup as translate
from bot.errors import Refusal
from tests.conftest import WRITTEN, page, utc

JUNE_26 = "* <translate><!--T:24--> Monday, June 26 @ 12:00 UTC"
JUNE_30 = "* <translate><!--T:25--> Friday, June 30 @ 16:00 UTC"
JUNE_26_LOGGED = (
    "* <translate><!--T:24--> June 26, 2023 (12:00 UTC). "
    "Topic: Ad-hoc conversation hour on the Global Digital Compact.</translate>"
)
JUNE_30_LOGGED = (
    "* <translate><!--T:25--> June 30, 2023 (16:00 UTC). "
    "Topic: Ad-hoc conversation hour on the Global Digital Compact.</translate>"
)


def lines(text: str) -> list[str]:
    return text.split("\n")


def test_nothing_moves_before_the_first_session(meta_page):
    result = transform(meta_page, utc("2023-06-20T00:00:00"), default_written_at=WRITTEN)
    assert not result.changed
    assert result.text == meta_page
    assert result.summary == ""


def test_a_running_session_stays_during_the_grace_period(meta_page):
    result = transform(meta_page, utc("2023-06-26T13:30:00"), default_written_at=WRITTEN)
    assert not result.changed


def test_a_session_moves_once_the_grace_period_is_over(meta_page):
    result = transform(meta_page, utc("2023-06-26T14:00:01"), default_written_at=WRITTEN)
    assert [s.slot.line.text[: len(JUNE_26)] for s in result.moves] == [JUNE_26]


def test_between_the_sessions_only_the_first_moves(meta_page):
    result = transform(meta_page, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    new = lines(result.text)
    assert not any(line.startswith(JUNE_26) for line in new)
    assert any(line.startswith(JUNE_30) for line in new)
    assert "'''Ad-hoc conversation hour on the Global Digital Compact''' Join" in result.text


def test_a_moved_session_lands_at_the_top_of_the_log_in_the_logs_style(meta_page):
    result = transform(meta_page, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    new = lines(result.text)
    at = new.index(JUNE_26_LOGGED)
    assert new[at - 1] == "</translate>"
    assert new[at + 1].startswith("* <translate><!--T:30--> October 30, 2022.")


def test_the_diff_shows_only_the_moved_line(meta_page):
    result = transform(meta_page, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    old, new = lines(meta_page), lines(result.text)
    assert [line for line in old if line not in new] == [result.moves[0].slot.line.text]
    assert [line for line in new if line not in old] == [JUNE_26_LOGGED]


def test_join_details_are_not_carried_into_the_log(meta_page):
    result = transform(meta_page, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    log = result.text[result.text.index("== Log of Previous") :]
    assert "zoom.us" not in log
    assert "Meeting ID" not in log


def test_after_both_sessions_the_whole_block_leaves_upcoming(meta_page):
    result = transform(meta_page, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)
    upcoming = result.text[
        result.text.index("== Upcoming") : result.text.index("== Log of Previous")
    ]
    assert upcoming == (
        "== Upcoming Conversation Hours == <!--T:22-->\n\n<!--T:27-->\n"
        + lines(meta_page)[63]
        + "\n\n"
    )


def test_the_retired_block_is_reported_with_its_paragraphs(meta_page):
    result = transform(meta_page, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)
    assert [text[:40] for text in result.dropped_paragraphs] == [
        "'''Ad-hoc conversation hour on the Globa",
        "'''About the Global Digital Compact:'''<",
    ]


def test_the_standing_text_of_upcoming_stays(meta_page):
    result = transform(meta_page, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)
    assert "There are no more regularly upcoming conversation hours." in result.text
    assert result.warnings == ()


def test_two_moved_sessions_are_logged_newest_first(meta_page):
    result = transform(meta_page, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)
    new = lines(result.text)
    assert new.index(JUNE_30_LOGGED) + 1 == new.index(JUNE_26_LOGGED)


def test_the_summary_names_the_moved_dates(meta_page):
    result = transform(meta_page, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)
    assert result.summary == (
        "Bot: moved 2 past conversation hours to the log (June 26, 2023; June 30, 2023)"
    )


def test_the_summary_of_one_session_is_singular(meta_page):
    result = transform(meta_page, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    assert result.summary == "Bot: moved 1 past conversation hour to the log (June 26, 2023)"


def test_units_are_reported_as_moved_changed_and_retired(meta_page):
    result = transform(meta_page, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)
    assert result.as_json()["units"] == {
        "moved": ["24", "25"],
        "changed": ["24", "25"],
        "retired": ["23", "26"],
    }


def test_the_output_is_valid_translate_markup(meta_page):
    result = transform(meta_page, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)
    translate.validate(result.text)


@pytest.mark.parametrize("now", ["2023-06-20", "2023-06-28", "2023-07-01", "2024-01-01"])
def test_a_run_on_its_own_output_changes_nothing(meta_page, now):
    first = transform(meta_page, utc(now), default_written_at=WRITTEN)
    second = transform(first.text, utc(now), default_written_at=WRITTEN)
    assert not second.changed
    assert second.text == first.text


def test_without_a_writing_moment_now_dates_the_yearless_lines(meta_page):
    result = transform(meta_page, utc("2023-07-01T00:00:00"))
    assert [s.start.isoformat() for s in result.moves] == [
        "2023-06-26T12:00:00+00:00",
        "2023-06-30T16:00:00+00:00",
    ]


def test_yearless_dates_written_long_ago_are_not_guessed_from_today(meta_page):
    result = transform(meta_page, utc("2026-11-24T00:00:00"))
    assert not result.changed
    assert len(result.warnings) == 2
    assert all("left in place" in w for w in result.warnings)


def test_a_line_dated_from_page_history_overrides_the_default(meta_page):
    june_26 = next(line for line in lines(meta_page) if line.startswith(JUNE_26))
    result = transform(
        meta_page,
        utc("2026-11-24T00:00:00"),
        written_at={june_26: WRITTEN},
    )
    assert [s.start.isoformat() for s in result.moves] == ["2023-06-26T12:00:00+00:00"]


# --- other shapes of page ------------------------------------------------------------------


def test_a_page_without_translate_markup_gets_plain_entries():
    result = transform(page("plain"), utc("2023-06-28T00:00:00"))
    new = lines(result.text)
    at = new.index("* June 26, 2023 (12:00 UTC). Topic: June conversation hour.")
    assert new[at - 1] == "== Log of Previous Conversation Hours =="


def test_a_time_range_is_logged_with_its_end():
    result = transform(page("plain"), utc("2023-07-10T00:00:00"))
    assert "* June 30, 2023 (16:00-17:30 UTC). Topic: June conversation hour." in result.text


def test_a_block_without_translate_markup_retires_whole():
    result = transform(page("plain"), utc("2023-07-10T00:00:00"))
    assert "'''June conversation hour'''" not in result.text
    assert "There are no more regularly upcoming conversation hours." in result.text
    assert result.dropped_paragraphs == (
        "'''June conversation hour''' Join us to talk about copyright.",
    )


def test_a_list_that_is_one_unit_changes_that_unit():
    result = transform(page("one-unit-per-list"), utc("2023-07-06T00:00:00"))
    assert "<!--T:3-->\n* July 7, 2023 (16:00 UTC)\n" in result.text
    assert result.changed_units == ("3", "5")
    assert result.dropped_units == ()


def test_an_emptied_list_unit_loses_its_marker():
    result = transform(page("one-unit-per-list"), utc("2023-07-10T00:00:00"))
    assert "<!--T:3-->" not in result.text
    assert "<!--T:2-->" not in result.text
    assert result.dropped_units == ("2", "3")
    translate.validate(result.text)


def test_an_emptied_upcoming_section_gets_the_placeholder():
    result = transform(page("one-unit-per-list"), utc("2023-07-10T00:00:00"))
    assert result.placeholder
    assert (
        "== Upcoming Conversation Hours == <!--T:1-->\n\n"
        "No conversation hours are scheduled at the moment. "
        "Past sessions are listed in the log below.\n\n"
        "== Log of Previous Conversation Hours =="
    ) in result.text


def test_entries_written_into_a_list_unit_carry_no_marker():
    result = transform(page("one-unit-per-list"), utc("2023-07-10T00:00:00"))
    assert "<!--T:5-->\n* July 7, 2023 (16:00 UTC). Topic: July conversation hour.\n" in (
        result.text
    )


def test_a_subheading_block_leaves_with_its_heading():
    result = transform(page("subsections"), utc("2023-06-28T00:00:00"))
    assert "=== Copyright session ===" not in result.text
    assert "=== AI session ===" in result.text


def test_a_block_titled_by_its_subheading_logs_that_title():
    result = transform(page("subsections"), utc("2023-06-28T00:00:00"))
    assert "* June 26, 2023 (12:00 UTC). Topic: Copyright session." in result.text


def test_a_zone_name_is_converted_to_utc_in_the_log():
    result = transform(page("subsections"), utc("2023-10-01T00:00:00"))
    assert "* September 14, 2023 (12:00 UTC). Topic: Artificial intelligence" in result.text


def test_a_moved_entry_lands_at_its_chronological_place_not_the_top():
    result = transform(page("subsections"), utc("2023-10-01T00:00:00"))
    log = lines(result.text[result.text.index("=== 2023 ===") :])
    assert log[1:5] == [
        "* September 14, 2023 (12:00 UTC). Topic: Artificial intelligence and free knowledge.",
        "* June 27, 2023 (8:00 UTC). Topic: Copyright session.",
        "* June 26, 2023 (12:00 UTC). Topic: Copyright session.",
        "* June 1, 2023 (12:00 UTC). Topic: Launch.",
    ]


# --- refusals ------------------------------------------------------------------------------


def test_a_page_without_upcoming_is_refused(meta_page):
    broken = meta_page.replace("== Upcoming Conversation Hours ==", "== Soon ==")
    with pytest.raises(Refusal, match="no section titled 'Upcoming Conversation Hours'"):
        transform(broken, utc("2023-07-01T00:00:00"))


def test_an_unclosed_translate_tag_is_refused_naming_its_line(meta_page):
    broken = meta_page.replace("</translate>\n\n[[Category", "\n\n[[Category")
    with pytest.raises(Refusal) as refusal:
        transform(broken, utc("2023-07-01T00:00:00"))
    assert "Translate markup is invalid" in str(refusal.value)
    assert refusal.value.line is not None


def test_two_upcoming_sections_are_refused(meta_page):
    doubled = meta_page + "\n== Upcoming Conversation Hours ==\n* June 1, 2023\n"
    with pytest.raises(Refusal, match="2 sections titled"):
        transform(doubled, utc("2023-07-01T00:00:00"))


def test_a_subheading_with_a_unit_marker_titles_its_block_without_the_marker():
    text = page("subsections").replace(
        "=== Copyright session ===", "=== Copyright session === <!--T:40-->"
    )
    result = transform(text, utc("2023-06-28T00:00:00"))
    assert "* June 26, 2023 (12:00 UTC). Topic: Copyright session." in result.text


# --- what a moved slot carries --------------------------------------------------------------

ZOOM_SUB_BULLETS = (
    "\n** Zoom: [https://wikimedia.zoom.us/j/87082260165 Join]\n** Passcode: 512731"
    "\n** [https://commons.wikimedia.org/wiki/File:GDC_call.webm Recording]"
)


def with_lines_under_june_26(meta_page: str, extra: str) -> str:
    at = meta_page.index("\n", meta_page.index(JUNE_26))
    return meta_page[:at] + extra + meta_page[at:]


def test_sub_bullets_of_a_moved_slot_leave_with_it(meta_page):
    text = with_lines_under_june_26(meta_page, ZOOM_SUB_BULLETS)
    result = transform(text, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    upcoming = result.text[result.text.index("== Upcoming") : result.text.index("== Log of")]
    assert "**" not in upcoming
    assert JUNE_30 in upcoming


def test_a_moved_slot_carries_its_recording_but_not_its_passcode(meta_page):
    text = with_lines_under_june_26(meta_page, ZOOM_SUB_BULLETS)
    result = transform(text, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    assert JUNE_26_LOGGED.replace(
        ".</translate>",
        ". [https://commons.wikimedia.org/wiki/File:GDC_call.webm Recording].</translate>",
    ) in lines(result.text)
    assert "512731" not in result.text


def test_a_slot_marked_cancelled_is_logged_as_cancelled(meta_page):
    text = meta_page.replace(JUNE_26, JUNE_26 + " '''Cancelled'''")
    result = transform(text, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    assert JUNE_26_LOGGED.replace("(12:00 UTC).", "(12:00 UTC) (cancelled).") in lines(result.text)


def test_the_template_receives_every_part_of_the_slot(meta_page, tmp_path):
    (tmp_path / "log_entry.wikitext.j2").write_text(
        "{{ sessions | length }}|{{ status }}|{{ topic | wikitext }}|{{ own_text }}|"
        "{% for note in notes %}{{ note }}{% endfor %}"
    )
    text = with_lines_under_june_26(meta_page, ZOOM_SUB_BULLETS).replace(
        JUNE_26, JUNE_26 + " and 17:00 UTC, with [[User:Example|Example]]"
    )
    result = transform(
        text,
        utc("2023-06-28T00:00:00"),
        Settings(templates_dir=tmp_path),
        default_written_at=WRITTEN,
    )
    assert (
        "* <translate><!--T:24--> 2||Ad-hoc conversation hour on the Global Digital Compact|"
        "with [[User:Example|Example]]|"
        "[https://commons.wikimedia.org/wiki/File:GDC_call.webm Recording]</translate>"
    ) in lines(result.text)
