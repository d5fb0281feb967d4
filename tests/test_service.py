"""The scheduler and the run lock, on a fast trigger and real processes."""

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


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.01)


def running(service: Service) -> threading.Thread:
    thread = threading.Thread(target=service.start, daemon=True)
    thread.start()
    return thread


def test_the_scheduler_fires_passes_on_its_trigger():
    passes = []
    service = Service(Schedule(), lambda: passes.append(time.monotonic()), trigger=FAST)
    thread = running(service)
    wait_for(lambda: len(passes) >= 3)
    service.stop()
    thread.join(5)
    assert not thread.is_alive()


def test_a_failing_pass_does_not_stop_the_scheduler():
    calls = []

    def failing():
        calls.append(1)
        raise RuntimeError("wiki down")

    service = Service(Schedule(), failing, trigger=FAST)
    thread = running(service)
    wait_for(lambda: len(calls) >= 3)
    service.stop()
    thread.join(5)


def test_passes_never_overlap():
    active, overlaps, done = [0], [], []

    def slow():
        active[0] += 1
        overlaps.append(active[0])
        time.sleep(0.2)
        active[0] -= 1
        done.append(1)

    service = Service(Schedule(), slow, trigger=FAST)
    thread = running(service)
    wait_for(lambda: len(done) >= 3)
    service.stop()
    thread.join(5)
    assert max(overlaps) == 1


def test_stopping_lets_the_running_pass_finish():
    started, finished = threading.Event(), []

    def slow():
        started.set()
        time.sleep(0.5)
        finished.append(1)

    service = Service(Schedule(), slow, trigger=FAST)
    thread = running(service)
    started.wait(5)
    service.stop()
    thread.join(5)
    assert finished


def test_sigterm_lets_the_pass_finish_and_exits_0():
    script = """
import sys, time
from apscheduler.triggers.interval import IntervalTrigger
from bot.ops.config import Schedule
from bot.ops.scheduler import Service

def slow():
    print("pass started", flush=True)
    time.sleep(1)
    print("pass finished", flush=True)

Service(Schedule(), slow, trigger=IntervalTrigger(seconds=0.1)).start()
print("stopped", flush=True)
"""
    process = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout.readline().strip() == "pass started"
    process.send_signal(signal.SIGTERM)
    out, _ = process.communicate(timeout=20)
    assert process.returncode == 0
    assert out.split() == ["pass", "finished", "stopped"]


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
