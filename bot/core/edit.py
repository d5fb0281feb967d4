"""Turns a plan into an edit: lines leave "Upcoming", rendered entries join the log.

The edit is a list of whole-line removals and insertions, recorded with the reason for each, so
the safety net can check every changed line against what the bot meant to do.
"""

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.core.lines import OWN_UNIT, TRANSLATE_TAG, Chunk, Kind, Line, is_glue, kind_of
from bot.core.log_section import insertion_index
from bot.core.model import EventBlock, Session
from bot.core.plan import Plan
from bot.core.reader import Page
from bot.core.render import Renderer
from bot.core.translate import Unit
from bot.core.upcoming import paragraph_text

_LIST_PREFIX = re.compile(r"^[*#:;]+[ \t]*")
_CLOSE_TAG = re.compile(r"^\s*</translate>\s*$")
_OPEN_TAG = re.compile(r"^\s*<translate(?:\s+nowrap)?\s*>\s*$")
_TAG = re.compile(TRANSLATE_TAG)


@dataclass(frozen=True)
class Change:
    text: str
    removed: dict[int, str]  # line number -> why: moved, block, marker, tag or blank
    #: Removed lines whose translate tags stay, as a line of their own: number -> that line.
    rewritten: dict[int, str]
    inserted: tuple[str, ...]  # every line added, rewritten ones included
    entries: tuple[str, ...]  # the log lines added, one per moved session
    moved_units: tuple[str, ...]
    changed_units: tuple[str, ...]
    dropped_units: tuple[str, ...]
    dropped_paragraphs: tuple[str, ...]
    placeholder: bool


@dataclass
class _Edit:
    """The change under construction."""

    removed: dict[int, str] = field(default_factory=dict)
    #: Removed lines that leave translate tags behind: line number -> the tags alone.
    rewritten: dict[int, str] = field(default_factory=dict)
    insertions: list[tuple[int, list[str]]] = field(default_factory=list)  # (offset, lines)
    carried: set[str] = field(default_factory=set)  # markers that move with their line
    changed: set[str] = field(default_factory=set)
    moved: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)


def build(page: Page, plan: Plan, renderer: Renderer) -> Change:
    edit = _Edit()
    for session in plan.moves:
        edit.removed[session.slot.line.number] = "moved"
    dropped_paragraphs = []
    for block in plan.finished:
        for chunk in _finished_chunks(block, page):
            dropped_paragraphs.append(paragraph_text(chunk))
            edit.removed.update((line.number, "block") for line in chunk.lines)
    _keep_tags(page, edit)
    entries = _insert_entries(page, plan, renderer, edit)
    _retire_emptied_units(page, edit)
    _tidy(page, edit)
    placeholder = bool(plan.finished) and _left_empty(page, edit)
    if placeholder:
        _insert_placeholder(page, renderer, edit)
    return Change(
        text=_apply(page, edit),
        removed=edit.removed,
        rewritten=edit.rewritten,
        inserted=(
            *(line for _, lines in edit.insertions for line in lines),
            *edit.rewritten.values(),
        ),
        entries=tuple(entries),
        moved_units=_ordered(edit.moved),
        changed_units=_ordered(edit.changed),
        dropped_units=_ordered(edit.dropped),
        dropped_paragraphs=tuple(dropped_paragraphs),
        placeholder=placeholder,
    )


def _keep_tags(page: Page, edit: _Edit) -> None:
    """A removed line that opens or closes a translate block (`...goals.</translate>`) leaves
    that tag behind on a line of its own, so the blocks around it stay whole."""
    by_number = {line.number: line for line in page.upcoming_lines}
    for number in list(edit.removed):
        residue = unbalanced_tags(by_number[number].text)
        if residue:
            edit.rewritten[number] = residue


def unbalanced_tags(text: str) -> str:
    """The translate tags of a line that do not pair up within it, in order."""
    closes, opens = [], []
    for tag in _TAG.finditer(text):
        if tag.group().startswith("</"):
            if opens:
                opens.pop()
            else:
                closes.append(tag.group())
        else:
            opens.append(tag.group())
    return "".join(closes + opens)


def _ordered(markers: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(markers, key=lambda m: (not m.isdigit(), int(m) if m.isdigit() else 0, m)))


def _finished_chunks(block: EventBlock, page: Page) -> list[Chunk]:
    """The block's paragraphs; its subheading too, but only when nothing else lives under it."""
    chunks = [*block.intro, *block.outro]
    if block.heading is not None and _subsection_is_only(block, page):
        chunks.insert(0, block.heading)
    return chunks


def _subsection_is_only(block: EventBlock, page: Page) -> bool:
    assert block.heading is not None
    owned = {
        line.number
        for c in (block.heading, *block.intro, block.items, *block.outro)
        for line in c.lines
    }
    after = [line for line in page.upcoming_lines if line.number > block.heading.first.number]
    for line in after:
        kind = kind_of(line.text)
        if kind is Kind.HEADING and line.number not in owned:
            return True
        if kind in (Kind.TEXT, Kind.ITEM) and line.number not in owned:
            return False
    return True


# --- the log -------------------------------------------------------------------------------


def _insert_entries(page: Page, plan: Plan, renderer: Renderer, edit: _Edit) -> list[str]:
    """Adds one rendered entry per moved session at its chronological place, newest first."""
    groups: dict[int, list[Session]] = {}
    for session in plan.moves:
        groups.setdefault(insertion_index(page.entries, session.start), []).append(session)
    added = []
    for index, sessions in sorted(groups.items()):
        sessions.sort(key=lambda s: (-s.start.timestamp(), s.slot.line.number))
        offset, neighbour, lead, trail = _entry_place(page, index)
        in_block = _in_block(page, offset)
        if in_block and neighbour is not None:
            unit = _unit_at(page.markup.units, neighbour.start)
            if unit is not None and unit.marker:
                edit.changed.add(unit.marker)
        lines = [
            _styled(renderer.log_entry(s), s, neighbour, in_block, page, edit) for s in sessions
        ]
        added.extend(lines)
        edit.insertions.append((offset, [*lead, *lines, *trail]))
    return added


def _entry_place(page: Page, index: int) -> tuple[int, Line | None, list[str], list[str]]:
    """Where entries go: before entry `index`, after the last entry, or as a new list."""
    entries = page.entries
    if index < len(entries):
        line = entries[index].line
        return line.start, line, [], []
    if entries:
        line = entries[-1].line
        return line.end, line, _line_break_before(page, line.end), []
    return _new_list_place(page)


def _line_break_before(page: Page, offset: int) -> list[str]:
    """An empty first line when `offset` ends a last line that has no newline of its own."""
    return [] if page.text.endswith("\n", 0, offset) else [""]


def _new_list_place(page: Page) -> tuple[int, None, list[str], list[str]]:
    """An empty log gets its list after the section's first paragraph (its introduction)."""
    paragraph = next((c for c in page.log_chunks if c.kind is Kind.TEXT), None)
    offset = paragraph.last.end if paragraph else page.log.body_start
    following = page.text[offset : page.text.find("\n", offset) + 1 or len(page.text)]
    if _CLOSE_TAG.match(following):
        offset += len(following)
    lead = _line_break_before(page, offset)  # a heading on the last line, say
    if _in_block(page, offset):
        # Inside a translate block the list must be a unit of its own, not part of the intro.
        return offset, None, [*lead, ""], [""]
    return offset, None, lead, []


def _styled(
    text: str, session: Session, neighbour: Line | None, in_block: bool, page: Page, edit: _Edit
) -> str:
    """The entry as a list item shaped like its neighbours, carrying the timeslot's marker when
    both the timeslot and the log's entries are translation units of their own."""
    slot = session.slot
    own = OWN_UNIT.match(neighbour.text) if neighbour is not None else None
    prefix = own["prefix"] if own else _prefix(neighbour)
    if in_block or (neighbour is not None and own is None) or not page.uses_translate:
        if slot.marker:
            edit.dropped.add(slot.marker)
        return f"{prefix}{text}"
    if slot.marker:
        edit.carried.add(slot.marker)
        edit.moved.add(slot.marker)
        edit.changed.add(slot.marker)
        return f"{prefix}<translate><!--T:{slot.marker}--> {text}</translate>"
    return f"{prefix}<translate>{text}</translate>"


def _prefix(line: Line | None) -> str:
    match = _LIST_PREFIX.match(line.text) if line is not None else None
    return match.group() if match else "* "


def _in_block(page: Page, offset: int) -> bool:
    return any(b.inner_start <= offset <= b.inner_end for b in page.markup.blocks)


def _unit_at(units: tuple[Unit, ...], offset: int) -> Unit | None:
    return next((u for u in units if u.start <= offset < u.end), None)


# --- translation units left behind in "Upcoming" --------------------------------------------


def _retire_emptied_units(page: Page, edit: _Edit) -> None:
    """A unit whose text all left loses its marker (Translate rejects an empty unit);
    a unit that lost part of its text is reported as changed."""
    lines = [page.upcoming_heading, *page.upcoming_lines]
    starts = [line.start for line in lines]
    for unit in page.markup.units:
        if unit.end <= page.upcoming.body_start or unit.start >= page.upcoming.end:
            continue
        first = max(bisect.bisect_right(starts, unit.start) - 1, 0)
        last = bisect.bisect_left(starts, unit.end)
        touching = lines[first:last]
        content = [line for line in touching if line.text.strip() and not is_glue(line.text)]
        gone = [line for line in content if line.number in edit.removed]
        if not gone or not unit.marker:
            continue
        if len(gone) < len(content):
            edit.changed.add(unit.marker)
            continue
        if unit.marker_span is not None:
            _drop_marker(lines, starts, unit.marker_span, edit)
        if unit.marker not in edit.carried:
            edit.dropped.add(unit.marker)


def _drop_marker(lines: list[Line], starts: list[int], span: tuple[int, int], edit: _Edit) -> None:
    """Takes an emptied unit's marker off its line: the line goes, or keeps its tags."""
    line = lines[max(bisect.bisect_right(starts, span[0]) - 1, 0)]
    if line.number in edit.removed or not is_glue(line.text):
        return  # the marker leaves with its line, or sits on a line the bot must not touch
    at = span[0] - line.start
    rest = (line.text[:at] + line.text[at + span[1] - span[0] :]).strip()
    edit.removed[line.number] = "marker"
    if rest:
        edit.rewritten[line.number] = rest


# --- leaving "Upcoming" tidy ----------------------------------------------------------------


def _tidy(page: Page, edit: _Edit) -> None:
    """Drops what the removals leave pointless: a translate block emptied or split in two around
    nothing, and a second blank line where the removed text stood between two."""
    _drop_empty_tag_pairs(page, edit)
    _collapse_blanks(page, edit)


def _kept(page: Page, edit: _Edit) -> list[Line]:
    """The lines of "Upcoming" as they stand now, heading first, rewritten ones as rewritten."""
    kept = [page.upcoming_heading]
    for line in page.upcoming_lines:
        if line.number in edit.rewritten:
            kept.append(replace(line, text=edit.rewritten[line.number]))
        elif line.number not in edit.removed:
            kept.append(line)
    return kept


def _touched(a: Line, b: Line, edit: _Edit) -> bool:
    """Whether the bot changed anything between two neighbouring lines, or the lines themselves."""
    return b.number - a.number > 1 or a.number in edit.rewritten or b.number in edit.rewritten


def _empty(line: Line) -> bool:
    """Only a truly empty line separates Translate's units; one with spaces does not."""
    return line.text == ""


def _drop(line: Line, edit: _Edit, page: Page) -> None:
    if line.number in page.hidden or line is page.upcoming_heading:
        return
    if line.number in edit.rewritten:
        del edit.rewritten[line.number]  # removed after all, for the reason it was removed
    else:
        edit.removed[line.number] = "blank" if _empty(line) else "tag"


def _drop_empty_tag_pairs(page: Page, edit: _Edit) -> None:
    kept = _kept(page, edit)
    i = 0
    while i < len(kept):
        if not (_OPEN_TAG.match(kept[i].text) or _CLOSE_TAG.match(kept[i].text)):
            i += 1
            continue
        j = i + 1
        while j < len(kept) and _empty(kept[j]):
            j += 1
        if j < len(kept) and _pointless_pair(kept, i, j, edit):
            for line in kept[i : j + 1]:
                _drop(line, edit, page)
            i = j + 1
            continue
        i = max(i + 1, j)


def _pointless_pair(kept: list[Line], i: int, j: int, edit: _Edit) -> bool:
    if not any(_touched(kept[k], kept[k + 1], edit) for k in range(i, j)):
        return False
    first, second = kept[i].text, kept[j].text
    if _OPEN_TAG.match(first) and _CLOSE_TAG.match(second):
        return True
    # Joining two blocks is only safe when an empty line still separates their units.
    if _CLOSE_TAG.match(first) and _OPEN_TAG.match(second):
        before = i > 0 and _empty(kept[i - 1])
        after = j + 1 < len(kept) and _empty(kept[j + 1])
        return before or after
    return False


def _collapse_blanks(page: Page, edit: _Edit) -> None:
    kept = _kept(page, edit)
    previous = kept[0]
    for line in kept[1:]:
        if _touched(previous, line, edit) and _empty(previous) and _empty(line):
            _drop(line, edit, page)
            continue
        previous = line


def _left_empty(page: Page, edit: _Edit) -> bool:
    return all(not x.text.strip() or is_glue(x.text) for x in _kept(page, edit)[1:])


def _insert_placeholder(page: Page, renderer: Renderer, edit: _Edit) -> None:
    offset = page.upcoming_heading.end
    text = renderer.placeholder()
    if _in_block(page, offset) or not page.uses_translate:
        lines = ["", text]
    else:
        lines = ["", "<translate>", text, "</translate>"]
    following = next(iter(_kept(page, edit)[1:]), None)
    if following is None or following.text.strip():
        lines.append("")
    edit.insertions.append((offset, lines))


# --- applying ---------------------------------------------------------------------------------


def _rewritten(line: Line, edit: _Edit) -> str:
    if line.number not in edit.rewritten:
        return ""
    newline = "\n" if line.end > line.start + len(line.text) else ""
    return edit.rewritten[line.number] + newline


def _apply(page: Page, edit: _Edit) -> str:
    text = page.text
    by_number = {line.number: line for line in page.upcoming_lines}
    edits = [
        (by_number[n].start, by_number[n].end, _rewritten(by_number[n], edit)) for n in edit.removed
    ]
    edits += [
        (offset, offset, "".join(f"{x}\n" for x in lines)) for offset, lines in edit.insertions
    ]
    edits.sort(key=lambda e: (e[0], e[1]))
    pieces, at = [], 0
    for start, end, replacement in edits:
        pieces.append(text[at:start])
        pieces.append(replacement)
        at = end
    pieces.append(text[at:])
    return "".join(pieces)
