"""The shell around a run against a wiki that fails it: answers that drip in a byte at a time,
answers of the wrong shape, the bot killed while its save is on the wire, a disk that fills
while it is. Through tests/integration/faultproxy.py (its SHELL_FAULTS), counted in the fault
suites' closing line (faultrun.py).

Whatever happens, the page has at most the one correct bot edit, the run ends within its
deadline with one line and a documented exit code, and a later run records what a killed run
could not.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.pipeline import transform
from tests.conftest import META, WRITTEN, WRITTEN_AT, utc
from tests.integration.faultproxy import FaultProxy
from tests.integration.faultrun import BOT, BOT_USER, PROG, copy_config, count, tail, warm

NOW = "2023-06-28T00:00:00Z"
EXPECTED = transform(META, utc(NOW), default_written_at=WRITTEN).text.rstrip("\n")

pytestmark = pytest.mark.usefixtures("fault_suite")


@pytest.fixture(autouse=True)
def _clean_proxy(proxy: FaultProxy) -> Iterator[None]:
    proxy.reset()
    yield
    proxy.reset()


@pytest.fixture(scope="module")
def warm_config(dev_wiki, proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = copy_config(
        dev_wiki.pywikibot_dir, tmp_path_factory.mktemp("shell") / "warm", proxy.port, cold=True
    )
    warm(folder)
    proxy.reset()
    return folder


@pytest.fixture
def config(warm_config: Path, proxy: FaultProxy, tmp_path: Path) -> Path:
    return copy_config(warm_config, tmp_path / "pywikibot", proxy.port, cold=False)


@pytest.fixture
def seeded(dev_wiki, fresh_title: str) -> str:
    dev_wiki.seed(fresh_title, META, timestamp=WRITTEN_AT)
    return fresh_title


def start(config: Path, *args: str, state: Path | None = None) -> subprocess.Popen:
    env = dict(
        os.environ,
        PYWIKIBOT_DIR=str(config),
        XDG_STATE_HOME=str(state or config / "state"),
        PYTHONUNBUFFERED="1",
    )
    return subprocess.Popen(
        [str(BOT), *args, "--now", NOW],
        env=env,
        cwd=config,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def one_page(config: Path, title: str, *extra: str, state: Path | None = None):
    process = start(
        config, "run", "--site", "devwiki:en", "--page", title, "--always", *extra, state=state
    )
    out, err = process.communicate(timeout=90)
    return process.returncode, out, err


def bot_edits(dev_wiki, title: str) -> list[dict]:
    return [r for r in dev_wiki.revisions(title) if r["user"] == BOT_USER]


def verdict(dev_wiki, title: str, proxy: FaultProxy, code: int, err: str, codes=(0, 4)) -> None:
    """Counts the run, then fails the test unless it ended as it must: a documented code, one
    line of the bot's own when it failed, no traceback, at most the one correct edit."""
    edits = bot_edits(dev_wiki, title)
    final = dev_wiki.revisions(title)[-1]["content"].rstrip("\n")
    problems = []
    if not proxy.injected:
        problems.append("the fault was never injected")
    if code not in codes:
        problems.append(f"exit {code}, expected one of {codes}")
    if len(edits) > 1:
        problems.append(f"{len(edits)} bot edits")
    if final not in (META.rstrip("\n"), EXPECTED):
        problems.append("the page is neither as it was nor the core's")
    if "Traceback" in err or "internal error" in err:
        problems.append("a traceback or an internal error")
    said = [line for line in err.splitlines() if line.startswith(f"{PROG}: ")]
    said = [line for line in said if "warning:" not in line and "waiting" not in line]
    if code != 0 and len(said) != 1:
        problems.append(f"exit {code} should say one line, said {said}")
    count(survived=not problems, lost=len(edits) > 1 or final not in (META.rstrip("\n"), EXPECTED))
    if problems:
        pytest.fail(
            "; ".join(problems) + f"\nrequests:\n{proxy.describe()}\nstderr: {tail(err)}",
            pytrace=False,
        )


# --- slow answers ---------------------------------------------------------------------------


def test_an_answer_that_drips_is_abandoned_at_its_deadline_and_retried(
    dev_wiki, proxy, config, seeded
):
    proxy.add("read", "drip")
    started = time.monotonic()
    code, _out, err = one_page(config, seeded, "--deadline", "20s")  # requests: 6 s each
    verdict(dev_wiki, seeded, proxy, code, err, codes=(0,))
    assert len(bot_edits(dev_wiki, seeded)) == 1
    assert time.monotonic() - started < 20


def test_a_wiki_that_always_drips_ends_the_run_at_its_deadline(dev_wiki, proxy, config, seeded):
    proxy.add("read", "drip", persist=True)
    started = time.monotonic()
    code, _out, err = one_page(config, seeded, "--deadline", "12s")
    verdict(dev_wiki, seeded, proxy, code, err, codes=(4,))
    assert "the run reached its deadline (12 s)" in err
    assert not bot_edits(dev_wiki, seeded)
    assert time.monotonic() - started < 20


# --- answers of the wrong shape -------------------------------------------------------------


@pytest.mark.parametrize("step", ["read", "history", "token", "save"])
@pytest.mark.parametrize("persist", [False, True], ids=["once", "lasting"])
def test_an_answer_of_the_wrong_shape_is_a_wiki_failure(
    dev_wiki, proxy, config, seeded, step, persist
):
    proxy.add(step, "wrongshape", persist=persist)
    code, _out, err = one_page(config, seeded, "--deadline", "60s")
    verdict(dev_wiki, seeded, proxy, code, err)


# --- the bot killed mid-save, and a full disk -----------------------------------------------


def pass_config(tmp_path: Path, title: str, report: str, status: str, state: Path) -> Path:
    path = tmp_path / "bot.toml"
    path.write_text(
        f'state_dir = "{state}"\n[[targets]]\nsite = "devwiki:en"\npage = "{title}"\n'
        f'report_page = "{report}"\nstatus_page = "{status}"\n',
        encoding="utf-8",
    )
    return path


def test_a_run_killed_mid_save_is_recorded_by_the_next(dev_wiki, proxy, config, seeded, tmp_path):
    report, status = f"User:ConversationBot/Edits {seeded}", f"User:ConversationBot/Status {seeded}"
    dev_wiki.seed(report, "Edits:")
    dev_wiki.seed(status, "(the bot writes here)")
    toml = pass_config(tmp_path, seeded, report, status, tmp_path / "state")
    process = start(config, "run", "--config", str(toml))
    proxy.actions["killsave"] = process.kill
    proxy.add("save", "killsave")
    process.communicate(timeout=90)
    assert process.returncode == -9, "the proxy's action killed the bot"
    [edit] = bot_edits(dev_wiki, seeded)  # the wiki had the request: the edit stands
    assert not [r for r in dev_wiki.revisions(report) if r["user"] == BOT_USER]
    proxy.reset()
    again = start(config, "run", "--config", str(toml))
    out, err = again.communicate(timeout=90)
    lines = dev_wiki.revisions(report)[-1]["content"].splitlines()
    status_text = dev_wiki.revisions(status)[-1]["content"]
    recorded = (
        again.returncode == 0
        and len(bot_edits(dev_wiki, seeded)) == 1
        and f"[[Special:Diff/{edit['revid']}]]" in lines[-1]
        and f"(revision {edit['revid']})" in status_text
    )
    count(survived=recorded, lost=len(bot_edits(dev_wiki, seeded)) != 1)
    assert recorded, f"exit {again.returncode}\n{out}\n{tail(err)}\n{lines[-1]}\n{status_text}"
    assert f"recorded revision {edit['revid']}, which an interrupted run saved" in out


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs for the state folder (as root, which the local wiki's install is)."""
    if os.getuid() != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("the full-disk test mounts a tmpfs: run the suite as root in CI")
        pytest.skip("mounting a tmpfs needs root")
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def fill(folder: Path) -> None:
    """Fills the file system of `folder` to the last byte."""
    with open(folder / "filler", "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
        try:
            while True:
                out.write(b"\0")
                out.flush()
        except OSError:
            pass


def test_a_disk_that_fills_during_the_save_is_said_with_what_was_saved(
    dev_wiki, proxy, config, seeded, small_disk
):
    proxy.actions["diskfull"] = lambda: fill(small_disk)
    proxy.add("save", "diskfull")
    code, _out, err = one_page(config, seeded, state=small_disk)
    verdict(dev_wiki, seeded, proxy, code, err, codes=(2,))
    [edit] = bot_edits(dev_wiki, seeded)
    [line] = [line for line in err.splitlines() if line.startswith(f"{PROG}: ")]
    assert f"Special:Diff/{edit['revid']}" in line and "saved" in line, line
    assert "could not record it (No space left on device)" in line, line
