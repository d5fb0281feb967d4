"""What the bot remembers between passes, offline in a temporary state folder."""

import json
from datetime import UTC, datetime, timedelta

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
    with pytest.raises(
        UsageError, match=r"state folder .*file/state: (Not a directory|File exists)"
    ):
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


# --- a damaged file never stops the bot ---------------------------------------------------


def written(tmp_path, data) -> None:
    (tmp_path / state.FILE).write_text(
        data if isinstance(data, str) else json.dumps(data), encoding="utf-8"
    )


def edit_entry(**changes) -> dict:
    return {"at": ONE.isoformat(), "revid": 7, "moved": ["June 26, 2023"]} | changes


@pytest.mark.parametrize(
    "bad",
    [
        edit_entry(moved=5),
        edit_entry(moved="abc"),
        edit_entry(revid=True),
        edit_entry(revid="7"),
        edit_entry(at="yesterday"),
        [1, 2],
    ],
    ids=["moved-number", "moved-string", "revid-bool", "revid-text", "at-not-iso", "a-list"],
)
def test_an_entry_of_the_wrong_shape_is_dropped_said_once_and_rewritten(tmp_path, bad, caplog):
    written(tmp_path, {"version": 1, "targets": {KEY: {"last_edit": bad, "failure": None}}})
    with caplog.at_level("WARNING", logger="conversation-hours-bot"):
        memory = state.load(tmp_path)
    assert memory.last_edit(KEY) is None
    assert [r.getMessage() for r in caplog.records if "wrong shape" in r.getMessage()]
    state.save(tmp_path, memory)
    assert "last_edit" not in json.loads((tmp_path / state.FILE).read_text())["targets"][KEY]


def test_a_wrong_failure_entry_is_not_taken_for_a_failure(tmp_path):
    failure = {"status": "failed", "reason": 5, "since": ONE.isoformat()}
    written(tmp_path, {"version": 1, "targets": {KEY: {"failure": failure}}})
    assert state.load(tmp_path).failure(KEY) is None


@pytest.mark.parametrize("version", [True, 1.0, "1"])
def test_a_version_that_only_looks_like_1_is_refused(tmp_path, version):
    written(tmp_path, {"version": version, "targets": {KEY: {"last_edit": edit_entry()}}})
    assert state.load(tmp_path) == Memory()


def test_a_deeply_nested_file_is_ignored(tmp_path):
    written(tmp_path, "[" * 100_000 + "]" * 100_000)
    assert state.load(tmp_path) == Memory()


def test_the_edit_under_way_is_remembered_and_cleared(tmp_path):
    memory = state.load(tmp_path)
    memory.set_saving(KEY, 41, "Bot: moved", ONE, ["June 26, 2023"])
    state.flush(memory)
    assert state.load(tmp_path).saving(KEY) == {
        "base": 41,
        "summary": "Bot: moved",
        "at": ONE.isoformat(),
        "moved": ["June 26, 2023"],
    }
    memory.clear_saving(KEY)
    state.flush(memory)
    assert state.load(tmp_path).saving(KEY) is None


# --- nobody else can hold the lock --------------------------------------------------------


def test_the_state_folder_and_the_lock_are_private(tmp_path):
    from bot.ops import lock

    folder = state.prepare(tmp_path / "new" / "state")
    assert folder.stat().st_mode & 0o777 == 0o700
    with lock.exclusive(folder):
        pass
    assert (folder / "run.lock").stat().st_mode & 0o777 == 0o600


def test_a_state_folder_others_can_read_is_refused(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with pytest.raises(UsageError, match=r"can be read by others \(mode 755\).*chmod 700"):
        state.prepare(folder)


def test_a_lock_file_an_older_version_left_readable_is_made_private(tmp_path):
    from bot.ops import lock

    (tmp_path / "run.lock").write_text("")
    (tmp_path / "run.lock").chmod(0o644)
    with lock.exclusive(tmp_path):
        assert (tmp_path / "run.lock").stat().st_mode & 0o777 == 0o600


def test_the_state_remembers_as_failures_exactly_the_flows_failures():
    from bot.wiki.flow import FAILURES

    assert set(FAILURES) == state.FAILED


def test_a_pages_edits_are_counted_over_the_last_day():
    memory = Memory()
    for hours in (0, 20, 25):
        memory.add_edit(KEY, ONE + timedelta(hours=hours))
    assert memory.edits_within(KEY, ONE + timedelta(hours=25)) == 2
    assert memory.edits_within(KEY, ONE + timedelta(hours=44, minutes=59)) == 1


def test_edits_older_than_a_day_are_forgotten():
    memory = Memory()
    memory.add_edit(KEY, ONE)
    memory.add_edit(KEY, ONE + timedelta(days=2))
    assert memory.targets[KEY]["edits"] == {"at": [(ONE + timedelta(days=2)).isoformat()]}


def test_edit_moments_without_a_zone_are_dropped_on_load(tmp_path):
    data = {"version": state.VERSION, "targets": {KEY: {"edits": {"at": ["2026-01-01T00:00"]}}}}
    (tmp_path / state.FILE).write_text(json.dumps(data))
    assert "edits" not in state.load(tmp_path).targets[KEY]


def test_where_the_opt_in_turn_ended_is_remembered_across_passes(tmp_path):
    memory = state.load(tmp_path)
    memory.set_turn_after(KEY, "Office hours/2024")
    state.save(tmp_path, memory)
    assert state.load(tmp_path).turn_after(KEY) == "Office hours/2024"


def test_a_pass_that_takes_every_page_forgets_the_turn(tmp_path):
    memory = state.load(tmp_path)
    memory.set_turn_after(KEY, "Office hours")
    memory.set_turn_after(KEY, None)
    state.save(tmp_path, memory)
    assert state.load(tmp_path).turn_after(KEY) is None


def test_a_turn_of_the_wrong_shape_is_dropped_on_load(tmp_path):
    data = {"version": state.VERSION, "targets": {KEY: {"turn": {"after": 5}}}}
    (tmp_path / state.FILE).write_text(json.dumps(data))
    assert state.load(tmp_path).turn_after(KEY) is None
