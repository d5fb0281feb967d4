"""The translation flow around the bot's edit: read what Translate knows before the edit, then
mark the bot's own revision, wait for Translate's jobs, write each language's log entries and
check that they show as current.

Sequencing only; what each translation becomes is decided by bot.core.translations. A page
without Translate markup never gets here, so it costs no request.
"""

import logging
from dataclasses import dataclass, field

from bot.core import translations
from bot.core.reader import read_page
from bot.core.render import Renderer
from bot.core.result import Result
from bot.core.translations import MovedUnit, Translation, TranslationPlan
from bot.ops.config import Target
from bot.wiki import translate_api
from bot.wiki.client import WIKI_FAILURES, reason
from bot.wiki.translate_api import State

log = logging.getLogger("conversation-hours-bot")

#: What the report says about the translations, one word each (JSON `translations.status`).
DONE = "done"  # every unit that could be written was written and shows as current
PENDING = "translations pending"  # marked, but Translate's jobs had not run: the next run ends it
NEEDS_MARKING = "needs marking"  # no `pagetranslation` right: a translation admin must mark
EDITOR_CHANGE = "unmarked change pending"  # an editor's change was not marked: not marked
NOT_TRANSLATABLE = "not marked for translation"  # markup, but Translate does not know the page
PREVIEW = "would write"  # dry run or check: nothing marked, nothing written
FAILED = "failed"


@dataclass
class Report:
    status: str
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

    def summary(self) -> str:
        """One line for the run's log: the status, then per language what was written or left."""
        parts = [f"translations: {self.status}"]
        if self.note:
            parts.append(self.note)
        for language in sorted({*self.written, *self.left}):
            said = [f"unit {m} written" for m in self.written.get(language, [])]
            said += [f"unit {m} left ({why})" for m, why in self.left.get(language, {}).items()]
            parts.append(f"{language}: {', '.join(said)}")
        return "; ".join(parts)


@dataclass(frozen=True)
class Prepared:
    """Read before the edit: the page's translation state and what each language would get."""

    target: Target
    read_revid: int
    units: tuple[MovedUnit, ...]
    state: State | None  # None when Translate's state could not be read
    plan: TranslationPlan
    failure: str = ""  # why it could not: the edit goes on, nothing is marked or written


def prepare(site: object, target: Target, text: str, revid: int, result: Result) -> Prepared | None:
    """The reads of step 1, batched; None when the edit moves no translation unit."""
    page = read_page(text, target.settings)
    if not page.uses_translate or not result.moved_units:
        return None
    renderer = Renderer(target.settings.templates_dir)
    units = translations.moved_units(page, result, renderer)
    known = translations.examples(page)
    context = [*{u.title_unit for u in units if u.title_unit}, *(e.marker for e in known)]
    try:
        state = translate_api.read_state(site, target.title, [u.marker for u in units], context)  # type: ignore[arg-type]
    except WIKI_FAILURES as error:
        return Prepared(target, revid, tuple(units), None, TranslationPlan({}), reason(error))
    plan = translations.plan(units, known, _as_core(state), renderer)
    return Prepared(target, revid, tuple(units), state, plan)


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
    return Report(PREVIEW, prepared.plan, left=_left(prepared.plan))


def _blocked(prepared: Prepared) -> Report | None:
    """Why the bot must not mark the page, if it must not."""
    state = prepared.state
    if state is None:
        return Report(FAILED, note=f"could not read the translations: {prepared.failure}")
    if state.marked_revid is None:
        return Report(NOT_TRANSLATABLE, note="the page is not marked for translation")
    if state.marked_revid != prepared.read_revid:
        return Report(
            EDITOR_CHANGE,
            note=f"revision {prepared.read_revid} was read but {state.marked_revid} is the last "
            "marked one: an editor's change awaits review, so the bot did not mark the page",
        )
    if not state.can("pagetranslation"):
        return Report(
            NEEDS_MARKING,
            note="the bot has no pagetranslation right: the page needs marking for translation",
        )
    return None


def _left(plan: TranslationPlan) -> dict[str, dict[str, str]]:
    return {lang: dict(p.left) for lang, p in plan.languages.items() if p.left}


def finish(site: object, prepared: Prepared, revid: int) -> Report:
    """Steps 3 to 6 after the bot's edit `revid`; never raises for the wiki's failures, since the
    edit itself stands."""
    blocked = _blocked(prepared)
    if blocked is not None:
        return blocked
    try:
        translate_api.mark(site, prepared.target.title, revid)  # type: ignore[arg-type]
        return complete(site, prepared)
    except WIKI_FAILURES as error:
        return Report(FAILED, prepared.plan, note=reason(error))


def complete(site: object, prepared: Prepared) -> Report:
    """Steps 4 to 6: wait for the jobs, write each language's entries, check they are current."""
    state, title = prepared.state, prepared.target.title
    assert state is not None  # _blocked said so
    expected = {u.marker: u.english for u in prepared.units}
    if not translate_api.wait_for_jobs(site, title, expected, state.source_language):  # type: ignore[arg-type]
        return Report(
            PENDING,
            prepared.plan,
            left=_left(prepared.plan),
            note="Translate's jobs have not run yet; the next run writes the translations",
        )
    report = Report(DONE, prepared.plan, left=_left(prepared.plan))
    if not (state.can("translate") and prepared.plan.writes):
        if prepared.plan.writes:
            report.note = "the bot has no translate right: no translation written"
        return report
    summary = f"Bot: log entry of [[{title}]] in this language (the session is over)"
    for language, language_plan in sorted(prepared.plan.languages.items()):
        for marker, text in language_plan.writes.items():
            page = translate_api.unit_title(title, marker, language)
            why = translate_api.save_translation(
                site,  # type: ignore[arg-type]
                page,
                text,
                state.translations[language][marker],
                state.read_at,
                summary,
            )
            if why is None:
                report.written.setdefault(language, []).append(marker)
            else:
                report.left.setdefault(language, {})[marker] = why
    _verify(site, title, report)
    return report


def _verify(site: object, title: str, report: Report) -> None:
    """Step 6: a unit the bot wrote that Translate still shows outdated is reported as left."""
    markers = sorted({m for units in report.written.values() for m in units})
    for marker in markers:
        fuzzy = translate_api.fuzzy_languages(site, title, marker)  # type: ignore[arg-type]
        for language, units in report.written.items():
            if marker in units and fuzzy.get(language, False):
                units.remove(marker)
                report.left.setdefault(language, {})[marker] = (
                    "written, but Translate still shows it outdated (no unfuzzy right?)"
                )
    report.written = {lang: units for lang, units in report.written.items() if units}
    if any(report.left.values()):
        log.info("translations left outdated: %s", report.left)
