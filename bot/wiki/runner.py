"""Runs against a wiki: read, compute with the core, show, ask, save, and retry a conflict.

The decisions live in the core (bot.core.pipeline) and the loop in bot.wiki.flow; this module
gives the loop pywikibot's I/O and runs it for one page or for a pass over many.
"""

import contextlib
import logging
import re
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

import pywikibot

from bot.core import archive, pipeline
from bot.core.change.render import Renderer
from bot.core.page.reader import read_page
from bot.core.pipeline import Run, yearless_lines
from bot.core.report import status
from bot.core.report.result import Result
from bot.core.wikitext.escape import escape_wikitext
from bot.core.wikitext.liveness import became_live, literal
from bot.core.wikitext.titles import normal
from bot.errors import Refusal, UsageError
from bot.ops import deadline, state
from bot.ops.config import OptInWiki, Target, by_site
from bot.wiki import client, flow, optin, translate_api, translation_flow
from bot.wiki.flow import Ending, Outcome, Review

log = logging.getLogger("conversation-hours-bot")


def run_target(
    target: Target,
    review: Review,
    dry_run: bool,
    now: datetime | None = None,
    memory: state.Memory | None = None,
) -> Outcome:
    """One page, for an operator at the command line; failures raise (the CLI maps them).
    `memory` is what earlier runs learnt of the page (history dates, settled translations)."""
    client.check_credentials(target.site)
    site = client.open_site(target.site)
    pages, extras = client.read_many(site, [target.title], _stop_pages(site, [target]))
    when = now or datetime.now(UTC)
    outcome = _process(site, target, pages, extras, review, dry_run, when, memory, now is not None)
    if memory is not None and outcome.status == Ending.EDITED and outcome.revid and outcome.result:
        key = state.key(target.site, target.title)
        memory.set_last_edit(key, when, outcome.revid, flow.moved(outcome.result))
    return outcome


@dataclass(frozen=True)
class Checked:
    """`check` on a wiki: the page as read, how its yearless lines were dated, the result a run
    would reach and, per language, what it would write."""

    text: str
    written_at: dict[str, datetime | None]
    result: Result
    translations: translation_flow.Report | None


def check_target(target: Target, now: datetime | None = None) -> Checked:
    """A run's reading of one page with nothing saved, marked or remembered: the reads of a dry
    run, and the login a dry run makes when units would move (rights decide what it would do)."""
    client.check_credentials(target.site)
    site = client.open_site(target.site)
    pages, _ = client.read_many(site, [target.title], [])
    snapshot = client.snapshot(pages, target.title)
    clock_given = now is not None
    wiki = _PageWiki(
        site, target, now or datetime.now(UTC), state.Memory(), clock_given=clock_given
    )
    run = wiki.compute(snapshot)
    result = run.result
    written = wiki.memory.dates(
        state.key(target.site, target.title), snapshot.revid, target.history_limit
    )
    report = None
    if result.moved_units:
        wiki.login()
        report = wiki.preview_translations(wiki.prepare_translations(snapshot, run))
    return Checked(snapshot.text, written or {}, result, report)


class PassStopped(BaseException):
    """A pass stopped before its end (its deadline, SIGTERM): the outcomes so far, each target
    not finished said as such, and why; the caller saves the state and exits with its code."""

    def __init__(self, outcomes: list[Outcome], stop: deadline.Interrupted) -> None:
        super().__init__(str(stop))
        self.outcomes, self.stop = outcomes, stop


def run_pass(
    targets: Iterable[Target],
    now: datetime | None = None,
    dry_run: bool = False,
    memory: state.Memory | None = None,
    optins: Iterable[OptInWiki] = (),
) -> list[Outcome]:
    """Every target, unattended: the pages of one wiki are read in one batch, a target the
    wiki fails or the bot refuses is reported and the others still run, and the status page
    says what editors need to know. A dry run logs what it would save and saves nothing. A bug
    is not a failure of the wiki: it stops the pass. `memory` (the state folder's) spares
    history requests for pages unchanged since and remembers the bot's last edits. A pass
    stopped on the way raises PassStopped once every target has its outcome. On the wikis of
    `optins`, the pages that opt in with the configuration template join the targets."""
    memory = memory if memory is not None else state.Memory()
    clock_given, now = now is not None, now or datetime.now(UTC)  # once, for the whole pass
    outcomes: list[Outcome] = []
    stopped: deadline.Interrupted | None = None
    for site_name, (site_targets, site_optin) in by_site(targets, optins).items():
        if stopped is not None:
            outcomes.extend(_not_tried(t, stopped, memory, now, dry_run) for t in site_targets)
            continue
        wiki = _OnSite(site_name, site_optin, now, clock_given, dry_run, memory)
        try:
            outcomes.extend(_pass_on_site(wiki, site_targets))
        except PassStopped as stop:
            outcomes.extend(stop.outcomes)
            stopped = stop.stop
    if stopped is not None:
        raise PassStopped(outcomes, stopped)
    return outcomes


def _not_tried(
    target: Target,
    stop: deadline.Interrupted,
    memory: state.Memory,
    now: datetime,
    dry_run: bool,
) -> Outcome:
    outcome = Outcome(target, Ending.FAILED, f"not finished: the pass {stop}")
    return _logged(_remembered(outcome, memory, now, dry_run), memory)


@dataclass(frozen=True)
class _OnSite:
    """What a pass brings to one wiki: its name, its opt-in (None where it is off), the pass's
    `now` (`clock_given`: the operator named it, so the machine's clock is not compared with
    the wiki's), whether it is a dry run, and the state folder's memory."""

    name: str
    optin: OptInWiki | None
    now: datetime
    clock_given: bool
    dry_run: bool
    memory: state.Memory

    def failed(self, target: Target, message: str, seconds: float = 0.0) -> Outcome:
        outcome = Outcome(target, Ending.FAILED, message, seconds=seconds)
        return _logged(_remembered(outcome, self.memory, self.now, self.dry_run), self.memory)

    def not_tried(self, target: Target, stop: deadline.Interrupted) -> Outcome:
        return _not_tried(target, stop, self.memory, self.now, self.dry_run)


def _pass_on_site(on: _OnSite, targets: list[Target]) -> list[Outcome]:
    """The targets of one wiki, and the pages that opt in there: found, then read with the
    targets in one batch."""
    started = time.monotonic()
    try:
        client.check_credentials(on.name)
        site = client.open_site(on.name)
        discovered = _discover(site, on) if on.optin else None
        titles = [t.title for t in targets] + list(discovered.titles if discovered else ())
        shared = [on.optin.page] if on.optin else []
        status_pages = sorted({p for t in [*targets, *shared] if (p := _status_page(site, t))})
        pages, extras = client.read_many(
            site,
            list(dict.fromkeys(titles)),
            [*_stop_pages(site, [*targets, *shared]), *status_pages],
        )
    except client.WIKI_FAILURES as error:  # the whole wiki is out of reach: every target says so
        message = client.failure(on.name, error)
        return [on.failed(t, message, time.monotonic() - started) for t in targets]
    except deadline.Interrupted as stop:
        raise PassStopped([on.not_tried(t, stop) for t in targets], stop) from None
    found = [optin.Candidate(t) for t in targets]
    if on.optin is not None and discovered is not None:
        texts = {title: _text(page) for title, page in pages.items()}
        found = optin.candidates(targets, discovered, texts, on.optin)
    outcomes = _run_candidates(on, site, found, pages, extras)
    if not on.dry_run and not client.simulating():
        try:
            _write_status(site, outcomes, extras, on.now, on.memory)
        except deadline.Interrupted as stop:
            raise PassStopped(outcomes, stop) from None
    return outcomes


def _discover(site: pywikibot.site.BaseSite, on: _OnSite) -> optin.Discovered:
    """The pages that opt in on the wiki, this pass's turn of them when they are more than a
    pass takes; where the turn ended is remembered for the next pass."""
    assert on.optin is not None
    turn_key = state.key(on.optin.site, on.optin.template)
    discovered = optin.discover(site, on.optin, on.memory.turn_after(turn_key))
    on.memory.set_turn_after(turn_key, discovered.last)
    return discovered


def _text(page: "client.pywikibot.Page") -> str | None:
    """A page's text as the batch read it; None when it has none to read (missing, a
    redirect): its run then says what is wrong."""
    try:
        return None if not page.exists() or page.isRedirectPage() else page.text
    except client.WIKI_FAILURES:
        return None


def _run_candidates(
    on: _OnSite,
    site: pywikibot.site.BaseSite,
    found: list[optin.Candidate],
    pages: dict[str, "client.pywikibot.Page"],
    extras: dict[str, "client.pywikibot.Page"],
) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for index, candidate in enumerate(found):
        target = candidate.target
        started = time.monotonic()
        try:
            if candidate.refusal is not None:
                raise candidate.refusal
            outcome = _process(
                site, target, pages, extras, _unattended, on.dry_run, on.now, on.memory,
                on.clock_given,
            )  # fmt: skip
        except Refusal as refusal:
            outcome = Outcome(target, Ending.REFUSED, str(refusal))
        except client.WIKI_FAILURES as error:  # one page's failure must never stop the others
            outcome = Outcome(target, Ending.FAILED, client.failure(on.name, error))
        except deadline.Interrupted as stop:
            rest = [on.not_tried(c.target, stop) for c in found[index:]]
            raise PassStopped([*outcomes, *rest], stop) from None
        outcome = replace(outcome, seconds=time.monotonic() - started)
        outcomes.append(_logged(_remembered(outcome, on.memory, on.now, on.dry_run), on.memory))
        if outcome.status == Ending.EDITED and outcome.revid and outcome.result:
            key = state.key(target.site, target.title)
            on.memory.set_last_edit(key, on.now, outcome.revid, flow.moved(outcome.result))
            on.memory.add_edit(key, on.now)
    return outcomes


def _write_status(
    site: pywikibot.site.BaseSite,
    outcomes: list[Outcome],
    extras: dict[str, object],
    now: datetime,
    memory: state.Memory,
) -> None:
    """One edit per status page and pass at most, none when only the timestamps would change
    (but one a day, so editors can tell the bot is alive) or when a stop page holds the bot. A
    status page that cannot be written is logged; the pass's outcome does not depend on it."""
    by_page: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        if (title := _status_page(site, outcome.target)) is not None:
            by_page.setdefault(title, []).append(outcome)
    for title, group in by_page.items():
        if any(o.status == Ending.STOPPED for o in group):
            continue
        page = extras.get(title)
        if page is None:
            log.warning(
                "%s status page [[%s]] does not exist: the bot creates no page; create it "
                "(any text) so that editors see what the bot does",
                group[0].target.site,
                title,
            )
            continue
        text = status.page_text(_section(o, now, memory) for o in group)
        _replace_status(site, page, title, text, now, [o.target for o in group])


def _replace_status(
    site: pywikibot.site.BaseSite,
    page: object,
    title: str,
    text: str,
    now: datetime,
    targets: list[Target],
) -> None:
    """Writes the status page when it says something new or its news is a day old; nothing
    in it may be live that the bot did not put there (links to the pages it keeps)."""
    old = unicodedata.normalize("NFC", page.text)  # type: ignore[attr-defined]
    text = unicodedata.normalize("NFC", text)  # MediaWiki stores NFC: compare as it will be
    if not status.needs_edit(old, text) and not heartbeat_due(old, now):
        log.debug("status page [[%s]] unchanged", title)
        return
    allowed = [link for t in targets for link in _own_links(t, title)]
    live = became_live(old, text, allowed=allowed)
    if live:
        log.warning("not writing the status page [[%s]]: it would make live %s", title, live)
        return
    summary = flow.linked(
        f"Bot: status after the pass of {now:%Y-%m-%d %H:%M} UTC",
        _documentation(site, targets[0]),
    )
    try:
        client.login(site)
        client.replace(page, text, summary)
    except client.WIKI_FAILURES as error:
        log.warning("could not write the status page [[%s]]: %s", title, client.reason(error))


#: The status page is edited at least this often, so that its "Last pass" shows the bot alive.
HEARTBEAT = timedelta(days=1)
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")


def heartbeat_due(old: str, now: datetime) -> bool:
    """Whether the newest moment the status page shows is a day old or more (or it shows
    none): then a pass edits it even with nothing new to say."""
    stamps = [
        datetime.strptime(m, "%Y-%m-%d %H:%M").replace(tzinfo=UTC) for m in _STAMP.findall(old)
    ]
    return not stamps or now - max(stamps) >= HEARTBEAT


def _own_links(target: Target, *titles: str) -> tuple[str, ...]:
    """The live markup the bot itself writes on its pages: links to the pages it keeps (and to
    their archive pages, subpages of them or under the prefixes the operator allows) and to
    its own pages, and diffs."""
    pages = {target.title, *titles, *(t for t in (target.report_page, target.status_page) if t)}
    keys = {normal(p) for p in pages}
    heads = [f"{normal(target.title)}/", *map(normal, target.archive_prefixes)]
    subpages = [literal(f"link:{head}") + "*" for head in heads] if target.archive else []
    return ("link:Special:Diff/*", *(literal(f"link:{k}") for k in sorted(keys)), *subpages)


def _unattended(old: str, new: str, summary: str) -> bool:
    log.debug("would save %s", summary)
    return True


def _remembered(outcome: Outcome, memory: state.Memory, now: datetime, dry_run: bool) -> Outcome:
    """The outcome with what it means next to the last pass's; a dry run remembers nothing."""
    if dry_run:
        return outcome
    key = state.key(outcome.target.site, outcome.target.title)
    return replace(outcome, news=memory.record(key, outcome.status, outcome.message, now))


def _news(outcome: Outcome, memory: state.Memory) -> str:
    if outcome.news in (None, state.OK):
        return ""
    failure = memory.failure(state.key(outcome.target.site, outcome.target.title))
    if outcome.news == state.STILL_FAILING and failure is not None:
        return f" ({outcome.news} since {readable_moment(failure.since)}; no news)"
    return f" ({outcome.news})"


def readable_moment(iso: str) -> str:
    """A remembered moment as people read it in a log line: `2026-11-24 07:00 UTC`, not the
    ISO form with microseconds it is stored in."""
    try:
        return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    except ValueError:
        return iso


def _logged(outcome: Outcome, memory: state.Memory) -> Outcome:
    """One line per target per pass: what Toolforge's log files keep, with the news a failure
    is or is not (a persisting failure is no news, and the pass does not exit for it)."""
    target = outcome.target
    revision = f"rev={outcome.revid}" if outcome.revid else "no change"
    level = logging.ERROR if outcome.news == state.NEW_FAILURE else logging.INFO
    if outcome.news is None and outcome.failed:
        level = logging.ERROR
    log.log(
        level,
        "%s [[%s]] %s moved=%d %s %.1fs: %s%s",
        target.site,
        target.title,
        outcome.status,
        outcome.moved,
        revision,
        outcome.seconds,
        outcome.message,
        _news(outcome, memory),
    )
    if outcome.result is not None:
        for warning in outcome.result.warnings:
            log.warning("%s [[%s]] warning: %s", target.site, target.title, warning)
    return outcome


def _user_page(site: pywikibot.site.BaseSite, subpage: str = "") -> str | None:
    """A page of the bot account's own, `User:<bot>` + subpage; None with no account set up."""
    name = client.bot_name(site)
    return f"User:{name}{subpage}" if name else None


def _stop_page(site: pywikibot.site.BaseSite, target: Target) -> str | None:
    return target.stop_page or _user_page(site, "/Stop")


def _section(outcome: Outcome, now: datetime, memory: state.Memory) -> str:
    last = memory.last_edit(state.key(outcome.target.site, outcome.target.title)) or {}
    try:
        at = datetime.fromisoformat(last["at"]) if last else None
    except (TypeError, ValueError):
        at = None
    page = flow.page_status(outcome, now, at, _moved_in(last))
    return status.render_section(page, outcome.target.settings.templates_dir)


def _moved_in(last: dict[str, object]) -> list[str]:
    """What the last edit moved, the last item naming its revision: two edits that moved
    sessions of the same words are two pieces of news, never one."""
    moved = [str(m) for m in last.get("moved") or ()]  # type: ignore[attr-defined]
    if moved and last.get("revid"):
        moved[-1] += f" (revision {last['revid']})"
    return moved


def _status_page(site: pywikibot.site.BaseSite, target: Target) -> str | None:
    return target.status_page or _user_page(site, "/Status")


def _stop_pages(site: pywikibot.site.BaseSite, targets: list[Target]) -> list[str]:
    return sorted({page for t in targets if (page := _stop_page(site, t))})


def _process(
    site: pywikibot.site.BaseSite,
    target: Target,
    pages: dict[str, "client.pywikibot.Page"],
    extras: dict[str, "client.pywikibot.Page"],
    review: Review,
    dry_run: bool,
    now: datetime,
    memory: state.Memory | None = None,
    clock_given: bool = True,
) -> Outcome:
    stop_title = _stop_page(site, target)
    stop = extras.get(stop_title) if stop_title else None
    if stop is not None and stop.text.strip():
        return Outcome(
            target, Ending.STOPPED, f"stopped: [[{stop_title}]] is not empty; no edit made"
        )
    snapshot = client.snapshot(pages, target.title)
    wiki = _PageWiki(site, target, now, memory or state.Memory(), clock_given=clock_given)
    if not dry_run:
        wiki.reconcile(snapshot)
    return flow.process(wiki, target, snapshot, review, dry_run, _documentation(site, target))


def _documentation(site: pywikibot.site.BaseSite, target: Target) -> str | None:
    return target.documentation or _user_page(site)


@dataclass
class _PageWiki:
    """flow.PageWiki with pywikibot, for one target."""

    site: pywikibot.site.BaseSite
    target: Target
    now: datetime
    memory: state.Memory
    #: The result last computed: what a save about to be made moves.
    result: Result | None = None
    #: Whether `now` was given (--now): then the machine's clock is not what decides.
    clock_given: bool = False
    #: For a page with an archive: the archive pages as read and the edits the run last
    #: computed makes of them, saved before the page's own.
    archives_read: dict[str, client.Snapshot | None] = field(default_factory=dict)
    archive_edits: tuple[archive.ArchiveEdit, ...] = ()

    @property
    def key(self) -> str:
        return state.key(self.target.site, self.target.title)

    @property
    def translate(self) -> translate_api.SiteTranslate:
        """The translation flow's wiki: this target's site."""
        return translate_api.SiteTranslate(self.site)

    def reconcile(self, snapshot: client.Snapshot) -> None:
        """Finishes the record of an edit that a run killed mid-save may have made: page
        history says whether it landed; if it did, it becomes the last edit (the status page
        shows it) and the report page gets its line. One history request, only then."""
        intent = self.memory.saving(self.key)
        if intent is None:
            return
        revid = client.own_edit(snapshot.page, intent["base"], intent["summary"])
        if revid is not None and (self.memory.last_edit(self.key) or {}).get("revid") != revid:
            at = datetime.fromisoformat(intent["at"])
            self.memory.set_last_edit(self.key, at, revid, intent["moved"])
            log.info(
                "%s [[%s]]: recorded revision %d, which an interrupted run saved",
                self.target.site,
                self.target.title,
                revid,
            )
            self._report_line(report_line(self.target, at, intent["moved"], revid, None), revid)
        self.memory.clear_saving(self.key)

    def compute(self, snapshot: client.Snapshot) -> Run:
        """The core's run on this revision, with yearless lines dated from page history."""
        try:
            page = read_page(snapshot.text, self.target.settings)
            written = self._written_at(snapshot, yearless_lines(page))
            done = pipeline.run(page, self.now, self.target.settings, written_at=written)
            if self.target.archive is not None:
                done = self._archived(done, self.target.archive)
            self.result = done.result
            return done
        except Refusal as refusal:
            raise Refusal(f"[[{self.target.title}]]: {refusal}") from None

    def _archived(self, done: Run, pattern: str) -> Run:
        """The run with its entries bound for the archive pages, which are read for it (one
        batch, only when something moves)."""
        title, settings = self.target.title, self.target.settings
        allowed = self.target.archive_prefixes
        titles = archive.archive_titles(title, pattern, done, allowed)
        self.archives_read = client.read_archives(self.site, list(titles)) if titles else {}
        texts = {name: read.text if read else None for name, read in self.archives_read.items()}
        header = Renderer(settings.templates_dir).archive_header(title, done.page.log.heading.title)
        archived = archive.run_archived(done, title, pattern, texts, header, settings, allowed)
        self.archive_edits = archived.archives
        return archived.run

    def _written_at(
        self, snapshot: client.Snapshot, lines: list[str]
    ) -> dict[str, datetime | None]:
        """From page history, or from memory when the page has not changed since: the history
        behind one revision never changes, so its answer holds as long as the revision does."""
        key, limit = state.key(self.target.site, self.target.title), self.target.history_limit
        cached = self.memory.dates(key, snapshot.revid, limit)
        if cached is not None and all(line in cached for line in lines):
            return {line: cached[line] for line in lines}
        written = client.written_at(snapshot, lines, limit)
        self.memory.set_dates(key, snapshot.revid, limit, written)
        return written

    def reread(self, snapshot: client.Snapshot) -> client.Snapshot:
        return client.reread(snapshot)

    def login(self) -> None:
        """Logs in before anything is written, and, unless the run was told its moment
        (--now), checks the machine's clock against the wiki's: what is over is decided by
        the clock, so a clock off by more than the grace must move nothing."""
        client.login(self.site)
        if not self.clock_given:
            check_clock(self.now, client.wiki_time(self.site), self.target.settings.grace)

    def held_back(self) -> str | None:
        cap = self.target.edit_cap
        if cap is None or self.memory.edits_within(self.key, self.now) < cap:
            return None
        return (
            f"held: the bot edited this page {cap} times in the last day, the most its opt-in "
            "allows; a later pass moves the rest"
        )

    def save(self, snapshot: client.Snapshot, text: str, summary: str) -> int | None:
        """Saves, with the edit remembered in the state folder first: a run killed before it
        hears the answer leaves the next run what it needs to find the edit in history."""
        moved = flow.moved(self.result) if self.result is not None else []
        self.memory.set_saving(self.key, snapshot.revid, summary, self.now, moved)
        try:
            state.flush(self.memory)
        except OSError as error:
            raise UsageError(
                f"cannot record the edit about to be made in the state folder "
                f"({error.strerror or error}); no edit made"
            ) from None
        for edit in self.archive_edits:  # the entries first: a failed page save loses none
            if edit.changed:
                summary_linked = flow.linked(edit.summary, _documentation(self.site, self.target))
                read = self.archives_read[edit.title]
                client.save_archive(self.site, read, edit.title, edit.text, summary_linked)
        revid = client.save(snapshot, text, summary)
        if revid is None:  # simulated: nothing to find later
            self.memory.clear_saving(self.key)
        return revid

    def diff_url(self, revid: int) -> str:
        return client.diff_url(self.site, revid)

    def resume_translations(
        self, snapshot: client.Snapshot, run: Run
    ) -> translation_flow.Report | None:
        """Looks for an earlier edit's unfinished translations, unless this revision was found
        settled before: an unchanged page with nothing pending costs no request."""
        key = state.key(self.target.site, self.target.title)
        if not self.target.translations:
            return None  # the page's template says: leave the translations to people
        if client.simulating() or self.memory.translations_settled(key, snapshot.revid):
            return None  # finishing marks and writes: a simulated run does neither
        report = translation_flow.resume(self.translate, self.target, run.page, snapshot.revid)
        self.memory.set_translations(key, snapshot.revid, _settled(report))
        return report

    def prepare_translations(
        self, snapshot: client.Snapshot, run: Run
    ) -> translation_flow.Prepared | None:
        if not self.target.translations:
            return None
        return translation_flow.prepare(self.translate, self.target, run, snapshot.revid)

    def preview_translations(
        self, prepared: translation_flow.Prepared | None
    ) -> translation_flow.Report | None:
        return translation_flow.preview(prepared) if prepared is not None else None

    def finish_translations(
        self, prepared: translation_flow.Prepared | None, revid: int
    ) -> translation_flow.Report | None:
        if prepared is None:
            return None
        report = translation_flow.finish(self.translate, prepared, revid)
        key = state.key(self.target.site, self.target.title)
        self.memory.set_translations(key, revid, _settled(report))
        return report

    def report(
        self, result: Result, revid: int, translations: flow.TranslationReport | None
    ) -> None:
        """Appends the edit to the report page; the edit stands even when this fails."""
        status = translations.status if translations is not None else None
        line = report_line(self.target, self.now, flow.moved(result), revid, status)
        self._report_line(line, revid)
        self.memory.clear_saving(self.key)  # the edit is recorded: nothing to reconcile
        with contextlib.suppress(OSError):  # the end of the run saves it, or says why not
            state.flush(self.memory)

    def _report_line(self, line: str, revid: int) -> None:
        target = self.target
        if not target.report_page:
            return
        live = became_live("", line, allowed=_own_links(target))
        if live:
            self._not_reported(f"the line would make live {live}")
            return
        summary = flow.linked(
            f"Bot: report of [[Special:Diff/{revid}]]", _documentation(self.site, target)
        )
        try:
            client.append(self.site, target.report_page, line, summary)
        except client.WIKI_FAILURES as error:
            self._not_reported(client.reason(error))

    def _not_reported(self, why: str) -> None:
        target = self.target
        log.warning(
            "%s [[%s]]: could not add to the report page [[%s]]: %s",
            target.site,
            target.title,
            target.report_page,
            why,
        )


def report_line(
    target: Target, at: datetime, moved: list[str], revid: int, translations: str | None
) -> str:
    """The report page's line for one edit (`moved` as flow.moved gives it, `translations`
    the translation flow's status); what came from the page is escaped, as on every page the
    bot writes."""
    sessions = ", ".join(escape_wikitext(m) for m in moved)
    line = (
        f"* {at:%Y-%m-%d %H:%M} UTC: [[Special:Diff/{revid}]] on "
        f"[[{target.title}]]: moved {sessions}"
    )
    if translations is not None:  # "needs marking" is what a translation admin watches for
        line += f"; translations: {escape_wikitext(translations)}"
    return line


def check_clock(now: datetime, wiki_now: datetime, grace: timedelta) -> None:
    """Refuses to move anything when the machine's clock and the wiki's differ by more than
    the grace period: a session would move too early, or stay long after it ended."""
    apart = abs(now - wiki_now)
    if apart > grace:
        raise Refusal(
            f"the machine's clock ({now:%Y-%m-%d %H:%M:%S} UTC) is {_minutes(apart)} off the "
            f"wiki's ({wiki_now:%Y-%m-%d %H:%M:%S} UTC), more than the grace period; nothing "
            "moved: set the machine's clock (NTP)"
        )


def _minutes(span: timedelta) -> str:
    minutes = span.total_seconds() / 60
    return f"{minutes:.0f} minutes" if minutes < 120 else f"{minutes / 60:.1f} hours"


def _settled(report: translation_flow.Report | None) -> bool:
    """Nothing left to finish or to tell: no work found, or all of it done and written. A
    translation the bot left is looked at again on the next pass, so the run and the status
    page keep naming it until a person brings it up to date."""
    return report is None or (
        report.status == translation_flow.Status.DONE and not any(report.left.values())
    )
