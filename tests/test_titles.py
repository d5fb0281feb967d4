"""Page titles compared as MediaWiki compares them: one title written two ways is one title."""

import pytest

from bot.core.wikitext.titles import key, normal


@pytest.mark.parametrize(
    ("written", "stored"),
    [
        ("Office_hours", "Office hours"),
        ("  Office   hours ", "Office hours"),
        ("Cafe\u0301/Archive", "Caf\u00e9/Archive"),
    ],
    ids=["underscores", "runs-of-spaces", "nfc"],
)
def test_a_title_is_normal_as_mediawiki_stores_it(written, stored):
    assert normal(written) == stored


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("office hours", "Office hours"),
        (":Office hours", "Office hours"),
        ("user:ConversationBot/config", "User:ConversationBot/config"),
        ("User:conversationBot/config", "User:ConversationBot/config"),
        ("User:Conversation_Bot", "USER:Conversation Bot"),
    ],
    ids=["first-letter", "leading-colon", "namespace-case", "title-first-letter", "both"],
)
def test_two_spellings_of_a_title_have_one_key(one, other):
    assert key(one) == key(other)


def test_case_past_the_first_letter_counts():
    assert key("Office Hours") != key("Office hours")
