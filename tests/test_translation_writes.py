"""The translation flow's writes, offline: whatever the core plans, nothing an editor wrote
goes live in a translation, and each write says who made it."""

import json

import pytest

from bot.core.change.render import Renderer
from bot.core.page.reader import read_page
from bot.core.pipeline import run
from bot.core.settings import Settings
from bot.core.translation import plan as translations
from bot.core.translation.plan import Translation
from bot.core.wikitext.liveness import live_markup
from bot.errors import WikiError
from bot.ops.config import Target
from bot.wiki import translate_api, translation_flow
from bot.wiki.translate_api import State, Stored
from tests.conftest import FIXTURES, WRITTEN, utc
from tests.fake_translate import FakeTranslate

HOSTILE_TITLE = (
    "'''&#91;&#91;Category:Spam&#93;&#93; &#123;&#123;subst:Payload&#125;&#125; "
    "&#126;&#126;&#126;&#126;'''"
)
TARGET = Target(site="devwiki:en", title="Conversation hours")


def french(**changes: str) -> dict[str, Translation]:
    path = FIXTURES / "translations" / "fr.json"
    units = {**json.loads(path.read_text(encoding="utf-8")), **changes}
    return {unit: Translation(text) for unit, text in units.items()}


def prepared(meta_page: str, fr: dict[str, Translation]) -> translation_flow.Prepared:
    page = read_page(meta_page, Settings())
    done = run(page, utc("2023-07-01"), Settings(), default_written_at=WRITTEN)
    needs = translations.needs(done)
    assert needs is not None
    plan = translations.plan(needs, {"fr": fr}, Renderer())
    stored = {m: Stored(t.text, t.fuzzy, "2023-06-20T00:00:00Z") for m, t in fr.items()}
    state = State("Conversation hours", "en", frozenset({"translate"}), False, 1, {"fr": stored})
    return translation_flow.Prepared(TARGET, 1, tuple(needs.units), state, plan)


def test_a_title_translated_with_entities_never_goes_live_in_the_entry(meta_page):
    ready = prepared(meta_page, french(**{"23": HOSTILE_TITLE}))
    planned = ready.plan.languages["fr"].writes.get("24", "")
    assert "subst:payload" in live_markup(planned), "the core plans the decoded payload"
    assert ready.state is not None
    wiki = FakeTranslate(TARGET.title, {1: meta_page}, marked=1)
    wiki.translations = ready.state.translations
    report = translation_flow._write(wiki, ready)
    assert not [title for title, _, _ in wiki.saved if title.endswith("/24/fr")]
    assert report.left["fr"]["24"].startswith("the new text would make live")
    assert "category:Spam" in report.left["fr"]["24"]


# --- answers of the wrong shape, and long waits ---------------------------------------------


class Answering:
    """A site whose every API request is answered with `answer`."""

    def __init__(self, answer: dict) -> None:
        self.answer = answer

    def simple_request(self, **params):
        answer = self.answer

        class Request:
            def submit(self):
                return answer

        return Request()


@pytest.mark.parametrize(
    "call",
    [
        lambda site: translate_api.english_done(site, "P", {"24": "x"}, "en"),
        lambda site: translate_api.history(site, "P", 20),
        lambda site: translate_api.read_state(site, "P", ["24"], []),
        lambda site: translate_api.definition_changed_at(site, "P", "24", "en"),
        lambda site: translate_api.revision_texts(site, [1, 2]),
    ],
    ids=["poll", "history", "state", "definitions", "revisions"],
)
def test_an_answer_of_the_wrong_shape_is_a_wiki_failure(call):
    with pytest.raises(WikiError, match="was not what its API returns"):
        call(Answering({"batchcomplete": True}))


def test_a_wrong_shape_while_waiting_for_the_jobs_leaves_the_edit_and_a_later_run(monkeypatch):
    prepared = translation_flow.Prepared(
        TARGET, 1, (), State("P", "en", frozenset(), False, 1), translations.TranslationPlan({})
    )
    site = translate_api.SiteTranslate(Answering({"batchcomplete": True}))
    report = translation_flow.complete(site, prepared)
    assert report.status == translation_flow.Status.FAILED
    assert "a later run finishes the translations" in report.note


def test_waiting_for_translates_jobs_says_so(caplog):
    site = Answering({"query": {"pages": []}})
    slept = []
    with caplog.at_level("INFO", logger="conversation-hours-bot"):
        ran = translate_api.wait_for_jobs(site, "P", {"24": "x"}, "en", sleep=slept.append)
    assert not ran and slept == list(translate_api.POLL_DELAYS)
    said = [
        r.getMessage() for r in caplog.records if "waiting for Translate's jobs" in r.getMessage()
    ]
    assert len(said) == len(slept) and "next look in 1 s (0 s of 30)" in said[0]


# --- a mark whose answer is lost ------------------------------------------------------------


@pytest.mark.parametrize(("marked_now", "sent"), [(1, 1), (None, 2), (7, 2)])
def test_a_mark_whose_answer_is_lost_is_looked_for_before_it_is_sent_again(
    monkeypatch, marked_now, sent
):
    """Sent twice, a mark queues Translate's jobs twice, and the second run of them flags
    outdated what the bot has just written: the log says whether the first one landed."""
    from requests.exceptions import ReadTimeout

    requests_made = []

    class Lost:
        def submit(self):
            requests_made.append("mark")
            if len(requests_made) == 1:
                raise ReadTimeout("the answer was lost")
            return {}

    monkeypatch.setattr(translate_api, "_mark_request", lambda site, title, revid, **k: Lost())
    monkeypatch.setattr(translate_api, "_marked_at", lambda site, title: marked_now)
    translate_api.mark(object(), "P", 1)
    assert len(requests_made) == sent
