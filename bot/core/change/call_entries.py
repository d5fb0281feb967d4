"""A moved session as a call of the log's own template: `{{Past call|date=2024-02-14|topic=...|
host=...}}` beside the other calls, laid out as they are, never inside one.

The new call's parameters are the model's own names, filled from the session: the date in the
style the calls write it, the time, and each of the slot's words under the parameter that names
it (topic, host, recording, notes). A session written as a call of the same template moves as it
is. A template the bot cannot fill (its values go by position, or it has no date parameter) is
refused, naming the line of the call it would stand beside.
"""

import re

from bot.core.dates import english
from bot.core.page import log
from bot.core.page.calls import (
    DATE_NAMES,
    HOST_NAMES,
    NOTES_NAMES,
    RECORDING_NAMES,
    TIME_NAMES,
    TOPIC_NAMES,
    Call,
    normal,
    write,
)
from bot.core.page.model import DatedSlot
from bot.core.page.words import Field
from bot.errors import Refusal

#: A part of a slot's own words that opens with a label: "Topic: ...", "Host: ...".
_SEGMENT = re.compile(r"(?<=[.;])\s+(?=[A-Z][A-Za-z ()]{0,30}:\s)|\s+[\u2013\u2014|]\s+")
_LABELLED = re.compile(r"^([A-Za-z][A-Za-z ()]{0,30}?)\s*:\s*(.+)$", re.DOTALL)


def entry(model: Call, dated: DatedSlot, style: english.Style) -> list[str]:
    """The lines of the new call."""
    if dated.slot.call is not None:
        return [line.text for line in dated.slot.lines]
    if model.positional:
        raise Refusal(
            f"the log's template {{{{{model.name}}}}} takes its values by position; the bot "
            "cannot tell which value goes where",
            model.lines[0].number,
        )
    fields = _fields(dated)
    values = []
    for name, _ in model.params:
        value = _value(normal(name), dated, fields, style)
        if value:
            values.append((name, value))
    if not any(normal(name) in DATE_NAMES for name, _ in values):
        raise Refusal(
            f"the log's template {{{{{model.name}}}}} has no date parameter the bot can fill",
            model.lines[0].number,
        )
    return write(model, values)


def _fields(dated: DatedSlot) -> list[Field]:
    """The slot's words as labelled parts, its own words split where a label opens a part."""
    words = dated.words
    if words is None:
        return []
    found = []
    for part in words.fields:
        if part.label is not None:
            found.append(part)
            continue
        for segment in _SEGMENT.split(part.text):
            labelled = _LABELLED.match(segment.strip())
            if labelled:
                found.append(Field(labelled.group(1).casefold(), _trimmed(labelled.group(2))))
            elif segment.strip():
                found.append(Field(None, _trimmed(segment)))
    return found


def _trimmed(text: str) -> str:
    return text.strip().rstrip(".").strip()


def _value(name: str, dated: DatedSlot, fields: list[Field], style: english.Style) -> str:
    if name in DATE_NAMES:
        session = dated.sessions[0]
        return english.day(session.start.date(), style)
    if name in TIME_NAMES:
        if not dated.has_time:
            return ""
        until = f"-{english.clock(dated.sessions[0].end)}" if dated.has_end else ""
        return f"{english.clock(dated.start)}{until} UTC"
    for names in (TOPIC_NAMES, HOST_NAMES, RECORDING_NAMES, NOTES_NAMES):
        if name in names:
            labelled = [f.text for f in fields if f.label in names]
            if labelled:
                return "; ".join(labelled)
            if names is TOPIC_NAMES:
                unlabelled = [f.text for f in fields if f.label is None]
                return "; ".join(unlabelled) or (dated.block.title or "")
    return ""


def style(calls: list[Call]) -> english.Style:
    """How the calls write their dates."""
    found = [
        written
        for call in calls[:5]
        if (value := call.value(*DATE_NAMES)) and (written := log.written_style(value))
    ]
    return max(found, key=found.count) if found else english.DEFAULT
