"""What a run did, as an edit summary for the page history and a report for people and scripts."""

import calendar
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.core.page.model import DatedSlot

_MAX_DATES_IN_SUMMARY = 8


@dataclass(frozen=True)
class Result:
    text: str  # the page as the bot would save it (the input when nothing changes)
    moves: tuple[DatedSlot, ...] = ()
    #: Texts of the paragraphs of finished blocks, removed with their last session.
    dropped_paragraphs: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    moved_units: tuple[str, ...] = ()
    changed_units: tuple[str, ...] = ()
    dropped_units: tuple[str, ...] = ()
    placeholder: bool = False
    #: Moved slots whose session the log already had: they left without a second entry.
    logged_already: tuple[str, ...] = ()
    summary: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", summary(self.moves))

    @property
    def changed(self) -> bool:
        return bool(self.moves)

    def as_json(self) -> dict[str, object]:
        return {
            "changed": self.changed,
            "summary": self.summary,
            "moved": [
                {
                    "start": iso(s.start),
                    "text": s.slot.line.text,
                    "lines": [line.text for line in s.slot.lines],
                }
                for s in self.moves
            ],
            "retired": list(self.dropped_paragraphs),
            "logged_already": list(self.logged_already),
            "warnings": list(self.warnings),
            "units": {
                "moved": list(self.moved_units),
                "changed": list(self.changed_units),
                "retired": list(self.dropped_units),
            },
        }


def summary(moves: tuple[DatedSlot, ...]) -> str:
    """`Bot: moved 2 past conversation hours to the log (26 June 2023, 30 June 2023)`."""
    if not moves:
        return ""
    days = [readable_date(s.start) for s in moves]
    if len(days) > _MAX_DATES_IN_SUMMARY:
        days = [*days[: _MAX_DATES_IN_SUMMARY - 1], f"{len(days) - _MAX_DATES_IN_SUMMARY + 1} more"]
    noun = "conversation hour" if len(moves) == 1 else "conversation hours"
    return f"Bot: moved {len(moves)} past {noun} to the log ({', '.join(days)})"


def readable_date(moment: datetime) -> str:
    return f"{moment.day} {calendar.month_name[moment.month]} {moment.year}"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
