"""Revisions as MediaWiki's export format, which the importer reads: the one way to seed a page
with a revision dated in the past (an edit through the API is always dated now)."""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from .accounts import DEFAULT_SEED_USER
from .util import render

#: Revisions older than this are in recent changes on no wiki ($wgRCMaxAge, 90 days).
RC_MAX_AGE = dt.timedelta(days=90)
STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class Revision:
    """One revision to seed: a page's text as `user` saved it at `timestamp` (aware, UTC)."""

    title: str
    text: str
    timestamp: dt.datetime
    user: str = DEFAULT_SEED_USER
    summary: str = "Seeded by dev-wiki"

    @property
    def stamp(self) -> str:
        return self.timestamp.strftime(STAMP)


def parse_timestamp(text: str | None) -> dt.datetime:
    """ISO 8601 to an aware UTC datetime; no zone means UTC; None means now."""
    if text is None:
        return dt.datetime.now(dt.UTC).replace(microsecond=0)
    value = dt.datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).replace(microsecond=0)


def contributor_xml(user: str) -> str:
    """An IP address is an anonymous contributor; any other name an account's."""
    with contextlib.suppress(ValueError):
        ipaddress.ip_address(user)
        return f"<ip>{escape(user)}</ip>"
    return f"<username>{escape(user)}</username>"


def export_xml(revisions: Sequence[Revision]) -> str:
    """An export in the 0.11 schema, which 1.43's importer reads: one <page> per revision, in order.

    No <ns>, <id> or <parentid>: the importer works the namespace out from the title and
    gives each revision fresh ids after the page's existing ones. Users that exist in the wiki
    get the revision; unknown names become "imported>NAME".
    """
    pages = "".join(
        render(
            "page.xml",
            title=escape(revision.title),
            timestamp=revision.stamp,
            contributor=contributor_xml(revision.user),
            comment=escape(revision.summary),
            text=escape(revision.text),
        )
        for revision in revisions
    )
    return render("export.xml", pages=pages)


def recent_windows(revisions: Sequence[Revision], now: dt.datetime) -> list[list[str]]:
    """The seconds around each revision young enough for recent changes, for SeedPages.php."""
    fmt, second = "%Y%m%d%H%M%S", dt.timedelta(seconds=1)
    windows = {
        ((r.timestamp - second).strftime(fmt), (r.timestamp + second).strftime(fmt))
        for r in revisions
        if now - r.timestamp < RC_MAX_AGE
    }
    return [list(window) for window in sorted(windows)]
