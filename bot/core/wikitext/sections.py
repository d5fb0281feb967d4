"""Finds the page's headings and the two sections the bot works on.

A cheap scan over the whole page (a regular expression, with comments, nowiki and pre blocks
masked out) instead of a full mwparserfromhell parse: on a 2 MB page a full parse costs about a
second, while only two sections matter. Heading titles themselves go through mwparserfromhell.
"""

import bisect
import re
from dataclasses import dataclass

import mwparserfromhell

from bot.core.wikitext.patterns import HEADING_LINE, OPAQUE_SPAN
from bot.errors import Refusal


@dataclass(frozen=True)
class Heading:
    level: int
    title: str  # as a reader sees it: markup stripped, whitespace collapsed
    start: int  # offset of the heading line
    end: int  # offset just past the heading line's newline
    line: int  # 1-based line number


@dataclass(frozen=True)
class Section:
    heading: Heading
    end: int  # offset where the next heading of the same or a higher level starts

    @property
    def body_start(self) -> int:
        return self.heading.end


def opaque_spans(text: str) -> list[tuple[int, int]]:
    """Comments, nowiki, pre and the like: text readers never see as markup, in page order."""
    return [(m.start(), m.end()) for m in OPAQUE_SPAN.finditer(text)]


def headings(text: str, opaque: list[tuple[int, int]] | None = None) -> list[Heading]:
    """Every real heading of the page, in order; headings inside comments or nowiki don't count."""
    opaque = opaque_spans(text) if opaque is None else opaque
    starts = [start for start, _ in opaque]
    found = []
    line, counted_to = 1, 0
    for match in HEADING_LINE.finditer(text):
        if _inside(match.start(), opaque, starts):
            continue
        line += text.count("\n", counted_to, match.start())
        counted_to = match.start()
        found.append(_heading(text, match, line))
    return found


def _inside(offset: int, spans: list[tuple[int, int]], starts: list[int]) -> bool:
    i = bisect.bisect_right(starts, offset) - 1
    return i >= 0 and spans[i][0] < offset < spans[i][1]


def _heading(text: str, match: re.Match[str], line: int) -> Heading:
    level, title = _level_and_title(match)
    end = match.end() + 1 if match.end() < len(text) else match.end()
    return Heading(level, title, match.start(), end, line)


def _level_and_title(match: re.Match[str]) -> tuple[int, str]:
    opening, inner, closing = match.group(1), match.group(2), match.group(3)
    level = min(len(opening), len(closing))
    # As MediaWiki does: unbalanced equals signs belong to the title.
    inner = "=" * (len(opening) - level) + inner + "=" * (len(closing) - level)
    return level, plain_title(inner)


def heading_title(line: str) -> str | None:
    """The title of a heading line as readers see it; None when the line is no heading."""
    match = HEADING_LINE.match(line)
    return _level_and_title(match)[1] if match else None


def heading_level(line: str) -> int | None:
    """The level of a heading line (2 for `== Log ==`); None when the line is no heading."""
    match = HEADING_LINE.match(line)
    return _level_and_title(match)[0] if match else None


def plain_title(wikitext: str) -> str:
    """The title as readers see it, so `== <translate>Log</translate> ==` matches "Log"."""
    stripped = mwparserfromhell.parse(wikitext).strip_code(normalize=True, collapse=True)
    return " ".join(stripped.split())


def _same_title(title: str, names: tuple[str, ...]) -> bool:
    wanted = {" ".join(name.split()).casefold() for name in names}
    return title.casefold() in wanted


def find_section(text: str, all_headings: list[Heading], names: tuple[str, ...]) -> Section:
    """The one section titled by one of `names`; refuses when it is missing or not unique."""
    matches = [i for i, h in enumerate(all_headings) if _same_title(h.title, names)]
    if not matches:
        raise Refusal(f"no section titled {' or '.join(repr(n) for n in names)}")
    if len(matches) > 1:
        lines = ", ".join(str(all_headings[i].line) for i in matches)
        raise Refusal(
            f"{len(matches)} sections titled {all_headings[matches[0]].title!r} (lines {lines})",
            all_headings[matches[1]].line,
        )
    i = matches[0]
    heading = all_headings[i]
    end = next((h.start for h in all_headings[i + 1 :] if h.level <= heading.level), len(text))
    return Section(heading, end)
