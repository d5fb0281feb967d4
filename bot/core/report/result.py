"""What a run did, as an edit summary for the page history and a report for people and scripts."""

from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from bot.core.dates import english
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
    #: The title of the log section the entries went to.
    log_title: str | None = None
    #: The archive pages whose log received the entries instead of the page's own.
    archives: tuple[str, ...] = ()
    summary: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", summary(self.moves, self.archives))

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
            "archives": list(self.archives),
            "warnings": list(self.warnings),
            "units": {
                "moved": list(self.moved_units),
                "changed": list(self.changed_units),
                "retired": list(self.dropped_units),
            },
        }


class Called(StrEnum):
    """How a summary counts a session: held and over, or called off (`cancelled_words`)."""

    HELD = "past conversation hour"
    CALLED_OFF = "called-off session"


def summary(moves: tuple[DatedSlot, ...], archives: tuple[str, ...] = ()) -> str:
    """`Bot: moved 1 past conversation hour and 1 called-off session to the log (June 26, 2023;
    June 30, 2023, cancelled)`, or `to [[Page/Archive/2023]]` when the entries went to an
    archive. Dates are written as the log entry writes them (the one English writer); a session
    called off is named so."""
    if not moves:
        return ""
    where = " and ".join(f"[[{title}]]" for title in archives) if archives else "the log"
    return f"Bot: moved {_counted(moves)} to {where} ({_days(moves)})"


def archive_summary(moves: tuple[DatedSlot, ...], source: str) -> str:
    """An archive page's edit summary: `Bot: logged 1 past conversation hour from [[Page]]
    (June 26, 2023)`, naming the sessions it received an entry for."""
    if not moves:
        return ""
    return f"Bot: logged {_counted(moves)} from [[{source}]] ({_days(moves)})"


def _counted(moves: tuple[DatedSlot, ...]) -> str:
    """`1 past conversation hour and 2 called-off sessions`."""
    counts = dict.fromkeys(Called, 0)
    for dated in moves:
        counts[Called.CALLED_OFF if dated.slot.not_held else Called.HELD] += 1
    return " and ".join(f"{n} {kind}{'' if n == 1 else 's'}" for kind, n in counts.items() if n)


def _days(moves: tuple[DatedSlot, ...]) -> str:
    """Each session's day, as the log entry writes it, with its word when it was called off."""
    days = []
    for dated in moves:
        status = f", {dated.slot.not_held}" if dated.slot.not_held else ""
        days.append(english.day(dated.start.date()) + status)
    if len(days) > _MAX_DATES_IN_SUMMARY:
        days = [*days[: _MAX_DATES_IN_SUMMARY - 1], f"{len(days) - _MAX_DATES_IN_SUMMARY + 1} more"]
    return "; ".join(days)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
