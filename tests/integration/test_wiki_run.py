"""The bot against a real MediaWiki: one correct bot edit, or none and the documented exit code."""

import json
import subprocess
from pathlib import Path

import pytest

from bot.core.pipeline import transform
from tests.conftest import META, WRITTEN, WRITTEN_AT, utc
from tests.integration.conftest import seeded_pages

REPO = Path(__file__).resolve().parents[2]
BETWEEN = "2023-06-28T00:00:00Z"


def run_bot(wiki, title, *args, env=None):
    return wiki.run_bot("run", "--site", wiki.site, "--page", title, *args, env=env)


@pytest.fixture(scope="module")
def meta_pages(dev_wiki, request):
    """The Meta page as written on 10 June 2023, once for each test, all in one import."""
    return seeded_pages(request, dev_wiki, META, WRITTEN_AT, "seeded")


@pytest.fixture
def seeded(meta_pages, request):
    """The Meta page as written on 10 June 2023, under a title of its own."""
    return meta_pages.take(request.node)


def test_a_run_makes_exactly_one_bot_edit(dev_wiki, seeded):
    done = run_bot(dev_wiki, seeded, "--always", "--now", BETWEEN)
    assert done.returncode == 0, done.stderr
    history = dev_wiki.revisions(seeded)
    assert len(history) == 2
    edit = history[-1]
    assert edit["user"] == "ConversationBot"
    assert edit["bot"] is True
    assert edit["comment"] == (
        "Bot: moved 1 past conversation hour to the log (June 26, 2023) "
        "([[User:ConversationBot|bot]])"
    )


def test_the_saved_text_is_what_the_core_computes_offline(dev_wiki, seeded):
    run_bot(dev_wiki, seeded, "--always", "--now", BETWEEN)
    expected = transform(META, utc("2023-06-28T00:00:00"), default_written_at=WRITTEN)
    assert dev_wiki.revisions(seeded)[-1]["content"] == expected.text.rstrip("\n")


def test_yearless_dates_are_read_against_the_page_history(dev_wiki, seeded):
    # Today the weekdays of "Monday, June 26" fit no nearby year: only history can date them.
    done = run_bot(dev_wiki, seeded, "--always", "--now", "2023-07-01T00:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "June 30, 2023 (16:00 UTC)" in dev_wiki.revisions(seeded)[-1]["content"]


def test_a_run_with_nothing_to_move_makes_no_edit(dev_wiki, seeded):
    done = run_bot(dev_wiki, seeded, "--always", "--now", "2023-06-20T00:00:00Z")
    assert done.returncode == 0, done.stderr
    assert "nothing to move" in done.stdout
    assert len(dev_wiki.revisions(seeded)) == 1


def test_a_second_run_makes_no_second_edit(dev_wiki, seeded):
    run_bot(dev_wiki, seeded, "--always", "--now", BETWEEN)
    again = run_bot(dev_wiki, seeded, "--always", "--now", BETWEEN)
    assert again.returncode == 0, again.stderr
    assert len(dev_wiki.revisions(seeded)) == 2


def test_a_dry_run_saves_nothing(dev_wiki, seeded):
    done = run_bot(dev_wiki, seeded, "--dry-run", "--now", BETWEEN)
    assert done.returncode == 0, done.stderr
    assert "would save" in done.stdout
    assert len(dev_wiki.revisions(seeded)) == 1


def test_an_edit_made_between_read_and_save_is_kept(dev_wiki, seeded):
    """The editor's edit lands while the operator looks at the diff; the bot must not undo it."""
    script = f"""
        import sys
        sys.path.insert(0, {str(REPO)!r})
        from datetime import UTC, datetime
        from pathlib import Path
        from bot.wiki import runner
        from bot.ops.config import Target
        from tests.integration.conftest import DevWiki, edit_as_editor

        wiki = DevWiki.from_json(Path({str(dev_wiki.state_dir / "wiki.json")!r}))
        asked = []

        def review(old, new, summary):
            if not asked:
                edited = old.replace("Friday, June 30 @ 16:00 UTC", "Friday, June 30 @ 17:00 UTC")
                edit_as_editor(wiki, {seeded!r}, edited, summary="editor: new time")
            asked.append(summary)
            return True

        target = Target(site="devwiki:en", title={seeded!r})
        outcome = runner.run_target(target, review, False, datetime(2023, 6, 28, tzinfo=UTC))
        print(outcome.status, len(asked))
    """
    done = dev_wiki.run_pywikibot(script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split()[-2:] == ["edited", "2"]  # asked again after the conflict
    final = dev_wiki.revisions(seeded)[-1]
    assert final["user"] == "ConversationBot"
    assert "Friday, June 30 @ 17:00 UTC" in final["content"]
    assert "June 26, 2023 (12:00 UTC)" in final["content"]
    assert "Monday, June 26 @ 12:00 UTC" not in final["content"]


def test_nobots_keeps_the_bot_away(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, "{{nobots}}\n" + META, timestamp=WRITTEN_AT)
    done = run_bot(dev_wiki, fresh_title, "--always", "--now", BETWEEN)
    assert done.returncode == 4
    assert "nobots" in done.stderr
    assert len(dev_wiki.revisions(fresh_title)) == 1


def test_a_stop_page_with_text_stops_the_bot(dev_wiki, seeded, fresh_title):
    stop = f"User:ConversationBot/Stop {fresh_title}"
    dev_wiki.seed(stop, "Stop: the bot moved a session too early.")
    done = run_bot(dev_wiki, seeded, "--always", "--now", BETWEEN, "--stop-page", stop)
    assert done.returncode == 0, done.stderr
    assert "stopped" in done.stdout
    assert len(dev_wiki.revisions(seeded)) == 1


def test_a_protected_page_is_left_alone(dev_wiki, seeded):
    dev_wiki.protect_as_admin(seeded)  # protecting adds a null revision
    before = len(dev_wiki.revisions(seeded))
    done = run_bot(dev_wiki, seeded, "--always", "--now", BETWEEN)
    assert done.returncode == 4
    assert seeded in done.stderr
    assert len(dev_wiki.revisions(seeded)) == before


def test_a_missing_page_is_never_created(dev_wiki, fresh_title):
    done = run_bot(dev_wiki, fresh_title, "--always", "--now", BETWEEN)
    assert done.returncode == 4
    assert "does not exist" in done.stderr
    assert dev_wiki.revisions(fresh_title) == []


def test_a_wrong_password_fails_with_exit_4(dev_wiki, seeded, tmp_path):
    config = tmp_path / "pywikibot"
    subprocess.run(["cp", "-r", str(dev_wiki.pywikibot_dir), str(config)], check=True)
    for cookies in config.glob("*.lwp"):  # a saved session would log in without the password
        cookies.unlink()
    passwords = config / "user-password.py"
    passwords.write_text(f"('ConversationBot', BotPassword('ci', '{'w' * 32}'))\n")
    passwords.chmod(0o600)
    env = dict(dev_wiki.pywikibot_env(), PYWIKIBOT_DIR=str(config))
    done = run_bot(dev_wiki, seeded, "--always", "--now", BETWEEN, env=env)
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert len(dev_wiki.revisions(seeded)) == 1


def test_a_read_only_wiki_fails_with_exit_4(dev_wiki, seeded):
    dev_wiki.set_readonly(True)
    try:
        done = run_bot(dev_wiki, seeded, "--always", "--now", BETWEEN)
    finally:
        dev_wiki.set_readonly(False)
    assert done.returncode == 4, done.stderr
    assert "Traceback" not in done.stderr
    assert len(dev_wiki.revisions(seeded)) == 1


def test_a_redirect_is_refused(dev_wiki, seeded):
    redirect = f"{seeded} redirect"
    dev_wiki.seed(redirect, f"#REDIRECT [[{seeded}]]")
    done = run_bot(dev_wiki, redirect, "--always", "--now", BETWEEN)
    assert done.returncode == 3
    assert "redirect" in done.stderr
    assert len(dev_wiki.revisions(seeded)) == 1


def test_check_on_a_wiki_page_dates_its_lines_from_history_and_saves_nothing(dev_wiki, seeded):
    later = "2026-12-03T00:00:00Z"  # no year near it has a Monday, June 26: history must date it
    done = dev_wiki.run_bot("check", "--site", dev_wiki.site, "--page", seeded, "--now", later)
    assert done.returncode == 0, done.stderr
    assert "line 55: 2023-06-26T12:00:00Z to 2023-06-26T13:00:00Z: past: would move" in done.stdout
    assert "2 session(s) would move to the log" in done.stdout
    assert len(dev_wiki.revisions(seeded)) == 1


def test_check_on_a_redirect_is_refused_like_a_run(dev_wiki, seeded):
    redirect = f"{seeded} redirect"
    dev_wiki.seed(redirect, f"#REDIRECT [[{seeded}]]")
    done = dev_wiki.run_bot("check", "--site", dev_wiki.site, "--page", redirect)
    assert done.returncode == 3
    assert f"refused: [[{redirect}]] on {dev_wiki.site}:" in done.stderr


def test_run_json_on_a_wiki_prints_the_report_with_the_saved_revision(dev_wiki, seeded):
    done = run_bot(dev_wiki, seeded, "--always", "--json", "--now", BETWEEN)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["status"] == "edited"
    assert report["revid"] == dev_wiki.revisions(seeded)[-1]["revid"]
    # the summary writes the date as the page's log does
    assert report["summary"] == "Bot: moved 1 past conversation hour to the log (June 26, 2023)"
    assert report["units"]["moved"] == ["24"]
    assert report["translations"] is None  # the page is not marked for translation


def test_run_json_on_a_wiki_dry_run_says_what_it_would_save(dev_wiki, seeded):
    done = run_bot(dev_wiki, seeded, "--dry-run", "--json", "--now", BETWEEN)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["status"], report["changed"], report["revid"]) == ("dry-run", True, None)
    assert len(dev_wiki.revisions(seeded)) == 1
