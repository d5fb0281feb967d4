"""Runs against a wiki: read, compute with the core, show, ask, save, and retry a conflict.

The decisions live in the core (bot.transform); this module only sequences wiki I/O around it,
with pywikibot's habits: show the diff and ask unless --always, --dry-run saves nothing.
"""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.core.reader import read_page
from bot.core.result import Result, readable_date
from bot.core.transform import transform_page, yearless_lines
from bot.errors import Refusal, WikiError
from bot.ops.config import Target
from bot.wiki import client, translation_flow

log = logging.getLogger("conversation-hours-bot")

#: How often an edit conflict makes the bot re-read and recompute before it gives up.
CONFLICT_RETRIES = 3
#: Edit summaries longer than this are cut by MediaWiki; the bot shortens its own instead.
SUMMARY_LIMIT = 500


@dataclass(frozen=True)
class Outcome:
    target: Target
    status: str  # edited, unchanged, stopped, declined, dry-run, refused or failed
    message: str
    result: Result | None = None
    revid: int | None = None
    seconds: float = 0.0
    #: What became of the page's translations (bot.wiki.translation_flow), when it has any.
    translations: "translation_flow.Report | None" = None

    @property
    def moved(self) -> int:
        return len(self.result.moves) if self.result is not None and self.status == "edited" else 0


#: Shows the change and says whether to save it: (old text, new text, summary) -> yes.
Review = Callable[[str, str, str], bool]


def run_target(
    target: Target, review: Review, dry_run: bool, now: datetime | None = None
) -> Outcome:
    """One page, for an operator at the command line; failures raise (the CLI maps them)."""
    site = client.open_site(target.site)
    client.check_password_file()
    pages, stops = client.read_many(site, [target.title], _stop_pages(site, [target]))
    return _process(site, target, pages, stops, review, dry_run, now or datetime.now(UTC))


def run_pass(
    targets: Iterable[Target], now: datetime | None = None, dry_run: bool = False
) -> list[Outcome]:
    """Every target, unattended: the pages of one wiki are read in one batch, a failing target
    is reported and the others still run. A dry run logs what it would save and saves nothing."""
    outcomes = []
    by_site: dict[str, list[Target]] = {}
    for target in targets:
        by_site.setdefault(target.site, []).append(target)
    for site_name, site_targets in by_site.items():
        outcomes.extend(_pass_on_site(site_name, site_targets, now, dry_run))
    return outcomes


def _pass_on_site(
    site_name: str, targets: list[Target], now: datetime | None, dry_run: bool
) -> list[Outcome]:
    started = time.monotonic()
    try:
        site = client.open_site(site_name)
        client.check_password_file()
        pages, stops = client.read_many(
            site, [t.title for t in targets], _stop_pages(site, targets)
        )
    except Exception as error:  # the whole wiki is out of reach: every target says so
        message = client.reason(error)
        return [
            _logged(Outcome(t, "failed", message, seconds=time.monotonic() - started))
            for t in targets
        ]
    outcomes = []
    for target in targets:
        started = time.monotonic()
        try:
            outcome = _process(
                site, target, pages, stops, _unattended, dry_run, now or datetime.now(UTC)
            )
        except Refusal as refusal:
            outcome = Outcome(target, "refused", str(refusal))
        except Exception as error:  # a run's failure must never stop the others
            outcome = Outcome(target, "failed", client.reason(error))
        outcomes.append(_logged(replace(outcome, seconds=time.monotonic() - started)))
    return outcomes


def _unattended(old: str, new: str, summary: str) -> bool:
    log.debug("would save %s", summary)
    return True


def _logged(outcome: Outcome) -> Outcome:
    """One line per target per pass: what Toolforge's log files keep."""
    target = outcome.target
    revision = f"rev={outcome.revid}" if outcome.revid else "no change"
    level = logging.INFO if outcome.status not in ("refused", "failed") else logging.ERROR
    log.log(
        level,
        "%s [[%s]] %s moved=%d %s %.1fs: %s",
        target.site,
        target.title,
        outcome.status,
        outcome.moved,
        revision,
        outcome.seconds,
        outcome.message,
    )
    if outcome.result is not None:
        for warning in outcome.result.warnings:
            log.warning("%s [[%s]] warning: %s", target.site, target.title, warning)
    return outcome


def _user_page(site: object, subpage: str = "") -> str | None:
    """A page of the bot account's own, `User:<bot>` + subpage; None with no account set up."""
    name = client.bot_name(site)  # type: ignore[arg-type]
    return f"User:{name}{subpage}" if name else None


def _stop_page(site: object, target: Target) -> str | None:
    return target.stop_page or _user_page(site, "/Stop")


def _stop_pages(site: object, targets: list[Target]) -> list[str]:
    return sorted({page for t in targets if (page := _stop_page(site, t))})


def _process(
    site: object,
    target: Target,
    pages: dict[str, "client.pywikibot.Page"],
    stops: dict[str, str],
    review: Review,
    dry_run: bool,
    now: datetime,
) -> Outcome:
    stop_title = _stop_page(site, target)
    if stop_title and stops.get(stop_title, "").strip():
        return Outcome(target, "stopped", f"stopped: [[{stop_title}]] is not empty; no edit made")
    snapshot = client.snapshot(pages, target.title)
    for _attempt in range(CONFLICT_RETRIES):
        result = _compute(snapshot, target, now)
        if not result.changed:
            # --- translations: finish an earlier edit's once the page has been marked
            report = (
                None
                if dry_run
                else translation_flow.resume(site, target, snapshot.text, snapshot.revid)
            )
            message = _with_translations("nothing to move", report)
            return Outcome(target, "unchanged", message, result, translations=report)
        summary = edit_summary(result, _documentation(site, target))
        approved = review(snapshot.text, result.text, summary)
        if not dry_run and not approved:
            return Outcome(target, "declined", "not saved: the operator declined", result)
        if not dry_run or result.moved_units:  # a dry run needs the account's rights to say
            client.login(site)  # type: ignore[arg-type]  # what it would do with translations
        # --- translations (bot.wiki.translation_flow): read before the edit, finish after it
        prepared = translation_flow.prepare(site, target, snapshot.text, snapshot.revid, result)
        if dry_run:
            report = translation_flow.preview(prepared) if prepared else None
            message = _with_translations(f"dry run: would save: {summary}", report)
            return Outcome(target, "dry-run", message, result, translations=report)
        try:
            revid = client.save(snapshot, result.text, summary)
        except client.pwb.EditConflictError:
            snapshot = client.reread(snapshot)
            continue
        report = translation_flow.finish(site, prepared, revid) if prepared else None
        # --- end translations
        _report(site, target, result, revid, now, report)
        url = client.diff_url(site, revid)  # type: ignore[arg-type]
        message = _with_translations(f"saved {url} ({summary})", report)
        return Outcome(target, "edited", message, result, revid, translations=report)
    raise WikiError(
        f"[[{target.title}]] kept changing under the bot ({CONFLICT_RETRIES} edit conflicts); "
        "no edit made"
    )


def _with_translations(message: str, report: "translation_flow.Report | None") -> str:
    return f"{message}; {report.summary()}" if report is not None else message


def _documentation(site: object, target: Target) -> str | None:
    return target.documentation or _user_page(site)


def edit_summary(result: Result, documentation: str | None) -> str:
    """The core's summary, linking the bot's documentation so editors know whom to ask."""
    link = f" ([[{documentation}|bot]])" if documentation else ""
    summary = result.summary
    if len(summary) + len(link) > SUMMARY_LIMIT:
        summary = summary[: SUMMARY_LIMIT - len(link) - 1] + "…"
    return summary + link


def _report(
    site: object,
    target: Target,
    result: Result,
    revid: int,
    now: datetime,
    translations: "translation_flow.Report | None" = None,
) -> None:
    """Appends the edit to the report page; the edit stands even when this fails."""
    if not target.report_page:
        return
    sessions = ", ".join(
        f"{readable_date(s.start)}" + (f" ({s.block.title})" if s.block.title else "")
        for s in result.moves
    )
    line = (
        f"* {now:%Y-%m-%d %H:%M} UTC: [[Special:Diff/{revid}]] on [[{target.title}]]: "
        f"moved {sessions}"
    )
    if translations is not None:  # "needs marking" is what a translation admin watches for
        line += f"; translations: {translations.status}"
    try:
        client.append(
            site,
            target.report_page,
            line,  # type: ignore[arg-type]
            f"Bot: report of [[Special:Diff/{revid}]]",
        )
    except Exception as error:
        log.warning(
            "%s [[%s]]: could not add to the report page [[%s]]: %s",
            target.site,
            target.title,
            target.report_page,
            client.reason(error),
        )


def _compute(snapshot: client.Snapshot, target: Target, now: datetime) -> Result:
    """The core's answer for this revision, with yearless lines dated from page history."""
    try:
        page = read_page(snapshot.text, target.settings)
        written = client.written_at(snapshot, yearless_lines(page), target.history_limit)
        return transform_page(page, now, target.settings, written_at=written)
    except Refusal as refusal:
        raise Refusal(f"[[{target.title}]]: {refusal}") from None
