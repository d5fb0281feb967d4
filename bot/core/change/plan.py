"""Decides which sessions are over and which event blocks leave "Upcoming" with them."""

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from bot.core.dates.resolve import DateError, resolve
from bot.core.page import words
from bot.core.page.model import DatedSlot, EventBlock, Timeslot
from bot.core.settings import Settings


@dataclass(frozen=True)
class Plan:
    moves: tuple[DatedSlot, ...]  # oldest first, each with its words for the log
    resolved: tuple[DatedSlot, ...]  # every slot whose date the bot is sure of, moving or not
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
    moves: list[DatedSlot] = []
    resolved: list[DatedSlot] = []
    finished: list[EventBlock] = []
    warnings: list[str] = []
    for block in blocks:
        sure = True
        block_moves = []
        for slot in block.slots:
            dated, warning = _resolve(slot, block, settings, written_at, default_written_at)
            if dated is None:
                warnings.append(warning)
                sure = False
                continue
            resolved.append(dated)
            if dated.end < now - settings.grace:
                status_words = settings.cancelled_words if slot.not_held else ()
                try:
                    built = words.build(slot.readings, status_words, slot.labels)
                except words.Unbuildable as why:
                    warnings.append(f"line {slot.line.number}: {why}; left in place")
                    sure = False
                    continue
                block_moves.append(replace(dated, words=built))
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
) -> tuple[DatedSlot | None, str]:
    """The slot with every session on it resolved, or None and why when any is not sure:
    a slot moves with its last session, so one unsure session keeps the whole line."""
    written = written_at.get(slot.line.text, default_written_at)
    if slot.yearless and written is None:
        return None, (
            f"line {slot.line.number}: cannot tell from the page history when this "
            "yearless date was written; left in place"
        )
    try:
        sessions = [
            resolve(stated, written or default_written_at, settings.default_duration)
            for stated in slot.stated
        ]
    except DateError as error:
        return None, f"line {slot.line.number}: {error}; left in place"
    sessions.sort(key=lambda s: (s.start, s.end))
    return DatedSlot(slot, block, tuple(sessions)), ""


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
