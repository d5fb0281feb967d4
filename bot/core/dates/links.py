"""Links whose address carries a session's exact moment: zonestamp.toolforge.org and
timeanddate's fixed-time pages. Editors add them so readers see the time in their own zone; the
bot reads the moment they carry, to give a date written without a time its time, or to check a
written time against it."""

import re
from datetime import UTC, datetime
from urllib.parse import parse_qs

_ZONESTAMP = re.compile(r"//zonestamp\.toolforge\.org/(?P<seconds>[0-9]{9,10})(?![0-9])")
_TIMEANDDATE = re.compile(r"//(?:www\.)?timeanddate\.com/worldclock/fixedtime\.html\?(?P<q>.*)")
_PLACE = re.compile(r"p[0-9]+")
_ISO = re.compile(
    r"(?P<y>[0-9]{4})-?(?P<mo>[0-9]{2})-?(?P<d>[0-9]{2})"
    r"T(?P<h>[0-9]{2})(?::?(?P<mi>[0-9]{2}))?(?::?(?P<s>[0-9]{2}))?(?P<z>Z)?"
)
#: Addresses that only say when a session is: the entry's own date says it.
TIME_LINK = re.compile(
    r"//(?:zonestamp\.toolforge\.org|(?:www\.)?timeanddate\.com/worldclock/)", re.IGNORECASE
)


def moment(url: str) -> datetime | None:
    """The start a link carries, in UTC. A timeanddate time is only trusted when it is marked
    UTC ("Z") or no place is given (p1=...): a place makes it that place's local time, and the
    bot does not know timeanddate's place numbers."""
    if stamp := _ZONESTAMP.search(url):
        return datetime.fromtimestamp(int(stamp["seconds"]), UTC)
    fixed = _TIMEANDDATE.search(url)
    if fixed is None:
        return None
    query = parse_qs(fixed["q"].replace("&amp;", "&"))
    iso = _ISO.fullmatch(query.get("iso", [""])[0])
    if iso is None or (not iso["z"] and any(_PLACE.fullmatch(key) for key in query)):
        return None
    try:
        return datetime(
            int(iso["y"]),
            int(iso["mo"]),
            int(iso["d"]),
            int(iso["h"]),
            int(iso["mi"] or 0),
            int(iso["s"] or 0),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def is_time_link(url: str) -> bool:
    return TIME_LINK.search(url) is not None
