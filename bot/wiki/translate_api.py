"""Translate's API, as the translation flow uses it: read a page's translation state in batches,
mark a revision for translation, wait for Translate's jobs, save a translation conflict-safely.

Every request is a plain MediaWiki API call through pywikibot's `simple_request`, so pywikibot's
retries, maxlag and throttling apply. Nothing here decides anything: bot.core.translation.plan does.
"""

import logging
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import pywikibot
from pywikibot.data.api import Request
from pywikibot.exceptions import APIError

from bot.errors import UsageError
from bot.wiki import client
from bot.wiki.client import WIKI_FAILURES, answer_shape, expected_api_error

log = logging.getLogger("conversation-hours-bot")

#: Names other delays (seconds, comma-separated) than the production ones: the integration
#: tests, whose wiki runs Translate's jobs within a second or two, would otherwise sit through
#: the whole half minute wherever the jobs are held back on purpose.
POLL_DELAYS_VARIABLE = "CHBOT_JOB_POLL_DELAYS"


def _poll_delays(environ: Mapping[str, str]) -> tuple[float, ...]:
    """(1, 2, 4, 8, 15), or the delays POLL_DELAYS_VARIABLE names; a bad value is a usage
    error before the run edits anything (this module is imported before any request)."""
    given = environ.get(POLL_DELAYS_VARIABLE, "").strip()
    if not given:
        return (1, 2, 4, 8, 15)
    try:
        delays = tuple(float(part) for part in given.split(","))
    except ValueError:
        delays = ()
    if not delays or any(not 0 <= delay < 3600 for delay in delays):
        raise UsageError(f"{POLL_DELAYS_VARIABLE}={given!r}: give seconds, such as 1,2,4,8,15")
    return delays


#: Seconds between polls for Translate's jobs: about half a minute in all, then the run stops
#: and the next one finishes ("translations pending").
POLL_DELAYS: tuple[float, ...] = _poll_delays(os.environ)
#: Titles per request: MediaWiki's limit, higher for accounts with `apihighlimits` (bots).
TITLES_PER_REQUEST = 50
TITLES_PER_REQUEST_HIGH = 500
#: Translate's message documentation pseudo-language: never a translation readers see.
_NOT_LANGUAGES = frozenset({"qqq"})
#: Translate's answer for a unit it does not know: the page was never marked with it.
_UNKNOWN_UNIT = "nomessagefortitle"


@dataclass(frozen=True)
class Stored:
    """A translation page as read: its text, whether Translate shows it outdated, its time."""

    text: str
    fuzzy: bool
    timestamp: str  # the latest revision's, for a conflict-safe save


@dataclass
class State:
    """What Translate knows about a page, read before the bot edits it."""

    title: str
    source_language: str
    rights: frozenset[str]
    high_limits: bool
    #: The revision last marked for translation; None when the page is not (or no longer) marked.
    marked_revid: int | None
    #: language -> unit marker -> translation (moved units and their context: titles, examples).
    translations: dict[str, dict[str, Stored]] = field(default_factory=dict)
    read_at: str = ""  # the wiki's time of the read, for `starttimestamp`

    def can(self, right: str) -> bool:
        return right in self.rights


def unit_title(page: str, marker: str, language: str) -> str:
    return f"Translations:{page}/{marker}/{language}"


def _query(site: pywikibot.site.BaseSite, **params: object) -> dict:
    return site.simple_request(action="query", formatversion=2, **params).submit()


@answer_shape("reading the translations")
def read_state(
    site: pywikibot.site.BaseSite, title: str, moved: Sequence[str], context: Iterable[str]
) -> State:
    """One request for the rights, the marked revision, the page language and the first moved
    unit's translations in every language; one more per further moved unit; then the texts and
    times of every language's moved and context units, in batches of titles."""
    first = _first_read(site, title, moved[0] if moved else None)
    state = State(
        title,
        first["language"],
        first["rights"],
        "apihighlimits" in first["rights"],
        first["marked"],
    )
    if state.marked_revid is None:
        return state  # not a translatable page: nothing more to read
    by_unit = {moved[0]: first.pop("units")} if moved and first.get("units") is not None else {}
    for marker in moved[1:]:
        by_unit[marker] = _unit_translations(site, title, marker)
    languages = sorted(
        {lang for units in by_unit.values() for lang in units}
        - {state.source_language}
        - _NOT_LANGUAGES
    )
    markers = list(dict.fromkeys([*moved, *context]))
    titles = [unit_title(title, m, lang) for lang in languages for m in markers]
    texts, state.read_at = _texts(site, titles, state.high_limits)
    for lang in languages:
        for marker in markers:
            stored = texts.get(unit_title(title, marker, lang))
            if stored is None:
                continue
            fuzzy = by_unit.get(marker, {}).get(lang, stored.fuzzy)
            state.translations.setdefault(lang, {})[marker] = Stored(
                stored.text, fuzzy, stored.timestamp
            )
    return state


def _first_read(site: pywikibot.site.BaseSite, title: str, marker: str | None) -> dict:
    params: dict[str, object] = {
        "meta": "userinfo",
        "uiprop": "rights",
        "list": "logevents",
        "letype": "pagetranslation",
        "letitle": title,
        "lelimit": 20,
        "leprop": "type|details",
        "prop": "info",
        "titles": title,
    }
    if marker is not None:
        params["meta"] = "userinfo|messagetranslations"
        params["mttitle"] = unit_title(title, marker, "en")
    try:
        with expected_api_error(_UNKNOWN_UNIT):
            data = _query(site, **params)
    except APIError as error:
        if error.code != _UNKNOWN_UNIT:
            raise
        # Translate does not know the unit (never marked): it has no translations.
        del params["mttitle"]
        params["meta"] = "userinfo"
        data = _query(site, **params)
    query = data["query"]
    page = query["pages"][0]
    return {
        "rights": frozenset(query["userinfo"].get("rights", ())),
        "marked": _marked_revision(query.get("logevents", [])),
        "language": page.get("pagelanguage", "en"),
        "units": _by_language(query["messagetranslations"])
        if "messagetranslations" in query
        else ({} if marker is not None else None),
    }


def _marked_revision(events: list[dict]) -> int | None:
    """The revision of the newest `mark`, unless an `unmark` came after it."""
    for event in events:  # newest first
        if event.get("action") == "unmark":
            return None
        if event.get("action") == "mark":
            revision = event.get("params", {}).get("revision")
            return int(revision) if revision is not None else None
    return None


@answer_shape("reading a unit's translations")
def _unit_translations(site: pywikibot.site.BaseSite, title: str, marker: str) -> dict[str, bool]:
    try:
        with expected_api_error(_UNKNOWN_UNIT):
            data = _query(site, meta="messagetranslations", mttitle=unit_title(title, marker, "en"))
    except APIError as error:
        if error.code == _UNKNOWN_UNIT:
            return {}
        raise
    return _by_language(data["query"]["messagetranslations"])


def _by_language(messages: list[dict]) -> dict[str, bool]:
    """language -> whether the translation is outdated (Translate's fuzzy flag)."""
    return {m["language"]: "fuzzy" in m for m in messages if m.get("language")}


def _texts(
    site: pywikibot.site.BaseSite, titles: list[str], high_limits: bool
) -> tuple[dict[str, Stored], str]:
    size = TITLES_PER_REQUEST_HIGH if high_limits else TITLES_PER_REQUEST
    found: dict[str, Stored] = {}
    read_at = ""
    for start in range(0, len(titles), size):
        data = _query(
            site,
            prop="revisions",
            titles="|".join(titles[start : start + size]),
            rvprop="content|timestamp",
            rvslots="main",
            curtimestamp=1,
        )
        read_at = read_at or data.get("curtimestamp", "")
        for page in data["query"].get("pages", []):
            revisions = page.get("revisions")
            if page.get("missing") or not revisions:
                continue
            text = revisions[0]["slots"]["main"].get("content", "")
            found[page["title"]] = Stored(text, "!!FUZZY!!" in text, revisions[0]["timestamp"])
    return found, read_at


@answer_shape("marking the page")
def mark(site: pywikibot.site.BaseSite, title: str, revid: int) -> None:
    """Marks exactly `revid` (Translate refuses any but the latest): priority languages,
    transclusion and title translation are left as they are by leaving their parameters out;
    no unit is exempted from being flagged outdated.

    pywikibot does not know the module writes (its WRITE_ACTIONS), so the request says it as
    pywikibot's writes do: `assert=user`, so a lost session is an error and not an anonymous
    attempt, and the write maxlag of the bot policy.

    A mark whose answer is lost may have landed: it is looked for in the pagetranslation log
    before it is sent again, as a save is. A mark sent twice queues Translate's jobs twice,
    and the second run of them can flag outdated the translations the bot has just written."""
    try:
        _mark_request(site, title, revid, max_retries=0).submit()
        return
    except WIKI_FAILURES:
        if _marked_at(site, title) == revid:
            return
    _mark_request(site, title, revid).submit()


def _mark_request(
    site: pywikibot.site.BaseSite, title: str, revid: int, max_retries: int | None = None
) -> Request:
    parameters = {
        "action": "markfortranslation",
        "title": title,
        "revid": revid,
        "token": site.tokens["csrf"],
        "maxlag": pywikibot.config.write_maxlag,
        "assert": "user",
    }
    return Request(site=site, parameters=parameters, max_retries=max_retries)


#: A log that cannot be read now: the mark is sent again (Translate takes a mark twice).
_LOG_UNREADABLE: tuple[type[BaseException], ...] = (*WIKI_FAILURES, KeyError, TypeError, ValueError)


def _marked_at(site: pywikibot.site.BaseSite, title: str) -> int | None:
    """The revision the pagetranslation log says is marked now; None when it cannot be read."""
    try:
        data = _query(
            site,
            list="logevents",
            letype="pagetranslation",
            letitle=title,
            lelimit=20,
            leprop="type|details",
        )
        return _marked_revision(data["query"].get("logevents", []))
    except _LOG_UNREADABLE:
        return None


@answer_shape("reading the units' English")
def english_texts(
    site: pywikibot.site.BaseSite, title: str, markers: Sequence[str], language: str
) -> dict[str, str]:
    data = _query(
        site,
        prop="revisions",
        titles="|".join(unit_title(title, m, language) for m in markers),
        rvprop="content",
        rvslots="main",
    )
    texts = {}
    for page in data["query"].get("pages", []):
        if page.get("revisions"):
            texts[page["title"]] = page["revisions"][0]["slots"]["main"].get("content", "")
    return {m: texts.get(unit_title(title, m, language), "") for m in markers}


def english_done(
    site: pywikibot.site.BaseSite, title: str, expected: dict[str, str], source_language: str
) -> bool:
    """Whether `Translations:PAGE/N/en` holds each unit's new definition: Translate's jobs ran."""
    current = english_texts(site, title, sorted(expected), source_language)
    return all(current[m].strip() == expected[m].strip() for m in expected)


def wait_for_jobs(
    site: pywikibot.site.BaseSite,
    title: str,
    expected: dict[str, str],
    source_language: str,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Whether Translate's jobs wrote every moved unit's new definition within the bound; each
    wait is said, as pywikibot says its own ("Sleeping for ..."), so a run is never silent."""
    waited = 0.0
    for delay in (0, *POLL_DELAYS):
        if delay:
            log.info(
                "waiting for Translate's jobs on [[%s]]: next look in %.0f s (%.0f s of %.0f)",
                title,
                delay,
                waited,
                sum(POLL_DELAYS),
            )
            sleep(delay)
            waited += delay
        if english_done(site, title, expected, source_language):
            return True
    return False


#: Refusals that concern this translation page and will stand on the next run too, so the unit
#: is left outdated with the reason. Any other refusal is the run's trouble, not the page's.
_REFUSALS_OF_THIS_PAGE = frozenset(
    {"protectedpage", "cascadeprotected", "permissiondenied", "spamblacklist", "titleblacklist"}
)


@answer_shape("saving a translation")
def save_translation(
    site: pywikibot.site.BaseSite, title: str, text: str, base: Stored, read_at: str, summary: str
) -> str | None:
    """Saves one translation as a bot edit against the revision read; None when saved, else why
    not. An edit made in between (a person's translation) is an edit conflict: never overwritten."""
    try:
        site.simple_request(
            action="edit",
            title=title,
            text=text,
            summary=summary,
            bot=1,
            nocreate=1,
            basetimestamp=base.timestamp,
            starttimestamp=read_at or base.timestamp,
            token=site.tokens["csrf"],
        ).submit()
    except APIError as error:
        if error.code == "editconflict":
            return "someone saved this translation after the bot read it; not overwritten"
        if error.code in _REFUSALS_OF_THIS_PAGE or error.code.startswith("abusefilter-"):
            return f"the wiki refused the save: {error.code}"
        raise  # a lost token, a lost login, a read-only wiki: a later run writes it
    except WIKI_FAILURES:
        # The answer was lost; the page itself says whether the edit landed.
        landed = _texts(site, [title], high_limits=False)[0].get(title)
        if landed is not None and landed.text.strip() == text.strip():
            return None
        raise
    return None


def fuzzy_languages(site: pywikibot.site.BaseSite, title: str, marker: str) -> dict[str, bool]:
    """Each language's outdated flag for one unit, as Translate shows it now."""
    return _unit_translations(site, title, marker)


@dataclass(frozen=True)
class Revision:
    revid: int
    parentid: int
    user: str
    comment: str


@dataclass(frozen=True)
class History:
    """For a run with nothing to move: the marks and the page's newest revisions, in one read."""

    source_language: str
    marked_revid: int | None
    previous_mark: int  # the mark before it (0 when none): edits after it reached translators
    revisions: tuple[Revision, ...]  # newest first


@answer_shape("reading the marks and the history")
def history(site: pywikibot.site.BaseSite, title: str, limit: int) -> History:
    data = _query(
        site,
        list="logevents",
        letype="pagetranslation",
        letitle=title,
        lelimit=20,
        leprop="type|details",
        prop="info|revisions",
        titles=title,
        rvprop="ids|user|comment",
        rvlimit=limit,
    )
    query = data["query"]
    page = query["pages"][0]
    events = query.get("logevents", [])
    marked = _marked_revision(events)
    revisions = tuple(
        Revision(r["revid"], r.get("parentid", 0), r.get("user", ""), r.get("comment", ""))
        for r in page.get("revisions", [])
    )
    return History(
        page.get("pagelanguage", "en"), marked, _previous_mark(events, marked), revisions
    )


def _previous_mark(events: list[dict], marked: int | None) -> int:
    """The newest revision marked before `marked`, 0 when none. A mark can be logged twice at
    one revision (a resent request, an administrator marking again): that is no earlier mark."""
    if marked is None:
        return 0
    for event in events:  # newest first
        revision = event.get("params", {}).get("revision")
        if event.get("action") == "mark" and revision is not None and int(revision) < marked:
            return int(revision)
    return 0


@answer_shape("reading the bot's revisions")
def revision_texts(site: pywikibot.site.BaseSite, revids: Sequence[int]) -> dict[int, str]:
    data = _query(
        site,
        prop="revisions",
        revids="|".join(map(str, revids)),
        rvprop="ids|content",
        rvslots="main",
    )
    return {
        r["revid"]: r["slots"]["main"].get("content", "")
        for page in data["query"].get("pages", [])
        for r in page.get("revisions", [])
    }


@answer_shape("reading a unit's definitions")
def definition_changed_at(
    site: pywikibot.site.BaseSite, title: str, marker: str, source_language: str
) -> str:
    """When the unit's English definition before the current one was written: a translation
    older than that was already outdated before the bot moved the unit."""
    data = _query(
        site,
        prop="revisions",
        titles=unit_title(title, marker, source_language),
        rvprop="timestamp",
        rvlimit=2,
    )
    revisions = data["query"]["pages"][0].get("revisions", [])
    return revisions[1]["timestamp"] if len(revisions) > 1 else ""


class SiteTranslate:
    """The translation flow's TranslateWiki on a pywikibot site: each method one of this
    module's requests (or the client's, for the account), with the site bound."""

    def __init__(self, site: pywikibot.site.BaseSite) -> None:
        self.site = site

    def bot_name(self) -> str | None:
        return client.bot_name(self.site)

    def login(self) -> None:
        client.login(self.site)

    def has_right(self, right: str) -> bool:
        return client.has_right(self.site, right)

    def read_state(self, title: str, moved: Sequence[str], context: Iterable[str]) -> State:
        return read_state(self.site, title, moved, context)

    def mark(self, title: str, revid: int) -> None:
        mark(self.site, title, revid)

    def english_done(self, title: str, expected: dict[str, str], source_language: str) -> bool:
        return english_done(self.site, title, expected, source_language)

    def wait_for_jobs(self, title: str, expected: dict[str, str], source_language: str) -> bool:
        return wait_for_jobs(self.site, title, expected, source_language)

    def save_translation(
        self, title: str, text: str, base: Stored, read_at: str, summary: str
    ) -> str | None:
        return save_translation(self.site, title, text, base, read_at, summary)

    def fuzzy_languages(self, title: str, marker: str) -> dict[str, bool]:
        return fuzzy_languages(self.site, title, marker)

    def history(self, title: str, limit: int) -> History:
        return history(self.site, title, limit)

    def revision_texts(self, revids: Sequence[int]) -> dict[int, str]:
        return revision_texts(self.site, revids)

    def definition_changed_at(self, title: str, marker: str, source_language: str) -> str:
        return definition_changed_at(self.site, title, marker, source_language)
