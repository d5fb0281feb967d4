"""The one English writer of dates: every date the bot writes in English (log entries, table
cells, edit summaries, `check`'s output) comes from here, in the style of the log it goes to.

A log keeps its own style: "June 26, 2023" or "26 June 2023" or "2023-06-26", bold or not, with
its own dash in ranges. The style is read from the log's entries (bot.core.page.log) and handed
here; a log with no dated entry gets the reference page's style.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from bot.core.dates.resolve import Session
from bot.core.dates.vocabulary import MONTH_NAMES


class Order(StrEnum):
    MONTH_FIRST = "month first"  # June 26, 2023
    DAY_FIRST = "day first"  # 26 June 2023
    ISO = "iso"  # 2023-06-26


@dataclass(frozen=True)
class Style:
    order: Order = Order.MONTH_FIRST
    bold: bool = False
    dash: str = "\u2013"  # between the days of a range


#: The reference page's style: "June 26, 2023 (12:00 UTC)".
DEFAULT = Style()


def day(value: date, style: Style = DEFAULT) -> str:
    """One day: "June 26, 2023", "26 June 2023", "2023-06-26"."""
    if style.order is Order.ISO:
        return value.isoformat()
    month = MONTH_NAMES[value.month - 1]
    if style.order is Order.DAY_FIRST:
        return f"{value.day} {month} {value.year}"
    return f"{month} {value.day}, {value.year}"


def days(first: date, last: date, style: Style = DEFAULT) -> str:
    """A range of days as the style writes it: "August 16-19, 2023", "16-19 August 2023",
    "August 30 - September 2, 2023", "2023-08-16-2023-08-19"."""
    dash = style.dash
    if style.order is Order.ISO:
        return f"{first.isoformat()}{dash}{last.isoformat()}"
    if first.year != last.year or (style.order is Order.MONTH_FIRST and first.month != last.month):
        return f"{day(first, style)} {dash} {day(last, style)}"
    month, last_month = MONTH_NAMES[first.month - 1], MONTH_NAMES[last.month - 1]
    if style.order is Order.DAY_FIRST:
        if first.month == last.month:
            return f"{first.day}{dash}{last.day} {month} {first.year}"
        return f"{first.day} {month} {dash} {last.day} {last_month} {first.year}"
    if first.month == last.month:
        return f"{month} {first.day}{dash}{last.day}, {first.year}"
    return f"{month} {first.day} {dash} {last_month} {last.day}, {first.year}"


def clock(moment: datetime) -> str:
    return f"{moment.hour}:{moment.minute:02d}"


def session(value: Session, style: Style = DEFAULT) -> str:
    """One session: "June 26, 2023 (12:00 UTC)", "June 26, 2023 (12:00-13:30 UTC)", a range of
    days, or a day alone; bold around the date when the log writes its dates bold."""
    start = value.start
    if value.has_time:
        written = day(start.date(), style)
        until = f"-{clock(value.end)}" if value.has_end else ""
        return f"{_bold(written, style)} ({clock(start)}{until} UTC)"
    if value.last_day != start.date():
        return _bold(days(start.date(), value.last_day, style), style)
    return _bold(day(start.date(), style), style)


def sessions(values: Sequence[Session], style: Style = DEFAULT) -> str:
    """Every session of a slot: "June 26, 2023 (12:00 UTC) and June 30, 2023 (16:00 UTC)"."""
    written = [session(value, style) for value in values]
    if len(written) <= 1:
        return "".join(written)
    return f"{', '.join(written[:-1])} and {written[-1]}"


def _bold(text: str, style: Style) -> str:
    return f"'''{text}'''" if style.bold else text
