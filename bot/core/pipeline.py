"""The whole job as one pure function: (wikitext, now, settings) in, the new wikitext out."""

from collections.abc import Mapping
from datetime import datetime

from bot.core.change import edit, safety
from bot.core.change.plan import plan
from bot.core.change.render import Renderer
from bot.core.page.model import Page
from bot.core.page.reader import read_page
from bot.core.report.result import Result
from bot.core.settings import Settings


def transform(
    text: str,
    now: datetime,
    settings: Settings | None = None,
    written_at: Mapping[str, datetime | None] | None = None,
    default_written_at: datetime | None = None,
) -> Result:
    """Moves every session that ended before `now` minus the grace period into the log.

    `written_at` maps the text of a line with a yearless date to when that line was written
    (from the page history); other yearless lines are read against `default_written_at`, or
    `now` when that is not given. Raises Refusal, and returns nothing, when the page is not
    understood or the change fails the safety check.
    """
    settings = settings or Settings()
    return transform_page(read_page(text, settings), now, settings, written_at, default_written_at)


def transform_page(
    page: Page,
    now: datetime,
    settings: Settings,
    written_at: Mapping[str, datetime | None] | None = None,
    default_written_at: datetime | None = None,
) -> Result:
    """`transform` on a page already read, for callers that looked at it first (the wiki run
    asks which lines need history; `check` explains it), so the text is parsed once."""
    decided = plan(page.blocks, now, settings, written_at or {}, default_written_at or now)
    warnings = (*page.warnings, *decided.warnings)
    if not decided.moves:
        return Result(page.text, warnings=warnings)
    change = edit.build(page, decided, Renderer(settings.templates_dir))
    safety.verify(page, decided, change)
    return Result(
        change.text,
        moves=decided.moves,
        dropped_paragraphs=change.dropped_paragraphs,
        warnings=warnings,
        moved_units=change.moved_units,
        changed_units=change.changed_units,
        dropped_units=change.dropped_units,
        placeholder=change.placeholder,
        logged_already=tuple(
            dated.slot.line.text
            for dated in decided.moves
            if dated.slot.line.number in change.already
        ),
    )


def yearless_lines(page: Page) -> list[str]:
    """Lines under "Upcoming" whose date has no year: the ones page history must date."""
    return [slot.line.text for block in page.blocks for slot in block.slots if slot.yearless]
