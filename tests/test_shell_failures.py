"""The shell fails closed, offline: it never runs where nobody configured it, every failure
the operator can cause is one line with its exit code, and nothing reaches a wiki first.

The "wiki" here is a family file pointing at a closed port on 127.0.0.1: any request fails at
once, so a test that gets an answer before a request proves no request was needed."""

import importlib
import os
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from bot.ops import credentials, deadline
from bot.ops.credentials import Account
from tests.conftest import assert_usage_error

cli = importlib.import_module("bot.cli.main")

BOT = [sys.executable, "-m", "bot"]
SECRET = "s3cr3t-never-printed"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pywikibot_folder(tmp_path: Path, password: str | None = None, extra: str = "") -> Path:
    """A pywikibot folder for the family `closed` (a wiki on a closed port), account Bot."""
    folder = tmp_path / "pwb"
    folder.mkdir(mode=0o700)
    family = folder / "closed_family.py"
    family.write_text(
        "from pywikibot import family\n\n"
        "class Family(family.Family):\n"
        "    name = 'closed'\n"
        f"    langs = {{'en': '127.0.0.1:{closed_port()}'}}\n\n"
        "    def protocol(self, code):\n        return 'http'\n\n"
        "    def scriptpath(self, code):\n        return ''\n",
        encoding="utf-8",
    )
    (folder / "user-config.py").write_text(
        f"family_files['closed'] = {str(family)!r}\nfamily = 'closed'\nmylang = 'en'\n"
        "usernames['closed']['en'] = 'Bot'\npassword_file = 'user-password.py'\n"
        "max_retries = 0\nretry_wait = 0\nsocket_timeout = (2, 2)\n" + extra,
        encoding="utf-8",
    )
    (folder / "user-config.py").chmod(0o600)
    if password is not None:
        path = folder / "user-password.py"
        path.write_text(password, encoding="utf-8")
        path.chmod(0o600)
    return folder


GOOD_PASSWORD = f"('Bot', BotPassword('job', '{SECRET}'))\n"


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [*BOT, *args],
        capture_output=True,
        text=True,
        env={**env, "XDG_STATE_HOME": str(cwd / "state")},
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        timeout=60,
    )


def one_line(done: subprocess.CompletedProcess, says: str) -> None:
    """A usage error in one line (conftest's assert_usage_error) that shows no password."""
    assert_usage_error(done, says)
    assert SECRET not in done.stderr + done.stdout


# --- it never runs where nobody configured it -----------------------------------------------


@pytest.mark.parametrize(
    ("environ", "says"),
    [
        ({"PYWIKIBOT_DIR": ""}, "PYWIKIBOT_DIR is set but empty"),
        ({"PYWIKIBOT_DIR": "{tmp}/empty"}, "no user-config.py in"),
        ({"PYWIKIBOT_DIR": "{tmp}/missing"}, "no user-config.py in"),
        ({"HOME": ""}, "no PYWIKIBOT_DIR and no HOME"),
        ({"HOME": "{tmp}"}, "~/.pywikibot: no user-config.py"),
        ({"PYWIKIBOT_NO_USER_CONFIG": "1", "PYWIKIBOT_DIR": "{tmp}"}, "PYWIKIBOT_NO_USER_CONFIG"),
    ],
)
def test_an_unconfigured_pywikibot_is_refused_before_pywikibot_loads(tmp_path, environ, says):
    (tmp_path / "empty").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWIKIBOT")}
    env.update({k: v.format(tmp=tmp_path) for k, v in environ.items()})
    code = (
        "import sys\nfrom bot.cli.main import main\n"
        "code = main(['run', '--dry-run'])\n"
        "assert 'pywikibot' not in sys.modules\nsys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    one_line(done, says)


def test_a_user_config_others_can_write_is_refused(tmp_path):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    (folder / "user-config.py").chmod(0o666)
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder)}
    done = run(["run", "--dry-run", "--site", "closed:en"], env, tmp_path)
    one_line(done, "can be written by others (mode 666): pywikibot would skip it")


@pytest.mark.parametrize("option", ["-nosuchoption", "-pt:soon", "-daemonize"])
def test_a_bad_pywikibot_option_is_refused_before_any_site_opens(tmp_path, option):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    code = (
        "import sys\nfrom bot.cli.main import main\n"
        f"code = main(['run', '--dry-run', {option!r}])\n"
        "import pywikibot\nassert not pywikibot._sites, pywikibot._sites\nsys.exit(code)\n"
    )
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder), "XDG_STATE_HOME": str(tmp_path / "s")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    one_line(done, option.partition(":")[0])


def test_known_pywikibot_options_open_no_site_of_their_own(tmp_path):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    code = (
        "import argparse, pywikibot\nfrom bot.cli import wiki_commands\n"
        "args = argparse.Namespace(pywikibot=['-simulate', '-pt:0', '-max_retries:1'], site=None)\n"
        "wiki_commands.apply_pywikibot_options(args, one_page=False)\n"
        "assert not pywikibot._sites and pywikibot.config.simulate and "
        "pywikibot.config.max_retries == 1\n"
    )
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize(
    ("site", "says"),
    [
        ("nosuchfamily:en", "pywikibot knows no family 'nosuchfamily'"),
        ("closed:xx", "no code 'xx'"),
    ],
)
def test_a_site_that_cannot_exist_is_a_configuration_error(tmp_path, site, says):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder)}
    toml = tmp_path / "bot.toml"
    toml.write_text(f'[[targets]]\nsite = "{site}"\npage = "P"\n', encoding="utf-8")
    one_line(run(["run", "--config", str(toml), "--dry-run"], env, tmp_path), says)
    one_line(run(["run", "--dry-run", "--site", site], env, tmp_path), says)


# --- credentials ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("password", "says"),
    [
        (None, "user-password.py does not exist"),
        ("('Someone', 'x')\n", "has no password for Bot on closed:en"),
        (f"('a', 'b', 'c', 'Bot', '{SECRET}')\n", "line 1: needs 2 to 4 elements"),
        (f"('Bot', BotPassword('{SECRET}'))\n", "line 1: BotPassword takes two strings"),
        (f"('Bot' '{SECRET}'\n", "line 1: not a Python tuple of strings"),
    ],
    ids=["missing", "no-account", "five-elements", "botpassword-shape", "not-python"],
)
def test_a_password_file_pywikibot_would_stumble_on_is_one_line(tmp_path, password, says):
    folder = pywikibot_folder(tmp_path, password)
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder)}
    one_line(run(["run", "--dry-run", "--site", "closed:en"], env, tmp_path), says)


def test_a_password_file_others_can_read_is_refused(tmp_path):
    path = tmp_path / "user-password.py"
    path.write_text(GOOD_PASSWORD)
    path.chmod(0o644)
    [problem] = credentials.password_problems(path, [Account("closed", "en", "Bot")])
    assert "can be read by others (mode 644)" in problem and "chmod 600" in problem


@pytest.mark.parametrize(
    "line",
    [
        "('Bot', 'pw')",
        "('closed', 'Bot', 'pw')",
        "('en', 'closed', 'bot', BotPassword('job', 'pw'))",
        "('Bot', BotPassword('job', 'pw'))",
    ],
)
def test_every_password_line_pywikibot_reads_is_read(tmp_path, line):
    path = tmp_path / "user-password.py"
    path.write_text(f"# a comment\n\n{line}\n")
    path.chmod(0o600)
    assert credentials.password_problems(path, [Account("closed", "en", "Bot")]) == []


# --- the operator's stop, and the help -------------------------------------------------------


@pytest.mark.parametrize("raised", ["KeyboardInterrupt", "QuitKeyboardInterrupt"])
def test_ctrl_c_is_a_quiet_stop_by_the_operator(monkeypatch, capsys, raised):
    if raised == "QuitKeyboardInterrupt":
        from pywikibot.bot_choice import QuitKeyboardInterrupt as error
    else:
        error = KeyboardInterrupt

    def interrupted(args):
        raise error()

    monkeypatch.setattr(cli, "_dispatch", interrupted)
    assert cli.main(["run", "--dry-run"]) == 130
    err = capsys.readouterr().err
    assert err.startswith("conversation-hours-bot: stopped by the operator (Ctrl-C); ")
    assert err.count("\n") == 1 and "internal error" not in err


def test_a_run_over_its_deadline_stops_with_one_line(monkeypatch, capsys):
    def slow(args):
        with deadline.run_deadline(0.2):
            import time

            time.sleep(5)

    monkeypatch.setattr(cli, "_dispatch", slow)
    assert cli.main(["run", "--dry-run"]) == 4
    assert "the run reached its deadline (0 s)" in capsys.readouterr().err


def test_sigterm_stops_a_run_within_the_grace_period(tmp_path):
    code = (
        "import importlib, os, signal, sys, time\nfrom bot.ops import deadline\n"
        "cli = importlib.import_module('bot.cli.main')\n"
        "deadline.STOP_GRACE = 0.5\n"
        "def hang(args):\n"
        "    with deadline.stopped_by_signals(), deadline.run_deadline(60):\n"
        "        os.kill(os.getpid(), signal.SIGTERM)\n        time.sleep(30)\n"
        "cli._dispatch = hang\nsys.exit(cli.main(['run', '--dry-run']))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=10)
    assert done.returncode == 143, done.stderr
    assert "the run stopped by SIGTERM" in done.stderr and "Traceback" not in done.stderr


def test_the_help_names_pywikibots_global_options_and_the_first_step():
    done = subprocess.run([*BOT, "--help"], capture_output=True, text=True)
    assert done.returncode == 0
    assert "check --config FILE" in " ".join(done.stdout.split())
    assert "-simulate" in done.stdout and "-nolog" in done.stdout
    assert not done.stdout.splitlines()[2].startswith("The command line")


def test_version():
    done = subprocess.run([*BOT, "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.startswith("conversation-hours-bot ")


def test_verbose_is_taken_for_one_page(tmp_path):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder)}
    done = run(["run", "--dry-run", "--verbose", "--site", "closed:en"], env, tmp_path)
    assert "--verbose is for" not in done.stderr
    assert done.returncode == 4, done.stderr


def test_an_unreachable_wiki_is_one_line_naming_its_url_and_the_cause(tmp_path):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder)}
    done = run(["run", "--dry-run", "--site", "closed:en"], env, tmp_path)
    assert done.returncode == 4, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "cannot reach http://127.0.0.1:" in lines[0] and "/api.php" in lines[0]
    assert "refused" in lines[0].lower()


def test_the_state_folder_is_private_even_when_made_by_the_bot(tmp_path):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    run(
        ["run", "--dry-run", "--site", "closed:en"],
        {**os.environ, "PYWIKIBOT_DIR": str(folder)},
        tmp_path,
    )
    made = tmp_path / "state" / "conversation-hours-bot"
    assert stat.S_IMODE(made.stat().st_mode) == 0o700


# --- the pre-flight, pywikibot's debug log, one login, the clock, the words -----------------


def test_check_config_prints_one_line_per_problem_and_exits_2(tmp_path):
    folder = pywikibot_folder(tmp_path, "('Someone', 'x')\n")
    toml = tmp_path / "bot.toml"
    toml.write_text(
        f'state_dir = "{tmp_path / "state"}"\n'
        '[[targets]]\nsite = "closed:en"\npage = "P"\n'
        '[[targets]]\nsite = "nosuchfamily:en"\npage = "Q"\n',
        encoding="utf-8",
    )
    done = run(
        ["check", "--config", str(toml)], {**os.environ, "PYWIKIBOT_DIR": str(folder)}, tmp_path
    )
    assert done.returncode == 2, done.stderr
    problems = [line for line in done.stdout.splitlines() if ": problem: " in line]
    assert len(problems) == 2, done.stdout
    assert "closed:en: password file" in problems[0] and "no password for Bot" in problems[0]
    assert "pywikibot knows no family 'nosuchfamily'" in problems[1]
    assert done.stdout.splitlines()[-1].endswith(
        "2 problem(s); no pass can be trusted until they are fixed"
    )
    assert "Traceback" not in done.stderr


def test_check_config_names_a_wiki_it_cannot_reach(tmp_path):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    toml = tmp_path / "bot.toml"
    toml.write_text(
        f'state_dir = "{tmp_path / "state"}"\n[[targets]]\nsite = "closed:en"\npage = "P"\n'
    )
    done = run(
        ["check", "--config", str(toml)], {**os.environ, "PYWIKIBOT_DIR": str(folder)}, tmp_path
    )
    assert done.returncode == 2, done.stderr
    [problem] = [line for line in done.stdout.splitlines() if ": problem: " in line]
    assert "cannot reach http://127.0.0.1:" in problem and "refused" in problem.lower()


def test_debug_turns_on_pywikibots_debug_log(tmp_path):
    folder = pywikibot_folder(tmp_path, GOOD_PASSWORD)
    env = {**os.environ, "PYWIKIBOT_DIR": str(folder)}
    run(["run", "--dry-run", "--site", "closed:en", "-debug"], env, tmp_path)
    logs = list((folder / "logs").glob("*.log"))
    assert logs and any(" DEBUG " in path.read_text(errors="replace") for path in logs)


def test_a_failed_login_is_not_tried_again_in_the_same_pass(monkeypatch):
    from pywikibot import exceptions as pwb

    from bot.wiki import client

    class Site:
        tries = 0

        def login(self):
            Site.tries += 1
            raise pwb.NoUsernameError("wrong password")

        def __str__(self):
            return "closed:en"

    client.forget_failed_logins()
    for _ in range(3):
        with pytest.raises(Exception, match="cannot log in to closed:en"):
            client.login(Site())
    assert Site.tries == 1
    client.forget_failed_logins()  # the scheduler's next pass tries again
    with pytest.raises(Exception, match="cannot log in"):
        client.login(Site())
    assert Site.tries == 2


def test_a_clock_off_the_wikis_by_more_than_the_grace_moves_nothing(monkeypatch):
    from datetime import UTC, datetime, timedelta

    from bot.errors import Refusal
    from bot.ops import state
    from bot.ops.config import Target
    from bot.wiki import client, runner

    now = datetime(2026, 12, 1, 12, tzinfo=UTC)
    monkeypatch.setattr(client, "login", lambda site: None)
    monkeypatch.setattr(client, "wiki_time", lambda site: now + timedelta(hours=2))
    page_wiki = runner._PageWiki(object(), Target(), now, state.Memory())
    with pytest.raises(Refusal, match=r"is 2.0 hours off the wiki.s.*nothing moved"):
        page_wiki.login()
    monkeypatch.setattr(client, "wiki_time", lambda site: now + timedelta(minutes=5))
    page_wiki.login()  # within the grace: fine
    told = runner._PageWiki(object(), Target(), now, state.Memory(), clock_given=True)
    monkeypatch.setattr(client, "wiki_time", lambda site: pytest.fail("asked the time"))
    told.login()  # --now: the machine's clock decides nothing


@pytest.mark.parametrize(
    ("exists", "redirect", "may", "says"),
    [
        (False, False, True, "the page does not exist"),
        (True, True, True, "the page is a redirect"),
        (True, False, False, "the page excludes this bot"),
    ],
)
def test_a_page_problem_does_not_repeat_the_page_name(exists, redirect, may, says):
    from bot.wiki import client

    class Page:
        def exists(self):
            return exists

        def isRedirectPage(self):
            return redirect

        def botMayEdit(self):
            return may

    with pytest.raises(Exception) as raised:
        client._check_page(Page(), "Some page")
    assert str(raised.value).startswith(says) and "Some page" not in str(raised.value)


def test_a_run_waiting_for_the_lock_says_so(tmp_path, caplog):
    import threading

    from bot.ops import lock

    held, release = threading.Event(), threading.Event()

    def hold():
        with lock.exclusive(tmp_path):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(5)
    threading.Timer(2.5, release.set).start()
    with caplog.at_level("INFO", logger="conversation-hours-bot"), lock.exclusive(tmp_path, wait=8):
        pass
    holder.join()
    assert any(
        "another run holds" in r.getMessage() and "waiting up to" in r.getMessage()
        for r in caplog.records
    )
