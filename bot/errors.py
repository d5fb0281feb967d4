"""Every way a run can end short of success, with the exit code each one maps to.

The exceptions live here, next to their codes, so that the core, the wiki layer and the
command line agree on what a failure means without importing one another. Only the command
line prints; everything else raises.
"""

EXIT_OK = 0
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_REFUSED = 3
EXIT_WIKI = 4
EXIT_BUSY = 5


class BotError(Exception):
    """An expected failure: one line for the operator, no traceback."""

    exit_code = EXIT_BUG


class UsageError(BotError):
    """Bad arguments, an unreadable file or a bad configuration (exit 2)."""

    exit_code = EXIT_USAGE


class Refusal(BotError):
    """The page is not understood, or the change would be unsafe: leave the page alone (exit 3).

    Carries the 1-based line of the page the problem is at, because an editor has to find it.
    """

    exit_code = EXIT_REFUSED

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class WikiError(BotError):
    """The wiki said no or could not be reached (exit 4)."""

    exit_code = EXIT_WIKI


class EditConflict(WikiError):
    """Someone saved the page after the bot read it: the run reads it again and starts over."""


class Busy(BotError):
    """Another run holds the lock (exit 5)."""

    exit_code = EXIT_BUSY
