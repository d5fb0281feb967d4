"""Whether a log entry already records a session: the same day, the same time when both give
one, and the same topic (a word of the session's title or own words in the entry)."""

import re

from bot.core.dates import logged_start
from bot.core.page.model import DatedSlot
from bot.core.wikitext.patterns import LIST_PREFIX

_WORD = re.compile(r"[^\W\d_]{4,}")
#: Words every entry of such a log shares: they say nothing of which session it is.
_COMMON = frozenset(
    "topic with from call calls session sessions hour hours conversation meeting meetings "
    "office recording slides notes talk".split()
)


def same_session(entry: str, session: DatedSlot) -> bool:
    logged = logged_start(LIST_PREFIX.sub("", entry, count=1))
    if logged is None or logged.start.date() != session.start.date():
        return False
    if logged.has_time and session.has_time and logged.start != session.start:
        return False
    words = dated_words(session)
    return not words or bool(words & _words(entry))


def dated_words(session: DatedSlot) -> set[str]:
    texts = [session.block.title or ""]
    if session.words is not None:
        texts.append(session.words.own_text)
    return set().union(*(_words(text) for text in texts))


def _words(text: str) -> set[str]:
    return {w for w in (m.group().casefold() for m in _WORD.finditer(text)) if w not in _COMMON}
