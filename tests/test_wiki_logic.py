"""The wiki layer's own rules, offline: small hand-written fakes stand in for pywikibot."""

import os
import subprocess
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

import pytest

from bot.core.optin import Mode
from bot.core.page.reader import read_page
from bot.core.pipeline import run, transform
from bot.core.settings import Settings
from bot.errors import EXIT_OK, EXIT_REFUSED, EXIT_WIKI, EditConflict, WikiError
from bot.ops.config import Target
from bot.wiki import flow, history
from bot.wiki.flow import CONFLICT_RETRIES, Ending, Outcome
from tests.conftest import META, PAGES, WRITTEN, utc

MONDAY = (
    "* <translate><!--T:24--> Monday, June 26 @ 12:00 UTC | "
    "[https://wikimedia.zoom.us/j/87082260165 Zoom] | Meeting ID: 870 8226 0165</translate>"
)
FRIDAY = (
    "* <translate><!--T:25--> Friday, June 30 @ 16:00 UTC | "
    "[https://wikimedia.zoom.us/j/87600593243 Zoom] | Meeting ID: 876 0059 3243</translate>"
)
TARGET = Target(site="devwiki:en", title="Conversation hours")


@dataclass
class Rev:
    """What the bot reads of a pywikibot Revision."""

    revid: int
    text: str | None = None
    timestamp: datetime = WRITTEN
    user: str = "Editor"
    comment: str = ""


# --- the edit summary -------------------------------------------------------------------


def moving_result():
    return transform(META, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)


def test_the_summary_links_the_documentation_page():
    summary = flow.edit_summary(moving_result(), "User:ConversationBot")
    assert summary == (
        "Bot: moved 2 past conversation hours to the log (June 26, 2023; June 30, 2023) "
        "([[User:ConversationBot|bot]])"
    )


def test_the_summary_without_a_documentation_page_has_no_link():
    assert flow.edit_summary(moving_result(), None) == (
        "Bot: moved 2 past conversation hours to the log (June 26, 2023; June 30, 2023)"
    )


def test_the_summary_names_a_called_off_session_as_such():
    text = META.replace("Friday, June 30 @ 16:00 UTC", "Friday, June 30 @ 16:00 UTC (cancelled)")
    result = transform(text, utc("2023-07-01T00:00:00"), default_written_at=WRITTEN)
    assert flow.edit_summary(result, None) == (
        "Bot: moved 1 past conversation hour and 1 called-off session to the log "
        "(June 26, 2023; June 30, 2023, cancelled)"
    )
    assert flow.moved(result)[1].endswith("(cancelled)")


def test_the_status_report_and_translation_summaries_link_the_documentation_page():
    assert flow.linked("Bot: status", "User:B") == "Bot: status ([[User:B|bot]])"


def test_a_summary_too_long_for_mediawiki_is_shortened_and_keeps_the_link():
    summary = flow.edit_summary(moving_result(), "User:" + "B" * 480)
    assert len(summary) == flow.SUMMARY_LIMIT
    assert summary.endswith(f"… ([[User:{'B' * 480}|bot]])")


# --- exit codes of a pass ---------------------------------------------------------------


def outcomes(*statuses: str) -> list[Outcome]:
    return [Outcome(TARGET, Ending(status), "") for status in statuses]


@pytest.mark.parametrize(
    ("statuses", "code"),
    [
        (("edited", "unchanged", "stopped", "dry-run", "simulated"), EXIT_OK),
        (("edited", "refused"), EXIT_REFUSED),
        (("refused", "failed", "edited"), EXIT_WIKI),
        ((), EXIT_OK),
    ],
)
def test_a_pass_exits_with_its_worst_outcome(statuses, code):
    assert flow.exit_code(outcomes(*statuses)) == code


# --- dating yearless lines from history -------------------------------------------------


def test_a_line_is_dated_by_the_oldest_revision_of_its_unbroken_run():
    revisions = [
        Rev(3, f"{MONDAY}\n{FRIDAY}", utc("2023-06-20T00:00:00")),
        Rev(2, f"{MONDAY}", utc("2023-06-15T00:00:00")),
        Rev(1, "", utc("2023-06-01T00:00:00")),
    ]
    dated = history.first_written(revisions, [MONDAY, FRIDAY], limit=50)
    assert dated == {MONDAY: utc("2023-06-15T00:00:00"), FRIDAY: utc("2023-06-20T00:00:00")}


def test_a_line_removed_and_added_again_is_dated_by_its_return():
    revisions = [
        Rev(3, MONDAY, utc("2023-06-20T00:00:00")),
        Rev(2, "", utc("2023-06-15T00:00:00")),
        Rev(1, MONDAY, utc("2022-06-01T00:00:00")),
    ]
    assert history.first_written(revisions, [MONDAY], limit=50) == {
        MONDAY: utc("2023-06-20T00:00:00")
    }


def test_a_line_older_than_the_history_read_has_no_date():
    revisions = [Rev(n, MONDAY, utc(f"2023-06-{n:02}T00:00:00")) for n in (3, 2, 1)]
    assert history.first_written(revisions, [MONDAY], limit=3) == {MONDAY: None}


def test_a_line_that_appears_within_the_limit_is_dated():
    revisions = [
        Rev(3, MONDAY, utc("2023-06-03T00:00:00")),
        Rev(2, MONDAY, utc("2023-06-02T00:00:00")),
        Rev(1, "", utc("2023-06-01T00:00:00")),
    ]
    assert history.first_written(revisions, [MONDAY], limit=3) == {
        MONDAY: utc("2023-06-02T00:00:00")
    }


def test_the_walk_stops_reading_once_every_line_is_dated():
    read = []

    def revisions():
        for rev in [Rev(3, MONDAY), Rev(2, ""), Rev(1, MONDAY)]:
            read.append(rev.revid)
            yield rev

    history.first_written(revisions(), [MONDAY], limit=50)
    assert read == [3, 2]


def test_no_yearless_lines_need_no_history():
    def revisions():
        raise AssertionError("history read")
        yield

    assert history.first_written(revisions(), [], limit=50) == {}


# --- a save whose answer was lost ---------------------------------------------------------


def test_a_lost_save_is_found_as_the_bots_edit_after_the_revision_read():
    revisions = [Rev(12, user="Editor"), Rev(11, user="Bot", comment="Bot: moved"), Rev(10)]
    assert history.own_edit(revisions, 10, "Bot", "Bot: moved") == 11


def test_an_edit_with_another_summary_is_not_the_bots():
    revisions = [Rev(11, user="Bot", comment="Bot: something else"), Rev(10)]
    assert history.own_edit(revisions, 10, "Bot", "Bot: moved") is None


def test_the_bots_edit_before_the_revision_read_does_not_count():
    revisions = [Rev(10, user="Bot", comment="Bot: moved")]
    assert history.own_edit(revisions, 10, "Bot", "Bot: moved") is None


def test_another_accounts_edit_with_the_same_summary_does_not_count():
    revisions = [Rev(11, user="Someone", comment="Bot: moved"), Rev(10)]
    assert history.own_edit(revisions, 10, "Bot", "Bot: moved") is None


# --- the save loop ----------------------------------------------------------------------


@dataclass(frozen=True)
class Snap:
    text: str
    revid: int = 1


def core_run(text, now, written=None):
    """The core's run on a text, as a wiki's compute gives it."""
    return run(read_page(text, Settings()), now, Settings(), default_written_at=written)


@dataclass
class FakeWiki:
    """flow.PageWiki: every save conflicts `conflicts` times, then answers `answer`."""

    conflicts: int = 0
    answer: int | None = 42
    saves: int = 0
    rereads: int = 0
    logins: int = 0
    reports: list[int] = field(default_factory=list)
    #: The translation flow's steps, in the order the loop asked for them.
    translation_steps: list[str] = field(default_factory=list)
    #: Why the page must not be edited now (its daily cap), or None.
    held: str | None = None

    def compute(self, snapshot):
        return core_run(snapshot.text, utc("2023-06-28T00:00:00"), WRITTEN)

    def reread(self, snapshot):
        self.rereads += 1
        return Snap(snapshot.text, snapshot.revid + 1)

    def login(self):
        self.logins += 1

    def held_back(self):
        return self.held

    def save(self, snapshot, text, summary):
        self.saves += 1
        if self.saves <= self.conflicts:
            raise EditConflict("edit conflict")
        return self.answer

    def diff_url(self, revid):
        return f"http://wiki/Special:Diff/{revid}"

    def report(self, result, revid, translations):
        self.reports.append(revid)

    def resume_translations(self, snapshot, run):
        self.translation_steps.append("resume")

    def prepare_translations(self, snapshot, run):
        self.translation_steps.append("prepare")
        return "prepared"

    def preview_translations(self, prepared):
        self.translation_steps.append(f"preview {prepared}")

    def finish_translations(self, prepared, revid):
        self.translation_steps.append(f"finish {prepared} at {revid}")


def process(wiki, review=lambda old, new, summary: True, dry_run=False, target=TARGET):
    return flow.process(wiki, target, Snap(META), review, dry_run, "User:Bot")


def test_a_save_reports_the_new_revision_and_its_diff():
    wiki = FakeWiki()
    outcome = process(wiki)
    assert (outcome.status, outcome.revid, wiki.reports) == ("edited", 42, [42])
    assert outcome.message.startswith("saved http://wiki/Special:Diff/42 (Bot: moved 1 past")


def test_a_conflict_is_retried_after_reading_the_page_again():
    wiki = FakeWiki(conflicts=1)
    assert process(wiki).status == "edited"
    assert (wiki.saves, wiki.rereads) == (2, 1)


def test_conflicts_are_retried_conflict_retries_times_after_the_first_attempt():
    wiki = FakeWiki(conflicts=CONFLICT_RETRIES)
    assert process(wiki).status == "edited"
    assert (wiki.saves, wiki.rereads) == (1 + CONFLICT_RETRIES, CONFLICT_RETRIES)


def test_the_bot_gives_up_after_the_last_retry_without_reading_again():
    wiki = FakeWiki(conflicts=1 + CONFLICT_RETRIES)
    with pytest.raises(WikiError, match=f"{1 + CONFLICT_RETRIES} edit conflicts"):
        process(wiki)
    assert (wiki.saves, wiki.rereads, wiki.reports) == (4, 3, [])


def test_a_simulated_save_reports_no_revision_and_no_report_line():
    wiki = FakeWiki(answer=None)
    outcome = process(wiki)
    assert (outcome.status, outcome.revid, wiki.reports) == ("simulated", None, [])
    assert outcome.message.startswith("simulated: would save [[Conversation hours]]: Bot: moved")


PLAIN = (PAGES / "plain.wikitext").read_text(encoding="utf-8")


def test_a_dry_run_on_a_page_without_translations_neither_logs_in_nor_saves():
    wiki = FakeWiki()
    wiki.compute = lambda snapshot: core_run(PLAIN, utc("2023-07-01T00:00:00"))
    assert process(wiki, dry_run=True).status == "dry-run"
    assert (wiki.logins, wiki.saves, wiki.translation_steps) == (0, 0, [])


def test_a_dry_run_that_moves_units_logs_in_to_preview_the_translations_and_saves_nothing():
    wiki = FakeWiki()
    assert process(wiki, dry_run=True).status == "dry-run"
    assert (wiki.logins, wiki.saves) == (1, 0)
    assert wiki.translation_steps == ["prepare", "preview prepared"]


def test_translations_are_read_before_the_save_and_finished_at_the_new_revision():
    wiki = FakeWiki(conflicts=1)
    process(wiki)
    assert wiki.translation_steps == ["prepare", "prepare", "finish prepared at 42"]


def test_a_simulated_save_finishes_no_translations():
    wiki = FakeWiki(answer=None)
    process(wiki)
    assert wiki.translation_steps == ["prepare"]


def test_a_run_with_nothing_to_move_resumes_an_earlier_edits_translations():
    wiki = FakeWiki()
    wiki.compute = lambda snapshot: core_run(META, utc("2023-06-01T00:00:00"))
    process(wiki)
    assert wiki.translation_steps == ["resume"]


def test_a_dry_run_with_nothing_to_move_touches_no_translations():
    wiki = FakeWiki()
    wiki.compute = lambda snapshot: core_run(META, utc("2023-06-01T00:00:00"))
    process(wiki, dry_run=True)
    assert wiki.translation_steps == []


def test_a_declined_change_is_not_saved():
    wiki = FakeWiki()
    assert process(wiki, review=lambda old, new, summary: False).status == "declined"
    assert wiki.saves == 0


def test_nothing_to_move_shows_nothing_and_saves_nothing():
    shown = []
    wiki = FakeWiki()
    wiki.compute = lambda snapshot: core_run(META, utc("2023-06-01T00:00:00"))
    outcome = process(wiki, review=lambda *change: shown.append(change) or True)
    assert (outcome.status, shown, wiki.saves) == ("unchanged", [], 0)


def test_the_outcome_keeps_the_text_the_warnings_refer_to():
    assert process(FakeWiki()).source == META


# --- the user agent -----------------------------------------------------------------------

AGENT_PROBE = """
import pywikibot
from pywikibot.comms.http import user_agent

class Meta:  # what user_agent() reads of a site, without the requests a real Site makes
    sitename = "meta:meta"
    code = "meta"
    def username(self):
        return pywikibot.config.usernames["meta"]["meta"]
    def base_url(self, path):
        return "https://meta.wikimedia.org/" + path

print(user_agent(Meta()))
"""


def test_the_sample_user_agent_names_the_bots_user_page_once(tmp_path):
    sample = Path(__file__).resolve().parents[1] / "user-config.py.sample"
    (tmp_path / "user-config.py").write_text(sample.read_text(encoding="utf-8"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWIKIBOT_")}
    done = subprocess.run(
        [sys.executable, "-c", AGENT_PROBE],
        env=env | {"PYWIKIBOT_DIR": str(tmp_path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    agent = done.stdout.strip()
    assert agent.count("User:ExampleConversationBot") == 1, agent
    assert "conversation-hours-bot; operator@example.org" in agent


# --- rules a one-line change must not get past ------------------------------------------


def test_the_history_walk_stops_at_its_limit():
    """A fake history longer than the limit: no more than `limit` revisions are read."""
    read = []

    def revisions():
        for n in range(20, 0, -1):
            read.append(n)
            yield Rev(n, MONDAY, utc(f"2023-06-{n:02}T00:00:00"))

    assert history.first_written(revisions(), [MONDAY], limit=5) == {MONDAY: None}
    assert read == [20, 19, 18, 17, 16]


@dataclass
class EditedInBetween(FakeWiki):
    """The wiki as it is: after an edit conflict, the page read again is the editor's."""

    editor_text: str = ""
    saved_texts: list[str] = field(default_factory=list)

    def reread(self, snapshot):
        self.rereads += 1
        return Snap(self.editor_text, snapshot.revid + 1)

    def save(self, snapshot, text, summary):
        self.saved_texts.append(text)
        return super().save(snapshot, text, summary)


def test_after_an_edit_conflict_the_bot_saves_what_it_computed_from_the_text_read_again():
    edited = META.replace("Friday, June 30 @ 16:00 UTC", "Friday, June 30 @ 17:00 UTC")
    wiki = EditedInBetween(conflicts=1, editor_text=edited)
    assert process(wiki).status == "edited"
    expected = transform(edited, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    assert wiki.saved_texts[-1] == expected.text
    assert "Friday, June 30 @ 17:00 UTC" in wiki.saved_texts[-1]


def test_a_state_entry_of_the_wrong_shape_is_ignored_not_shown(tmp_path):
    import json

    from bot.ops import state

    key = state.key(TARGET.site, TARGET.title)
    bad = {"at": "2023-06-28T00:00:00+00:00", "revid": 7, "moved": "abc"}
    (tmp_path / state.FILE).write_text(
        json.dumps({"version": 1, "targets": {key: {"last_edit": bad}}})
    )
    assert state.load(tmp_path).last_edit(key) is None


def test_the_status_page_links_a_left_line_to_the_section_it_stands_in():
    from bot.core.report.status import PageStatus, left_lines, render_section

    text = "== First ==\n* a\n=== Inner ===\n* b\n== Second ==\n* c left here\n== Third ==\n"
    [left] = left_lines(text, ["line 6: left in place"])
    section = render_section(
        PageStatus("s:s", "T", "unchanged", utc("2023-06-28T00:00:00"), left=(left,))
    )
    assert '** [[T#Second|Second]]: "c left here": left in place' in section


# --- opted-in pages: preview mode and the daily cap -----------------------------------------


def test_a_page_in_preview_mode_says_what_it_would_save_and_saves_nothing():
    wiki = FakeWiki()
    outcome = process(wiki, target=replace(TARGET, mode=Mode.PREVIEW))
    assert outcome.status == Ending.PREVIEW
    assert outcome.message.startswith("preview: would save: Bot: moved 1 past")
    assert (wiki.logins, wiki.saves, wiki.translation_steps) == (0, 0, [])
    assert outcome.moved == 1


def test_a_page_at_its_daily_cap_is_held_and_saves_nothing():
    wiki = FakeWiki(held="held: the cap")
    outcome = process(wiki)
    assert (outcome.status, outcome.message, wiki.saves) == (Ending.HELD, "held: the cap", 0)
    assert not outcome.failed


def test_a_dry_run_of_a_page_at_its_cap_still_says_what_it_would_save():
    wiki = FakeWiki(held="held: the cap")
    assert process(wiki, dry_run=True).status == Ending.DRY_RUN
