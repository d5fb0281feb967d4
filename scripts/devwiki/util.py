"""What every module of the package shares: its errors, its one way to talk to the person
running it, its one way to run a command, files that hold passwords, and templates."""

from __future__ import annotations

import contextlib
import os
import string
import subprocess
import sys
from pathlib import Path

from .config import TEMPLATES


class DevWikiError(Exception):
    """A failure with a message meant for the person running the script (exit code 1)."""


class CannotInstall(DevWikiError):
    """Packages are missing and this script may not install them here (exit code 2)."""


def log(message: str) -> None:
    """Progress and diagnostics go to stderr; stdout carries only KEY=value lines."""
    print(f"dev-wiki: {message}", file=sys.stderr, flush=True)


def run(command: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a command quietly; its output, or a DevWikiError that shows the end of it."""
    result = subprocess.run(
        command, stdin=subprocess.DEVNULL, capture_output=True, text=True, cwd=cwd, env=env
    )
    if result.returncode != 0:
        output = result.stdout[-3000:] + result.stderr[-3000:]
        raise DevWikiError(f"{' '.join(command)} failed ({result.returncode}):\n{output}")
    return result.stdout + result.stderr


def write_private(path: Path, text: str, mode: int = 0o600) -> None:
    """Write a file that holds passwords: created with its final mode, never world-readable."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


class _Template(string.Template):
    """`@@name` placeholders: PHP's `$` and Python's braces stay as they are in the files."""

    delimiter = "@@"


def render(name: str, **values: object) -> str:
    """The template file templates/NAME with its `@@name` placeholders filled in; a placeholder
    without a value is an error, so a template and its caller cannot drift apart silently."""
    text = (TEMPLATES / name).read_text(encoding="utf-8")
    return _Template(text).substitute({key: str(value) for key, value in values.items()})
