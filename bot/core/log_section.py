"""Reads the log of previous sessions and finds where a moved session belongs in it."""

from datetime import UTC, datetime

from bot.core import dates
from bot.core.lines import Chunk, Kind
from bot.core.model import LogEntry


def read_entries(chunks: list[Chunk]) -> list[LogEntry]:
    """Every list item of the log section, in page order, with its start when it can be read."""
    return [
        LogEntry(line, _start(line.text)) for c in chunks if c.kind is Kind.ITEM for line in c.lines
    ]


def _start(text: str) -> datetime | None:
    """Only dates with a year order the log; a yearless or unreadable one is stepped over."""
    try:
        mention = dates.find(text)
        if mention is None or mention.year is None:
            return None
        day = dates.resolve(mention, datetime(mention.year, 1, 1, tzinfo=UTC))
        return dates.session(mention, day)[0]
    except dates.DateError:
        return None


def insertion_index(entries: list[LogEntry], start: datetime) -> int:
    """Index of the entry a session starting at `start` goes before, newest first.

    The first entry that is strictly older wins, so sessions of the same moment keep the order
    they already have and a rerun finds nothing to reorder; past the last entry when none is older.
    """
    for i, entry in enumerate(entries):
        if entry.start is not None and entry.start < start:
            return i
    return len(entries)
