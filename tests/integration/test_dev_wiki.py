"""The dev wiki infrastructure works: API, seeding history, pywikibot as the bot, read-only,
and page translation (MediaWiki 1.43 with Translate: marking, jobs, translations)."""

from __future__ import annotations

import json

import pytest


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


def test_mark_makes_the_units_translatable(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, TRANSLATABLE, timestamp="2023-06-10T12:00:00Z")

    marked = dev_wiki.mark(fresh_title)

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

    assert dev_wiki.run_jobs() > 0
    written = dev_wiki.revisions(source_unit)
    assert [(r["user"], r["content"]) for r in written] == [("FuzzyBot", "== Upcoming ==")]
    assert dev_wiki.run_jobs() == 0  # the queue is empty now


def test_a_saved_translation_shows_in_messagecollection(dev_wiki, fresh_title):
    dev_wiki.seed(fresh_title, TRANSLATABLE, timestamp="2023-06-10T12:00:00Z")
    dev_wiki.mark(fresh_title)
    dev_wiki.run_jobs()

    revid = dev_wiki.translate(fresh_title, "fr", 2, "Le premier paragraphe.")

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
    dev_wiki.seed(fresh_title, "first", timestamp="2023-06-10T12:00:00Z", summary="one")
    dev_wiki.seed(
        fresh_title, "second", timestamp="2023-06-10T12:30:00Z", user="Admin", summary="two"
    )

    history = dev_wiki.revisions(fresh_title)
    assert [(r["timestamp"], r["content"], r["user"], r["comment"]) for r in history] == [
        ("2023-06-10T12:00:00Z", "first", "Editor", "one"),
        ("2023-06-10T12:30:00Z", "second", "Admin", "two"),
    ]
    assert history[1]["parentid"] == history[0]["revid"]
    assert current_content(dev_wiki, fresh_title) == "second"


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


def test_bot_password_does_not_allow_creating_pages(dev_wiki, fresh_title):
    bot = dev_wiki.login_as("bot")
    with pytest.raises(dev_wiki.ApiError) as raised:
        bot.edit(fresh_title, "new page", "should fail")
    assert raised.value.code == "cantcreate"


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
    dev_wiki.set_readonly(True)
    try:
        with pytest.raises(dev_wiki.ApiError) as raised:
            dev_wiki.edit_as_editor(fresh_title, "During.", "should fail")
        assert raised.value.code == "readonly"
    finally:
        dev_wiki.set_readonly(False)

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
