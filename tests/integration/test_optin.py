"""Pages that opt in on the local wiki with the configuration template written on themselves:
one pass finds them, edits each as its own template says or says on the status page why not,
and the next pass changes nothing."""

import subprocess
from pathlib import Path

import pytest

from tests.conftest import META, WRITTEN_AT

WRITTEN = "2024-01-20T09:00:00Z"
PASS = "2024-03-01T00:00:00Z"  # after every session below
LIST = """{{%(template)s
|upcoming = Upcoming office hours
|log = Past office hours
%(more)s}}
Office hours of the Trust and Safety team, open to all.

== Upcoming office hours ==
* February 14, 2024, 16:00 UTC: Annual plan questions
* April 10, 2024, 16:00 UTC: Next round

== Past office hours ==
* January 10, 2024: Welcome session
"""
TABLE = """{{%(template)s
|upcoming = Upcoming Conversation Hours
|log = Log of Previous Conversation Hours
}}
== Upcoming Conversation Hours ==
'''Copyright conversation hours'''
{| class="wikitable"
! Date !! Link
|-
| Monday, February 26, 2024 @ 12:00 UTC || [https://wikimedia.zoom.us/j/87082260165 Zoom]
|-
| Friday, April 26, 2024 @ 16:00 UTC || [https://wikimedia.zoom.us/j/87082260165 Zoom]
|}

== Log of Previous Conversation Hours ==
* June 29, 2023. Topic: Disinformation.
"""


def listed(template: str, more: str = "") -> str:
    return LIST % {"template": template, "more": more}


def shelf_of(titles: dict[str, str]) -> str:
    """The title prefix the operator allows archives under (`archive_prefixes`)."""
    return titles["list"].removesuffix(" list").replace("_", " ") + " shelf/"


@pytest.fixture
def wiki_pages(dev_wiki, fresh_title, tmp_path):
    """A template of this test's own and every kind of page that opts in with it."""
    template = f"User:ConversationBot/config {fresh_title}"
    wrapper = f"User:ConversationBot/wrapper {fresh_title}"
    status = f"User:ConversationBot/Status {fresh_title}"
    titles = {
        kind: f"{fresh_title} {kind}"
        for kind in (
            "list",
            "table",
            "preview",
            "bad",
            "transcluded",
            "inside",
            "old",
            "nobots",
            "archive",
            "shelved",
            "elsewhere",
        )
    }
    shelf = shelf_of(titles)
    inside = listed(template).replace("\n}}\n", "\n}}\n", 1)
    inside = inside[inside.index("}}\n") + 3 :].replace(
        "== Upcoming office hours ==\n",
        "== Upcoming office hours ==\n{{"
        + template
        + "|upcoming = Upcoming office hours|log = Past office hours}}\n",
    )
    texts = {
        "list": listed(template),
        "table": TABLE % {"template": template},
        "preview": listed(template, "|mode = preview\n"),
        "bad": listed(template, "|grace = soon\n"),
        "transcluded": "{{" + wrapper + "}}\n" + listed(template).split("}}\n", 1)[1],
        "inside": inside,
        "old": listed(template),
        "nobots": "{{nobots}}\n" + listed(template),
        "archive": listed(template, "|archive = /Archive/%(year)d\n"),
        "shelved": listed(template, f"|archive = {shelf}Office hours/%(year)d\n"),
        "elsewhere": listed(template, f"|archive = {fresh_title} shelves/%(year)d\n"),
    }
    dev_wiki.seed_many(
        [
            (template, "<noinclude>The bot's configuration.</noinclude>", None, None, None),
            (wrapper, "{{" + template + "|upcoming=x|log=y}}", None, None, None),
            (status, "(the bot writes here)", None, None, None),
            *((titles[kind], text, WRITTEN, None, None) for kind, text in texts.items()),
        ]
    )
    moved = f"{fresh_title} moved"
    dev_wiki.session("admin").call(
        post=True,
        action="move",
        **{"from": titles["old"]},
        to=moved,
        reason="renamed by its editors",
        token=dev_wiki.session("admin").token(),
    )
    titles["moved"] = moved
    path = tmp_path / "bot.toml"
    path.write_text(
        f'state_dir = "{tmp_path / "state"}"\n\n[[optin]]\nsite = "devwiki:en"\n'
        f'optin_template = "{template}"\nnamespaces = [0]\nmax_edits_per_day = 1\n'
        f'status_page = "{status}"\narchive_prefixes = ["{shelf}"]\n'
    )
    return titles, status, path


def run_pass(dev_wiki, path: Path) -> subprocess.CompletedProcess:
    return dev_wiki.run_bot("run", "--config", str(path), "--now", PASS)


def counts(dev_wiki, titles) -> dict[str, int]:
    return {title: len(dev_wiki.revisions(title)) for title in titles}


def test_a_pass_keeps_each_page_that_opts_in_as_its_template_says(dev_wiki, wiki_pages):
    titles, status, path = wiki_pages
    done = run_pass(dev_wiki, path)
    assert done.returncode == 4, done.stderr  # {{nobots}}: the page says no, as a wiki would
    for kind in ("list", "table", "moved"):
        history = dev_wiki.revisions(titles[kind])
        assert history[-1]["user"] == "ConversationBot", kind
        assert history[-1]["comment"].startswith("Bot: moved 1 past"), kind
    assert "Past office hours ==\n* February 14, 2024" in dev_wiki.revisions(titles["list"])[-1][
        "content"
    ].replace("\n\n", "\n")
    for kind in ("preview", "bad", "transcluded", "inside", "nobots"):
        assert len(dev_wiki.revisions(titles[kind])) == 1, kind
    archived = dev_wiki.revisions(f"{titles['archive']}/Archive/2024")
    assert len(archived) == 1 and archived[0]["user"] == "ConversationBot"
    assert "== Past office hours ==\n* February 14, 2024" in archived[0]["content"]
    page = dev_wiki.revisions(titles["archive"])[-1]
    assert "February 14, 2024" not in page["content"]
    assert f"[[{titles['archive'].replace('_', ' ')}/Archive/2024]]" in page["comment"]
    shelved = dev_wiki.revisions(f"{shelf_of(titles)}Office hours/2024")
    assert len(shelved) == 1 and "* February 14, 2024" in shelved[0]["content"]
    assert len(dev_wiki.revisions(titles["elsewhere"])) == 1
    said = dev_wiki.revisions(status)[-1]["content"]
    section = {kind: _section(said, title) for kind, title in titles.items() if kind != "old"}
    assert "* Preview (the page's template says mode = preview" in section["preview"]
    assert '** "February 14, 2024, 16:00 UTC: Annual plan questions"' in section["preview"]
    assert "configuration: grace: 'soon' is not a length of time" in section["bad"]
    assert "is not written on this page" in section["transcluded"]
    assert "stands inside the section 'Upcoming office hours'" in section["inside"]
    assert "excludes this bot with &#123;&#123;bots&#125;&#125;" in section["nobots"]
    shelf = shelf_of(titles)
    assert f"or a page whose title starts with {shelf};" in section["elsewhere"].replace("_", " ")


def test_the_next_pass_changes_nothing(dev_wiki, wiki_pages):
    titles, status, path = wiki_pages
    run_pass(dev_wiki, path)
    shelved = f"{shelf_of(titles)}Office hours/2024"
    pages = [*titles.values(), status, f"{titles['archive']}/Archive/2024", shelved]
    before = counts(dev_wiki, pages)
    again = run_pass(dev_wiki, path)
    assert again.returncode == 0, again.stderr  # the same refusals: no news
    assert counts(dev_wiki, pages) == before


def test_a_page_at_its_daily_cap_is_held_and_says_so(dev_wiki, wiki_pages):
    titles, status, path = wiki_pages
    run_pass(dev_wiki, path)
    page = dev_wiki.revisions(titles["list"])[-1]["content"]
    dev_wiki.edit_as_editor(
        titles["list"],
        page.replace("* April 10, 2024", "* February 20, 2024, 16:00 UTC: Extra\n* April 10, 2024"),
    )
    before = len(dev_wiki.revisions(titles["list"]))
    run_pass(dev_wiki, path)
    assert len(dev_wiki.revisions(titles["list"])) == before
    said = _section(dev_wiki.revisions(status)[-1]["content"], titles["list"])
    assert "held: the bot edited this page 1 times in the last day" in said


def test_a_translatable_page_that_opts_in_is_edited_and_marked_for_its_translators(
    dev_wiki, fresh_title, tmp_path
):
    title, marks = _opted_in_translatable(dev_wiki, fresh_title, tmp_path, "")
    assert dev_wiki.revisions(title)[-1]["user"] == "ConversationBot"
    assert _marks(dev_wiki, title) == marks + 1


def test_a_translatable_page_that_says_translations_no_is_edited_and_not_marked(
    dev_wiki, fresh_title, tmp_path
):
    title, marks = _opted_in_translatable(dev_wiki, fresh_title, tmp_path, "|translations = no\n")
    assert dev_wiki.revisions(title)[-1]["user"] == "ConversationBot"
    assert _marks(dev_wiki, title) == marks


def _opted_in_translatable(dev_wiki, title: str, tmp_path, more: str) -> tuple[str, int]:
    """The Meta page, marked for translation, opting in; a pass after its June sessions.
    Returns the page's title and how many times it was marked before the pass."""
    template = f"User:ConversationBot/config {title}"
    call = (
        "{{" + template + "\n|upcoming = Upcoming Conversation Hours\n"
        "|log = Log of Previous Conversation Hours\n" + more + "}}\n"
    )
    dev_wiki.seed(title, call + META, timestamp=WRITTEN_AT)
    dev_wiki.mark(title)
    marks = _marks(dev_wiki, title)
    path = tmp_path / "bot.toml"
    path.write_text(
        f'state_dir = "{tmp_path / "state"}"\n\n[[optin]]\nsite = "devwiki:en"\n'
        f'optin_template = "{template}"\n'
    )
    done = dev_wiki.run_bot("run", "--config", str(path), "--now", "2023-06-28T00:00:00Z")
    assert done.returncode == 0, done.stderr
    return title, marks


def _marks(dev_wiki, title: str) -> int:
    answer = dev_wiki.reader().call(
        action="query", list="logevents", letype="pagetranslation", letitle=title
    )
    return len(answer["query"]["logevents"])


def _section(status: str, title: str) -> str:
    """The status page's section on one page."""
    start = status.index(f"== [[{title.replace('_', ' ')}]] ==")
    end = status.find("\n== [[", start + 1)
    return status[start : end if end != -1 else len(status)]


def test_pages_past_max_pages_take_their_turn_on_the_next_pass(dev_wiki, fresh_title, tmp_path):
    template = f"User:ConversationBot/config {fresh_title}"
    titles = [f"{fresh_title} {letter}" for letter in "abc"]
    dev_wiki.seed_many([(title, listed(template), WRITTEN, None, None) for title in titles])
    path = tmp_path / "bot.toml"
    path.write_text(
        f'state_dir = "{tmp_path / "state"}"\n\n[[optin]]\nsite = "devwiki:en"\n'
        f'optin_template = "{template}"\nmax_pages = 2\n'
    )
    first = run_pass(dev_wiki, path)
    assert first.returncode == 0, first.stderr
    assert "this pass takes 2 of them" in first.stdout + first.stderr
    edited = {t: dev_wiki.revisions(t)[-1]["user"] == "ConversationBot" for t in titles}
    assert edited == {titles[0]: True, titles[1]: True, titles[2]: False}
    assert run_pass(dev_wiki, path).returncode == 0
    assert dev_wiki.revisions(titles[2])[-1]["user"] == "ConversationBot"
