"""A slot's own words for its log entry, built from whole pieces of its lines.

What reaches the log is the editor's wording, verbatim: every link, template, tag, comment and
`<nowiki>` of the slot is kept whole or dropped whole, never cut. Dropped are the lead's tokens
(the entry writes the date itself), join details (a stale meeting link, ID or passcode only
invites intruders), the page's translate markup (the bot owns it in the log), line breaks and
the word that says the session was not held (the entry's status says it). A slot whose join
details sit inside a node that would have to be cut, or whose words would make any markup
live that was not, is Unbuildable: it stays, and the run names it.
"""

import re
from dataclasses import dataclass

from bot.core.dates.grammar import lexed, read_lead
from bot.core.dates.lexer import T
from bot.core.page.slots import LineReading
from bot.core.wikitext import liveness
from bot.core.wikitext.pieces import Kind, Piece, Unreadable

_MEETING_HOSTS = (
    r"(?:[\w\-]+\.)*(?:zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com"
    r"|teams\.live\.com|webex\.com|meet\.jit\.si|whereby\.com|bluejeans\.com"
    r"|gotomeeting\.com|global\.gotomeeting\.com)"
)
#: A meeting link; a recording on the same host (`zoom.us/rec/...`) is for readers and stays.
_MEETING_URL = re.compile(
    rf"(?:https?:)?//{_MEETING_HOSTS}(?!/rec(?:ording)?s?/)(?:[/?#:]|$)", re.IGNORECASE
)
_TIME_URL = re.compile(
    r"//(?:zonestamp\.toolforge\.org|(?:www\.)?timeanddate\.com/worldclock/)", re.IGNORECASE
)
#: A placeholder stands for each kept node in the flat text the phrases are matched against:
#: private-use characters, which no phrase matches and no tidying removes.
_FIRST_PLACEHOLDER = 0xE000
_PLACEHOLDER = "[\ue000-\uf8ff]"
_HAS_PLACEHOLDER = re.compile(_PLACEHOLDER)
#: Join details written as text: meeting IDs, dial-in numbers, Zoom's boilerplate.
_JOIN_TEXT = re.compile(
    r"\b(?:meeting|webinar|conference)\s*(?:id|number|no\.?)\s*[:#]?\s*"
    rf"(?:{_PLACEHOLDER}|[0-9](?:[0-9 \-]*[0-9])?)"
    r"|(?:\bdial[- ]?in\b\s*(?:numbers?)?\s*:?\s*)?\+[0-9][0-9 \-().]{6,}[0-9](?:,,[0-9#*,]+)?"
    r"(?:\s+[A-Z]{2}\b(?:\s*\([^()]*\))?)?"
    r"|\bdial[- ]?in\b\s*(?:numbers?)?\s*:?(?=\s*$)"
    r"|\bjoin (?:the |our )?zoom meeting\b|\bone tap mobile\b|\bdial by your location\b"
    r"|\bfind your local number\b:?",
    re.IGNORECASE,
)
#: A passcode and its value: after a colon or "is", a placeholder (a <tvar>) or a word that
#: holds a digit or a sign ("512731", "g.5cyBP."); "the passcode is sent to you" holds none.
_PASSCODE = re.compile(
    r"\b(?:passcode|password|pass code|pwd)\b\s*(?:is\s*|[:=]\s*)"
    rf"(?:{_PLACEHOLDER}|(?=[^\s|;,)]*[0-9!@#$%^&*.?_+=-])[^\s|;,)\ue000-\uf8ff]+)",
    re.IGNORECASE,
)
#: Words that say a password is a recording's, which readers need, not the meeting's.
_RECORDING = re.compile(
    r"\b(?:recording|recorded|video|watch|youtube|slides?|commons|drive)\b", re.IGNORECASE
)
#: Words that only introduced a join link that is gone ("Join us on", "Zoom:").
_JOIN_LEAD = re.compile(
    r"\b(?:(?:join|joining)(?:\s+(?:us|the\s+call|the\s+meeting|here|now))?"
    r"(?:\s+(?:on|via|at|using|through|with|in))?|zoom|google\s+meet|teams|webex|"
    r"(?:meeting|call|join)\s+link|link|on|via|at|using|through)\s*:?\s*$",
    re.IGNORECASE,
)

#: Marks where something was removed; each kind tidies its surroundings.
_CUT, _JOIN_CUT = "\x00", "\x01"
_ANY_CUT = _CUT + _JOIN_CUT
_SEPARATORS = "|,;:.@/\u00b7\u2022\u2013\u2014-"
_GAP = re.compile(
    rf"[\s{re.escape(_SEPARATORS)}]*[{_ANY_CUT}][\s{_ANY_CUT}{re.escape(_SEPARATORS)}]*"
)
_EMPTY_BRACKETS = re.compile(rf"\([\s{_ANY_CUT}{re.escape(_SEPARATORS)}]*\)")


class Unbuildable(Exception):
    """The slot's words cannot be taken from whole pieces; str() says why."""


@dataclass(frozen=True)
class Field:
    """A part of a slot's words with what it is: a table cell's column ("notes / theme"), or
    the label a sub-bullet opens with ("host" for "Host: [[User:A|A]]"); None for neither."""

    label: str | None
    text: str


@dataclass(frozen=True)
class SlotWords:
    own_text: str  # the first line's words
    notes: tuple[str, ...]  # each further line's words, empty ones left out
    fields: tuple[Field, ...]  # every non-empty part, own text first, for a table's columns


#: Terms that only name when a session is: ";Time" over its date.
_WHEN_TERMS = frozenset({"time", "date", "when", "date and time", "time and date", "schedule"})
#: "Host:", "Recording:", "Topic(s):" at the start of a sub-bullet's words, bold or not.
_LABEL = re.compile(r"^(?:'{2,3})?([A-Za-z][A-Za-z ()/]{0,30}?)(?:'{2,3})?\s*:\s*(?:'{2,3})?\s*")


def build(
    readings: tuple[LineReading, ...],
    status_words: tuple[str, ...],
    labels: tuple[str | None, ...] = (),
) -> SlotWords:
    """The words of a slot's lines (its own line first); `labels` names the column of each
    reading of a table row. A definition list's term and its definition are one part ("Theme:
    Machine translation"); a first term that only names the date (";Time") goes with it."""
    texts = [line_words(reading, status_words) for reading in readings]
    if labels:
        fields = tuple(Field(labels[i], text) for i, text in enumerate(texts) if text)
        return SlotWords(texts[0], tuple(t for t in texts[1:] if t), fields)
    parts: list[tuple[Field, str]] = []  # each part as a field, and as a note's text
    i = 0
    while i < len(readings):
        pair = _is_pair(readings, i)
        if pair and i == 0 and texts[0].casefold() in _WHEN_TERMS:
            parts.append((Field(None, texts[1]), texts[1]))
            i += 2
        elif pair and i > 0:
            term, definition = texts[i], texts[i + 1]
            note = f"{term}: {definition}" if term and definition else term or definition
            parts.append((Field(term.casefold() or None, definition or term), note))
            i += 2
        else:
            found = _LABEL.match(texts[i]) if i else None
            if found and texts[i][found.end() :]:
                label = found.group(1).strip().casefold()
                parts.append((Field(label, texts[i][found.end() :]), texts[i]))
            else:
                parts.append((Field(None, texts[i]), texts[i]))
            i += 1
    own = parts[0][1] if parts else ""
    notes = tuple(note for _, note in parts[1:] if note)
    return SlotWords(own, notes, tuple(f for f, note in parts if note))


def _is_pair(readings: tuple[LineReading, ...], i: int) -> bool:
    """A term (`;Theme`) with its definition (`: ...`) on the next line."""
    return (
        i + 1 < len(readings)
        and readings[i].prefix.startswith(";")
        and readings[i + 1].prefix.startswith(":")
        and readings[i].lead is None
    )


def line_words(reading: LineReading, status_words: tuple[str, ...] = ()) -> str:
    """One line's words: its pieces less the lead, join details, translate markup, breaks and
    status words, tidied where something left. Raises Unbuildable."""
    pieces = reading.pieces
    if any(_HAS_PLACEHOLDER.search(p.source) for p in pieces):
        raise Unbuildable("holds private-use characters the bot uses as markers")
    used, all_tokens = _tokens_by_piece(reading)
    flat = "".join(
        _flat(i, piece, used.get(i, []), all_tokens.get(i, [])) for i, piece in enumerate(pieces)
    )
    flat = _without_join_text(flat, pieces)
    flat = _without_status(flat, status_words)
    flat = _without_empty_pairs(_tidy(flat), reading)
    text = _substituted(" ".join(flat.split()).strip(), pieces)
    _check_live(reading, text)
    return text


def _tokens_by_piece(
    reading: LineReading,
) -> tuple[dict[int, list[tuple[int, int]]], dict[int, list[tuple[int, int]]]]:
    """The spans of the lead's tokens, and of every token that is not a space, by piece."""
    used: dict[int, list[tuple[int, int]]] = {}
    every: dict[int, list[tuple[int, int]]] = {}
    chosen = reading.lead.used if reading.lead is not None else frozenset()
    for index, token in enumerate(reading.tokens):
        if token.kind is T.SPACE:
            continue
        every.setdefault(token.piece, []).append((token.start, token.end))
        if index in chosen:
            used.setdefault(token.piece, []).append((token.start, token.end))
    return used, every


def _placeholder(index: int) -> str:
    return chr(_FIRST_PLACEHOLDER + index)


def _flat(
    index: int, piece: Piece, used: list[tuple[int, int]], every: list[tuple[int, int]]
) -> str:
    """The piece in the flat text: its text less the lead's tokens, a placeholder for a node
    that stays, a cut mark for one that goes."""
    kind = piece.kind
    if kind is Kind.TEXT:
        return _text_less(piece, used)
    if kind in (Kind.GLUE, Kind.BREAK):
        return _CUT
    if kind in (Kind.QUOTES, Kind.OPEN, Kind.CLOSE):
        return _placeholder(index)  # formatting goes only as a pair around nothing
    if kind is Kind.EXTERNAL and _MEETING_URL.search(piece.url):
        return _JOIN_CUT
    if kind is Kind.EXTERNAL and _TIME_URL.search(piece.url):
        return _CUT
    if kind is Kind.STRUCK and _holds_date(piece):
        return _CUT  # an old date: the entry's date replaces it
    if used:
        if len(used) == len(every):
            return _CUT  # a <tvar> that holds the time and nothing else
        raise Unbuildable(
            f"its date is inside {_what(piece)} with other words, which the bot never cuts"
        )
    if _MEETING_URL.search(piece.source):
        if kind is Kind.TAG and piece.plain == "tvar":
            return _JOIN_CUT
        raise Unbuildable(f"its join details are inside {_what(piece)}, which the bot never cuts")
    return _placeholder(index)


def _text_less(piece: Piece, spans: list[tuple[int, int]]) -> str:
    out, at = [], piece.start
    for start, end in sorted(spans):
        out.append(piece.source[at - piece.start : start - piece.start])
        out.append(_CUT)
        at = end
    out.append(piece.source[at - piece.start :])
    return "".join(out)


def _holds_date(piece: Piece) -> bool:
    """Whether a struck piece holds an old date (it goes: the entry's date replaces it)."""
    return read_lead(lexed("".join(p.source for p in piece.inner))) is not None


def _what(piece: Piece) -> str:
    names = {
        Kind.TEMPLATE: "a template",
        Kind.LINK: "a link",
        Kind.TAG: f"a <{piece.plain}> tag",
        Kind.STRUCK: "struck text",
    }
    return names.get(piece.kind, "markup")


def _without_join_text(flat: str, pieces: tuple[Piece, ...]) -> str:
    """Join details written as text, and passcodes that are not a recording's."""
    flat = _JOIN_TEXT.sub(_JOIN_CUT, flat)
    return _PASSCODE.sub(lambda m: _passcode(m, pieces), flat)


def _passcode(found: re.Match[str], pieces: tuple[Piece, ...]) -> str:
    """A passcode stays when its own cell (the text between `|` separators) names a recording."""
    flat = found.string
    start = flat.rfind("|", 0, found.start()) + 1
    end = flat.find("|", found.end())
    cell = flat[start : len(flat) if end == -1 else end]
    readable = "".join(_described(c, pieces) for c in cell)
    return found.group() if _RECORDING.search(readable) else _JOIN_CUT


def _described(character: str, pieces: tuple[Piece, ...]) -> str:
    """A placeholder as the words its node shows (a link's label and address)."""
    index = ord(character) - _FIRST_PLACEHOLDER
    if 0 <= index < len(pieces):
        piece = pieces[index]
        return f" {piece.plain} {piece.url} {piece.source} "
    return character


def _without_status(flat: str, words: tuple[str, ...]) -> str:
    if not words:
        return flat
    pattern = re.compile(
        r"\(?\s*\b(?:"
        + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        + r")\b[\s.!:]*\)?",
        re.IGNORECASE,
    )
    return pattern.sub(_CUT, flat)


def _tidy(text: str) -> str:
    """Closes the gaps the removals left: an introduction to a removed join link goes with it,
    empty brackets go, and separators next to a gap fold into one."""
    text = _EMPTY_BRACKETS.sub(_CUT, text)
    while (at := text.find(_JOIN_CUT)) != -1:
        lead = _JOIN_LEAD.search(text, 0, at)
        text = (text[: lead.start()] if lead else text[:at]) + _CUT + text[at + 1 :]
    text = _EMPTY_BRACKETS.sub(_CUT, text)
    return _GAP.sub(_fold, text)


def _fold(gap: re.Match[str]) -> str:
    """A gap at either end vanishes; inside the text it keeps its first separator, if any."""
    whole = gap.string
    if gap.start() == 0 or gap.end() == len(whole):
        return ""
    separator = next((c for c in gap.group() if c in _SEPARATORS), "")
    if not separator:
        return " "
    return f"{separator} " if separator in ",;:." else f" {separator} "


def _without_empty_pairs(flat: str, reading: LineReading) -> str:
    """Formatting tags and bold or italic marks left around nothing go, as a pair; marks that
    stood side by side in the line already stay as they were."""
    pair = re.compile(rf"({_PLACEHOLDER})\s*({_PLACEHOLDER})")
    while True:
        shorter = pair.sub(lambda m: _unless_pair(m, reading), flat)
        if shorter == flat:
            return flat
        flat = shorter
    return flat  # pragma: no cover - the loop returns


def _unless_pair(found: re.Match[str], reading: LineReading) -> str:
    """ "" for two marks that pair up and had words between them in the line, else the match."""
    pieces = reading.pieces
    first_index, second_index = (ord(c) - _FIRST_PLACEHOLDER for c in found.groups())
    first, second = pieces[first_index], pieces[second_index]
    paired = (first.kind is Kind.OPEN and first.pair == second_index) or (
        first.kind is second.kind is Kind.QUOTES and first.source == second.source
    )
    between = reading.line.text[len(reading.prefix) :][first.end : second.start]
    return "" if paired and between.strip() else found.group()


def _substituted(flat: str, pieces: tuple[Piece, ...]) -> str:
    return re.sub(_PLACEHOLDER, lambda m: pieces[ord(m.group()) - _FIRST_PLACEHOLDER].source, flat)


def _check_live(reading: LineReading, text: str) -> None:
    """Nothing may be live in the words that was not live in the line."""
    try:
        became = liveness.became_live(reading.line.text, text)
    except Unreadable as why:
        raise Unbuildable(str(why)) from None
    if became:
        raise Unbuildable(f"its words would make {', '.join(became)} live")
