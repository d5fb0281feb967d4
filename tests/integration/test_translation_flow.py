"""The translation flow on MediaWiki 1.43 with Translate: the Meta page marked for translation,
translated by hand into French, German, Spanish, Japanese and Arabic; the bot moves the June
sessions, marks its own revision, waits for Translate's jobs and writes every language's log
entries, or leaves a translation outdated and says why."""

import contextlib
import json
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, META, WRITTEN_AT

BOT = Path(sys.executable).parent / "conversation-hours-bot"
AFTER_JUNE = "2023-07-01T00:00:00Z"
LANGUAGES = {"fr": "fr", "de": "de", "es": "es", "ja": "ja", "ar": "ar-levant-indic"}
MOVED = ("24", "25")
ENTRY_24 = {
    "fr": "26 juin 2023 (12:00 UTC). Sujet : Heure de conversation ad hoc sur le Pacte numérique "
    "mondial.",
    "de": "26. Juni 2023 (12:00 UTC). Thema: Ad-hoc-Gesprächsstunde zum Globalen Digitalpakt.",
    "es": "26 de junio de 2023 (12:00 UTC). Tema: Hora de conversación ad hoc sobre el Pacto "
    "Digital Global.",
    "ja": "2023年6月26日 (12:00 UTC)。トピック\uff1a"
    "グローバル・デジタル・コンパクトに関する臨時の対話の時間。",
    "ar": "٢٦ حزيران ٢٠٢٣ (12:00 UTC). الموضوع: ساعة محادثة خاصة حول الميثاق الرقمي العالمي.",
}


def fixture_texts(name):
    return json.loads((FIXTURES / "translations" / f"{name}.json").read_text(encoding="utf-8"))


def translated_pages(wiki, count, languages, changes=None, mark=None):
    """`count` copies of the Meta page as written on 10 June 2023, each marked, and translated
    by Translator, with the jobs run after each step: built together, in one import and two
    runs of the job queue for them all."""
    titles = [f"Translated {uuid.uuid4().hex[:10]}" for _ in range(count)]
    wiki.seed_many([(title, META, WRITTEN_AT, None, None) for title in titles])
    for title in titles:
        (mark or wiki.mark)(title)
    wiki.run_jobs()
    for title in titles:
        for code in languages:
            texts = {**fixture_texts(LANGUAGES.get(code, code)), **(changes or {}).get(code, {})}
            for unit, text in texts.items():
                wiki.translate(title, code, unit, text)
    wiki.run_jobs()
    return titles


def translated_page(wiki, languages, changes=None, mark=None):
    """The Meta page as written on 10 June 2023, marked, and translated by Translator."""
    return translated_pages(wiki, 1, languages, changes, mark)[0]


@pytest.fixture(scope="module")
def french_pages(dev_wiki, request):
    """A page translated into French for each test of the module that takes one."""
    tests = [
        item
        for item in request.session.items
        if getattr(item, "module", None) is request.module and "french" in item.fixturenames
    ]
    return translated_pages(dev_wiki, len(tests), ["fr"])


@pytest.fixture
def french(french_pages, dev_wiki):
    """The Meta page, marked and translated into French, for this test alone."""
    return french_pages.pop() if french_pages else translated_page(dev_wiki, ["fr"])


#: The bot's polls for Translate's jobs when a test holds the jobs back: it looks twice more
#: and reports the translations pending (no job runs, however long it waits).
HELD = "0.2,0.4"


def run_bot(wiki, title, *args, env=None, jobs=True):
    """A bot run; Translate's jobs run meanwhile (as a wiki's job runner would) unless held."""
    env = env or wiki.pywikibot_env()
    if not jobs:
        env = dict(env, CHBOT_JOB_POLL_DELAYS=HELD)
    with wiki.job_runner() if jobs else contextlib.nullcontext():
        done = subprocess.run(
            [str(BOT), "run", "--site", wiki.site, "--page", title, "--always", *args],
            env=env,
            cwd=wiki.state_dir,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert done.returncode == 0, done.stderr
    return done.stdout


def plain_bot_env(wiki):
    return dict(wiki.pywikibot_env(), PYWIKIBOT_DIR=wiki.users["plainbot"]["pywikibot_dir"])


def states(wiki, title, code):
    """unit -> (translation, outdated?) in one language, as Translate shows them now."""
    units = wiki.message_collection(title, code)
    return {u: (units[u]["translation"], "fuzzy" in units[u]["tags"]) for u in MOVED}


def edits_by(wiki, user, title):
    """Every edit `user` made to the page and its translation units."""
    answer = wiki.login_as("editor").call(
        action="query", list="usercontribs", ucuser=user, uclimit="max", ucprop="title|ids"
    )
    return [
        c
        for c in answer["query"]["usercontribs"]
        if c["title"] == title or c["title"].startswith(f"Translations:{title}/")
    ]


def marks(wiki, title):
    answer = wiki.login_as("editor").call(
        action="query",
        list="logevents",
        letype="pagetranslation",
        letitle=title,
        leprop="user|type",
    )
    return [(e["user"], e["action"]) for e in answer["query"]["logevents"] if e["action"] == "mark"]


def rendered(wiki, page):
    answer = wiki.login_as("editor").call(action="parse", page=page, prop="text")
    return answer["parse"]["text"]


@pytest.fixture(scope="module")
def flowed(dev_wiki):
    """One whole run on a page translated into five languages, with priority languages set and
    translation-aware transclusion off, as a translation administrator left them."""

    def mark_with_settings(title):
        admin = dev_wiki.login_as("admin")
        revid = admin.call(action="query", prop="info", titles=title)["query"]["pages"][0]
        admin.call(
            post=True,
            action="markfortranslation",
            title=title,
            revid=revid["lastrevid"],
            prioritylanguages="fr|de|es|ja|ar",
            forcepriority=1,
            priorityreason="Global Advocacy languages",
            transclusion="no",
            token=admin.token(),
        )

    title = translated_page(dev_wiki, LANGUAGES, mark=mark_with_settings)
    before = {"settings": metadata(dev_wiki, title)}
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    dev_wiki.run_jobs()  # translated pages render again
    return title, out, before


def metadata(wiki, title):
    database = wiki.state_dir / "data" / "devwiki.sqlite"
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT tmd_key, tmd_value FROM translate_metadata WHERE tmd_group = ?",
            (f"page-{title}",),
        )
        return {key: value for key, value in rows if key.startswith(("priority", "transclusion"))}


def test_every_moved_unit_is_current_in_every_language(dev_wiki, flowed):
    title, out, _ = flowed
    for code in LANGUAGES:
        now = states(dev_wiki, title, code)
        assert now["24"] == (ENTRY_24[code], False), code
        assert now["25"][1] is False, code
    assert "translations: done" in out


def test_the_bot_marked_its_own_revision_once_and_wrote_one_bot_edit_per_translation(
    dev_wiki, flowed
):
    title, _, _ = flowed
    assert marks(dev_wiki, title)[0] == ("ConversationBot", "mark")
    bot_edits = edits_by(dev_wiki, "ConversationBot", title)
    assert len([e for e in bot_edits if e["title"] == title]) == 1
    assert len(bot_edits) == 1 + len(LANGUAGES) * len(MOVED)


def test_translated_pages_show_the_sessions_in_their_log_without_join_details(dev_wiki, flowed):
    title, _, _ = flowed
    french = rendered(dev_wiki, f"{title}/fr")
    # French typography: MediaWiki renders the space before the colon as a no-break space.
    assert "26 juin 2023 (12:00 UTC). Sujet&#160;: Heure de conversation" in french
    assert "30 juin 2023 (16:00 UTC)" in french
    assert "zoom.us" not in french and "870 8226" not in french
    japanese = rendered(dev_wiki, f"{title}/ja")
    assert "2023年6月26日 (12:00 UTC)" in japanese


def test_priority_languages_and_transclusion_are_unchanged_by_marking(dev_wiki, flowed):
    title, _, before = flowed
    assert metadata(dev_wiki, title) == before["settings"]
    assert before["settings"]["prioritylangs"] == "fr,de,es,ja,ar"
    assert before["settings"]["transclusion"] == "0"


def test_a_second_run_changes_nothing_and_writes_nothing(dev_wiki, flowed):
    title, _, _ = flowed
    edits = len(edits_by(dev_wiki, "ConversationBot", title))
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    assert "nothing to move" in out
    assert len(edits_by(dev_wiki, "ConversationBot", title)) == edits
    assert len(marks(dev_wiki, title)) == 2


def test_without_the_right_the_bot_edits_only_and_says_the_page_needs_marking(dev_wiki, french):
    title = french
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE, env=plain_bot_env(dev_wiki))
    assert "translations: needs marking" in out
    assert [e["title"] for e in edits_by(dev_wiki, "PlainBot", title)] == [title]
    assert marks(dev_wiki, title) == [("Admin", "mark")]


def test_without_the_right_later_runs_keep_saying_the_page_needs_marking(dev_wiki, french):
    title = french
    run_bot(dev_wiki, title, "--now", AFTER_JUNE, env=plain_bot_env(dev_wiki))
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE, env=plain_bot_env(dev_wiki))
    assert "nothing to move; translations: needs marking" in out
    assert marks(dev_wiki, title) == [("Admin", "mark")]


def test_a_run_before_translates_jobs_says_pending_and_a_later_run_finishes(dev_wiki, french):
    """Until the jobs have run no translation shows as outdated: that quiet is no work done."""
    title = french
    run_bot(dev_wiki, title, "--now", AFTER_JUNE, env=plain_bot_env(dev_wiki))
    dev_wiki.mark(title)
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE, env=plain_bot_env(dev_wiki), jobs=False)
    assert "translations: translations pending" in out
    dev_wiki.run_jobs()
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE, env=plain_bot_env(dev_wiki))
    assert "translations: done" in out
    assert states(dev_wiki, title, "fr")["24"] == (ENTRY_24["fr"], False)


def test_a_mark_logged_twice_at_the_bots_revision_does_not_hide_its_edit(dev_wiki, french):
    """A resent mark, or an administrator marking again, logs a second mark of the same
    revision: the bot's edit is still the one that mark brought to translators."""
    title = french
    run_bot(dev_wiki, title, "--now", AFTER_JUNE, jobs=False)
    dev_wiki.mark(title)
    dev_wiki.run_jobs()
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    assert "translations: done" in out
    assert states(dev_wiki, title, "fr")["24"] == (ENTRY_24["fr"], False)


def test_once_marked_by_an_administrator_a_later_run_writes_the_translations(dev_wiki, french):
    title = french
    run_bot(dev_wiki, title, "--now", AFTER_JUNE, env=plain_bot_env(dev_wiki))
    dev_wiki.mark(title)
    dev_wiki.run_jobs()
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE, env=plain_bot_env(dev_wiki))
    assert "translations: done" in out
    assert states(dev_wiki, title, "fr")["24"] == (ENTRY_24["fr"], False)


def test_jobs_held_back_leave_the_translations_pending_until_the_next_run(dev_wiki, french):
    title = french
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE, jobs=False)
    assert "translations: translations pending" in out
    assert edits_by(dev_wiki, "ConversationBot", title)[0]["title"] == title
    assert len(edits_by(dev_wiki, "ConversationBot", title)) == 1
    dev_wiki.run_jobs()
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    assert "translations: done" in out
    assert states(dev_wiki, title, "fr")["24"] == (ENTRY_24["fr"], False)


def test_an_editors_unmarked_change_is_not_marked_by_the_bot(dev_wiki, french):
    title = french
    changed = META.replace("hosts conversation hours", "hosts open conversation hours")
    dev_wiki.edit_as_editor(title, changed, "wording")
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    assert "translations: unmarked change pending" in out
    assert marks(dev_wiki, title) == [("Admin", "mark")]
    assert len(edits_by(dev_wiki, "ConversationBot", title)) == 1


def test_a_translation_outdated_before_the_run_is_left_alone(dev_wiki, french):
    title = french
    # The English of unit 24 changes and is marked: the French one is outdated from then on.
    dev_wiki.edit_as_editor(title, META.replace("Monday, June 26 @", "Monday, June 26, 2023 @"))
    dev_wiki.mark(title)
    dev_wiki.run_jobs()
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    assert "unit 24 left (outdated before the run" in out
    now = states(dev_wiki, title, "fr")
    assert now["24"] == (fixture_texts("fr")["24"], True)
    assert now["25"][1] is False
    again = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    assert "unit 24 left (outdated before the run" in again
    assert states(dev_wiki, title, "fr")["24"] == (fixture_texts("fr")["24"], True)


def test_a_translation_whose_date_disagrees_is_left_and_reported(dev_wiki):
    wrong = {"fr": {"24": "Mardi 27 juin à 12:00 UTC | [https://wikimedia.zoom.us/j/1 Zoom]"}}
    title = translated_page(dev_wiki, ["fr"], changes=wrong)
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    assert "unit 24 left (the translation's date 'Mardi 27 juin' disagrees" in out
    assert states(dev_wiki, title, "fr")["24"][1] is True
    assert states(dev_wiki, title, "fr")["25"] == (
        "30 juin 2023 (16:00 UTC). Sujet : Heure de conversation ad hoc sur le Pacte numérique "
        "mondial.",
        False,
    )


def test_a_language_without_any_wording_is_left_outdated_and_reported(dev_wiki):
    dutch = {
        "nl": {
            "23": "'''Ad-hoc gespreksuur over het Global Digital Compact''' Doe mee.",
            "24": "Maandag 26 juni om 12:00 UTC | [https://wikimedia.zoom.us/j/1 Zoom]",
        }
    }
    title = translated_page(dev_wiki, [], changes=dutch)
    translator = dev_wiki.login_as("translator")
    for unit, text in dutch["nl"].items():
        translator.edit(f"Translations:{title}/{unit}/nl", text, "vertaling")
    out = run_bot(dev_wiki, title, "--now", AFTER_JUNE)
    assert "nl: unit 24 left (no wording: no template log_entry.nl.wikitext.j2" in out
    assert states(dev_wiki, title, "nl")["24"][1] is True


@pytest.fixture(scope="module")
def looked_at(dev_wiki):
    """A page translated into French and Japanese that the bot never edits: the tests that only
    look (a dry run, check) share it."""
    return translated_page(dev_wiki, ["fr", "ja"])


def test_a_dry_run_says_per_language_what_it_would_write_and_marks_nothing(dev_wiki, looked_at):
    title = looked_at
    process = subprocess.run(
        [
            str(BOT),
            "run",
            "--site",
            dev_wiki.site,
            "--page",
            title,
            "--dry-run",
            "--now",
            AFTER_JUNE,
        ],
        env=dev_wiki.pywikibot_env(),
        cwd=dev_wiki.state_dir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert process.returncode == 0, process.stderr
    assert (
        "translations: would write; fr: unit 24 would be written, unit 25 would be written; "
        "ja: unit 24 would be written, unit 25 would be written" in process.stdout
    )
    assert marks(dev_wiki, title) == [("Admin", "mark")]
    assert edits_by(dev_wiki, "ConversationBot", title) == []


def test_the_report_page_line_says_the_page_needs_marking(dev_wiki, tmp_path, french):
    title = french
    report = f"User:PlainBot/Report {title}"
    dev_wiki.seed(report, "Edits by the bot:")
    config = tmp_path / "bot.toml"
    config.write_text(
        f'state_dir = "{tmp_path / "state"}"\n\n[[targets]]\nsite = "devwiki:en"\n'
        f'page = "{title}"\nreport_page = "{report}"\n'
    )
    done = subprocess.run(
        [str(BOT), "run", "--config", str(config), "--now", AFTER_JUNE],
        env=plain_bot_env(dev_wiki),
        cwd=dev_wiki.state_dir,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr
    line = dev_wiki.revisions(report)[-1]["content"].splitlines()[-1]
    assert line.endswith("; translations: needs marking")


def test_check_says_per_language_what_a_run_would_write_and_marks_nothing(dev_wiki, looked_at):
    title = looked_at
    done = dev_wiki.run_bot("check", "--site", dev_wiki.site, "--page", title, "--now", AFTER_JUNE)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-3:] == [
        "translations: would write",
        "fr: unit 24 would be written, unit 25 would be written",
        "ja: unit 24 would be written, unit 25 would be written",
    ]
    assert marks(dev_wiki, title) == [("Admin", "mark")]
    assert edits_by(dev_wiki, "ConversationBot", title) == []


def test_run_json_reports_per_language_what_was_written(dev_wiki):
    title = translated_page(dev_wiki, ["fr", "ja"])
    report = json.loads(run_bot(dev_wiki, title, "--json", "--now", AFTER_JUNE))
    assert report["status"] == "edited"
    assert report["translations"]["status"] == "done"
    assert report["translations"]["written"] == {"fr": ["24", "25"], "ja": ["24", "25"]}
    assert report["translations"]["plan"]["fr"]["write"]["24"] == ENTRY_24["fr"]


def test_a_dry_run_json_says_per_language_what_it_would_write(dev_wiki, looked_at):
    title = looked_at
    report = json.loads(run_bot(dev_wiki, title, "--dry-run", "--json", "--now", AFTER_JUNE))
    assert report["translations"]["status"] == "would write"
    assert report["translations"]["written"] == {}
    assert report["translations"]["plan"]["fr"]["write"]["25"].startswith("30 juin 2023")
    assert marks(dev_wiki, title) == [("Admin", "mark")]
