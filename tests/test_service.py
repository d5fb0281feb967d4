"""The scheduler and the run lock, on a fast trigger and real processes.

Outcomes are decided by events the passes and the service set, never by how long a sleep lasts:
a pass blocks until the test releases it, and the test waits for what the service says it did.
"""

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from apscheduler.triggers.interval import IntervalTrigger

from bot.ops.config import Schedule
from bot.ops.lock import Busy, exclusive
from bot.ops.scheduler import Service

REPO = Path(__file__).resolve().parents[1]
FAST = IntervalTrigger(seconds=0.05)
PATIENCE = 10  # seconds: only a broken service waits this long


class Started:
    """Runs `service.start()` in a thread and records when it returns."""

    def __init__(self, service: Service) -> None:
        self.returned = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(service,), daemon=True)
        self.thread.start()

    def _run(self, service: Service) -> None:
        service.start()
        self.returned.set()


class Heard(logging.Handler):
    """Sets an event when the service logs a message containing `words`."""

    def __init__(self, words: str) -> None:
        super().__init__()
        self.words, self.event = words, threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.words in record.getMessage():
            self.event.set()


@pytest.fixture
def heard():
    logger = logging.getLogger("conversation-hours-bot")
    handlers = []

    def listen(words: str) -> threading.Event:
        handler = Heard(words)
        logger.addHandler(handler)
        handlers.append(handler)
        return handler.event

    level = logger.level
    logger.setLevel(logging.INFO)
    yield listen
    logger.setLevel(level)
    for handler in handlers:
        logger.removeHandler(handler)


def counting(target: int) -> tuple[list[int], threading.Event, object]:
    calls, enough = [], threading.Event()

    def do_pass() -> None:
        calls.append(1)
        if len(calls) >= target:
            enough.set()

    return calls, enough, do_pass


def test_the_scheduler_fires_passes_on_its_trigger():
    _, three, do_pass = counting(3)
    service = Service(Schedule(), do_pass, trigger=FAST)
    started = Started(service)
    assert three.wait(PATIENCE)
    service.stop()
    assert started.returned.wait(PATIENCE)


def test_a_failing_pass_does_not_stop_the_scheduler():
    calls, three, count = counting(3)

    def failing() -> None:
        count()
        raise RuntimeError("wiki down")

    service = Service(Schedule(), failing, trigger=FAST)
    started = Started(service)
    assert three.wait(PATIENCE)
    service.stop()
    assert started.returned.wait(PATIENCE)
    assert len(calls) >= 3


def test_passes_never_overlap():
    active, most, three = [0], [0], threading.Event()
    lock = threading.Lock()
    done = []

    def slow() -> None:
        with lock:
            active[0] += 1
            most[0] = max(most[0], active[0])
        time.sleep(0.15)  # spans three ticks of the trigger, so an overlap would happen
        with lock:
            active[0] -= 1
        done.append(1)
        if len(done) >= 3:
            three.set()

    service = Service(Schedule(), slow, trigger=FAST)
    started = Started(service)
    assert three.wait(PATIENCE)
    service.stop()
    assert started.returned.wait(PATIENCE)
    assert most[0] == 1


def test_stopping_waits_for_the_running_pass(heard):
    running, release, finished = threading.Event(), threading.Event(), threading.Event()

    def blocking() -> None:
        running.set()
        release.wait(PATIENCE)
        finished.set()

    stopping = heard("stopping after the running pass")
    service = Service(Schedule(), blocking, trigger=FAST)
    started = Started(service)
    assert running.wait(PATIENCE)
    service.stop()
    assert stopping.wait(PATIENCE)  # the service has taken the request...
    assert not started.returned.wait(0.3)  # ...and still waits for the pass
    release.set()
    assert started.returned.wait(PATIENCE)
    assert finished.is_set()


def test_no_pass_starts_once_a_stop_is_asked():
    calls = []
    service = Service(Schedule(), lambda: calls.append(1), trigger=FAST)
    service.stop()
    service.scheduler.get_job("pass").func()  # what the scheduler calls when the trigger fires
    assert calls == []


def test_a_service_stopped_before_it_starts_returns_at_once():
    calls = []
    service = Service(Schedule(), lambda: calls.append(1), trigger=IntervalTrigger(hours=1))
    service.stop()
    started = Started(service)
    assert started.returned.wait(PATIENCE)
    assert calls == []


def test_stop_after_the_service_returned_changes_nothing():
    service = Service(Schedule(), lambda: None, trigger=IntervalTrigger(hours=1))
    service.stop()
    Started(service).returned.wait(PATIENCE)
    service.stop()


# A service in its own process: the pass prints when it starts and finishes and blocks until
# the test writes a line to its stdin; the service logs to stderr.
SERVICE_SCRIPT = """
import logging, sys
from apscheduler.triggers.interval import IntervalTrigger
from bot.ops.config import Schedule
from bot.ops.scheduler import Service

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")

def blocking():
    print("pass started", flush=True)
    sys.stdin.readline()
    print("pass finished", flush=True)

Service(Schedule(), blocking, trigger=IntervalTrigger(seconds=0.05)).start()
print("stopped", flush=True)
"""


def service_process() -> subprocess.Popen:
    process = subprocess.Popen(
        [sys.executable, "-c", SERVICE_SCRIPT],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "pass started"
    return process


def wait_for_line(stream, words: str) -> list[str]:
    """The lines up to and including the first that contains `words`."""
    lines = []
    for line in stream:
        lines.append(line)
        if words in line:
            return lines
    raise AssertionError(f"never said {words!r}: {lines}")


def test_sigterm_lets_the_pass_finish_and_exits_0():
    process = service_process()
    process.send_signal(signal.SIGTERM)
    said = wait_for_line(process.stderr, "SIGTERM: stopping after the running pass")
    out, err = process.communicate("go\n", timeout=PATIENCE)
    assert process.returncode == 0, "".join(said) + err
    assert out.split("\n") == ["pass finished", "stopped", ""]


def test_a_second_sigterm_is_ignored_without_a_traceback():
    process = service_process()
    process.send_signal(signal.SIGTERM)
    said = wait_for_line(process.stderr, "SIGTERM: stopping")
    process.send_signal(signal.SIGTERM)
    said += wait_for_line(process.stderr, "SIGTERM again: still waiting for the running pass")
    out, err = process.communicate("go\n", timeout=PATIENCE)
    assert process.returncode == 0
    assert out.split("\n") == ["pass finished", "stopped", ""]
    assert "Traceback" not in "".join(said) + err


def test_ctrl_c_stops_like_sigterm():
    process = service_process()
    process.send_signal(signal.SIGINT)
    wait_for_line(process.stderr, "SIGINT: stopping after the running pass")
    out, err = process.communicate("go\n", timeout=PATIENCE)
    assert process.returncode == 0
    assert out.split("\n") == ["pass finished", "stopped", ""]
    assert "KeyboardInterrupt" not in err


HANGING_SCRIPT = """
import logging, sys, time
from apscheduler.triggers.interval import IntervalTrigger
from bot.ops import deadline
from bot.ops.config import Schedule
from bot.ops.scheduler import Service

logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(message)s")
deadline.STOP_GRACE = 1.0

def hanging():
    print("pass started", flush=True)
    time.sleep(600)  # a wiki that never answers

Service(Schedule(), hanging, trigger=IntervalTrigger(seconds=0.05)).start()
print("stopped", flush=True)
"""


def test_sigterm_stops_a_hanging_pass_within_the_grace_period():
    process = subprocess.Popen(
        [sys.executable, "-c", HANGING_SCRIPT],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "pass started"
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=PATIENCE)
    assert time.monotonic() - sent < 5, err
    assert process.returncode == 0, err
    assert out == "stopped\n"
    assert "pass stopped by SIGTERM (1 s after SIGTERM)" in err
    assert "Traceback" not in err


def test_a_pass_over_its_deadline_is_stopped_and_the_next_one_runs():
    script = HANGING_SCRIPT.replace(
        "def hanging():",
        "calls = []\ndef hanging():\n    calls.append(1)\n"
        "    if len(calls) > 1: raise SystemExit(0)",
    ).replace(
        "trigger=IntervalTrigger(seconds=0.05))",
        "trigger=IntervalTrigger(seconds=0.05), pass_seconds=1)",
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=PATIENCE
    )
    assert done.stdout == "pass started\n", done.stderr
    assert "pass reached its deadline (1 s)" in done.stderr


# --- the lock ---------------------------------------------------------------------------


def test_the_lock_is_taken_and_released(tmp_path):
    with exclusive(tmp_path, wait=0):
        pass
    with exclusive(tmp_path, wait=0):
        pass


def test_a_second_run_waits_briefly_then_gives_up(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\nfrom pathlib import Path\nfrom bot.ops.lock import exclusive\n"
            f"with exclusive(Path({str(tmp_path)!r})):\n"
            "    print('held', flush=True)\n    time.sleep(30)\n",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(Busy, match="another run holds"), exclusive(tmp_path, wait=0.5):
            pass
        assert time.monotonic() - started >= 0.5  # it waited before giving up
    finally:
        holder.kill()
        holder.wait()


def test_a_dead_holder_leaves_no_lock_behind(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import os\nfrom pathlib import Path\nfrom bot.ops.lock import exclusive\n"
            f"with exclusive(Path({str(tmp_path)!r})):\n    os._exit(9)\n",
        ],
        cwd=REPO,
        check=False,
    )
    with exclusive(tmp_path, wait=0):
        assert os.path.exists(tmp_path / "run.lock")
