"""Wikitables as editors keep sessions in them: a header row naming the columns, then a row
per session, its cells on one line (`| a || b`) or one per line.

A row under "Upcoming" is a slot of its own (its date cell is its lead); a table in the log
takes new rows in its own columns. Columns are known by what their header names, wherever they
stand: the date, the weekday, the time, the topic, the host, notes, recording, slides, and the
join link (never carried into the log).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.core.wikitext.lines import Line
from bot.core.wikitext.patterns import (
    CELL_ATTRIBUTES,
    TABLE_CAPTION,
    TABLE_CLOSE,
    TABLE_OPEN,
    TABLE_ROW,
)

_SORT_VALUE = re.compile(r"data-sort-value\s*=", re.IGNORECASE)


class Column(StrEnum):
    """What a column holds, as its header names it."""

    DATE = "date"
    DAY = "day"
    TIME = "time"
    TOPIC = "topic"
    HOST = "host"
    NOTES = "notes"
    RECORDING = "recording"
    SLIDES = "slides"
    JOIN = "join"


#: Header words by what they name; the first column that names a kind is that kind's.
_HEADER_WORDS: dict[Column, tuple[str, ...]] = {
    Column.JOIN: ("join", "link to", "zoom", "meeting link", "call link", "how to join"),
    Column.DATE: ("date", "when"),
    Column.DAY: ("day", "weekday"),
    Column.TIME: ("time", "hours"),
    Column.RECORDING: ("recording", "video", "watch"),
    Column.SLIDES: ("slides", "presentation", "slide deck"),
    Column.NOTES: ("notes", "etherpad", "minutes", "log", "summary", "documentation", "links"),
    Column.HOST: ("who", "host", "speaker", "presenter", "facilitator", "led by", "people"),
    Column.TOPIC: (
        "topic",
        "subject",
        "title",
        "session",
        "event",
        "theme",
        "description",
        "agenda",
        "meeting",
        "talk",
    ),
}


class TableError(ValueError):
    """A table whose columns the bot cannot map; carries the line to name."""

    def __init__(self, reason: str, line: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Cell:
    attributes: str  # as written before the cell's `|`, without it ("" for none)
    text: str  # the cell's wikitext, stripped

    @property
    def sort_value(self) -> bool:
        return _SORT_VALUE.search(self.attributes) is not None


@dataclass(frozen=True)
class Row:
    lines: tuple[Line, ...]  # its `|-` line when it has one, then its cell lines
    cells: tuple[Cell, ...]

    @property
    def separated(self) -> bool:
        return TABLE_ROW.match(self.lines[0].text) is not None


@dataclass(frozen=True)
class Table:
    open: Line
    close: Line
    header: Line | None
    columns: tuple[str, ...]  # as readers see them, lower case
    rows: tuple[Row, ...]
    inline: bool  # whether rows keep their cells on one line, `| a || b`

    @property
    def sortable(self) -> bool:
        return "sortable" in self.open.text

    @property
    def sort_values(self) -> bool:
        """Whether its rows give their date cell a sort value, so a new row needs one too (a
        sort value on one row alone would sort it apart from rows sorted by their text)."""
        column = self.date_column
        return any(row.cells[column].sort_value for row in self.rows if column < len(row.cells))

    @property
    def date_column(self) -> int:
        found = self.column(Column.DATE)
        if found is None:
            found = self.column(Column.DAY)
        assert found is not None, "read() refuses a table without a date column"
        return found

    def column(self, kind: Column) -> int | None:
        """The column whose header names `kind`; the date's own column is no other kind's."""
        taken = {self.column_of(k) for k in _HEADER_WORDS if k is not kind and _before(k, kind)}
        found = self.column_of(kind, exclude=taken)
        return found

    def column_of(self, kind: Column, exclude: set[int | None] | None = None) -> int | None:
        """The first column named by the first of the kind's words that names any."""
        for word in _HEADER_WORDS[kind]:
            for i, name in enumerate(self.columns):
                if (not exclude or i not in exclude) and _names(name, word):
                    return i
        return None


def names_kind(header: str, kind: Column) -> bool:
    """Whether a header (or a label: "host", "recording") names that kind of column."""
    return any(_names(header, word) for word in _HEADER_WORDS[kind])


def _before(other: Column, kind: Column) -> bool:
    """Kinds are matched in the order of _HEADER_WORDS: "Link to join" is the join column even
    though "link" names notes too."""
    order = list(_HEADER_WORDS)
    return order.index(other) < order.index(kind)


def _names(header: str, word: str) -> bool:
    return re.search(rf"\b{re.escape(word)}", header) is not None


def tables(lines: Sequence[Line]) -> list[Table]:
    """Every wikitable among the lines (not nested ones), in order."""
    found = []
    i = 0
    while i < len(lines):
        if TABLE_OPEN.match(lines[i].text):
            table, i = _read(lines, i)
            found.append(table)
        else:
            i += 1
    return found


def _read(lines: Sequence[Line], opened: int) -> tuple[Table, int]:
    header: Line | None = None
    columns: list[str] = []
    rows: list[list[Line]] = []
    cells: list[list[Cell]] = []
    separator: Line | None = None
    for j in range(opened + 1, len(lines)):
        line = lines[j]
        text = line.text.strip()
        if TABLE_OPEN.match(text):
            raise TableError("a table inside the table", line.number)
        if TABLE_CLOSE.match(text):
            inline = not rows or any("||" in x.text for x in rows[0])
            table = Table(
                lines[opened],
                line,
                header,
                tuple(columns),
                tuple(Row(tuple(r), tuple(c)) for r, c in zip(rows, cells, strict=True)),
                inline,
            )
            return table, j + 1
        if TABLE_ROW.match(text):
            separator = line
        elif text.startswith("!") and not rows:
            header = header or line
            columns += [_header(c) for c in _split(text[1:], ("!!", "||"))]
        elif text.startswith("|") and not TABLE_CAPTION.match(text):
            if separator is not None or not rows:
                rows.append([separator] if separator is not None else [])
                cells.append([])
                separator = None
            rows[-1].append(line)
            cells[-1] += [_cell(c) for c in _split(text[1:], ("||",))]
        elif text and rows:
            rows[-1].append(line)  # a cell's text that runs on over several lines
    raise TableError("the table is not closed with |}", lines[opened].number)


def _split(text: str, separators: tuple[str, ...]) -> list[str]:
    """Cells split at `||` (or `!!`) outside links and templates."""
    parts, depth, at, i = [], 0, 0, 0
    while i < len(text):
        pair = text[i : i + 2]
        if pair in ("[[", "{{"):
            depth += 1
            i += 2
        elif pair in ("]]", "}}"):
            depth = max(depth - 1, 0)
            i += 2
        elif depth == 0 and pair in separators:
            parts.append(text[at:i])
            i += 2
            at = i
        else:
            i += 1
    parts.append(text[at:])
    return parts


def _cell(cell: str) -> Cell:
    attributes = CELL_ATTRIBUTES.match(cell)
    if attributes is None:
        return Cell("", cell.strip())
    return Cell(attributes.group(1).strip(), cell[attributes.end() :].strip())


def _header(cell: str) -> str:
    text = _cell(cell).text
    text = re.sub(r"<[^<>]*>|\[\[(?:[^|\]]*\|)?|\]\]|'{2,}", "", text)
    return " ".join(text.split()).casefold()


def read(table: Table, name: str = "the table") -> Table:
    """The table, refused (TableError) when the bot cannot tell where a date goes; `name` says
    which table in the reason."""
    if table.header is None:
        raise TableError(f"{name} has no header row (`! Date !! Topic`)", table.open.number)
    if table.column_of(Column.DATE) is None and table.column_of(Column.DAY) is None:
        names = ", ".join(table.columns)
        raise TableError(
            f"no column of {name} reads as the date (columns: {names})", table.header.number
        )
    return table
