"""What an operator may tune about one page, with defaults that fit the Meta page."""

import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, timedelta, tzinfo
from functools import cache
from pathlib import Path

#: The page this bot was written for, and its wiki (pywikibot's FAMILY:CODE).
META_SITE = "meta:meta"
META_PAGE = "Global Advocacy/Conversation hours and Events"

#: The default templates, shipped inside the package so that any install can render entries.
DEFAULT_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"

#: A length of time as operators and editors write it: `90s`, `10m`, `1h30m`, `2d`.
_DURATION = re.compile(r"(?:(\d{1,6})d)?(?:(\d{1,6})h)?(?:(\d{1,6})m)?(?:(\d{1,6})s)?")


def duration(text: str) -> timedelta | None:
    """The length `text` writes (`90s`, `10m`, `1h30m`, `2d`); None when it writes none. The
    configuration file and the on-wiki template read lengths with this one rule."""
    match = _DURATION.fullmatch(text.strip())
    if not match or not any(match.groups()):
        return None
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)


def zone_named(name: str) -> tzinfo | None:
    """The zone `name` (UTC, or an IANA name such as Europe/Berlin); None when it names none.
    The name is looked up among the known ones before ZoneInfo opens a file by it."""
    name = name.strip()
    if name.upper() == "UTC":
        return UTC
    return zoneinfo.ZoneInfo(name) if name in _zones() else None


@cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def words(written: Iterable[str]) -> tuple[str, ...]:
    """Words or phrases as the reader matches them (cancelled words): spacing and case do not
    count. The configuration file and the on-wiki template write them with this one rule."""
    return tuple(" ".join(w.split()).casefold() for w in written)


@dataclass(frozen=True)
class Settings:
    upcoming_headings: tuple[str, ...] = ("Upcoming Conversation Hours",)
    log_headings: tuple[str, ...] = ("Log of Previous Conversation Hours",)
    #: A session is moved only once it ended this long ago, so a running call is never archived.
    grace: timedelta = timedelta(hours=1)
    #: How long a session lasts when its line gives no end time.
    default_duration: timedelta = timedelta(minutes=60)
    #: The operator's templates folder; a template missing there comes from the package.
    templates_dir: Path | None = None
    #: Words that mark a session as not held (matched as whole words, outside links); such a
    #: session is logged with the word as its status, never as held.
    cancelled_words: tuple[str, ...] = ("cancelled", "canceled", "postponed", "called off")
    #: The zone of a time written without one.
    zone: tzinfo = UTC
