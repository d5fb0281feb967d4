"""Dates as each language writes them, from CLDR through Babel: finding them in a translation,
and writing a new one the way that translation does.

No month table is written by hand: the patterns (`d MMMM y`, `y年M月d日`, `d 'de' MMMM 'de' y`)
and the month names come from CLDR, for the language and for each of its regional locales, so
that Arabic's يونيو, حزيران and جوان are all found, with Latin or Arabic-Indic digits.
"""

import re
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, get_date_format
from babel.localedata import locale_identifiers

#: CLDR patterns that name the month in words (numeric dates are ambiguous across languages),
#: with a year and without one (a timeslot often omits it), with a weekday and without one.
_SKELETONS = ("yMMMMd", "yMMMd", "yMMMEd", "MMMMd", "MMMd", "MMMMEd", "MMMEd")
_FORMATS: tuple[Literal["full"], Literal["long"]] = ("full", "long")
_TOKEN = re.compile(r"'([^']*)'|([A-Za-z])\2*|(\s+)|(.)")
_SPACE = r"[\s\u200e\u200f]*"
#: Arabic-Indic digits start at U+0660 (Unicode's own order, not a table of names).
_ARABIC_INDIC_ZERO = 0x0660


class NoLocaleData(ValueError):
    """CLDR has nothing for this language code."""


@dataclass(frozen=True)
class Found:
    """A date written in a translation: where it is and what it says."""

    start: int
    end: int
    month: int
    day: int
    year: int | None
    locale: str  # the CLDR locale whose month name matched ("ar_SY" for حزيران)
    arabic_digits: bool


def locale_of(language: str) -> Locale:
    """MediaWiki's language code (`pt-br`, `zh-hans`) as a CLDR locale."""
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(language.split("-")[0])
        except (UnknownLocaleError, ValueError):
            raise NoLocaleData(f"no CLDR data for language {language!r}") from None


@cache
def variants(language: str) -> tuple[str, ...]:
    """The language's locale first, then every regional locale whose month names differ."""
    base = locale_of(language)
    seen = {_months(str(base))}
    found = [str(base)]
    for identifier in sorted(locale_identifiers()):
        if identifier.split("_")[0] != base.language or identifier == str(base):
            continue
        months = _months(identifier)
        if months not in seen:
            seen.add(months)
            found.append(identifier)
    return tuple(found)


def _months(identifier: str) -> tuple[str, ...]:
    return tuple(Locale.parse(identifier).months["format"]["wide"].values())


@cache
def _patterns(identifier: str) -> tuple[re.Pattern[str], ...]:
    locale = Locale.parse(identifier)
    sources = [get_date_format(f, locale=locale).pattern for f in _FORMATS]
    sources += [
        str(locale.datetime_skeletons[s]) for s in _SKELETONS if s in locale.datetime_skeletons
    ]
    months = _alternatives(_month_names(locale))
    weekdays = _alternatives(_weekday_names(locale))
    compiled = []
    for source in dict.fromkeys(sources):
        if "MMM" in source or "LLL" in source or not source.isascii():
            compiled.append(re.compile(_regex(source, months, weekdays), re.IGNORECASE))
    return tuple(compiled)


def _month_names(locale: Locale) -> dict[str, int]:
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated"):
            for month, name in locale.months[context][width].items():
                names.setdefault(name.casefold(), month)
    return names


def _weekday_names(locale: Locale) -> dict[str, int]:
    names: dict[str, int] = {}
    for context in ("format", "stand-alone"):
        for width in ("wide", "abbreviated", "short"):
            for day, name in locale.days[context][width].items():
                names.setdefault(name.casefold(), day)
    return names


def _alternatives(names: dict[str, int]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


def _regex(pattern: str, months: str, weekdays: str) -> str:
    """A CLDR date pattern as a regular expression with named groups."""
    out = []
    for quoted, letter, space, other in _TOKEN.findall(pattern):
        if quoted:
            out.append(_SPACE + re.escape(quoted) + _SPACE)
        elif space:
            out.append(_SPACE)
        elif other:
            out.append(re.escape(other) + "?" if other in ".,،" else re.escape(other))
        else:
            out.append(_field(letter, pattern, months, weekdays))
    return r"(?<![\w])" + "".join(out) + r"(?!\d)"


def _field(letter: str, pattern: str, months: str, weekdays: str) -> str:
    run = max(len(found) for found in re.findall(rf"{letter}+", pattern))
    if letter == "d":
        return r"(?P<day>(?<!\d)\d{1,2}(?!\d))"
    if letter in "ML" and run >= 3:
        return rf"(?P<name>{months})(?![^\W\d_])"
    if letter in "ML":
        return r"(?P<number>(?<!\d)\d{1,2}(?!\d))"
    if letter == "y":
        return r"(?P<year>\d{4})"
    if letter in "Ec":
        return rf"(?:{weekdays})(?![^\W\d_])"
    return re.escape(letter)


def find_dates(text: str, language: str) -> list[Found]:
    """Every date the text writes in the language (any regional variant), each once: where
    matches overlap, the longest one stands for the date."""
    matches: list[Found] = []
    for identifier in variants(language):
        names = _month_names(Locale.parse(identifier))
        for pattern in _patterns(identifier):
            for match in pattern.finditer(text):
                found = _found(match, names, identifier)
                if found is not None:
                    matches.append(found)
    matches.sort(key=lambda f: (f.start, -(f.end - f.start)))
    distinct: list[Found] = []
    for found in matches:
        if distinct and found.start < distinct[-1].end:
            continue
        distinct.append(found)
    return distinct


def _found(match: re.Match[str], names: dict[str, int], identifier: str) -> Found | None:
    groups = match.groupdict()
    if groups.get("name"):
        month = names[groups["name"].casefold()]
    elif groups.get("number"):
        month = int(groups["number"])
    else:
        return None
    day = int(groups["day"])
    year = int(groups["year"]) if groups.get("year") else None
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    arabic = any(0x0660 <= ord(c) <= 0x0669 for c in match.group())
    return Found(match.start(), match.end(), month, day, year, identifier, arabic)


def agrees(found: Found, day: date) -> bool:
    """The same day of the same month, and the same year when the translation gives one."""
    return (
        found.month == day.month
        and found.day == day.day
        and (found.year is None or found.year == day.year)
    )


def write_date(day: date, identifier: str, arabic_digits: bool) -> str:
    """The day in the locale's long format, with the digits the translation uses."""
    text = format_date(day, format="long", locale=identifier)
    return to_arabic_digits(text) if arabic_digits else to_latin_digits(text)


def to_arabic_digits(text: str) -> str:
    return re.sub(r"\d", lambda m: chr(_ARABIC_INDIC_ZERO + int(m.group())), text)


def to_latin_digits(text: str) -> str:
    return re.sub(r"\d", lambda m: str(int(m.group())), text)
