"""The page model: what the bot understands of a page, from its two sections to each slot."""

import re
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property

from bot.core.dates.grammar import Stated
from bot.core.dates.resolve import Session
from bot.core.page.slots import LineReading
from bot.core.page.words import SlotWords
from bot.core.wikitext.lines import Chunk, Kind, Line
from bot.core.wikitext.sections import Section
from bot.core.wikitext.translate_markup import Markup


@dataclass(frozen=True)
class Timeslot:
    """One slot under "Upcoming": a list item that states when its sessions take place.

    A line may hold several sessions ("June 26 @ 12:00 UTC and 17:00 UTC"); the slot leaves
    with its last one. The lines it owns (its sub-bullets, the rest of a unit that runs on from
    it) leave with it, so nothing of it stays behind under the next announcement.
    """

    line: Line
    #: The sessions its lead (and its sub-bullets that are sessions) state, as written.
    stated: tuple[Stated, ...]
    #: The marker id of the unit that opens on the line ("24" for `<!--T:24-->`); it moves with
    #: the slot into a log of units.
    marker: str | None
    #: Each of its lines as read (its own first, then `owned`): the entry is built from them.
    readings: tuple[LineReading, ...]
    #: Lines after `line` that belong to it: sub-bullets, the rest of its translation unit.
    owned: tuple[Line, ...] = ()
    #: "cancelled", "postponed" ...: the word that marks its sessions as not held.
    not_held: str | None = None
    #: For a table row, the column each reading stands in (None for the date cell).
    labels: tuple[str | None, ...] = ()
    #: For a session written as a template call, the template: the call moves whole.
    call: str | None = None

    @property
    def lines(self) -> tuple[Line, ...]:
        """Every line that leaves "Upcoming" when the slot moves."""
        return (self.line, *self.owned)

    @property
    def yearless(self) -> bool:
        """Whether a date of it has no year, so that when its line was written matters."""
        return any(s.first.year is None and s.moment is None for s in self.stated)

    @property
    def text(self) -> str:
        """Its sessions as its lead writes them, for messages."""
        return self.stated[0].text


@dataclass(frozen=True)
class EventBlock:
    """An announcement with its list of timeslots; it leaves "Upcoming" with its last timeslot."""

    title: str | None
    heading: Chunk | None  # a subheading that titles the block
    intro: tuple[Chunk, ...]  # announcement and description paragraphs
    #: Its lists: one, or several separated only by blank lines and unit markers (a block whose
    #: every slot is a translation unit of its own).
    lists: tuple[Chunk, ...]
    slots: tuple[Timeslot, ...]
    #: List items with no date the bot can trust; while any is there the block stays.
    undated: tuple[Line, ...]
    outro: tuple[Chunk, ...]  # paragraphs after the list that are about this block
    #: Paragraphs next to the block that may or may not be about it: always kept, and named.
    unsure: tuple[Chunk, ...]

    @property
    def tables(self) -> tuple[Chunk, ...]:
        """Its lists that are wikitables: their shell leaves with the block's last row."""
        return tuple(chunk for chunk in self.lists if chunk.kind is Kind.TABLE)

    @property
    def items(self) -> Chunk:
        """The first list, which names the block in messages."""
        return self.lists[0]


@dataclass(frozen=True)
class DatedSlot:
    """A slot with its sessions resolved: it starts with its first session, ends with its last."""

    slot: Timeslot
    block: EventBlock
    sessions: tuple[Session, ...]
    #: Its words for the log entry, built only for a slot that moves.
    words: SlotWords | None = None

    @property
    def start(self) -> datetime:
        return self.sessions[0].start

    @property
    def end(self) -> datetime:
        return max(session.end for session in self.sessions)

    @property
    def has_time(self) -> bool:
        return self.sessions[0].has_time

    @property
    def has_end(self) -> bool:
        return self.sessions[0].has_end


@dataclass(frozen=True, kw_only=True)
class LogPage:
    """A page as the writer of its log sees it: the text, its Translate markup, its log section.
    An archive page is this and no more: a log, and no "Upcoming" for the bot to read."""

    text: str
    markup: Markup
    log: Section
    log_chunks: list[Chunk]
    #: Comments, opaque elements, and templates and tags over several lines in the sections
    #: read, sorted: nothing is ever written inside one.
    spans: tuple[tuple[int, int], ...] = ()

    @cached_property
    def line_starts(self) -> list[int]:
        """The offset where each line starts (line n at index n - 1)."""
        return [0, *(found.end() for found in re.finditer("\n", self.text))]

    @property
    def uses_translate(self) -> bool:
        return bool(self.markup.blocks)


@dataclass(frozen=True, kw_only=True)
class Page(LogPage):
    """The page the bot moves sessions on: its log, and its "Upcoming" read into blocks."""

    upcoming: Section
    upcoming_heading: Line
    upcoming_lines: list[Line]
    hidden: frozenset[int]  # lines of "Upcoming" inside comments or pre: never touched
    blocks: list[EventBlock]
    warnings: list[str]
