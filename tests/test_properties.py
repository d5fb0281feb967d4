"""Properties of the whole job on generated pages: whatever the page looks like, a run loses
nothing, keeps every translation unit marker once, leaves valid Translate markup, moves exactly
the sessions that are over, and a second run has nothing left to do.

The generator writes pages the bot must accept, so a Refusal is always a failure here.
"""

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from bot.core.pipeline import transform
from bot.core.report.result import Result
from bot.core.wikitext import translate_markup as translate

GRACE = timedelta(hours=1)
DEFAULT_DURATION = timedelta(minutes=60)
FIRST_DAY = datetime(2023, 6, 1, tzinfo=UTC)  # sessions fall on the 40 days from here
SESSION_DAYS = 40
#: Seconds from the moment a session may move: exactly then it must still stay.
AROUND_AN_END = (0, 0, -1, 1, -90, 90)
PLACEHOLDER = (
    "No conversation hours are scheduled at the moment. Past sessions are listed in the log below."
)
MONTHS = [
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

# Each block of a page takes its title from its own pool, and no two pools share a word the bot
# reads as meaningful, so the bot's "is this paragraph about that event" guess is never in doubt.
# Each title comes with a word of it that a paragraph after the list can mention.
TITLES = (
    (
        ("Ad-hoc conversation hour on the Global Digital Compact", "Compact"),
        ("Copyright reform in Africa 🌍", "Copyright"),
        ("حقوق النشر الرقمية", "حقوق"),
    ),
    (
        ("Artificial intelligence and free knowledge", "intelligence"),
        ("AI policy 🤖 roundtable", "policy"),
        ("בינה מלאכותית וידע חופשי", "בינה"),
    ),
    (
        ("Disinformation before elections", "Disinformation"),
        ("Privacy and surveillance 🔒", "surveillance"),
        ("Доступ к знаниям", "знаниям"),
    ),
)
DESCRIPTIONS = (
    "Speakers from two chapters will share their experience, then we open the floor.",
    "Bring your questions; the second half of the call is open to any topic. 🎙️",
    "نرحب بجميع المتطوعين والمنتسبين.",
)
STANDING = (
    "There are no more regularly upcoming conversation hours. You can share your feedback on "
    "the [[Talk:Global Advocacy|talk page]]."
)
PLAIN_TRAILER = "Recordings get shared afterwards."
LOG_TOPICS = (
    "Anti-surveillance work within the Free Knowledge Movement",
    "Movement approaches to copyright advocacy. See [[:File:EU copyright.pdf|slides]]",
    "Human Rights Impact Assessment",
    "Launch",
)


@dataclass(frozen=True)
class Slot:
    when: str  # the date as written, join details included
    start: datetime
    end: datetime  # of its last session
    has_time: bool
    has_end: bool
    #: A second session on the same line ("... and 17:00 UTC", "... and Friday, June 30 ..."):
    #: its start, and how the entry names it.
    second: tuple[datetime, str] | None = None
    #: Sub-bullets under the slot: join details (they leave) or a recording (it is carried).
    subs: tuple[str, ...] = ()
    #: What the entry carries besides the date and topic: the slot's own words and notes.
    carried: tuple[str, ...] = ()


@dataclass(frozen=True)
class Event:
    title: str
    keyword: str
    description: str | None
    slots: tuple[Slot, ...]
    trailer: str | None  # "about": a bold paragraph on the event; "plain": unrelated text


@dataclass(frozen=True)
class Case:
    text: str
    now: datetime
    style: str
    events: tuple[Event, ...]
    #: The rendered line of every timeslot, to the log entry the bot should write for it.
    entries: dict[str, str] = field(default_factory=dict)

    def past(self) -> int:
        return sum(s.end < self.now - GRACE for e in self.events for s in e.slots)


# --- dates ----------------------------------------------------------------------------------


def written(style: str, start: datetime, end: datetime) -> str:
    month, day, year = MONTHS[start.month], start.day, start.year
    if style == "weekday":  # Monday, June 26, 2023 @ 12:00 UTC
        return f"{WEEKDAYS[start.weekday()]}, {month} {day}, {year} @ {start:%H:%M} UTC"
    if style == "range":  # 26 June 2023, 16:00-17:30 UTC (an en dash)
        return f"{day} {month} {year}, {start:%H:%M}\u2013{end:%H:%M} UTC"
    if style == "iso":  # 2023-06-26 12:00 UTC
        return f"{start:%Y-%m-%d %H:%M} UTC"
    if style == "parenthesised":  # June 26, 2023 (8:00 UTC)
        return f"{month} {day}, {year} ({start.hour}:{start:%M} UTC)"
    return f"{month} {day}, {year}"  # a whole day


def entry_text(slot: Slot, title: str) -> str:
    """The log entry the bot's template writes, worked out here on its own."""
    start, end = slot.start, slot.end
    text = f"{MONTHS[start.month]} {start.day}, {start.year}"
    if slot.has_time:
        end = end if slot.second is None else start + DEFAULT_DURATION
        span = f"-{end.hour}:{end.minute:02d}" if slot.has_end else ""
        text += f" ({start.hour}:{start.minute:02d}{span} UTC)"
    if slot.second is not None:
        text += f" and {slot.second[1]}"
    topic = title.rstrip(" :.-\u2013\u2014")
    carried = "".join(f" {part}." for part in slot.carried)
    return f"{text}. Topic: {topic}{'' if topic[-1] in '.!?' else '.'}{carried}"


@st.composite
def slots(draw, moment: datetime) -> Slot:
    style = draw(st.sampled_from(["weekday", "range", "iso", "parenthesised", "day"]))
    start, has_time, has_end = moment, True, style == "range"
    if style == "day":  # the bot takes such a session to last the whole (UTC) day
        start, has_time = moment.replace(hour=0, minute=0), False
        end = start + timedelta(days=1)
    elif style == "range":  # may run past midnight
        end = start + timedelta(minutes=draw(st.sampled_from([30, 90, 120])))
    else:
        end = start + DEFAULT_DURATION
    when = written(style, start, end)
    second = None
    if style == "weekday" and draw(st.booleans()):
        later = start + timedelta(
            hours=draw(st.sampled_from([2, 5])), days=draw(st.sampled_from([0, 0, 1, 4]))
        )
        clock = f"{later.hour}:{later.minute:02d} UTC"
        if later.date() == start.date():
            when += f" and {later:%H:%M} UTC"
        else:
            when += f" and {written('weekday', later, later)}"
        second = (later, f"{MONTHS[later.month]} {later.day}, {later.year} ({clock})")
        end = later + DEFAULT_DURATION
    carried: list[str] = []
    if draw(st.booleans()):  # rescheduled: the old date struck out
        old = start - timedelta(days=draw(st.integers(1, 3)))
        when = f"<s>{MONTHS[old.month]} {old.day}, {old.year}</s> Rescheduled: {when}"
        carried.append("Rescheduled")
    meeting = int(f"{moment:%m%d%H%M}")  # moments differ, so do the lines that name them
    if draw(st.booleans()):
        when += (
            f" | [https://wikimedia.zoom.us/j/{meeting}{meeting} Zoom]"
            f" | Meeting ID: {meeting} {meeting + 1}"
        )
    subs = draw(
        st.lists(st.sampled_from(["zoom", "id", "passcode", "recording"]), unique=True, max_size=3)
    )
    sub_lines = {
        "zoom": f"Zoom: [https://wikimedia.zoom.us/j/{meeting}{meeting}{meeting} link]",
        "id": f"Meeting ID: {meeting} {meeting} {meeting}",
        "passcode": f"Passcode: {meeting}{meeting}",
        "recording": f"[https://commons.wikimedia.org/wiki/File:Call_{meeting}.webm Recording]",
    }
    if "recording" in subs:
        carried.append(sub_lines["recording"])
    return Slot(
        when,
        start,
        end,
        has_time,
        has_end,
        second,
        tuple(sub_lines[sub] for sub in subs),
        tuple(carried),
    )


# --- pages as a list of elements, written in one of three translation styles ----------------


@dataclass(frozen=True)
class Heading:
    level: int
    title: str
    marked: bool = True  # whether a translate style gives it a unit marker


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Items:
    lines: tuple[str, ...]  # without the "* "


@dataclass(frozen=True)
class Raw:
    """Outside any translation: <languages />, templates, categories."""

    text: str


class Markers:
    def __init__(self) -> None:
        self.last = 0

    def next(self) -> str:
        self.last += 1
        return f"<!--T:{self.last}-->"


def heading_line(heading: Heading, marker: str | None) -> str:
    bars = "=" * heading.level
    return f"{bars}{heading.title}{bars}" + (f" {marker}" if marker else "")


def plain(elements: list, gaps: list[bool]) -> str:
    """No Translate markup; a blank line always parts two paragraphs, sometimes other chunks."""
    out: list[str] = []
    previous = None
    for element, gap in zip(elements, gaps, strict=True):
        if previous is not None and (
            gap or (isinstance(element, Paragraph | Raw) and isinstance(previous, Paragraph | Raw))
        ):
            out.append("")
        if isinstance(element, Heading):
            out.append(heading_line(element, None))
        elif isinstance(element, Items):
            out.extend(item_line(line, lambda text: text) for line in element.lines)
        else:
            out.append(element.text)
        previous = element
    return "\n".join(out) + "\n"


def unit_per_item(elements: list, gaps: list[bool]) -> str:
    """Like the Meta page: prose in <translate> blocks, each list item a unit of its own."""
    markers = Markers()
    out: list[str] = []
    in_block = False
    for element, gap in zip(elements, gaps, strict=True):
        prose = isinstance(element, Heading | Paragraph)
        if prose and not in_block:
            if out and out[-1] != "":
                out.append("")
            out.append("<translate>")
            in_block = True
        elif prose:
            out.append("")
        elif in_block:
            out.append("</translate>")
            in_block = False
            if gap:
                out.append("")
        elif out:
            out.append("")
        if isinstance(element, Heading):
            out.append(heading_line(element, markers.next() if element.marked else None))
        elif isinstance(element, Paragraph):
            out += [markers.next(), element.text]
        elif isinstance(element, Items):
            out += [
                item_line(line, lambda text: f"<translate>{markers.next()} {text}</translate>")
                for line in element.lines
            ]
        else:
            out.append(element.text)
    if in_block:
        out.append("</translate>")
    return "\n".join(out) + "\n"


def unit_per_list(elements: list, gaps: list[bool]) -> str:
    """One <translate> block round everything translatable; a whole list is one unit."""
    markers = Markers()
    out: list[str] = []
    in_block = False
    for element in elements:
        if isinstance(element, Raw):
            if in_block:
                out += ["</translate>", ""]
                in_block = False
            out.append(element.text)
            continue
        if not in_block:
            out.append("<translate>")
            in_block = True
        elif out[-1] != "<translate>":
            out.append("")
        if isinstance(element, Heading):
            out.append(heading_line(element, markers.next() if element.marked else None))
        elif isinstance(element, Paragraph):
            out += [markers.next(), element.text]
        else:
            out += [markers.next(), *(item_line(line, lambda text: text) for line in element.lines)]
    if in_block:
        out.append("</translate>")
    return "\n".join(out) + "\n"


def item_line(line: str, wrap) -> str:
    """A list item; a line that starts with "*" is a sub-bullet, outside any unit of its own."""
    return f"*{line}" if line.startswith("* ") else f"* {wrap(line)}"


STYLES = {"plain": plain, "unit per item": unit_per_item, "unit per list": unit_per_list}


def section_title(draw, name: str) -> str:
    """The title between the equals signs, as editors write it."""
    return draw(st.sampled_from([f" {name} ", name, f"  {name.replace(' ', '  ')} "]))


@st.composite
def events(draw) -> tuple[Event, ...]:
    sizes = [draw(st.integers(1, 4)) for _ in range(draw(st.sampled_from([0, 1, 1, 2, 2, 3, 3])))]
    # Distinct moments, so no two timeslot lines of a page read the same.
    quarters = draw(
        st.lists(
            st.integers(0, SESSION_DAYS * 96 - 1),
            min_size=sum(sizes),
            max_size=sum(sizes),
            unique=True,
        )
    )
    moments = iter(sorted(FIRST_DAY + timedelta(minutes=15 * q) for q in quarters))
    chosen = draw(st.permutations(range(len(sizes))))  # blocks need not be in date order
    made = []
    for pool, size in enumerate(sizes):
        title, keyword = draw(st.sampled_from(TITLES[pool]))
        made.append(
            (
                chosen[pool],
                Event(
                    title=title + draw(st.sampled_from(["", ":"])),
                    keyword=keyword,
                    description=draw(st.none() | st.sampled_from(DESCRIPTIONS)),
                    slots=tuple(draw(slots(next(moments))) for _ in range(size)),
                    trailer=draw(st.sampled_from([None, "about", "plain"])),
                ),
            )
        )
    # Whole-day dates of one day read the same whatever their moment: keep page lines unique.
    assume(len({slot.when for _, event in made for slot in event.slots}) == sum(sizes))
    return tuple(event for _, event in sorted(made, key=lambda pair: pair[0]))


@st.composite
def log_entries(draw) -> list[str]:
    days = draw(st.lists(st.integers(0, 900), max_size=6, unique=True))
    lines = []
    for day in sorted(days):  # newest first
        moment = (
            FIRST_DAY + timedelta(days=30) - timedelta(days=day, hours=draw(st.integers(0, 23)))
        )
        clock = f" ({moment.hour}:00 UTC)" if draw(st.booleans()) else ""
        topic = draw(st.sampled_from(LOG_TOPICS))
        lines.append(f"{MONTHS[moment.month]} {moment.day}, {moment.year}{clock}. Topic: {topic}.")
    return lines


@st.composite
def cases(draw) -> Case:
    style = draw(st.sampled_from(sorted(STYLES)))
    level = draw(st.sampled_from([2, 3]))
    log_level = draw(st.sampled_from([2, level]))
    translated = style != "plain"
    upcoming = Heading(
        level, section_title(draw, "Upcoming Conversation Hours"), draw(st.booleans())
    )
    log = Heading(log_level, section_title(draw, "Log of Previous Conversation Hours"))

    elements: list = []
    if translated:
        elements.append(Raw("<languages />"))
    elements.append(Raw("{{Global Advocacy/Header}}"))
    if level == 3 or draw(st.booleans()):
        elements.append(Heading(2, " Monthly Conversation Hours "))
    elements.append(
        Paragraph("The Global Advocacy team hosts conversation hours — join via video call. 📹")
    )
    elements.append(upcoming)
    standing = draw(st.sampled_from(["none", "none", "before", "after"]))
    if standing == "before":
        elements.append(Paragraph(STANDING))
    happening = draw(events())
    entries: dict[str, str] = {}
    for event in happening:
        elements.append(Paragraph(f"'''{event.title}''' Join the Global Advocacy team. ✨"))
        if event.description:
            elements.append(Paragraph(event.description))
        elements.append(
            Items(
                tuple(
                    line
                    for slot in event.slots
                    for line in (slot.when, *(f"* {sub}" for sub in slot.subs))
                )
            )
        )
        if event.trailer == "about":
            elements.append(Paragraph(f"'''More on {event.keyword}:'''<br />\nDetails to come."))
        elif event.trailer == "plain":
            elements.append(Paragraph(PLAIN_TRAILER))
    if standing == "after":
        elements.append(Paragraph(STANDING))
    elements.append(log)
    if draw(st.booleans()):
        elements.append(
            Paragraph(
                "Notes from all calls are in the [https://etherpad.wikimedia.org/p/GA etherpad]."
            )
        )
    logged = draw(log_entries())
    if logged:
        elements.append(Items(tuple(logged)))
    if draw(st.booleans()):
        elements.append(Paragraph("Follow us on [https://twitter.com/Wikimedia_GA Twitter]."))
    if draw(st.booleans()):
        elements.append(Raw("[[Category:Global Advocacy{{#translation:}}]]"))

    gaps = draw(st.lists(st.booleans(), min_size=len(elements), max_size=len(elements)))
    text = STYLES[style](elements, gaps)
    # MediaWiki saves a page without its final newline.
    if draw(st.booleans()):
        text = text.rstrip("\n")
    lines = text.split("\n")
    for event in happening:
        for slot in event.slots:
            line = next(
                line
                for line in lines
                if line == f"* {slot.when}" or line.endswith(f"> {slot.when}</translate>")
            )
            entries[line] = entry_text(slot, event.title)
    return Case(text, draw(moments(happening)), style, happening, entries)


@st.composite
def moments(draw, happening: tuple[Event, ...]) -> datetime:
    """Before, between and after the sessions; sometimes right at the end of a grace period."""
    ends = [slot.end for event in happening for slot in event.slots]
    kinds = ["any", "near one", "at an end", "at an end", "after all"] if ends else ["any"]
    when = draw(st.sampled_from(kinds))
    if when == "near one":
        return draw(st.sampled_from(ends)) + timedelta(minutes=draw(st.integers(-4320, 4320)))
    if when == "at an end":
        moment = draw(st.sampled_from(ends)) + GRACE
        return moment + timedelta(seconds=draw(st.sampled_from(AROUND_AN_END)))
    if when == "after all":
        return max(ends) + GRACE + timedelta(minutes=draw(st.integers(1, 3 * 1440)))
    return FIRST_DAY + timedelta(minutes=draw(st.integers(-3 * 1440, (SESSION_DAYS + 3) * 1440)))


# --- the properties -------------------------------------------------------------------------

CHECK = settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
GLUE = re.compile(r"^\s*(?:</?translate(?: nowrap)?>|<!--T:[^>]*-->)?\s*$")
ENTRY = re.compile(r"^\* (?:<translate>(?:<!--T:[^>]*--> )?)?(?P<entry>.*?)(?:</translate>)?$")


def run(case: Case) -> Result:
    return transform(case.text, case.now)


def is_subsequence(needles: list[str], haystack: list[str]) -> bool:
    rest = iter(haystack)
    return all(any(line == other for other in rest) for line in needles)


@given(cases())
@CHECK
def test_a_second_run_changes_nothing(case):
    first = run(case)
    second = transform(first.text, case.now)
    assert not second.changed
    assert second.text == first.text


@given(cases())
@CHECK
def test_every_line_is_kept_in_order_moved_or_retired(case):
    result = run(case)
    before, after = case.text.split("\n"), result.text.split("\n")
    moved = {line.text for s in result.moves for line in s.slot.lines}
    retired = {line for paragraph in result.dropped_paragraphs for line in paragraph.split("\n")}
    assert moved <= set(before)
    assert retired <= set(before)
    kept = [line for line in before if line not in moved | retired and not GLUE.match(line)]
    assert is_subsequence(kept, after)
    assert not moved & set(after)


@given(cases())
@CHECK
def test_every_new_line_is_a_log_entry_or_the_placeholder(case):
    result = run(case)
    after = result.text.split("\n")
    new = Counter(after) - Counter(case.text.split("\n"))
    log_at = next(i for i, line in enumerate(after) if re.match(r"=+ *Log +of", line))
    expected = Counter(case.entries[s.slot.line.text] for s in result.moves)
    written = Counter()
    for line, times in new.items():
        if not line.strip():
            continue
        if result.placeholder and (line == PLACEHOLDER or GLUE.match(line)):
            continue
        match = ENTRY.match(line)
        assert match and match["entry"] in expected, f"unaccounted new line {line!r}"
        assert after.index(line) > log_at
        written[match["entry"]] += times
    assert written == expected
    assert (PLACEHOLDER in after) == result.placeholder


@given(cases())
@CHECK
def test_every_marker_survives_once_but_the_retired_ones(case):
    result = run(case)
    before, after = Counter(translate.markers(case.text)), Counter(translate.markers(result.text))
    assert all(n == 1 for n in after.values())
    assert set(after) == set(before) - set(result.dropped_units)
    assert set(result.dropped_units) <= set(before)


@given(cases())
@CHECK
def test_the_output_is_valid_translate_markup(case):
    translate.validate(case.text)  # the generator's own pages first
    translate.validate(run(case).text)


@given(cases())
@CHECK
def test_exactly_the_sessions_that_are_over_move(case):
    result = run(case)
    assert len(result.moves) == case.past()
    assert all(s.end < case.now - GRACE for s in result.moves)


LOGGED_START = re.compile(
    r"(?P<month>[A-Z][a-z]+) (?P<day>\d{1,2}), (?P<year>\d{4})"
    r"(?: \((?P<hour>\d{1,2}):(?P<minute>\d\d))?"
)


def log_starts(text: str) -> list[datetime]:
    """When each entry of the log started, read from the entry's own words, in page order."""
    log = re.split(r"=+ *Log +of[^\n]*", text, maxsplit=1)[1]
    starts = []
    for line in log.split("\n"):
        match = LOGGED_START.search(line) if line.startswith("*") else None
        if match:
            month = MONTHS.index(match["month"])
            hour, minute = int(match["hour"] or 0), int(match["minute"] or 0)
            starts.append(
                datetime(int(match["year"]), month, int(match["day"]), hour, minute, tzinfo=UTC)
            )
    return starts


@given(cases())
@CHECK
def test_the_log_stays_newest_first(case):
    starts = log_starts(run(case).text)
    assert starts == sorted(starts, reverse=True)


# --- bugs the properties found ---------------------------------------------------------------


ENDS_WITHOUT_NEWLINE = {
    "the log heading": (
        "== Upcoming Conversation Hours ==\n* June 1, 2023\n"
        "== Log of Previous Conversation Hours ==",
        "* June 1, 2023.",
    ),
    "the log's first paragraph": (
        "== Upcoming Conversation Hours ==\n* June 1, 2023\n"
        "== Log of Previous Conversation Hours ==\nNotes from all calls are in the etherpad.",
        "* June 1, 2023.",
    ),
    "the translate block holding the log": (
        "<translate>\n== Upcoming Conversation Hours == <!--T:1-->\n\n<!--T:2-->\n"
        "* June 1, 2023\n\n== Log of Previous Conversation Hours == <!--T:3-->\n</translate>",
        # The timeslot is a unit of its own (its marker above it): it moves with its marker.
        "* <translate><!--T:2--> June 1, 2023.</translate>",
    ),
}


@pytest.mark.parametrize("ending", ENDS_WITHOUT_NEWLINE)
def test_an_empty_log_that_ends_a_page_without_a_final_newline_gets_its_entry(ending):
    text, entry = ENDS_WITHOUT_NEWLINE[ending]
    result = transform(text, datetime(2023, 6, 3, tzinfo=UTC))
    after = result.text.split("\n")
    assert after[after.index(text.split("\n")[-1]) + 1] == entry
