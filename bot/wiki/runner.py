"""Runs against a wiki: read, compute with the core, show, ask, save, and retry a conflict.

The decisions live in the core (bot.core.transform) and the loop in bot.wiki.flow; this module
gives the loop pywikibot's I/O and runs it for one page or for a pass over many.
"""

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.core.reader import read_page
from bot.core.result import Result, readable_date
from bot.core.transform import transform_page, yearless_lines
from bot.errors import Refusal
from bot.ops.config import Target
from bot.wiki import client, flow
from bot.wiki.flow import Outcome, Review

log = logging.getLogger("conversation-hours-bot")


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
    """Every target, unattended: the pages of one wiki are read in one batch, a target the
    wiki fails or the bot refuses is reported and the others still run. A dry run logs what it
    would save and saves nothing. A bug is not a failure of the wiki: it stops the pass."""
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
    except client.WIKI_FAILURES as error:  # the whole wiki is out of reach: every target says so
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
        except client.WIKI_FAILURES as error:  # one page's failure must never stop the others
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
    level = logging.ERROR if outcome.failed else logging.INFO
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
    wiki = _PageWiki(site, target, now)
    return flow.process(wiki, target, snapshot, review, dry_run, _documentation(site, target))


def _documentation(site: object, target: Target) -> str | None:
    return target.documentation or _user_page(site)


@dataclass
class _PageWiki:
    """flow.PageWiki with pywikibot, for one target."""

    site: object
    target: Target
    now: datetime

    def compute(self, snapshot: client.Snapshot) -> Result:
        """The core's answer for this revision, with yearless lines dated from page history."""
        try:
            page = read_page(snapshot.text, self.target.settings)
            written = client.written_at(snapshot, yearless_lines(page), self.target.history_limit)
            return transform_page(page, self.now, self.target.settings, written_at=written)
        except Refusal as refusal:
            raise Refusal(f"[[{self.target.title}]]: {refusal}") from None

    def reread(self, snapshot: client.Snapshot) -> client.Snapshot:
        return client.reread(snapshot)

    def login(self) -> None:
        client.login(self.site)  # type: ignore[arg-type]

    def save(self, snapshot: client.Snapshot, text: str, summary: str) -> int | None:
        return client.save(snapshot, text, summary)

    def diff_url(self, revid: int) -> str:
        return client.diff_url(self.site, revid)  # type: ignore[arg-type]

    def report(self, result: Result, revid: int) -> None:
        """Appends the edit to the report page; the edit stands even when this fails."""
        target = self.target
        if not target.report_page:
            return
        sessions = ", ".join(
            f"{readable_date(s.start)}" + (f" ({s.block.title})" if s.block.title else "")
            for s in result.moves
        )
        line = (
            f"* {self.now:%Y-%m-%d %H:%M} UTC: [[Special:Diff/{revid}]] on "
            f"[[{target.title}]]: moved {sessions}"
        )
        try:
            client.append(
                self.site,  # type: ignore[arg-type]
                target.report_page,
                line,
                f"Bot: report of [[Special:Diff/{revid}]]",
            )
        except client.WIKI_FAILURES as error:
            log.warning(
                "%s [[%s]]: could not add to the report page [[%s]]: %s",
                target.site,
                target.title,
                target.report_page,
                client.reason(error),
            )
