"""Writes the log's new entries: where each goes and how it is shaped, as the log's own entries are.

The log's own shape decides: its order (newest or oldest first), its year subheadings (a missing
year gets one in the style of the others), its format (list items at the depth of the top-level
entries, or table rows in the table's columns) and how its entries are translation units. The
result is data (insertions and what they do to translation units), so the edit builder can
combine it with the removals from "Upcoming" without either depending on the other's state.
"""

import re
from dataclasses import dataclass, field

from bot.core.change.render import Renderer
from bot.core.page.log import (
    Entry,
    Group,
    Log,
    Order,
    Table,
    TableError,
    place,
    read_log,
    read_table,
    table_order,
)
from bot.core.page.model import Page, Session
from bot.core.wikitext.escape import escape_wikitext
from bot.core.wikitext.lines import Kind, Line
from bot.core.wikitext.patterns import (
    CLOSE_TAG_LINE,
    LIST_PREFIX,
    OPEN_TAG_LINE,
    OWN_UNIT,
    UNIT_MARKER,
)
from bot.core.wikitext.translate_markup import Unit
from bot.errors import Refusal

_MONTHS = (
    "January February March April May June July August September October November December"
).split()


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


@dataclass
class _Written:
    """What the batches written so far add up to."""

    insertions: list[tuple[float, Insertion]] = field(default_factory=list)  # (rank, insertion)
    entries: list[str] = field(default_factory=list)
    carried: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)

    def result(self) -> LogWrite:
        # Insertions at one offset keep the log's order: edit applies them in the order given.
        ordered = [i for _, i in sorted(self.insertions, key=lambda r: (r[1].offset, r[0]))]
        return LogWrite(
            tuple(ordered),
            tuple(self.entries),
            frozenset(self.carried),
            frozenset(self.changed),
            frozenset(self.dropped),
        )


def write(page: Page, moves: tuple[Session, ...], renderer: Renderer) -> LogWrite:
    """One entry per moved session, at its place in the log's own order and shape."""
    log = read_log(page)
    if not log.entries and not log.grouped:
        try:
            table = read_table(page)
        except TableError as error:
            reason = f"cannot write a row into the log's table: {error.reason}"
            raise Refusal(reason, error.line) from None
        if table is not None:
            return _write_rows(page, table, moves)
    batches: dict[_Batch, list[Session]] = {}
    for session in moves:
        batches.setdefault(_batch(log, session), []).append(session)
    written = _Written()
    for batch, sessions in batches.items():
        year = sessions[0].start.year
        order = log.entry_order(log.group_of(year))
        sessions.sort(key=lambda s: (_rank(s, order), s.slot.line.number))
        rank = _rank(sessions[0], order)
        if batch.group is None:
            _new_group(page, log, year, sessions, renderer, written, rank)
        elif batch.entry is None:
            _new_list(page, log.groups[batch.group], sessions, renderer, written, rank)
        else:
            entries = log.groups[batch.group].entries
            _next_to_entry(
                page, entries, batch.entry, batch.after, sessions, renderer, written, rank
            )
    return written.result()


def _rank(session: Session, order: Order) -> float:
    """Sorts sessions the way the log reads: newest first or oldest first."""
    seconds = session.start.timestamp()
    return -seconds if order is Order.NEWEST_FIRST else seconds


@dataclass(frozen=True)
class _Batch:
    """Sessions written together: next to an entry of a group, as a new list in a group (no
    entry), or under a new year subheading (no group, that year)."""

    group: int | None = None
    entry: int | None = None
    after: bool = False
    year: int | None = None


def _batch(log: Log, session: Session) -> _Batch:
    """Which batch a session joins: next to an entry, into a new year group, or a new list."""
    year = session.start.year
    group = log.group_of(year) if log.grouped else log.groups[0]
    if group is None:
        return _Batch(year=year)
    index = log.groups.index(group)
    found = place(group.entries, session.start, log.entry_order(group))
    if found is None:
        return _Batch(index)
    return _Batch(index, *found)


# --- next to an entry -----------------------------------------------------------------------


def _next_to_entry(
    page: Page,
    entries: list[Entry],
    index: int,
    after: bool,
    sessions: list[Session],
    renderer: Renderer,
    written: _Written,
    rank: float,
) -> None:
    entry = entries[index]
    unit = _unit_at(page.markup.units, entry.line.start)
    in_block = in_translate_block(page, entry.line.start)
    if in_block and unit is not None and _holds_only(page, unit, entry):
        # A unit per entry inside one block: the new entry is a unit of its own, apart from its
        # neighbours by an empty line, never part of theirs.
        lines = _entry_lines(page, sessions, renderer, written, entry, "unit")
        if after:
            offset = _line_end(page, unit.end)
            body = [*line_break_before(page, offset), *_units_joined(lines, lead=True)]
            body += _trail(page, offset)
        else:
            offset = _line_start(page, unit.start)
            body = [*_lead(page, offset), *_units_joined(lines, lead=False), ""]
        written.insertions.append((rank, Insertion(offset, tuple(body))))
        return
    if in_block and unit is not None and unit.marker:
        written.changed.add(unit.marker)  # the entries join a unit that holds the whole list
    style = "join" if in_block else "line"
    lines = _entry_lines(page, sessions, renderer, written, entry, style)
    flat = [line for group in lines for line in group]
    if after:
        offset = entry.last.end
        body = [*line_break_before(page, offset), *flat]
    else:
        offset, body = entry.line.start, flat
    written.insertions.append((rank, Insertion(offset, tuple(body))))


def _holds_only(page: Page, unit: Unit, entry: Entry) -> bool:
    """Whether a unit is this entry alone: it starts on the entry's line or on a marker line just
    before it, and ends within the entry's last line."""
    starts_here = page.text.count("\n", unit.start, entry.line.start) <= 1
    return starts_here and unit.end <= entry.last.start + len(entry.last.text)


def _units_joined(lines: list[list[str]], *, lead: bool) -> list[str]:
    """Units one after another, an empty line before each (or between them)."""
    out: list[str] = []
    for i, unit in enumerate(lines):
        if lead or i:
            out.append("")
        out.extend(unit)
    return out


# --- the entries themselves -----------------------------------------------------------------


def _entry_lines(
    page: Page,
    sessions: list[Session],
    renderer: Renderer,
    written: _Written,
    neighbour: Entry | None,
    style: str,
) -> list[list[str]]:
    """Each session's entry as lines, shaped like its neighbour; records what becomes of the
    timeslot's marker. Styles: "line" (a list item, a unit of its own when the neighbour is one),
    "unit" (a unit of its own inside a block), "join" (part of a unit holding the whole list)."""
    out = []
    line = neighbour.line if neighbour is not None else None
    own = OWN_UNIT.match(line.text) if line is not None else None
    prefix = own["prefix"] if own else _prefix(line)
    marker_line = style == "unit" and neighbour is not None and _marker_on_own_line(page, line)
    for session in sessions:
        text = renderer.log_entry(session)
        marker = session.slot.marker
        carried = False
        if style == "unit" and marker and marker_line:
            lines, carried = [f"<!--T:{marker}-->", f"{prefix}{text}"], True
        elif style != "line" or (line is not None and own is None) or not page.uses_translate:
            lines = [f"{prefix}{text}"]
        elif marker:
            lines, carried = [f"{prefix}<translate><!--T:{marker}--> {text}</translate>"], True
        else:
            lines = [f"{prefix}<translate>{text}</translate>"]
        if marker and carried:
            written.carried.add(marker)
            written.changed.add(marker)
        elif marker:
            written.dropped.add(marker)
        written.entries.append(lines[-1])
        out.append(lines)
    return out


def _marker_on_own_line(page: Page, line: Line | None) -> bool:
    """Whether the neighbour's unit marker stands alone on the line before it, as Translate
    writes markers before a list item inside a block."""
    if line is None or line.start == 0:
        return False
    before = page.text.rfind("\n", 0, line.start - 1) + 1
    return UNIT_MARKER.fullmatch(page.text[before : line.start - 1].strip()) is not None


def _prefix(line: Line | None) -> str:
    match = LIST_PREFIX.match(line.text) if line is not None else None
    return match.group() if match else "* "


# --- a year without its subheading yet ------------------------------------------------------


def _new_group(
    page: Page,
    log: Log,
    year: int,
    sessions: list[Session],
    renderer: Renderer,
    written: _Written,
    rank: float,
) -> None:
    """The year's subheading in the style of the others, with its entries, at its place among
    the groups."""
    years = [(g.year, g) for g in log.groups if g.year is not None]
    newest_first = log.group_order() is Order.NEWEST_FIRST
    later = next((g for y, g in years if (y < year if newest_first else y > year)), None)
    model = later or years[-1][1]
    assert model.heading is not None
    spaced = _blank_before(page, _group_start(page, model))
    offset = _group_start(page, later) if later is not None else _group_end(page, model)
    in_block = in_translate_block(page, offset)
    heading = _heading_like(model.heading.text, year)
    neighbour = next((e for g in (model, *(g for _, g in years)) for e in g.entries), None)
    entries_in_block = neighbour is not None and in_translate_block(page, neighbour.line.start)
    heading_in_block = in_translate_block(page, model.heading.start)
    unit_style = neighbour is not None and entries_in_block and _is_own_unit(page, neighbour)
    style = ("unit" if unit_style else "join") if entries_in_block else "line"
    if in_block and neighbour is None:
        style = "join"
    lines = _entry_lines(page, sessions, renderer, written, neighbour, style)
    if style == "unit":
        body = [heading, *_units_joined(lines, lead=True)]
    elif style == "join":
        body = [heading, "", *(line for unit in lines for line in unit)]
    else:
        body = [heading, *(line for unit in lines for line in unit)]
    if in_block and neighbour is not None and not entries_in_block:
        # Entries that are translate blocks of their own leave the block the heading is in.
        body = [heading, "</translate>", *(line for unit in lines for line in unit), "<translate>"]
    elif not in_block and (heading_in_block or entries_in_block):
        if entries_in_block:
            body = ["<translate>", *body, "</translate>"]
        else:
            body = ["<translate>", body[0], "</translate>", *body[1:]]
    apart = [""] if spaced or in_block else []
    if later is not None:
        body = [*(_lead(page, offset) if in_block else []), *body, *apart]
    else:
        body = [*line_break_before(page, offset), *apart, *body]
        body += _trail(page, offset) if in_block else []
    written.insertions.append((rank, Insertion(offset, tuple(body))))


def _is_own_unit(page: Page, entry: Entry) -> bool:
    unit = _unit_at(page.markup.units, entry.line.start)
    return unit is not None and _holds_only(page, unit, entry)


def _heading_like(text: str, year: int) -> str:
    """A subheading like `text` for another year: its markup kept, its unit marker not (a new
    heading is a new unit, which Translate numbers when the page is next marked)."""
    without = re.sub(r"[ \t]*<!--T:[^>]*-->[ \t]*$", "", text)
    without = re.sub(r"<!--T:[^>]*-->[ \t]?", "", without)
    return re.sub(r"\d{4}", str(year), without, count=1)


def _group_start(page: Page, group: Group) -> int:
    """Where a group begins: its heading, or the <translate> line of a block it opens alone."""
    assert group.heading is not None
    start = group.heading.start
    before = _previous_line(page, start)
    if before is not None and OPEN_TAG_LINE.match(page.text[before:start]):
        return before
    return start


def _group_end(page: Page, group: Group) -> int:
    """Just past a group's last entry, or past its heading (and a block closing right after)."""
    assert group.heading is not None
    end = group.entries[-1].last.end if group.entries else group.heading.end
    if not page.text.endswith("\n", 0, end):
        return end
    following = page.text[end : page.text.find("\n", end) + 1 or len(page.text)]
    if not group.entries and CLOSE_TAG_LINE.match(following):
        return end + len(following)
    return end


def _blank_before(page: Page, offset: int) -> bool:
    before = _previous_line(page, offset)
    return before is not None and page.text[before:offset].strip() == ""


def _previous_line(page: Page, offset: int) -> int | None:
    if offset == 0:
        return None
    return page.text.rfind("\n", 0, offset - 1) + 1


# --- a log (or a year) without entries yet --------------------------------------------------


def _new_list(
    page: Page,
    group: Group,
    sessions: list[Session],
    renderer: Renderer,
    written: _Written,
    rank: float,
) -> None:
    """An empty log gets its list after the section's first paragraph (its introduction); an
    empty year group, right under its subheading."""
    if group.heading is not None:
        offset = _group_end(page, group)
    else:
        paragraph = next((c for c in page.log_chunks if c.kind is Kind.TEXT), None)
        offset = paragraph.last.end if paragraph else page.log.body_start
        following = page.text[offset : page.text.find("\n", offset) + 1 or len(page.text)]
        if CLOSE_TAG_LINE.match(following):
            offset += len(following)
    lead = line_break_before(page, offset)  # a heading on the last line, say
    in_block = in_translate_block(page, offset)
    lines = _entry_lines(page, sessions, renderer, written, None, "join" if in_block else "line")
    flat = [line for unit in lines for line in unit]
    # Inside a translate block the list must be a unit of its own, not part of the intro.
    body = [*lead, "", *flat, ""] if in_block else [*lead, *flat]
    written.insertions.append((rank, Insertion(offset, tuple(body))))


# --- a log kept as a table ------------------------------------------------------------------


def _write_rows(page: Page, table: Table, moves: tuple[Session, ...]) -> LogWrite:
    """A row per session in the table's own columns: the date and the topic where the header
    says, the other cells (recording, slides) left empty for the editors to fill."""
    written = _Written()
    order = table_order(table)
    for session in sorted(moves, key=lambda s: (_rank(s, order), s.slot.line.number)):
        cells = [""] * len(table.columns)
        cells[table.date_column] = _date_cell(session)
        if table.topic_column is not None and session.block.title:
            cells[table.topic_column] = str(escape_wikitext(session.block.title))
        if table.inline:
            row = ["| " + " || ".join(cells).rstrip()]
        else:
            row = [f"| {cell}".rstrip() for cell in cells]
        found = place(table.rows, session.start, order)
        if found is None:
            offset, body = table.close.start, ["|-", *row]
        else:
            index, after = found
            existing = table.rows[index]
            if after:
                offset, body = existing.lines[-1].end, ["|-", *row]
            elif existing.lines[0].text.strip().startswith("|-"):
                offset, body = existing.lines[0].start, ["|-", *row]
            else:
                offset, body = existing.lines[0].start, [*row, "|-"]
        if in_translate_block(page, offset):
            unit = _unit_at(page.markup.units, offset)
            if unit is not None and unit.marker:
                written.changed.add(unit.marker)
        if session.slot.marker:
            written.dropped.add(session.slot.marker)
        written.entries.append(row[0])
        written.insertions.append((_rank(session, order), Insertion(offset, tuple(body))))
    return written.result()


def _date_cell(session: Session) -> str:
    start, end = session.start, session.end
    text = f"{_MONTHS[start.month - 1]} {start.day}, {start.year}"
    if session.has_time:
        until = f"-{end.hour}:{end.minute:02d}" if session.has_end else ""
        text += f" ({start.hour}:{start.minute:02d}{until} UTC)"
    return text


# --- lines and translate blocks around an offset --------------------------------------------


def line_break_before(page: Page, offset: int) -> list[str]:
    """An empty first line when `offset` ends a last line that has no newline of its own."""
    return [] if page.text.endswith("\n", 0, offset) else [""]


def _lead(page: Page, offset: int) -> list[str]:
    """An empty line before new units inside a block, unless one (or the block's start) is there."""
    before = _previous_line(page, offset)
    if before is None:
        return []
    text = page.text[before:offset].rstrip("\n")
    return [] if text == "" or OPEN_TAG_LINE.match(text) else [""]


def _trail(page: Page, offset: int) -> list[str]:
    """An empty line after new units inside a block, unless one (or the block's end) follows."""
    following = page.text[offset : page.text.find("\n", offset) + 1 or len(page.text)]
    text = following.rstrip("\n")
    return [] if text == "" or CLOSE_TAG_LINE.match(text) else [""]


def _line_start(page: Page, offset: int) -> int:
    return page.text.rfind("\n", 0, offset) + 1


def _line_end(page: Page, offset: int) -> int:
    newline = page.text.find("\n", offset)
    return len(page.text) if newline == -1 else newline + 1


def in_translate_block(page: Page, offset: int) -> bool:
    return any(b.inner_start <= offset <= b.inner_end for b in page.markup.blocks)


def _unit_at(units: tuple[Unit, ...], offset: int) -> Unit | None:
    return next((u for u in units if u.start <= offset < u.end), None)
