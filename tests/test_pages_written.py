"""What the bot writes on its own pages (the status page, the report page), offline: nothing an
editor wrote on the kept page goes live there, NFC text compares as MediaWiki stores it, the
page shows the bot alive at least once a day, and no move is ever dropped."""

import logging
from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from bot.core.pipeline import transform
from bot.core.report.result import Result
from bot.core.wikitext.liveness import live_markup
from bot.errors import UsageError
from bot.ops import state
from bot.ops.config import Target
from bot.wiki import client, flow, runner
from tests.conftest import META, WRITTEN, utc

TITLE_LINE = "'''Ad-hoc conversation hour on the Global Digital Compact'''"
PAYLOAD = (
    "&#91;&#91;Category:Spam&#93;&#93; &#123;&#123;subst:Payload&#125;&#125; "
    "&#126;&#126;&#126;&#126; https://spam.example"
)
NOW = utc("2023-07-01T00:00:00")
TARGET = Target(site="devwiki:en", title="Conversation hours", report_page="User:B/Edits")
STATUS = "User:B/Status"


def moving(text: str = META):
    return transform(text, NOW, default_written_at=WRITTEN)


def hostile_page() -> str:
    assert TITLE_LINE in META
    return META.replace(TITLE_LINE, f"'''{PAYLOAD}'''")


# --- the report page ------------------------------------------------------------------------


def test_the_report_line_escapes_a_title_written_with_entities():
    line = runner.report_line(TARGET, NOW, flow.moved(moving(hostile_page())), 123, None)
    assert set(live_markup(line)) == {"link:Special:Diff/123", "link:Conversation hours"}
    assert "June 26, 2023" in line


@dataclass
class FakePage:
    text: str
    saved: list[tuple[str, str]] = field(default_factory=list)


@pytest.fixture
def wiki(monkeypatch):
    """client's writes, recorded; the account is B."""
    saved: list[tuple[str, str, str]] = []
    monkeypatch.setattr(client, "login", lambda site: None)
    monkeypatch.setattr(client, "bot_name", lambda site: "B")
    monkeypatch.setattr(
        client, "replace", lambda page, text, summary: saved.append(("replace", text, summary))
    )
    monkeypatch.setattr(
        client,
        "append",
        lambda site, title, line, summary: saved.append((title, line, summary)),
    )
    return saved


def test_the_report_line_is_written_with_the_documentation_link(wiki):
    page_wiki = runner._PageWiki(object(), TARGET, NOW, state.Memory())
    page_wiki.report(moving(), 123, None)
    [(title, _line, summary)] = wiki
    assert title == "User:B/Edits"
    assert summary == "Bot: report of [[Special:Diff/123]] ([[User:B|bot]])"


# --- the status page ------------------------------------------------------------------------


def passed(
    text: str,
    memory: state.Memory | None = None,
    outcome_status: flow.Ending = flow.Ending.UNCHANGED,
):
    result = moving(text)
    return flow.Outcome(TARGET, outcome_status, "nothing to move", result, source=text)


def write(page: FakePage, outcomes, now=NOW, memory=None):
    runner._write_status(object(), outcomes, {STATUS: page}, now, memory or state.Memory())


def test_a_free_url_of_the_page_is_no_link_on_the_status_page(wiki):
    cet = META.replace(
        "Friday, June 30 @ 16:00 UTC", "Friday, June 30 @ 16:00 CET https://spam.example"
    )
    result = transform(cet, utc("2023-06-27T00:00:00"), default_written_at=WRITTEN)
    outcome = flow.Outcome(TARGET, flow.Ending.UNCHANGED, "", result, source=cet)
    write(FakePage("old"), [outcome])
    [(_, text, summary)] = wiki
    assert "spam.example" in text
    assert not any(k.startswith("external:") for k in live_markup(text)), text
    assert summary.endswith("([[User:B|bot]])")


def test_a_heading_that_is_not_nfc_is_compared_as_mediawiki_stores_it(wiki):
    source = "== Cafe&#769; ==\n* a line the bot left\n"
    result = Result(source, warnings=("line 2: left in place",))
    outcome = flow.Outcome(TARGET, flow.Ending.UNCHANGED, "", result, source=source)
    page = FakePage("old")
    write(page, [outcome])
    [(_, text, _)] = wiki
    assert "Caf\u00e9" in text and "e\u0301" not in text
    page.text = text  # what MediaWiki stored
    write(page, [outcome], NOW + timedelta(hours=1))
    assert len(wiki) == 1, "the second pass edited a page that says the same"


def test_a_status_section_from_a_non_nfc_title_is_stored_as_nfc(wiki):
    target = Target(site="devwiki:en", title="Cafe\u0301 hours")
    outcome = flow.Outcome(target, flow.Ending.UNCHANGED, "", None, source="")
    page = FakePage("old")
    runner._write_status(object(), [outcome], {STATUS: page}, NOW, state.Memory())
    [(_, text, _)] = wiki
    assert "Caf\u00e9 hours" in text and "e\u0301" not in text
    page.text = text
    runner._write_status(
        object(), [outcome], {STATUS: page}, NOW + timedelta(hours=1), state.Memory()
    )
    assert len(wiki) == 1


def test_the_status_page_is_edited_once_a_day_with_nothing_new(wiki):
    outcome = flow.Outcome(TARGET, flow.Ending.UNCHANGED, "", None, source="")
    page = FakePage("old")
    write(page, [outcome])
    page.text = wiki[-1][1]
    write(page, [outcome], NOW + timedelta(hours=23))
    assert len(wiki) == 1
    write(page, [outcome], NOW + timedelta(hours=24))
    assert len(wiki) == 2
    assert "2023-07-02 00:00 UTC" in wiki[-1][1]


def test_two_edits_that_moved_the_same_words_both_show(wiki):
    memory = state.Memory()
    key = state.key(TARGET.site, TARGET.title)
    outcome = flow.Outcome(TARGET, flow.Ending.EDITED, "", None, source="")
    page = FakePage("old")
    memory.set_last_edit(key, NOW, 10, ["June 26, 2023 (Topic)"])
    write(page, [outcome], NOW, memory)
    page.text = wiki[-1][1]
    memory.set_last_edit(key, NOW + timedelta(hours=1), 11, ["June 26, 2023 (Topic)"])
    write(page, [outcome], NOW + timedelta(hours=1), memory)
    assert len(wiki) == 2
    assert "June 26, 2023 (Topic) (revision 11)" in wiki[-1][1]


def test_a_missing_status_page_is_said_in_the_pass(wiki, caplog):
    outcome = flow.Outcome(TARGET, flow.Ending.UNCHANGED, "", None, source="")
    with caplog.at_level(logging.INFO, logger="conversation-hours-bot"):
        runner._write_status(object(), [outcome], {}, NOW, state.Memory())
    assert any(
        r.levelno == logging.WARNING and "[[User:B/Status]] does not exist" in r.getMessage()
        for r in caplog.records
    )


def test_the_status_page_is_not_written_when_it_would_make_something_live(wiki, monkeypatch):
    monkeypatch.setattr(
        runner.status, "page_text", lambda sections: "{{subst:Payload}} [[Category:Spam]]"
    )
    outcome = flow.Outcome(TARGET, flow.Ending.UNCHANGED, "", None, source="")
    write(FakePage("old"), [outcome])
    assert wiki == []


# --- an edit that a killed run saved is recorded by the next ---------------------------------


class Snap:
    def __init__(self, revid: int = 50):
        self.page, self.text, self.revid = object(), "", revid


def test_a_run_killed_mid_save_is_reconciled_from_page_history(wiki, monkeypatch, tmp_path):
    memory = state.load(tmp_path)
    key = state.key(TARGET.site, TARGET.title)
    memory.set_saving(key, 41, "Bot: moved 1", NOW, ["June 26, 2023 (Topic)"])
    asked = []
    monkeypatch.setattr(
        client, "own_edit", lambda page, base, summary: asked.append((base, summary)) or 42
    )
    page_wiki = runner._PageWiki(object(), TARGET, NOW + timedelta(hours=1), memory)
    page_wiki.reconcile(Snap())
    assert asked == [(41, "Bot: moved 1")]
    assert memory.last_edit(key) == {
        "at": NOW.isoformat(),
        "revid": 42,
        "moved": ["June 26, 2023 (Topic)"],
    }
    [(title, line, _)] = wiki
    assert title == "User:B/Edits" and "[[Special:Diff/42]]" in line and "2023-07-01 00:00" in line
    assert memory.saving(key) is None
    page_wiki.reconcile(Snap())  # nothing left to do: no request
    assert len(asked) == 1


def test_an_edit_that_never_landed_is_forgotten(wiki, monkeypatch, tmp_path):
    memory = state.load(tmp_path)
    key = state.key(TARGET.site, TARGET.title)
    memory.set_saving(key, 41, "Bot: moved 1", NOW, ["June 26, 2023"])
    monkeypatch.setattr(client, "own_edit", lambda page, base, summary: None)
    runner._PageWiki(object(), TARGET, NOW, memory).reconcile(Snap())
    assert memory.saving(key) is None and memory.last_edit(key) is None and wiki == []


def test_the_edit_is_remembered_before_it_is_saved(monkeypatch, tmp_path):
    memory = state.load(tmp_path)
    seen = []

    def save(snapshot, text, summary):
        seen.append(state.load(tmp_path).saving(state.key(TARGET.site, TARGET.title)))
        return 51

    monkeypatch.setattr(client, "save", save)
    page_wiki = runner._PageWiki(object(), TARGET, NOW, memory)
    page_wiki.result = moving()
    assert page_wiki.save(Snap(50), "new", "Bot: moved") == 51
    assert seen[0]["base"] == 50 and seen[0]["moved"][0].startswith("June 26, 2023")


def test_an_edit_that_cannot_be_remembered_is_not_made(monkeypatch, tmp_path):
    memory = state.load(tmp_path)
    monkeypatch.setattr(
        state,
        "save",
        lambda folder, memory: (_ for _ in ()).throw(OSError(28, "No space left on device")),
    )
    monkeypatch.setattr(client, "save", lambda *a: pytest.fail("saved without a record"))
    page_wiki = runner._PageWiki(object(), TARGET, NOW, memory)
    with pytest.raises(UsageError, match=r"No space left on device.*no edit made"):
        page_wiki.save(Snap(50), "new", "Bot: moved")


def test_a_lasting_failure_names_its_start_as_people_read_it():
    assert runner.readable_moment("2026-11-24T07:00:03.123456+00:00") == "2026-11-24 07:00 UTC"
