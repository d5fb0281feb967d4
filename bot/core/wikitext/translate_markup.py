"""Translate's page-translation markup: the <translate> blocks of a page and their units.

Follows TranslatablePageParser::parse() of the Translate extension (nowiki armouring, leftmost
<translate>...</translate> pairing, units split at blank lines, parseUnit's marker rules), so the
bot never saves a page that Translate would refuse to mark for translation. On top of that it
refuses what Translate only catches when the page is marked (duplicate or invalid unit ids,
TranslatablePageMarker::validateUnitNames) or never checks (a block that is not atomic, a marker
that Translate would accept in a place it never writes one itself).

Everything is offsets into the page text and compiled patterns: pages reach megabytes and are
checked before every save.
"""

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass

from bot.core.wikitext.patterns import ANY_TRANSLATE_TAG, OPAQUE_ELEMENTS

#: TranslationUnit::NEW_UNIT_ID: the marker Translate gives a unit before it has numbered it.
NEW_UNIT_ID = "-1"

#: PCRE's \s: Translate's patterns run without the /u flag, so no Unicode spaces count.
_SPACE = " \t\n\r\f\v"
_SPACES = re.compile(r"[ \t\n\r\f\v]*")

#: Anything MediaWiki takes for a translate tag; Translate itself knows only the three below.
_CLOSING_TAG = "</translate>"
_TAGS_TRANSLATE_KNOWS = frozenset({"<translate>", "<translate nowrap>", _CLOSING_TAG})

#: Translate's '~<!--T:(.*?)-->~': the id runs to the first '-->' on the same line. The second
#: branch swallows the rest of the line after an opener that has no '-->' on it (no later opener
#: on that line has one either), so that a line full of unclosed openers stays linear. Only
#: matches with an id are markers.
_MARKER = re.compile(r"<!--T:(?:(.*?)-->|.*)")

#: TranslationUnit::UNIT_MARKER_INVALID_CHARS, less the newline a marker cannot hold anyway.
_INVALID_ID_CHARS = frozenset("_/<>")

#: A tag, or a comment that hides one (other comments, markers among them, cannot). The name is
#: checked against the sets below afterwards: an alternation of names is many times slower.
_ELEMENT = re.compile(
    r"<(?:!--(?:(?!-->)[^<])*<.*?(?:-->|\Z)"
    r"|(?P<closing>/?)(?P<name>[A-Za-z][A-Za-z0-9]*)(?=[\s/>])[^<>]*>)",
    re.DOTALL,
)
#: Opaque elements but nowiki, which is armoured on its own first, as Translate does.
_OPAQUE = OPAQUE_ELEMENTS - {"nowiki"}
# fmt: off
#: Elements that must be closed where they are opened: MediaWiki's Sanitizer and common tags.
_PAIRED = frozenset({
    "abbr", "b", "bdi", "bdo", "big", "blockquote", "caption", "center", "cite", "code", "data",
    "del", "dfn", "div", "dl", "em", "font", "h1", "h2", "h3", "h4", "h5", "h6", "i", "ins",
    "kbd", "mark", "ol", "q", "rb", "rp", "rt", "rtc", "ruby", "s", "samp", "small", "span",
    "strike", "strong", "sub", "sup", "table", "time", "tt", "u", "ul", "var",
    "ref", "references", "poem", "tvar", "includeonly", "noinclude", "onlyinclude", "indicator",
})
#: Elements HTML lets go unclosed; a stray closing tag of one is still out of place.
_OPTIONAL_END = frozenset({"li", "dt", "dd", "p", "tr", "td", "th"})
# fmt: on
_OPAQUE_END = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in _OPAQUE}
_CHECKED = _OPAQUE | _PAIRED | _OPTIONAL_END


class TranslateError(ValueError):
    """Translate would reject the page; the line is there because an editor has to find the spot."""

    reason: str
    offset: int
    line: int

    def __init__(self, reason: str, offset: int, line: int) -> None:
        super().__init__(f"line {line}: {reason}")
        self.reason = reason
        self.offset = offset
        self.line = line

    @classmethod
    def at(cls, text: str, offset: int, reason: str) -> "TranslateError":
        """Counts the line only when there is an error, so that valid pages cost nothing."""
        return cls(reason, offset, text.count("\n", 0, offset) + 1)


@dataclass(frozen=True)
class Unit:
    """One translation unit: the source text of every Translations:<page>/<marker>/<language>."""

    marker: str | None  # "24" for <!--T:24-->; None while Translate has not numbered the unit
    start: int  # offset of the unit's first character in the page text, marker included
    end: int  # offset just past the unit's last character
    marker_span: tuple[int, int] | None  # offsets of the "<!--T:24-->" text itself
    content: str  # the text as Translate stores it: marker removed, trimmed as Translate trims


@dataclass(frozen=True)
class Block:
    """One <translate>...</translate> region; the page text outside blocks is not translated."""

    start: int  # offset of "<translate"
    end: int  # offset just past "</translate>"
    inner_start: int  # just past the opening tag
    inner_end: int  # offset of "</translate>"


@dataclass(frozen=True)
class Markup:
    blocks: tuple[Block, ...]
    units: tuple[Unit, ...]


@dataclass(frozen=True)
class _Spans:
    """Sorted, disjoint [start, end) ranges, looked up by bisection instead of rescanning."""

    starts: list[int]
    ends: list[int]

    def end_of(self, offset: int) -> int | None:
        """Where the range holding `offset` ends, so a scan can jump past it."""
        i = bisect_right(self.starts, offset) - 1
        return self.ends[i] if i >= 0 and offset < self.ends[i] else None


def parse(text: str) -> Markup:
    """Blocks and units in page order; raises TranslateError at the first problem."""
    nowiki = _nowiki(text)
    blocks: list[Block] = []
    units: list[Unit] = []
    first_use: dict[str, int] = {}
    if nowiki.starts and ANY_TRANSLATE_TAG.search(text) is not None:
        _check_nowiki_nesting(text, nowiki)
    # Translate reads a block's units before it looks for the next block, and so do we, so
    # that the first problem reported is the one Translate would report.
    for block in _blocks(text, _translate_tags(text, nowiki, strict=True)):
        for unit in _block_units(text, block, nowiki):
            _check_unique(text, unit, first_use)
            units.append(unit)
        _check_atomic(text, block, nowiki)
        blocks.append(block)
    return Markup(tuple(blocks), tuple(units))


def validate(text: str) -> None:
    """For callers that only need to know the page is safe to save."""
    parse(text)


def markers(text: str) -> list[str]:
    """Unit marker ids in page order, duplicates kept; never raises.

    Meant for checking that an edit keeps every marker, which has to work on broken pages too,
    so blocks are paired as leniently as Translate's own regex pairs them (first <translate> to
    the next </translate>). <!--T:-1--> is left out: it is not an id yet.
    """
    nowiki = _nowiki(text)
    found: list[str] = []
    opened: re.Match[str] | None = None
    for tag in _translate_tags(text, nowiki, strict=False):
        if tag[0] != _CLOSING_TAG:
            opened = opened or tag
        elif opened is not None:
            found += (
                marker[1]
                for marker in _MARKER.finditer(text, opened.end(), tag.start())
                if marker[1] not in (None, NEW_UNIT_ID) and nowiki.end_of(marker.start()) is None
            )
            opened = None
    return found


def _nowiki(text: str) -> _Spans:
    """TranslatablePageParser::armourNowiki: <nowiki> to the next </nowiki>, exact spelling.

    An unclosed <nowiki> hides nothing, and then no later one can be closed either.
    """
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    while (start := text.find("<nowiki>", pos)) != -1:
        close = text.find("</nowiki>", start + len("<nowiki>"))
        if close == -1:
            break
        pos = close + len("</nowiki>")
        starts.append(start)
        ends.append(pos)
    return _Spans(starts, ends)


def _check_nowiki_nesting(text: str, nowiki: _Spans) -> None:
    """armourNowiki hides every copy of a <nowiki> section at once (str_replace), which reads the
    page differently from MediaWiki only when a <nowiki> is opened inside another one."""
    for start, end in zip(nowiki.starts, nowiki.ends, strict=True):
        nested = text.find("<nowiki>", start + len("<nowiki>"), end)
        if nested != -1:
            reason = "<nowiki> inside <nowiki>: Translate would not read the page as MediaWiki does"
            raise TranslateError.at(text, nested, reason)


def _translate_tags(text: str, nowiki: _Spans, *, strict: bool) -> list[re.Match[str]]:
    """The tags Translate's parse() sees: outside <nowiki> and spelled exactly as it matches them.

    MediaWiki still takes <Translate> or <translate > for the tag while Translate reads them as
    plain text, so their units would silently never be translated: strict mode refuses them.
    """
    tags = list(ANY_TRANSLATE_TAG.finditer(text))
    if nowiki.starts:
        tags = [tag for tag in tags if nowiki.end_of(tag.start()) is None]
    unknown = [tag for tag in tags if tag[0] not in _TAGS_TRANSLATE_KNOWS]
    if strict and unknown:
        reason = (
            f"Translate does not recognise {unknown[0][0]!r}; "
            "write <translate>, <translate nowrap> or </translate>"
        )
        raise TranslateError.at(text, unknown[0].start(), reason)
    return [tag for tag in tags if tag[0] in _TAGS_TRANSLATE_KNOWS] if unknown else tags


def _blocks(text: str, tags: list[re.Match[str]]) -> Iterator[Block]:
    """Pairs tags as parse()'s loop over '~(<translate(?: nowrap)?>)(.*?)</translate>~s' does.

    The leftmost opening tag that has a closing tag anywhere after it pairs with the first one;
    another opening tag in between is pt-parse-nested. Left-over opening tags (pt-parse-open)
    are reported before left-over closing ones (pt-parse-close), as Translate does.
    """
    closing = [tag[0] == _CLOSING_TAG for tag in tags]
    last_closing = max((i for i, is_closing in enumerate(closing) if is_closing), default=-1)
    stray: re.Match[str] | None = None
    i = 0
    while i < len(tags):
        if closing[i]:
            stray = stray or tags[i]
            i += 1
        elif i > last_closing:
            raise TranslateError.at(text, tags[i].start(), "unclosed <translate>")
        elif not closing[i + 1]:
            line = text.count("\n", 0, tags[i].start()) + 1
            reason = f"<translate> inside the unclosed <translate> of line {line}"
            raise TranslateError.at(text, tags[i + 1].start(), reason)
        else:
            yield Block(tags[i].start(), tags[i + 1].end(), tags[i].end(), tags[i + 1].start())
            i += 2
    if stray is not None:
        reason = "</translate> without a <translate> before it"
        raise TranslateError.at(text, stray.start(), reason)


def _block_units(text: str, block: Block, nowiki: _Spans) -> Iterator[Unit]:
    """parseSection, then parseUnit for each unit.

    parseSection splits at '~(^\\s*|\\s*\\n\\n\\s*|\\s*$)~': units are separated by a run of
    whitespace holding an empty line; that run, and the whitespace at the block's ends, stays in
    Translate's template, not in the units. Markers are looked for once per block: one cannot
    reach across a unit break, which holds a newline, so each unit gets exactly the ones
    parseUnit would find in its text.
    """
    found = [
        marker
        for marker in _MARKER.finditer(text, block.inner_start, block.inner_end)
        if marker[1] is not None
    ]
    taken = 0
    start = _past_spaces(text, block.inner_start, block.inner_end)
    while start < block.inner_end:
        blank = text.find("\n\n", start, block.inner_end)
        end = _before_spaces(text, block.inner_end if blank == -1 else blank)
        first = taken
        while taken < len(found) and found[taken].start() < end:
            taken += 1
        yield _unit(text, start, end, found[first:taken], nowiki)
        start = _past_spaces(text, end, block.inner_end)


def _past_spaces(text: str, start: int, end: int) -> int:
    """Where the run of spaces at `start` ends (the pattern matches the empty run too)."""
    match = _SPACES.match(text, start, end)
    return match.end() if match else start


def _unit(text: str, start: int, end: int, found: list[re.Match[str]], nowiki: _Spans) -> Unit:
    """parseUnit, plus the id checks Translate makes only when the page is marked."""
    if not found:
        return Unit(None, start, end, None, text[start:end])
    marker = found[0]
    if len(found) > 1:
        reason = f"more than one unit marker in one unit ({marker[0]} and {found[1][0]})"
        raise TranslateError.at(text, found[1].start(), reason)
    span = marker.span()
    if nowiki.starts and nowiki.end_of(span[0]) is not None:
        raise TranslateError.at(text, span[0], f"unit marker {marker[0]} inside <nowiki>")
    content = _content(text, start, end, span)
    unit_id = marker[1]
    if not unit_id or not _INVALID_ID_CHARS.isdisjoint(unit_id):
        raise TranslateError.at(text, span[0], f"invalid unit marker {marker[0]}")
    return Unit(None if unit_id == NEW_UNIT_ID else unit_id, start, end, span, content)


def _content(text: str, start: int, end: int, marker: tuple[int, int]) -> str:
    """The unit text without its marker, where Translate writes markers (getMarkedText).

    parseUnit strips '~^<!--T:(.*?)-->( |\\n)~' and '~\\s*<!--T:(.*?)-->$~m'. The second accepts
    a marker at the end of any line; only a heading on the unit's first line is such a place in
    pages Translate wrote, and a marker anywhere else means the unit was edited apart.
    """
    marker_start, marker_end = marker
    if marker_start == start:
        if marker_end == end:
            raise TranslateError.at(text, start, f"unit {text[start:end]} has no content")
        if text[marker_end] in " \n":
            return text[marker_end + 1 : end]
    else:
        heading_end = _before_spaces(text, marker_start)
        at_line_end = marker_end == end or text[marker_end] == "\n"
        on_first_line = text.find("\n", start, marker_start) == -1
        if at_line_end and on_first_line and _is_heading(text, start, heading_end):
            return text[start:heading_end] + text[marker_end:end]
    spelled = text[marker_start:marker_end]
    reason = f"unit marker {spelled} must start its unit or follow the heading on its first line"
    raise TranslateError.at(text, marker_start, reason)


def _before_spaces(text: str, end: int) -> int:
    """Start of the whitespace that ends at `end`; callers make sure there is text before it."""
    while text[end - 1] in _SPACE:
        end -= 1
    return end


def _is_heading(text: str, start: int, end: int) -> bool:
    """TranslationUnit::getHeading's '^(={1,6})[ \\t]*(.+?)[ \\t]*\\1\\s*$' on one line: with
    one '=' on each side it always matches, so equal signs at both ends with text between do."""
    return end - start >= 3 and text[start] == "=" and text[end - 1] == "="


def _check_unique(text: str, unit: Unit, first_use: dict[str, int]) -> None:
    """Translate refuses to mark a page that reuses an id (tpt-duplicate); <!--T:-1--> is no id."""
    if unit.marker is None or unit.marker_span is None:
        return
    if unit.marker in first_use:
        reason = f"duplicate marker <!--T:{unit.marker}-->"
        raise TranslateError.at(text, unit.marker_span[0], reason)
    first_use[unit.marker] = unit.marker_span[0]


def _check_atomic(text: str, block: Block, nowiki: _Spans) -> None:
    """A block must hold whole elements, or the rendered translation loses half of one.

    Translate's own FailNotAtomic test is skipped ("Extended validation not yet implemented"),
    so this is our rule: every closing tag in the block closes an element opened in the block,
    and everything opened in it is closed in it. Comments, <nowiki> and elements whose content is
    not wikitext (<pre>, <syntaxhighlight>, ...) are not looked into.
    """
    if text.count("<", block.inner_start, block.inner_end) == text.count(
        "<!--T:", block.inner_start, block.inner_end
    ):
        return  # the usual block: nothing but its markers, and counting is cheaper than searching
    opened: list[tuple[str, int]] = []
    pos = block.inner_start
    while match := _ELEMENT.search(text, pos, block.inner_end):
        pos = match.end()
        if (nowiki_end := nowiki.end_of(match.start())) is not None:
            pos = nowiki_end
        elif match["name"] is not None and not match.group().endswith("/>"):
            pos = _element(text, match, block, opened)
    for name, offset in opened:
        if name not in _OPTIONAL_END:
            raise _unclosed_element(text, name, offset)


def _element(text: str, match: re.Match[str], block: Block, opened: list[tuple[str, int]]) -> int:
    """Tracks one tag on the stack of open elements; returns where the scan goes on."""
    name = match["name"].lower()
    if name not in _CHECKED:
        return match.end()
    if match["closing"]:
        _close(text, match, name, opened)
    elif name in _OPAQUE:
        closing = _OPAQUE_END[name].search(text, match.end(), block.inner_end)
        if closing is None:
            raise _unclosed_element(text, name, match.start())
        return closing.end()
    else:
        opened.append((name, match.start()))
    return match.end()


def _close(text: str, match: re.Match[str], name: str, opened: list[tuple[str, int]]) -> None:
    """Closes the innermost open element of that name, and any left open inside it, as HTML
    parsers do; a closing tag with nothing to close belongs to an element outside the block."""
    for depth in range(len(opened) - 1, -1, -1):
        if opened[depth][0] == name:
            del opened[depth:]
            return
    reason = f"</{name}> closes an element opened outside its <translate>"
    raise TranslateError.at(text, match.start(), reason)


def _unclosed_element(text: str, name: str, offset: int) -> TranslateError:
    return TranslateError.at(text, offset, f"<{name}> is opened inside <translate> but not closed")
