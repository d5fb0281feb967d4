"""Service mode: APScheduler runs a pass on the configured cron schedule, in UTC, for years.

Missed runs coalesce into one, two passes never overlap, a failing pass is logged and the
scheduler goes on. APScheduler's thread only says that a pass is due; the pass runs in the
thread that called `start()` (the main thread), so that its deadlines and a SIGTERM can stop
it (bot.ops.deadline). SIGTERM or Ctrl-C (or `stop()`) lets the running pass finish, within
STOP_GRACE seconds after a SIGTERM (a Toolforge job has its grace period and no more), starts
no new one, and only then does `start()` return; a repeated signal is logged and changes nothing.

APScheduler is imported when a Service is made, not with this module: a single pass
(`run --config`) never needs it.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
import threading
from collections.abc import Callable
from datetime import UTC
from typing import TYPE_CHECKING, Any

from bot.ops import deadline
from bot.ops.config import Schedule

if TYPE_CHECKING:
    from apscheduler.triggers.base import BaseTrigger

log = logging.getLogger("conversation-hours-bot")

_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_STOP_CALLED = 0  # the byte `stop()` sends; a signal sends its number
_DUE = 255  # the byte APScheduler's job sends: a pass is due


class Service:
    def __init__(
        self,
        schedule: Schedule,
        do_pass: Callable[[], object],
        trigger: BaseTrigger | None = None,
        pass_seconds: float = deadline.PASS,
    ) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._do_pass = do_pass
        #: Each pass's deadline: a pass that hangs never holds up the ones after it.
        self._pass_seconds = pass_seconds
        #: Set once, by the first stop request; a pass that is due after it does not run.
        self._stopping = False
        self._in_pass = False
        # Requests reach the waiting `start()` through a socket pair, not an Event: a signal
        # handler may run while the main thread holds an Event's lock, and would then wait for
        # itself. Writing a byte takes no lock.
        self._wake_reader, self._wake_writer = socket.socketpair()
        self._wake_writer.setblocking(False)
        self.scheduler = BackgroundScheduler(timezone=UTC)
        self.scheduler.add_job(
            self._due,
            trigger=trigger or schedule.trigger(),
            id="pass",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(schedule.misfire_grace.total_seconds()),
        )

    def _due(self) -> None:
        """APScheduler's job: wakes `start()` for a pass."""
        if not self._stopping:
            self._send(_DUE)

    def _send(self, byte: int) -> None:
        # A full buffer already holds a wake-up; a closed one means start() returned.
        with contextlib.suppress(OSError):
            self._wake_writer.send(bytes([byte]))

    def _guarded(self) -> None:
        """One pass; the scheduler must never die of a pass's exception."""
        self._in_pass = True
        try:
            with deadline.run_deadline(self._pass_seconds):
                self._do_pass()
        except Exception:
            log.exception("pass failed; the next one runs on schedule")
        except deadline.Interrupted as stop:
            log.warning("pass %s", stop)
        finally:
            self._in_pass = False

    def start(self) -> None:
        """Runs passes until stopped, then returns once the pass under way has finished.

        In the main thread, SIGTERM and Ctrl-C stop it; elsewhere, `stop()` does.
        """
        previous = self._catch_signals()
        try:
            self.scheduler.start()
            next_pass = self.scheduler.get_job("pass").next_run_time
            log.info("scheduler started; next pass at %s", next_pass)
            self._serve()
            self.scheduler.shutdown(wait=False)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._wake_reader.close()
            self._wake_writer.close()

    def _serve(self) -> None:
        while True:
            reasons = self._wake_reader.recv(64)
            stops = [r for r in reasons if r != _DUE]
            if stops:
                self._log_stop(stops[0])
                return
            self._guarded()  # passes due meanwhile were read together: they coalesce
            if self._stopping:
                return

    def _log_stop(self, reason: int) -> None:
        why = "stop requested" if reason == _STOP_CALLED else signal.Signals(reason).name
        log.info("%s: stopping", why)

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
        if not self._in_pass:
            self._send(reason)
            return
        if reason == _STOP_CALLED:
            log.info("stop requested: stopping after the running pass")
            return
        name = signal.Signals(reason).name
        log.info("%s: stopping after the running pass (at most %.0f s)", name, deadline.STOP_GRACE)
        why = deadline.Why.SIGTERM if reason == signal.SIGTERM else deadline.Why.OPERATOR
        deadline.shorten(deadline.STOP_GRACE, why, f"{deadline.STOP_GRACE:.0f} s after {name}")
