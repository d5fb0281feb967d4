"""The status page on the local wiki: editors see what the bot left, at most one edit a pass."""

import subprocess
from pathlib import Path

from tests.conftest import META, WRITTEN_AT

CET = META.replace("Friday, June 30 @ 16:00 UTC", "Friday, June 30 @ 16:00 CET")


def config(tmp_path: Path, titles: list[str], status_page: str) -> Path:
    lines = [f'state_dir = "{tmp_path / "state"}"', ""]
    for title in titles:
        lines += ["[[targets]]", 'site = "devwiki:en"', f'page = "{title}"']
        lines += [f'status_page = "{status_page}"', ""]
    path = tmp_path / "bot.toml"
    path.write_text("\n".join(lines))
    return path


def run_pass(wiki, path: Path, now: str, *extra: str) -> subprocess.CompletedProcess:
    return wiki.run_bot("run", "--config", str(path), "--now", now, *extra)


def test_a_pass_lists_the_line_it_left_on_the_status_page_once(dev_wiki, fresh_title, tmp_path):
    status = f"User:ConversationBot/Status {fresh_title}"
    dev_wiki.seed(status, "(the bot writes here)")
    dev_wiki.seed(fresh_title, CET, timestamp=WRITTEN_AT)
    path = config(tmp_path, [fresh_title], status)
    first = run_pass(dev_wiki, path, "2023-06-28T00:00:00Z")
    assert first.returncode == 0, first.stderr
    history = dev_wiki.revisions(status)
    assert len(history) == 2
    text = history[-1]["content"]
    assert f"== [[{fresh_title}]] ==" in text
    assert (
        "* Last pass: 2023-06-28 00:00 UTC\n* Last edit: 2023-06-28 00:00 UTC, moved June 26, 2023 "
        "(Ad-hoc conversation hour on the Global Digital Compact) (revision "
    ) in text
    assert (
        f"** [[{fresh_title}#Upcoming Conversation Hours|Upcoming Conversation Hours]]: "
        '"Friday, June 30 @ 16:00 CET &#124; Zoom &#124; Meeting ID: 876 0059 3…": '
        "'CET' is a zone the bot cannot be sure of; write UTC; left in place"
    ) in text
    assert history[-1]["user"] == "ConversationBot" and history[-1]["minor"]
    # The next pass an hour later finds the same line left and nothing to move: no edit.
    second = run_pass(dev_wiki, path, "2023-06-28T01:00:00Z")
    assert second.returncode == 0, second.stderr
    assert len(dev_wiki.revisions(status)) == 2


def test_all_pages_of_a_wiki_share_one_status_edit(dev_wiki, fresh_title, tmp_path):
    status = f"User:ConversationBot/Status {fresh_title}"
    dev_wiki.seed(status, "(the bot writes here)")
    titles = [f"{fresh_title} A", f"{fresh_title} B"]
    dev_wiki.seed_many([(title, CET, WRITTEN_AT, None, None) for title in titles])
    done = run_pass(dev_wiki, config(tmp_path, titles, status), "2023-06-28T00:00:00Z")
    assert done.returncode == 0, done.stderr
    history = dev_wiki.revisions(status)
    assert len(history) == 2
    assert all(f"== [[{t}]] ==" in history[-1]["content"] for t in titles)


def test_a_dry_run_leaves_the_status_page_alone(dev_wiki, fresh_title, tmp_path):
    status = f"User:ConversationBot/Status {fresh_title}"
    dev_wiki.seed(status, "(the bot writes here)")
    dev_wiki.seed(fresh_title, CET, timestamp=WRITTEN_AT)
    path = config(tmp_path, [fresh_title], status)
    done = run_pass(dev_wiki, path, "2023-06-28T00:00:00Z", "--dry-run")
    assert done.returncode == 0, done.stderr
    assert len(dev_wiki.revisions(status)) == 1


def test_a_missing_status_page_is_not_created(dev_wiki, fresh_title, tmp_path):
    status = f"User:ConversationBot/Status {fresh_title}"
    dev_wiki.seed(fresh_title, CET, timestamp=WRITTEN_AT)
    path = config(tmp_path, [fresh_title], status)
    done = run_pass(dev_wiki, path, "2023-06-28T00:00:00Z", "--verbose")
    assert done.returncode == 0, done.stderr
    assert f"WARNING devwiki:en status page [[{status}]] does not exist" in done.stdout
    assert dev_wiki.revisions(status) == []


def test_an_unchanged_yearless_page_needs_no_history_on_the_next_pass(
    dev_wiki, fresh_title, tmp_path
):
    status = f"User:ConversationBot/Status {fresh_title}"
    dev_wiki.seed(status, "(the bot writes here)")
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    path = config(tmp_path, [fresh_title], status)
    quiet = "2023-06-20T00:00:00Z"  # nothing to move yet: the pass only reads
    first = run_pass(dev_wiki, path, quiet)
    assert first.returncode == 0, first.stderr
    before = dev_wiki.requests_served()
    second = run_pass(dev_wiki, path, quiet)
    assert second.returncode == 0, second.stderr
    assert dev_wiki.requests_served() - before == 2


def warm(wiki, tmp_path, title: str) -> tuple[Path, int]:
    """A page with yearless dates after one pass, and what a pass costs with a warm cache."""
    status = f"User:ConversationBot/Status {title}"
    wiki.seed(status, "(the bot writes here)")
    wiki.seed(title, META, timestamp=WRITTEN_AT)
    path = config(tmp_path, [title], status)
    assert run_pass(wiki, path, "2023-06-20T00:00:00Z").returncode == 0
    before = wiki.requests_served()
    assert run_pass(wiki, path, "2023-06-20T00:00:00Z").returncode == 0
    return path, wiki.requests_served() - before


def test_a_corrupt_state_file_is_ignored_and_history_read_again(dev_wiki, fresh_title, tmp_path):
    path, warm_cost = warm(dev_wiki, tmp_path, fresh_title)
    (tmp_path / "state" / "state.json").write_text("{not json")
    before = dev_wiki.requests_served()
    done = run_pass(dev_wiki, path, "2023-06-28T00:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "ignoring" in done.stdout and "state.json" in done.stdout
    assert "edited moved=1" in done.stdout
    assert dev_wiki.requests_served() - before > warm_cost


def test_a_page_changed_since_has_its_history_read_again(dev_wiki, fresh_title, tmp_path):
    path, warm_cost = warm(dev_wiki, tmp_path, fresh_title)
    dev_wiki.edit_as_editor(fresh_title, META + "\nA new paragraph.")
    before = dev_wiki.requests_served()
    done = run_pass(dev_wiki, path, "2023-06-20T00:00:00Z")
    assert done.returncode == 0, done.stderr
    assert dev_wiki.requests_served() - before > warm_cost


def test_a_refusal_exits_non_zero_once_then_is_reported_without_mail(
    dev_wiki, fresh_title, tmp_path
):
    status = f"User:ConversationBot/Status {fresh_title}"
    dev_wiki.seed(status, "(the bot writes here)")
    broken = META.replace("== Upcoming Conversation Hours ==", "== Soon ==")
    dev_wiki.seed(fresh_title, broken, timestamp=WRITTEN_AT)
    path = config(tmp_path, [fresh_title], status)
    first = run_pass(dev_wiki, path, "2023-06-28T00:00:00Z")
    assert first.returncode == 3, first.stderr
    assert first.stdout.count(f"[[{fresh_title}]] refused ") == 1
    assert first.stdout.splitlines()[0].endswith(" (new failure)")
    assert "* '''Not done''': " in dev_wiki.revisions(status)[-1]["content"]
    second = run_pass(dev_wiki, path, "2023-06-28T01:00:00Z")
    assert second.returncode == 0, second.stderr
    assert second.stdout.splitlines()[0].endswith(
        " (still failing since 2023-06-28 00:00 UTC; no news)"
    )
    assert len(dev_wiki.revisions(status)) == 2
    dev_wiki.edit_as_editor(fresh_title, META)
    third = run_pass(dev_wiki, path, "2023-06-20T00:00:00Z")
    assert third.returncode == 0, third.stderr
    assert "unchanged moved=0 no change" in third.stdout
    assert third.stdout.splitlines()[0].endswith(" (recovered)")


def test_a_stop_page_keeps_the_status_page_as_it_is(dev_wiki, fresh_title, tmp_path):
    status = f"User:ConversationBot/Status {fresh_title}"
    stop = f"User:ConversationBot/Stop {fresh_title}"
    dev_wiki.seed(status, "(the bot writes here)")
    dev_wiki.seed(stop, "Stop, please.")
    dev_wiki.seed(fresh_title, CET, timestamp=WRITTEN_AT)
    path = config(tmp_path, [fresh_title], status)
    path.write_text(path.read_text() + f'stop_page = "{stop}"\n')
    done = run_pass(dev_wiki, path, "2023-06-28T00:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "stopped moved=0" in done.stdout
    assert len(dev_wiki.revisions(status)) == 1
