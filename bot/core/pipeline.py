"""The whole job as one pure function: (wikitext, now, settings) in, the new wikitext out."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.core.change import edit, safety
from bot.core.change.edit import Change
from bot.core.change.plan import Plan, plan
from bot.core.change.render import Renderer
from bot.core.page.model import Page
from bot.core.page.reader import read_page
from bot.core.report.result import Result
from bot.core.settings import Settings
from bot.core.translation.plan import MovedUnit, title_unit


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
    return run(page, now, settings, written_at, default_written_at).result


@dataclass(frozen=True)
class Run:
    """One call of the core on one page, handed whole to the shell so that it never redoes the
    core's work: the page as read, the plan, the edit (None when nothing moves), the result,
    and each unit that moved with its slot into a log of units, with its new English text."""

    page: Page
    plan: Plan
    change: Change | None
    result: Result
    moved_units: tuple[MovedUnit, ...]


def run(
    page: Page,
    now: datetime,
    settings: Settings,
    written_at: Mapping[str, datetime | None] | None = None,
    default_written_at: datetime | None = None,
) -> Run:
    """The whole job on a page already read. `now` is read once, by the caller, for the whole
    run (a pass over several pages reads it once for all of them)."""
    decided = plan(page.blocks, now, settings, written_at or {}, default_written_at or now)
    warnings = (*page.warnings, *decided.warnings)
    if not decided.moves:
        return Run(page, decided, None, Result(page.text, warnings=warnings), ())
    change = edit.build(page, decided, Renderer(settings.templates_dir))
    safety.verify(page, decided, change)
    result = Result(
        change.text,
        moves=decided.moves,
        dropped_paragraphs=change.dropped_paragraphs,
        warnings=warnings,
        moved_units=change.moved_units,
        changed_units=change.changed_units,
        dropped_units=change.dropped_units,
        placeholder=change.placeholder,
        logged_already=tuple(
            d.slot.line.text for d in decided.moves if d.slot.line.number in change.already
        ),
        log_title=page.log.heading.title,
    )
    return Run(page, decided, change, result, _moved_units(page, decided, change))


def _moved_units(page: Page, decided: Plan, change: Change) -> tuple[MovedUnit, ...]:
    """The units that moved with their slot into a log of units of their own: what the
    translations of each must become."""
    carried = set(change.moved_units)
    return tuple(
        MovedUnit(marker, dated, change.rendered[dated.slot.line.number], title_unit(page, dated))
        for dated in decided.moves
        if (marker := dated.slot.marker) in carried
    )


def yearless_lines(page: Page) -> list[str]:
    """Lines under "Upcoming" whose date has no year: the ones page history must date."""
    return [slot.line.text for block in page.blocks for slot in block.slots if slot.yearless]
