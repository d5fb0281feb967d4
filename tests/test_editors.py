"""The "Upcoming" side of pages as editors really write them: one page per situation under
tests/pages/editors/, each with what the bot must do written next to it.

Every case says which new lines the log gets (exactly those, nothing else is added but the
placeholder), which text leaves the page, which stays under "Upcoming", and which warnings name
which line. Beyond what each case states, every case checks that a second run changes nothing
and that a case with no warning written down gives none.
"""

import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.change.plan import plan
from bot.core.page.reader import read_page
from bot.core.pipeline import transform
from bot.core.report.explain import explain
from bot.core.settings import Settings
from tests.conftest import PAGES, WRITTEN, page, utc

PLACEHOLDER = "No conversation hours are scheduled at the moment."
ZOOM = "[https://wikimedia.zoom.us/j/87082260165 Zoom]"


@dataclass(frozen=True)
class Case:
    page: str
    now: str
    #: The new lines of the log, exactly.
    logged: tuple[str, ...] = ()
    #: Text no longer anywhere on the page.
    gone: tuple[str, ...] = ()
    #: Text still under "Upcoming".
    kept: tuple[str, ...] = ()
    #: (line number, part of the warning) for every warning the run must give.
    warnings: tuple[tuple[int, str], ...] = ()
    #: Translation units moved and retired, when the case is about them.
    units: dict[str, list[str]] | None = None

    def __str__(self) -> str:
        return f"{self.page}@{self.now}"


def entry(text: str) -> str:
    return f"* {text}"


def unit(marker: str, text: str) -> str:
    return f"* <translate><!--T:{marker}--> {text}</translate>"


CASES = [
    # --- the plain case, as the Meta page writes it ----------------------------------------
    Case(
        "one-slot-with-zoom-and-meeting-id",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        gone=("zoom.us", "Meeting ID", "Join us to talk about copyright."),
    ),
    # --- several sessions on one line, and one session over several days ------------------
    Case(
        "two-sessions-on-two-days-one-line",
        "2023-06-27T00:00:00",
        kept=("Monday, June 26, 2023 @ 12:00 UTC and Friday, June 30, 2023",),
    ),
    Case(
        "two-sessions-on-two-days-one-line",
        "2023-07-01T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC) and June 30, 2023 (16:00 UTC). "
                "Topic: Digital Services Act conversation hours."
            ),
        ),
        gone=("Two calls for two time zones.",),
    ),
    Case(
        "second-time-same-day",
        "2023-06-26T15:00:00",
        kept=("June 26, 2023 @ 12:00 UTC and 17:00 UTC",),
    ),
    Case(
        "second-time-same-day",
        "2023-06-26T19:30:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC) and June 26, 2023 (17:00 UTC). "
                "Topic: Open call on the Global Digital Compact."
            ),
        ),
    ),
    Case("multi-day-conference", "2023-08-17T00:00:00", kept=("August 16\u201319, 2023",)),
    Case("multi-day-conference", "2023-08-20T00:30:00", kept=("August 16\u201319, 2023",)),
    Case(
        "multi-day-conference",
        "2023-08-20T02:00:00",
        logged=(
            entry(
                "August 16\u201319, 2023. Topic: Wikimania 2023. "
                "our sessions at [[wmania:2023:Program|Wikimania]]."
            ),
        ),
    ),
    Case(
        "second-session-in-a-sub-bullet",
        "2023-06-27T00:00:00",
        kept=("Part 1: Monday, June 26", "** Part 2: Wednesday, June 28"),
    ),
    Case(
        "second-session-in-a-sub-bullet",
        "2023-06-29T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC) and June 28, 2023 (12:00 UTC). "
                "Topic: Copyright workshop. Part 1. Part 2."
            ),
        ),
        gone=("Part 2: Wednesday",),
    ),
    # --- cancelled, postponed, rescheduled -------------------------------------------------
    Case(
        "cancelled-struck-bold",
        "2023-06-27T00:00:00",
        logged=(
            entry("June 26, 2023 (12:00 UTC) (cancelled). Topic: Copyright conversation hour."),
        ),
        kept=("Friday, June 30, 2023 @ 16:00 UTC",),
    ),
    Case(
        "cancelled-del-parenthesis",
        "2023-06-30T12:00:00",
        kept=("<del>Friday, June 30, 2023 @ 16:00 UTC</del> (cancelled)",),
    ),
    Case(
        "cancelled-del-parenthesis",
        "2023-07-01T00:00:00",
        logged=(
            entry("June 30, 2023 (16:00 UTC) (cancelled). Topic: Copyright conversation hour."),
        ),
    ),
    Case(
        "postponed-in-capitals",
        "2023-06-27T00:00:00",
        logged=(
            entry("June 26, 2023 (12:00 UTC) (postponed). Topic: Copyright conversation hour."),
        ),
        gone=("POSTPONED",),
    ),
    Case(
        "cancelled-in-a-sub-bullet",
        "2023-06-27T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC) (cancelled). Topic: Copyright conversation hour. "
                "due to a public holiday."
            ),
        ),
        gone=("** Cancelled",),
    ),
    Case(
        "cancelled-only-in-a-link",
        "2023-06-27T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour. "
                "[https://etherpad.wikimedia.org/p/cancelled-or-not Notes]."
            ),
        ),
    ),
    Case(
        "rescheduled-struck-old-date",
        "2023-06-27T00:00:00",
        kept=("Rescheduled: Wednesday, June 28, 2023 @ 12:00 UTC | " + ZOOM,),
    ),
    Case(
        "rescheduled-struck-old-date",
        "2023-06-29T00:00:00",
        logged=(
            entry("June 28, 2023 (12:00 UTC). Topic: Copyright conversation hour. Rescheduled."),
        ),
        gone=("Monday, June 26",),
    ),
    Case(
        "cancelled-beside-a-new-date",
        "2023-07-01T00:00:00",
        kept=("cancelled, moved to Friday, June 30",),
        warnings=((6, "marked 'cancelled' but names a new date beside a struck one"),),
    ),
    Case(
        "struck-date-not-marked",
        "2023-07-01T00:00:00",
        kept=("<s>Monday, June 26, 2023 @ 12:00 UTC</s>",),
        warnings=((6, "its only date is struck out and it is not marked cancelled"),),
    ),
    Case(
        "register-by-deadline-on-the-slot",
        "2023-06-20T00:00:00",
        kept=("register by Friday, June 16, 2023",),
    ),
    Case(
        "register-by-deadline-on-the-slot",
        "2023-06-27T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC). Topic: Policy workshop. "
                "(register by Friday, June 16, 2023)."
            ),
        ),
    ),
    # --- join details leave, everything else reaches the log ------------------------------
    Case(
        "zoom-details-as-sub-bullets",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        gone=("87082260165", "870 8226 0165", "123456"),
        kept=("* Friday, June 30, 2023 @ 16:00 UTC\n** Zoom: [https://wikimedia.zoom.us/j/876",),
    ),
    Case(
        "zoom-invitation-pasted-whole",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        gone=("Join Zoom Meeting", "pwd=", "512731", "One tap mobile", "+1 669", "US (New York)"),
    ),
    Case(
        "dial-in-sub-bullet",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        gone=("Dial-in", "646 558 8656"),
    ),
    Case(
        "google-meet-and-teams-links",
        "2023-07-01T00:00:00",
        logged=(
            entry("June 30, 2023 (16:00 UTC). Topic: Copyright conversation hours."),
            entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours."),
        ),
        gone=("meet.google.com", "teams.microsoft.com"),
    ),
    Case(
        "recording-and-slides-as-sub-bullets",
        "2023-06-27T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour. "
                "[https://commons.wikimedia.org/wiki/File:Copyright_call_June_2023.webm"
                " Recording]. "
                "Slides: [[:File:Copyright call June 2023.pdf|slide deck]]."
            ),
        ),
        gone=("zoom.us",),
    ),
    Case(
        "recording-password-tvar-and-slides",
        "2023-06-27T00:00:00",
        logged=(
            unit(
                "3",
                "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour. "
                "[https://drive.google.com/file/d/1Jun26/view Watch recording] "
                '(password is <tvar name="pw">g.5cyBP.</tvar>). '
                "[[:File:Copyright call June 2023.pdf|Slides]].",
            ),
        ),
        units={"moved": ["3"], "retired": ["2"]},
    ),
    Case(
        "meeting-passcode-and-recording-password",
        "2023-06-27T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour. "
                "[https://drive.google.com/file/d/1Jun26/view Recording] (password: Xy7!pq)."
            ),
        ),
        gone=("Passcode", "512731"),
    ),
    Case(
        "slot-with-own-topic-and-speaker",
        "2023-07-01T00:00:00",
        logged=(
            entry(
                "June 30, 2023 (16:00 UTC). Topic: Conversation hours on copyright. "
                "EU copyright campaigns, with Dimi Dimitrov (Wikimedia Brussels)."
            ),
            entry(
                "June 26, 2023 (12:00 UTC). Topic: Conversation hours on copyright. "
                "Copyright in Africa, with Douglas Scott (Wikimedia South Africa)."
            ),
        ),
    ),
    Case(
        "zonestamp-link-gives-the-time",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
    ),
    # --- translate variants ----------------------------------------------------------------
    Case(
        "two-units-on-one-slot-line",
        "2023-06-27T00:00:00",
        logged=(
            unit(
                "3",
                "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours. "
                "Copyright in Africa, with Douglas Scott.",
            ),
        ),
        units={"moved": ["3"], "retired": ["4"]},
    ),
    Case(
        "translate-nowrap-slot",
        "2023-06-27T00:00:00",
        logged=(unit("3", "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        units={"moved": ["3"], "retired": []},
    ),
    Case(
        "join-details-outside-the-unit",
        "2023-06-27T00:00:00",
        logged=(unit("3", "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        units={"moved": ["3"], "retired": []},
        gone=("870 8226 0165",),
    ),
    Case(
        "tvar-in-slot",
        "2023-06-27T00:00:00",
        logged=(
            unit(
                "3",
                "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour. "
                'with <tvar name="user">[[User:Example|Example]]</tvar>.',
            ),
        ),
        gone=('<tvar name="zoom">',),
        units={"moved": ["3"], "retired": []},
    ),
    Case(
        "unit-spans-two-lines",
        "2023-06-27T00:00:00",
        logged=(unit("3", "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        gone=("Join: ", "<br />"),
        units={"moved": ["3"], "retired": []},
    ),
    Case(
        "unit-runs-into-the-next-slot",
        "2023-07-01T00:00:00",
        kept=("<!--T:3--> Monday, June 26, 2023 @ 12:00 UTC\n* Friday, June 30",),
        warnings=(
            (9, "its translation unit <!--T:3--> runs on to line 10"),
            (10, "inside the translation unit <!--T:3--> that opens on line 9"),
        ),
    ),
    Case(
        "every-slot-its-own-unit-in-the-block",
        "2023-06-27T00:00:00",
        logged=(unit("3", "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours."),),
        kept=("'''Copyright conversation hours''' Two calls", "<!--T:4-->\n* Friday, June 30"),
        units={"moved": ["3"], "retired": []},
    ),
    Case(
        "every-slot-its-own-unit-in-the-block",
        "2023-07-01T00:00:00",
        logged=(
            unit("4", "June 30, 2023 (16:00 UTC). Topic: Copyright conversation hours."),
            unit("3", "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours."),
        ),
        gone=("Two calls for two time zones.",),
        units={"moved": ["3", "4"], "retired": ["2"]},
    ),
    # --- the forms of lists editors use -----------------------------------------------------
    Case(
        "numbered-list",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours."),),
        kept=("# Friday, June 30, 2023 @ 16:00 UTC",),
    ),
    Case(
        "definition-list",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours."),),
        gone=("; Monday, June 26", "870 8226 0165"),
        kept=("; Friday, June 30, 2023 @ 16:00 UTC\n: " + ZOOM,),
    ),
    Case(
        "definition-term-over-its-sessions",
        "2023-06-26T12:00:00",
        kept=("; Asia-Pacific and Europe-Africa-Americas calls\n: Monday, June 26, 2023 @ 03:00",),
    ),
    Case(
        "definition-term-over-its-sessions",
        "2023-06-27T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (3:00 UTC) and June 26, 2023 (16:00 UTC). "
                "Topic: Copyright conversation hours. "
                "Asia-Pacific and Europe-Africa-Americas calls."
            ),
        ),
        gone=("Two calls for two time zones.",),
    ),
    Case(
        "sessions-as-sub-bullets-of-a-topic",
        "2023-06-27T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours. "
                "Copyright in Africa, with Douglas Scott."
            ),
        ),
        kept=("* EU copyright campaigns\n** Friday, June 30, 2023 @ 16:00 UTC",),
    ),
    Case(
        "wikitable-of-sessions",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours."),),
        kept=("| Friday, June 30, 2023 @ 16:00 UTC ||",),
    ),
    Case(
        "wikitable-of-sessions",
        "2023-07-01T00:00:00",
        logged=(
            entry("June 30, 2023 (16:00 UTC). Topic: Copyright conversation hours."),
            entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours."),
        ),
        gone=("{| class", "zoom.us"),
    ),
    Case(
        "page-in-french",
        "2023-07-01T00:00:00",
        kept=("lundi 26 juin 2023",),
        warnings=((4, "carry no date the bot can read"),),
    ),
    Case(
        "session-in-a-paragraph-without-list",
        "2023-07-01T00:00:00",
        kept=("'''Ad-hoc call''' on Monday, June 26, 2023",),
        warnings=((5, "no session list the bot can read"),),
    ),
    Case(
        "copied-block-with-stale-yearless-date",
        "2023-07-01T00:00:00",
        kept=("Monday, May 29 @ 12:00 UTC",),
        warnings=((6, "matches no date"),),
    ),
    Case(
        "noon-utc",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
    ),
    Case(
        "time-before-the-date",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
    ),
    Case(
        "numeric-date",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
    ),
    Case("second-time-zone-cest-and-utc", "2023-06-26T13:30:00", kept=("14:00 CEST / 12:00",)),
    Case(
        "second-time-zone-cest-and-utc",
        "2023-06-26T14:30:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
    ),
    # --- which paragraphs belong to a finished block ----------------------------------------
    Case(
        "next-event-title-shares-a-word",
        "2023-06-27T00:00:00",
        logged=(
            entry("June 1, 2023 (14:00 UTC). Topic: Conversation on the Digital Services Act."),
        ),
        gone=("Digital Services Act'''",),
        kept=("'''Conversation on the Digital Markets Act'''\n* Monday, July 10",),
    ),
    Case(
        "follow-up-on-the-same-topic",
        "2023-07-01T00:00:00",
        logged=(
            entry("June 26, 2023 (12:00 UTC). Topic: Global Digital Compact conversation hour."),
        ),
        kept=("'''Follow-up: Global Digital Compact after the consultation''' What we heard",),
    ),
    Case(
        "follow-up-on-the-same-topic",
        "2023-07-21T00:00:00",
        logged=(
            entry(
                "July 20, 2023 (15:00 UTC). "
                "Topic: Follow-up: Global Digital Compact after the consultation."
            ),
            entry("June 26, 2023 (12:00 UTC). Topic: Global Digital Compact conversation hour."),
        ),
        gone=("What we heard",),
    ),
    Case(
        "about-paragraph-after-the-list",
        "2023-06-27T00:00:00",
        logged=(
            entry(
                "June 26, 2023 (12:00 UTC). "
                "Topic: Ad-hoc conversation hour on the Global Digital Compact."
            ),
        ),
        gone=("About the Global Digital Compact", "This international effort"),
        kept=("There are no more regularly upcoming conversation hours.",),
    ),
    Case(
        "unrelated-bold-note-after-the-list",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        kept=("'''Note:''' all times are in UTC.",),
        warnings=((8, "cannot tell whether it belongs to 'Copyright conversation hour'"),),
    ),
    Case(
        "description-between-announcement-and-list",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        gone=("EU copyright reform",),
    ),
    Case(
        "announcement-with-date-in-bold",
        "2023-06-27T00:00:00",
        logged=(
            entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour (June 26, 2023)."),
        ),
    ),
    Case(
        "undated-note-item-keeps-the-block",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hours."),),
        kept=("'''Copyright conversation hours'''\n* More dates to be announced.",),
    ),
    Case(
        "zoom-sub-bullets-stay-with-upcoming-parent",
        "2023-06-27T00:00:00",
        logged=(entry("June 26, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        gone=("zoom.us/j/1 ",),
        kept=(
            "'''Disinformation conversation hour'''\n* Monday, July 24, 2023 @ 12:00 UTC\n"
            "** [https://wikimedia.zoom.us/j/2 Zoom]",
        ),
    ),
    Case(
        "month-subheading-groups-two-events",
        "2023-07-04T00:00:00",
        logged=(entry("July 3, 2023 (12:00 UTC). Topic: Copyright conversation hour."),),
        kept=("=== July 2023 ===\n", "'''Disinformation conversation hour'''"),
    ),
    Case(
        "month-subheading-groups-two-events",
        "2023-07-25T00:00:00",
        logged=(
            entry("July 24, 2023 (12:00 UTC). Topic: Disinformation conversation hour."),
            entry("July 3, 2023 (12:00 UTC). Topic: Copyright conversation hour."),
        ),
        gone=("=== July 2023 ===",),
    ),
    Case(
        "month-subheading-over-a-bare-list",
        "2023-07-04T00:00:00",
        logged=(entry("July 3, 2023 (12:00 UTC)."),),
        kept=("=== July 2023 ===\n* Monday, July 24",),
    ),
]


def upcoming(text: str) -> str:
    return text[text.index("== Upcoming") : text.index("== Log of Previous")]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_editors_page_gets_its_expected_outcome(case):
    text = page(f"editors/{case.page}")
    result = transform(text, utc(case.now), default_written_at=WRITTEN)
    added = Counter(result.text.split("\n")) - Counter(text.split("\n"))
    logged = [line for line in result.text.split("\n") if added[line] and line.strip()]
    logged = [line for line in logged if not line.startswith(PLACEHOLDER)]
    assert logged == list(case.logged)  # in the order the log reads them
    assert all(result.text.index(line) > result.text.index("== Log of") for line in logged)
    for gone in case.gone:
        assert gone in text and gone not in result.text, gone
    for kept in case.kept:
        assert kept in upcoming(result.text), kept
    for number, words in case.warnings:
        assert any(w.startswith(f"line {number}: ") and words in w for w in result.warnings), (
            number,
            words,
            result.warnings,
        )
    assert len(result.warnings) == len(case.warnings), result.warnings
    if case.units is not None:
        units = result.as_json()["units"]
        assert {key: units[key] for key in case.units} == case.units
    again = transform(result.text, utc(case.now), default_written_at=WRITTEN)
    assert not again.changed


EXPECTED = PAGES / "editors" / "expected"


def expected_output(case: Case) -> Path:
    return EXPECTED / f"{case.page}@{case.now}.wikitext"


@pytest.mark.parametrize("case", CASES, ids=str)
def test_each_editors_page_gives_its_whole_expected_output(case):
    """The whole output and every warning, as recorded beside the page: any change to either
    shows as a diff. Recorded again only on purpose: REGENERATE_EXPECTED=1 scripts/test."""
    result = transform(page(f"editors/{case.page}"), utc(case.now), default_written_at=WRITTEN)
    recorded = "".join(f"<!-- warning: {w} -->\n" for w in result.warnings) + result.text
    path = expected_output(case)
    if os.environ.get("REGENERATE_EXPECTED"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(recorded, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == recorded


def test_the_corpus_covers_at_least_forty_pages():
    assert len({case.page for case in CASES}) >= 40


@pytest.mark.parametrize("case", [c for c in CASES if c.warnings], ids=str)
def test_check_names_the_same_lines_as_run(case):
    text = page(f"editors/{case.page}")
    settings = Settings()
    read = read_page(text, settings)
    now = utc(case.now)
    told = explain(read, plan(read.blocks, now, settings, {}, WRITTEN), now)
    for number, words in case.warnings:
        assert any(
            line.startswith(f"warning: line {number}: ") and words in line
            for line in told.split("\n")
        ), told
