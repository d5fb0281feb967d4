"""What the bot remembers between passes, in the state folder (next to the run lock)."""

from pathlib import Path

from bot.errors import UsageError


def prepare(folder: Path) -> Path:
    """The state folder, made if need be; one it cannot use is the operator's to fix (exit 2),
    not a failure of the wiki."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / ".writable"
        probe.touch()
        probe.unlink()
    except OSError as error:
        raise UsageError(f"state folder {folder}: {error.strerror or error}") from None
    return folder
