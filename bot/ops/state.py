"""What the bot remembers between passes, in the state folder (next to the run lock).

One JSON file, `state.json`, written whole or not at all (a temporary file renamed over the
old one), holding for each target (keyed "SITE TITLE"):

- `failure`: the failure of the last pass, if it failed (`status`, `reason`, `since`): a pass
  is mail-worthy only when a failure is new or its reason changed, not while it persists;
- `last_edit`: the bot's last edit (`at`, `revid`, `moved`), which the status page shows;
- `history`: the dates page history gave the yearless lines of one revision (`revid`,
  `limit`, `dates`), so that an unchanged page needs no history request.

What is remembered only saves work or mail: a file that is missing, unreadable or of another
shape is ignored (and rewritten), never trusted over the wiki.
"""

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from bot.errors import EXIT_OK, UsageError

log = logging.getLogger("conversation-hours-bot")

FILE = "state.json"
VERSION = 1


def prepare(folder: Path) -> Path:
    """The state folder, made if need be; one it cannot use is the operator's to fix (exit 2),
    not a failure of the wiki."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # A probe of its own: two runs starting together must not trip over each other's.
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".writable."):
            pass
    except OSError as error:
        raise UsageError(f"state folder {folder}: {error.strerror or error}") from None
    return folder


@dataclass(frozen=True)
class Failure:
    status: str  # refused or failed
    reason: str
    since: str  # ISO moment of the first pass that failed so


#: What a pass's outcome means for the operator's mailbox.
NEW_FAILURE, STILL_FAILING, RECOVERED, OK = "new failure", "still failing", "recovered", "ok"


def transition(before: Failure | None, after: Failure | None) -> str:
    """A failure is news when it is new or its reason changed; the same one again is not."""
    if after is None:
        return RECOVERED if before is not None else OK
    if before is None or (before.status, before.reason) != (after.status, after.reason):
        return NEW_FAILURE
    return STILL_FAILING


def exit_code(worst: int, transitions: list[str]) -> int:
    """A pass's exit code for a job that mails its failures: the worst outcome's code when a
    failure is news, else 0, so a failure that persists does not mail every hour."""
    return worst if NEW_FAILURE in transitions else EXIT_OK


@dataclass
class Memory:
    """The state of every target, loaded at the start of a pass and saved at its end."""

    targets: dict[str, dict[str, Any]] = field(default_factory=dict)

    def failure(self, key: str) -> Failure | None:
        found = self.targets.get(key, {}).get("failure")
        try:
            return Failure(**found) if found else None
        except TypeError:
            return None

    def record(self, key: str, status: str, reason: str, now: datetime) -> str:
        """Remembers a target's outcome (`status` refused or failed is a failure) and says
        what it means: a new failure, one that persists, a recovery, or all well."""
        before = self.failure(key)
        failure = None
        if status in ("refused", "failed"):
            same = before if before and (before.status, before.reason) == (status, reason) else None
            failure = Failure(status, reason, same.since if same else now.isoformat())
        self.targets.setdefault(key, {})["failure"] = None if failure is None else vars(failure)
        return transition(before, failure)

    def last_edit(self, key: str) -> dict[str, Any] | None:
        found = self.targets.get(key, {}).get("last_edit")
        return found if isinstance(found, dict) else None

    def set_last_edit(self, key: str, at: datetime, revid: int, moved: list[str]) -> None:
        entry = self.targets.setdefault(key, {})
        entry["last_edit"] = {"at": at.isoformat(), "revid": revid, "moved": moved}

    def dates(self, key: str, revid: int, limit: int) -> dict[str, datetime | None] | None:
        """The cached dates for this revision, or None when there are none to trust."""
        found = self.targets.get(key, {}).get("history")
        if not isinstance(found, dict):
            return None
        try:
            if found["revid"] != revid or found["limit"] != limit:
                return None
            return {
                line: None if moment is None else datetime.fromisoformat(moment)
                for line, moment in found["dates"].items()
            }
        except (KeyError, TypeError, ValueError, AttributeError):
            return None

    def set_dates(
        self, key: str, revid: int, limit: int, dates: Mapping[str, datetime | None]
    ) -> None:
        entry = self.targets.setdefault(key, {})
        entry["history"] = {
            "revid": revid,
            "limit": limit,
            "dates": {line: None if m is None else m.isoformat() for line, m in dates.items()},
        }

    def translations_settled(self, key: str, revid: int) -> bool:
        """Whether the translations of this very revision were found with nothing left to do:
        then a later run need not ask again. Work left pending (a page that needs marking,
        Translate's jobs not yet run) is never settled, so each run looks again."""
        found = self.targets.get(key, {}).get("translations")
        return isinstance(found, dict) and found.get("settled_at") == revid

    def set_translations(self, key: str, revid: int, settled: bool) -> None:
        entry = self.targets.setdefault(key, {})
        entry["translations"] = {"settled_at": revid if settled else None}


def key(site: str, title: str) -> str:
    return f"{site} {title}"


def load(folder: Path) -> Memory:
    path = folder / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Memory()
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        log.warning("ignoring %s: %s", path, error)
        return Memory()
    if not isinstance(data, dict) or data.get("version") != VERSION:
        log.warning("ignoring %s: not a state file of this version", path)
        return Memory()
    targets = data.get("targets")
    if not isinstance(targets, dict):
        log.warning("ignoring %s: not a state file of this version", path)
        return Memory()
    return Memory({k: v for k, v in targets.items() if isinstance(v, dict)})


def save(folder: Path, memory: Memory) -> None:
    """Writes the whole file or nothing, so an interrupted pass never leaves half a state."""
    text = json.dumps({"version": VERSION, "targets": memory.targets}, indent=1, sort_keys=True)
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{FILE}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text + "\n")
        os.replace(temporary, folder / FILE)
    except OSError:
        Path(temporary).unlink(missing_ok=True)
        raise
