"""Sessions and log entries written as template calls: `{{Showcase session|date=2024-05-15|
time=16:30 UTC|theme=...}}` on one line, or with a parameter per line.

A call is one node: it moves whole or stays whole, and a new entry is written as a call of the
same template beside the others, never inside one. Its parameters are known by their names
(date, time, theme, host...), as a table's columns are by their headers.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from mwparserfromhell.nodes import Template

from bot.core.wikitext import pieces
from bot.core.wikitext.lines import Line

#: The most lines one call may span; a longer one is no entry the bot writes beside.
_MAX_LINES = 40


@dataclass(frozen=True)
class Call:
    """A template call that stands alone on its lines (nothing else on them)."""

    name: str  # as written, stripped ("Showcase session")
    lines: tuple[Line, ...]
    params: tuple[tuple[str, str], ...]  # (name, value) in order; positional ones as "1", "2"
    positional: bool  # whether any parameter has no name
    #: Its name as written, and the spaces around its first parameter's name and value.
    spacing: tuple[str, str, str, str, str]

    @property
    def key(self) -> str:
        return normal(self.name)

    @property
    def multiline(self) -> bool:
        return len(self.lines) > 1

    def value(self, *names: str) -> str | None:
        """The value of the first parameter named like one of `names` (any case)."""
        for wanted in names:
            for name, value in self.params:
                if normal(name) == wanted:
                    return value
        return None


#: Parameter names by what they hold.
DATE_NAMES = ("date", "day", "when")
TIME_NAMES = ("time", "hour", "hours")
TOPIC_NAMES = ("topic", "theme", "title", "subject", "talk", "session", "agenda", "description")
HOST_NAMES = ("host", "hosts", "speaker", "speakers", "presenter", "presenters", "who", "by")
RECORDING_NAMES = ("recording", "video", "youtube", "stream", "watch")
NOTES_NAMES = ("notes", "etherpad", "minutes", "log", "slides", "summary")


def normal(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


def calls(lines: Sequence[Line]) -> list[Call]:
    """The calls that start lines and stand alone on their lines, in order."""
    found = []
    i = 0
    while i < len(lines):
        call = call_at(lines, i)
        if call is None:
            i += 1
        else:
            found.append(call)
            i += len(call.lines)
    return found


def call_at(lines: Sequence[Line], i: int) -> Call | None:
    """The call that starts line i and ends at the end of a line, when there is one."""
    if not lines[i].text.lstrip().startswith("{{"):
        return None
    depth = 0
    for j in range(i, min(len(lines), i + _MAX_LINES)):
        text = lines[j].text
        depth += text.count("{{") - text.count("}}")
        if depth <= 0:
            return _read(lines[i : j + 1])
    return None


def _read(span: Sequence[Line]) -> Call | None:
    text = "\n".join(line.text for line in span)
    try:
        code = pieces.parse(text.strip())
    except pieces.Unreadable:
        return None
    if len(code.nodes) != 1 or not isinstance(code.nodes[0], Template):
        return None
    node = code.nodes[0]
    params = tuple((str(p.name).strip(), str(p.value).strip()) for p in node.params)
    positional = any(not p.showkey for p in node.params)
    return Call(str(node.name).strip(), tuple(span), params, positional, _spacing(node))


def _spacing(node: Template) -> tuple[str, str, str, str, str]:
    """How the call lays itself out: its name as written (with the newline of a call over
    several lines) and the spaces around its first parameter's name and value."""
    raw_name = str(node.name)
    if not node.params:
        return raw_name, "", "", "", ""
    name, value = str(node.params[0].name), str(node.params[0].value)
    return (
        raw_name,
        name[: len(name) - len(name.lstrip())],
        name[len(name.rstrip()) :],
        value[: len(value) - len(value.lstrip())],
        value[len(value.rstrip()) :],
    )


def write(model: Call, values: Sequence[tuple[str, str]]) -> list[str]:
    """A new call of the model's template with these parameters, laid out as the model is."""
    raw_name, before_name, after_name, before_value, after_value = model.spacing
    params = "".join(
        f"|{before_name}{name}{after_name}={before_value}{value}{after_value}"
        for name, value in values
    )
    return ("{{" + raw_name + params + "}}").split("\n")
