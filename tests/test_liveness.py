"""The one escaping function and the "nothing becomes live" check, on their own."""

import pytest

from bot.core.wikitext.escape import escape_wikitext
from bot.core.wikitext.liveness import MAX_CHARS, became_live, live_markup

PAYLOAD = (
    "&#91;&#91;Category:Spam&#93;&#93; &#123;&#123;subst:Payload&#125;&#125; "
    "&#126;&#126;&#126;&#126; https://spam.example __NOTOC__"
)


def test_each_kind_of_live_markup_is_counted():
    found = live_markup(
        "[[Category:Spam]] [[Page#Section|x]] {{subst:Foo}} {{Bar|{{Baz}}}} ~~~~ ~~~ ~~~~~ "
        "__NOTOC__ <div>x</div> [https://a.example a] https://b.example {{{1}}}"
    )
    assert found == {
        "category:Spam": 1,
        "link:Page": 1,
        "subst:foo": 1,
        "template:foo": 1,
        "template:bar": 1,
        "template:baz": 1,
        "signature:~~~~": 1,
        "signature:~~~": 1,
        "signature:~~~~~": 1,
        "magic:__NOTOC__": 1,
        "tag:div": 1,
        "external:https://a.example": 1,
        "external:https://b.example": 1,
        "argument:1": 1,
    }


@pytest.mark.parametrize(
    "text",
    [
        "<!-- [[Category:Spam]] {{x}} ~~~~ -->",
        "<nowiki>[[Category:Spam]] {{x}} ~~~~</nowiki>",
        "<pre>{{subst:x}} https://spam.example</pre>",
        "'''bold''' ''italic''",
        "plain words &#91;&#91;x&#93;&#93;",
    ],
)
def test_nothing_is_live_in_comments_opaque_tags_bold_or_entities(text):
    assert not {k for k in live_markup(text) if not k.startswith("tag:")}


def test_a_text_too_long_to_look_at_is_refused():
    with pytest.raises(ValueError, match="over the"):
        live_markup("x" * (MAX_CHARS + 1))


def test_deep_nesting_does_not_exhaust_the_stack():
    assert live_markup("[[a|" * 2000 + "]]" * 2000)["link:a"] >= 1


def test_became_live_names_what_is_new_and_leaves_what_was_there():
    old = "{{Keep}} [[Page]]"
    new = "{{Keep}} [[Page]] [[Page]] [[Category:Spam]] ~~~~ {{subst:x}}"
    assert became_live(old, new) == [
        "category:Spam",
        "link:Page",
        "signature:~~~~",
        "subst:x",
        "template:x",
    ]
    assert became_live(old, new, allowed=("link:Page", "category:*", "signature:*", "*:x")) == []


def test_removing_markup_is_never_a_problem():
    assert became_live("{{A}} [[B]] ~~~~", "plain") == []


def test_escaping_decodes_entities_first_so_a_payload_stays_text():
    escaped = escape_wikitext(PAYLOAD)
    assert live_markup(escaped) == {}
    assert "https&#58;//spam.example" in escaped
    assert escape_wikitext(escaped) == escaped


def test_escaping_normalises_to_nfc():
    assert escape_wikitext("Cafe&#769;") == "Caf\u00e9"
    assert escape_wikitext("Cafe\u0301") == "Caf\u00e9"


@pytest.mark.parametrize("url", ["https://x.example", "HTTP://x.example", "mailto:a@b.example"])
def test_a_free_url_is_no_link_once_escaped(url):
    assert live_markup(url) and not live_markup(escape_wikitext(url))


def test_a_word_that_merely_ends_like_a_scheme_keeps_its_colon():
    assert escape_wikitext("Topics: news") == "Topics: news"
    assert escape_wikitext("note: https") == "note: https"
