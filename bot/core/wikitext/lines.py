"""Splits a section's text into lines and groups them the way a reader sees them.

Everything the bot edits is whole lines, because that is what editors see in a diff and what
Translate's units are made of: paragraphs, list items and headings.
"""

import bisect
import re
from dataclasses import dataclass
from enum import Enum

import mwparserfromhell
from mwparserfromhell.nodes import Tag, Template
from mwparserfromhell.wikicode import Wikicode

from bot.core.wikitext.patterns import GLUE, HEADING_LINE
from bot.core.wikitext.sections import Section


@dataclass(frozen=True)
class Line:
    number: int  # 1-based, in the whole page
    start: int  # offset in the page
    end: int  # offset just past the newline (or the end of the page)
    text: str  # without the newline


class Kind(Enum):
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


_TABLE = re.compile(r"^\s*(?:\{\||\|\}|\|-|\||!)")


#: An opening tag that could hide lines: not Translate's own, not a comment, not a void element.
_OPENING_TAG = r"<(?!/|translate\b|tvar\b|!--|br\b|hr\b|wbr\b)([A-Za-z]\w*)[^>\n]*(?<!/)>"
#: A line that may open a template or a tag that runs over lines; without one, nothing is parsed.
_MAY_NEST = re.compile(rf"^.*(?:\{{\{{|{_OPENING_TAG}).*$", re.M)


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
    return GLUE.sub("", text) == "" and text.strip() != ""


def kind_of(text: str) -> Kind:
    if not text.strip():
        return Kind.BLANK
    if is_glue(text):
        return Kind.GLUE
    if text[0] in "*#":
        return Kind.ITEM
    if HEADING_LINE.match(text):
        return Kind.HEADING
    if _TABLE.match(text):
        return Kind.TABLE
    return Kind.TEXT


def nested_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Templates and tags that run over several lines, in text[start:end], as page offsets.

    A line inside one (`{{Box|content=\n* June 26 ...\n}}`, `<div>\n...\n</div>`) is part of
    that template or tag, not a line of the section: moving it would cut the template apart.
    mwparserfromhell knows where they end; it only runs on a section that may hold one, so a
    long log of plain entries costs nothing. Translate's own tags are not hiding places: their
    content is the section's text. Tables are left to the line kinds (Kind.TABLE).
    """
    if not any(_opens_more_than_it_closes(m.group()) for m in _MAY_NEST.finditer(text, start, end)):
        return []
    spans: list[tuple[int, int]] = []
    _collect_nested(mwparserfromhell.parse(text[start:end], skip_style_tags=True), start, spans)
    return spans


def _opens_more_than_it_closes(line: str) -> bool:
    """Whether a line leaves a template or a tag open (`{{Box|content=`, `<div>`)."""
    if line.count("{{") > line.count("}}"):
        return True
    opened = re.findall(_OPENING_TAG, line)
    return any(line.lower().count(f"</{name.lower()}") < opened.count(name) for name in opened)


def _collect_nested(code: Wikicode, offset: int, spans: list[tuple[int, int]]) -> None:
    for node in code.nodes:
        written = str(node)
        if isinstance(node, Tag) and str(node.tag).lower() == "translate" and node.contents:
            inner = str(node.contents)
            _collect_nested(node.contents, offset + written.index(inner), spans)
        elif isinstance(node, Template | Tag) and "\n" in written and not _is_table(node):
            spans.append((offset, offset + len(written)))
        offset += len(written)


def _is_table(node: object) -> bool:
    return isinstance(node, Tag) and node.wiki_markup == "{|"


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
    for start, end in opaque[bisect.bisect_left(opaque, (first, -1)) - 1 if opaque else 0 :]:
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


def chunks(lines: list[Line], hidden: frozenset[int] = frozenset()) -> list[Chunk]:
    """Groups lines into paragraphs, lists and headings; blank, glue, table and hidden lines
    separate them and belong to none."""
    found: list[Chunk] = []
    run: list[Line] = []
    run_kind = Kind.TEXT  # the kind of the lines in `run`; meaningless while it is empty
    for line in lines:
        kind = Kind.HIDDEN if line.number in hidden else kind_of(line.text)
        if run and (kind is not run_kind or kind is Kind.HEADING):
            found.append(Chunk(run_kind, tuple(run)))
            run = []
        if kind in (Kind.BLANK, Kind.GLUE, Kind.TABLE, Kind.HIDDEN):
            continue
        run.append(line)
        run_kind = kind
    if run:
        found.append(Chunk(run_kind, tuple(run)))
    return found
