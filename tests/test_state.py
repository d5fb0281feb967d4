"""What the bot remembers between passes, offline in a temporary state folder."""

import json
from datetime import UTC, datetime

import pytest

from bot.errors import EXIT_OK, EXIT_REFUSED, EXIT_WIKI, UsageError
from bot.ops import state
from bot.ops.state import NEW_FAILURE, OK, RECOVERED, STILL_FAILING, Memory

KEY = state.key("meta:meta", "Global Advocacy/Conversation hours and Events")
ONE = datetime(2026, 11, 24, 7, tzinfo=UTC)
TWO = datetime(2026, 11, 24, 8, tzinfo=UTC)
LINE = "* Monday, June 26 @ 12:00 UTC"


def remembered(tmp_path, memory: Memory) -> Memory:
    """The memory as the next pass finds it: saved, then loaded from the folder."""
    state.save(tmp_path, memory)
    return state.load(tmp_path)


# --- failures and the mailbox -------------------------------------------------------------


def test_all_well_is_no_news(tmp_path):
    assert Memory().record(KEY, "edited", "saved", ONE) == OK


def test_a_first_failure_is_news(tmp_path):
    assert Memory().record(KEY, "failed", "the wiki is read-only", ONE) == NEW_FAILURE


def test_the_same_failure_on_the_next_pass_is_not_news(tmp_path):
    memory = Memory()
    memory.record(KEY, "failed", "the wiki is read-only", ONE)
    memory = remembered(tmp_path, memory)
    assert memory.record(KEY, "failed", "the wiki is read-only", TWO) == STILL_FAILING
    assert memory.failure(KEY).since == ONE.isoformat()


def test_a_failure_with_a_new_reason_is_news(tmp_path):
    memory = Memory()
    memory.record(KEY, "failed", "the wiki is read-only", ONE)
    memory = remembered(tmp_path, memory)
    assert memory.record(KEY, "failed", "the page is protected", TWO) == NEW_FAILURE
    assert memory.failure(KEY).since == TWO.isoformat()


def test_a_refusal_after_a_wiki_failure_is_news(tmp_path):
    memory = Memory()
    memory.record(KEY, "failed", "line 3: x", ONE)
    assert memory.record(KEY, "refused", "line 3: x", TWO) == NEW_FAILURE


def test_success_after_a_failure_is_a_recovery(tmp_path):
    memory = Memory()
    memory.record(KEY, "refused", "no section titled 'Upcoming'", ONE)
    memory = remembered(tmp_path, memory)
    assert memory.record(KEY, "unchanged", "nothing to move", TWO) == RECOVERED
    assert memory.failure(KEY) is None


def test_a_failure_after_a_recovery_is_news_again(tmp_path):
    memory = Memory()
    memory.record(KEY, "failed", "down", ONE)
    memory.record(KEY, "edited", "saved", ONE)
    assert memory.record(KEY, "failed", "down", TWO) == NEW_FAILURE


def test_targets_are_remembered_apart():
    memory = Memory()
    memory.record(KEY, "failed", "down", ONE)
    assert memory.record(state.key("meta:meta", "Other"), "failed", "down", ONE) == NEW_FAILURE


@pytest.mark.parametrize(
    ("worst", "transitions", "code"),
    [
        (EXIT_WIKI, [OK, NEW_FAILURE], EXIT_WIKI),
        (EXIT_REFUSED, [NEW_FAILURE], EXIT_REFUSED),
        (EXIT_WIKI, [STILL_FAILING, RECOVERED], EXIT_OK),
        (EXIT_OK, [OK, RECOVERED], EXIT_OK),
    ],
)
def test_a_pass_exits_non_zero_only_for_news(worst, transitions, code):
    assert state.exit_code(worst, transitions) == code


# --- the history cache --------------------------------------------------------------------


def test_dates_are_remembered_for_their_revision(tmp_path):
    memory = Memory()
    memory.set_dates(KEY, 42, 50, {LINE: ONE, "* Friday, June 30": None})
    assert remembered(tmp_path, memory).dates(KEY, 42, 50) == {LINE: ONE, "* Friday, June 30": None}


def test_dates_of_another_revision_are_not_trusted(tmp_path):
    memory = Memory()
    memory.set_dates(KEY, 42, 50, {LINE: ONE})
    assert remembered(tmp_path, memory).dates(KEY, 43, 50) is None


def test_dates_read_with_another_history_limit_are_not_trusted(tmp_path):
    memory = Memory()
    memory.set_dates(KEY, 42, 50, {LINE: ONE})
    assert memory.dates(KEY, 42, 10) is None


def test_a_cache_entry_of_the_wrong_shape_is_ignored(tmp_path):
    memory = Memory({KEY: {"history": {"revid": 42, "limit": 50, "dates": {LINE: "soon"}}}})
    assert memory.dates(KEY, 42, 50) is None
    assert Memory({KEY: {"history": [42]}}).dates(KEY, 42, 50) is None


# --- the file -----------------------------------------------------------------------------


def test_no_file_is_an_empty_memory(tmp_path):
    assert state.load(tmp_path) == Memory()


@pytest.mark.parametrize(
    "content",
    ["{not json", '["a list"]', '{"version": 99, "targets": {}}', '{"version": 1}', "\xff"],
)
def test_a_corrupt_file_is_ignored(tmp_path, content):
    (tmp_path / state.FILE).write_text(content, encoding="latin-1")
    assert state.load(tmp_path) == Memory()


def test_the_file_is_json_with_a_version(tmp_path):
    memory = Memory()
    memory.record(KEY, "failed", "down", ONE)
    memory.set_last_edit(KEY, ONE, 7, ["26 June 2023"])
    state.save(tmp_path, memory)
    data = json.loads((tmp_path / state.FILE).read_text())
    assert data == {
        "version": 1,
        "targets": {
            KEY: {
                "failure": {"status": "failed", "reason": "down", "since": ONE.isoformat()},
                "last_edit": {"at": ONE.isoformat(), "revid": 7, "moved": ["26 June 2023"]},
            }
        },
    }


def test_saving_leaves_no_temporary_file(tmp_path):
    state.save(tmp_path, Memory())
    state.save(tmp_path, Memory())
    assert [p.name for p in tmp_path.iterdir()] == [state.FILE]


def test_an_unusable_state_folder_is_a_usage_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(UsageError, match=r"state folder .*file/state: Not a directory"):
        state.prepare(blocker / "state")


def test_checking_the_folder_leaves_nothing_in_it(tmp_path):
    state.prepare(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_another_runs_probe_in_the_folder_does_not_stop_this_one(tmp_path):
    """Two passes start together: each checks the folder with a probe of its own."""
    (tmp_path / ".writable").mkdir()
    assert state.prepare(tmp_path) == tmp_path


# --- translations ------------------------------------------------------------------------


def test_translations_found_settled_are_remembered_for_their_revision(tmp_path):
    memory = Memory()
    memory.set_translations(KEY, 7, settled=True)
    assert remembered(tmp_path, memory).translations_settled(KEY, 7)


def test_translations_of_another_revision_are_looked_at_again(tmp_path):
    memory = Memory()
    memory.set_translations(KEY, 7, settled=True)
    assert not remembered(tmp_path, memory).translations_settled(KEY, 8)


def test_translation_work_left_pending_is_never_settled(tmp_path):
    memory = Memory()
    memory.set_translations(KEY, 7, settled=False)
    assert not remembered(tmp_path, memory).translations_settled(KEY, 7)
