"""Service mode: APScheduler runs a pass on the configured cron schedule, in UTC, for years.

Missed runs coalesce into one, two passes never overlap, a failing pass is logged and the
scheduler goes on; SIGTERM or Ctrl-C lets the running pass finish and then stops.
"""

import logging
import signal
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger

from bot.ops.config import Schedule

log = logging.getLogger("conversation-hours-bot")


class Service:
    def __init__(
        self, schedule: Schedule, do_pass: Callable[[], object], trigger: BaseTrigger | None = None
    ) -> None:
        self.scheduler = BlockingScheduler(timezone=UTC)
        self._do_pass = do_pass
        self.scheduler.add_job(
            self._guarded,
            trigger=trigger or schedule.trigger(),
            id="pass",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(schedule.misfire_grace.total_seconds()),
        )

    def _guarded(self) -> None:
        """The scheduler must never die of a pass's exception."""
        try:
            self._do_pass()
        except Exception:
            log.exception("pass failed; the next one runs on schedule")

    def start(self) -> None:
        """Blocks until stopped; in the main thread, SIGTERM and Ctrl-C stop it gracefully."""
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, self._on_signal)
            signal.signal(signal.SIGINT, self._on_signal)
        job = self.scheduler.get_job("pass")
        next_pass = job.trigger.get_next_fire_time(None, datetime.now(UTC))
        log.info("scheduler started; next pass at %s", next_pass)
        self.scheduler.start()

    def _on_signal(self, signum: int, _frame: object) -> None:
        log.info("%s: stopping after the running pass", signal.Signals(signum).name)
        threading.Thread(target=self.stop, daemon=True).start()

    def stop(self) -> None:
        self.scheduler.shutdown(wait=True)
