"""What a timeslot's lines say besides their dates: its own words, its notes, join details to
leave out, and whether the session was called off.

Everything is cut from the editor's own wikitext by spans, never rewritten, so what reaches the
log is the editor's wording (links, `<tvar>`s and all) minus what must not travel: join details
(a stale meeting link or passcode only invites intruders) and the page's translate markup (the
bot owns that in the log).
"""

import re
from collections.abc import Iterable

from bot.core.wikitext.patterns import LIST_PREFIX, STRUCK_TAG, TRANSLATE_MARKUP, URL

_MEETING_HOSTS = (
    r"(?:[\w\-]+\.)*(?:zoom\.us|zoomgov\.com|meet\.google\.com|teams\.microsoft\.com"
    r"|teams\.live\.com|webex\.com|meet\.jit\.si|whereby\.com|bluejeans\.com"
    r"|gotomeeting\.com|global\.gotomeeting\.com)"
)
_MEETING_URL = rf"(?:https?:)?//{_MEETING_HOSTS}(?:[/?#][^\s\[\]<>|]*)?"
#: Join details: meeting links (bare, bracketed with a label, or in a tvar), meeting IDs, dial-in
#: numbers and Zoom's boilerplate around them. Passcodes are handled apart (a recording's stays).
_JOIN = re.compile(
    rf"<tvar\b[^<>]*>\s*\[?{_MEETING_URL}[^<]*</tvar>"
    rf"|\[{_MEETING_URL}(?:\s[^\]]*)?\]"
    rf"|{_MEETING_URL}"
    r"|\b(?:meeting|webinar|conference)\s*(?:id|number|no\.?)\s*[:#]?\s*"
    r"(?:<tvar\b[^<>]*>\s*)?[0-9](?:[0-9 \-]*[0-9])?(?:\s*</tvar>)?"
    r"|(?:\bdial[- ]?in\b\s*(?:numbers?)?\s*:?\s*)?\+[0-9][0-9 \-().]{6,}[0-9](?:,,[0-9#*,]+)?"
    r"(?:\s+[A-Z]{2}\b(?:\s*\([^()]*\))?)?"
    r"|\bjoin (?:the |our )?zoom meeting\b|\bone tap mobile\b|\bdial by your location\b"
    r"|\bfind your local number\b:?",
    re.IGNORECASE,
)
_PASSCODE = re.compile(
    r"\b(?:passcode|password|pass code|pwd)\b\s*(?:is\s*)?[:=]?\s*"
    r"(?:<tvar\b[^<>]*>.*?</tvar>|[^\s|;,)]+)",
    re.IGNORECASE,
)
#: Words that say a password is a recording's, which readers need, not the meeting's.
_RECORDING = re.compile(
    r"\b(?:recording|recorded|video|watch|youtube|slides?|commons|drive)\b", re.IGNORECASE
)
_RECORDING_REACH = 80
#: Words that only introduced a join link that is gone ("Join us on", "Zoom:").
_JOIN_LEAD = re.compile(
    r"\b(?:(?:join|joining)(?:\s+(?:us|the\s+call|the\s+meeting|here|now))?"
    r"(?:\s+(?:on|via|at|using|through|with|in))?|zoom|google\s+meet|teams|webex|"
    r"(?:meeting|call|join)\s+link|link|on|via|at|using|through)\s*:?\s*$",
    re.IGNORECASE,
)
#: Links that only say when the session is (zonestamp, timeanddate): the entry's date says it.
_TIME_LINK = re.compile(
    r"\[(?:https?:)?//(?:zonestamp\.toolforge\.org|(?:www\.)?timeanddate\.com/worldclock/)"
    r"[^\]]*\]|(?:https?:)?//(?:zonestamp\.toolforge\.org|(?:www\.)?timeanddate\.com/worldclock/)"
    r"[^\s\[\]<>|]*",
    re.IGNORECASE,
)
#: A line break tag: the entry is one line.
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
#: Words that only led up to a date that is cut ("Sessions on").
_DATE_LEAD = re.compile(r"\b(?:(?:sessions?|calls?|held)\s+)?(?:on|at)\s*$", re.IGNORECASE)

#: Marks where text was cut: markup, join details, dates; each kind tidies its surroundings.
_CUT, _JOIN_CUT, _DATE_CUT = "\x00", "\x01", "\x02"
_ANY_CUT = _CUT + _JOIN_CUT + _DATE_CUT
_SEPARATORS = "|,;:.@/\u00b7\u2022\u2013\u2014-"
_GAP = re.compile(
    rf"[\s{re.escape(_SEPARATORS)}]*[{_ANY_CUT}][\s{_ANY_CUT}"
    rf"{re.escape(_SEPARATORS)}]*"
)
_EMPTY_TVAR = re.compile(rf"<tvar\b[^<>]*>[\s{_ANY_CUT}]*</tvar>", re.IGNORECASE)
_EMPTY_STRUCK = re.compile(
    rf"<(s|del|strike)\b[^<>]*>[\s{_ANY_CUT}{re.escape(_SEPARATORS)}]*</\1\s*>",
    re.IGNORECASE,
)
#: What joined two sessions that are both cut: "June 26 @ 12:00 UTC and 17:00 UTC".
_JOINED_CUTS = re.compile(rf"{_DATE_CUT}[\s,]*(?:\band\b|&)?[\s,]*(?={_DATE_CUT})", re.IGNORECASE)
_EMPTY_BRACKETS = re.compile(rf"\([\s{_ANY_CUT}{re.escape(_SEPARATORS)}]*\)")


def own_text(
    text: str, dates: Iterable[tuple[int, int]] = (), status_words: tuple[str, ...] = ()
) -> str:
    """A line's own words: the line without its list prefix, translate markup, dates and join
    details, with the separators that stood between them ("| Zoom |") gone too. Empty for a
    line that held only join details. `dates` are the spans of its sessions' dates, and of
    struck-out dates the session no longer has. The status words go too: the entry's status
    says it."""
    cuts = [(start, _closed(text, start, end), _DATE_CUT) for start, end in dates]
    if status_words:
        pattern = re.compile(
            r"(?:'{2,3}|\()?\s*\b(?:"
            + "|".join(map(re.escape, status_words))
            + r")\b[\s.!:]*(?:'{2,3}|\))?",
            re.IGNORECASE,
        )
        cuts += [(m.start(), m.end(), _CUT) for m in pattern.finditer(text)]
    return _cut(text, cuts)


def _closed(text: str, start: int, end: int) -> int:
    """The end of a date cut, past the brackets it opened: "June 1, 2023 (0:00 UTC)"."""
    open_brackets = text.count("(", start, end) - text.count(")", start, end)
    while open_brackets > 0 and (match := re.compile(r"\s*\)").match(text, end)):
        end, open_brackets = match.end(), open_brackets - 1
    return end


def blanked(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the spans blanked (same length): struck text says nothing of the session."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def unstruck_tags(text: str) -> str:
    """The text with the strike tags blanked (same length) but their content kept, to read the
    date of a session that was struck out because it was cancelled."""
    return STRUCK_TAG.sub(lambda tag: " " * len(tag.group()), text)


def status(texts: Iterable[str], words: tuple[str, ...]) -> str | None:
    """The first cancellation word ("cancelled", "postponed") written in the texts, outside
    links, lowercased; None for a session that takes place."""
    if not words:
        return None
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    for text in texts:
        found = pattern.search(URL.sub(" ", text))
        if found:
            return found.group(1).lower()
    return None


def _cut(text: str, cuts: list[tuple[int, int, str]]) -> str:
    cuts = [*cuts, *_markup_cuts(text), *_join_cuts(text)]
    pieces, at = [], 0
    for start, end, mark in sorted(cuts):
        if end <= at:
            continue
        pieces.append(text[at : max(start, at)])
        pieces.append(f" {mark} ")
        at = end
    pieces.append(text[at:])
    return _tidy("".join(pieces))


def _markup_cuts(text: str) -> list[tuple[int, int, str]]:
    prefix = LIST_PREFIX.match(text)
    cuts = [(0, prefix.end(), _CUT)] if prefix else []
    markup = (*TRANSLATE_MARKUP.finditer(text), *_TIME_LINK.finditer(text), *_BREAK.finditer(text))
    return cuts + [(m.start(), m.end(), _CUT) for m in markup]


def _join_cuts(text: str) -> list[tuple[int, int, str]]:
    cuts = [(m.start(), m.end(), _JOIN_CUT) for m in _JOIN.finditer(text)]
    for match in _PASSCODE.finditer(text):
        segment_start = max(text.rfind("|", 0, match.start()) + 1, match.start() - _RECORDING_REACH)
        if not _RECORDING.search(text, segment_start, match.start()):
            cuts.append((match.start(), match.end(), _JOIN_CUT))
    return cuts


def _tidy(text: str) -> str:
    """Closes the gaps the cuts left: an introduction to a removed join link goes with it, empty
    brackets and tvars go, and separators next to a gap fold into one."""
    text = _JOINED_CUTS.sub("", text)
    text = _EMPTY_TVAR.sub(_CUT, text)
    text = _EMPTY_STRUCK.sub(_CUT, text)
    text = _EMPTY_BRACKETS.sub(_CUT, text)
    while True:
        at = text.find(_JOIN_CUT)
        if at == -1:
            break
        lead = _JOIN_LEAD.search(text, 0, at)
        text = (text[: lead.start()] if lead else text[:at]) + _CUT + text[at + 1 :]
    text = _lead_dropped(text)
    text = _GAP.sub(_fold, text)
    return " ".join(text.split()).strip()


def _lead_dropped(text: str) -> str:
    """Drops "on" or "Sessions on" where only a date, now cut, followed."""
    pieces = text.split(_DATE_CUT)
    for i, piece in enumerate(pieces[:-1]):
        lead = _DATE_LEAD.search(piece)
        if lead:
            pieces[i] = piece[: lead.start()]
    return _CUT.join(pieces)


def _fold(gap: re.Match[str]) -> str:
    """A gap at either end vanishes; inside the text it keeps its first separator, if any."""
    whole = gap.string
    if gap.start() == 0 or gap.end() == len(whole):
        return ""
    separator = next((c for c in gap.group() if c in _SEPARATORS), "")
    return f"{separator} " if separator else " "
