"""One translatable page's Translate, in memory: the translation flow's TranslateWiki without a
server, so its sequencing (mark, wait for the jobs, write, check) is tested in milliseconds.

It keeps only what the flow can observe: the page's revisions, the marked one, each unit's
English definition (`Translations:PAGE/N/en`) and each language's stored translations. Marking
runs Translate's jobs at once unless `jobs_held`: the marked revision's units become the English
definitions, and every translation of a unit whose definition changed is flagged outdated, as
Translate does. The integration suite checks the same sequences on a real wiki.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from bot.core.page.reader import read_page
from bot.core.settings import Settings
from bot.wiki.translate_api import History, Revision, State, Stored

BOT = "ConversationBot"
#: What the fake answers for a translation saved over another one (the real API: editconflict).
CONFLICT = "edit conflict"


@dataclass
class FakeTranslate:
    title: str
    #: revid -> page text; the highest is the current revision.
    texts: dict[int, str]
    #: revid -> (user, summary) of the revisions `history` lists; others are an editor's.
    authors: dict[int, tuple[str, str]] = field(default_factory=dict)
    marked: int | None = None
    rights: frozenset[str] = frozenset({"translate", "pagetranslation"})
    #: language -> unit marker -> translation as stored.
    translations: dict[str, dict[str, Stored]] = field(default_factory=dict)
    #: Marking queues the jobs but they do not run until run_jobs().
    jobs_held: bool = False
    #: A translation the bot saves still shows outdated (an account without the right).
    saves_stay_outdated: bool = False
    #: Titles whose save is refused, and why.
    refused: dict[str, str] = field(default_factory=dict)
    english: dict[str, str] = field(default_factory=dict)
    marks: list[int] = field(default_factory=list)
    saved: list[tuple[str, str, str]] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    logged_in: bool = False
    #: unit marker -> when each of its English definitions was written, oldest first.
    defined: dict[str, list[str]] = field(default_factory=dict)
    _previous_mark: int = 0
    _queued: int | None = None
    _clock: int = 0

    def __post_init__(self) -> None:
        if self.marked is not None and not self.english:
            self.english = self._units(self.marked)
            self.defined = {m: ["2023-06-01T00:00:00Z"] for m in self.english}

    # --- what the test does to the wiki -----------------------------------------------------

    def edit(self, text: str, user: str = "Editor", summary: str = "") -> int:
        """A new revision of the page, by an editor unless `user` says otherwise."""
        revid = max(self.texts) + 1
        self.texts[revid] = text
        self.authors[revid] = (user, summary)
        return revid

    def run_jobs(self) -> None:
        """Translate's jobs for the last mark: new definitions, changed units' translations
        flagged outdated."""
        if self._queued is None:
            return
        new, now = self._units(self._queued), self._now()
        for marker, english in new.items():
            if self.english.get(marker) != english:
                self.defined.setdefault(marker, []).append(now)
            if self.english.get(marker, english) != english:
                for units in self.translations.values():
                    if marker in units:
                        units[marker] = Stored(units[marker].text, True, units[marker].timestamp)
        self.english, self._queued = new, None

    def _units(self, revid: int) -> dict[str, str]:
        page = read_page(self.texts[revid], Settings())
        return {u.marker: u.content for u in page.markup.units if u.marker}

    def _now(self) -> str:
        self._clock += 1
        return f"2023-07-01T00:00:{self._clock:02d}Z"

    # --- TranslateWiki --------------------------------------------------------------------

    def bot_name(self) -> str | None:
        return BOT

    def login(self) -> None:
        self.logged_in = True

    def has_right(self, right: str) -> bool:
        return right in self.rights

    def read_state(self, title: str, moved: Sequence[str], context: Iterable[str]) -> State:
        self.requests.append("read_state")
        wanted = {*moved, *context}
        state = State(title, "en", self.rights, False, self.marked, read_at=self._now())
        for language, units in self.translations.items():
            kept = {m: s for m, s in units.items() if m in wanted}
            if kept:
                state.translations[language] = kept
        return state

    def mark(self, title: str, revid: int) -> None:
        self.requests.append("mark")
        assert revid == max(self.texts), "Translate marks only the latest revision"
        self._previous_mark, self.marked = self.marked or 0, revid
        self.marks.append(revid)
        self._queued = revid
        if not self.jobs_held:
            self.run_jobs()

    def english_done(self, title: str, expected: dict[str, str], source_language: str) -> bool:
        self.requests.append("english_done")
        return self._defined_as(expected)

    def wait_for_jobs(self, title: str, expected: dict[str, str], source_language: str) -> bool:
        """One look, where the real one looks again for half a minute."""
        self.requests.append("wait_for_jobs")
        return self._defined_as(expected)

    def _defined_as(self, expected: dict[str, str]) -> bool:
        return all(self.english.get(m, "").strip() == e.strip() for m, e in expected.items())

    def save_translation(
        self, title: str, text: str, base: Stored, read_at: str, summary: str
    ) -> str | None:
        self.requests.append("save_translation")
        if title in self.refused:
            return self.refused[title]
        _, marker, language = title.rsplit("/", 2)
        stored = self.translations[language][marker]
        if stored.timestamp != base.timestamp:
            return CONFLICT
        self.translations[language][marker] = Stored(text, self.saves_stay_outdated, self._now())
        self.saved.append((title, text, summary))
        return None

    def fuzzy_languages(self, title: str, marker: str) -> dict[str, bool]:
        self.requests.append("fuzzy_languages")
        return {lang: u[marker].fuzzy for lang, u in self.translations.items() if marker in u}

    def history(self, title: str, limit: int) -> History:
        self.requests.append("history")
        revisions = tuple(
            Revision(revid, max((r for r in self.texts if r < revid), default=0), *self._by(revid))
            for revid in sorted(self.texts, reverse=True)[:limit]
        )
        return History("en", self.marked, self._previous_mark, revisions)

    def _by(self, revid: int) -> tuple[str, str]:
        return self.authors.get(revid, ("Editor", ""))

    def revision_texts(self, revids: Sequence[int]) -> dict[int, str]:
        self.requests.append("revision_texts")
        return {r: self.texts[r] for r in revids if r in self.texts}

    def definition_changed_at(self, title: str, marker: str, source_language: str) -> str:
        self.requests.append("definition_changed_at")
        times = self.defined.get(marker, [])
        return times[-2] if len(times) > 1 else ""
