"""Reads the "Upcoming" section into event blocks.

An event block is one or more lists whose items carry dates (lists separated only by blank
lines and unit markers are one block: each slot may be a translation unit of its own), the
announcement before it (a paragraph that opens with bold text, or a subheading), any description
between the two, and paragraphs after the list that are about the same event. Every list's
announcement is read first, so a paragraph that announces a list of its own is never taken for
the outro of the block before it. The bot only claims a paragraph it can tie to the event;
anything else stays where it is, so standing text is never retired by accident.
"""

import bisect
import re
from dataclasses import dataclass, field, replace

from bot.core.page import calls, tables
from bot.core.page.model import EventBlock, Timeslot
from bot.core.page.slots import Unsure, names_date, read_line, read_slot, status_word
from bot.core.settings import Settings
from bot.core.wikitext.lines import Chunk, Kind, Line, chunks, kind_of
from bot.core.wikitext.patterns import (
    BOLD_LEAD,
    DEFINITION_LINE,
    LEADING_GLUE,
    LIST_MARKERS,
    LIST_PREFIX,
)
from bot.core.wikitext.pieces import Unreadable
from bot.core.wikitext.sections import heading_title, plain_title
from bot.core.wikitext.translate_markup import Unit

_WORD = re.compile(r"\w+")
# Words that every block on such a page shares, so they say nothing about which event is meant.
_COMMON = frozenset(
    (
        "the a an and or of on in for to with about our your this that from at by is are be will "
        "conversation conversations hour hours session sessions call calls event events upcoming "
        "meeting meetings ad hoc join more"
    ).split(" ")
)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+")
#: Words that make a sentence a supposition, not a notice: "if a call is cancelled".
_SUPPOSING = re.compile(
    r"\b(?:if|unless|may|might|could|would|should|whether|case|when|whenever)\b", re.IGNORECASE
)
#: A zone named in a time column's header: "Time (UTC)", "time, utc".
_ZONE_IN_HEADER = re.compile(r"\b(utc|gmt)\b")
_ZONED = re.compile(r"\b(?:UTC|GMT)\b|[A-Z]{2,4}T\b")
#: English month names and their abbreviations ("Sept" too): the page is English.
_MONTH_NAMES = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
#: A subheading that only groups blocks by month ("July 2023", "June-July"): no event's topic.
_MONTH_HEADING = re.compile(
    rf"^(?:(?:{_MONTH_NAMES})\.?|(?:19|20)[0-9]{{2}}|and|to|&|[\s,/\-\u2013\u2014])+$",
    re.IGNORECASE,
)


@dataclass
class _List:
    """A list under "Upcoming" as read: its slots, and the lines the bot cannot date."""

    chunk: Chunk
    slots: list[Timeslot] = field(default_factory=list)
    undated: list[Line] = field(default_factory=list)
    #: Whether any item names a date (trusted or not): only such lists make event blocks.
    dated: bool = False


@dataclass
class _Reader:
    lines: list[Line]
    hidden: frozenset[int]
    units: tuple[Unit, ...]
    settings: Settings
    log_templates: frozenset[str]
    warnings: list[str] = field(default_factory=list)
    #: Lines a slot owns beyond its list (the rest of its unit): not read as paragraphs.
    absorbed: set[int] = field(default_factory=set)
    #: Units that open on a slot left in place and run on over other items, with that line:
    #: the items inside stay too, or the unit would lose its marker or be split.
    held: list[tuple[Unit, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.by_number = {line.number: line for line in self.lines}
        # Only the section's own units can hold a slot; the page may have thousands more.
        low, high = (self.lines[0].start, self.lines[-1].end) if self.lines else (0, 0)
        numbered = [u for u in self.units if u.marker and low <= u.start < high]
        self.marked = sorted((u.marker_span[0], u) for u in numbered if u.marker_span is not None)
        self.numbered = sorted(numbered, key=lambda u: u.start)
        self.starts = [u.start for u in self.numbered]


def read_blocks(
    lines: list[Line],
    hidden: frozenset[int],
    units: tuple[Unit, ...],
    heading: Line,
    settings: Settings,
    log_templates: frozenset[str] = frozenset(),
) -> tuple[list[EventBlock], list[str]]:
    """The event blocks of the section, and warnings naming each line the bot cannot place.
    `log_templates` names the templates the log's entries are calls of: a session written as
    a call of one of them moves into the log whole."""
    reader = _Reader(lines, hidden, units, settings, log_templates)
    found = [
        part
        for chunk in chunks(lines, hidden, tables=True)
        for part in _definition_lists_apart(chunk)
    ]
    read = [_read_list(reader, chunk) for chunk in found if _is_list(chunk)]
    found_left = [c for c in found if c.first.number not in reader.absorbed]
    index = {c.first.number: i for i, c in enumerate(found_left)}
    lists = {index[c.chunk.first.number]: c for c in read if c.chunk.first.number in index}
    groups = _groups(lists)
    blocks = _blocks(found_left, lists, groups, settings)
    reader.warnings.extend(_unplaced(reader, found_left, blocks, lists, heading))
    return blocks, reader.warnings


def _definition_lists_apart(chunk: Chunk) -> list[Chunk]:
    """A paragraph and the definition list (`;`/`:`) written right under it, as two chunks."""
    if chunk.kind is not Kind.TEXT:
        return [chunk]
    parts: list[list[Line]] = []
    for line in chunk.lines:
        if parts and bool(DEFINITION_LINE.match(line.text)) == bool(
            DEFINITION_LINE.match(parts[-1][0].text)
        ):
            parts[-1].append(line)
        else:
            parts.append([line])
    return [Chunk(Kind.TEXT, tuple(part)) for part in parts]


def _is_list(chunk: Chunk) -> bool:
    return (
        chunk.kind in (Kind.ITEM, Kind.TABLE)
        or _is_calls(chunk)
        or (
            chunk.kind is Kind.TEXT
            and all(DEFINITION_LINE.match(line.text) for line in chunk.lines)
        )
    )


# --- the items of a list --------------------------------------------------------------------


def _read_list(reader: _Reader, chunk: Chunk) -> _List:
    """Each item with its sub-items: a deeper item (`**` under `*`, `:` under `;`) belongs to
    the item above it and goes where it goes."""
    read = _List(chunk)
    if chunk.kind is Kind.TABLE:
        _read_table(reader, read)
        return read
    if _is_calls(chunk):
        _read_calls(reader, read)
        return read
    items: list[list[Line]] = []
    for line in chunk.lines:
        if items and _deeper(line.text, items[-1][0].text):
            items[-1].append(line)
        else:
            items.append([line])
    if chunk.kind is Kind.TEXT:
        items = _session_groups(items, reader.settings)
    for item in items:
        _read_item(reader, read, item)
    return read


def _session_groups(items: list[list[Line]], settings: Settings) -> list[list[Line]]:
    """A definition list that writes one session as several terms (";Time" over its date, then
    ";Theme", ";Speakers" over theirs): the terms after a dated one, up to the next dated one,
    are that session's, and move with it."""
    groups: list[list[Line]] = []
    dated = False
    for item in items:
        states = _states_a_session(item, settings)
        if groups and dated and not states and item[0].text.startswith(";"):
            groups[-1].extend(item)
        else:
            groups.append(list(item))
            dated = states and item[0].text.startswith(";") and len(item) > 1
    return groups


def _states_a_session(item: list[Line], settings: Settings) -> bool:
    try:
        return any(read_line(line, settings.zone).lead is not None for line in item)
    except Unsure:
        return False


def _read_table(reader: _Reader, read: _List) -> None:
    """Each row of a table of sessions is a slot: its date cell (with the time cell, when the
    table has one) is its lead, its other cells its words; the join link's column stays out."""
    try:
        found = tables.tables(list(read.chunk.lines))
        table = tables.read(found[0]) if found else None
    except tables.TableError:
        table = None
    if table is None:
        return
    zone_words = _header_zone(table)
    for row in table.rows:
        try:
            slot = _row_slot(reader, table, row, zone_words)
        except Unsure as why:
            reader.warnings.append(f"line {row.lines[-1].number}: {why}; left in place")
            read.dated = True
            read.undated.extend(row.lines)
            continue
        if slot is None:
            read.undated.extend(row.lines)
            continue
        read.dated = True
        read.slots.append(slot)


def _is_calls(chunk: Chunk) -> bool:
    """Lines that are each a session written as a template call with a date parameter."""
    if chunk.kind is not Kind.TEXT or not chunk.first.text.lstrip().startswith("{{"):
        return False
    found = calls.calls(list(chunk.lines))
    return sum(len(c.lines) for c in found) == len(chunk.lines) and all(
        c.value(*calls.DATE_NAMES) is not None for c in found
    )


def _read_calls(reader: _Reader, read: _List) -> None:
    """Each call is a slot: its date and time parameters are its lead. It moves whole, and
    only into a log whose entries are calls of the same template."""
    settings = reader.settings
    for call in calls.calls(list(read.chunk.lines)):
        read.dated = True
        first = call.lines[0]
        if call.key not in reader.log_templates or call.multiline:
            reader.warnings.append(
                f"line {first.number}: a session written as the template {{{{{call.name}}}}} "
                "moves only into a log of the same template, one call a line; left in place"
            )
            read.undated.extend(call.lines)
            continue
        lead_text = call.value(*calls.DATE_NAMES) or ""
        time = call.value(*calls.TIME_NAMES)
        reading = read_line(
            replace(first, text=f"{lead_text}, {time}" if time else lead_text), settings.zone
        )
        if reading.lead is None or reading.lead.sessions[0].problem:
            reader.warnings.append(
                f"line {first.number}: its date parameter {lead_text!r} is no date the bot can "
                "trust; left in place"
            )
            read.undated.extend(call.lines)
            continue
        source = read_line(first, settings.zone)
        read.slots.append(
            Timeslot(
                line=first,
                stated=reading.lead.sessions,
                marker=None,
                readings=(source,),
                not_held=status_word([source], settings.cancelled_words),
                call=call.key,
            )
        )


def _header_zone(table: tables.Table) -> str:
    """The zone a time column's header names ("Time (UTC)"), for times written without one."""
    column = table.column(tables.Column.TIME)
    if column is None:
        return ""
    found = _ZONE_IN_HEADER.search(table.columns[column])
    return f" {found.group(1).upper()}" if found else ""


def _row_slot(
    reader: _Reader, table: tables.Table, row: tables.Row, zone_words: str
) -> Timeslot | None:
    settings = reader.settings
    date_column, time_column = table.date_column, table.column(tables.Column.TIME)
    join = table.column(tables.Column.JOIN)
    cells = row.cells
    if date_column >= len(cells):
        return None
    home = _cell_line(row, date_column)
    lead_text = cells[date_column].text
    if time_column is not None and time_column < len(cells) and cells[time_column].text:
        time_text = cells[time_column].text
        lead_text += ", " + time_text + (zone_words if not _ZONED.search(time_text) else "")
    first = read_line(replace(home, text=lead_text), settings.zone)
    if first.lead is None:
        if names_date(lead_text):
            raise Unsure("its date cell names a date the bot cannot read as the session's")
        return None
    if first.lead.sessions[0].problem:
        raise Unsure(first.lead.sessions[0].problem)
    skip = {date_column, time_column, join, table.column(tables.Column.DAY)}
    readings = [first]
    labels: list[str | None] = [None]
    for i, cell in enumerate(cells):
        if i in skip or not cell.text:
            continue
        readings.append(read_line(replace(_cell_line(row, i), text=cell.text), settings.zone))
        labels.append(table.columns[i] if i < len(table.columns) else None)
    status = status_word(readings, settings.cancelled_words)
    return Timeslot(
        line=home,
        stated=first.lead.sessions,
        marker=None,
        readings=tuple(readings),
        owned=tuple(line for line in row.lines if line.number != home.number),
        not_held=status,
        labels=tuple(labels),
    )


def _cell_line(row: tables.Row, column: int) -> Line:
    """The line a cell stands on: the row's one cell line, or the column's own line."""
    lines = [line for line in row.lines if not line.text.lstrip().startswith("|-")]
    return lines[min(column, len(lines) - 1)] if len(lines) > 1 else lines[0]


def _deeper(child: str, parent: str) -> bool:
    mine, theirs = _prefix(child), _prefix(parent)
    return len(mine) > len(theirs) or (
        len(mine) == len(theirs) and theirs.endswith(";") and mine.endswith(":")
    )


def _prefix(text: str) -> str:
    match = LIST_MARKERS.match(text)
    return match.group() if match else ""


def _read_item(reader: _Reader, read: _List, item: list[Line]) -> None:
    line, children = item[0], item[1:]
    settings = reader.settings
    try:
        slot = read_slot(line, children, settings.zone, settings.cancelled_words)
    except Unsure as why:
        reader.warnings.append(f"line {line.number}: {why}; left in place")
        read.dated = True
        read.undated.extend(item)
        return
    if slot is None:
        read.undated.extend(item)
        return
    read.dated = True
    held = next(((u, n) for u, n in reader.held if u.start <= line.start < u.end), None)
    if held is not None:
        reader.warnings.append(
            f"line {line.number}: inside the translation unit <!--T:{held[0].marker}--> that "
            f"opens on line {held[1]} and stays; left in place"
        )
        read.undated.extend(item)
        return
    marker, rest = _own_unit(reader, line, children)
    if rest is None:
        read.undated.extend(item)
        return
    try:
        more = tuple(read_line(x, settings.zone) for x in rest)
    except Unsure as why:
        reader.warnings.append(f"line {line.number}: {why}; left in place")
        read.undated.extend(item)
        return
    read.slots.append(
        Timeslot(
            line=line,
            stated=slot.stated,
            marker=marker,
            readings=(*slot.lines, *more),
            owned=(*children, *rest),
            not_held=slot.not_held,
        )
    )


def _own_unit(
    reader: _Reader, line: Line, children: list[Line]
) -> tuple[str | None, tuple[Line, ...] | None]:
    """The marker of the unit that opens on the line, and the lines past the item that unit
    runs on to (they move with it); None for those when the unit runs into text that is not
    the slot's, which the bot then leaves alone and names."""
    unit = _unit_on(reader, line)
    if unit is None:
        return _unit_around(reader, line, children), ()
    end_of_line = line.start + len(line.text)
    last = children[-1].number if children else line.number
    rest: list[Line] = []
    number = line.number + 1
    while unit.end > end_of_line and (next_line := reader.by_number.get(number)) is not None:
        if next_line.start >= unit.end:
            break
        kind = Kind.HIDDEN if number in reader.hidden else kind_of(next_line.text)
        if number > last and kind is Kind.TEXT:
            rest.append(next_line)
        elif number > last and kind is not Kind.GLUE:
            reader.warnings.append(
                f"line {line.number}: its translation unit <!--T:{unit.marker}--> runs on to "
                f"line {number}, which is not part of this session; left in place"
            )
            reader.held.append((unit, line.number))
            return unit.marker, None
        number += 1
    reader.absorbed.update(x.number for x in rest)
    return unit.marker, tuple(rest)


def _unit_around(reader: _Reader, line: Line, children: list[Line]) -> str | None:
    """The marker of a unit that holds the item and nothing else, its marker on a line of its
    own before it (`<!--T:3-->` above `* June 26 ...`): the slot is that unit."""
    i = bisect.bisect_right(reader.starts, line.start) - 1
    if i < 0:
        return None
    unit = reader.numbered[i]
    last = children[-1] if children else line
    if unit.end <= line.start or unit.end > last.start + len(last.text):
        return None
    before = reader.by_number.get(line.number - 1)
    while before is not None and before.end > unit.start:
        if kind_of(before.text) is not Kind.GLUE:
            return None  # the unit holds text above the item too
        before = reader.by_number.get(before.number - 1)
    return unit.marker


def _unit_on(reader: _Reader, line: Line) -> Unit | None:
    """The first unit whose marker stands on the line."""
    i = bisect.bisect_left(reader.marked, (line.start,), key=lambda pair: (pair[0],))
    if i < len(reader.marked) and reader.marked[i][0] < line.start + len(line.text):
        return reader.marked[i][1]
    return None


# --- lists into blocks ----------------------------------------------------------------------


def _groups(lists: dict[int, _List]) -> list[list[int]]:
    """Dated lists, with the dated lists that follow them directly (only blank lines or unit
    markers between) grouped into one block."""
    groups: list[list[int]] = []
    for i in sorted(lists):
        if not lists[i].dated:
            continue
        if groups and groups[-1][-1] == i - 1:
            groups[-1].append(i)
        else:
            groups.append([i])
    return groups


def _blocks(
    found: list[Chunk], lists: dict[int, _List], groups: list[list[int]], settings: Settings
) -> list[EventBlock]:
    claimed: set[int] = set()
    grouped = {i for group in groups for i in group}
    for i in lists:  # a paragraph that leads up to any list is that list's, even an undated one
        if i not in grouped:
            heading, intro, loose = _intro(found, i, claimed)
            claimed.update(
                c.first.number for c in (*intro, *loose, *([heading] if heading else []))
            )
    intros = []
    for group in groups:
        heading, intro, loose = _intro(found, group[0], claimed)
        intros.append((heading, intro, loose))
        # Every paragraph that leads up to a list is that list's: never another block's outro.
        claimed.update(c.first.number for c in (*intro, *loose, *([heading] if heading else [])))
    blocks = []
    for n, group in enumerate(groups):
        heading, intro, loose = intros[n]
        title = _title(heading, intro)
        limit = groups[n + 1][0] if n + 1 < len(groups) else len(found)
        outro, unsure = _outro(found, group[-1], limit, title, claimed)
        claimed.update(c.first.number for c in outro)
        said = _block_status((*intro, *outro), settings)
        slots = tuple(
            replace(s, not_held=s.not_held or said) for i in group for s in lists[i].slots
        )
        undated = tuple(line for i in group for line in lists[i].undated)
        blocks.append(
            EventBlock(
                title,
                heading,
                intro,
                tuple(lists[i].chunk for i in group),
                slots,
                undated,
                outro,
                (*loose, *unsure),
            )
        )
    return blocks


def _block_status(paragraphs: tuple[Chunk, ...], settings: Settings) -> str | None:
    """The word that marks the block's sessions as not held, when its announcement, notice or
    outro says so plainly ("this series of office hours is cancelled"); a sentence that only
    supposes it ("if a call is cancelled, ...") says nothing."""
    words = re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in settings.cancelled_words) + r")\b", re.I
    )
    for chunk in paragraphs:
        for line in chunk.lines:
            if not settings.cancelled_words or words.search(line.text) is None:
                continue
            for sentence in _SENTENCE.split(line.text):
                if _SUPPOSING.search(sentence):
                    continue
                try:
                    word = status_word(
                        [read_line(replace(line, text=sentence), settings.zone)],
                        settings.cancelled_words,
                    )
                except Unsure:
                    continue
                if word:
                    return word
    return None


def _intro(
    chunks: list[Chunk], i: int, claimed: set[int]
) -> tuple[Chunk | None, tuple[Chunk, ...], tuple[Chunk, ...]]:
    """The subheading and paragraphs that announce the list at `i`, and paragraphs left unsure."""
    paragraphs: list[Chunk] = []
    j = i - 1
    while j >= 0 and chunks[j].first.number not in claimed and chunks[j].kind is Kind.TEXT:
        paragraphs.insert(0, chunks[j])
        if bold_lead(chunks[j]) is not None:
            return _heading_before(chunks, j - 1, claimed), tuple(paragraphs), ()
        j -= 1
    heading = _heading_before(chunks, j, claimed)
    if heading is not None:
        return heading, tuple(paragraphs), ()
    return None, (), tuple(paragraphs)


def _heading_before(chunks: list[Chunk], j: int, claimed: set[int]) -> Chunk | None:
    if j >= 0 and chunks[j].first.number not in claimed and chunks[j].kind is Kind.HEADING:
        return chunks[j]
    return None


def _outro(
    chunks: list[Chunk], i: int, limit: int, title: str | None, claimed: set[int]
) -> tuple[tuple[Chunk, ...], tuple[Chunk, ...]]:
    """Paragraphs right after the list that open by naming its event, and the first one that
    might be about it; a paragraph that announces a later list is claimed already and ends it."""
    outro: list[Chunk] = []
    for j in range(i + 1, limit):
        chunk = chunks[j]
        if chunk.first.number in claimed or chunk.kind is not Kind.TEXT:
            break
        lead = bold_lead(chunk)
        if title and lead and _shares_words(lead, title):
            outro.append(chunk)
            continue
        if lead or (title and _shares_words(plain_title(paragraph_text(chunk)), title)):
            return tuple(outro), (chunk,)
        break
    return tuple(outro), ()


def bold_lead(chunk: Chunk) -> str | None:
    """The bold text a paragraph opens with, as readers see it ("About the Global Digital ...")."""
    first = LEADING_GLUE.sub("", chunk.first.text, count=1)
    match = BOLD_LEAD.match(first)
    if not match:
        return None
    return plain_title(match.group(1)).rstrip(" :.-\u2013\u2014") or None


def paragraph_text(chunk: Chunk) -> str:
    return "\n".join(line.text for line in chunk.lines)


def _title(heading: Chunk | None, intro: tuple[Chunk, ...]) -> str | None:
    if intro and (lead := bold_lead(intro[0])):
        return lead
    if heading is not None:
        title = heading_title(heading.first.text)
        return title if title and not _MONTH_HEADING.match(title) else None
    return None


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _COMMON and len(w) > 2}


def _shares_words(text: str, title: str) -> bool:
    return bool(_words(text) & _words(title))


# --- what the bot cannot place --------------------------------------------------------------


def _unplaced(
    reader: _Reader,
    found: list[Chunk],
    blocks: list[EventBlock],
    lists: dict[int, _List],
    heading: Line,
) -> list[str]:
    """Warnings for dated text outside every block (a paragraph, a heading, a table row), and
    for a section whose list items carry no date the bot can read at all."""
    placed = {
        line.number
        for block in blocks
        for chunk in (block.heading, *block.intro, *block.lists, *block.outro)
        if chunk is not None
        for line in chunk.lines
    }
    warnings = []
    for line in reader.lines:
        if line.number in placed or line.number in reader.hidden or line.number in reader.absorbed:
            continue
        kind = kind_of(line.text)
        text = heading_title(line.text) or "" if kind is Kind.HEADING else line.text
        if kind in (Kind.BLANK, Kind.GLUE) or not _names_a_date(text):
            continue
        what = {Kind.TABLE: "a table row", Kind.HEADING: "a heading"}.get(kind, "text")
        if kind is Kind.TABLE:
            warnings.append(
                f"line {line.number}: a date in {what}: the bot does not move table rows; "
                "left in place"
            )
        else:
            warnings.append(
                f"line {line.number}: a date in {what} that is no session list the bot can "
                "read; left in place"
            )
    items = any(c.kind is Kind.ITEM for c in found)
    if items and not any(read.dated for read in lists.values()):
        warnings.append(
            f"line {heading.number}: the list items under this heading carry no date the bot "
            "can read; nothing moves"
        )
    return warnings


def _names_a_date(text: str) -> bool:
    """Whether a line outside every slot names a date the bot could have read as a session."""
    try:
        return names_date(LIST_PREFIX.sub("", text, count=1))
    except Unreadable:
        return True
