"""Reads a page's wikitext into what the bot works with; refuses a page it does not understand."""

from bot.core.page.log import read_entries
from bot.core.page.model import Page
from bot.core.page.upcoming import read_blocks
from bot.core.settings import Settings
from bot.core.wikitext import translate_markup as translate
from bot.core.wikitext.lines import chunks, hidden_lines, lines_between, section_lines
from bot.core.wikitext.scan import multiline_spans
from bot.core.wikitext.sections import Section, find_section, headings, opaque_spans
from bot.errors import Refusal


def read_page(text: str, settings: Settings) -> Page:
    try:
        markup = translate.parse(text)
    except translate.TranslateError as error:
        raise Refusal(f"Translate markup is invalid: {error.reason}", error.line) from None
    opaque = opaque_spans(text)
    all_headings = headings(text, opaque)
    upcoming = find_section(text, all_headings, settings.upcoming_headings)
    log = find_section(text, all_headings, settings.log_headings)
    upcoming, log = _apart(upcoming, log), _apart(log, upcoming)
    heading_line = lines_between(
        text, upcoming.heading.start, upcoming.heading.end, upcoming.heading.line
    )[0]
    upcoming_lines = section_lines(text, upcoming)
    hidden = hidden_lines(upcoming_lines, _hiding(text, upcoming, opaque))
    blocks, warnings = read_blocks(upcoming_lines, hidden, markup.units, heading_line, settings)
    log_lines = section_lines(text, log)
    log_chunks = chunks(log_lines, hidden_lines(log_lines, _hiding(text, log, opaque)))
    return Page(
        text,
        markup,
        upcoming,
        heading_line,
        upcoming_lines,
        hidden,
        blocks,
        log,
        log_chunks,
        read_entries(log_chunks),
        warnings,
    )


def _apart(section: Section, other: Section) -> Section:
    """Ends a section where the other one starts, so that a log nested under "Upcoming"
    (or the reverse) is never read as part of it."""
    if section.heading.start < other.heading.start < section.end:
        return Section(section.heading, other.heading.start)
    return section


def _hiding(text: str, section: Section, opaque: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Everything that hides lines of a section: comments and the like, and templates or tags
    that run over several lines, in page order."""
    return sorted([*opaque, *multiline_spans(text, section.body_start, section.end, opaque)])
