"""One page's read-compute-review-save loop and what it ends in, without pywikibot.

The loop talks to the wiki through a small interface (`PageWiki`), so that its rules (conflict
retries, dry runs, simulation, the summary) are tested offline with a hand-written fake; the
runner gives it the real thing.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Protocol, TypeVar

from bot.core.dates import english
from bot.core.optin import Mode
from bot.core.pipeline import Run
from bot.core.report.result import Result
from bot.core.report.status import PageStatus, excerpts, left_lines
from bot.errors import EXIT_OK, EXIT_REFUSED, EXIT_WIKI, EditConflict, WikiError
from bot.ops.config import Target

#: After the first attempt, how many times an edit conflict makes the bot re-read and recompute
#: before it gives up: at most 1 + CONFLICT_RETRIES saves are tried.
CONFLICT_RETRIES = 3
#: Edit summaries longer than this are cut by MediaWiki; the bot shortens its own instead.
SUMMARY_LIMIT = 500

#: Shows the change and says whether to save it: (old text, new text, summary) -> yes.
Review = Callable[[str, str, str], bool]


class Ending(StrEnum):
    """How one page's run ended (the JSON report's and the state's `status`)."""

    EDITED = "edited"
    UNCHANGED = "unchanged"
    STOPPED = "stopped"
    DECLINED = "declined"
    DRY_RUN = "dry-run"
    SIMULATED = "simulated"
    PREVIEW = "preview"  # the page's template asks for a preview: nothing is edited
    HELD = "held"  # the page's daily cap of edits is reached: the next pass tries again
    REFUSED = "refused"
    FAILED = "failed"


#: How a preview's message starts; the summary follows.
PREVIEW = "preview: would save: "
#: The endings that are failures: a pass reports them, the state remembers them.
FAILURES = (Ending.REFUSED, Ending.FAILED)
#: The endings whose result's moves happened, or would have in a dry run or a simulation.
_MOVING = (Ending.EDITED, Ending.DRY_RUN, Ending.SIMULATED, Ending.PREVIEW)


@dataclass(frozen=True)
class Outcome:
    target: Target
    status: Ending
    message: str
    result: Result | None = None
    revid: int | None = None
    seconds: float = 0.0
    #: The page text the result was computed from: warnings' line numbers refer to it.
    source: str | None = None
    #: What the outcome means next to the last pass's (bot.ops.state): a new failure, one that
    #: persists, a recovery; None when nothing was remembered (a dry run).
    news: str | None = None
    #: What became of the page's translations (bot.wiki.translation_flow), when it has any.
    translations: "TranslationReport | None" = None

    @property
    def moved(self) -> int:
        """Sessions the outcome moved, or would have moved in a dry run or a simulation."""
        if self.result is None or self.status not in _MOVING:
            return 0
        return len(self.result.moves)

    @property
    def failed(self) -> bool:
        return self.status in FAILURES

    def as_json(self) -> dict[str, object]:
        """`run --json` on a wiki: the file run's report (what moved, the units, the warnings)
        with what became of it on the wiki and, per language, of the translations."""
        result = self.result or Result(self.source or "")
        return {
            **result.as_json(),
            "site": self.target.site,
            "page": self.target.title,
            "status": self.status,
            "message": self.message,
            "revid": self.revid,
            "translations": self.translations.as_json() if self.translations else None,
        }


class Snapshot(Protocol):
    @property
    def text(self) -> str: ...


class TranslationReport(Protocol):
    """What the translation flow did or would do, per language (bot.wiki.translation_flow)."""

    @property
    def status(self) -> str: ...

    def summary(self) -> str: ...

    def as_json(self) -> dict[str, object]: ...

    def pending(self) -> tuple[str, ...]:
        """What is left for people or a later run (the status page's "pending" line)."""
        ...


S = TypeVar("S", bound=Snapshot)
#: What the translation side reads before the edit (translation_flow.Prepared on a wiki).
P = TypeVar("P")


class PageWiki(Protocol[S, P]):
    """The wiki operations one page needs; runner.py implements them with pywikibot. Generic in
    the page's snapshot (S) and in what the translation side reads before the edit (P)."""

    def compute(self, snapshot: S) -> Run:
        """The core's run on the snapshot: the shell hands it on, never redoing its work."""
        ...

    def reread(self, snapshot: S) -> S: ...

    def login(self) -> None: ...

    def held_back(self) -> str | None:
        """Why the page must not be edited now (its daily cap of edits), or None."""
        ...

    def save(self, snapshot: S, text: str, summary: str) -> int | None:
        """The new revision id, or None when pywikibot only simulated the save."""
        ...

    def diff_url(self, revid: int) -> str: ...

    def report(
        self, result: Result, revid: int, translations: TranslationReport | None
    ) -> None: ...

    # The translations of a translatable page (bot.wiki.translation_flow); for a page without
    # Translate markup these cost nothing and return None.

    def resume_translations(self, snapshot: S, run: Run) -> TranslationReport | None:
        """Finishes the translations of the bot's earlier edit once the page has been marked
        (`run` is the core's run on the snapshot, which moved nothing)."""
        ...

    def prepare_translations(self, snapshot: S, run: Run) -> P | None:
        """Reads what Translate knows before the edit; None when no unit moves."""
        ...

    def preview_translations(self, prepared: P | None) -> TranslationReport | None: ...

    def finish_translations(self, prepared: P | None, revid: int) -> TranslationReport | None:
        """Marks the bot's own revision, waits for Translate's jobs, writes each language."""
        ...


def process(
    wiki: PageWiki[S, P],
    target: Target,
    snapshot: S,
    review: Review,
    dry_run: bool,
    documentation: str | None,
) -> Outcome:
    """Computes the change, shows it, saves it against the revision read; on an edit conflict
    re-reads and starts over, CONFLICT_RETRIES times at most, so no editor's edit is lost."""
    for attempt in range(1 + CONFLICT_RETRIES):
        if attempt:
            snapshot = wiki.reread(snapshot)
        run = wiki.compute(snapshot)
        result = run.result
        read = snapshot.text
        if not result.changed:
            report = None if dry_run else wiki.resume_translations(snapshot, run)
            message = _with_translations("nothing to move", report)
            return Outcome(
                target, Ending.UNCHANGED, message, result, source=read, translations=report
            )
        summary = edit_summary(result, documentation)
        if target.mode is Mode.PREVIEW:
            message = f"{PREVIEW}{summary}"
            return Outcome(target, Ending.PREVIEW, message, result, source=read)
        approved = review(snapshot.text, result.text, summary)
        if dry_run and not result.moved_units:
            message = f"dry run: would save: {summary}"
            return Outcome(target, Ending.DRY_RUN, message, result, source=read)
        if not dry_run and not approved:
            return Outcome(
                target, Ending.DECLINED, "not saved: the operator declined", result, source=read
            )
        held = None if dry_run else wiki.held_back()
        if held is not None:
            return Outcome(target, Ending.HELD, held, result, source=read)
        wiki.login()  # a dry run too, when units move: the account's rights say what it would do
        prepared = wiki.prepare_translations(snapshot, run)
        if dry_run:
            report = wiki.preview_translations(prepared)
            message = _with_translations(f"dry run: would save: {summary}", report)
            return Outcome(
                target, Ending.DRY_RUN, message, result, source=read, translations=report
            )
        try:
            revid = wiki.save(snapshot, result.text, summary)
        except EditConflict:
            continue
        if revid is None:
            message = f"simulated: would save [[{target.title}]]: {summary}"
            return Outcome(target, Ending.SIMULATED, message, result, source=read)
        report = wiki.finish_translations(prepared, revid)
        wiki.report(result, revid, report)
        message = _with_translations(f"saved {wiki.diff_url(revid)} ({summary})", report)
        return Outcome(
            target, Ending.EDITED, message, result, revid, source=read, translations=report
        )
    raise WikiError(
        f"[[{target.title}]] kept changing under the bot ({1 + CONFLICT_RETRIES} edit "
        "conflicts); no edit made"
    )


def _with_translations(message: str, report: TranslationReport | None) -> str:
    return f"{message}; {report.summary()}" if report is not None else message


def moved(result: Result) -> list[str]:
    """What an edit moved, as editors read it and as the log entry writes the date:
    `June 26, 2023 (topic)`, and `June 30, 2023 (topic) (cancelled)` for one called off."""
    return [
        english.day(s.start.date())
        + (f" ({s.block.title})" if s.block.title else "")
        + (f" ({s.slot.not_held})" if s.slot.not_held else "")
        for s in result.moves
    ]


def page_status(
    outcome: Outcome, when: datetime, last_edit: datetime | None, last_moved: Iterable[str]
) -> PageStatus:
    """What the status page says about one target after a pass; `last_edit` and `last_moved`
    are the bot's last edit of the page, this pass's or one remembered from before."""
    result = outcome.result
    status = PageStatus(
        site=outcome.target.site,
        title=outcome.target.title,
        outcome=outcome.status,
        last_pass=when,
        last_edit=last_edit,
        moved=tuple(last_moved) if last_edit else (),
        left=left_lines(outcome.source, result.warnings) if result is not None else (),
        problem=outcome.message if outcome.failed or outcome.status == Ending.HELD else None,
        pending=outcome.translations.pending() if outcome.translations is not None else (),
        note=outcome.target.note,
    )
    if outcome.status != Ending.PREVIEW or result is None or outcome.source is None:
        return status
    return replace(  # what would move, and where, for the editors who asked for a preview
        status,
        preview=excerpts(outcome.source, [move.slot.line.number for move in result.moves]),
        preview_to=result.log_title,
        preview_pages=result.archives,
        summary=result.summary,
    )


def edit_summary(result: Result, documentation: str | None) -> str:
    """The core's summary of the edit, linking the bot's documentation so editors know whom to
    ask."""
    return linked(result.summary, documentation)


def linked(summary: str, documentation: str | None) -> str:
    """Any of the bot's summaries (the page, the status and report pages, translations) with
    the link to its documentation, shortened to fit MediaWiki's limit with the link kept."""
    link = f" ([[{documentation}|bot]])" if documentation else ""
    if len(summary) + len(link) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - len(link) - 1] + "…"
    return summary + link


def exit_code(outcomes: Iterable[Outcome]) -> int:
    """A pass's exit code: any wiki failure wins over any refusal, which wins over success."""
    statuses = {o.status for o in outcomes}
    if Ending.FAILED in statuses:
        return EXIT_WIKI
    if Ending.REFUSED in statuses:
        return EXIT_REFUSED
    return EXIT_OK
