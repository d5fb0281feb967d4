"""What must never change (fixed seed in CI): a page with something added to it reads the same.

Each property takes a real page (the Meta page, the editors' corpus) and adds what editors and
vandals add: a dated signature, a deadline, an old date, a dated file name, a comment, a
template or a `<nowiki>`'d date in a slot; inert markup wrapped around a payload; random noise
between the lines. The sessions that move, and their dates, must not change; nothing inert may
become live; a moved slot's words arrive in its entry verbatim; nothing outside the moved slots
changes.
"""

import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.dates.vocabulary import MONTH_NAMES
from bot.core.pipeline import transform
from bot.core.report.result import Result
from bot.core.wikitext import liveness
from tests.conftest import META, PAGES, WRITTEN
from tests.test_bad_input import output_problems

CHECK = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Moments around the reference page's and the editors' pages' sessions.
MOMENTS = [datetime(2023, 6, 26, 14, tzinfo=UTC), datetime(2023, 7, 1, tzinfo=UTC)]
#: Pages whose slots are plain list items of their own line (where text may be added).
PAGE_NAMES = [
    "one-slot-with-zoom-and-meeting-id",
    "two-sessions-on-two-days-one-line",
    "second-time-same-day",
    "slot-with-own-topic-and-speaker",
    "log-newest-first",
    "log-units-per-line",
    "numbered-list",
    "time-before-the-date",
]
SLOT = re.compile(r"^[*#] .*(?:June|July) \d.*$", re.MULTILINE)


@dataclass(frozen=True)
class Page:
    name: str
    text: str


def pages() -> list[Page]:
    found = [Page("meta", META)]
    for name in PAGE_NAMES:
        found.append(Page(name, (PAGES / "editors" / f"{name}.wikitext").read_text("utf-8")))
    return found


def spoken(day: date) -> str:
    return f"{MONTH_NAMES[day.month - 1]} {day.day}, {day.year}"


DAYS = st.dates(date(2023, 5, 1), date(2023, 8, 31))
CLOCKS = st.sampled_from(["09:00", "12:00", "14:05", "17:30", "23:00"])


@st.composite
def mentions(draw) -> str:
    """Dated text that is never a session: kept verbatim, never read as one."""
    day, clock = draw(DAYS), draw(CLOCKS)
    shapes = [
        f"[[User:Ada|Ada]] ([[User talk:Ada|talk]]) {clock}, {day.day} "
        f"{MONTH_NAMES[day.month - 1]} {day.year} (UTC)",
        f"(send your questions by {spoken(day)})",
        f"(register by {spoken(day)})",
        f"(moved from {spoken(day)})",
        f"(instead of {spoken(day)} @ {clock} UTC)",
        f"[[:File:Call {day.isoformat()}.pdf|slides]]",
        f"<!-- {spoken(day)} @ {clock} UTC -->",
        f"{{{{Date|{day.isoformat()}}}}}",
        f"<nowiki>{spoken(day)} @ {clock} UTC</nowiki>",
    ]
    return draw(st.sampled_from(shapes))


def slot_lines(text: str) -> list[str]:
    return [m.group() for m in SLOT.finditer(text)]


def with_added(text: str, line: str, addition: str, as_sub_bullet: bool) -> str:
    """The page with the addition at the end of the slot's line (inside its translate unit), or
    as a sub-bullet under it."""
    if as_sub_bullet:
        prefix = line[0] * 2
        return text.replace(line, f"{line}\n{prefix} {addition}", 1)
    if line.endswith("</translate>"):
        changed = line.removesuffix("</translate>") + f" {addition}</translate>"
    else:
        changed = f"{line} {addition}"
    return text.replace(line, changed, 1)


def sessions(result: Result) -> list[tuple[datetime, datetime]]:
    return [(s.start, s.end) for dated in result.moves for s in dated.sessions]


@st.composite
def additions(draw) -> tuple[Page, str, str, bool, datetime]:
    page = draw(st.sampled_from(pages()))
    line = draw(st.sampled_from(slot_lines(page.text)))
    return page, line, draw(mentions()), draw(st.booleans()), draw(st.sampled_from(MOMENTS))


@CHECK
@given(additions())
def test_adding_dated_text_that_is_no_session_never_changes_what_moves(case):
    page, line, addition, as_sub_bullet, now = case
    before = transform(page.text, now, default_written_at=WRITTEN)
    after = transform(
        with_added(page.text, line, addition, as_sub_bullet), now, default_written_at=WRITTEN
    )
    assert sessions(after) == sessions(before)


@CHECK
@given(additions())
def test_a_moved_slots_added_words_arrive_in_its_entry_verbatim(case):
    page, line, addition, as_sub_bullet, now = case
    text = with_added(page.text, line, addition, as_sub_bullet)
    result = transform(text, now, default_written_at=WRITTEN)
    moved = [d for d in result.moves if line.split("</translate>")[0] in d.slot.line.text]
    if moved:
        log = result.text[result.text.index("Log of Previous") :]
        assert addition in log


PAYLOAD = "~~~~ [[Category:Spam]] {{subst:User:X/payload}} __NOINDEX__ [https://spam.example x]"
WRAPPERS = [
    ("<nowiki>", "</nowiki>"),
    ("<!-- ", " -->"),
    ("<includeonly>", "</includeonly>"),
    ("<pre>", "</pre>"),
]


@st.composite
def wrapped(draw) -> tuple[Page, str, str, datetime]:
    page = draw(st.sampled_from(pages()))
    line = draw(st.sampled_from(slot_lines(page.text)))
    opening, closing = draw(st.sampled_from(WRAPPERS))
    words = [m.start() for m in re.finditer(r" ", line)]
    at = draw(st.sampled_from(words))
    changed = f"{line[:at]} {opening}{PAYLOAD}{closing}{line[at:]}"
    return page, page.text.replace(line, changed, 1), f"{opening}{PAYLOAD}{closing}", MOMENTS[1]


@CHECK
@given(wrapped())
def test_wrapping_a_payload_in_inert_markup_never_makes_it_live(case):
    _, text, wrapper, now = case
    result = transform(text, now, default_written_at=WRITTEN)
    old_lines = text.split("\n")
    new_lines = [line for line in result.text.split("\n") if line not in old_lines]
    assert liveness.became_live("\n".join(old_lines), "\n".join(new_lines)) == []
    # Kept whole or dropped whole (with a join link it stood in): never cut apart.
    assert result.text.count(PAYLOAD) == result.text.count(wrapper) <= text.count(wrapper)


NOISE = st.lists(
    st.sampled_from(
        [
            "{{",
            "}}",
            "[[",
            "]]",
            "<!--",
            "-->",
            "<nowiki>",
            "</nowiki>",
            "<div>",
            "</div>",
            "'''",
            "''",
            "|",
            "||",
            "{|",
            "|}",
            "|-",
            "~~~~",
            "__TOC__",
            "=",
            "==",
            "<translate>",
            "<s>",
            "</s>",
            "* ",
            "# ",
            ": ",
            "; ",
            "June 26",
            "2023",
            "12:00",
            " ",
            "text",
        ]
    ),
    min_size=1,
    max_size=12,
).map("".join)


@st.composite
def noisy(draw) -> tuple[str, str, datetime]:
    page = draw(st.sampled_from(pages()))
    lines = page.text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, draw(NOISE))
    return page.text, "\n".join(lines), draw(st.sampled_from(MOMENTS))


@CHECK
@given(noisy())
def test_noise_between_the_lines_changes_nothing_but_the_moved_slots(case):
    _, text, now = case
    started = time.perf_counter()
    try:
        result = transform(text, now, default_written_at=WRITTEN)
    except Exception as refusal:  # a page the noise made unreadable is refused, never cut
        assert type(refusal).__name__ == "Refusal", refusal
        return
    assert time.perf_counter() - started < 5  # a hang guard, not a speed test
    moved = [line.text for dated in result.moves for line in dated.slot.lines]
    assert output_problems(text, result.text, moved, list(result.dropped_paragraphs)) == []
    again = transform(result.text, now, default_written_at=WRITTEN)
    assert again.text == result.text
