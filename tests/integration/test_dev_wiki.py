"""The dev wiki infrastructure works: API, seeding history, pywikibot as the bot, read-only."""

from __future__ import annotations

import json

import pytest


def test_api_answers_as_mediawiki_139_with_the_test_accounts(dev_wiki):
    session = dev_wiki.login_as("editor")
    general = session.call(action="query", meta="siteinfo")["query"]["general"]
    assert general["generator"].startswith("MediaWiki 1.39")
    assert general["server"] == dev_wiki.server

    names = [user["name"] for user in dev_wiki.users.values()]
    answer = session.call(action="query", list="users", ususers="|".join(names), usprop="groups")
    groups = {user["name"]: set(user["groups"]) for user in answer["query"]["users"]}
    assert "bot" in groups["ConversationBot"]
    assert "sysop" in groups["Admin"]
    assert not groups["Editor"] & {"bot", "sysop"}


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


def current_content(dev_wiki, title: str) -> str:
    """The text api.php serves as the page's current version (no rvdir: the latest)."""
    session = dev_wiki.login_as("editor")
    answer = session.call(
        action="query", prop="revisions", titles=title, rvprop="content", rvslots="main"
    )
    return answer["query"]["pages"][0]["revisions"][0]["slots"]["main"]["content"]
