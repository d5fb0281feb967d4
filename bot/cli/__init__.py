"""The command line: offline commands on a file, and the wiki commands (imported on demand)."""

from bot.cli.main import main

__all__ = ["main"]
