"""Shared fixtures: real pages, read from tests/fixtures and tests/pages, the moment the Meta
page's yearless lines were written, and the check that a command refused as a usage error."""

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import settings

# CI runs every property test with a fixed seed, so a red run can be replayed and a green one
# means the same examples passed; on a developer's machine they explore new examples each time.
settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = Path(__file__).parent / "pages"
#: The name the bot's messages start with: "conversation-hours-bot: ...".
PROG = "conversation-hours-bot"


#: The reconstruction of Meta's page as it stood in June 2023, as a file and as its text.
META_PATH = FIXTURES / "meta-page.wikitext"
META = META_PATH.read_text(encoding="utf-8")
#: When the page's yearless lines ("Monday, June 26 @ 12:00 UTC") were written, the moment a
#: yearless date is read against: WRITTEN_AT as the wiki's timestamps and the command line's
#: --written-at spell it, WRITTEN as the core takes it (default_written_at). The suite reads the
#: yearless lines of the pages derived from it (tests/pages) against the same moment.
WRITTEN_AT = "2023-06-10T09:00:00Z"
WRITTEN = datetime.fromisoformat(WRITTEN_AT)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture(scope="session")
def meta_page() -> str:
    """The reconstruction of Meta's page as it stood in June 2023."""
    return META


def page(name: str) -> str:
    return (PAGES / f"{name}.wikitext").read_text(encoding="utf-8")


def assert_usage_error(done: subprocess.CompletedProcess, says: str) -> None:
    """`done` refused as a usage error (bad arguments, configuration or input): exit 2 and one
    line on stderr, no traceback, that starts with the bot's name and contains `says`."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith(f"{PROG}: "), done.stderr
    assert says in done.stderr, done.stderr
