"""bot.translate against Translate's own parser corpus, the real Meta page, and a port of
Translate's parser for random pages."""

import contextlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.wikitext.translate_markup import Block, TranslateError, markers, parse, validate
from tests.conftest import FIXTURES, META

PTFILES = sorted((FIXTURES / "ptfiles").glob("*.ptfile"))
TIMESLOT_24 = (
    "* <translate><!--T:24--> Monday, June 26 @ 12:00 UTC"
    " | [https://wikimedia.zoom.us/j/87082260165 Zoom] | Meeting ID: 870 8226 0165</translate>"
)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def line_of(text: str, needle: str) -> int:
    return text[: text.index(needle)].count("\n") + 1


def rejection(text: str) -> TranslateError:
    with pytest.raises(TranslateError) as caught:
        validate(text)
    return caught.value


def renumbered(page: str, first: int) -> str:
    """The page with its markers numbered from `first`, so copies of it can share a page."""
    numbers = iter(range(first, first + 1000))
    return re.sub(r"<!--T:\d+-->", lambda _: f"<!--T:{next(numbers)}-->", page)


# Translate's parser corpus


@pytest.mark.parametrize(
    "path", [p for p in PTFILES if p.name.startswith("Fail")], ids=lambda p: p.stem
)
def test_translate_corpus_failures_are_rejected(path: Path) -> None:
    with pytest.raises(TranslateError):
        validate(read(path))


@pytest.mark.parametrize(
    "path", [p for p in PTFILES if not p.name.startswith("Fail")], ids=lambda p: p.stem
)
def test_translate_corpus_successes_are_accepted(path: Path) -> None:
    validate(read(path))


@pytest.mark.parametrize(
    "path", [p for p in PTFILES if p.with_suffix(".ptsource").exists()], ids=lambda p: p.stem
)
def test_units_are_those_translate_marks_in_ptsource(path: Path) -> None:
    source = read(path.with_suffix(".ptsource"))
    units = parse(read(path)).units
    marked = parse(source).units

    spans = [unit.marker_span for unit in marked]

    assert [unit.content for unit in units] == [unit.content for unit in marked]
    assert [span and source[span[0] : span[1]] for span in spans] == re.findall(
        r"<!--T:[^>]*-->", source
    )


def test_nowiki_only_page_has_no_units() -> None:
    assert parse(read(FIXTURES / "ptfiles" / "NowikiOnly.ptfile")).units == ()


def test_old_tvar_syntax_stays_in_unit_content() -> None:
    (unit,) = parse(read(FIXTURES / "ptfiles" / "Variables.ptfile")).units

    assert unit.content.startswith("Today we have {{PLURAL:<tvar|1>666</>|one cat|$1 cats}}.")
    assert unit.content.endswith("There is a <tvar| }[]#<33|>cat</> $ }[]#<33| here.")


# The real page


def test_meta_page_is_valid() -> None:
    validate(META)


def test_meta_page_markers_are_1_to_39_in_order() -> None:
    assert markers(META) == [str(n) for n in range(1, 40)]


def test_meta_page_units_carry_markers_1_to_39_in_order() -> None:
    assert [unit.marker for unit in parse(META).units] == [str(n) for n in range(1, 40)]


def test_inline_timeslot_is_one_unit_with_its_marker() -> None:
    (unit,) = parse(TIMESLOT_24).units

    assert unit.marker == "24"
    assert unit.content == TIMESLOT_24[TIMESLOT_24.index("Monday") : -len("</translate>")]


def test_inline_timeslot_unit_spans_marker_to_closing_tag() -> None:
    unit = next(unit for unit in parse(META).units if unit.marker == "24")
    line_start = META.index(TIMESLOT_24)

    assert unit.start == unit.marker_span[0] == line_start + TIMESLOT_24.index("<!--T:24-->")
    assert unit.end == line_start + len(TIMESLOT_24) - len("</translate>")


def test_heading_unit_has_its_marker_after_the_heading() -> None:
    heading = "== Upcoming Conversation Hours == <!--T:22-->"
    unit = next(unit for unit in parse(META).units if unit.marker == "22")

    assert unit.content == "== Upcoming Conversation Hours =="
    assert unit.start == META.index(heading)
    assert META[slice(*unit.marker_span)] == "<!--T:22-->"


def test_paragraph_unit_runs_from_its_marker_to_the_empty_line() -> None:
    unit = next(unit for unit in parse(META).units if unit.marker == "23")

    assert unit.content.startswith("'''Ad-hoc conversation hour on the Global Digital Compact'''")
    assert unit.content.endswith("the sustainable development goals.")
    assert META[unit.end :].startswith("\n</translate>")


def test_blocks_give_tag_and_content_offsets() -> None:
    markup = parse(META)
    start = META.index(TIMESLOT_24) + len("* ")
    end = META.index("\n", start)

    assert Block(start, end, start + len("<translate>"), end - len("</translate>")) in markup.blocks
    assert len(markup.blocks) == META.count("<translate>")


# Errors and where they point


def test_error_reads_as_line_and_reason() -> None:
    error = TranslateError("unclosed <translate>", 10, 3)

    assert str(error) == "line 3: unclosed <translate>"
    assert isinstance(error, ValueError)


def test_unclosed_translate_names_the_line_of_its_opening_tag() -> None:
    last_close = META.rindex("</translate>")
    page = META[:last_close] + META[last_close + len("</translate>") :]

    error = rejection(page)

    assert error.reason == "unclosed <translate>"
    assert error.offset == page.index("<translate>\n<!--T:39-->")
    assert error.line == line_of(page, "<translate>\n<!--T:39-->")


def test_nested_translate_points_at_the_inner_tag() -> None:
    page = META.replace("<!--T:12--> You want", "<translate><!--T:12--> You want")

    error = rejection(page)

    assert error.offset == page.index("<translate><!--T:12-->")
    assert error.line == line_of(page, "<!--T:12-->")


def test_stray_closing_tag_points_at_itself() -> None:
    page = META.replace("{{Global Advocacy/Header}}", "{{Global Advocacy/Header}}</translate>")

    error = rejection(page)

    assert error.reason == "</translate> without a <translate> before it"
    assert error.line == 2


def test_duplicate_marker_is_reported_where_it_is_used_again() -> None:
    page = META.replace("<!--T:25-->", "<!--T:24-->")

    error = rejection(page)

    assert error.reason == "duplicate marker <!--T:24-->"
    assert error.offset == page.index("<!--T:24-->", page.index("<!--T:24-->") + 1)
    assert error.line == line_of(page, "Friday, June 30")


def test_marker_in_mid_paragraph_is_rejected_where_it_is() -> None:
    page = META.replace("<!--T:10-->\nThe purpose of", "The purpose <!--T:10--> of")

    error = rejection(page)

    assert error.offset == page.index("<!--T:10-->")
    assert error.line == line_of(page, "The purpose <!--T:10-->")
    assert "<!--T:10-->" in error.reason


def test_two_markers_in_one_unit_point_at_the_second() -> None:
    page = META.replace("video call.\n\n<!--T:10-->", "video call.\n<!--T:10-->")

    error = rejection(page)

    assert error.offset == page.index("<!--T:10-->")
    assert "<!--T:9-->" in error.reason


def test_marker_without_content_is_rejected() -> None:
    page = "<translate>\nText.\n\n<!--T:7-->\n</translate>\n"

    error = rejection(page)

    assert error.offset == page.index("<!--T:7-->")
    assert error.line == 4


def test_marker_glued_to_its_text_is_rejected() -> None:
    assert rejection("<translate><!--T:1-->text</translate>").offset == len("<translate>")


def test_marker_at_end_of_a_paragraph_line_is_rejected() -> None:
    rejection("<translate>\nSome text. <!--T:1-->\nMore text.\n</translate>")


def test_heading_marker_must_be_on_the_first_line() -> None:
    rejection("<translate>\n<!--T:1-->\nText.\n== Heading == <!--T:2-->\n</translate>")


def test_marker_id_with_invalid_characters_is_rejected() -> None:
    assert "<!--T:a/b-->" in rejection("<translate><!--T:a/b--> Text.</translate>").reason


def test_unit_marker_inside_nowiki_is_rejected() -> None:
    rejection("<translate>\n<nowiki>\n<!--T:1-->\n</nowiki>\n</translate>")


def test_translate_tag_spelled_differently_is_rejected() -> None:
    error = rejection("Intro.\n<Translate>\nText.\n</Translate>\n")

    assert error.line == 2


def test_nested_nowiki_in_a_translated_page_is_rejected() -> None:
    rejection("<nowiki>a</nowiki><nowiki>b<nowiki>a</nowiki>\n<translate>x</translate>")


def test_block_closing_an_element_opened_outside_it_is_rejected() -> None:
    page = read(FIXTURES / "ptfiles" / "FailNotAtomic.ptfile")

    error = rejection(page)

    assert error.offset == page.index("</div>")
    assert error.line == 4


def test_block_leaving_an_element_open_is_rejected() -> None:
    error = rejection("<translate>\n<div>\nText.\n</translate>\n</div>")

    assert error.line == 2


# What is allowed


def test_page_without_translate_markup_has_no_blocks_or_units() -> None:
    markup = parse("== Title ==\n<!--T:3--> Text.\n\n<div>open\n")

    assert markup.blocks == ()
    assert markup.units == ()


def test_new_unit_marker_leaves_the_unit_unnumbered() -> None:
    (unit,) = parse("<translate><!--T:-1--> Text.</translate>").units

    assert unit.marker is None
    assert unit.marker_span == (len("<translate>"), len("<translate><!--T:-1-->"))
    assert unit.content == "Text."


def test_units_split_only_at_an_empty_line() -> None:
    markup = parse("<translate>\nOne\n \nstill one\n\nTwo\n</translate>")

    assert [unit.content for unit in markup.units] == ["One\n \nstill one", "Two"]


def test_nowrap_block_is_a_block() -> None:
    (unit,) = parse("<translate nowrap><!--T:5--> Text.</translate>").units

    assert unit.marker == "5"


def test_translate_tags_inside_nowiki_are_text() -> None:
    markup = parse("<nowiki></translate></nowiki> and <nowiki><translate nowrap></nowiki>")

    assert markup.blocks == ()


def test_tvar_elements_in_units_are_accepted() -> None:
    page = '<translate><!--T:1--> Pass <tvar name="pw">g.5</tvar> and <tvar|x>y</>.</translate>'

    assert parse(page).units[0].content == 'Pass <tvar name="pw">g.5</tvar> and <tvar|x>y</>.'


def test_element_content_that_is_not_wikitext_is_not_matched() -> None:
    validate("<translate>\n<pre><div></pre>\n<!-- </span> -->\n<nowiki></b></nowiki>\n</translate>")


def test_void_and_self_closing_elements_need_no_closing_tag() -> None:
    validate("<translate>\nA<br>b<br />c<hr/><references/>\n* <li>item\n</translate>")


# markers()


def test_markers_ignore_markers_outside_blocks() -> None:
    assert markers("<!--T:5--> Text.\n<translate><!--T:6--> More.</translate>") == ["6"]


def test_markers_ignore_markers_inside_nowiki() -> None:
    assert markers("<translate>\n<!--T:1-->\nA <nowiki><!--T:2--></nowiki>\n</translate>") == ["1"]


def test_markers_keep_duplicates() -> None:
    assert markers(META.replace("<!--T:25-->", "<!--T:24-->")).count("24") == 2


def test_markers_leave_out_new_unit_markers() -> None:
    assert markers("<translate><!--T:-1--> A</translate><translate><!--T:2--> B</translate>") == [
        "2"
    ]


def test_markers_read_an_unclosed_page_without_raising() -> None:
    assert markers("<translate><!--T:1--> A</translate>\n<translate>\n<!--T:2-->\nB") == ["1"]


# Size and hostile input (timings are measured by scripts/bench, never asserted here)


def test_a_two_megabyte_page_validates() -> None:
    page = "".join(renumbered(META, 1000 * n) for n in range(250))
    assert len(page) > 2_000_000
    validate(page)


@pytest.mark.parametrize(
    "page",
    [
        "<translate>" + "<!--T:" * 200_000 + "</translate>",
        "<translate>x" + " " * 1_000_000 + "\n\n" + " " * 1_000_000 + "y</translate>",
        "<translate>" + "<!--<" * 200_000 + "</translate>",
        "<nowiki>" * 200_000,
        "<translate" * 200_000,
        "<translate>" + "<pre>" * 200_000 + "</translate>",
    ],
    ids=["marker-openers", "long-blank", "comment-openers", "nowiki", "tag-starts", "opaque"],
)
def test_a_hostile_page_raises_only_translate_errors(page: str) -> None:
    with contextlib.suppress(TranslateError):
        validate(page)
    markers(page)


# Agreement with Translate on random pages


class RejectedByTranslate(Exception):
    pass


SPACE = r"[ \t\n\r\f\v]"  # PCRE's \s without /u


def translate_parse(text: str) -> list[tuple[str, str]]:
    """A literal port of TranslatablePageParser::parse, parseSection and parseUnit (Translate
    2020.08 and later), string rewriting and all: (unit id, unit text) in page order."""
    nowiki: dict[str, str] = {}
    while match := re.search(r"<nowiki>.*?</nowiki>", text, re.DOTALL):
        placeholder = f"\x7fNOWIKI{len(nowiki)}\x7f"
        nowiki[placeholder] = match[0]
        text = text.replace(match[0], placeholder)

    def unarmour(text: str) -> str:
        for placeholder, original in nowiki.items():
            text = text.replace(placeholder, original)
        return text

    units: list[tuple[str, str]] = []
    while match := re.search(r"(<translate(?: nowrap)?>)(.*?)</translate>", text, re.DOTALL):
        text = text[: match.start()] + "\x7fBLOCK\x7f" + text[match.end() :]
        if re.search(r"<translate( nowrap)?>", match[2]):
            raise RejectedByTranslate("pt-parse-nested")
        units += translate_parse_section(unarmour(match[2]))
    if re.search(r"<translate( nowrap)?>", text):
        raise RejectedByTranslate("pt-parse-open")
    if "</translate>" in text:
        raise RejectedByTranslate("pt-parse-close")
    return units


def translate_parse_section(text: str) -> list[tuple[str, str]]:
    parts = re.split(rf"(^{SPACE}*|{SPACE}*\n\n{SPACE}*|{SPACE}*$)", text)
    return [translate_parse_unit(part) for part in parts if part.strip(" \t\n\r\0\x0b")]


def translate_parse_unit(content: str) -> tuple[str, str]:
    found = re.findall(r"<!--T:(.*?)-->", content)
    if len(found) > 1:
        raise RejectedByTranslate("pt-shake-multiple")
    if not found:
        return "-1", content
    content = re.sub(r"^<!--T:(.*?)-->( |\n)", "", content)
    content = re.sub(rf"{SPACE}*<!--T:(.*?)-->$", "", content, flags=re.MULTILINE)
    if re.search(r"<!--T:(.*?)-->", content):
        raise RejectedByTranslate("pt-shake-position")
    if not content.strip(" \t\n\r\0\x0b"):
        raise RejectedByTranslate("pt-shake-empty")
    return found[0], content


#: What goes between <translate> tags: markers, well and badly placed, blank lines, headings,
#: <nowiki>, <tvar> and elements.
INSIDE = [
    "<!--T:1-->",
    "<!--T:2-->",
    "<!--T:3-->",
    "<!--T:-1-->",
    "<!--T:",
    "-->",
    "<!--",
    "\n",
    "\n\n",
    "\n \n",
    " ",
    "\t",
    "Text",
    "== Heading ==",
    "=",
    "<nowiki>",
    "</nowiki>",
    "<nowiki><translate></nowiki>",
    "<nowiki>\n\n</nowiki>",
    "<nowiki><!--T:4--></nowiki>",
    '<tvar name="x">v</tvar>',
    "<tvar|y>v</>",
    "<br />",
    "<div>",
    "</div>",
]
OUTSIDE = ["Text", "\n", "\n\n", " ", "<!--T:5-->", "<nowiki></translate></nowiki>", "<div>"]
#: Tags on their own, to make unbalanced and nested blocks.
LOOSE = ["<translate>", "</translate>", "<translate nowrap>", "<Translate>", "<nowiki>"]

blocks = st.builds(
    "{}{}</translate>".format,
    st.sampled_from(["<translate>", "<translate nowrap>"]),
    st.lists(st.sampled_from(INSIDE), max_size=14).map("".join),
)
between = st.lists(st.sampled_from(OUTSIDE), max_size=4).map("".join)
pages = st.lists(st.one_of(blocks, between, st.sampled_from(LOOSE)), max_size=6).map("".join)


@given(pages)
def test_validate_raises_nothing_but_translate_error(page: str) -> None:
    with contextlib.suppress(TranslateError):
        validate(page)


@settings(max_examples=500)
@given(pages)
def test_accepted_pages_are_read_as_translate_reads_them(page: str) -> None:
    try:
        ours = parse(page).units
    except TranslateError:
        return
    assert translate_parse(page) == [(unit.marker or "-1", unit.content) for unit in ours]


@settings(max_examples=500)
@given(pages)
def test_pages_translate_rejects_are_rejected(page: str) -> None:
    try:
        translate_parse(page)
    except RejectedByTranslate:
        with pytest.raises(TranslateError):
            validate(page)


@given(pages)
def test_markers_of_a_valid_page_are_its_units_markers(page: str) -> None:
    try:
        units = parse(page).units
    except TranslateError:
        return
    assert markers(page) == [unit.marker for unit in units if unit.marker is not None]
