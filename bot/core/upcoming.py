"""Reads the "Upcoming" section into event blocks.

An event block is a list whose items carry dates, the announcement before it (a paragraph that
opens with bold text, or a subheading), any description between the two, and paragraphs after
the list that are about the same event. The bot only claims a paragraph it can tie to the event;
anything else stays where it is, so standing text is never retired by accident.
"""

import re

from bot.core import dates
from bot.core.lines import Chunk, Kind, Line
from bot.core.model import EventBlock, Timeslot
from bot.core.sections import heading_title, plain_title
from bot.core.syntax import LEADING_GLUE, OWN_UNIT

_BOLD_LEAD = re.compile(r"^'''(?!')(.+?)'''")
_WORD = re.compile(r"\w+")
# Words that every block on such a page shares, so they say nothing about which event is meant.
_COMMON = frozenset(
    (
        "the a an and or of on in for to with about our your this that from at by is are be will "
        "conversation conversations hour hours session sessions call calls event events upcoming "
        "meeting meetings ad hoc join more"
    ).split(" ")
)


def read_blocks(chunks: list[Chunk]) -> tuple[list[EventBlock], list[str]]:
    """The event blocks of the section, and warnings about lines whose date can't be trusted."""
    warnings: list[str] = []
    lists = [i for i, chunk in enumerate(chunks) if chunk.kind is Kind.ITEM and _dated(chunk)]
    claimed: set[int] = set()  # chunks already part of a block, by their first line's number
    blocks = []
    for n, i in enumerate(lists):
        heading, intro, loose = _intro(chunks, i, claimed)
        claimed.update(c.first.number for c in (*intro, *([heading] if heading else [])))
        slots, undated = _read_items(chunks[i], warnings)
        title = _title(heading, intro)
        limit = lists[n + 1] if n + 1 < len(lists) else len(chunks)
        outro, unsure = _outro(chunks, i, limit, title, claimed)
        claimed.update(c.first.number for c in outro)
        blocks.append(
            EventBlock(title, heading, intro, chunks[i], slots, undated, outro, (*loose, *unsure))
        )
    return blocks, warnings


def _dated(chunk: Chunk) -> bool:
    for line in chunk.lines:
        try:
            if dates.find(line.text):
                return True
        except dates.DateError:
            return True
    return False


def _read_items(chunk: Chunk, warnings: list[str]) -> tuple[tuple[Timeslot, ...], tuple[Line, ...]]:
    slots, undated = [], []
    for line in chunk.lines:
        try:
            mention = dates.find(line.text)
        except dates.DateError as error:
            warnings.append(f"line {line.number}: {error}; left in place")
            undated.append(line)
            continue
        if mention is None:
            undated.append(line)
            continue
        own = OWN_UNIT.match(line.text)
        slots.append(Timeslot(line, mention, own["marker"] if own else None))
    return tuple(slots), tuple(undated)


def _intro(
    chunks: list[Chunk], i: int, claimed: set[int]
) -> tuple[Chunk | None, tuple[Chunk, ...], tuple[Chunk, ...]]:
    """The subheading and paragraphs that announce the list at `i`, and paragraphs left unsure."""
    paragraphs: list[Chunk] = []
    j = i - 1
    while j >= 0 and chunks[j].first.number not in claimed and chunks[j].kind is Kind.TEXT:
        paragraphs.insert(0, chunks[j])
        if bold_lead(chunks[j]) is not None:
            return _heading_before(chunks, j - 1, claimed), tuple(paragraphs), ()
        j -= 1
    heading = _heading_before(chunks, j, claimed)
    if heading is not None:
        return heading, tuple(paragraphs), ()
    return None, (), tuple(paragraphs)


def _heading_before(chunks: list[Chunk], j: int, claimed: set[int]) -> Chunk | None:
    if j >= 0 and chunks[j].first.number not in claimed and chunks[j].kind is Kind.HEADING:
        return chunks[j]
    return None


def _outro(
    chunks: list[Chunk], i: int, limit: int, title: str | None, claimed: set[int]
) -> tuple[tuple[Chunk, ...], tuple[Chunk, ...]]:
    """Paragraphs after the list that are about the block, and the first one that might be."""
    outro: list[Chunk] = []
    for j in range(i + 1, limit):
        chunk = chunks[j]
        if chunk.first.number in claimed or chunk.kind is not Kind.TEXT:
            break
        lead = bold_lead(chunk)
        if title and lead and _shares_words(lead, title):
            outro.append(chunk)
            continue
        if lead or (title and _shares_words(plain_title(paragraph_text(chunk)), title)):
            return tuple(outro), (chunk,)
        break
    return tuple(outro), ()


def bold_lead(chunk: Chunk) -> str | None:
    """The bold text a paragraph opens with, as readers see it ("About the Global Digital ...")."""
    first = LEADING_GLUE.sub("", chunk.first.text, count=1)
    match = _BOLD_LEAD.match(first)
    if not match:
        return None
    return plain_title(match.group(1)).rstrip(" :.-\u2013\u2014") or None


def paragraph_text(chunk: Chunk) -> str:
    return "\n".join(line.text for line in chunk.lines)


def _title(heading: Chunk | None, intro: tuple[Chunk, ...]) -> str | None:
    if intro and (lead := bold_lead(intro[0])):
        return lead
    if heading is not None:
        return heading_title(heading.first.text) or None
    return None


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.casefold()) if w not in _COMMON and len(w) > 2}


def _shares_words(text: str, title: str) -> bool:
    return bool(_words(text) & _words(title))
