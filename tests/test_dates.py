"""The date reader's specification, as a table: when a line was written, the line, and the
sessions its lead states (or why the bot leaves it). tests/tables/dates.tsv holds the rows, one
per line, tab-separated; every row is a case, and no two rows share a line.

Outcomes are written in UTC: `2023-06-26 12:00-13:00` (a session with a time),
`2023-06-26` (a whole day), `2023-08-16..2023-08-19` (a range of whole days),
`2023-06-26 23:30-2023-06-27 00:30` (across midnight), several joined by ` + `; `no session`
when the lead states none (every date on the line is a mention); `left: <reason>` when the
line names a session the bot cannot trust.
"""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.dates import DateError, lead_of, resolve
from bot.core.dates.resolve import Session
from bot.core.wikitext.patterns import LIST_PREFIX
from bot.core.wikitext.pieces import Unreadable

TABLE = Path(__file__).parent / "tables" / "dates.tsv"


def rows() -> list[tuple[str, str, str]]:
    found = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            written, text, expected = line.split("\t")
            found.append((written, text, expected))
    return found


def written(session: Session) -> str:
    start, end = session.start, session.end
    if not session.has_time:
        last = session.last_day
        return str(start.date()) if last == start.date() else f"{start.date()}..{last}"
    if start.date() == end.date():
        return f"{start:%Y-%m-%d %H:%M}-{end:%H:%M}"
    return f"{start:%Y-%m-%d %H:%M}-{end:%Y-%m-%d %H:%M}"


def outcome(text: str, written_on: str) -> str:
    """What the bot reads of a line written on that day, in the table's words."""
    moment = datetime.fromisoformat(written_on).replace(tzinfo=UTC)
    try:
        lead = lead_of(LIST_PREFIX.sub("", text, count=1))
    except Unreadable as why:
        return f"left: {why}"
    if lead is None:
        return "no session"
    try:
        sessions = [resolve(s, moment, timedelta(minutes=60)) for s in lead.sessions]
    except DateError as why:
        return f"left: {why}"
    return " + ".join(written(s) for s in sessions)


def test_no_two_rows_share_a_line():
    lines = [text for _, text, _ in rows()]
    assert len(lines) == len(set(lines))


@pytest.mark.parametrize(("written_on", "text", "expected"), rows(), ids=lambda v: v[:60])
def test_the_table(written_on, text, expected):
    assert outcome(text, written_on) == expected
