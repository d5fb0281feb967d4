"""What `check` prints: the bot's reading of the page, for an editor to compare with theirs."""

from collections.abc import Mapping
from datetime import datetime

from bot.core.change.plan import Plan, plan
from bot.core.page.log import read_log
from bot.core.page.model import EventBlock, Page
from bot.core.page.reader import read_page
from bot.core.pipeline import transform_page
from bot.core.report.result import iso
from bot.core.settings import Settings


def explained(
    text: str,
    now: datetime,
    settings: Settings,
    written_at: Mapping[str, datetime | None],
    default_written_at: datetime,
) -> str:
    """What `check` prints for a page's text; raises the run's refusals, so a page `check`
    explains is a page a run would act on."""
    page = read_page(text, settings)
    transform_page(page, now, settings, written_at, default_written_at)
    decided = plan(page.blocks, now, settings, written_at, default_written_at)
    return explain(page, decided, now)


def explain(page: Page, decided: Plan, now: datetime) -> str:
    out = [
        f"{page.upcoming.heading.title!r} (line {page.upcoming.heading.line}): "
        f"{len(page.blocks)} event block(s); now is {iso(now)}"
    ]
    for block in page.blocks:
        out.extend(_block(block, decided))
    heading = page.log.heading
    entries = len(read_log(page).entries)
    out.append(f"{heading.title!r} (line {heading.line}): {entries} entries")
    out.append(f"{len(decided.moves)} session(s) would move to the log")
    out.extend(f"warning: {w}" for w in (*page.warnings, *decided.warnings))
    return "\n".join(out)


def _block(block: EventBlock, decided: Plan) -> list[str]:
    moving = {s.slot.line.number for s in decided.moves}
    resolved = {s.slot.line.number: s for s in decided.resolved}
    title = repr(block.title) if block.title else "(no title found)"
    out = [f"  {title} (list at line {block.items.first.number})"]
    for slot in block.slots:
        number = slot.line.number
        session = resolved.get(number)
        if session is None:
            out.append(f"    line {number}: {slot.text!r}: date not sure; stays")
            continue
        state = "past: would move" if number in moving else "stays"
        status = f" ({slot.not_held})" if slot.not_held else ""
        times = ", ".join(f"{iso(t.start)} to {iso(t.end)}" for t in session.sessions)
        owned = f" with lines {', '.join(str(x.number) for x in slot.owned)}" if slot.owned else ""
        out.append(f"    line {number}: {times}{status}{owned}: {state}")
    for line in block.undated:
        out.append(f"    line {line.number}: no date the bot can trust; stays")
    if any(block is b for b in decided.finished):
        lines = ", ".join(str(c.first.number) for c in (*block.intro, *block.outro)) or "none"
        out.append(f"    the whole block would leave with it (paragraphs at lines {lines})")
    return out
