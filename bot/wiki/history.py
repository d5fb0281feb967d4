"""What page history says, worked out from revisions already fetched: pure, no pywikibot.

client.py fetches the revisions; these functions decide what they mean, so the rules can be
tested offline with plain objects standing in for pywikibot's revisions.
"""

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol


class Revision(Protocol):
    """The fields of pywikibot's Revision the bot reads."""

    revid: int
    text: str | None
    timestamp: datetime
    user: str
    comment: str


def first_written(
    revisions: Iterable[Revision], lines: Iterable[str], limit: int
) -> dict[str, datetime | None]:
    """When each line was first written: the oldest revision, in an unbroken run back from the
    newest (`revisions` come newest first), that has it. None when the run reaches past the
    `limit` newest revisions, since the bot must not guess a year from a moment it is not sure
    of. A line the newest revision lacks maps to nothing (the caller's default applies)."""
    wanted = set(lines)
    if not wanted:
        return {}
    first_seen: dict[str, datetime] = {}
    open_lines = set(wanted)
    seen = 0
    for revision in revisions:
        seen += 1
        present = set(revision.text.split("\n")) if revision.text else set()
        for line in list(open_lines):
            if line in present:
                first_seen[line] = utc(revision.timestamp)
            else:
                open_lines.discard(line)
        if not open_lines or seen >= limit:
            break
    unsure = open_lines if seen >= limit else set()
    return {line: (None if line in unsure else first_seen.get(line)) for line in wanted}


def own_edit(
    revisions: Iterable[Revision], base_revid: int, user: str | None, summary: str
) -> int | None:
    """The bot's own edit with this summary made after `base_revid` (revisions newest first),
    if any: how a save whose answer was lost is found again."""
    for revision in revisions:
        if revision.revid <= base_revid:
            return None
        if revision.user == user and revision.comment == summary:
            return revision.revid
    return None


def utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
