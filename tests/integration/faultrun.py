"""What the fault suites share (test_faults.py for the page's edit, test_translation_faults.py
for the translation flow): the bot's runs through the proxy, pywikibot set up to fail fast, a
deadline per test, and the one tally both report in their closing line.

The closing line, ``faults: N injected, N survived, 0 lost``, ends pytest's summary (scripts/test
greps for it): "injected" counts runs that met at least one fault, "survived" the ones that
ended as they must, "lost" the ones that left the wiki wrong.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

BOT = Path(sys.executable).parent / "conversation-hours-bot"
PROG = "conversation-hours-bot"
BOT_USER = "ConversationBot"

#: pywikibot's read timeout in the tests' user-config.py; a "timeout" holds the answer longer.
READ_TIMEOUT = 2
#: How long the proxy holds a "timeout" answer: past the client's read timeout.
TIMEOUT_SLEEP = READ_TIMEOUT + 1.5
#: Fail fast: one retry rides out a single fault, three attempts end a lasting one, and retries
#: go at once (these tests are about what a retry does, not when it comes).
CONFIG_OVERRIDES = f"""
# fault suites: the proxy answers slowly on purpose; give up and retry quickly.
socket_timeout = (2, {READ_TIMEOUT})
max_retries = 2
retry_wait = 0
retry_max = 2
"""
#: Seconds between the bot's polls for Translate's jobs (CHBOT_JOB_POLL_DELAYS): production's
#: first steps, cut at 15 s in all instead of 30. Here the jobs run after each mark, and a mark
#: resent after a lost answer queues a second batch; polls sooner than production's would let
#: the bot save translations between the two batches, a race these suites are not about.
POLL_DELAYS = "1,2,4,8"
RUN_TIMEOUT = 60  # one bot run
TEST_TIMEOUT = 120  # one test, setup included

#: Runs with a fault, runs that ended as they must, runs that left the wiki wrong.
TALLY: Counter[str] = Counter(injected=0, survived=0, lost=0)


def count(survived: bool, lost: bool) -> None:
    """One run that met a fault, in the tally."""
    TALLY["injected"] += 1
    TALLY["survived"] += survived
    TALLY["lost"] += lost


def closing_line() -> str:
    return (
        f"faults: {TALLY['injected']} injected, {TALLY['survived']} survived, {TALLY['lost']} lost"
    )


class _ClosingLine:
    """A plugin that ends pytest's summary with the tally, registered once for both suites."""

    name = "faults-closing-line"

    def pytest_terminal_summary(self, terminalreporter) -> None:
        terminalreporter.write_line(closing_line())


def register_closing_line(config: pytest.Config) -> None:
    plugins = config.pluginmanager
    if not plugins.has_plugin(_ClosingLine.name):
        plugins.register(_ClosingLine(), _ClosingLine.name)


@contextmanager
def deadline(seconds: int = TEST_TIMEOUT) -> Iterator[None]:
    """No test runs for ever: SIGALRM fails it (and subprocess.run kills its bot)."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"test ran over {seconds}s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def copy_config(source: Path, target: Path, port: int, cold: bool) -> Path:
    """A copy of a pywikibot folder whose family points at the proxy; `cold` drops cookies."""
    shutil.copytree(source, target)
    if cold:
        for cookies in target.glob("*.lwp"):
            cookies.unlink()
    family = target / "families" / "devwiki_family.py"
    family.write_text(
        re.sub(r'domain = "127\.0\.0\.1:\d+"', f'domain = "127.0.0.1:{port}"', family.read_text()),
        encoding="utf-8",
    )
    config = target / "user-config.py"
    text = re.sub(
        r"^family_files\[(.+?)\] = .*$",
        lambda m: f"family_files[{m[1]}] = {str(family)!r}",
        config.read_text(),
        flags=re.MULTILINE,
    )
    if CONFIG_OVERRIDES not in text:
        text += CONFIG_OVERRIDES
    config.write_text(text, encoding="utf-8")
    # The bot must reach the wiki through the proxy, or no fault is ever seen.
    assert f'"127.0.0.1:{port}"' in family.read_text()
    assert repr(str(family)) in config.read_text()
    return target


def warm(folder: Path) -> Path:
    """Logs the pywikibot folder in, so that it holds a session cookie."""
    login = "import pywikibot\nsite = pywikibot.Site()\nsite.login()\nprint(site.user())\n"
    done = subprocess.run(
        [sys.executable, "-c", login],
        env=dict(os.environ, PYWIKIBOT_DIR=str(folder)),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert done.returncode == 0 and BOT_USER in done.stdout, done.stderr
    assert list(folder.glob("*.lwp")), "pywikibot kept no session cookie"
    return folder


def run_bot(config: Path, title: str, now: str) -> subprocess.CompletedProcess:
    """One `run --always` on the page through the proxy. The state folder (the run lock and
    what runs remember) lives under XDG_STATE_HOME, a folder of this test's own, so that
    another bot run on this machine cannot make it wait, and a later run of the same test
    remembers what the first did."""
    env = dict(
        os.environ,
        PYWIKIBOT_DIR=str(config),
        XDG_STATE_HOME=str(config / "state"),
        PYTHONUNBUFFERED="1",
        CHBOT_JOB_POLL_DELAYS=POLL_DELAYS,
    )
    return subprocess.run(
        [str(BOT), "run", "--site", "devwiki:en", "--page", title, "--always", "--now", now],
        env=env,
        cwd=config,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )


def tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])
