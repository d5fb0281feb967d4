"""Decides which sessions are over and which event blocks leave "Upcoming" with them."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core import dates
from bot.core.model import EventBlock, Session
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
            written = written_at.get(slot.line.text, default_written_at)
            if written is None:
                warnings.append(
                    f"line {slot.line.number}: cannot tell from the page history when this "
                    "yearless date was written; left in place"
                )
                sure = False
                continue
            try:
                day = dates.resolve(slot.mention, written)
            except dates.DateError as error:
                warnings.append(f"line {slot.line.number}: {error}; left in place")
                sure = False
                continue
            start, end = dates.session(slot.mention, day, settings.default_duration)
            session = Session(
                slot,
                block,
                start,
                end,
                has_time=slot.mention.start_time is not None,
                has_end=slot.mention.end_time is not None,
            )
            resolved.append(session)
            if end < now - settings.grace:
                block_moves.append(session)
        moves.extend(block_moves)
        if sure and not block.undated and len(block_moves) == len(block.slots):
            finished.append(block)
            warnings.extend(_unsure_warnings(block))
    moves.sort(key=lambda s: (s.start, s.slot.line.number))
    return Plan(tuple(moves), tuple(resolved), tuple(finished), tuple(warnings))


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
