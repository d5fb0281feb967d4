"""Reads the log of previous sessions the way its editors keep it, and finds where a moved session
belongs in it.

A log is a list (or a wikitable) of entries, newest or oldest first, maybe grouped under year
subheadings, with sub-bullets under some entries. Only the top-level items are entries; deeper
items and `:` lines under an entry belong to it. Dates are read lazily and remembered: on a log
of thousands of entries placement reads only the few at the ends of a group and those it passes.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from functools import lru_cache
from typing import Protocol

from bot.core import dates
from bot.core.dates import english, vocabulary
from bot.core.dates.lexer import T, Token
from bot.core.page import tables
from bot.core.page.model import LogPage
from bot.core.wikitext import pieces
from bot.core.wikitext.lines import Chunk, Kind, Line, lines_between
from bot.core.wikitext.patterns import LIST_MARKERS, LIST_PREFIX
from bot.core.wikitext.sections import heading_level, heading_title

#: A subheading that is a year and nothing else, as readers see it: `=== 2023 ===`.
_YEAR = re.compile(r"^(\d{4})$")


class Order(StrEnum):
    NEWEST_FIRST = "newest first"
    OLDEST_FIRST = "oldest first"


class Dated(Protocol):
    @property
    def start(self) -> datetime | None: ...


@lru_cache(maxsize=4096)
def entry_start(text: str) -> datetime | None:
    """When an entry's session started; only dates with a year order the log, and a yearless or
    unreadable one is stepped over."""
    body = LIST_PREFIX.sub("", text, count=1)
    session = dates.logged_start(body)
    if session is not None:
        return session.start
    return _month_start(body)


def _month_start(body: str) -> datetime | None:
    """An entry for a whole month ("June 2023: three calls on..."): it stands for the month, so
    it is ordered as the month's first moment, before the month's days in an oldest-first log
    and after them in a newest-first one."""
    try:
        toks, _ = dates.read(body)
    except pieces.Unreadable:
        return None
    words = [t for t in toks if t.kind not in (T.SPACE, T.QUOTES, T.FORMAT)][:2]
    if len(words) < 2 or words[0].kind is not T.WORD or words[1].kind is not T.NUMBER:
        return None
    month = vocabulary.MONTHS.get(words[0].word)
    year = words[1].text
    if month is None or len(year) != 4 or year[:2] not in ("19", "20"):
        return None
    return datetime(int(year), month, 1, tzinfo=UTC)


def depth(text: str) -> int:
    """How deep a list item is: 1 for `*` or `#`, 2 for `**`, `*:` or `#*`."""
    match = LIST_MARKERS.match(text)
    return len(match.group()) if match else 0


@dataclass(frozen=True)
class Entry:
    """A top-level item of the log, with the deeper items and `:` lines that belong to it."""

    line: Line
    last: Line  # its last line: itself, or its last sub-bullet

    @property
    def start(self) -> datetime | None:
        return entry_start(self.line.text)


@dataclass
class Group:
    """The entries under one year's or one month's subheading; an ungrouped log is one group
    without a heading. A month's group knows its year when its heading names it, when it stands
    under a year's subheading, or when its entries say it; else it is None."""

    year: int | None
    heading: Line | None
    entries: list[Entry] = field(default_factory=list)
    month: int | None = None

    @property
    def key(self) -> tuple[int, ...] | None:
        """Where the group stands in time: (year,) or (year, month); None when not known."""
        if self.year is None:
            return None
        return (self.year,) if self.month is None else (self.year, self.month)


@dataclass(frozen=True)
class Log:
    page: LogPage
    groups: tuple[Group, ...]
    grouped: bool  # whether the log has year subheadings

    @property
    def entries(self) -> list[Entry]:
        return [entry for group in self.groups for entry in group.entries]

    @property
    def by_month(self) -> bool:
        """Whether the log files its entries under month subheadings."""
        return any(g.month is not None for g in self.groups)

    def group_of(self, year: int, month: int | None = None) -> Group | None:
        """The group a session of that year (and month, in a log kept by month) goes in."""
        wanted = (year, month) if self.by_month else (year,)
        return next((g for g in self.groups if g.key == wanted), None)

    def entry_order(self, preferred: Group | None = None) -> Order:
        """The order of the entries, from the first and the last dated entry of a group (the one
        the entry goes into first); newest first, as the reference page, when no group tells."""
        groups = [preferred] if preferred is not None else []
        groups += [g for g in self.groups if g is not preferred]
        for group in groups:
            order = order_of([e.start for e in dated_ends(group.entries)])
            if order is not None:
                return order
        return Order.NEWEST_FIRST

    def group_order(self) -> Order:
        """The order of the year (or month) groups, from when they are; with one group, that of
        its entries."""
        keys = [g.key for g in self.groups if g.key is not None]
        if len(keys) >= 2 and keys[0] != keys[-1]:
            return Order.NEWEST_FIRST if keys[0] > keys[-1] else Order.OLDEST_FIRST
        return self.entry_order()


def dated_ends(entries: Sequence[Dated]) -> list[Dated]:
    """The first and the last entry with a date (reading from each end only as far as needed)."""
    first = next((i for i, e in enumerate(entries) if e.start is not None), None)
    if first is None:
        return []
    last = next(i for i in range(len(entries) - 1, first - 1, -1) if entries[i].start is not None)
    return [entries[first], entries[last]] if last != first else [entries[first]]


def order_of(starts: list[datetime | None]) -> Order | None:
    if len(starts) < 2 or starts[0] == starts[-1]:
        return None
    assert starts[0] is not None and starts[-1] is not None
    return Order.NEWEST_FIRST if starts[0] > starts[-1] else Order.OLDEST_FIRST


def read_log(page: LogPage) -> Log:
    """The log's entries, grouped by year subheadings when it has them."""
    items = [line for c in page.log_chunks if c.kind is Kind.ITEM for line in c.lines]
    top = min((depth(line.text) for line in items), default=1)
    groups = [Group(None, None)]
    level: int | None = None  # of the year subheadings
    for chunk in page.log_chunks:
        if chunk.kind is Kind.HEADING:
            line = chunk.first
            year = _year(line.text)
            month = _month(line.text)
            this = heading_level(line.text) or 0
            if year is not None:
                groups.append(Group(year, line))
                level = this
            elif month is not None:
                within = level is not None and this > level
                known = month[1] or (_year_above(groups) if within else None)
                groups.append(Group(known, line, month=month[0]))
            elif level is not None and this <= level:
                groups.append(Group(None, line))  # a section of its own, not a year's
            continue
        _add_entries(groups[-1], chunk, top)
    for group in groups:
        if group.month is not None and group.year is None:
            group.year = _year_of_entries(group)
    grouped = any(g.year is not None or g.month is not None for g in groups)
    kept = tuple(
        g for g in groups if g.year is not None or g.month is not None or g.entries or not grouped
    )
    return Log(page, kept or (Group(None, None),), grouped)


def _month(text: str) -> tuple[int, int | None] | None:
    """The month (and year) a subheading names and nothing else: "June", "June 2023"."""
    title = heading_title(text)
    words = (title or "").replace(",", " ").split()
    if not 1 <= len(words) <= 2 or words[0].casefold() not in vocabulary.MONTHS:
        return None
    if len(words) == 2 and not _YEAR.match(words[1]):
        return None
    return vocabulary.MONTHS[words[0].casefold()], int(words[1]) if len(words) == 2 else None


def _year_above(groups: list[Group]) -> int | None:
    """The year of the year subheading a month's subheading stands under."""
    return next((g.year for g in reversed(groups) if g.month is None and g.year is not None), None)


def _year_of_entries(group: Group) -> int | None:
    """The year a month's entries say, when they all say the same one."""
    years = {e.start.year for e in group.entries if e.start is not None}
    return years.pop() if len(years) == 1 else None


def _year(text: str) -> int | None:
    title = heading_title(text)
    match = _YEAR.match(title.strip()) if title is not None else None
    return int(match.group(1)) if match else None


def _add_entries(group: Group, chunk: Chunk, top: int) -> None:
    """Top-level items start entries, and so do the terms of a definition list (`;date`);
    deeper items, and `:` lines right after an entry, join the entry before them."""
    for line in chunk.lines:
        entries = group.entries
        joins = entries and entries[-1].last.number + 1 == line.number
        if (chunk.kind is Kind.ITEM and depth(line.text) <= top) or is_term(line.text):
            entries.append(Entry(line, line))
        elif joins and (chunk.kind is Kind.ITEM or line.text.startswith(":")):
            entries[-1] = Entry(entries[-1].line, line)


def is_term(text: str) -> bool:
    """A definition list's term at the top level (`;June 26, 2023`), which starts an entry."""
    return text.startswith(";") and not text.startswith(";;")


# --- where a session goes ------------------------------------------------------------------


def place(items: Sequence[Dated], start: datetime, order: Order) -> tuple[int, bool] | None:
    """Where a session starting at `start` goes among a group's entries (or a table's rows): the
    index of the item it goes next to, and whether after it; None when there are no items.
    Items without a date are stepped over.

    Newest first: before the first item that is strictly older (so sessions of one moment keep
    the order they have), else after the last. Oldest first, as an editor appends: after the last
    item that is not newer, else before the first. Each scan starts at the newest end, where new
    entries almost always go, so on a long log it stops after an item or two.
    """
    if not items:
        return None
    if order is Order.NEWEST_FIRST:
        for i, item in enumerate(items):
            if item.start is not None and item.start < start:
                return i, False
        return len(items) - 1, True
    for i in range(len(items) - 1, -1, -1):
        when = items[i].start
        if when is not None and when <= start:
            return i, True
    return 0, False


def log_lines(page: LogPage) -> list[Line]:
    """Every line of the log after its heading (tables and blank lines included)."""
    return lines_between(page.text, page.log.body_start, page.log.end, page.log.heading.line + 1)


# --- a log kept as a wikitable ---------------------------------------------------------------


@dataclass(frozen=True)
class DatedRow:
    """A row of the log's table, with when its session started (read when asked for)."""

    row: tables.Row
    date_column: int

    @property
    def start(self) -> datetime | None:
        if self.date_column >= len(self.row.cells):
            return None
        return entry_start(self.row.cells[self.date_column].text)


def read_table(page: LogPage) -> tables.Table | None:
    """The log's first wikitable, when the log has one; raises tables.TableError when it has
    no header row naming a date column, since then the bot cannot tell where a date would go."""
    if "{|" not in page.text[page.log.body_start : page.log.end]:
        return None
    found = tables.tables(log_lines(page))
    return tables.read(found[0], "the log's table") if found else None


def dated_rows(table: tables.Table) -> list[DatedRow]:
    return [DatedRow(row, table.date_column) for row in table.rows]


def table_order(table: tables.Table) -> Order:
    rows = dated_rows(table)
    return order_of([r.start for r in dated_ends(rows)]) or Order.NEWEST_FIRST


def table_style(table: tables.Table) -> english.Style:
    """How the table's date cells write their dates."""
    column = table.date_column
    found = [
        style
        for row in table.rows[:_STYLE_SAMPLE]
        if column < len(row.cells) and (style := written_style(row.cells[column].text))
    ]
    return max(found, key=found.count) if found else english.DEFAULT


# --- the log's own style of writing dates --------------------------------------------------

#: How many of the log's entries are looked at to learn its style: its newest ones say how
#: its editors write today.
_STYLE_SAMPLE = 5


def date_style(entries: Sequence[Entry]) -> english.Style:
    """How the log writes its dates, from its first dated entries (the most common style among
    them); the reference page's style when none is dated."""
    found: list[english.Style] = []
    for entry in entries:
        style = written_style(LIST_PREFIX.sub("", entry.line.text, count=1))
        if style is not None:
            found.append(style)
        if len(found) == _STYLE_SAMPLE:
            break
    if not found:
        return english.DEFAULT
    return max(found, key=found.count)


@lru_cache(maxsize=4096)
def written_style(body: str) -> english.Style | None:
    """The style of the date a line's lead writes, or None when it writes none."""
    try:
        toks, lead = dates.read(body)
    except pieces.Unreadable:
        return None
    if lead is None:
        return None
    used = sorted(lead.used)
    first = next((toks[i] for i in used if _starts_date(toks[i])), None)
    if first is None:
        return None
    if first.kind is T.NUMBER:
        order = english.Order.ISO if len(first.text) == 4 else english.Order.DAY_FIRST
    else:
        order = english.Order.MONTH_FIRST
    bold = any(toks[i].kind is T.QUOTES and toks[i].text == "'''" for i in used)
    dash = next((toks[i].text for i in used if toks[i].text in ("\u2013", "\u2014")), "\u2013")
    return english.Style(order, bold, dash)


def _starts_date(token: Token) -> bool:
    return token.kind is T.NUMBER or (token.kind is T.WORD and token.word in vocabulary.MONTHS)
