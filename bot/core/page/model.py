"""The page model: what the bot understands of a page, from its two sections to each timeslot."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.core.dates import Mention
from bot.core.wikitext.lines import Chunk, Line
from bot.core.wikitext.sections import Section
from bot.core.wikitext.translate_markup import Markup


@dataclass(frozen=True)
class Timeslot:
    """One list item under "Upcoming" that names when its sessions take place.

    A line may hold several sessions ("June 26 @ 12:00 UTC and 17:00 UTC"); the slot leaves
    with its last one. The lines it owns (its sub-bullets, the rest of a unit that runs on from
    it) leave with it, so nothing of it stays behind under the next announcement.
    """

    line: Line
    mentions: tuple[Mention, ...]
    #: The marker id of the unit that opens on the line ("24" for `<!--T:24-->`); it moves with
    #: the slot into a log of units.
    marker: str | None
    #: Lines after `line` that belong to it: sub-bullets, the rest of its translation unit.
    owned: tuple[Line, ...] = ()
    #: "cancelled", "postponed" ...: the word that marks a session that was not held.
    status: str | None = None
    #: The slot's own words, as wikitext taken from the page: the line without its dates, join
    #: details, list prefix and translate markup.
    own_text: str = ""
    #: The texts of its sub-bullets and continuation lines, join details left out.
    notes: tuple[str, ...] = ()

    @property
    def mention(self) -> Mention:
        """The first session on the line."""
        return self.mentions[0]

    @property
    def lines(self) -> tuple[Line, ...]:
        """Every line that leaves "Upcoming" when the slot moves."""
        return (self.line, *self.owned)


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
    def items(self) -> Chunk:
        """The first list, which names the block in messages."""
        return self.lists[0]


@dataclass(frozen=True)
class LogEntry:
    line: Line
    #: When the logged session started, for ordering; None when the line's date can't be read.
    start: datetime | None


@dataclass(frozen=True)
class When:
    """One session of a timeslot, resolved: a day without a time runs from midnight to
    midnight (UTC), a range of days to the end of its last day."""

    start: datetime
    end: datetime
    has_time: bool
    has_end: bool

    @property
    def last_day(self) -> date:
        """The day the session ends on, for "August 16-19, 2023"."""
        if self.has_time:
            return self.end.date()
        return (self.end - timedelta(microseconds=1)).date()


@dataclass(frozen=True)
class Session:
    """A timeslot with its dates resolved: it starts with its first session, ends with its last."""

    slot: Timeslot
    block: EventBlock
    times: tuple[When, ...]

    @property
    def start(self) -> datetime:
        return self.times[0].start

    @property
    def end(self) -> datetime:
        return max(when.end for when in self.times)

    @property
    def has_time(self) -> bool:
        return self.times[0].has_time

    @property
    def has_end(self) -> bool:
        return self.times[0].has_end


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
