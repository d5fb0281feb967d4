"""The offline command line is a contract: arguments, outputs and exit codes."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli.main import split_arguments
from tests.conftest import META, META_PATH, WRITTEN_AT, assert_usage_error

BOT = [sys.executable, "-m", "bot"]
AFTER = "2023-07-01T00:00:00Z"


def bot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*BOT, *args], capture_output=True, text=True, timeout=60)


def test_run_prints_a_unified_diff_of_the_change():
    done = bot("run", "--file", str(META_PATH), "--now", AFTER)
    assert done.returncode == 0
    assert done.stdout.startswith(f"--- {META_PATH} (current)\n+++ {META_PATH} (bot)\n@@ ")
    assert "-* <translate><!--T:24--> Monday, June 26 @ 12:00 UTC" in done.stdout


def test_run_writes_the_new_text_to_output(tmp_path):
    out = tmp_path / "new.wikitext"
    done = bot("run", "--file", str(META_PATH), "--now", AFTER, "--output", str(out))
    assert done.returncode == 0
    assert "June 30, 2023 (16:00 UTC). Topic:" in out.read_text()


def test_output_is_the_same_bytes_when_nothing_changes(tmp_path):
    out = tmp_path / "new.wikitext"
    done = bot(
        "run", "--file", str(META_PATH), "--now", "2023-06-01T00:00:00Z", "--output", str(out)
    )
    assert done.returncode == 0
    assert done.stdout == ""
    assert out.read_bytes() == META_PATH.read_bytes()


def test_json_report_has_the_promised_fields():
    done = bot("run", "--file", str(META_PATH), "--now", AFTER, "--json")
    report = json.loads(done.stdout)
    assert report["changed"] is True
    assert report["summary"] == (
        "Bot: moved 2 past conversation hours to the log (June 26, 2023; June 30, 2023)"
    )
    assert [m["start"] for m in report["moved"]] == ["2023-06-26T12:00:00Z", "2023-06-30T16:00:00Z"]
    assert report["moved"][0]["text"].startswith("* <translate><!--T:24--> Monday, June 26")
    assert len(report["retired"]) == 2
    assert report["warnings"] == []
    assert report["units"] == {
        "moved": ["24", "25"],
        "changed": ["24", "25"],
        "retired": ["23", "26"],
    }


def test_written_at_dates_yearless_lines():
    done = bot(
        "run",
        "--file",
        str(META_PATH),
        "--now",
        "2026-11-24T00:00:00Z",
        "--written-at",
        WRITTEN_AT,
        "--json",
    )
    assert len(json.loads(done.stdout)["moved"]) == 2


def test_check_explains_the_page():
    done = bot("check", "--file", str(META_PATH), "--now", "2023-06-28T00:00:00Z")
    assert done.returncode == 0
    assert "'Ad-hoc conversation hour on the Global Digital Compact'" in done.stdout
    assert "line 55: 2023-06-26T12:00:00Z to 2023-06-26T13:00:00Z: past: would move" in done.stdout
    assert "line 56: 2023-06-30T16:00:00Z to 2023-06-30T17:00:00Z: stays" in done.stdout


def test_a_refused_page_exits_3_with_one_line_and_writes_nothing(tmp_path):
    broken = tmp_path / "broken.wikitext"
    broken.write_text(META.replace("== Upcoming Conversation Hours ==", "== Soon =="))
    out = tmp_path / "new.wikitext"
    done = bot("run", "--file", str(broken), "--now", AFTER, "--output", str(out))
    assert done.returncode == 3
    assert done.stderr.count("\n") == 1
    assert "refused: no section titled 'Upcoming Conversation Hours'" in done.stderr
    assert not out.exists()


def test_check_refuses_like_run(tmp_path):
    broken = tmp_path / "broken.wikitext"
    broken.write_text("<translate>\nunclosed\n")
    done = bot("check", "--file", str(broken))
    assert done.returncode == 3
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--file", "/nonexistent/page"], "cannot read /nonexistent/page"),
        (["--file", "/tmp"], "cannot read /tmp"),
        (["--file", str(META_PATH), "--now", "yesterday"], "'yesterday' is not an ISO 8601 moment"),
        (["--file", str(META_PATH), "--written-at", "2023-13-01"], "is not an ISO 8601 moment"),
        (["--file", str(META_PATH), "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_usage_exits_2_with_one_line(args, says):
    assert_usage_error(bot("run", *args), says)


def test_an_empty_file_exits_2(tmp_path):
    empty = tmp_path / "empty.wikitext"
    empty.write_text("")
    assert_usage_error(bot("run", "--file", str(empty)), "is empty")


def test_a_file_that_is_not_utf8_exits_2(tmp_path):
    latin = tmp_path / "latin1.wikitext"
    latin.write_bytes("== Upcoming Conversation Hours ==\nCaf\xe9\n".encode("latin-1"))
    assert_usage_error(bot("run", "--file", str(latin)), "is not UTF-8")


def test_the_console_script_is_installed():
    script = Path(sys.executable).parent / "conversation-hours-bot"
    done = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "run" in done.stdout and "check" in done.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--config", "bot.toml", "--page", "Other"], "--page cannot go with --config"),
        (["--config", "bot.toml", "--always"], "--always cannot go with --config"),
        (["--config", "bot.toml", "-site:meta"], "--site cannot go with --config"),
        (["--config", "bot.toml", "--json"], "--json is for --file and for one page"),
        (["--config", "bot.toml", "--output", "x"], "--output is for --file"),
        (["--written-at", "2023-06-10T00:00:00Z"], "--written-at is for --file"),
        (["--output", "new.wikitext"], "--output is for --file"),
        (["--file", str(META_PATH), "--site", "x:y"], "--site is for runs on a wiki"),
        (["--file", str(META_PATH), "--always"], "--always is for runs on a wiki"),
        (["--file", str(META_PATH), "-always"], "--always is for runs on a wiki"),
        (["--file", str(META_PATH), "--dry-run"], "--dry-run is for runs on a wiki"),
        (["--file", str(META_PATH), "--config", "missing.toml"], "--config is for runs on a wiki"),
        (["--file", str(META_PATH), "--state", "/tmp"], "--state is for runs on a wiki"),
        (["--file", str(META_PATH), "-simulate"], "-simulate is a pywikibot option"),
        (["--config", "bot.toml", "-user:Someone"], "-user:Someone names one wiki or account"),
        (["--config", "bot.toml", "-family:meta"], "-family:meta names one wiki or account"),
    ],
)
def test_an_option_that_would_be_ignored_is_refused(args, says):
    assert_usage_error(bot("run", *args), says)


def test_the_refusal_comes_before_anything_is_read(tmp_path):
    # With the wiki options dropped, this very run would succeed: the refusal is the mode check.
    out = tmp_path / "new.wikitext"
    done = bot("run", "--file", str(META_PATH), "--now", AFTER, "--output", str(out), "--always")
    assert done.returncode == 2
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--file", str(META_PATH), "--site", "x:y"], "--site is for runs on a wiki"),
        (["--file", str(META_PATH), "--page", "P"], "--page is for runs on a wiki"),
        (["--file", str(META_PATH), "--dir", "/tmp"], "--dir is for runs on a wiki"),
        (["--site", "x:y", "--written-at", AFTER], "--written-at is for --file"),
    ],
)
def test_check_refuses_an_option_it_would_ignore(args, says):
    assert_usage_error(bot("check", *args), says)


def test_check_takes_no_pywikibot_option():
    done = bot("check", "--file", str(META_PATH), "-simulate")
    assert_usage_error(done, "-simulate is a pywikibot option; check on a file uses no wiki")


@pytest.mark.parametrize(
    ("argv", "ours", "theirs"),
    [
        (
            ["run", "-always", "-site:meta", "-page:A: B"],
            ["run", "--always", "--site=meta", "--page=A: B"],
            [],
        ),
        (["run", "-site:wikipedia:en"], ["run", "--site=wikipedia:en"], []),
        (["run", "-dir:/x", "-simulate", "-pt:10"], ["run", "--dir=/x"], ["-simulate", "-pt:10"]),
        (["run", "-debug"], ["--debug", "run"], []),
        (["run", "--debug", "--always"], ["--debug", "run", "--always"], []),
        (["--debug", "run"], ["--debug", "run"], []),
        (["run", "-help"], ["run", "--help"], []),
        (["run", "-h"], ["run", "-h"], []),
        (["run", "--page", "-Odd title"], ["run", "--page", "-Odd title"], []),
        (["run", "--file", "-"], ["run", "--file", "-"], []),
        (["run", "-user:Bot", "-maxlag:5", "-v"], ["run"], ["-user:Bot", "-maxlag:5", "-v"]),
    ],
)
def test_pywikibot_spellings_become_the_bots_and_its_global_options_go_to_pywikibot(
    argv, ours, theirs
):
    assert split_arguments(argv) == (ours, theirs)


def test_help_in_pywikibots_spelling_shows_the_bots_help():
    done = bot("run", "-help")
    assert done.returncode == 0
    assert "--config TOML" in done.stdout and "-simulate" in done.stdout


def test_offline_runs_never_import_pywikibot():
    code = (
        "import sys\n"
        "from bot.cli.main import main\n"
        f"code = main(['run', '--file', {str(META_PATH)!r}, '--now', {AFTER!r}, '--json'])\n"
        "assert code == 0 and 'pywikibot' not in sys.modules, code\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def pywikibot_folder(tmp_path: Path, user_config: str) -> dict[str, str]:
    folder = tmp_path / "pywikibot"
    folder.mkdir()
    (folder / "user-config.py").write_text(user_config)
    return dict(os.environ, PYWIKIBOT_DIR=str(folder), HOME=str(tmp_path))


def test_an_error_in_user_config_is_a_configuration_error(tmp_path):
    env = pywikibot_folder(tmp_path, "raise ValueError('OAuth is half configured')\n")
    done = subprocess.run([*BOT, "run", "--dry-run"], capture_output=True, text=True, env=env)
    assert_usage_error(done, "pywikibot configuration: OAuth is half configured")


def test_a_missing_pywikibot_folder_is_a_configuration_error(tmp_path):
    env = dict(os.environ, HOME=str(tmp_path))
    done = subprocess.run(
        [*BOT, "run", "--dry-run", "--dir", str(tmp_path / "nowhere")],
        capture_output=True,
        text=True,
        env=env,
    )
    assert_usage_error(done, "/nowhere: no user-config.py in ")


def test_a_bug_in_the_wiki_modules_at_import_is_a_bug(tmp_path):
    env = pywikibot_folder(tmp_path, "family = 'meta'\nmylang = 'meta'\n")
    code = (
        "import sys\n"
        "sys.modules['bot.cli.wiki_commands'] = None  # importing it now fails as a bug would\n"
        "from bot.cli.main import main\n"
        "sys.exit(main(['run', '--dry-run']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "internal error: ModuleNotFoundError" in done.stderr
    assert "pywikibot configuration" not in done.stderr


def test_a_bug_shows_its_traceback_with_debug_in_either_spelling(tmp_path):
    env = pywikibot_folder(tmp_path, "family = 'meta'\nmylang = 'meta'\n")
    code = (
        "import sys\n"
        "sys.modules['bot.cli.wiki_commands'] = None\n"
        "from bot.cli.main import main\n"
        "sys.exit(main(['run', '--dry-run', '-debug']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 1
    assert "Traceback (most recent call last)" in done.stderr
