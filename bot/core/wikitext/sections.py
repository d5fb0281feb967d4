"""Finds the page's headings and the two sections the bot works on.

A linear scan over the whole page (bot.core.wikitext.scan, with comments, nowiki and pre blocks
masked out) instead of a full mwparserfromhell parse: on a 2 MB page a full parse costs about a
second, while only two sections matter. Heading titles themselves go through mwparserfromhell,
within its bounds.
"""

import re
from dataclasses import dataclass

from bot.core.wikitext import pieces, scan
from bot.errors import Refusal

#: Markup stripped from a title too long or too marked-up for mwparserfromhell: such a heading
#: names no section an operator configured, but it must not stop the page from being read.
_ROUGH_LENGTH = 500
_ROUGH_MARKUP = re.compile(r"<[^<>\n]{0,200}>|\[\[|\]\]|'{2,}")


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
    return scan.opaque_spans(text)


def headings(text: str, opaque: list[tuple[int, int]] | None = None) -> list[Heading]:
    """Every real heading of the page, in order; headings inside comments or nowiki don't count."""
    opaque = opaque_spans(text) if opaque is None else opaque
    found = []
    line, counted_to = 1, 0
    for heading in scan.heading_lines(text, opaque):
        line += text.count("\n", counted_to, heading.start)
        counted_to = heading.start
        title = plain_title(heading.inner)
        found.append(Heading(heading.level, title, heading.start, heading.end, line))
    return found


def heading_title(line: str) -> str | None:
    """The title of a heading line as readers see it; None when the line is no heading."""
    parts = scan.heading_parts(line)
    return plain_title(parts[1]) if parts else None


def heading_level(line: str) -> int | None:
    """The level of a heading line (2 for `== Log ==`); None when the line is no heading."""
    parts = scan.heading_parts(line)
    return parts[0] if parts else None


def plain_title(wikitext: str) -> str:
    """The title as readers see it, so `== <translate>Log</translate> ==` matches "Log"."""
    try:
        return pieces.plain_text(wikitext)
    except pieces.Unreadable:  # such a title names no configured section: a rough one will do
        return " ".join(_ROUGH_MARKUP.sub("", wikitext[:_ROUGH_LENGTH]).split())


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
