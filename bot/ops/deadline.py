"""Deadlines for runs and requests, and signals that stop a run: one timer for all of them.

A wiki that answers one byte every two seconds defeats every read timeout, since each byte
resets it, and a stalled run would keep the next one waiting for the lock for ever. So a run
has a deadline, and so does each request in it. Both are one POSIX interval timer (SIGALRM):
its handler raises in the main thread, wherever it waits (a socket read, a sleep).

- A request over its deadline raises `RequestTooSlow`, an ordinary exception that pywikibot
  takes for a failed request and retries.
- A run over its deadline raises `Interrupted`, a BaseException like KeyboardInterrupt, so no
  `except Exception` on the way (pywikibot has several) can swallow it.
- SIGTERM raises `Interrupted` too: a Toolforge job that is stopped gets its grace period only.

Only the main thread can take signals; elsewhere every function here does nothing.
"""

import signal
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from types import FrameType

from bot.errors import EXIT_WIKI

#: Exit codes of a run stopped by a signal, as a shell reports them (128 + the signal).
EXIT_SIGINT = 130
EXIT_SIGTERM = 143


class Why(StrEnum):
    """Why a run stopped before its end."""

    OPERATOR = "stopped by the operator (Ctrl-C)"
    SIGTERM = "stopped by SIGTERM"
    DEADLINE = "reached its deadline"


class Interrupted(BaseException):  # a stop, like KeyboardInterrupt, not an error
    """The run was stopped before its end; `why` says by what, `exit_code` what to exit with."""

    def __init__(self, why: Why, detail: str = "", exit_code: int = EXIT_WIKI) -> None:
        super().__init__(f"{why}{f' ({detail})' if detail else ''}")
        self.why, self.exit_code = why, exit_code


class RequestTooSlow(Exception):  # pywikibot retries it as a failed request
    """One request took longer than its deadline."""


@dataclass
class _Clock:
    run_end: float | None = None
    run_detail: str = ""
    run_why: Why = Why.DEADLINE
    request_end: float | None = None
    request_seconds: float = 0.0


_clock = _Clock()


def _main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


def _arm() -> None:
    ends = [e for e in (_clock.run_end, _clock.request_end) if e is not None]
    if not ends:
        signal.setitimer(signal.ITIMER_REAL, 0)
        return
    signal.setitimer(signal.ITIMER_REAL, max(0.01, min(ends) - time.monotonic()))


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    now = time.monotonic()
    if _clock.run_end is not None and now >= _clock.run_end:
        _clock.run_end = _clock.request_end = None
        code = EXIT_SIGTERM if _clock.run_why is Why.SIGTERM else EXIT_WIKI
        raise Interrupted(_clock.run_why, _clock.run_detail, code)
    if _clock.request_end is not None and now >= _clock.request_end:
        _clock.request_end = None
        _arm()
        raise RequestTooSlow(f"no complete answer within {_clock.request_seconds:.0f} s")
    _arm()


@contextmanager
def run_deadline(seconds: float, detail: str = "") -> Iterator[None]:
    """The run inside must end within `seconds`, or `Interrupted` (exit 4) ends it."""
    if not _main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    _clock.run_end, _clock.run_why = time.monotonic() + seconds, Why.DEADLINE
    _clock.run_detail = detail or f"{seconds:.0f} s"
    _arm()
    try:
        yield
    finally:
        _clock.run_end = _clock.request_end = None
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def shorten(seconds: float, why: Why, detail: str) -> None:
    """Brings the run's deadline forward to `seconds` from now (a SIGTERM's grace period)."""
    if not _main_thread() or signal.getsignal(signal.SIGALRM) is not _on_alarm:
        return
    end = time.monotonic() + seconds
    if _clock.run_end is None or end < _clock.run_end:
        _clock.run_end, _clock.run_why, _clock.run_detail = end, why, detail
    _arm()


@contextmanager
def request_deadline(seconds: float) -> Iterator[None]:
    """The request inside must be answered in full within `seconds` (or the run's end)."""
    if not _main_thread() or signal.getsignal(signal.SIGALRM) is not _on_alarm:
        yield
        return
    _clock.request_end, _clock.request_seconds = time.monotonic() + seconds, seconds
    _arm()
    try:
        yield
    finally:
        _clock.request_end = None
        _arm()


def remaining() -> float | None:
    """Seconds left before the run's deadline, None without one."""
    return None if _clock.run_end is None else max(0.0, _clock.run_end - time.monotonic())


#: A run's deadline unless the configuration or --deadline says otherwise: one page, a pass
#: (well inside the hour between passes and the Toolforge job's --timeout of 30 minutes).
ONE_PAGE = 600.0
PASS = 1200.0
#: A request's deadline: a minute, or a third of the run's when that is shorter.
REQUEST = 60.0


def request_seconds(run_seconds: float) -> float:
    return min(REQUEST, run_seconds / 3)


#: Seconds a run has after SIGTERM to finish what it is doing: well inside the grace period
#: Kubernetes gives a stopped job before SIGKILL.
STOP_GRACE = 10.0


@contextmanager
def stopped_by_signals() -> Iterator[None]:
    """In the block, SIGTERM gives the run STOP_GRACE seconds to end, then stops it with
    `Interrupted` (exit 143); Ctrl-C stops it at once (KeyboardInterrupt, as Python does)."""
    if not _main_thread():
        yield
        return

    def on_term(signum: int, frame: FrameType | None) -> None:
        if signal.getsignal(signal.SIGALRM) is _on_alarm:
            shorten(STOP_GRACE, Why.SIGTERM, f"{STOP_GRACE:.0f} s after the signal")
        else:
            raise Interrupted(Why.SIGTERM, exit_code=EXIT_SIGTERM)

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
