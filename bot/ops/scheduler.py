"""Service mode: APScheduler runs a pass on the configured cron schedule, in UTC, for years.

Missed runs coalesce into one, two passes never overlap, a failing pass is logged and the
scheduler goes on. SIGTERM or Ctrl-C (or `stop()`) lets the running pass finish, starts no new
one, and only then does `start()` return; a repeated signal is logged and changes nothing.

APScheduler is imported when a Service is made, not with this module: a single pass
(`run --config`) never needs it.
"""

from __future__ import annotations

import logging
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING, Any

from bot.ops.config import Schedule

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

log = logging.getLogger("conversation-hours-bot")

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_STOP_CALLED = 0  # the byte `stop()` sends; a signal sends its number


class Service:
    def __init__(
        self, schedule: Schedule, do_pass: Callable[[], object], trigger: BaseTrigger | None = None
    ) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._do_pass = do_pass
        #: Held while a pass runs: stopping takes it, so it waits for the pass under way.
        self._pass_lock = threading.Lock()
        #: Set once, by the first stop request; a pass that fires after it does not run.
        self._stopping = False
        # The stop request reaches the waiting `start()` through a socket pair, not an Event:
        # a signal handler may run while the main thread holds an Event's lock, and would then
        # wait for itself. Writing a byte takes no lock.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_writer.setblocking(False)
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self.scheduler.add_job(
            self._guarded,
            trigger=trigger or schedule.trigger(),
            id="pass",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(schedule.misfire_grace.total_seconds()),
        )

    def _guarded(self) -> None:
        """One pass, unless stopping; the scheduler must never die of a pass's exception."""
        with self._pass_lock:
            if self._stopping:
                return
            try:
                self._do_pass()
            except Exception:
                log.exception("pass failed; the next one runs on schedule")

    def start(self) -> None:
        """Runs passes until stopped, then returns once the pass under way has finished.

        In the main thread, SIGTERM and Ctrl-C stop it; elsewhere, `stop()` does.
        """
        previous = self._catch_signals()
        try:
            self.scheduler.start()
            next_pass = self.scheduler.get_job("pass").next_run_time
            log.info("scheduler started; next pass at %s", next_pass)
            reason = self._wake_reader.recv(1)[0]
            why = "stop requested" if reason == _STOP_CALLED else signal.Signals(reason).name
            log.info("%s: stopping after the running pass", why)
            with self._pass_lock:  # the pass under way finishes; none starts after it
                pass
            self.scheduler.shutdown(wait=True)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._wake_reader.close()
            self._wake_writer.close()

    def stop(self) -> None:
        """Asks `start()` to return after the pass under way; does not wait for it."""
        self._request_stop(_STOP_CALLED)

    def _catch_signals(self) -> dict[signal.Signals, Any]:
        if threading.current_thread() is not threading.main_thread():
            return {}
        return {signum: signal.signal(signum, self._on_signal) for signum in _SIGNALS}

    def _on_signal(self, signum: int, _frame: object) -> None:
        self._request_stop(signum)

    def _request_stop(self, reason: int) -> None:
        if self._stopping:
            if reason != _STOP_CALLED:
                name = signal.Signals(reason).name
                log.info("%s again: still waiting for the running pass", name)
            return
        self._stopping = True
        self._wake_writer.send(bytes([reason]))
