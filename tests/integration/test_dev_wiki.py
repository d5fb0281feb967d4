"""The dev wiki infrastructure works: API, seeding history, pywikibot as the bot, read-only,
and page translation (MediaWiki 1.43 with Translate: marking, jobs, translations). The tests of
a command run it as scripts/dev-wiki, so its output contract (KEY=value lines) is tested too."""

from __future__ import annotations

import json
import re

import pytest


def command(dev_wiki, *args: str, input: str | None = None) -> dict[str, str]:
    """scripts/dev-wiki ARGS against the test wiki: the KEY=value lines it printed."""
    result = dev_wiki.script(*args, input=input)
    return dict(re.findall(r"^([A-Z_]+)=(.*)$", result.stdout, re.MULTILINE))


def test_api_answers_as_mediawiki_143_with_the_test_accounts(dev_wiki):
    session = dev_wiki.login_as("editor")
    general = session.call(action="query", meta="siteinfo")["query"]["general"]
    assert general["generator"].startswith("MediaWiki 1.43.")
    assert general["server"] == dev_wiki.server

    names = [user["name"] for user in dev_wiki.users.values()]
    answer = session.call(action="query", list="users", ususers="|".join(names), usprop="groups")
    groups = {user["name"]: set(user["groups"]) for user in answer["query"]["users"]}
    assert {"bot", "translationadmin"} <= groups["ConversationBot"]
    assert "bot" in groups["PlainBot"]
    assert "translationadmin" not in groups["PlainBot"]
    assert {"sysop", "translationadmin"} <= groups["Admin"]
    for human in ("Editor", "Translator"):
        assert not groups[human] & {"bot", "sysop", "translationadmin"}
    # wiki.json tells the truth about every account's groups.
    for user in dev_wiki.users.values():
        assert set(user["groups"]) <= groups[user["name"]], user["name"]


def test_translate_and_universal_language_selector_are_loaded(dev_wiki):
    answer = dev_wiki.login_as("editor").call(action="query", meta="siteinfo", siprop="extensions")
    loaded = {extension["name"] for extension in answer["query"]["extensions"]}
    assert {"Translate", "UniversalLanguageSelector"} <= loaded


def test_only_conversationbots_bot_password_may_mark_pages_for_translation(dev_wiki):
    def rights(role):
        answer = dev_wiki.login_as(role).call(action="query", meta="userinfo", uiprop="rights")
        return set(answer["query"]["userinfo"]["rights"])

    # Through the BotPassword sessions, so the grants are applied too.
    bot, plain = rights("bot"), rights("plainbot")
    assert {"pagetranslation", "translate", "bot", "edit"} <= bot
    assert "pagetranslation" not in plain
    assert {"translate", "bot", "edit"} <= plain
    assert {"translate"} <= rights("translator")


def test_plainbots_own_pywikibot_folder_logs_it_in_without_pagetranslation(dev_wiki):
    result = dev_wiki.run_pywikibot(
        """
        import json, pywikibot
        site = pywikibot.Site()
        site.login()
        print(json.dumps([str(site), site.user(), site.has_right("bot"),
                          site.has_right("pagetranslation")]))
        """,
        role="plainbot",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == [dev_wiki.site, "PlainBot", True, False]


def test_mark_makes_the_units_translatable(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, TRANSLATABLE, timestamp="2023-06-10T12:00:00Z")

    said = command(dev_wiki, "mark", fresh_title)
    marked = int(said["REVID"])
    assert said["UNITS"] == "4"  # the three of the text, and the page's display title

    # Translate numbered the units in a new revision by the marking account, and marked it.
    latest = dev_wiki.revisions(fresh_title)[-1]
    assert latest["revid"] == marked
    assert latest["user"] == "Admin"
    assert "<!--T:1-->" in latest["content"] and "<!--T:2-->" in latest["content"]
    units = dev_wiki.message_collection(fresh_title, "fr")
    assert units["1"]["definition"] == "== Upcoming =="
    assert units["2"]["definition"] == "The first paragraph."
    assert units["3"]["definition"] == "The second paragraph."
    assert all(units[unit]["translation"] is None for unit in ("1", "2", "3"))


def test_the_bot_marks_through_its_bot_password_and_plainbot_is_refused(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, TRANSLATABLE, timestamp="2023-06-10T12:00:00Z")
    seeded = dev_wiki.revisions(fresh_title)[-1]["revid"]

    refused = dev_wiki.script("mark", fresh_title, "--as", "plainbot", check=False)
    assert refused.returncode == 1
    assert "permissiondenied" in refused.stderr
    assert dev_wiki.revisions(fresh_title)[-1]["revid"] == seeded

    marked = dev_wiki.mark(fresh_title, as_role="bot")
    assert dev_wiki.revisions(fresh_title)[-1]["user"] == "ConversationBot"
    assert marked > seeded
    assert set(dev_wiki.message_collection(fresh_title, "fr")) >= {"1", "2", "3"}


def test_marking_again_without_changes_marks_the_same_revision(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, TRANSLATABLE, timestamp="2023-06-10T12:00:00Z")
    first = dev_wiki.mark(fresh_title)
    assert dev_wiki.mark(fresh_title) == first
    assert dev_wiki.revisions(fresh_title)[-1]["revid"] == first


def test_jobs_wait_for_run_jobs(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, TRANSLATABLE, timestamp="2023-06-10T12:00:00Z")
    dev_wiki.mark(fresh_title)
    source_unit = f"Translations:{fresh_title}/1/en"

    # Marking queued the jobs that write the source units. Web requests run none of them
    # (with the default $wgJobRunRate each of these would run one).
    for _ in range(3):
        assert "1" in dev_wiki.message_collection(fresh_title, "en")
    assert dev_wiki.revisions(source_unit) == []

    assert int(command(dev_wiki, "run-jobs")["JOBS"]) > 0
    written = dev_wiki.revisions(source_unit)
    assert [(r["user"], r["content"]) for r in written] == [("FuzzyBot", "== Upcoming ==")]
    assert command(dev_wiki, "run-jobs")["JOBS"] == "0"  # the queue is empty now


def test_a_saved_translation_shows_in_messagecollection(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, TRANSLATABLE, timestamp="2023-06-10T12:00:00Z")
    dev_wiki.mark(fresh_title)
    dev_wiki.run_jobs()

    said = command(
        dev_wiki,
        "translate",
        fresh_title,
        "--lang",
        "fr",
        "--unit",
        "2",
        "-",
        input="Le premier paragraphe.",
    )
    revid = int(said["REVID"])

    saved = dev_wiki.revisions(f"Translations:{fresh_title}/2/fr")
    assert [(r["revid"], r["user"]) for r in saved] == [(revid, "Translator")]
    french = dev_wiki.message_collection(fresh_title, "fr")
    assert french["2"]["translation"] == "Le premier paragraphe."
    assert french["2"]["properties"]["last-translator-text"] == "Translator"
    assert "fuzzy" not in french["2"]["tags"]
    assert french["3"]["translation"] is None
    assert dev_wiki.message_collection(fresh_title, "de")["2"]["translation"] is None


def test_translating_a_unit_that_does_not_exist_fails(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, TRANSLATABLE, timestamp="2023-06-10T12:00:00Z")
    dev_wiki.mark(fresh_title)
    result = dev_wiki.script(
        "translate", fresh_title, "--lang", "fr", "--unit", "99", "--text", "x", check=False
    )
    assert result.returncode == 1
    assert "tpt-unknown-page" in result.stderr


def test_seed_builds_page_history_with_the_given_timestamps(dev_wiki, fresh_title):
    seed = ["seed", "-", "--title", fresh_title, "--timestamp"]
    first = command(dev_wiki, *seed, "2023-06-10T12:00:00Z", "--summary", "one", input="first")
    second = command(
        dev_wiki,
        *seed,
        "2023-06-10T14:30:00+02:00",
        "--user",
        "Admin",
        "--summary",
        "two",
        input="second",
    )

    history = dev_wiki.revisions(fresh_title)
    assert [(r["timestamp"], r["content"], r["user"], r["comment"]) for r in history] == [
        ("2023-06-10T12:00:00Z", "first", "Editor", "one"),
        ("2023-06-10T12:30:00Z", "second", "Admin", "two"),
    ]
    assert [first["REVID"], second["REVID"]] == [str(r["revid"]) for r in history]
    assert history[1]["parentid"] == history[0]["revid"]
    assert current_content(dev_wiki, fresh_title) == "second"


def test_seed_of_an_older_revision_goes_into_the_history_and_says_so(dev_wiki, fresh_title):
    newer = dev_wiki.seed(fresh_title, "newer", timestamp="2023-06-10T12:00:00Z")
    result = dev_wiki.script(
        "seed", "-", "--title", fresh_title, "--timestamp", "2023-06-01T00:00:00Z", input="older"
    )

    assert f"REVID={newer}" in result.stdout.splitlines()
    assert "already has a newer revision (2023-06-10T12:00:00Z)" in result.stderr
    history = dev_wiki.revisions(fresh_title)
    assert [r["content"] for r in history] == ["older", "newer"]


def test_seed_many_imports_every_page_at_once_with_its_history(dev_wiki, fresh_title, tmp_path):
    (tmp_path / "b.wikitext").write_text("B from a file", encoding="utf-8")
    pages = [
        {"title": f"{fresh_title} A", "text": "A one", "timestamp": "2023-06-10T12:00:00Z"},
        {"title": f"{fresh_title} B", "file": "b.wikitext", "user": "Admin", "summary": "b"},
        {"title": f"{fresh_title} A", "text": "A two", "timestamp": "2023-06-11T12:00:00Z"},
    ]
    (tmp_path / "pages.json").write_text(json.dumps(pages), encoding="utf-8")

    revids = json.loads(command(dev_wiki, "seed-many", str(tmp_path / "pages.json"))["REVIDS"])

    a, b = dev_wiki.revisions(f"{fresh_title} A"), dev_wiki.revisions(f"{fresh_title} B")
    assert [(r["timestamp"], r["content"], r["user"]) for r in a] == [
        ("2023-06-10T12:00:00Z", "A one", "Editor"),
        ("2023-06-11T12:00:00Z", "A two", "Editor"),
    ]
    assert [(r["content"], r["user"], r["comment"], r["bot"]) for r in b] == [
        ("B from a file", "Admin", "b", False)  # seeded now: in recent changes, not as a bot
    ]
    assert revids == {f"{fresh_title} A": a[-1]["revid"], f"{fresh_title} B": b[-1]["revid"]}


def test_seed_twice_at_the_same_timestamp_keeps_both_and_serves_the_last(dev_wiki, fresh_title):
    first = dev_wiki.seed(fresh_title, "one", timestamp="2023-06-10T12:00:00Z")
    second = dev_wiki.seed(fresh_title, "two", timestamp="2023-06-10T12:00:00Z")

    history = dev_wiki.revisions(fresh_title)
    assert [(r["revid"], r["timestamp"], r["content"]) for r in history] == [
        (first, "2023-06-10T12:00:00Z", "one"),
        (second, "2023-06-10T12:00:00Z", "two"),
    ]
    assert current_content(dev_wiki, fresh_title) == "two"


def test_pywikibot_logs_in_with_the_bot_password_and_edits_with_the_bot_flag(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, "Seeded text.", timestamp="2023-06-10T12:00:00Z")

    result = dev_wiki.run_pywikibot(
        f"""
        import json, pywikibot
        site = pywikibot.Site()
        site.login()
        page = pywikibot.Page(site, {fresh_title!r})
        page.text += "\\nAdded by the bot."
        page.save(summary="bot test edit")
        print(json.dumps({{
            "site": str(site),
            "user": site.user(),
            "bot_right": site.has_right("bot"),
            "site_from_url": str(pywikibot.Site(url={dev_wiki.url!r})),
        }}))
        """
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen == {
        "site": dev_wiki.site,
        "user": "ConversationBot",
        "bot_right": True,
        "site_from_url": dev_wiki.site,
    }

    latest = dev_wiki.revisions(fresh_title)[-1]
    assert latest["user"] == "ConversationBot"
    assert latest["comment"] == "bot test edit"
    assert latest["content"] == "Seeded text.\nAdded by the bot."
    assert latest["bot"] is True


def test_bot_password_creates_pages_for_archive_subpages(dev_wiki, fresh_title):
    dev_wiki.login_as("bot").edit(fresh_title, "new archive", "archive", createonly=1)
    assert dev_wiki.revisions(fresh_title)[-1]["user"] == dev_wiki.users["bot"]["name"]


def test_bot_password_does_not_allow_protecting_pages(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, "Some text.")
    with pytest.raises(dev_wiki.ApiError) as raised:
        dev_wiki.login_as("bot").protect(fresh_title)
    assert raised.value.code in {"permissiondenied", "mwoauth-invalid-authorization"}


def test_bot_cannot_edit_a_page_the_admin_protected(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, "Protected text.")
    dev_wiki.protect_as_admin(fresh_title)
    with pytest.raises(dev_wiki.ApiError) as raised:
        dev_wiki.login_as("bot").edit(fresh_title, "changed", "should fail")
    assert raised.value.code == "protectedpage"


def test_editor_gets_an_edit_conflict_against_a_newer_bot_edit(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, "line A\n", timestamp="2023-06-10T12:00:00Z")
    base = dev_wiki.revisions(fresh_title)[-1]["timestamp"]
    dev_wiki.login_as("bot").edit(fresh_title, "line B\n", "bot changes the line")

    with pytest.raises(dev_wiki.ApiError) as raised:
        dev_wiki.edit_as_editor(
            fresh_title, "line C\n", "human changes the same line", basetimestamp=base
        )
    assert raised.value.code == "editconflict"


def test_readonly_on_makes_edits_fail_until_switched_off(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, "Before.")
    dev_wiki.script("readonly", "on", "--reason", "It's a test's \\ reason")
    try:
        with pytest.raises(dev_wiki.ApiError) as raised:
            dev_wiki.edit_as_editor(fresh_title, "During.", "should fail")
        assert raised.value.code == "readonly"
        # The reason reaches the wiki as given, quotes and backslash included.
        assert raised.value.response["error"]["readonlyreason"] == "It's a test's \\ reason"
        assert "(read-only)" in dev_wiki.script("status").stderr
    finally:
        dev_wiki.script("readonly", "off")

    assert dev_wiki.edit_as_editor(fresh_title, "After.", "works again")["result"] == "Success"
    assert current_content(dev_wiki, fresh_title) == "After."


def test_start_again_reports_the_running_wiki(dev_wiki):
    result = dev_wiki.script("start")
    assert "already running" in result.stderr
    assert f"PYWIKIBOT_DIR={dev_wiki.pywikibot_dir}" in result.stdout.splitlines()
    assert f"URL={dev_wiki.url}" in result.stdout.splitlines()


TRANSLATABLE = """<languages/>
<translate>
== Upcoming ==

The first paragraph.

The second paragraph.
</translate>
"""


def current_content(dev_wiki, title: str) -> str:
    """The text api.php serves as the page's current version (no rvdir: the latest)."""
    session = dev_wiki.login_as("editor")
    answer = session.call(
        action="query", prop="revisions", titles=title, rvprop="content", rvslots="main"
    )
    return answer["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"]
