"""Turns a plan into an edit: lines leave "Upcoming", rendered entries join the log (the page's
own, or an archive page's in an edit of its own).

The edit is whole-line removals and insertions, each removal recorded with its reason, so the
safety net can check every changed line against what the bot meant to do. It is built by passes
that each take and return plain data, in the order `build` shows: a pass sees only what it is
given, never another pass's leftovers.
"""

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from bot.core.change import log_writer as log_entries
from bot.core.change.log_writer import Insertion, LogWrite
from bot.core.change.plan import Plan
from bot.core.change.render import Renderer
from bot.core.page.model import DatedSlot, EventBlock, LogPage, Page
from bot.core.page.upcoming import paragraph_text
from bot.core.wikitext.lines import Chunk, Kind, Line, is_glue, kind_of
from bot.core.wikitext.patterns import CLOSE_TAG_LINE, OPEN_TAG_LINE, TRANSLATE_TAG_PATTERN
from bot.core.wikitext.sections import heading_level


@dataclass(frozen=True)
class Change:
    text: str
    removed: Mapping[int, str]  # line number -> why: moved, block, marker, tag or blank
    #: Removed lines whose translate tags stay, as a line of their own: number -> that line.
    rewritten: Mapping[int, str]
    inserted: tuple[str, ...]  # every line added, rewritten ones included
    entries: tuple[str, ...]  # the log lines added, one per moved session
    moved_units: tuple[str, ...]
    changed_units: tuple[str, ...]
    dropped_units: tuple[str, ...]
    dropped_paragraphs: tuple[str, ...]
    placeholder: bool
    #: Live markup the bot writes itself (its templates' wording, the log's own template).
    allowed: tuple[str, ...] = ()
    #: Moved slots (by line) whose session the log already has: no second entry.
    already: tuple[int, ...] = ()
    #: Each moved slot's entry as its template rendered it, by the slot's line.
    rendered: Mapping[int, str] = field(default_factory=dict)
    #: Moved slots (by line) whose entry goes to an archive page's log, not this page's.
    archived: tuple[int, ...] = ()


@dataclass(frozen=True)
class LogChange:
    """The change to a page that only receives entries (an archive): its text with the entries
    inserted into its log, and nothing else touched."""

    text: str
    inserted: tuple[str, ...]  # every line added
    entries: tuple[str, ...]  # the log lines added, one per session written
    #: Moved slots (by line) whose session the log already has: no second entry.
    already: tuple[int, ...]
    #: Live markup the bot writes itself (its templates' wording, the log's own template).
    allowed: tuple[str, ...]


@dataclass(frozen=True)
class Cut:
    """What leaves "Upcoming": removed lines by number with their reason, and removed lines
    that leave their translate tags behind (number -> the tags alone)."""

    removed: Mapping[int, str]
    rewritten: Mapping[int, str]


@dataclass(frozen=True)
class UnitEffects:
    """What removals in "Upcoming" do to its translation units."""

    changed: frozenset[str]  # units that lost part of their text
    dropped: frozenset[str]  # units that lost all of it, and so their marker


#: What the page's own log receives when its entries go to an archive: nothing.
_NO_ENTRIES = LogWrite((), (), frozenset(), frozenset(), frozenset())


def build(page: Page, plan: Plan, renderer: Renderer) -> Change:
    """The moved slots leave "Upcoming", and their entries join the page's own log."""
    return _build(page, plan, renderer, log_entries.write(page, plan.moves, renderer))


def build_archived(page: Page, plan: Plan, renderer: Renderer) -> Change:
    """The moved slots leave "Upcoming" exactly as `build` has them leave (the same removals,
    the same placeholder), and the page's own log stays as it is: their entries go to an
    archive page's log (`build_log`), which the change names for the safety net."""
    change = _build(page, plan, renderer, _NO_ENTRIES)
    return replace(change, archived=tuple(dated.slot.line.number for dated in plan.moves))


def build_log(page: LogPage, moves: tuple[DatedSlot, ...], renderer: Renderer) -> LogChange:
    """The moved sessions' entries in another page's log (an archive's), placed and shaped as
    the log writer places and shapes them in a page's own log."""
    log = log_entries.write(page, moves, renderer)
    return LogChange(
        text=_spliced(page.text, [_inserting(i) for i in log.insertions]),
        inserted=tuple(line for i in log.insertions for line in i.lines),
        entries=log.entries,
        already=log.already,
        allowed=log.allowed,
    )


def _build(page: Page, plan: Plan, renderer: Renderer, log: LogWrite) -> Change:
    removed, paragraphs = _removals(page, plan)
    cut = Cut(removed, _tag_residues(page, removed))
    cut, units = _empty_units(page, cut, carried=log.carried)
    cut = _tidy(page, cut)
    placeholder = _placeholder(page, cut, renderer) if plan.finished else None
    insertions = (*log.insertions, *([placeholder] if placeholder else []))
    return Change(
        text=_apply(page, cut, insertions),
        removed=cut.removed,
        rewritten=cut.rewritten,
        inserted=(*(line for i in insertions for line in i.lines), *cut.rewritten.values()),
        entries=log.entries,
        moved_units=_ordered(log.carried),
        changed_units=_ordered(log.changed | units.changed),
        dropped_units=_ordered(log.dropped | units.dropped),
        dropped_paragraphs=paragraphs,
        placeholder=placeholder is not None,
        already=log.already,
        rendered=dict(log.rendered),
        allowed=(*log.allowed, *(renderer.placeholder_markup if placeholder else ())),
    )


def _ordered(markers: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(markers, key=lambda m: (not m.isdigit(), int(m) if m.isdigit() else 0, m)))


# --- what leaves ----------------------------------------------------------------------------


def _removals(page: Page, plan: Plan) -> tuple[dict[int, str], tuple[str, ...]]:
    """The moved timeslots' lines (with the sub-bullets and unit lines they own), and the
    paragraphs of the blocks that finished with them."""
    removed = {line.number: "moved" for session in plan.moves for line in session.slot.lines}
    paragraphs = []
    leaving = {
        line.number
        for block in plan.finished
        for c in (*block.intro, *block.lists, *block.outro)
        for line in c.lines
    }
    for block in plan.finished:
        for chunk in _finished_chunks(block, page, leaving):
            paragraphs.append(paragraph_text(chunk))
            removed.update((line.number, "block") for line in chunk.lines)
    return removed, tuple(paragraphs)


def _finished_chunks(block: EventBlock, page: Page, leaving: set[int]) -> list[Chunk]:
    """The block's paragraphs; its subheading too, but only when nothing else lives under it
    (a month subheading over several blocks leaves with the last of them)."""
    chunks = [*block.intro, *block.tables, *block.outro]  # a table's shell goes, emptied
    if block.heading is not None and _subsection_is_only(block, page, leaving):
        chunks.insert(0, block.heading)
    return chunks


def _subsection_is_only(block: EventBlock, page: Page, leaving: set[int]) -> bool:
    """Whether the block is all its subsection holds, with the other blocks that leave now: a
    deeper heading under it, or text that stays, keeps the subheading in place."""
    assert block.heading is not None
    level = heading_level(block.heading.first.text) or 0
    owned = leaving | {line.number for line in block.heading.lines}
    after = [line for line in page.upcoming_lines if line.number > block.heading.first.number]
    for line in after:
        if line.number in owned:
            continue
        kind = kind_of(line.text)
        if kind is Kind.HEADING:
            return (heading_level(line.text) or 0) <= level
        if kind in (Kind.TEXT, Kind.ITEM):
            return False
    return True


def _tag_residues(page: Page, removed: Mapping[int, str]) -> dict[int, str]:
    """A removed line that opens or closes a translate block (`...goals.</translate>`) leaves
    that tag behind on a line of its own, so the blocks around it stay whole."""
    by_number = {line.number: line for line in page.upcoming_lines}
    residues = {number: unbalanced_tags(by_number[number].text) for number in removed}
    return {number: tags for number, tags in residues.items() if tags}


def unbalanced_tags(text: str) -> str:
    """The translate tags of a line that do not pair up within it, in order."""
    closes: list[str] = []
    opens: list[str] = []
    for tag in TRANSLATE_TAG_PATTERN.finditer(text):
        if tag.group().startswith("</"):
            if opens:
                opens.pop()
            else:
                closes.append(tag.group())
        else:
            opens.append(tag.group())
    return "".join(closes + opens)


# --- translation units left behind in "Upcoming" --------------------------------------------


def _empty_units(page: Page, cut: Cut, carried: frozenset[str]) -> tuple[Cut, UnitEffects]:
    """A unit whose text all left loses its marker (Translate rejects an empty unit) unless the
    marker moved to the log with its line; a unit that lost part of its text is changed."""
    removed, rewritten = dict(cut.removed), dict(cut.rewritten)
    changed: set[str] = set()
    dropped: set[str] = set()
    lines = [page.upcoming_heading, *page.upcoming_lines]
    starts = [line.start for line in lines]
    for unit in page.markup.units:
        if unit.end <= page.upcoming.body_start or unit.start >= page.upcoming.end:
            continue
        first = max(bisect.bisect_right(starts, unit.start) - 1, 0)
        last = bisect.bisect_left(starts, unit.end)
        content = [
            line for line in lines[first:last] if line.text.strip() and not is_glue(line.text)
        ]
        gone = [line for line in content if line.number in cut.removed]
        if not gone or not unit.marker:
            continue
        if len(gone) < len(content):
            changed.add(unit.marker)
            continue
        if unit.marker_span is not None:
            marker_line = lines[max(bisect.bisect_right(starts, unit.marker_span[0]) - 1, 0)]
            rest = _without_marker(marker_line, unit.marker_span, removed)
            if rest is not None:
                removed[marker_line.number] = "marker"
                if rest:
                    rewritten[marker_line.number] = rest
        if unit.marker not in carried:
            dropped.add(unit.marker)
    return Cut(removed, rewritten), UnitEffects(frozenset(changed), frozenset(dropped))


def _without_marker(line: Line, span: tuple[int, int], removed: Mapping[int, str]) -> str | None:
    """What a marker's line keeps once the marker goes (its tags), or None when the line is not
    the bot's to change: it leaves anyway, or a reader sees text on it."""
    if line.number in removed or not is_glue(line.text):
        return None
    at = span[0] - line.start
    return (line.text[:at] + line.text[at + span[1] - span[0] :]).strip()


# --- leaving "Upcoming" tidy ----------------------------------------------------------------


def _tidy(page: Page, cut: Cut) -> Cut:
    """Drops what the removals leave pointless: a translate block emptied or split in two around
    nothing, and a second blank line where the removed text stood between two."""
    return _collapse_blanks(page, _drop_empty_tag_pairs(page, cut))


def _kept(page: Page, cut: Cut) -> list[Line]:
    """The lines of "Upcoming" as they stand after a cut, heading first, rewritten as rewritten."""
    kept = [page.upcoming_heading]
    for line in page.upcoming_lines:
        if line.number in cut.rewritten:
            kept.append(replace(line, text=cut.rewritten[line.number]))
        elif line.number not in cut.removed:
            kept.append(line)
    return kept


def _touched(a: Line, b: Line, cut: Cut) -> bool:
    """Whether the bot changed anything between two neighbouring lines, or the lines themselves."""
    return b.number - a.number > 1 or a.number in cut.rewritten or b.number in cut.rewritten


def _empty(line: Line) -> bool:
    """Only a truly empty line separates Translate's units; one with spaces does not."""
    return line.text == ""


def _dropping(page: Page, cut: Cut, lines: Iterable[Line]) -> Cut:
    """The cut with these kept lines removed too, as blank lines or leftover tags."""
    removed, rewritten = dict(cut.removed), dict(cut.rewritten)
    for line in lines:
        if line.number in page.hidden or line is page.upcoming_heading:
            continue
        if line.number in rewritten:
            del rewritten[line.number]  # removed after all, for the reason it was removed
        else:
            removed[line.number] = "blank" if _empty(line) else "tag"
    return Cut(removed, rewritten)


def _drop_empty_tag_pairs(page: Page, cut: Cut) -> Cut:
    kept = _kept(page, cut)
    pointless: list[Line] = []
    i = 0
    while i < len(kept):
        if not (OPEN_TAG_LINE.match(kept[i].text) or CLOSE_TAG_LINE.match(kept[i].text)):
            i += 1
            continue
        j = i + 1
        while j < len(kept) and _empty(kept[j]):
            j += 1
        if j < len(kept) and _pointless_pair(kept, i, j, cut):
            pointless.extend(kept[i : j + 1])
            i = j + 1
            continue
        i = max(i + 1, j)
    return _dropping(page, cut, pointless)


def _pointless_pair(kept: list[Line], i: int, j: int, cut: Cut) -> bool:
    if not any(_touched(kept[k], kept[k + 1], cut) for k in range(i, j)):
        return False
    first, second = kept[i].text, kept[j].text
    if OPEN_TAG_LINE.match(first) and CLOSE_TAG_LINE.match(second):
        return True
    # Joining two blocks is only safe when an empty line still separates their units.
    if CLOSE_TAG_LINE.match(first) and OPEN_TAG_LINE.match(second):
        before = i > 0 and _empty(kept[i - 1])
        after = j + 1 < len(kept) and _empty(kept[j + 1])
        return before or after
    return False


def _collapse_blanks(page: Page, cut: Cut) -> Cut:
    kept = _kept(page, cut)
    extra: list[Line] = []
    previous = kept[0]
    for line in kept[1:]:
        if _touched(previous, line, cut) and _empty(previous) and _empty(line):
            extra.append(line)
            continue
        previous = line
    return _dropping(page, cut, extra)


# --- the placeholder --------------------------------------------------------------------------


def _placeholder(page: Page, cut: Cut, renderer: Renderer) -> Insertion | None:
    """The placeholder line, when the bot's own change leaves "Upcoming" without content."""
    kept = _kept(page, cut)[1:]
    if not all(not x.text.strip() or is_glue(x.text) for x in kept):
        return None
    text = renderer.placeholder()
    if log_entries.in_translate_block(page, page.upcoming_heading.end) or not page.uses_translate:
        lines = ["", text]
    else:
        lines = ["", "<translate>", text, "</translate>"]
    following = next(iter(kept), None)
    if following is None or following.text.strip():
        lines.append("")
    return Insertion(page.upcoming_heading.end, tuple(lines))


# --- applying ---------------------------------------------------------------------------------


def _apply(page: Page, cut: Cut, insertions: Iterable[Insertion]) -> str:
    by_number = {line.number: line for line in page.upcoming_lines}
    edits = [
        (by_number[n].start, by_number[n].end, _rewritten(by_number[n], cut)) for n in cut.removed
    ]
    return _spliced(page.text, [*edits, *(_inserting(i) for i in insertions)])


def _inserting(insertion: Insertion) -> tuple[int, int, str]:
    return insertion.offset, insertion.offset, "".join(f"{x}\n" for x in insertion.lines)


def _spliced(text: str, edits: list[tuple[int, int, str]]) -> str:
    """The text with each (start, end, replacement) made, in the order of their offsets (a
    sort that keeps insertions at one offset in the order given)."""
    pieces, at = [], 0
    for start, end, replacement in sorted(edits, key=lambda e: (e[0], e[1])):
        pieces.append(text[at:start])
        pieces.append(replacement)
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def _rewritten(line: Line, cut: Cut) -> str:
    if line.number not in cut.rewritten:
        return ""
    newline = "\n" if line.end > line.start + len(line.text) else ""
    return cut.rewritten[line.number] + newline
