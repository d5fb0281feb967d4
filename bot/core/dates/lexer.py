"""Wikitext pieces as tokens the date grammar reads: words, numbers, punctuation and spaces of
the text between nodes, and each node as one token.

A node is never looked into for a session's date: a date in a link, a file name, a template, a
comment or a `<nowiki>` is a mention. The exceptions are what only dresses text (bold quotes,
`<b>`, `<span>`), which is read through, struck text, which is kept as one token so the grammar
can tell an old date from a new one, and links that carry a session's moment (zonestamp,
timeanddate), which stand where the time would be.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.core.dates import links
from bot.core.wikitext.pieces import Kind, Piece

_LEX = re.compile(r"[^\W\d_]+|[0-9]+|[^\S\n]+|\n|.", re.DOTALL)


class T(StrEnum):
    WORD = "word"
    NUMBER = "number"
    PUNCT = "punct"
    SPACE = "space"
    QUOTES = "quotes"  # '' and ''': read through
    FORMAT = "format"  # <b>, </b>, <span ...>: read through
    STRUCK = "struck"  # <s>...</s>, {{strike|...}}: one token
    TIMELINK = "timelink"  # a link carrying the session's moment
    NODE = "node"  # any other link, template, tag: a mention, never read into
    BREAK = "break"  # <br>, a new line


@dataclass(frozen=True)
class Token:
    kind: T
    text: str  # as written (an entity as the character it stands for)
    start: int  # offsets in the text the pieces came from
    end: int
    piece: int  # the piece it comes from, by index
    moment: datetime | None = None  # TIMELINK: the moment its address carries

    @property
    def word(self) -> str:
        return self.text.casefold()

    def is_(self, kind: T, *words: str) -> bool:
        return self.kind is kind and (not words or self.word in words)


def tokens(pieces: Iterable[Piece]) -> list[Token]:
    """Every token of the pieces, in order; glue and comments leave none."""
    out: list[Token] = []
    for index, piece in enumerate(pieces):
        out.extend(_piece_tokens(index, piece))
    return out


def _piece_tokens(index: int, piece: Piece) -> list[Token]:
    kind = piece.kind
    if kind is Kind.TEXT:
        if piece.source != piece.plain:  # an entity: one token for what it stands for
            return [_token(piece.plain, piece.start, piece.end, index)]
        return text_tokens(piece.source, index, piece.start)
    if kind in (Kind.GLUE, Kind.COMMENT):
        return []
    simple = {
        Kind.QUOTES: T.QUOTES,
        Kind.OPEN: T.FORMAT,
        Kind.CLOSE: T.FORMAT,
        Kind.STRUCK: T.STRUCK,
        Kind.BREAK: T.BREAK,
    }
    if kind in simple:
        return [Token(simple[kind], piece.source, piece.start, piece.end, index)]
    if kind is Kind.TAG and piece.plain == "tvar" and piece.inner:
        return _tvar_tokens(index, piece)
    if kind is Kind.EXTERNAL and (moment := links.moment(piece.url)) is not None:
        return [Token(T.TIMELINK, piece.plain, piece.start, piece.end, index, moment)]
    return [Token(T.NODE, piece.source, piece.start, piece.end, index)]


def _tvar_tokens(index: int, piece: Piece) -> list[Token]:
    """A Translate variable is read through (editors put times in them: `<tvar name="t">12:00
    UTC</tvar>`), its tags as formatting; every token keeps the tvar's piece, which is kept or
    dropped whole."""
    first, last = piece.inner[0], piece.inner[-1]
    opening = piece.source[: first.start - piece.start]
    closing = piece.source[last.end - piece.start :]
    out = [Token(T.FORMAT, opening, piece.start, first.start, index)]
    for inner in piece.inner:
        out.extend(_piece_tokens(index, inner))
    out.append(Token(T.FORMAT, closing, last.end, piece.end, index))
    return out


def text_tokens(text: str, index: int, at: int = 0) -> list[Token]:
    """The tokens of plain text starting at offset `at`, all from piece `index`."""
    return [
        _token(found.group(), at + found.start(), at + found.end(), index)
        for found in _LEX.finditer(text)
    ]


def _token(text: str, start: int, end: int, index: int) -> Token:
    if text == "\n":
        kind = T.BREAK
    elif text.isspace():
        kind = T.SPACE
    elif text.isdigit() and text.isascii():
        kind = T.NUMBER
    elif text[0].isalpha():
        kind = T.WORD
    else:
        kind = T.PUNCT
    return Token(kind, text, start, end, index)
