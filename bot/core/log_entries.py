"""Writes the log's new entries: where each goes and how it is shaped, as the log's own entries are.

The result is data (insertions and what they do to translation units), so the edit builder can
combine it with the removals from "Upcoming" without either depending on the other's state.
"""

from dataclasses import dataclass

from bot.core.lines import Kind, Line
from bot.core.log_section import insertion_index
from bot.core.model import Page, Session
from bot.core.render import Renderer
from bot.core.syntax import CLOSE_TAG_LINE, LIST_PREFIX, OWN_UNIT
from bot.core.translate import Unit


@dataclass(frozen=True)
class Insertion:
    """Whole lines added at an offset of the page (the start of a line)."""

    offset: int
    lines: tuple[str, ...]


@dataclass(frozen=True)
class LogWrite:
    insertions: tuple[Insertion, ...]
    entries: tuple[str, ...]  # the log lines added, one per moved session
    #: Markers of timeslots that move with their line into a log of units of their own.
    carried: frozenset[str]
    #: Units whose text changed: carried ones, and a log unit an entry joined.
    changed: frozenset[str]
    #: Markers of timeslots whose entry goes into a log without units of its own.
    dropped: frozenset[str]


def write(page: Page, moves: tuple[Session, ...], renderer: Renderer) -> LogWrite:
    """One rendered entry per moved session at its chronological place, newest first."""
    groups: dict[int, list[Session]] = {}
    for session in moves:
        groups.setdefault(insertion_index(page.entries, session.start), []).append(session)
    insertions, entries = [], []
    carried: set[str] = set()
    changed: set[str] = set()
    dropped: set[str] = set()
    for index, sessions in sorted(groups.items()):
        sessions.sort(key=lambda s: (-s.start.timestamp(), s.slot.line.number))
        offset, neighbour, lead, trail = _entry_place(page, index)
        in_block = in_translate_block(page, offset)
        if in_block and neighbour is not None:
            unit = _unit_at(page.markup.units, neighbour.start)
            if unit is not None and unit.marker:
                changed.add(unit.marker)
        lines = []
        for session in sessions:
            line, marker_carried = _styled(
                renderer.log_entry(session), session, neighbour, in_block, page
            )
            lines.append(line)
            marker = session.slot.marker
            if marker and marker_carried:
                carried.add(marker)
                changed.add(marker)
            elif marker:
                dropped.add(marker)
        entries.extend(lines)
        insertions.append(Insertion(offset, (*lead, *lines, *trail)))
    return LogWrite(
        tuple(insertions),
        tuple(entries),
        frozenset(carried),
        frozenset(changed),
        frozenset(dropped),
    )


def _entry_place(page: Page, index: int) -> tuple[int, Line | None, list[str], list[str]]:
    """Where entries go: before entry `index`, after the last entry, or as a new list."""
    entries = page.entries
    if index < len(entries):
        line = entries[index].line
        return line.start, line, [], []
    if entries:
        line = entries[-1].line
        return line.end, line, line_break_before(page, line.end), []
    return _new_list_place(page)


def line_break_before(page: Page, offset: int) -> list[str]:
    """An empty first line when `offset` ends a last line that has no newline of its own."""
    return [] if page.text.endswith("\n", 0, offset) else [""]


def _new_list_place(page: Page) -> tuple[int, None, list[str], list[str]]:
    """An empty log gets its list after the section's first paragraph (its introduction)."""
    paragraph = next((c for c in page.log_chunks if c.kind is Kind.TEXT), None)
    offset = paragraph.last.end if paragraph else page.log.body_start
    following = page.text[offset : page.text.find("\n", offset) + 1 or len(page.text)]
    if CLOSE_TAG_LINE.match(following):
        offset += len(following)
    lead = line_break_before(page, offset)  # a heading on the last line, say
    if in_translate_block(page, offset):
        # Inside a translate block the list must be a unit of its own, not part of the intro.
        return offset, None, [*lead, ""], [""]
    return offset, None, lead, []


def _styled(
    text: str, session: Session, neighbour: Line | None, in_block: bool, page: Page
) -> tuple[str, bool]:
    """The entry as a list item shaped like its neighbours, and whether it carries the
    timeslot's marker: it does when both the timeslot and the log's entries are translation
    units of their own."""
    slot = session.slot
    own = OWN_UNIT.match(neighbour.text) if neighbour is not None else None
    prefix = own["prefix"] if own else _prefix(neighbour)
    if in_block or (neighbour is not None and own is None) or not page.uses_translate:
        return f"{prefix}{text}", False
    if slot.marker:
        return f"{prefix}<translate><!--T:{slot.marker}--> {text}</translate>", True
    return f"{prefix}<translate>{text}</translate>", False


def _prefix(line: Line | None) -> str:
    match = LIST_PREFIX.match(line.text) if line is not None else None
    return match.group() if match else "* "


def in_translate_block(page: Page, offset: int) -> bool:
    return any(b.inner_start <= offset <= b.inner_end for b in page.markup.blocks)


def _unit_at(units: tuple[Unit, ...], offset: int) -> Unit | None:
    return next((u for u in units if u.start <= offset < u.end), None)
