"""The pre-flight's own rules, offline: which pages and rights it asks the wiki about."""

from datetime import UTC, datetime

from bot.ops.config import OptInWiki, Target
from bot.wiki import client, preflight

SITE = "devwiki:en"


class _Site:
    def username(self) -> str:
        return "ConversationBot"


def _wiki(monkeypatch, rights: set[str], existing: set[str]) -> list[list[str]]:
    """Stands the client in for a wiki with these rights and pages; returns what was read."""
    asked: list[list[str]] = []
    monkeypatch.setattr(client, "login", lambda site: None)
    monkeypatch.setattr(client, "has_right", lambda site, right: right in rights)
    monkeypatch.setattr(client, "wiki_time", lambda site: datetime.now(UTC))

    def read_many(site, titles, extra):
        asked.append(extra)
        return {}, {title: object() for title in extra if title in existing}

    monkeypatch.setattr(client, "read_many", read_many)
    monkeypatch.setattr(preflight, "_target_problems", lambda site, target, pages: [])
    return asked


def test_each_targets_own_status_page_is_checked(monkeypatch):
    _wiki(monkeypatch, {"edit", "bot"}, {"B/Status", "User:ConversationBot/Stop"})
    targets = [
        Target(site=SITE, title="A", status_page="A/Status"),
        Target(site=SITE, title="B", status_page="B/Status"),
    ]
    found = preflight._page_problems(SITE, _Site(), targets, None)
    assert found == [f"{SITE}: the status page [[A/Status]] does not exist; create it (any text)"]


def test_a_wiki_where_pages_opt_in_needs_the_right_to_create_archives(monkeypatch):
    _wiki(monkeypatch, {"edit", "bot"}, set())
    optin = OptInWiki("User:ConversationBot/config", Target(site=SITE, title=""))
    found = preflight._login_problems(SITE, _Site(), [optin.page], optin)
    assert found == [
        f"{SITE}: the account ConversationBot lacks the 'createpage' right: a page that opts "
        "in with an archive would have its archive pages refused"
    ]


def test_a_wiki_without_opt_in_needs_no_right_to_create(monkeypatch):
    _wiki(monkeypatch, {"edit", "bot"}, set())
    assert preflight._login_problems(SITE, _Site(), [Target(site=SITE, title="A")]) == []
