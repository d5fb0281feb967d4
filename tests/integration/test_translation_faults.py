"""The translation flow against a wiki that fails: a fault at each of its steps (Translate's
state read before the edit, the mark, the polls for Translate's jobs, the translations written),
through tests/integration/faultproxy.py between pywikibot and the local MediaWiki.

The page is marked for translation and translated into French and Japanese; the bot moves two
sessions. Whatever the fault, the bot's run leaves:

- the page with exactly one bot edit, the core's, or none (exit 4);
- every translation as the translator left it or as the bot's one entry for it, never
  overwritten after a person saved it, never written twice;
- marks of the bot's own revision only;
- a report that is true: "done" only when every moved unit is current in every language, and
  otherwise a note that a later run finishes.

Then a run without faults must finish the work: every moved unit current in every language,
with the entry the bot writes, and nothing written twice. Both runs count in the closing line
(faultrun.py): "lost" are the runs after which something above does not hold.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.core.pipeline import transform
from tests.conftest import FIXTURES, utc
from tests.integration.faultproxy import FAULTS, STEPS, TRANSLATION_STEPS, FaultProxy
from tests.integration.faultrun import (
    BOT_USER,
    copy_config,
    count,
    run_bot,
    tail,
    warm,
)

NOW = "2023-07-01T00:00:00Z"
#: A translatable page in the shape of Meta's (its "Upcoming" block and log), small enough that
#: Translate's jobs run in a moment, and its French and Japanese translations. Its dates carry
#: years: no history is needed to date them.
PAGE = (FIXTURES / "translated-page.wikitext").read_text(encoding="utf-8")
TRANSLATIONS = json.loads(
    (FIXTURES / "translations" / "translated-page.json").read_text(encoding="utf-8")
)
MOVED = ("3", "4")
#: What the bot writes for each moved unit, once the sessions are over.
ENTRIES = {
    "fr": {
        "3": "26 juin 2023 (12:00 UTC). Sujet : Heure de conversation ad hoc sur le Pacte "
        "numérique mondial.",
        "4": "30 juin 2023 (16:00 UTC). Sujet : Heure de conversation ad hoc sur le Pacte "
        "numérique mondial.",
    },
    "ja": {
        "3": "2023年6月26日 (12:00 UTC)。トピック\uff1a"
        "グローバル・デジタル・コンパクトに関する臨時の対話の時間。",
        "4": "2023年6月30日 (16:00 UTC)。トピック\uff1a"
        "グローバル・デジタル・コンパクトに関する臨時の対話の時間。",
    },
}
#: A translator's own entry, saved while the bot is about to write its one.
BY_HAND = "26 juin 2023 (12:00 UTC). Sujet : le Pacte numérique mondial (traduit à la main)."
EXPECTED = transform(PAGE, utc(NOW)).text.rstrip("\n")
assert transform(PAGE, utc(NOW)).moved_units == MOVED

#: MediaWiki answers with some faults only under conditions (faultproxy.possible): the steps
#: whose requests can meet them.
ONLY_AT = {
    "readonly": {"mark", "translation-save"},  # modules that write
    "badtoken": {"mark", "translation-save"},  # requests that send token=
    "assertuserfailed": {"mark", "translation-save"},  # requests that send assert=user
}


def _matrix() -> list[object]:
    return [
        pytest.param(fault, step, id=f"{fault}-{step}")
        for step in TRANSLATION_STEPS
        for fault in FAULTS
        if step in ONLY_AT.get(fault, set(TRANSLATION_STEPS))
    ]


#: Lasting faults (step, fault, from the nth request of the step on).
LASTING = [
    # Translate's state cannot be read: the edit goes on, unmarked; a later run marks it.
    ("translations", "http503", 1),
    # The mark is refused, or lands while every answer is lost (and is resent, and logged again).
    ("mark", "readonly", 1),
    ("mark", "timeout", 1),
    # The jobs cannot be asked about.
    ("jobs", "reset", 1),
    # Saves land but their answers are cut off; saves refused; the session lost for good.
    ("translation-save", "truncated", 1),
    ("translation-save", "badtoken", 1),
    ("translation-save", "assertuserfailed", 1),
    # The wiki fails half-way through the translations: the first stays written.
    ("translation-save", "http503", 2),
]


# ----------------------------------------------------------------------------- fixtures


pytestmark = pytest.mark.usefixtures("fault_suite")


@pytest.fixture(autouse=True)
def _clean_proxy(proxy: FaultProxy, dev_wiki) -> Iterator[None]:
    """Between tests no rule is left; during one, the wiki's job runner runs after every mark,
    as on a wiki that runs its jobs soon after a request."""
    proxy.reset()
    proxy.after("mark", dev_wiki.run_jobs)
    yield
    proxy.reset()


@pytest.fixture(scope="module")
def warm_config(dev_wiki, proxy: FaultProxy, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("translation-faults") / "warm"
    warm(copy_config(dev_wiki.pywikibot_dir, folder, proxy.port, cold=True))
    proxy.reset()
    return folder


@pytest.fixture(scope="module")
def people(dev_wiki) -> dict:
    """Logged-in sessions of the people around the page, straight to the wiki."""
    return {role: dev_wiki.login_as(role) for role in ("admin", "translator")}


def translated_pages(dev_wiki, people, count: int) -> list[str]:
    """`count` copies of the page, each marked by an administrator and translated into French
    and Japanese, with the jobs run after each step as a wiki's job runner would: built
    together, so that the job runner boots twice for them all, not twice for each."""
    admin, translator = people["admin"], people["translator"]
    titles = [f"Translation faults {uuid.uuid4().hex[:10]}" for _ in range(count)]
    for title in titles:
        revid = admin.edit(title, PAGE, "conversation hours")["newrevid"]
        admin.call(
            post=True, action="markfortranslation", title=title, revid=revid, token=admin.token()
        )
    dev_wiki.run_jobs()
    for title in titles:
        for language, units in TRANSLATIONS.items():
            for unit, text in units.items():
                translator.edit(f"Translations:{title}/{unit}/{language}", text, "translation")
    dev_wiki.run_jobs()
    return titles


@pytest.fixture(scope="module")
def prepared(dev_wiki, people, request: pytest.FixtureRequest) -> list[str]:
    """A translated page for each test of the module that takes one."""
    tests = [
        item
        for item in request.session.items
        if getattr(item, "module", None) is request.module and "translated" in item.fixturenames
    ]
    return translated_pages(dev_wiki, people, len(tests))


@pytest.fixture
def translated(prepared: list[str], dev_wiki, people) -> str:
    """The page, marked by an administrator and translated into French and Japanese, for this
    test alone."""
    return prepared.pop() if prepared else translated_pages(dev_wiki, people, 1)[0]


@pytest.fixture
def config(warm_config: Path, proxy: FaultProxy, tmp_path: Path) -> Path:
    return copy_config(warm_config, tmp_path / "pywikibot", proxy.port, cold=False)


# ------------------------------------------------------------------------------ helpers


def unit_page(title: str, unit: str, language: str) -> str:
    return f"Translations:{title}/{unit}/{language}"


def units_now(dev_wiki, title: str) -> dict[tuple[str, str], tuple[str, bool]]:
    """(language, unit) -> (translation, outdated?) of the moved units, as Translate shows them."""
    found = {}
    for language in TRANSLATIONS:
        collection = dev_wiki.message_collection(title, language)
        for unit in MOVED:
            found[language, unit] = (
                collection[unit]["translation"],
                "fuzzy" in collection[unit]["tags"],
            )
    return found


def bot_marks(dev_wiki, people, title: str) -> list[int]:
    """The revisions the bot marked for translation (one entry per mark logged)."""
    answer = people["admin"].call(
        action="query",
        list="logevents",
        letype="pagetranslation",
        letitle=title,
        leprop="user|type|details",
    )
    return [
        int(e["params"]["revision"])
        for e in answer["query"]["logevents"]
        if e["action"] == "mark" and e["user"] == BOT_USER
    ]


def problems_after(
    dev_wiki, people, title: str, by_hand: dict[tuple[str, str], str], finished: bool
) -> list[str]:
    """What is wrong with the wiki now: the page, the marks, every moved unit's translation.
    `by_hand` are the translations a person saved during the run (never to be overwritten);
    `finished`: every other moved unit must by now be current with the bot's entry."""
    problems = []
    revisions = dev_wiki.revisions(title)
    by_bot = [r for r in revisions if r["user"] == BOT_USER]
    if len(by_bot) > 1:
        problems.append(f"{len(by_bot)} bot edits of the page")
    if by_bot and revisions[-1]["content"] != EXPECTED:
        problems.append("the page is not what the core computes offline")
    mine = {r["revid"] for r in by_bot}
    if any(revid not in mine for revid in bot_marks(dev_wiki, people, title)):
        problems.append(f"the bot marked {bot_marks(dev_wiki, people, title)}, not only {mine}")
    now = units_now(dev_wiki, title)
    for (language, unit), (text, outdated) in now.items():
        where = f"{language}/{unit}"
        history = dev_wiki.revisions(unit_page(title, unit, language))
        if sum(r["user"] == BOT_USER for r in history) > 1:
            problems.append(f"{where} written twice")
        if (language, unit) in by_hand:
            if text != by_hand[language, unit] or history[-1]["user"] == BOT_USER:
                problems.append(f"{where}: the translator's text was overwritten")
            elif finished and outdated:
                problems.append(f"{where}: the translator's text shows as outdated")
        elif text not in (TRANSLATIONS[language][unit], ENTRIES[language][unit]):
            problems.append(f"{where} holds {text!r}")
        elif finished and (text, outdated) != (ENTRIES[language][unit], False):
            problems.append(f"{where} not finished: {text!r}, outdated={outdated}")
    return problems


def report_problems(done: subprocess.CompletedProcess, dev_wiki, title: str) -> list[str]:
    """Whether the run's report is true: "done" only with every moved unit current."""
    if done.returncode not in (0, 4):
        return [f"exit {done.returncode}"]
    said = re.search(r"translations: ([a-z ]+)", done.stdout)
    if said is None:
        return [] if done.returncode == 4 else ["the run said nothing of the translations"]
    if said[1] == "done":
        stale = [k for k, (_, outdated) in units_now(dev_wiki, title).items() if outdated]
        return [f"'translations: done' with {stale} outdated"] if stale else []
    if "finishes the translations" not in done.stdout and "next run writes" not in done.stdout:
        return [f"'translations: {said[1]}' without saying that a later run finishes"]
    return []


def check(
    dev_wiki,
    people,
    proxy: FaultProxy,
    config: Path,
    title: str,
    done: subprocess.CompletedProcess,
    by_hand: dict[tuple[str, str], str] | None = None,
) -> None:
    """Counts the faulty run and the clean run after it, then asserts both ended as they must."""
    by_hand = by_hand or {}
    problems = report_problems(done, dev_wiki, title)
    if "Traceback" in done.stderr:
        problems.append("a traceback on stderr")
    problems += problems_after(dev_wiki, people, title, by_hand, finished=False)
    met, injected = proxy.injected, proxy.describe()
    if not met:
        problems.insert(0, "the fault was never injected (the run never made that request)")
    proxy.reset()
    proxy.after("mark", dev_wiki.run_jobs)
    clean = run_bot(config, title, NOW)
    if clean.returncode != 0:
        problems.append(f"the clean run after it exited {clean.returncode}")
    later = problems_after(dev_wiki, people, title, by_hand, finished=True)
    problems += [f"after a clean run: {p}" for p in later]
    if met:
        count(survived=not problems, lost=bool(later))
    if problems:
        pytest.fail(
            "; ".join(problems)
            + f"\nexit {done.returncode}\nrequests:\n{injected}"
            + f"\nstdout: {done.stdout[-2000:]}\nstderr: {tail(done.stderr)}"
            + f"\nclean run stdout: {clean.stdout[-1500:]}\nstderr: {tail(clean.stderr, 15)}",
            pytrace=False,
        )


# -------------------------------------------------------------------------------- tests


def test_without_faults_every_moved_unit_is_written_and_each_step_is_seen(
    dev_wiki, people, proxy, config, translated
):
    done = run_bot(config, translated, NOW)
    assert done.returncode == 0, done.stderr
    assert "translations: done" in done.stdout
    assert problems_after(dev_wiki, people, translated, {}, finished=True) == []
    steps = proxy.steps_seen()
    assert [s for s in TRANSLATION_STEPS if s in steps] == list(TRANSLATION_STEPS), steps
    assert steps.count("translation-save") == len(TRANSLATIONS) * len(MOVED)


@pytest.mark.parametrize(("fault", "step"), _matrix())
def test_a_fault_at_each_translation_step(dev_wiki, people, proxy, config, translated, fault, step):
    """One fault, once: the retry rides it out, or the report says a later run finishes, and
    the clean run after it does."""
    proxy.add(step, fault)
    done = run_bot(config, translated, NOW)
    check(dev_wiki, people, proxy, config, translated, done)


@pytest.mark.parametrize(
    ("step", "fault", "nth"), LASTING, ids=[f"{f}-{s}-{n}" for s, f, n in LASTING]
)
def test_a_lasting_fault_in_the_translation_flow(
    dev_wiki, people, proxy, config, translated, step, fault, nth
):
    """The fault never clears: the edit stands, what was done is reported, and a later run
    finishes the rest."""
    proxy.add(step, fault, nth=nth, persist=True)
    done = run_bot(config, translated, NOW)
    check(dev_wiki, people, proxy, config, translated, done)
    if nth > 1:  # what was written before the wiki failed is reported as written
        assert re.search(r"fr: unit 3 written", done.stdout), done.stdout


@pytest.mark.parametrize("fault", ["timeout", "reset"])
def test_a_translators_save_and_a_fault_on_the_bots(
    dev_wiki, people, proxy, config, translated, fault
):
    """A translator saves the French entry just before the bot's save of it, which meets the
    fault: the translator's text stays, and the bot writes the others."""
    page = unit_page(translated, "3", "fr")
    errors: list[BaseException] = []

    def translate_by_hand() -> None:
        try:
            people["translator"].edit(page, BY_HAND, "my own entry")
        except BaseException as error:  # reported by the test, not lost in the proxy thread
            errors.append(error)

    proxy.add("translation-save", fault, before=translate_by_hand)
    done = run_bot(config, translated, NOW)
    assert not errors, f"the translator's edit failed: {errors}"
    check(dev_wiki, people, proxy, config, translated, done, by_hand={("fr", "3"): BY_HAND})


# A run whose wiki dies right after the bot's mark, before Translate's jobs run and before
# anything is written: the jobs run later, as a wiki's job runner does, and a later run must
# write exactly what the failed run would have written (issue 17).
def test_a_run_whose_wiki_died_after_the_mark_is_finished_by_the_next(
    dev_wiki, people, proxy, config, translated
):
    def die() -> None:  # every request after the mark's answer fails, the jobs wait
        for step in (*STEPS, *TRANSLATION_STEPS):
            proxy.add(step, "reset", persist=True)

    proxy.hooks.clear()
    proxy.after("mark", die)
    done = run_bot(config, translated, NOW)
    problems = report_problems(done, dev_wiki, translated)
    if "translations: failed" not in done.stdout:
        problems.append("the run did not say that the translations failed")
    problems += problems_after(dev_wiki, people, translated, {}, finished=False)
    met = proxy.injected > 0
    proxy.reset()
    dev_wiki.run_jobs()  # the wiki's job runner, some time after the mark
    later = run_bot(config, translated, NOW)
    after = problems_after(dev_wiki, people, translated, {}, finished=True)
    problems += [f"after a later run: {p}" for p in after]
    if later.returncode != 0 or "left (outdated before the run" in later.stdout:
        problems.append(f"the later run: exit {later.returncode}: {later.stdout[-800:]}")
    if met:
        count(survived=not problems, lost=bool(after))
    else:
        problems.insert(0, "the fault was never injected")
    assert not problems, "; ".join(problems) + f"\n{done.stdout[-1500:]}\n{tail(later.stderr)}"
