"""A moved session as a row of the log's table: every word of its slot in the column that names
it, written as the table's own rows are.

The date goes in the date column in the table's style (its weekday in a Day column and its time
in a Time column when the table has them, a sort value when the table's rows carry one); a
slot's field goes to the column its label or cell names (host under "Who", notes where notes
go), a lone link to the column its kind fills (a recording, slides, notes); what no column
names goes with the notes, so no word is lost.
"""

import re

from bot.core.dates import english
from bot.core.dates.vocabulary import WEEKDAY_NAMES
from bot.core.page.model import DatedSlot
from bot.core.page.tables import Column, Table, names_kind
from bot.core.page.words import Field
from bot.core.wikitext.escape import escape_wikitext
from bot.core.wikitext.patterns import LONE_LINK

#: What a lone link's label or address says it is.
_KINDS = (
    (Column.RECORDING, re.compile(r"recording|video|watch|youtube|\.webm|\.ogv|vimeo", re.I)),
    (Column.SLIDES, re.compile(r"slides?\b|presentation|\.pdf|deck", re.I)),
    (Column.NOTES, re.compile(r"etherpad|notes|minutes|\blog\b|meta\.wikimedia", re.I)),
)
_SEPARATOR = "; "


def cells(dated: DatedSlot, table: Table, style: english.Style) -> list[str]:
    """The row's cells, one per column of the table."""
    out = [""] * len(table.columns)
    time_column = table.column(Column.TIME)
    out[table.date_column] = _date(dated, table, style, with_time=time_column is None)
    day_column = table.column(Column.DAY)
    if day_column is not None and day_column != table.date_column:
        out[day_column] = WEEKDAY_NAMES[dated.start.weekday()]
    if time_column is not None and dated.has_time:
        until = f"-{english.clock(dated.sessions[0].end)}" if dated.has_end else ""
        out[time_column] = f"{english.clock(dated.start)}{until} UTC"
    taken = {table.date_column, day_column, time_column}
    words = dated.words
    fields = list(words.fields) if words is not None else []
    topic = table.column(Column.TOPIC)
    if topic is not None and dated.block.title and not _names_topic(fields, table):
        fields.insert(0, Field("topic", str(escape_wikitext(dated.block.title))))
    for found in fields:
        _place(out, table, found, taken)
    return out


def _date(dated: DatedSlot, table: Table, style: english.Style, *, with_time: bool) -> str:
    if with_time:
        text = english.sessions(dated.sessions, style)
    else:
        session = dated.sessions[0]
        first, last = session.start.date(), session.last_day
        text = english.day(first, style) if first == last else english.days(first, last, style)
    if table.sort_values and style.order is not english.Order.ISO:
        return f'data-sort-value="{dated.start.date().isoformat()}" | {text}'
    return text


def _names_topic(fields: list[Field], table: Table) -> bool:
    topic = table.column(Column.TOPIC)
    return any(_column_of(table, f) == topic for f in fields if f.label is not None)


def _place(out: list[str], table: Table, found: Field, taken: set[int | None]) -> None:
    column = _column_of(table, found)
    if column is None or column in taken:
        column = _fallback(out, table, taken)
    out[column] = f"{out[column]}{_SEPARATOR}{found.text}" if out[column] else found.text


def _column_of(table: Table, found: Field) -> int | None:
    """The column a field belongs in: the one of its label's name, else of its label's kind,
    else of the kind of a lone link, else none."""
    if found.label is not None:
        if found.label in table.columns:
            return table.columns.index(found.label)
        for kind in Column:
            if kind is not Column.JOIN and names_kind(found.label, kind):
                return table.column(kind)
        return None
    if LONE_LINK.match(found.text):
        for kind, pattern in _KINDS:
            if pattern.search(found.text) and (column := table.column(kind)) is not None:
                return column
    return table.column(Column.TOPIC)


def _fallback(out: list[str], table: Table, taken: set[int | None]) -> int:
    """Where a field no column names goes: the notes, else the topic, else the last column."""
    for kind in (Column.NOTES, Column.TOPIC):
        column = table.column(kind)
        if column is not None and column not in taken:
            return column
    free = [i for i in range(len(out)) if i not in taken]
    return free[-1] if free else len(out) - 1


def lines(row: list[str], table: Table) -> list[str]:
    """The row's lines: one line of `||` cells, or a line per cell, as the table writes them."""
    if table.inline:
        return ["| " + " || ".join(row).rstrip()]
    return [f"| {cell}".rstrip() for cell in row]
