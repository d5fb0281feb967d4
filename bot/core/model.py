"""The page model: what the bot understands of a page, from its two sections to each timeslot."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.core.dates import Mention
from bot.core.lines import Chunk, Line
from bot.core.sections import Section
from bot.core.translate import Markup


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


@dataclass(frozen=True)
class Page:
    text: str
    markup: Markup
    upcoming: Section
    upcoming_heading: Line
    upcoming_lines: list[Line]
    hidden: frozenset[int]  # lines of "Upcoming" inside comments or pre: never touched
    blocks: list[EventBlock]
    log: Section
    log_chunks: list[Chunk]
    entries: Sequence[LogEntry]  # read lazily: placement needs only a few dates
    warnings: list[str]

    @property
    def uses_translate(self) -> bool:
        return bool(self.markup.blocks)
