"""One run at a time: a scheduled pass and an operator's manual run must never edit together.

A file lock (flock) in the state folder works across processes, and the kernel drops it when a
process dies, so a crashed run never leaves the bot locked out.
"""

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from bot.errors import Busy

log = logging.getLogger("conversation-hours-bot")

DEFAULT_STATE = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
DEFAULT_STATE = DEFAULT_STATE / "conversation-hours-bot"


@contextmanager
def exclusive(state_dir: Path, wait: float = 30.0) -> Iterator[None]:
    """Holds the bot's lock; waits up to `wait` seconds for another run to finish, then gives up.
    The lock file is the bot's alone (0600), in the private state folder (bot.ops.state)."""
    state_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = state_dir / "run.lock"
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    with os.fdopen(descriptor, "r+") as handle:
        os.fchmod(descriptor, 0o600)  # a lock file an older version made 0644
        _acquire(handle, path, wait)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


#: After this many seconds of waiting for the lock, the run says it is waiting.
SAY_WAITING_AFTER = 2.0


def _acquire(handle: IO[str], path: Path, wait: float) -> None:
    deadline = time.monotonic() + wait
    said = False
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            left = deadline - time.monotonic()
            if left <= 0:
                raise Busy(f"another run holds {path}; no edit made") from None
            if not said and wait - left >= SAY_WAITING_AFTER:
                log.info("another run holds %s; waiting up to %.0f s more", path, left)
                said = True
            time.sleep(0.2)
