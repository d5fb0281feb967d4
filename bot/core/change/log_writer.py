"""Writes the log's new entries: where each goes and how it is shaped, as the log's own entries are.

The log's own shape decides: its order (newest or oldest first), its year subheadings (a missing
year gets one in the style of the others), its format (list items at the depth of the top-level
entries, or table rows in the table's columns) and how its entries are translation units. The
result is data (insertions and what they do to translation units), so the edit builder can
combine it with the removals from "Upcoming" without either depending on the other's state.
"""

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.change import call_entries, table_rows
from bot.core.change.duplicates import same_session
from bot.core.change.render import Renderer
from bot.core.dates import english
from bot.core.dates.vocabulary import MONTH_NAMES, MONTHS
from bot.core.page.calls import DATE_NAMES, Call, calls
from bot.core.page.log import (
    Entry,
    Group,
    Log,
    Order,
    date_style,
    dated_ends,
    dated_rows,
    entry_start,
    log_lines,
    order_of,
    place,
    read_log,
    read_table,
    table_order,
    table_style,
)
from bot.core.page.model import DatedSlot, LogPage
from bot.core.page.tables import Table, TableError
from bot.core.wikitext.lines import Kind, Line
from bot.core.wikitext.patterns import (
    CLOSE_TAG_LINE,
    LIST_PREFIX,
    MARKER_AND_SPACE,
    OPEN_TAG_LINE,
    OWN_UNIT,
    TRAILING_MARKER,
    UNIT_MARKER,
    WORD,
    YEAR_DIGITS,
)
from bot.core.wikitext.translate_markup import Unit
from bot.errors import Refusal


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
    #: Live markup the entries hold by the bot's own writing (the wording of its templates,
    #: the log's own template), for the safety net.
    allowed: tuple[str, ...] = ()
    #: Slots (by line) whose session the log already holds: they leave without an entry.
    already: tuple[int, ...] = ()
    #: Each moved slot's entry as its template rendered it, by the slot's line.
    rendered: tuple[tuple[int, str], ...] = ()


@dataclass
class _Written:
    """What the batches written so far add up to."""

    insertions: list[tuple[float, Insertion]] = field(default_factory=list)  # (rank, insertion)
    entries: list[str] = field(default_factory=list)
    carried: set[str] = field(default_factory=set)
    changed: set[str] = field(default_factory=set)
    dropped: set[str] = field(default_factory=set)
    allowed: list[str] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    rendered: list[tuple[int, str]] = field(default_factory=list)
    style: english.Style = english.DEFAULT  # how the log writes its dates

    def result(self) -> LogWrite:
        # Insertions at one offset keep the log's order: edit applies them in the order given.
        ordered = [i for _, i in sorted(self.insertions, key=lambda r: (r[1].offset, r[0]))]
        return LogWrite(
            tuple(ordered),
            tuple(self.entries),
            frozenset(self.carried),
            frozenset(self.changed),
            frozenset(self.dropped),
            tuple(self.allowed),
            tuple(self.already),
            tuple(self.rendered),
        )


def write(page: LogPage, moves: tuple[DatedSlot, ...], renderer: Renderer) -> LogWrite:
    """One entry per moved session, at its place in the log's own order and shape: the log of
    the page the sessions leave, or of the archive page that receives them instead."""
    log = read_log(page)
    entries_as_calls = calls(log_lines(page)) if not log.entries else []
    if entries_as_calls:
        return _write_calls(page, entries_as_calls, moves)
    if not log.entries and not log.grouped:
        try:
            table = read_table(page)
        except TableError as error:
            reason = f"cannot write a row into the log's table: {error.reason}"
            raise Refusal(reason, error.line) from None
        if table is not None:
            return _write_rows(page, table, moves)
    batches: dict[_Batch, list[DatedSlot]] = {}
    written = _Written(style=date_style(log.entries))
    for session in moves:
        if _logged_already(log, session):
            written.already.append(session.slot.line.number)
            continue
        batches.setdefault(_batch(log, session), []).append(session)
    for batch, sessions in batches.items():
        year, month = sessions[0].start.year, sessions[0].start.month
        order = log.entry_order(log.group_of(year, month))
        sessions.sort(key=lambda s: (_rank(s, order), s.slot.line.number))
        rank = _rank(sessions[0], order)
        if batch.group is None:
            _new_group(page, log, batch, sessions, renderer, written, rank)
        elif batch.entry is None:
            _new_list(page, log.groups[batch.group], sessions, renderer, written, rank)
        else:
            entries = log.groups[batch.group].entries
            _next_to_entry(
                page, entries, batch.entry, batch.after, sessions, renderer, written, rank
            )
    return written.result()


def _logged_already(log: Log, session: DatedSlot) -> bool:
    """Whether the log already has the session: an entry next to where it would go, on the same
    day (at the same time, when both say one) and about the same topic. An editor often logs a
    session by hand and leaves its slot; logging it twice would be the bot's mistake."""
    start = session.start
    group = log.group_of(start.year, start.month) if log.grouped else log.groups[0]
    found = place(group.entries, session.start, log.entry_order(group)) if group else None
    if group is None or found is None:
        return False
    near = group.entries[max(found[0] - 2, 0) : found[0] + 3]
    return any(same_session(entry.line.text, session) for entry in near)


def _rank(session: DatedSlot, order: Order) -> float:
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
    month: int | None = None  # a new month's subheading, in a log kept by month


def _batch(log: Log, session: DatedSlot) -> _Batch:
    """Which batch a session joins: next to an entry, into a new year group, or a new list."""
    year, month = session.start.year, session.start.month
    group = log.group_of(year, month) if log.grouped else log.groups[0]
    if group is None:
        return _Batch(year=year, month=month if log.by_month else None)
    index = log.groups.index(group)
    found = place(group.entries, session.start, log.entry_order(group))
    if found is None:
        return _Batch(index)
    return _Batch(index, *found)


# --- next to an entry -----------------------------------------------------------------------


def _next_to_entry(
    page: LogPage,
    entries: list[Entry],
    index: int,
    after: bool,
    sessions: list[DatedSlot],
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


def _holds_only(page: LogPage, unit: Unit, entry: Entry) -> bool:
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
    page: LogPage,
    sessions: list[DatedSlot],
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
        text = renderer.log_entry(session, written.style)
        written.rendered.append((session.slot.line.number, text))
        written.allowed.extend(renderer.own_markup)
        marker = session.slot.marker
        carried = False
        if prefix.startswith(";") and style == "line":
            lines = _term_and_definition(text, english.sessions(session.sessions, written.style))
        elif style == "unit" and marker and marker_line:
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


def _term_and_definition(text: str, when: str) -> list[str]:
    """An entry as a log of `;date` / `:text` pairs writes it: the date as the term, the rest
    of the entry as its definition."""
    rest = text.removeprefix(when).lstrip(". ") if text.startswith(when) else text
    return [f";{when}", f": {rest}"] if rest else [f";{when}"]


def _marker_on_own_line(page: LogPage, line: Line | None) -> bool:
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
    page: LogPage,
    log: Log,
    batch: _Batch,
    sessions: list[DatedSlot],
    renderer: Renderer,
    written: _Written,
    rank: float,
) -> None:
    """The year's (or month's) subheading in the style of the others, with its entries, at its
    place among the groups. A month's groups whose year is not known are stepped over: an entry
    is never filed under a month of another year."""
    assert batch.year is not None
    key = (batch.year,) if batch.month is None else (batch.year, batch.month)
    newest_first = log.group_order() is Order.NEWEST_FIRST
    keyed = [(g.key, g) for g in log.groups if g.key is not None and len(g.key) == len(key)]
    headed = [g for g in log.groups if g.heading is not None]
    if keyed:
        later = next((g for k, g in keyed if (k < key if newest_first else k > key)), None)
        model = later or keyed[-1][1]
    else:  # no group says when it is: the new one goes at the newest end
        later = headed[0] if newest_first else None
        model = headed[0] if newest_first else headed[-1]
    assert model.heading is not None
    spaced = _blank_before(page, _group_start(page, model))
    offset = _group_start(page, later) if later is not None else _group_end(page, model)
    in_block = in_translate_block(page, offset)
    years_above = any(g.month is None and g.year is not None for g in log.groups)
    heading = _heading_like(model.heading.text, batch.year, batch.month, years_above)
    neighbour = next((e for g in (model, *headed) for e in g.entries), None)
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


def _is_own_unit(page: LogPage, entry: Entry) -> bool:
    unit = _unit_at(page.markup.units, entry.line.start)
    return unit is not None and _holds_only(page, unit, entry)


def _heading_like(text: str, year: int, month: int | None, years_above: bool) -> str:
    """A subheading like `text` for another year (or month): its markup kept, its unit marker
    not (a new heading is a new unit, which Translate numbers when the page is next marked).
    A month's heading names its year when the model's does, or when no year's subheading
    stands above it to say it."""
    without = MARKER_AND_SPACE.sub("", TRAILING_MARKER.sub("", text))
    if month is None:
        return YEAR_DIGITS.sub(str(year), without, count=1)
    word = next(m for m in WORD.finditer(without) if m.group().casefold() in MONTHS)
    name = MONTH_NAMES[month - 1]
    renamed = without[: word.start()] + name + without[word.end() :]
    if YEAR_DIGITS.search(renamed):
        return YEAR_DIGITS.sub(str(year), renamed, count=1)
    if years_above:
        return renamed
    return renamed[: word.start() + len(name)] + f" {year}" + renamed[word.start() + len(name) :]


def _group_start(page: LogPage, group: Group) -> int:
    """Where a group begins: its heading, or the <translate> line of a block it opens alone."""
    assert group.heading is not None
    start = group.heading.start
    before = _previous_line(page, start)
    if before is not None and OPEN_TAG_LINE.match(page.text[before:start]):
        return before
    return start


def _group_end(page: LogPage, group: Group) -> int:
    """Just past a group's last entry, or past its heading (and a block closing right after)."""
    assert group.heading is not None
    end = group.entries[-1].last.end if group.entries else group.heading.end
    if not page.text.endswith("\n", 0, end):
        return end
    following = page.text[end : page.text.find("\n", end) + 1 or len(page.text)]
    if not group.entries and CLOSE_TAG_LINE.match(following):
        return end + len(following)
    return end


def _blank_before(page: LogPage, offset: int) -> bool:
    before = _previous_line(page, offset)
    return before is not None and page.text[before:offset].strip() == ""


def _previous_line(page: LogPage, offset: int) -> int | None:
    if offset == 0:
        return None
    return page.text.rfind("\n", 0, offset - 1) + 1


# --- a log (or a year) without entries yet --------------------------------------------------


def _new_list(
    page: LogPage,
    group: Group,
    sessions: list[DatedSlot],
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


@dataclass(frozen=True)
class _DatedCall:
    call: Call

    @property
    def start(self) -> datetime | None:
        value = self.call.value(*DATE_NAMES)
        return entry_start(value) if value else None


def _write_calls(page: LogPage, found: list[Call], moves: tuple[DatedSlot, ...]) -> LogWrite:
    """A call of the log's template per session (bot.core.change.call_entries), beside the
    call its date puts it next to, never inside one."""
    written = _Written()
    dated = [_DatedCall(call) for call in found]
    order = order_of([d.start for d in dated_ends(dated)]) or Order.NEWEST_FIRST
    style = call_entries.style(found)
    for session in sorted(moves, key=lambda s: (_rank(s, order), s.slot.line.number)):
        place_at = place(dated, session.start, order)
        index, after = place_at if place_at is not None else (0, False)
        neighbour = found[index]
        body = call_entries.entry(neighbour, session, style)
        if session.slot.call is None:
            written.allowed.append(f"template:{' '.join(neighbour.name.split()).lower()}")
        if after:
            offset = neighbour.lines[-1].end
            body = [*line_break_before(page, offset), *body]
        else:
            offset = neighbour.lines[0].start
        if session.slot.marker:
            written.dropped.add(session.slot.marker)
        written.entries.append(body[0])
        written.insertions.append((_rank(session, order), Insertion(offset, tuple(body))))
    return written.result()


def _write_rows(page: LogPage, table: Table, moves: tuple[DatedSlot, ...]) -> LogWrite:
    """A row per session in the table's own columns and style (bot.core.change.table_rows)."""
    written = _Written()
    order = table_order(table)
    style = table_style(table)
    rows = dated_rows(table)
    for dated in sorted(moves, key=lambda s: (_rank(s, order), s.slot.line.number)):
        row = table_rows.lines(table_rows.cells(dated, table, style), table)
        found = place(rows, dated.start, order)
        if found is None:
            offset, body = table.close.start, ["|-", *row]
        else:
            index, after = found
            existing = table.rows[index]
            if after:
                offset, body = existing.lines[-1].end, ["|-", *row]
            elif existing.separated:
                offset, body = existing.lines[0].start, ["|-", *row]
            else:
                offset, body = existing.lines[0].start, [*row, "|-"]
        if in_translate_block(page, offset):
            unit = _unit_at(page.markup.units, offset)
            if unit is not None and unit.marker:
                written.changed.add(unit.marker)
        if dated.slot.marker:
            written.dropped.add(dated.slot.marker)
        written.entries.append(row[0])
        written.insertions.append((_rank(dated, order), Insertion(offset, tuple(body))))
    return written.result()


# --- lines and translate blocks around an offset --------------------------------------------


def line_break_before(page: LogPage, offset: int) -> list[str]:
    """An empty first line when `offset` ends a last line that has no newline of its own."""
    return [] if page.text.endswith("\n", 0, offset) else [""]


def _lead(page: LogPage, offset: int) -> list[str]:
    """An empty line before new units inside a block, unless one (or the block's start) is there."""
    before = _previous_line(page, offset)
    if before is None:
        return []
    text = page.text[before:offset].rstrip("\n")
    return [] if text == "" or OPEN_TAG_LINE.match(text) else [""]


def _trail(page: LogPage, offset: int) -> list[str]:
    """An empty line after new units inside a block, unless one (or the block's end) follows."""
    following = page.text[offset : page.text.find("\n", offset) + 1 or len(page.text)]
    text = following.rstrip("\n")
    return [] if text == "" or CLOSE_TAG_LINE.match(text) else [""]


def _line_start(page: LogPage, offset: int) -> int:
    return page.text.rfind("\n", 0, offset) + 1


def _line_end(page: LogPage, offset: int) -> int:
    newline = page.text.find("\n", offset)
    return len(page.text) if newline == -1 else newline + 1


def in_translate_block(page: LogPage, offset: int) -> bool:
    return any(b.inner_start <= offset <= b.inner_end for b in page.markup.blocks)


def _unit_at(units: tuple[Unit, ...], offset: int) -> Unit | None:
    return next((u for u in units if u.start <= offset < u.end), None)
