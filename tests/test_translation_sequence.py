"""The translation flow's sequence around the bot's edit, offline against an in-memory Translate
(tests/fake_translate.py): when it marks, when it waits, what it writes, what it leaves and
why. The integration suite runs the same sequences on a real wiki."""

import json

import pytest

from bot.core.page.reader import read_page
from bot.core.pipeline import Run, run
from bot.core.settings import Settings
from bot.ops.config import Target
from bot.wiki import translation_flow
from bot.wiki.translate_api import Stored
from bot.wiki.translation_flow import Status
from tests.conftest import FIXTURES, WRITTEN, utc
from tests.fake_translate import BOT, CONFLICT, FakeTranslate

TITLE = "Conversation hours"
TARGET = Target(site="devwiki:en", title=TITLE)
FRENCH = json.loads((FIXTURES / "translations" / "fr.json").read_text(encoding="utf-8"))
MOVE_SUMMARY = "Bot: moved 2 past sessions to the log"


def moved(text: str) -> Run:
    """The core's run on the Meta page in July 2023: the two June sessions move (units 24, 25)."""
    page = read_page(text, Settings())
    return run(page, utc("2023-07-01"), Settings(), default_written_at=WRITTEN)


@pytest.fixture
def wiki(meta_page) -> FakeTranslate:
    """The Meta page marked at revision 1, with a current French translation of each unit."""
    french = {m: Stored(text, False, "2023-06-20T00:00:00Z") for m, text in FRENCH.items()}
    return FakeTranslate(TITLE, {1: meta_page}, marked=1, translations={"fr": french})


def edit_and_finish(wiki: FakeTranslate, done: Run) -> translation_flow.Report:
    """What the run of an edit does: read before it, save it, then mark and write."""
    prepared = translation_flow.prepare(wiki, TARGET, done, max(wiki.texts))
    assert prepared is not None
    revid = wiki.edit(done.result.text, BOT, MOVE_SUMMARY)
    return translation_flow.finish(wiki, prepared, revid)


def resume(wiki: FakeTranslate) -> translation_flow.Report | None:
    """What a later run with nothing to move does."""
    revid = max(wiki.texts)
    return translation_flow.resume(wiki, TARGET, read_page(wiki.texts[revid], Settings()), revid)


def written_units(wiki: FakeTranslate) -> list[str]:
    return sorted(title.rsplit("/", 2)[1] for title, _, _ in wiki.saved)


# --- the run of the edit --------------------------------------------------------------------


def test_the_bots_edit_is_marked_and_each_moved_unit_written_in_each_language(meta_page, wiki):
    report = edit_and_finish(wiki, moved(meta_page))
    assert wiki.marks == [2]
    assert report.status == Status.DONE
    assert report.written == {"fr": written_units(wiki)}
    assert {"24", "25"} <= set(written_units(wiki))


def test_what_is_written_shows_as_current(meta_page, wiki):
    edit_and_finish(wiki, moved(meta_page))
    assert not any(stored.fuzzy for stored in wiki.translations["fr"].values())


def test_a_translation_is_saved_with_a_summary_linked_to_the_bots_page(meta_page, wiki):
    edit_and_finish(wiki, moved(meta_page))
    assert all(summary.endswith(f"([[User:{BOT}|bot]])") for _, _, summary in wiki.saved)


def test_a_page_translate_does_not_know_needs_nothing(meta_page):
    wiki = FakeTranslate(TITLE, {1: meta_page})
    assert translation_flow.prepare(wiki, TARGET, moved(meta_page), 1) is None
    assert wiki.requests == ["read_state"]


def test_without_the_pagetranslation_right_nothing_is_marked_or_written(meta_page, wiki):
    wiki.rights = frozenset({"translate"})
    report = edit_and_finish(wiki, moved(meta_page))
    assert report.status == Status.NEEDS_MARKING
    assert (wiki.marks, wiki.saved) == ([], [])


def test_an_editors_unmarked_change_is_not_marked_with_the_bots(meta_page, wiki):
    wiki.edit(meta_page + "\nAn editor's line awaiting review.\n")
    done = moved(wiki.texts[2])
    report = edit_and_finish(wiki, done)
    assert report.status == Status.EDITOR_CHANGE
    assert "revision 2 was read but 1 is the last marked one" in report.note
    assert (wiki.marks, wiki.saved) == ([], [])


def test_jobs_that_have_not_run_leave_the_writing_to_a_later_run(meta_page, wiki):
    wiki.jobs_held = True
    report = edit_and_finish(wiki, moved(meta_page))
    assert report.status == Status.PENDING
    assert wiki.marks == [2] and wiki.saved == []


def test_a_translation_saved_in_between_is_never_overwritten(meta_page, wiki):
    done = moved(meta_page)
    prepared = translation_flow.prepare(wiki, TARGET, done, 1)
    assert prepared is not None
    person = Stored("Une traduction d'une personne", False, "2023-06-30T00:00:00Z")
    wiki.translations["fr"]["24"] = person
    report = translation_flow.finish(wiki, prepared, wiki.edit(done.result.text, BOT))
    assert report.left["fr"]["24"] == CONFLICT
    assert wiki.translations["fr"]["24"].text == person.text


def test_a_refused_save_leaves_the_unit_with_the_wikis_reason(meta_page, wiki):
    wiki.refused[f"Translations:{TITLE}/24/fr"] = "the wiki refused the save: protectedpage"
    report = edit_and_finish(wiki, moved(meta_page))
    assert report.left["fr"]["24"] == "the wiki refused the save: protectedpage"
    assert "24" not in report.written["fr"]


def test_a_write_translate_still_shows_outdated_is_reported_left(meta_page, wiki):
    wiki.saves_stay_outdated = True
    report = edit_and_finish(wiki, moved(meta_page))
    assert report.written == {}
    assert report.left["fr"]["24"].startswith("written, but Translate still shows it outdated")


def test_without_the_translate_right_the_edit_is_marked_and_nothing_written(meta_page, wiki):
    wiki.rights = frozenset({"pagetranslation"})
    report = edit_and_finish(wiki, moved(meta_page))
    assert wiki.marks == [2] and wiki.saved == []
    assert report.note == "the bot has no translate right: no translation written"


def test_a_dry_run_marks_nothing_and_writes_nothing(meta_page, wiki):
    prepared = translation_flow.prepare(wiki, TARGET, moved(meta_page), 1)
    assert prepared is not None
    report = translation_flow.preview(prepared)
    assert report.status == Status.PREVIEW
    assert (wiki.marks, wiki.saved) == ([], [])


def test_the_reads_before_the_edit_are_one_request(meta_page, wiki):
    translation_flow.prepare(wiki, TARGET, moved(meta_page), 1)
    assert wiki.requests == ["read_state"]


# --- a later run, with nothing to move ------------------------------------------------------


def test_a_later_run_writes_what_the_late_jobs_held_back(meta_page, wiki):
    wiki.jobs_held = True
    edit_and_finish(wiki, moved(meta_page))
    wiki.run_jobs()
    report = resume(wiki)
    assert report is not None and report.status == Status.DONE
    assert {"24", "25"} <= set(report.written["fr"])


def test_a_later_run_before_the_jobs_have_run_writes_nothing(meta_page, wiki):
    wiki.jobs_held = True
    edit_and_finish(wiki, moved(meta_page))
    report = resume(wiki)
    assert report is not None and report.status == Status.PENDING
    assert wiki.saved == []


def test_a_later_run_marks_the_bots_edit_that_its_own_run_could_not(meta_page, wiki):
    wiki.edit(moved(meta_page).result.text, BOT, MOVE_SUMMARY)  # its run's mark failed
    report = resume(wiki)
    assert wiki.marks == [2]
    assert report is not None and report.status == Status.DONE


def test_a_later_run_before_the_jobs_asks_once_and_does_not_wait(meta_page, wiki):
    wiki.jobs_held = True
    edit_and_finish(wiki, moved(meta_page))
    wiki.requests.clear()
    resume(wiki)
    assert "english_done" in wiki.requests and "wait_for_jobs" not in wiki.requests


def test_a_later_run_that_marks_the_bots_edit_waits_for_the_jobs(meta_page, wiki):
    wiki.edit(moved(meta_page).result.text, BOT, MOVE_SUMMARY)
    resume(wiki)
    assert "wait_for_jobs" in wiki.requests and "english_done" not in wiki.requests


def test_a_later_run_does_not_mark_edits_whose_history_does_not_reach_the_mark(meta_page, wiki):
    """Beyond the history read there may be an editor's change: the bot cannot vouch for it."""
    for _ in range(translation_flow.HISTORY_LIMIT + 1):
        wiki.edit(moved(meta_page).result.text, BOT, MOVE_SUMMARY)
    report = resume(wiki)
    assert report is not None and report.status == Status.EDITOR_CHANGE
    assert wiki.marks == []


def test_a_later_run_does_not_mark_the_bots_edit_with_an_editors_change(meta_page, wiki):
    wiki.edit(moved(meta_page).result.text, BOT, MOVE_SUMMARY)
    wiki.edit(wiki.texts[2] + "\nAn editor's line.\n")
    report = resume(wiki)
    assert report is not None and report.status == Status.EDITOR_CHANGE
    assert (wiki.marks, wiki.saved) == ([], [])


def test_a_later_run_leaves_alone_what_is_finished(meta_page, wiki):
    edit_and_finish(wiki, moved(meta_page))
    wiki.saved.clear()
    assert resume(wiki) is None
    assert wiki.saved == []


def test_a_later_run_on_a_page_translate_does_not_know_costs_one_request(meta_page):
    wiki = FakeTranslate(TITLE, {1: meta_page})
    assert resume(wiki) is None
    assert wiki.requests == ["history"]
