"""The translation flow around the bot's edit: read what Translate knows before the edit, then
mark the bot's own revision, wait for Translate's jobs, write each language's log entries and
check that they show as current.

Sequencing only; what each translation becomes is decided by bot.core.translation.plan. A page
without Translate markup never gets here, so it costs no request.
"""

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Protocol

from bot.core.change.render import Renderer
from bot.core.page.model import Page
from bot.core.page.reader import read_page
from bot.core.pipeline import Run
from bot.core.translation import plan as translations
from bot.core.translation.plan import MovedUnit, Translation, TranslationPlan
from bot.core.wikitext.liveness import became_live
from bot.errors import Refusal
from bot.ops.config import Target
from bot.wiki import flow, translate_api
from bot.wiki.client import WIKI_FAILURES, reason
from bot.wiki.translate_api import History, State, Stored

log = logging.getLogger("conversation-hours-bot")


class TranslateWiki(Protocol):
    """What the flow asks of the wiki, and nothing else: translate_api.SiteTranslate asks a
    real one; the tests' fake (tests/fake_translate.py) keeps one page's Translate in memory,
    so the flow's sequencing is tested without a server. Each method raises one of
    client.WIKI_FAILURES when the wiki fails."""

    def bot_name(self) -> str | None: ...

    def login(self) -> None: ...

    def has_right(self, right: str) -> bool: ...

    def read_state(self, title: str, moved: Sequence[str], context: Iterable[str]) -> State:
        """The rights, the marked revision and the moved and context units' translations."""
        ...

    def mark(self, title: str, revid: int) -> None:
        """Marks `revid` for translation, which queues Translate's jobs."""
        ...

    def english_done(self, title: str, expected: dict[str, str], source_language: str) -> bool:
        """Whether Translate's jobs have written each unit's new English definition."""
        ...

    def wait_for_jobs(self, title: str, expected: dict[str, str], source_language: str) -> bool:
        """english_done, polled for about half a minute."""
        ...

    def save_translation(
        self, title: str, text: str, base: Stored, read_at: str, summary: str
    ) -> str | None:
        """Saves one translation against the revision read; None when saved, else why not."""
        ...

    def fuzzy_languages(self, title: str, marker: str) -> dict[str, bool]: ...

    def history(self, title: str, limit: int) -> History: ...

    def revision_texts(self, revids: Sequence[int]) -> dict[int, str]: ...

    def definition_changed_at(self, title: str, marker: str, source_language: str) -> str:
        """When the unit's English definition before the current one was written."""
        ...


class Status(StrEnum):
    """What the report says about the translations (JSON `translations.status`)."""

    #: Every unit that could be written was written and shows as current.
    DONE = "done"
    #: Marked, but Translate's jobs had not run: the next run ends it.
    PENDING = "translations pending"
    #: No `pagetranslation` right: a translation admin must mark the page.
    NEEDS_MARKING = "needs marking"
    #: An editor's change was not marked, so the bot does not mark it either.
    EDITOR_CHANGE = "unmarked change pending"
    #: A dry run or a check: nothing marked, nothing written.
    PREVIEW = "would write"
    FAILED = "failed"


JOBS_LATE = "Translate's jobs have not run yet; the next run writes the translations"


_NONE = translations.LanguagePlan()


@dataclass
class Report:
    status: Status
    plan: TranslationPlan | None = None
    written: dict[str, list[str]] = field(default_factory=dict)
    left: dict[str, dict[str, str]] = field(default_factory=dict)
    note: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "status": self.status,
            "note": self.note,
            "written": self.written,
            "left": self.left,
            "plan": self.plan.as_json() if self.plan is not None else {},
        }

    def pending(self) -> tuple[str, ...]:
        """What is left for people or a later run, as the status page lists it."""
        waiting = () if self.status in (Status.DONE, Status.PREVIEW) else (self.status,)
        left = tuple(
            f"{language}: unit {marker} left ({why})"
            for language, units in sorted(self.left.items())
            for marker, why in units.items()
        )
        return (*waiting, *left)

    def summary(self) -> str:
        """One line for the run's log: the status, then per language what was written or left."""
        return "; ".join(self.parts())

    def parts(self) -> list[str]:
        """The status, the note, then one part per language (`check` prints one a line)."""
        parts = [f"translations: {self.status}"]
        if self.note:
            parts.append(self.note)
        planned = (
            self.plan.languages if self.plan is not None and self.status == Status.PREVIEW else {}
        )
        for language in sorted({*self.written, *self.left, *planned}):
            said = [f"unit {m} would be written" for m in planned.get(language, _NONE).writes]
            said += [f"unit {m} written" for m in self.written.get(language, [])]
            said += [f"unit {m} left ({why})" for m, why in self.left.get(language, {}).items()]
            parts.append(f"{language}: {', '.join(said)}")
        return parts


@dataclass(frozen=True)
class Prepared:
    """Read before the edit: the page's translation state and what each language would get."""

    target: Target
    read_revid: int
    units: tuple[MovedUnit, ...]
    state: State | None  # None when Translate's state could not be read
    plan: TranslationPlan
    failure: str = ""  # why it could not: the edit goes on, nothing is marked or written


def prepare(wiki: TranslateWiki, target: Target, run: Run, revid: int) -> Prepared | None:
    """The reads of step 1, batched, for what the core's run says it needs; None when the edit
    moves no translation unit. Nothing of the page is read or rendered again."""
    needs = translations.needs(run)
    if needs is None:
        return None
    units = needs.units
    try:
        state = wiki.read_state(target.title, needs.markers, needs.context)
    except WIKI_FAILURES as error:
        return Prepared(target, revid, units, None, TranslationPlan({}), reason(error))
    if state.marked_revid is None:
        return None  # Translate does not know the page: there are no translations to keep
    renderer = Renderer(target.settings.templates_dir)
    plan = translations.plan(needs, _as_core(state), renderer)
    return Prepared(target, revid, units, state, plan)


def _as_core(state: State) -> dict[str, dict[str, Translation]]:
    return {
        language: {m: Translation(s.text, s.fuzzy) for m, s in units.items()}
        for language, units in state.translations.items()
    }


def preview(prepared: Prepared) -> Report:
    """What a real run would do, for --dry-run: nothing is marked, nothing written."""
    blocked = _blocked(prepared)
    if blocked is not None:
        return blocked
    return Report(Status.PREVIEW, prepared.plan, left=_left(prepared.plan))


def _blocked(prepared: Prepared) -> Report | None:
    """Why the bot must not mark the page, if it must not."""
    state = prepared.state
    if state is None:
        return Report(
            Status.FAILED,
            note=f"reading the translations failed ({prepared.failure}); a later run marks the "
            "bot's edit and finishes the translations",
        )
    if state.marked_revid != prepared.read_revid:
        return Report(
            Status.EDITOR_CHANGE,
            note=f"revision {prepared.read_revid} was read but {state.marked_revid} is the last "
            "marked one: an editor's change awaits review, so the bot did not mark the page",
        )
    if not state.can("pagetranslation"):
        return Report(
            Status.NEEDS_MARKING,
            note="the bot has no pagetranslation right: the page needs marking for translation",
        )
    return None


def _left(plan: TranslationPlan) -> dict[str, dict[str, str]]:
    return {lang: dict(p.left) for lang, p in plan.languages.items() if p.left}


def finish(wiki: TranslateWiki, prepared: Prepared, revid: int) -> Report:
    """Steps 3 to 6 after the bot's edit `revid`; never raises for the wiki's failures, since the
    edit itself stands: the report says what is left, and a later run finishes it."""
    blocked = _blocked(prepared)
    if blocked is not None:
        return blocked
    try:
        wiki.mark(prepared.target.title, revid)
    except WIKI_FAILURES as error:
        return _failed(prepared.plan, "marking the bot's edit for translation", error)
    return complete(wiki, prepared)


def _failed(plan: TranslationPlan, doing: str, error: BaseException) -> Report:
    return Report(Status.FAILED, plan, left=_left(plan), note=_later(doing, error))


def _later(doing: str, error: BaseException) -> str:
    """A failure's note says that nobody needs to step in: the next run picks the work up."""
    return f"{doing} failed ({reason(error)}); a later run finishes the translations"


def complete(wiki: TranslateWiki, prepared: Prepared) -> Report:
    """Steps 4 to 6: wait for the jobs, write each language's entries, check they are current."""
    state, title = prepared.state, prepared.target.title
    assert state is not None  # _blocked said so
    expected = {u.marker: u.english for u in prepared.units}
    try:
        ran = wiki.wait_for_jobs(title, expected, state.source_language)
    except WIKI_FAILURES as error:
        return _failed(prepared.plan, "waiting for Translate's jobs", error)
    if not ran:
        return Report(
            Status.PENDING,
            prepared.plan,
            left=_left(prepared.plan),
            note=JOBS_LATE,
        )
    return _write(wiki, prepared)


def _write(wiki: TranslateWiki, prepared: Prepared) -> Report:
    """Step 5 and 6: each language's entries as bot edits, then the check that they count. A
    failure on the way keeps what was written in the report and stops: the wiki is failing."""
    state, title = prepared.state, prepared.target.title
    assert state is not None
    report = Report(Status.DONE, prepared.plan, left=_left(prepared.plan))
    if not (state.can("translate") and prepared.plan.writes):
        if prepared.plan.writes:
            report.note = "the bot has no translate right: no translation written"
        return report
    summary = _summary(wiki, prepared.target)
    doing = "writing the translations"
    try:
        for language, language_plan in sorted(prepared.plan.languages.items()):
            for marker, text in language_plan.writes.items():
                page = translate_api.unit_title(title, marker, language)
                base = state.translations[language][marker]
                why = _becomes_live(base.text, text) or wiki.save_translation(
                    page, text, base, state.read_at, summary
                )
                if why is None:
                    report.written.setdefault(language, []).append(marker)
                else:
                    report.left.setdefault(language, {})[marker] = why
        doing = "checking the translations written"
        _verify(wiki, title, report)
    except WIKI_FAILURES as error:
        report.status, report.note = Status.FAILED, _later(doing, error)
    return report


def _summary(wiki: TranslateWiki, target: Target) -> str:
    """The translations' edit summary, linked to the bot's documentation like every other."""
    name = wiki.bot_name()
    documentation = target.documentation or (f"User:{name}" if name else None)
    return flow.linked(
        f"Bot: log entry of [[{target.title}]] in this language (the session is over)",
        documentation,
    )


def _becomes_live(old: str, new: str) -> str | None:
    """Why a translation must not be written: it would make live what the old one did not
    hold (a title written with entities decodes into a template, a category, a signature)."""
    live = became_live(old, new)
    if not live:
        return None
    return f"the new text would make live what the translation did not hold: {', '.join(live)}"


def _verify(wiki: TranslateWiki, title: str, report: Report) -> None:
    """Step 6: a unit the bot wrote that Translate still shows outdated is reported as left."""
    markers = sorted({m for units in report.written.values() for m in units})
    for marker in markers:
        fuzzy = wiki.fuzzy_languages(title, marker)
        for language, units in report.written.items():
            if marker in units and fuzzy.get(language, False):
                units.remove(marker)
                report.left.setdefault(language, {})[marker] = (
                    "written, but Translate still shows it outdated (no unfuzzy right?)"
                )
    report.written = {lang: units for lang, units in report.written.items() if units}
    if any(report.left.values()):
        log.debug("translations left outdated: %s", report.left)


#: How many of the page's newest revisions a later run looks through for the bot's own edits.
HISTORY_LIMIT = 20
#: How the bot's own edit summaries start (bot.core.report.result.summary).
MOVE_SUMMARY = "Bot: moved"


def resume(wiki: TranslateWiki, target: Target, page: Page, revid: int) -> Report | None:
    """A run with nothing to move finishes the translations of the bot's earlier edits: once
    the page has been marked at or after them (by the bot, whose jobs were late, or by a
    translation administrator), steps 4 to 6, which need only the `translate` right; before
    that, it marks them itself when it may and they are all that changed since the last mark
    (the run that made them could not: its mark or its read failed), else it says what they
    wait for. None when there is nothing to finish. `page` is the run's reading of `revid`."""
    if not page.uses_translate:
        return None
    try:
        read = wiki.history(target.title, HISTORY_LIMIT)
        if read.marked_revid is None:
            return None  # Translate does not know the page: there are no translations to keep
        found = _mark_own_moves(wiki, target, read, revid)
        if isinstance(found, Report):
            return found  # the bot's moves wait to be marked
        units = _earlier_moves(wiki, target, page, found)
        if not units:
            return None
        just_marked = found.marked_revid != read.marked_revid
        return _finish_earlier(wiki, target, page, revid, units, found, just_marked)
    except WIKI_FAILURES as error:
        return Report(Status.FAILED, note=_later("finishing the translations", error))


def _own_move(revision: translate_api.Revision, me: str | None) -> bool:
    return revision.user == me and revision.comment.startswith(MOVE_SUMMARY)


def _mark_own_moves(
    wiki: TranslateWiki, target: Target, found: History, revid: int
) -> History | Report:
    """Marks the bot's own moves made since the last mark when they are all that changed since,
    and returns the history as it then stands; else the report of why they wait."""
    assert found.marked_revid is not None
    me = wiki.bot_name()
    unmarked = [r for r in found.revisions if r.revid > found.marked_revid]
    if not any(_own_move(r, me) for r in unmarked):
        return found
    reaches_mark = unmarked[-1].parentid == found.marked_revid
    if not reaches_mark or not all(_own_move(r, me) for r in unmarked):
        return Report(
            Status.EDITOR_CHANGE,
            note=f"the bot's moves wait to be marked for translation together with other "
            f"changes since revision {found.marked_revid}; a translation administrator's "
            "review marks them",
        )
    wiki.login()
    if not wiki.has_right("pagetranslation"):
        return Report(
            Status.NEEDS_MARKING,
            note="the bot has no pagetranslation right: its moves need marking for translation",
        )
    wiki.mark(target.title, revid)
    return replace(found, marked_revid=revid, previous_mark=found.marked_revid)


def _earlier_moves(
    wiki: TranslateWiki, target: Target, page: Page, found: History
) -> dict[str, MovedUnit]:
    """The units the bot's own edits moved since the mark before the last one, whose English
    is still the marked one."""
    me = wiki.bot_name()
    assert found.marked_revid is not None
    edits = [
        r
        for r in found.revisions
        if _own_move(r, me) and found.previous_mark < r.revid <= found.marked_revid
    ]
    if not edits:
        return {}
    wiki.login()  # what follows may write translations
    texts = wiki.revision_texts(sorted({r.revid for r in edits} | {r.parentid for r in edits}))
    current = {u.marker: u.content for u in page.markup.units if u.marker}
    units: dict[str, MovedUnit] = {}
    for edit in edits:
        try:
            before = read_page(texts[edit.parentid], target.settings)
            after = read_page(texts[edit.revid], target.settings)
        except (KeyError, Refusal):
            continue  # a revision the bot cannot read now: its units are not claimed
        for unit in translations.moved_between(before, after, target.settings):
            if current.get(unit.marker) == unit.english:
                units.setdefault(unit.marker, unit)
    return units


def _finish_earlier(
    wiki: TranslateWiki,
    target: Target,
    page: Page,
    revid: int,
    units: dict[str, MovedUnit],
    found: History,
    just_marked: bool,
) -> Report | None:
    """Until Translate's jobs have run no translation shows as outdated yet, so they are asked
    about first: a run before them must not take the quiet for work done. A run that has just
    marked waits for them, as the run of the edit does."""
    title = target.title
    expected = {m: u.english for m, u in units.items()}
    ask = wiki.wait_for_jobs if just_marked else wiki.english_done
    if not ask(title, expected, found.source_language):
        return Report(Status.PENDING, note=JOBS_LATE)
    needs = translations.needs_of(page, tuple(units.values()))
    state = wiki.read_state(title, needs.markers, needs.context)
    outdated = {
        lang: {m for m, s in stored.items() if m in units and s.fuzzy}
        for lang, stored in state.translations.items()
    }
    if not any(outdated.values()):
        return None  # every translation of the moved units is current: nothing left to do
    changed_at = {
        m: wiki.definition_changed_at(title, m, state.source_language)
        for m in sorted({m for ms in outdated.values() for m in ms})
    }
    core = {}
    for lang, stored in state.translations.items():
        core[lang] = {
            m: Translation(s.text, s.fuzzy and (m not in units or s.timestamp < changed_at[m]))
            for m, s in stored.items()
            # a current translation of a moved unit is a person's: never touched
            if m not in units or m in outdated[lang]
        }
    renderer = Renderer(target.settings.templates_dir)
    plan = translations.plan(needs, core, renderer)
    return _write(wiki, Prepared(target, revid, tuple(units.values()), state, plan))
