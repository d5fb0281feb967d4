"""Pages whose shapes follow real Wikimedia pages that keep upcoming and past sessions by hand
(tests/pages/real/, each naming its source in manifest.toml): the bot must do at each moment
what the manifest says a careful editor would, and a second run must change nothing.

The pages were written from the shapes of those pages, never from this bot's output: they are
the check that the reading generalises beyond the pages it was built on.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.core.page.reader import read_page
from bot.core.pipeline import transform
from bot.core.settings import Settings
from bot.errors import Refusal
from tests.conftest import utc

REAL = Path(__file__).parent / "pages" / "real"
MANIFEST = tomllib.loads((REAL / "manifest.toml").read_text(encoding="utf-8"))


@dataclass(frozen=True)
class Run:
    file: str
    settings: Settings
    written_at: str | None
    now: str
    moves: tuple[str, ...]
    stays: tuple[str, ...]
    logged: tuple[str, ...]
    not_logged: tuple[str, ...]
    warn_lines: tuple[int, ...]
    refused: bool

    def __str__(self) -> str:
        return f"{self.file.removesuffix('.wikitext')}@{self.now}"


def runs() -> list[Run]:
    found = []
    for page in MANIFEST["page"]:
        settings = Settings(
            upcoming_headings=tuple(page["upcoming"]), log_headings=tuple(page["log"])
        )
        for run in page["run"]:
            found.append(
                Run(
                    page["file"],
                    settings,
                    page.get("written_at"),
                    run["now"],
                    tuple(run["moves"]),
                    tuple(run["stays"]),
                    tuple(run["logged"]),
                    tuple(run["not_logged"]),
                    tuple(run["warn_lines"]),
                    run["refused"],
                )
            )
    return found


def sections(text: str, settings: Settings) -> tuple[str, str]:
    """The text of "Upcoming" and of the log."""
    page = read_page(text, settings)
    return (
        text[page.upcoming.body_start : page.upcoming.end],
        text[page.log.body_start : page.log.end],
    )


def moment(text: str) -> str:
    return text.removesuffix("Z")


def test_the_corpus_names_at_least_fifteen_real_sources_and_forty_pages():
    sources = {page["source"] for page in MANIFEST["page"]}
    assert len(sources) >= 15
    assert len(MANIFEST["page"]) >= 40
    assert all((REAL / page["file"]).exists() for page in MANIFEST["page"])


@pytest.mark.parametrize("run", runs(), ids=str)
def test_each_real_page_gets_its_expected_outcome(run):
    text = (REAL / run.file).read_text(encoding="utf-8")
    written = utc(moment(run.written_at)) if run.written_at else None
    now = utc(moment(run.now))
    if run.refused:
        with pytest.raises(Refusal):
            transform(text, now, run.settings, default_written_at=written)
        return
    result = transform(text, now, run.settings, default_written_at=written)
    upcoming_before, _ = sections(text, run.settings)
    upcoming, log = sections(result.text, run.settings)
    for piece in run.moves:
        assert piece in upcoming_before, f"{piece!r} is not under Upcoming in the page"
        assert piece not in upcoming, f"{piece!r} should have left Upcoming"
    for piece in run.stays:
        assert piece in upcoming, f"{piece!r} should still be under Upcoming"
    at = 0
    for piece in run.logged:
        found = log.find(piece, at)
        assert found != -1, f"{piece!r} is not in the log (in this order):\n{log}"
        at = found + len(piece)
    for piece in run.not_logged:
        assert piece not in log, f"{piece!r} should not be in the log:\n{log}"
    named = sorted({_line_of(warning) for warning in result.warnings})
    assert named == sorted(set(run.warn_lines)), "\n".join(result.warnings)
    again = transform(result.text, now, run.settings, default_written_at=written)
    assert again.text == result.text


def _line_of(warning: str) -> int:
    return int(warning.split(":", 1)[0].removeprefix("line "))
