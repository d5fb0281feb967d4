"""Reads a page's wikitext into what the bot works with; refuses a page it does not understand."""

from bot.core.page.calls import calls
from bot.core.page.model import LogPage, Page
from bot.core.page.slots import names_date, names_date_anywhere
from bot.core.page.upcoming import read_blocks
from bot.core.settings import Settings
from bot.core.wikitext import translate_markup as translate
from bot.core.wikitext.lines import (
    Chunk,
    Line,
    chunks,
    hidden_lines,
    lines_between,
    section_lines,
)
from bot.core.wikitext.patterns import LIST_PREFIX
from bot.core.wikitext.pieces import Unreadable
from bot.core.wikitext.scan import multiline_spans
from bot.core.wikitext.sections import Section, find_section, headings, opaque_spans
from bot.errors import Refusal


def read_page(text: str, settings: Settings) -> Page:
    markup = _markup(text)
    opaque = opaque_spans(text)
    all_headings = headings(text, opaque)
    upcoming = find_section(text, all_headings, settings.upcoming_headings)
    log = find_section(text, all_headings, settings.log_headings)
    upcoming, log = _apart(upcoming, log), _apart(log, upcoming)
    heading_line = lines_between(
        text, upcoming.heading.start, upcoming.heading.end, upcoming.heading.line
    )[0]
    upcoming_lines = section_lines(text, upcoming)
    hiding = _hiding(text, upcoming, opaque)
    hidden = hidden_lines(upcoming_lines, hiding)
    log_lines = section_lines(text, log)
    log_templates = frozenset(call.key for call in calls(log_lines))
    blocks, warnings = read_blocks(
        upcoming_lines, hidden, markup.units, heading_line, settings, log_templates
    )
    warnings = [*_hidden_sessions(text, upcoming, hiding), *warnings]
    log_chunks, log_hiding = _log_side(text, log, log_lines, opaque)
    return Page(
        text=text,
        markup=markup,
        log=log,
        log_chunks=log_chunks,
        spans=tuple(sorted({*hiding, *log_hiding})),
        upcoming=upcoming,
        upcoming_heading=heading_line,
        upcoming_lines=upcoming_lines,
        hidden=hidden,
        blocks=blocks,
        warnings=warnings,
    )


def read_log_page(text: str, settings: Settings) -> LogPage:
    """A page read for its log alone: an archive, whose log receives a page's entries. It has
    no "Upcoming" to read, and one under that title is just more text above or below its log."""
    markup = _markup(text)
    opaque = opaque_spans(text)
    log = find_section(text, headings(text, opaque), settings.log_headings)
    log_chunks, log_hiding = _log_side(text, log, section_lines(text, log), opaque)
    spans = tuple(sorted(set(log_hiding)))
    return LogPage(text=text, markup=markup, log=log, log_chunks=log_chunks, spans=spans)


def _log_side(
    text: str, log: Section, log_lines: list[Line], opaque: list[tuple[int, int]]
) -> tuple[list[Chunk], list[tuple[int, int]]]:
    """The log's chunks, and the spans in it nothing may be written inside: read one way for a
    page and for an archive, whose log receives entries as the page's own would."""
    hiding = _hiding(text, log, opaque)
    return chunks(log_lines, hidden_lines(log_lines, hiding)), hiding


def _markup(text: str) -> translate.Markup:
    try:
        return translate.parse(text)
    except translate.TranslateError as error:
        raise Refusal(f"Translate markup is invalid: {error.reason}", error.line) from None


def _apart(section: Section, other: Section) -> Section:
    """Ends a section where the other one starts, so that a log nested under "Upcoming"
    (or the reverse) is never read as part of it."""
    if section.heading.start < other.heading.start < section.end:
        return Section(section.heading, other.heading.start)
    return section


def _hidden_sessions(text: str, section: Section, spans: list[tuple[int, int]]) -> list[str]:
    """Warnings for lines the bot leaves because a template, tag or comment runs over them and
    something on them names a date: a session written as a template over several lines, a
    slot whose comment runs on to the next line. A comment that is whole lines of its own (a
    slot an editor commented out) is left without a word."""
    warnings = []
    for start, end in spans:
        if not (section.body_start <= start < section.end) or "\n" not in text[start:end]:
            continue
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        whole = (
            text[line_start:start].strip() == ""
            and text[end : line_end if line_end != -1 else len(text)].strip() == ""
        )
        if whole and text.startswith("<!--", start):
            continue
        if text.startswith("<!--", start):
            try:
                dated = names_date(LIST_PREFIX.sub("", text[line_start:start].strip(), count=1))
            except Unreadable:
                dated = True
        else:
            dated = names_date_anywhere(text[line_start:end])
        if dated:
            number = text.count("\n", 0, start) + 1
            warnings.append(
                f"line {number}: a template, tag or comment runs from this line over the next; "
                "the bot never cuts one apart; left in place"
            )
    return warnings


def _hiding(text: str, section: Section, opaque: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Everything that hides lines of a section: comments and the like, and templates or tags
    that run over several lines, in page order."""
    return sorted([*opaque, *multiline_spans(text, section.body_start, section.end, opaque)])
