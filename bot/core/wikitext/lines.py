"""Splits a section's text into lines and groups them the way a reader sees them.

Everything the bot edits is whole lines, because that is what editors see in a diff and what
Translate's units are made of: paragraphs, list items and headings.
"""

import bisect
from dataclasses import dataclass
from enum import StrEnum

from bot.core.wikitext.patterns import GLUE, TABLE_LINE
from bot.core.wikitext.scan import heading_parts
from bot.core.wikitext.sections import Section


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the whole page
    start: int  # offset in the page
    end: int  # offset just past the newline (or the end of the page)
    text: str  # without the newline


class Kind(StrEnum):
    BLANK = "blank"
    GLUE = "glue"  # only translate tags, unit markers or comments: invisible to readers
    ITEM = "item"
    HEADING = "heading"
    TEXT = "text"
    TABLE = "table"  # table markup: never part of a block, never removed
    HIDDEN = "hidden"  # inside a comment, nowiki or pre that spans lines: never touched


@dataclass(frozen=True)
class Chunk:
    """A paragraph, a list or a subheading: consecutive lines of one kind."""

    kind: Kind  # TEXT, ITEM or HEADING
    lines: tuple[Line, ...]

    @property
    def first(self) -> Line:
        return self.lines[0]

    @property
    def last(self) -> Line:
        return self.lines[-1]


def section_lines(text: str, section: Section) -> list[Line]:
    """The lines of a section after its heading line."""
    return lines_between(text, section.body_start, section.end, section.heading.line + 1)


def lines_between(text: str, start: int, end: int, first_number: int) -> list[Line]:
    lines = []
    number = first_number
    while start < end:
        newline = text.find("\n", start, end)
        stop = end if newline == -1 else newline + 1
        lines.append(Line(number, start, stop, text[start : stop - 1 if newline != -1 else stop]))
        start, number = stop, number + 1
    return lines


def is_glue(text: str) -> bool:
    """Whether a line holds only translate tags, unit markers and comments. Glue starts with
    "<" and ends with ">": any other line is answered without a scan of it."""
    stripped = text.strip()
    if not stripped.startswith("<") or not stripped.endswith(">"):
        return False
    return GLUE.sub("", stripped) == ""


def kind_of(text: str) -> Kind:
    if not text.strip():
        return Kind.BLANK
    if is_glue(text):
        return Kind.GLUE
    if text[0] in "*#":
        return Kind.ITEM
    if text.startswith("=") and heading_parts(text) is not None:
        return Kind.HEADING
    if TABLE_LINE.match(text):
        return Kind.TABLE
    return Kind.TEXT


def hidden_lines(lines: list[Line], opaque: list[tuple[int, int]]) -> frozenset[int]:
    """Numbers of the lines that a comment, nowiki or pre block reaches into from another line.

    A span inside one line (a unit marker, an inline comment) hides nothing: the line moves or
    stays whole. One that crosses a line break hides every line it touches, so the bot never
    takes a line out of a comment, nor leaves a comment open by moving the line that closes it.
    """
    if not lines:
        return frozenset()
    first, last = lines[0].start, lines[-1].end
    starts = [line.start for line in lines]
    hidden: set[int] = set()
    for start, end in opaque[max(bisect.bisect_left(opaque, (first, -1)) - 1, 0) :]:
        if start >= last:
            break
        if end <= first or not _crosses_line(lines, starts, start, end):
            continue
        i = max(bisect.bisect_right(starts, start) - 1, 0)
        while i < len(lines) and lines[i].start < end:
            hidden.add(lines[i].number)
            i += 1
    return frozenset(hidden)


def _crosses_line(lines: list[Line], starts: list[int], start: int, end: int) -> bool:
    i = max(bisect.bisect_right(starts, start) - 1, 0)
    line = lines[i]
    return end > line.start + len(line.text)


def chunks(
    lines: list[Line], hidden: frozenset[int] = frozenset(), *, tables: bool = False
) -> list[Chunk]:
    """Groups lines into paragraphs, lists and headings; blank, glue, table and hidden lines
    separate them and belong to none. With `tables`, a wikitable (from `{|` to its `|}`) is a
    chunk of its own, whatever lines it holds."""
    found: list[Chunk] = []
    run: list[Line] = []
    run_kind = Kind.TEXT  # the kind of the lines in `run`; meaningless while it is empty
    depth = 0  # of the wikitables open at the line
    for line in lines:
        kind = Kind.HIDDEN if line.number in hidden else kind_of(line.text)
        if (tables and kind is Kind.TABLE) or depth:
            depth += _table_depth_change(line.text) if kind is not Kind.HIDDEN else 0
            kind = Kind.TABLE if tables else kind
        if run and (kind is not run_kind or kind is Kind.HEADING):
            found.append(Chunk(run_kind, tuple(run)))
            run = []
        if kind in (Kind.BLANK, Kind.GLUE, Kind.HIDDEN) or (kind is Kind.TABLE and not tables):
            continue
        run.append(line)
        run_kind = kind
        if kind is Kind.TABLE and depth <= 0:
            found.append(Chunk(run_kind, tuple(run)))
            run, depth = [], 0
    if run:
        found.append(Chunk(run_kind, tuple(run)))
    return found


def _table_depth_change(text: str) -> int:
    stripped = text.lstrip()
    return 1 if stripped.startswith("{|") else -1 if stripped.startswith("|}") else 0
