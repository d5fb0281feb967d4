"""The two ways the bot declines to act, so the shell can map them to exit codes."""


class Refusal(Exception):
    """The page is not understood, or the change would be unsafe: leave the page alone (exit 3).

    Carries the 1-based line of the page the problem is at, because an editor has to find it.
    """

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}" if self.line else self.reason


class UsageError(Exception):
    """Bad arguments, an unreadable file or a bad configuration (exit 2)."""
