"""The English words the date reader knows, declared once: month and weekday names (from CLDR
through Babel, so no table is typed by hand), zones, and the small words that join, qualify or
label a date.

Editors abbreviate freely ("Sept", "Tues", "Thurs"), so every prefix of three letters or more
of a name stands for it; in English three letters already tell every month and weekday apart.
"""

from functools import cache
from zoneinfo import available_timezones

from babel.dates import get_day_names, get_month_names

_ENGLISH = "en"


def _prefixes(names: dict[int, str]) -> dict[str, int]:
    return {
        name[:length].casefold(): number
        for number, name in names.items()
        for length in range(3, len(name) + 1)
    }


#: "june", "jun", "sept" -> 6, 6, 9.
MONTHS: dict[str, int] = _prefixes(dict(get_month_names("wide", locale=_ENGLISH).items()))
#: Babel numbers weekdays from 0 = Monday, as `date.weekday()` does.
WEEKDAYS: dict[str, int] = _prefixes(dict(get_day_names("wide", locale=_ENGLISH).items()))
#: The names, for messages and for the English writer.
MONTH_NAMES: tuple[str, ...] = tuple(
    get_month_names("wide", locale=_ENGLISH)[n] for n in range(1, 13)
)
WEEKDAY_NAMES: tuple[str, ...] = tuple(get_day_names("wide", locale=_ENGLISH)[n] for n in range(7))
ORDINAL_SUFFIXES = frozenset({"st", "nd", "rd", "th"})

#: Zones written as words the bot trusts.
UTC_WORDS = frozenset({"utc", "gmt", "z"})
#: Words that name a zone the bot cannot map with certainty (regions of several zones, or a
#: zone that differs with the season): a time so written is refused unless a trusted writing of
#: the same moment stands beside it.
REGION_WORDS = frozenset(
    {
        "pacific",
        "eastern",
        "central",
        "mountain",
        "atlantic",
        "alaska",
        "hawaii",
        "local",
        "european",
        "indian",
        "china",
        "japan",
        "korea",
        "australian",
        "western",
    }
)
#: Words between a date and its time: "June 26 @ 12:00", "June 26, at 12:00", "from 12:00".
CLOCK_JOINERS = frozenset({"at", "from", "@"})
#: Words that end a time range: "12:00 to 13:00", "12:00 until 13:00".
RANGE_WORDS = frozenset({"to", "until", "till", "through", "thru"})
#: Words that make the date right after them a deadline, never a session: "register by June
#: 16", "Deadline: June 16". A label holding one never leads up to a session either.
DEADLINE_WORDS = frozenset(
    {
        "by",
        "before",
        "deadline",
        "due",
        "register",
        "registration",
        "registrations",
        "rsvp",
        "apply",
        "submit",
        "submissions",
        "closes",
        "close",
        "closing",
        "sign",
        "signup",
        "send",
        "latest",
        "until",
        "till",
        "ends",
        "end",
        "expires",
    }
)
#: Words that make the date right after them an old date: "moved from June 19", "instead of".
OLD_DATE_WORDS = frozenset(
    {"from", "since", "instead", "previously", "originally", "formerly", "was"}
)
#: Words that may lead up to a date at the start of a slot without a colon: "Sessions on June
#: 26", "Next call on Monday". At most three of them, ending in "on" or "at".
LEAD_IN = frozenset(
    {
        "session",
        "sessions",
        "call",
        "calls",
        "meeting",
        "meetings",
        "next",
        "held",
        "join",
        "us",
        "the",
        "our",
        "first",
        "second",
        "third",
        "last",
        "office",
        "hour",
        "hours",
        "conversation",
        "event",
        "meetup",
        "showcase",
        "workshop",
        "webinar",
        "talk",
        "and",
        "also",
    }
)
LEAD_IN_ENDS = frozenset({"on", "at"})
#: Words that introduce a further session on the same line: "and Friday, June 30".
AND_WORDS = frozenset({"and", "&", "also", "again", "plus"})
#: Units that make a number a duration ("1h30", "90 minutes"), never a time of day.
HOUR_UNITS = frozenset({"h", "hr", "hrs", "hour", "hours"})
MINUTE_UNITS = frozenset({"m", "min", "mins", "minute", "minutes"})
#: Words that say a number is a length, not a time: "(approx. 1h30)", "for 90 minutes".
APPROXIMATELY = frozenset(
    {
        "approx",
        "approximately",
        "about",
        "around",
        "ca",
        "circa",
        "roughly",
        "for",
        "lasting",
        "duration",
        "length",
        "~",
    }
)
#: A day label before a date: "Day 1 - June 26", "Week 2: June 26".
DAY_LABELS = frozenset({"day", "week", "part", "session", "round", "module", "lesson", "block"})

#: Status words (the configured cancelled words are added to these per page).
RESCHEDULE_WORDS = frozenset({"rescheduled", "moved", "postponed", "changed", "new"})
#: Words that make a schedule a recurring series: never one session to log.
RECURRING_WORDS = frozenset(
    {
        "every",
        "monthly",
        "weekly",
        "biweekly",
        "bi-weekly",
        "fortnightly",
        "recurring",
        "daily",
        "quarterly",
    }
)
#: "the first Friday of the month": an ordinal before a weekday makes a series.
ORDINALS = frozenset(
    {"first", "second", "third", "fourth", "fifth", "last", "1st", "2nd", "3rd", "4th"}
)
#: "each" and "starting" only make a series next to one of these.
SERIES_NOUNS = frozenset(
    {
        "day",
        "week",
        "month",
        "quarter",
        "year",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "other",
    }
)


@cache
def iana_places() -> dict[str, str]:
    """IANA zones by the place that names them, as readers write it: "new york" ->
    "America/New_York". Only names that stand for one zone."""
    places: dict[str, list[str]] = {}
    for zone in available_timezones():
        if "/" not in zone or zone.startswith(("Etc/", "SystemV/", "US/", "Antarctica/")):
            continue
        place = zone.rsplit("/", 1)[1].replace("_", " ").casefold()
        places.setdefault(place, []).append(zone)
    return {place: zones[0] for place, zones in places.items() if len(zones) == 1}
