"""How a pass makes targets of the pages that opt in, offline: the pages found and their texts
in, one candidate per page out, with its own settings or why it cannot have them."""

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.core import pipeline
from bot.core.optin import Mode
from bot.core.page.reader import read_page
from bot.core.settings import Settings
from bot.core.wikitext.liveness import became_live
from bot.ops import state
from bot.ops.config import OptInWiki, Target
from bot.wiki import client, optin, runner
from bot.wiki.optin import Discovered
from bot.wiki.runner import _own_links, _PageWiki
from tests.conftest import utc

TEMPLATE = "User:ConversationBot/config"
WIKI = OptInWiki(TEMPLATE, Target(site="devwiki:en", title="", status_page="User:B/Status"))
PAGE = """{{User:ConversationBot/config
|upcoming = Upcoming office hours
|log = Past office hours
|mode = preview
|grace = 2h
}}
== Upcoming office hours ==
* 14 February 2024, 16:00 UTC: Annual plan questions
== Past office hours ==
"""


def found(*titles: str) -> Discovered:
    return Discovered(titles, (TEMPLATE,))


@pytest.mark.parametrize(
    ("listed", "after", "size", "taken", "last"),
    [
        (["C", "A", "B"], None, 3, ("C", "A", "B"), None),
        (["C", "A", "B"], "B", 3, ("C", "A", "B"), None),
        (["C", "A", "B", "A"], None, 3, ("C", "A", "B"), None),
        (["C", "A", "B"], None, 2, ("A", "B"), "B"),
        (["C", "A", "B"], "B", 2, ("C", "A"), "A"),
        (["C", "A", "B"], "A", 2, ("B", "C"), "C"),
        (["C", "A", "B"], "C", 2, ("A", "B"), "B"),
        (["D", "A", "C"], "B", 2, ("C", "D"), "D"),
    ],
    ids=[
        "all-fit-as-listed",
        "all-fit-whatever-the-turn",
        "listed-twice-counts-once",
        "first-turn-in-title-order",
        "next-turn-wraps-round",
        "next-turn-after-the-last",
        "after-the-last-title-starts-again",
        "after-a-title-gone-since",
    ],
)
def test_each_pass_takes_the_next_turn_of_the_pages_that_opt_in(listed, after, size, taken, last):
    assert optin.turn(listed, after, size) == (taken, last)


def test_every_page_is_served_within_as_many_passes_as_turns():
    pages = [f"Page {n:02}" for n in range(7)]
    served, after = [], None
    for _ in range(3):
        taken, after = optin.turn(pages, after, 3)
        served.extend(taken)
    assert set(served) == set(pages)


def test_the_pass_goes_on_where_the_last_turn_ended(monkeypatch):
    asked = []

    def discover(site, wiki, after):
        asked.append(after)
        return Discovered(("B", "C"), (TEMPLATE,), last="C")

    monkeypatch.setattr(optin, "discover", discover)
    on = runner._OnSite("devwiki:en", WIKI, utc("2024-03-01T00:00"), True, False, state.Memory())
    runner._discover(object(), on)
    runner._discover(object(), on)
    assert asked == [None, "C"]
    assert on.memory.turn_after(state.key("devwiki:en", TEMPLATE)) == "C"


def test_a_page_that_opts_in_is_a_target_with_its_own_settings():
    (candidate,) = optin.candidates([], found("Office hours"), {"Office hours": PAGE}, WIKI)
    target = candidate.target
    assert candidate.refusal is None
    assert (target.site, target.title, target.mode) == ("devwiki:en", "Office hours", Mode.PREVIEW)
    assert target.settings.grace == timedelta(hours=2)
    assert target.settings.upcoming_headings == ("Upcoming office hours",)


def test_a_page_that_opts_in_shares_the_wikis_pages_and_has_the_daily_cap():
    (candidate,) = optin.candidates([], found("Office hours"), {"Office hours": PAGE}, WIKI)
    assert candidate.target.status_page == "User:B/Status"
    assert candidate.target.edit_cap == WIKI.max_edits_per_day


def test_a_wrong_configuration_is_a_refusal_naming_it():
    text = PAGE.replace("|grace = 2h", "|grace = soon")
    (candidate,) = optin.candidates([], found("Office hours"), {"Office hours": text}, WIKI)
    assert str(candidate.refusal).startswith("line 1: configuration: grace: 'soon' is not")
    assert candidate.target.title == "Office hours"


def test_a_page_in_the_operators_file_keeps_its_settings_and_says_so():
    own = Target(site="devwiki:en", title="Office hours", settings=Settings())
    (candidate,) = optin.candidates([own], found("Office_hours"), {"Office hours": PAGE}, WIKI)
    assert candidate.target.settings == Settings()
    assert candidate.target.note == optin.IN_THE_FILE
    assert candidate.refusal is None


def test_the_operators_targets_come_first_then_the_pages_that_opt_in():
    own = Target(site="devwiki:en", title="Meta page")
    texts = {"B": PAGE, "A": PAGE}
    titles = [c.target.title for c in optin.candidates([own], found("B", "A"), texts, WIKI)]
    assert titles == ["Meta page", "B", "A"]


def test_a_page_that_could_not_be_read_is_left_to_its_run_to_explain():
    (candidate,) = optin.candidates([], found("Gone"), {"Gone": None}, WIKI)
    assert (candidate.target.title, candidate.refusal) == ("Gone", None)


# --- the daily cap ------------------------------------------------------------------------------


def held(cap: int | None, edits: int) -> str | None:
    memory, now = state.Memory(), utc("2024-02-15T12:00:00")
    target = Target(site="devwiki:en", title="Office hours", edit_cap=cap)
    for hours in range(edits):
        memory.add_edit(state.key(target.site, target.title), now - timedelta(hours=hours))
    return _PageWiki(None, target, now, memory).held_back()  # type: ignore[arg-type]


def test_a_page_under_its_cap_may_be_edited():
    assert held(cap=2, edits=1) is None


def test_a_page_at_its_cap_is_held_saying_why():
    assert held(cap=2, edits=2) == (
        "held: the bot edited this page 2 times in the last day, the most its opt-in allows; "
        "a later pass moves the rest"
    )


def test_a_page_of_the_operators_file_has_no_cap():
    assert held(cap=None, edits=30) is None


def test_an_archive_that_is_no_subpage_is_a_refusal_naming_the_parameter():
    text = PAGE.replace("|grace = 2h", "|archive = Another page/Archive")
    (candidate,) = optin.candidates([], found("Office hours"), {"Office hours": text}, WIKI)
    assert str(candidate.refusal).startswith(
        "line 1: configuration: archive: the archive must be a subpage of this page"
    )


def test_an_archive_subpage_is_the_targets():
    text = PAGE.replace("|grace = 2h", "|archive = /Archive/%(year)d")
    (candidate,) = optin.candidates([], found("Office hours"), {"Office hours": text}, WIKI)
    assert (candidate.refusal, candidate.target.archive) == (None, "/Archive/%(year)d")


# --- archives under the operator's prefixes -----------------------------------------------------

PREFIXES = ("Project:Archives/", "Help:Old sessions/")
WIDE = replace(WIKI, archive_prefixes=PREFIXES)
UNDER = "Project:Archives/Office hours/%(year)d"


def archived_candidate(wiki: OptInWiki, pattern: str) -> optin.Candidate:
    text = PAGE.replace("|grace = 2h", f"|archive = {pattern}")
    (candidate,) = optin.candidates([], found("Office hours"), {"Office hours": text}, wiki)
    return candidate


def test_an_archive_under_a_prefix_the_operator_allows_is_the_targets_with_the_prefixes():
    candidate = archived_candidate(WIDE, UNDER)
    assert candidate.refusal is None
    assert (candidate.target.archive, candidate.target.archive_prefixes) == (UNDER, PREFIXES)


def test_an_archive_under_a_prefix_is_refused_where_the_operator_allows_none():
    refusal = archived_candidate(WIKI, UNDER).refusal
    assert str(refusal).startswith(
        "line 1: configuration: archive: the archive must be a subpage of this page"
    )
    assert "starts with" not in str(refusal)


def test_an_archive_outside_the_prefixes_is_refused_naming_them():
    assert str(archived_candidate(WIDE, "Project:Archives2/Office hours").refusal) == (
        "line 1: configuration: archive: the archive must be a subpage of this page, such as "
        "/Archive/%(year)d or Office hours/Archive/%(year)d, or a page whose title starts with "
        "Project:Archives/ or Help:Old sessions/; 'Project:Archives2/Office hours' is not"
    )


def test_a_page_of_the_operators_file_is_given_no_prefixes():
    own = Target(site="devwiki:en", title="Office hours", archive="/Archive")
    (candidate,) = optin.candidates([own], found("Office hours"), {"Office hours": PAGE}, WIDE)
    assert candidate.target.archive_prefixes == ()


def test_the_run_reads_and_writes_the_archive_under_the_prefix(monkeypatch):
    target = archived_candidate(WIDE, UNDER).target
    asked: list[list[str]] = []

    def read_archives(site: object, titles: list[str]) -> dict[str, None]:
        asked.append(titles)
        return dict.fromkeys(titles)  # none exists yet

    monkeypatch.setattr(client, "read_archives", read_archives)
    wiki = _PageWiki(None, target, utc("2024-02-15T12:00:00"), state.Memory())  # type: ignore[arg-type]
    page = read_page(PAGE, target.settings)
    done = wiki._archived(pipeline.run(page, wiki.now, target.settings), UNDER)
    assert asked == [["Project:Archives/Office hours/2024"]]
    assert [e.title for e in wiki.archive_edits] == ["Project:Archives/Office hours/2024"]
    assert done.result.archives == ("Project:Archives/Office hours/2024",)


def test_the_status_page_may_link_the_archive_under_the_prefix_and_nothing_else_there():
    target = archived_candidate(WIDE, UNDER).target
    links = _own_links(target)
    assert became_live("", "[[Project:Archives/Office hours/2024]]", allowed=links) == []
    assert became_live("", "[[Project:Archives2/x]]", allowed=links) == ["link:Project:Archives2/x"]
    plain = replace(target, archive=None)
    assert became_live("", "[[Project:Archives/Office hours/2024]]", allowed=_own_links(plain))
