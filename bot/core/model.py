"""What the bot understands of the page: event blocks with their timeslots, and log entries."""

from dataclasses import dataclass
from datetime import datetime

from bot.core.dates import Mention
from bot.core.lines import Chunk, Line


@dataclass(frozen=True)
class Timeslot:
    """One list item under "Upcoming" that names when a session takes place."""

    line: Line
    mention: Mention
    #: The unit's marker id when it has one ("24" for `<!--T:24-->`).
    marker: str | None


@dataclass(frozen=True)
class EventBlock:
    """An announcement with its list of timeslots; it leaves "Upcoming" with its last timeslot."""

    title: str | None
    heading: Chunk | None  # a subheading that titles the block
    intro: tuple[Chunk, ...]  # announcement and description paragraphs
    items: Chunk  # the list
    slots: tuple[Timeslot, ...]
    #: List items with no date the bot can trust; while any is there the block stays.
    undated: tuple[Line, ...]
    outro: tuple[Chunk, ...]  # paragraphs after the list that are about this block
    #: Paragraphs next to the block that may or may not be about it: always kept, and named.
    unsure: tuple[Chunk, ...]


@dataclass(frozen=True)
class LogEntry:
    line: Line
    #: When the logged session started, for ordering; None when the line's date can't be read.
    start: datetime | None


@dataclass(frozen=True)
class Session:
    """A timeslot with its date resolved."""

    slot: Timeslot
    block: EventBlock
    start: datetime
    end: datetime
    has_time: bool
    has_end: bool
