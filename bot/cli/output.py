"""What the command line prints: the diff, warnings and the program's name in messages.

Only the command line prints; the core and the wiki layer return results and raise errors.
"""

import difflib
import sys

from bot.core.report.result import Result

PROG = "conversation-hours-bot"


def print_warnings(result: Result) -> None:
    for warning in result.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)


def unified_diff(old: str, new: str, name: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{name} (current)",
        tofile=f"{name} (bot)",
    )
    return "".join(
        line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
    )
