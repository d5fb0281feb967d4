"""Reads one slot (a list item with its sub-items) the way its editor wrote it: the sessions
its lead states, what marks them as not held, and what keeps it from moving.

A slot's sessions are read only in its lead, at the start of its line (bot.core.dates.grammar),
and at the start of a sub-bullet that is itself a session. Every other date in the slot is a
mention: a deadline, an old date, a file name, a signature. A slot with no date in its lead but
dates elsewhere is left in place, named, because the bot cannot tell which of them is the
session; one whose sessions are struck through, cancelled beside a new date, or recurring stays
too, with the reason.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import tzinfo

from bot.core.dates import grammar
from bot.core.dates import vocabulary as v
from bot.core.dates.grammar import Lead, Stated
from bot.core.dates.lexer import T, Token, tokens
from bot.core.wikitext import pieces as wiki
from bot.core.wikitext.lines import Line
from bot.core.wikitext.patterns import LIST_PREFIX
from bot.core.wikitext.pieces import Kind, Piece

#: Words after a status word that say the new date is elsewhere: "postponed to July 3".
_NEW_DATE_WORDS = frozenset({"to", "until", "till", "for"})
_DIGIT = re.compile(r"[0-9]")
_BESIDE = (
    "marked {word!r} but names a new date beside a struck one; cannot tell which session it means"
)


class Unsure(Exception):
    """A slot whose sessions the bot cannot read with certainty; str() says why."""


@dataclass(frozen=True)
class LineReading:
    """One line of a slot as read: its list prefix, its pieces and tokens (offsets within the
    line, past the prefix), and the lead, when the line states sessions."""

    line: Line
    prefix: str
    pieces: tuple[Piece, ...]
    tokens: tuple[Token, ...]
    lead: Lead | None

    @property
    def body_start(self) -> int:
        """Where the line's body (past its list prefix) starts, within the line."""
        return len(self.prefix)


@dataclass(frozen=True)
class SlotReading:
    """What a slot's lines state: the sessions, the word that marks them as not held (or
    None), and each line as read."""

    stated: tuple[Stated, ...]
    not_held: str | None
    lines: tuple[LineReading, ...]


def read_line(line: Line, zone: tzinfo) -> LineReading:
    """The line's pieces, tokens and lead; raises Unsure when the line is beyond what the bot
    reads within its bounds."""
    prefix_match = LIST_PREFIX.match(line.text)
    prefix = prefix_match.group() if prefix_match else ""
    try:
        found = wiki.pieces(line.text[len(prefix) :])
    except wiki.Unreadable as why:
        raise Unsure(str(why)) from None
    lexed = tuple(tokens(found))
    return LineReading(line, prefix, found, lexed, grammar.read_lead(lexed, zone))


def read_slot(
    line: Line, children: Sequence[Line], zone: tzinfo, cancelled_words: tuple[str, ...]
) -> SlotReading | None:
    """The slot's sessions, or None when it states none and names no date anywhere (a note, a
    sign-up list under a date still to be announced). Raises Unsure with the reason when it
    names dates the bot cannot be sure are its sessions."""
    first = read_line(line, zone)
    rest = tuple(read_line(child, zone) for child in children)
    readings = (first, *rest)
    word = status_word(readings, cancelled_words)
    recurring = _recurring(first.tokens)
    if recurring:
        raise Unsure(f"a recurring series ({recurring!r}); it is never one session to log")
    stated = _stated(first, word)
    for child in rest:
        if child.lead is not None:
            stated = (*stated, *child.lead.sessions)
    if not stated:
        if any(_mentions(reading) for reading in readings):
            raise Unsure(
                "names a date, but not at the start of the line where the bot reads a "
                "session's date; write the date first"
            )
        return None
    problems = [s.problem for s in stated if s.problem]
    if problems:
        raise Unsure(problems[0])
    return SlotReading(stated, _held_or_not(first, word), readings)


def _stated(first: LineReading, word: str | None) -> tuple[Stated, ...]:
    """The sessions of the slot's own line. A struck date with a new one beside it is a
    rescheduled session, read on the new date; a struck date marked cancelled is read (it is
    the day the session would have been); a struck date alone, or a cancellation beside a new
    date, cannot be read with certainty."""
    struck = _struck_leads(first)
    cancelled = word is not None and word not in v.RESCHEDULE_WORDS
    if first.lead is not None:
        if cancelled and struck:
            raise Unsure(_BESIDE.format(word=word))
        if word and _new_date_elsewhere(first, word):
            raise Unsure(
                f"marked {word!r} with a new date later on the line; write the new date first"
            )
        return first.lead.sessions
    if struck and word:
        if _live_dates(first):
            raise Unsure(_BESIDE.format(word=word))
        return struck[0].sessions
    if struck:
        raise Unsure("its only date is struck out and it is not marked cancelled")
    return ()


def _held_or_not(first: LineReading, word: str | None) -> str | None:
    """The status the entry carries: a session postponed from an old date and held on the date
    its lead states ("<s>June 5</s> <s>June 12</s> June 19 (postponed twice)") was held."""
    if word is None or first.lead is None:
        return word
    if word in v.RESCHEDULE_WORDS and (_struck_leads(first) or _old_dates(first)):
        return None
    return word


def _struck_leads(reading: LineReading) -> list[Lead]:
    """The leads of the struck pieces at the start of the line and inside its lead: old dates."""
    found = []
    for token in reading.tokens:
        if token.kind is not T.STRUCK:
            continue
        piece = reading.pieces[token.piece]
        inner = tuple(tokens(piece.inner))
        lead = grammar.read_lead(inner)
        if lead is not None:
            found.append(lead)
    return found


def _old_dates(reading: LineReading) -> bool:
    """Whether the line names an old date after "from" ("postponed from June 12")."""
    toks = reading.tokens
    return any(
        t.is_(T.WORD, "from", "instead")
        and grammar.date(toks, grammar.skip(toks, i + 1, T.SPACE)) is not None
        for i, t in enumerate(toks)
    )


def _new_date_elsewhere(reading: LineReading, word: str) -> bool:
    """The status word, then a date after to, until or for: "postponed to July 3"."""
    toks = reading.tokens
    for i, token in enumerate(toks):
        if token.kind is T.WORD and token.word == word.split()[-1]:
            j = grammar.skip(toks, i + 1, T.SPACE)
            if j < len(toks) and toks[j].is_(T.WORD, *_NEW_DATE_WORDS):
                k = grammar.skip(toks, j + 1, T.SPACE)
                if grammar.date(toks, k) is not None or grammar.date(
                    toks, grammar.skip(toks, k, T.WORD)
                ):
                    return True
    return False


def status_word(readings: Sequence[LineReading], words: tuple[str, ...]) -> str | None:
    """The first word that marks the slot's sessions as not held ("cancelled", "postponed"),
    lower case, read in its live text only (a link's address or label, a template, a comment
    say nothing of the session); None for a session that takes place."""
    if not words:
        return None
    phrases = sorted((tuple(w.casefold().split()) for w in words), key=len, reverse=True)
    for reading in readings:
        live = [t.word for t in reading.tokens if t.kind is T.WORD]
        for i in range(len(live)):
            for phrase in phrases:
                if tuple(live[i : i + len(phrase)]) == phrase:
                    return " ".join(phrase)
    return None


def _recurring(toks: Sequence[Token]) -> str | None:
    """Words that make the line a recurring series ("every Thursday", "monthly", "the first
    Friday of the month", "each month"), in its live text; the phrase, or None."""
    words = [t for t in toks if t.kind is T.WORD]
    for i, word in enumerate(words):
        following = words[i + 1].word if i + 1 < len(words) else ""
        if word.word in v.RECURRING_WORDS:
            return f"{word.text} {following}".strip()
        if word.word in ("each", "starting") and following in v.SERIES_NOUNS:
            return f"{word.text} {following}"
        if word.word in v.ORDINALS and following in v.WEEKDAYS and _of_after(words, i + 2):
            return f"{word.text} {words[i + 1].text} of"
    return None


def _of_after(words: Sequence[Token], i: int) -> bool:
    return i < len(words) and words[i].word in ("of", "in")


def _mentions(reading: LineReading) -> bool:
    """Whether the line names a date anywhere but in a signature or a comment: in its text, in
    links and templates, inside <nowiki>."""
    return _live_dates(reading) or any(
        _names_date(piece) for piece in reading.pieces if _looked_into(piece)
    )


def names_date(body: str) -> bool:
    """Whether text (past a list prefix) names a date in its own text, outside nodes and
    signatures; raises pieces.Unreadable beyond the bounds. Every date holds a digit: text
    without one is answered without being read."""
    if _DIGIT.search(body) is None:
        return False
    return _dated(tuple(tokens(wiki.pieces(body))))


def names_date_anywhere(text: str) -> bool:
    """Whether text names a date anywhere, inside its templates and tags too (a session written
    as a template: `| date = 2024-10-16`)."""
    return _dated(grammar.lexed(text))


def _live_dates(reading: LineReading) -> bool:
    """Whether the line's own text (outside nodes) names a date that is no signature's."""
    return _dated(reading.tokens)


def _dated(toks: Sequence[Token]) -> bool:
    return any(
        token.kind in (T.WORD, T.NUMBER)
        and grammar.date(toks, i) is not None
        and not _signed(toks, i)
        for i, token in enumerate(toks)
    )


def _looked_into(piece: Piece) -> bool:
    return piece.kind in (Kind.TAG, Kind.TEMPLATE, Kind.STRUCK) or (
        piece.kind is Kind.LINK and not _user_link(piece.source)
    )


def _names_date(piece: Piece) -> bool:
    toks = grammar.lexed(piece.source)
    return any(
        t.kind in (T.WORD, T.NUMBER) and grammar.date(toks, i) is not None
        for i, t in enumerate(toks)
    )


def _signed(toks: Sequence[Token], i: int) -> bool:
    """Whether the date at i is a signature's: "[[User:X|X]] ([[User talk:X|talk]]) 14:05, 3
    June 2023 (UTC)", a user link a few tokens before it."""
    for back in range(i - 1, max(-1, i - 14), -1):
        token = toks[back]
        if token.kind is T.NODE and _user_link(token.text):
            return True
        if token.kind is T.BREAK:
            return False
    return False


def _user_link(source: str) -> bool:
    folded = source.casefold().replace("_", " ")
    return folded.startswith(("[[user:", "[[user talk:", "[[special:contributions/"))
