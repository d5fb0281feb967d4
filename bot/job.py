"""One run against a wiki: read, compute with the core, show, ask, save, and retry a conflict.

The decisions live in the core (bot.transform); this module only sequences wiki I/O around it,
with pywikibot's habits: show the diff and ask unless --always, --dry-run saves nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot import wiki
from bot.errors import Refusal
from bot.report import Result
from bot.settings import META_PAGE, META_SITE, Settings
from bot.transform import transform, yearless_lines

#: How often an edit conflict makes the bot re-read and recompute before it gives up.
CONFLICT_RETRIES = 3


@dataclass(frozen=True)
class Target:
    site: str = META_SITE
    title: str = META_PAGE
    #: Any text on this page stops the bot; None means `User:<bot account>/Stop`.
    stop_page: str | None = None
    #: How many revisions back the bot looks to date a line written without a year.
    history_limit: int = 50
    settings: Settings = field(default_factory=Settings)


@dataclass(frozen=True)
class Outcome:
    status: str  # edited, unchanged, stopped, declined or dry-run
    message: str
    result: Result | None = None
    revid: int | None = None


#: Shows the change and says whether to save it: (old text, new text, summary) -> yes.
Review = Callable[[str, str, str], bool]


def run_target(
    target: Target, review: Review, dry_run: bool, now: datetime | None = None
) -> Outcome:
    site = wiki.open_site(target.site)
    stop_title = target.stop_page or _default_stop_page(site)
    snapshot, stop_text = wiki.read(site, target.title, stop_title)
    if stop_text and stop_text.strip():
        return Outcome("stopped", f"stopped: [[{stop_title}]] is not empty; no edit made")
    for _attempt in range(CONFLICT_RETRIES):
        result = _compute(snapshot, target, now or datetime.now(UTC))
        if not result.changed:
            return Outcome("unchanged", "nothing to move", result)
        approved = review(snapshot.text, result.text, result.summary)
        if dry_run:
            return Outcome("dry-run", f"dry run: would save: {result.summary}", result)
        if not approved:
            return Outcome("declined", "not saved: the operator declined", result)
        wiki.login(site)
        try:
            revid = wiki.save(snapshot, result.text, result.summary)
        except wiki.pwb.EditConflictError:
            snapshot = wiki.reread(snapshot)
            continue
        url = wiki.diff_url(site, revid)
        return Outcome("edited", f"saved {url} ({result.summary})", result, revid)
    raise wiki.WikiError(
        f"[[{target.title}]] kept changing under the bot ({CONFLICT_RETRIES} edit conflicts); "
        "no edit made"
    )


def _default_stop_page(site: object) -> str | None:
    name = wiki.bot_name(site)  # type: ignore[arg-type]
    return f"User:{name}/Stop" if name else None


def _compute(snapshot: wiki.Snapshot, target: Target, now: datetime) -> Result:
    """The core's answer for this revision, with yearless lines dated from page history."""
    try:
        lines = yearless_lines(snapshot.text, target.settings)
    except Refusal as refusal:
        raise Refusal(f"[[{target.title}]]: {refusal}") from None
    written = wiki.written_at(snapshot, lines, target.history_limit)
    try:
        return transform(snapshot.text, now, target.settings, written_at=written)
    except Refusal as refusal:
        raise Refusal(f"[[{target.title}]]: {refusal}") from None
