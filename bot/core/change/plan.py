"""Decides which sessions are over and which event blocks leave "Upcoming" with them."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core import dates
from bot.core.page.model import EventBlock, Session, Timeslot, When
from bot.core.settings import Settings


@dataclass(frozen=True)
class Plan:
    moves: tuple[Session, ...]  # oldest first
    resolved: tuple[Session, ...]  # every timeslot whose date the bot is sure of, moving or not
    finished: tuple[EventBlock, ...]  # blocks whose last session moves: they leave whole
    warnings: tuple[str, ...]


def plan(
    blocks: list[EventBlock],
    now: datetime,
    settings: Settings,
    written_at: Mapping[str, datetime | None],
    default_written_at: datetime,
) -> Plan:
    """Sessions whose end lies more than the grace period before `now`.

    A yearless date is read against when its line was written (`written_at`, by line text,
    else `default_written_at`; None when history could not tell); a date the bot cannot be
    sure of is never moved.
    """
    moves: list[Session] = []
    resolved: list[Session] = []
    finished: list[EventBlock] = []
    warnings: list[str] = []
    for block in blocks:
        sure = True
        block_moves = []
        for slot in block.slots:
            session, warning = _resolve(slot, block, settings, written_at, default_written_at)
            if session is None:
                warnings.append(warning)
                sure = False
                continue
            resolved.append(session)
            if session.end < now - settings.grace:
                block_moves.append(session)
        moves.extend(block_moves)
        if sure and not block.undated and len(block_moves) == len(block.slots):
            finished.append(block)
            warnings.extend(_unsure_warnings(block))
    moves.sort(key=lambda s: (s.start, s.slot.line.number))
    return Plan(tuple(moves), tuple(resolved), tuple(finished), tuple(warnings))


def _resolve(
    slot: Timeslot,
    block: EventBlock,
    settings: Settings,
    written_at: Mapping[str, datetime | None],
    default_written_at: datetime,
) -> tuple[Session | None, str]:
    """The slot with every session on it resolved, or None and why when any is not sure:
    a slot moves with its last session, so one unsure session keeps the whole line."""
    written = written_at.get(slot.line.text, default_written_at)
    times = []
    for mention in slot.mentions:
        if mention.year is None and written is None:
            return None, (
                f"line {slot.line.number}: cannot tell from the page history when this "
                "yearless date was written; left in place"
            )
        try:
            day = dates.resolve(mention, written or default_written_at)
        except dates.DateError as error:
            return None, f"line {slot.line.number}: {error}; left in place"
        start, end = dates.session(mention, day, settings.default_duration)
        times.append(When(start, end, mention.start_time is not None, mention.end_time is not None))
    times.sort(key=lambda when: (when.start, when.end))
    return Session(slot, block, tuple(times)), ""


def _unsure_warnings(block: EventBlock) -> list[str]:
    title = repr(block.title) if block.title else f"the list at line {block.items.first.number}"
    return [
        f"line {chunk.first.number}: kept the paragraph {_excerpt(chunk.first.text)}: "
        f"cannot tell whether it belongs to {title}"
        for chunk in block.unsure
    ]


def _excerpt(text: str, width: int = 50) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[: width - 1] + "…")
