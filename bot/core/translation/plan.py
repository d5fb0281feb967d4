"""What each language's translation of each moved unit becomes, or why the bot leaves it alone.

A moved unit's English text changes from a timeslot (`Monday, June 26 @ 12:00 UTC | Zoom | ...`)
into a log entry; once the page is marked, every translation of it shows as outdated, and the
old text (join details included) is what readers of `PAGE/fr` would see in the log. The bot
writes each language's log entry itself, but only when it is sure of every part:

- the date: exactly one date in the old translation, agreeing with the English one; the new date
  is that day in the language's CLDR long format (the regional month names and the digits the
  translation uses);
- the topic: the block title's translation (the bold lead of the announcement, or its heading),
  plain text;
- the wording: the operator's template for the language (`log_entry.<lang>.wikitext.j2`), else
  the one the page's own translated log entries use (the word that stands for "Topic:").

Anything else leaves the translation as it is (outdated) and says why. Pure: the caller reads
the translations and writes the results.
"""

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from bot.core import dates
from bot.core.change.render import Renderer
from bot.core.dates import local as localdates
from bot.core.page.log import Order, read_log
from bot.core.page.model import DatedSlot, EventBlock, Page, Timeslot
from bot.core.settings import Settings
from bot.core.wikitext.patterns import BOLD_LEAD, LEADING_GLUE, OWN_UNIT
from bot.core.wikitext.sections import heading_title, plain_title
from bot.errors import Refusal

if TYPE_CHECKING:
    from bot.core.pipeline import Run

#: The English label the learned wording stands for, as the bot's own template writes it.
ENGLISH_LABEL = "Topic:"
_UNCLEAN = re.compile(r"[\[\]{}<>|~]|''|https?:|&\w+;|\$\w")
_ENGLISH_ENTRY = re.compile(rf"^[^.(]*?(?: \([^()]*\))*\. {re.escape(ENGLISH_LABEL)} ")
_TIME_NOTE = re.compile(r"^\s*(?:\([^()]*\)\s*)+")
#: Colons and sentence ends of the scripts the page is translated into (ASCII, CJK fullwidth).
_COLONS = ":\uff1a"
_STOPS = ".!?\u3002\uff01\uff1f"
#: What follows a translated entry's date: a separator, then a short label ending in a colon.
_LABEL = re.compile(
    rf"^(?P<sep>[.,\u3002\u060c]?\s*)"
    rf"(?P<label>[^\W\d_][^{_COLONS}\d\[\]{{}}<>|]{{0,30}}?\s?[{_COLONS}]\s?)"
)
_MAX_TOPIC = 200


@dataclass(frozen=True)
class Translation:
    """A unit's text in one language as read, and whether Translate shows it as outdated."""

    text: str
    fuzzy: bool = False


@dataclass(frozen=True)
class MovedUnit:
    """A unit that moved into the log, with what its entry says in English."""

    marker: str
    session: DatedSlot
    english: str  # the unit's new English text: the log entry
    title_unit: str | None  # the unit that holds the block's title, when it has one

    @property
    def topic(self) -> str:
        return self.session.block.title or ""


@dataclass(frozen=True)
class Example:
    """A log entry of the page that is a unit of its own: what learned wording comes from."""

    marker: str
    english: str
    day: date


@dataclass(frozen=True)
class Wording:
    """How a language writes an entry, learned from its translated log entries."""

    separator: str  # between the date (and time) and the label: ". ", "。"
    label: str  # "Sujet : ", or a Japanese label ending in a fullwidth colon

    @property
    def stop(self) -> str:
        return self.separator.strip() or "."


@dataclass(frozen=True)
class LanguagePlan:
    writes: dict[str, str] = field(default_factory=dict)  # marker -> new translation
    left: dict[str, str] = field(default_factory=dict)  # marker -> why it stays outdated


@dataclass(frozen=True)
class TranslationPlan:
    languages: dict[str, LanguagePlan]

    @property
    def writes(self) -> int:
        return sum(len(p.writes) for p in self.languages.values())

    def as_json(self) -> dict[str, object]:
        return {
            language: {"write": dict(p.writes), "left": dict(p.left)}
            for language, p in sorted(self.languages.items())
        }


def moved_between(before: Page, after: Page, settings: Settings) -> list[MovedUnit]:
    """The units an earlier edit moved from "Upcoming" (in `before`) into the log (in `after`),
    for a run that finishes that edit's translations once the page has been marked: each
    with its session as the log entry dates it and its block as it stood before."""
    logged = {}
    content = {u.marker: u.content for u in after.markup.units if u.marker}
    for entry in read_log(after).entries:
        own = OWN_UNIT.match(entry.line.text)
        if own is not None and own["marker"]:
            logged[own["marker"]] = entry.line.text
    units = []
    for block in before.blocks:
        for slot in block.slots:
            if slot.marker is None or slot.marker not in logged:
                continue
            session = _logged_session(content[slot.marker], slot, block, settings)
            if session is not None:
                units.append(
                    MovedUnit(
                        slot.marker, session, content[slot.marker], title_unit(before, session)
                    )
                )
    return units


def _logged_session(
    text: str, slot: Timeslot, block: EventBlock, settings: Settings
) -> DatedSlot | None:
    session = dates.logged_start(text, settings.default_duration)
    if session is None:
        return None
    return DatedSlot(slot, block, (session,))


def title_unit(page: Page, session: DatedSlot) -> str | None:
    """The unit whose text starts the block's announcement (or is its subheading)."""
    block = session.block
    if not block.title:
        return None
    chunk = block.intro[0] if block.intro else block.heading
    if chunk is None:
        return None
    glue = LEADING_GLUE.match(chunk.first.text)  # always matches, if only the empty string
    offset = chunk.first.start + (glue.end() if glue else 0)
    for unit in page.markup.units:
        if unit.start <= offset < unit.end or (offset <= unit.start < chunk.last.end):
            return unit.marker
    return None


#: How many of the log's newest entries the translated wording is learned from: a few that
#: agree say how translators write today; reading them all would read every date of the log.
EXAMPLES = 5


def examples(page: Page) -> list[Example]:
    """The newest few log entries that are units of their own and say "Topic:" after a dated
    start, newest first."""
    found: list[Example] = []
    content = {u.marker: u.content for u in page.markup.units if u.marker}
    log = read_log(page)
    entries = log.entries
    if log.entry_order() is Order.OLDEST_FIRST:
        entries = entries[::-1]
    for entry in entries:
        own = OWN_UNIT.match(entry.line.text)
        if own is None or not own["marker"]:
            continue
        english = content.get(own["marker"], "")
        if _ENGLISH_ENTRY.match(english) and entry.start is not None:
            found.append(Example(own["marker"], english, entry.start.date()))
        if len(found) == EXAMPLES:
            break
    return found


@dataclass(frozen=True)
class Needs:
    """What the translation side must read for a run, and no more: every language's
    translations of the moved units, of their blocks' titles and of a few log entries whose
    wording it learns from."""

    units: tuple[MovedUnit, ...]
    known: tuple[Example, ...]

    @property
    def markers(self) -> list[str]:
        return [unit.marker for unit in self.units]

    @property
    def context(self) -> list[str]:
        titles = {u.title_unit for u in self.units if u.title_unit}
        return [*sorted(titles), *(e.marker for e in self.known)]


def needs(run: "Run") -> Needs | None:
    """What to read before the edit of a run; None when no translation unit moves."""
    if not run.page.uses_translate or not run.moved_units:
        return None
    return needs_of(run.page, run.moved_units)


def needs_of(page: Page, units: Sequence[MovedUnit]) -> Needs:
    """What to read for these moved units of the page (the run's, or an earlier edit's)."""
    return Needs(tuple(units), tuple(examples(page)))


def plan(
    needs: Needs,
    languages: Mapping[str, Mapping[str, Translation]],
    renderer: Renderer,
) -> TranslationPlan:
    """For every language and every moved unit it has a translation of: the new text, or why not.

    `languages` is what was read for `needs`: a language code to that language's translations
    by unit marker (the moved units' old translations, the block titles' and the examples').
    """
    units, known = needs.units, needs.known
    plans = {}
    for language, translations in sorted(languages.items()):
        language_plan = LanguagePlan()
        for unit in units:
            old = translations.get(unit.marker)
            if old is None:
                continue  # never translated: readers see the English, which is right
            outcome = _one(unit, old, language, translations, known, renderer)
            if outcome.text is not None:
                if outcome.text != old.text or old.fuzzy:
                    language_plan.writes[unit.marker] = outcome.text
            else:
                language_plan.left[unit.marker] = outcome.reason
        if language_plan.writes or language_plan.left:
            plans[language] = language_plan
    return TranslationPlan(plans)


@dataclass(frozen=True)
class _Outcome:
    text: str | None = None
    reason: str = ""


def _one(
    unit: MovedUnit,
    old: Translation,
    language: str,
    translations: Mapping[str, Translation],
    known: Sequence[Example],
    renderer: Renderer,
) -> _Outcome:
    if old.fuzzy:
        return _Outcome(
            reason="outdated before the run: the translation did not follow the English"
        )
    try:
        where = _the_date(old.text, language, unit.session.start.date())
    except _Unsure as unsure:
        return _Outcome(reason=str(unsure))
    topic = _topic(unit, translations)
    if topic is None:
        return _Outcome(reason=f"no clean translation of the block title (unit {unit.title_unit})")
    written = localdates.write_date(unit.session.start.date(), where.locale, where.arabic_digits)
    try:
        text = _from_template(renderer, language, unit.session, written, topic)
    except Refusal as refusal:
        return _Outcome(reason=str(refusal))
    if text is None:
        wording = learn(language, translations, known)
        if wording is None:
            return _Outcome(
                reason=f"no wording: no template {template_name(language)} and no translated "
                "log entry to learn it from"
            )
        text = _learned(wording, written, unit.session, topic)
    return _Outcome(text=text)


class _Unsure(ValueError):
    pass


def _the_date(text: str, language: str, day: date) -> localdates.Found:
    try:
        found = localdates.find_dates(text, language)
    except localdates.NoLocaleData as error:
        raise _Unsure(str(error)) from None
    if not found:
        raise _Unsure("no date found in the translation")
    if len(found) > 1:
        raise _Unsure(
            f"{len(found)} dates in the translation; cannot tell which one is the session"
        )
    if not localdates.agrees(found[0], day):
        shown = text[found[0].start : found[0].end]
        raise _Unsure(
            f"the translation's date {shown!r} disagrees with the English {day.isoformat()}"
        )
    return found[0]


def _topic(unit: MovedUnit, translations: Mapping[str, Translation]) -> str | None:
    """The block title in this language: "" when the English has none, None when unsure."""
    if not unit.topic:
        return ""
    title = translations.get(unit.title_unit) if unit.title_unit else None
    if title is None:
        return None
    first = LEADING_GLUE.sub("", title.text.lstrip().split("\n", 1)[0], count=1)
    lead = BOLD_LEAD.match(first)
    raw = lead.group(1) if lead else heading_title(first)
    if not raw or _UNCLEAN.search(raw):
        return None
    topic = plain_title(raw).rstrip(" :.-\u2013\u2014")
    return topic if topic and len(topic) <= _MAX_TOPIC else None


def template_name(language: str) -> str:
    return f"log_entry.{language}.wikitext.j2"


def _time(session: DatedSlot) -> str:
    """The time as the English entry writes it: `12:00 UTC`, `17:00-18:30 UTC`."""
    start, end = session.start, session.end
    span = f"{start.hour}:{start.minute:02d}"
    if session.has_end:
        span += f"-{end.hour}:{end.minute:02d}"
    return f"{span} UTC"


def _from_template(
    renderer: Renderer, language: str, session: DatedSlot, written: str, topic: str
) -> str | None:
    name = template_name(language)
    if not renderer.has(name):
        return None
    return renderer.render(
        name,
        start=session.start,
        end=session.end,
        has_time=session.has_time,
        has_end=session.has_end,
        topic=topic,
        date=written,
        time=_time(session) if session.has_time else "",
    )


def _learned(wording: Wording, written: str, session: DatedSlot, topic: str) -> str:
    time = f" ({_time(session)})" if session.has_time else ""
    if not topic:
        return f"{written}{time}{wording.stop}"
    end = "" if topic[-1] in _STOPS else wording.stop
    return f"{written}{time}{wording.separator}{wording.label}{topic}{end}"


def learn(
    language: str, translations: Mapping[str, Translation], known: Sequence[Example]
) -> Wording | None:
    """The wording every translated example agrees on; None without one, or when they differ."""
    seen: Counter[Wording] = Counter()
    for example in known:
        translation = translations.get(example.marker)
        if translation is None or translation.fuzzy:
            continue
        wording = _wording_of(translation.text, language, example.day)
        if wording is not None:
            seen[wording] += 1
    return next(iter(seen)) if len(seen) == 1 else None


def _wording_of(text: str, language: str, day: date) -> Wording | None:
    try:
        found = localdates.find_dates(text, language)
    except localdates.NoLocaleData:
        return None
    if not found or found[0].start != 0 or not localdates.agrees(found[0], day):
        return None
    rest = _TIME_NOTE.sub("", text[found[0].end :], count=1)
    match = _LABEL.match(rest)
    if match is None:
        return None
    return Wording(match["sep"], match["label"])
