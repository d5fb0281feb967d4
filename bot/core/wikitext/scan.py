"""One linear pass over a page's structure: comments and opaque elements, heading lines, and the
templates and tags that run over several lines.

A regular expression with an unbounded scan inside it is tried again from every place it could
start, so on hostile input (`<nowiki` ten thousand times, a heading followed by empty comments)
it costs the square of the page or worse. Every scan here instead looks for short openers with
patterns of bounded length and jumps to what closes them with `str.find`, remembering when a
closer occurs nowhere further on (as MediaWiki's preprocessor does with `$noMoreClosingTag`):
each character is looked at a bounded number of times. mwparserfromhell, which is superlinear on
unclosed markup, is never run on a whole page.
"""

import re
from dataclasses import dataclass

from bot.core.wikitext.patterns import HIDING_TAGS, OPAQUE_ELEMENTS, VOID_TAGS

#: A comment or the opening of an opaque element: MediaWiki's tag names end at a space, a
#: slash or the tag's end (`<nowiki<nowiki` opens nothing).
_OPAQUE_OPENER = re.compile(
    rf"<!--|<({'|'.join(sorted(OPAQUE_ELEMENTS))})(?=[\s/>])", re.IGNORECASE
)
_CLOSERS = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in sorted(OPAQUE_ELEMENTS)}
#: What may open or close a template or tag; `[^<>\n]` keeps each try to its own line part.
_NESTING = re.compile(r"\{\{|\}\}|<(/?)([A-Za-z][A-Za-z0-9]*)(?=[\s/>])([^<>]*)>")
_HEADING_START = re.compile(r"^=", re.MULTILINE)
_BRACES = re.compile(r"\{\{|\}\}")


@dataclass(frozen=True)
class HeadingLine:
    """A heading line as written: `level` equals signs around `inner` (its wikitext)."""

    start: int  # offset of the line
    end: int  # offset just past its newline (or the end of the page)
    level: int
    inner: str


def opaque_spans(text: str) -> list[tuple[int, int]]:
    """Comments and opaque elements (nowiki, pre...) with their content, in page order.

    An unclosed comment runs to the end of the page, as in MediaWiki; an opaque element that is
    never closed is no element (its opening tag is text), and then no later one of its name can
    be closed either.
    """
    spans: list[tuple[int, int]] = []
    unclosed: set[str] = set()
    no_tag_end = False
    at = 0
    while (opener := _OPAQUE_OPENER.search(text, at)) is not None:
        if opener.group() == "<!--":
            close = text.find("-->", opener.end())
            end = len(text) if close == -1 else close + 3
            spans.append((opener.start(), end))
            at = end
            continue
        name = opener.group(1).lower()
        at = opener.end()
        if name in unclosed or no_tag_end:
            continue
        tag_end = text.find(">", at)
        if tag_end == -1:
            no_tag_end = True
            continue
        if text[tag_end - 1] == "/":  # <nowiki/>: an empty element
            at = tag_end + 1
            continue
        closer = _CLOSERS[name].search(text, tag_end + 1)
        if closer is None:
            unclosed.add(name)
            continue
        spans.append((opener.start(), closer.end()))
        at = closer.end()
    return spans


def multiline_spans(
    text: str, start: int, end: int, opaque: list[tuple[int, int]]
) -> list[tuple[int, int]]:
    """Templates and tags in text[start:end] that run over more than one line, as page offsets.

    A line inside one (`{{Box|content=\\n* June 26 ...\\n}}`, `<div>\\n...\\n</div>`) belongs to
    that template or tag, not to the section: moving it would cut the template apart. Braces
    pair up as MediaWiki pairs them, innermost first; a brace or tag left unclosed is text.
    Translate's tags and the transclusion tags are no hiding places: their content is the page's
    own text. Openers inside comments and opaque elements are not looked at.
    """
    if text.count("\n", start, end) == 0:
        return []
    braces: list[int] = []
    tags: dict[str, list[int]] = {}
    spans: list[tuple[int, int]] = []
    skip = _Skipper(opaque)
    for found in _NESTING.finditer(text, start, end):
        if skip.inside(found.start()):
            continue
        token = found.group()
        if token == "{{":
            braces.append(found.start())
        elif token == "}}":
            if braces:
                _keep_if_multiline(text, braces.pop(), found.end(), spans)
        else:
            _tag(text, found, tags, spans)
    return sorted(spans)


def brace_pairs(text: str, opaque: list[tuple[int, int]]) -> list[tuple[int, int, bool]]:
    """Every `{{...}}` of the page outside comments and opaque elements, paired as MediaWiki
    pairs them (innermost first; a brace left unclosed is text), in page order: (start, end,
    whether it stands inside another pair)."""
    open_at: list[int] = []
    pairs: list[tuple[int, int]] = []
    skip = _Skipper(opaque)
    for found in _BRACES.finditer(text):
        if skip.inside(found.start()):
            continue
        if found.group() == "{{":
            open_at.append(found.start())
        elif open_at:
            pairs.append((open_at.pop(), found.end()))
    inside: list[tuple[int, int, bool]] = []
    reach = -1  # the furthest end of the pairs that started before
    for start, end in sorted(pairs):
        inside.append((start, end, start < reach))
        reach = max(reach, end)
    return inside


def _tag(
    text: str, found: re.Match[str], tags: dict[str, list[int]], spans: list[tuple[int, int]]
) -> None:
    name = found.group(2).lower()
    if name not in HIDING_TAGS or name in VOID_TAGS:
        return
    if not found.group(1):
        if not found.group(3).endswith("/"):
            tags.setdefault(name, []).append(found.start())
    elif tags.get(name):
        _keep_if_multiline(text, tags[name].pop(), found.end(), spans)


def _keep_if_multiline(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    if text.find("\n", start, end) != -1:
        spans.append((start, end))


class _Skipper:
    """Answers "is this offset inside an opaque span?" for offsets asked in increasing order."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self._spans = spans
        self._i = 0

    def inside(self, offset: int) -> bool:
        spans = self._spans
        while self._i < len(spans) and spans[self._i][1] <= offset:
            self._i += 1
        return self._i < len(spans) and spans[self._i][0] <= offset


def heading_lines(text: str, opaque: list[tuple[int, int]]) -> list[HeadingLine]:
    """Every heading line outside comments and opaque elements, in page order."""
    found = []
    skip = _Skipper(opaque)
    for start in _HEADING_START.finditer(text):
        if skip.inside(start.start()):
            continue
        newline = text.find("\n", start.start())
        stop = len(text) if newline == -1 else newline
        parts = heading_parts(text[start.start() : stop])
        if parts is not None:
            end = stop + 1 if newline != -1 else stop
            found.append(HeadingLine(start.start(), end, *parts))
    return found


def heading_parts(line: str) -> tuple[int, str] | None:
    """The level and inner wikitext of a heading line, or None when the line is no heading.

    As MediaWiki reads one: equals signs at both ends, the fewer of them the level (at most 6),
    the rest of them part of the title; spaces and comments (Translate's unit marker among
    them) may follow the closing ones.
    """
    if not line.startswith("="):
        return None
    body = _without_trailing_comments(line)
    if body.count("=") == len(body):  # equals signs only: "==" is no heading, "=====" is
        level = min((len(body) - 1) // 2, 6)
        return (level, body[level:-level]) if level else None
    level = min(_run(body, range(7)), _run(body, range(-1, -8, -1)), 6)
    if level == 0:
        return None
    return level, body[level : len(body) - level]


def _run(body: str, places: range) -> int:
    """How many of the places (at most 7, counted from one end) hold an equals sign in a row:
    the level never needs more, and a long line is never copied to tell."""
    count = 0
    for place in places:
        if -len(body) <= place < len(body) and body[place] == "=":
            count += 1
        else:
            break
    return count


def _without_trailing_comments(line: str) -> str:
    """The line without the spaces and whole comments at its end; each step scans only what it
    removes, so a line of a thousand comments costs its length."""
    end = _before_spaces(line, len(line))
    while line.endswith("-->", 0, end):
        opened = line.rfind("<!--", 0, end - 3)
        if opened == -1 or line.find("-->", opened + 4, end) != end - 3:
            break
        end = _before_spaces(line, opened)
    return line[:end]


def _before_spaces(line: str, end: int) -> int:
    while end and line[end - 1] in " \t":
        end -= 1
    return end
