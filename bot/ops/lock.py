"""One run at a time: a scheduled pass and an operator's manual run must never edit together.

A file lock (flock) in the state folder works across processes, and the kernel drops it when a
process dies, so a crashed run never leaves the bot locked out.
"""

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bot.errors import Busy

DEFAULT_STATE = Path(os.environ.get("XDG_STATE_HOME", Path.home() / ".local" / "state"))
DEFAULT_STATE = DEFAULT_STATE / "conversation-hours-bot"


@contextmanager
def exclusive(state_dir: Path, wait: float = 30.0) -> Iterator[None]:
    """Holds the bot's lock; waits up to `wait` seconds for another run to finish, then gives up."""
    state_dir.mkdir(parents=True, exist_ok=True)
    path = state_dir / "run.lock"
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(f"another run holds {path}; no edit made") from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
