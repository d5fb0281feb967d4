"""What the bot remembers between passes, in the state folder (next to the run lock).

One JSON file, `state.json`, written whole or not at all (a temporary file renamed over the
old one), holding for each target (keyed "SITE TITLE"):

- `failure`: the failure of the last pass, if it failed (`status`, `reason`, `since`): a pass
  is mail-worthy only when a failure is new or its reason changed, not while it persists;
- `last_edit`: the bot's last edit (`at`, `revid`, `moved`), which the status page shows;
- `history`: the dates page history gave the yearless lines of one revision (`revid`,
  `limit`, `dates`), so that an unchanged page needs no history request;
- `translations`: the revision whose translations were found settled (`settled_at`);
- `saving`: the edit under way (`base`, `summary`, `at`, `moved`), written before the save and
  cleared after it, so that a run killed in between is reconciled from page history by the next;
- `edits`: when the bot edited an opted-in page in the last day (`at`), for its daily cap;
- `turn`: under the opt-in template's own key, the last page the previous pass took (`after`)
  when more pages opt in than a pass takes, so the next pass goes on from there.

What is remembered only saves work or mail: a file that is missing, unreadable or of another
shape is ignored (and rewritten), never trusted over the wiki; an entry of the wrong shape is
dropped, said once. The folder is private (0700): the run lock in it must be nobody else's to
hold (flock needs only read access).
"""

import json
import logging
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bot.errors import EXIT_OK, UsageError

log = logging.getLogger("conversation-hours-bot")

FILE = "state.json"
VERSION = 1
#: The outcomes remembered as failures (the wiki flow's `FAILURES`, as the state file spells them).
FAILED = frozenset({"refused", "failed"})
#: The span of an opted-in page's edit cap.
DAY = timedelta(days=1)


def prepare(folder: Path) -> Path:
    """The state folder, made private if need be; one it cannot use, or one others can read
    (they could hold the lock and stop every pass), is the operator's to fix (exit 2), not a
    failure of the wiki."""
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)  # parents as the umask says
        mode = folder.stat().st_mode & 0o777
        if mode & 0o077:
            raise UsageError(
                f"state folder {folder} can be read by others (mode {mode:o}): another user "
                f"could hold the run lock and stop every pass; run: chmod 700 {folder}"
            )
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
    #: The state folder it was loaded from, for `flush` (None: a memory for this run only).
    folder: Path | None = field(default=None, compare=False)

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
        if status in FAILED:
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

    def edits_within(self, key: str, now: datetime, span: timedelta = DAY) -> int:
        """How many edits the bot made of the page in the `span` before `now`."""
        found = self.targets.get(key, {}).get("edits")
        if not isinstance(found, dict):
            return 0
        return sum(now - span < datetime.fromisoformat(at) <= now for at in found["at"])

    def add_edit(self, key: str, at: datetime) -> None:
        """Counts an edit against the page's daily cap; edits older than a day are forgotten."""
        entry = self.targets.setdefault(key, {})
        found = entry.get("edits")
        kept = [t for t in found["at"] if at - DAY < datetime.fromisoformat(t)] if found else []
        entry["edits"] = {"at": [*kept, at.isoformat()]}

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

    def saving(self, key: str) -> dict[str, Any] | None:
        """The edit a run was about to make and may not have seen through (see `set_saving`)."""
        found = self.targets.get(key, {}).get("saving")
        return found if isinstance(found, dict) else None

    def set_saving(self, key: str, base: int, summary: str, at: datetime, moved: list[str]) -> None:
        """Remembers the edit about to be saved against revision `base`, before it is saved."""
        entry = self.targets.setdefault(key, {})
        entry["saving"] = {"base": base, "summary": summary, "at": at.isoformat(), "moved": moved}

    def clear_saving(self, key: str) -> None:
        self.targets.get(key, {}).pop("saving", None)

    def translations_settled(self, key: str, revid: int) -> bool:
        """Whether the translations of this very revision were found with nothing left to do:
        then a later run need not ask again. Work left pending (a page that needs marking,
        Translate's jobs not yet run) is never settled, so each run looks again."""
        found = self.targets.get(key, {}).get("translations")
        return isinstance(found, dict) and found.get("settled_at") == revid

    def set_translations(self, key: str, revid: int, settled: bool) -> None:
        entry = self.targets.setdefault(key, {})
        entry["translations"] = {"settled_at": revid if settled else None}

    def turn_after(self, key: str) -> str | None:
        """The last page the previous pass took of the pages that opt in, when it took a turn."""
        found = self.targets.get(key, {}).get("turn")
        return found["after"] if isinstance(found, dict) else None

    def set_turn_after(self, key: str, title: str | None) -> None:
        entry = self.targets.setdefault(key, {})
        entry["turn"] = None if title is None else {"after": title}


def key(site: str, title: str) -> str:
    return f"{site} {title}"


def load(folder: Path) -> Memory:
    """The memory in the folder; a damaged file or entry is ignored, said once, and the next
    save rewrites it."""
    path = folder / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Memory(folder=folder)
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as error:
        log.warning("ignoring %s: %s; it is rewritten", path, _short(error))
        return Memory(folder=folder)
    targets = data.get("targets") if isinstance(data, dict) else None
    version = data.get("version") if isinstance(data, dict) else None
    if type(version) is not int or version != VERSION or not isinstance(targets, dict):
        log.warning("ignoring %s: not a state file of version %d; it is rewritten", path, VERSION)
        return Memory(folder=folder)
    kept, dropped = _valid_targets(targets)
    if dropped:
        log.warning("ignoring in %s what is of the wrong shape: %s", path, ", ".join(dropped))
    return Memory(kept, folder)


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) < 200 else text[:197] + "..."


def _iso(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _whole(value: object, low: int = 0) -> bool:
    return type(value) is int and value >= low


def _texts(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _failure(v: dict[str, Any]) -> bool:
    return (
        set(v) == {"status", "reason", "since"}
        and v["status"] in FAILED
        and isinstance(v["reason"], str)
        and _iso(v["since"])
    )


def _last_edit(v: dict[str, Any]) -> bool:
    return (
        set(v) == {"at", "revid", "moved"}
        and _iso(v["at"])
        and _whole(v["revid"], 1)
        and (_texts(v["moved"]))
    )


def _history(v: dict[str, Any]) -> bool:
    dates = v.get("dates")
    return (
        set(v) == {"revid", "limit", "dates"}
        and _whole(v["revid"])
        and _whole(v["limit"], 1)
        and isinstance(dates, dict)
        and all(isinstance(k, str) and (m is None or _iso(m)) for k, m in dates.items())
    )


def _translations(v: dict[str, Any]) -> bool:
    return set(v) == {"settled_at"} and (v["settled_at"] is None or _whole(v["settled_at"]))


def _edits(v: dict[str, Any]) -> bool:
    """Moments with their zone, so that they compare with the pass's."""
    return (
        set(v) == {"at"}
        and isinstance(v["at"], list)
        and all(_iso(t) and datetime.fromisoformat(t).tzinfo is not None for t in v["at"])
    )


def _turn(v: dict[str, Any]) -> bool:
    return set(v) == {"after"} and isinstance(v["after"], str)


def _saving(v: dict[str, Any]) -> bool:
    return (
        set(v) == {"base", "summary", "at", "moved"}
        and _whole(v["base"])
        and isinstance(v["summary"], str)
        and _iso(v["at"])
        and _texts(v["moved"])
    )


#: Each entry of a target and the shape it must have; None stands for "nothing remembered".
_SHAPES = {
    "failure": _failure,
    "last_edit": _last_edit,
    "history": _history,
    "translations": _translations,
    "saving": _saving,
    "edits": _edits,
    "turn": _turn,
}


def _valid_targets(targets: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The entries of the schema's shape, and the names of those dropped."""
    kept: dict[str, dict[str, Any]] = {}
    dropped: list[str] = []
    for name, entry in targets.items():
        if not isinstance(entry, dict):
            dropped.append(repr(name))
            continue
        kept[name] = {}
        for field_name, value in entry.items():
            shape = _SHAPES.get(field_name)
            if value is None and field_name in ("failure", "last_edit", "turn"):
                kept[name][field_name] = None
            elif shape is not None and isinstance(value, dict) and shape(value):
                kept[name][field_name] = value
            else:
                dropped.append(f"{name!r} {field_name}")
    return kept, dropped


def flush(memory: Memory) -> None:
    """Saves the memory at once, in the folder it came from (the edit under way, before it is
    saved); raises OSError as `save` does."""
    if memory.folder is not None:
        save(memory.folder, memory)


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
