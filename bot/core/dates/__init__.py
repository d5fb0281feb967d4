"""Reading the dates and times of sessions the way editors write them, and writing them back.

Layout, in the order a date travels: `vocabulary` (the English words, from CLDR), `lexer` (a
line's whole pieces as tokens), `grammar` (the rules by which a slot's lead states its
sessions), `links` (zonestamp and timeanddate moments), `resolve` (a stated session to its
start and end), `english` (the one English writer), `local` (each translation's dates, CLDR).
Only English is read.
"""

from datetime import UTC, datetime, timedelta
from functools import lru_cache

from bot.core.dates.grammar import Lead, read_lead
from bot.core.dates.lexer import Token, tokens
from bot.core.dates.resolve import DateError, Session, resolve
from bot.core.wikitext import pieces

__all__ = ["DateError", "Lead", "Session", "lead_of", "logged_start", "resolve"]


@lru_cache(maxsize=4096)
def read(body: str) -> tuple[tuple[Token, ...], Lead | None]:
    """A line's body (its text past the list prefix) as tokens, with its lead; raises
    pieces.Unreadable beyond the bounds. Remembered: a log's entries are looked at by
    placement, by its style and by the check for a session already logged."""
    found = tuple(tokens(pieces.pieces(body)))
    return found, read_lead(found)


def lead_of(body: str) -> Lead | None:
    """The lead of a line's body (see read)."""
    return read(body)[1]


@lru_cache(maxsize=4096)
def logged_start(body: str, default_duration: timedelta = timedelta(minutes=60)) -> Session | None:
    """The first session a log entry states, when its lead gives a year; None otherwise (a
    yearless or unreadable entry is stepped over when the log is ordered)."""
    try:
        lead = lead_of(body)
    except pieces.Unreadable:
        return None
    if lead is None or lead.sessions[0].first.year is None:
        return None
    try:
        return resolve(
            lead.sessions[0],
            datetime(lead.sessions[0].first.year, 1, 1, tzinfo=UTC),
            default_duration,
        )
    except DateError:
        return None
