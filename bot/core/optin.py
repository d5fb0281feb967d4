"""A page's own configuration: the opt-in template an editor writes on the page, as archivebot's
pages carry `{{User:MiszaBot/config}}`, read into the same Settings the operator's file gives.

    {{User:ConversationBot/config
    |upcoming = Upcoming sessions
    |log      = Past sessions
    |grace    = 2h
    }}

The call must be written on the page itself (a call that reaches the page through another
template is not the editors' of this page to see and fix), once, outside the sections it
configures (a call inside them would move with a session or be cut by an edit), and every
parameter must be known and well formed: anything else is a Refusal in words an editor
understands, naming the parameter, and the page is not edited. The page's sessions are then read
by the one reader, with these settings; nothing here reads a session.
"""

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta, tzinfo
from enum import StrEnum
from typing import TypeVar

from mwparserfromhell.nodes import Comment, Node, Template, Text

from bot.core.settings import Settings, duration, zone_named
from bot.core.settings import words as settings_words
from bot.core.wikitext import pieces, scan
from bot.core.wikitext.sections import find_section, headings
from bot.core.wikitext.titles import key
from bot.errors import Refusal

#: Each heading parameter takes further names as `upcoming2` ... `upcoming9`.
MORE_NAMES = range(2, 10)
HEADINGS = ("upcoming", "log")
OTHERS = ("grace", "duration", "zone", "cancelled", "mode", "translations", "archive")
KNOWN = (
    *(f"{name}{n}" if n > 1 else name for name in HEADINGS for n in (1, *MORE_NAMES)),
    *OTHERS,
)
#: How long a session may still be running after its end, and how long one may last.
GRACE_RANGE = (timedelta(0), timedelta(days=30))
DURATION_RANGE = (timedelta(minutes=1), timedelta(days=1))

T = TypeVar("T")


class Mode(StrEnum):
    """What the bot does on an opted-in page."""

    EDIT = "edit"  # moves the sessions that are over, as on any page it keeps
    PREVIEW = "preview"  # edits nothing: the status page says what it would move and where


@dataclass(frozen=True)
class OptIn:
    """A page's configuration, as its template states it."""

    settings: Settings
    mode: Mode = Mode.EDIT
    #: Whether the bot keeps a translatable page's translations (marks and writes them).
    translations: bool = True
    #: The subpage whose log receives the entries instead of the page's own (as written).
    archive: str | None = None
    line: int = 0  # where the template's call starts


def read_optin(text: str, names: Iterable[str], base: Settings | None = None) -> OptIn:
    """The configuration the page's own call of the template (`names`: its title and the
    titles of its redirects, in any of the wiki's spellings) states; raises Refusal when the
    call is missing from the page, written twice, inside another template or inside the
    sections it configures, or when a parameter is unknown or wrong."""
    wanted = {key(name) for name in names}
    opaque = scan.opaque_spans(text)
    found = [(start, end, nested) for start, end, nested in scan.brace_pairs(text, opaque)
             if key(_name(text, start, end)) in wanted]  # fmt: skip
    if not found:
        raise Refusal(
            "the configuration template is not written on this page (it comes through another "
            "template or page): write it on the page itself"
        )
    line = text.count("\n", 0, found[0][0]) + 1
    if len(found) > 1:
        lines = ", ".join(str(text.count("\n", 0, start) + 1) for start, _, _ in found)
        raise Refusal(
            f"the configuration template is written {len(found)} times (lines {lines}): keep one",
            line,
        )
    start, end, nested = found[0]
    if nested:
        raise Refusal(
            "the configuration template stands inside another template: write it on its own",
            line,
        )
    optin = _configuration(_call(text[start:end], line), base or Settings(), line)
    _outside_sections(text, opaque, optin.settings, start, line)
    return optin


def _name(text: str, start: int, end: int) -> str:
    """The name a call is written with: what stands between its braces and its first `|`."""
    inner = text[start + 2 : end - 2]
    return inner.split("|", 1)[0]


def _call(written: str, line: int) -> Template:
    try:
        nodes = pieces.parse(written).nodes
    except pieces.Unreadable as error:
        raise Refusal(f"the configuration template cannot be read: {error}", line) from None
    if len(nodes) != 1 or not isinstance(nodes[0], Template):
        raise Refusal("the configuration template's braces do not pair up", line)
    return nodes[0]


def _configuration(call: Template, base: Settings, line: int) -> OptIn:
    given = _parameters(call, line)
    settings = replace(
        base,
        upcoming_headings=_headings(given, "upcoming", line),
        log_headings=_headings(given, "log", line),
    )
    if "grace" in given:
        settings = replace(settings, grace=_length(given, "grace", GRACE_RANGE, line))
    if "duration" in given:
        length = _length(given, "duration", DURATION_RANGE, line)
        settings = replace(settings, default_duration=length)
    if "zone" in given:
        settings = replace(settings, zone=_zone(given["zone"], line))
    if "cancelled" in given:
        settings = replace(settings, cancelled_words=_words(given["cancelled"], line))
    return OptIn(
        settings,
        _choice(given, "mode", {m.value: m for m in Mode}, Mode.EDIT, line),
        _choice(given, "translations", {"yes": True, "no": False}, True, line),
        given.get("archive"),
        line,
    )


def _parameters(call: Template, line: int) -> dict[str, str]:
    """Each parameter's value as plain text (comments dropped); empty ones are not given."""
    given: dict[str, str] = {}
    for parameter in call.params:
        name = " ".join(str(parameter.name).split()).casefold()
        if not parameter.showkey:
            raise Refusal(
                f"the configuration template has a parameter without a name "
                f"({str(parameter.value).strip()[:40]!r}): write it as name = value",
                line,
            )
        if name not in KNOWN:
            raise Refusal(
                f"{name}: no such parameter (known: {', '.join(_documented())})",
                line,
            )
        if name in given:
            raise Refusal(f"{name}: given twice; keep one", line)
        value = _plain(parameter.value.nodes, name, line)
        if value:
            given[name] = value
    return given


def _documented() -> list[str]:
    return [*HEADINGS, *OTHERS]


def _plain(nodes: list[Node], name: str, line: int) -> str:
    """The value as written, less its comments; markup in it (a link, a template, a tag) is no
    setting the bot can trust, so it is refused, never read around."""
    if any(not isinstance(node, Text | Comment) for node in nodes):
        raise Refusal(f"{name}: must be plain text, without links, templates or tags", line)
    return " ".join("".join(str(n) for n in nodes if isinstance(n, Text)).split())


def _headings(given: dict[str, str], name: str, line: int) -> tuple[str, ...]:
    numbered = [given[f"{name}{n}"] for n in MORE_NAMES if f"{name}{n}" in given]
    if name not in given:
        raise Refusal(
            f"{name}: missing: give the title of the section"
            + (" of upcoming sessions" if name == "upcoming" else " that logs past sessions"),
            line,
        )
    return (given[name], *numbered)


def _length(
    given: dict[str, str], name: str, bounds: tuple[timedelta, timedelta], line: int
) -> timedelta:
    length = duration(given[name])
    if length is None:
        raise Refusal(
            f"{name}: {given[name]!r} is not a length of time such as 90m, 1h or 1h30m", line
        )
    low, high = bounds
    if not low <= length <= high:
        raise Refusal(f"{name}: must be from {_readable(low)} to {_readable(high)}", line)
    return length


def _readable(length: timedelta) -> str:
    if length % timedelta(days=1) == timedelta(0) and length:
        return f"{length.days}d"
    if length % timedelta(hours=1) == timedelta(0) and length:
        return f"{length // timedelta(hours=1)}h"
    return f"{length // timedelta(minutes=1)}m"


def _zone(name: str, line: int) -> tzinfo:
    zone = zone_named(name)
    if zone is None:
        raise Refusal(
            f"zone: {name!r} is not a time zone the bot knows: write UTC or a name such as "
            "Europe/Berlin or America/New_York",
            line,
        )
    return zone


def _words(value: str, line: int) -> tuple[str, ...]:
    words = settings_words(value.split(","))
    if not all(words):
        raise Refusal(
            "cancelled: give words separated by commas, such as: cancelled, postponed", line
        )
    return words


def _choice(given: dict[str, str], name: str, values: dict[str, T], default: T, line: int) -> T:
    if name not in given:
        return default
    chosen = values.get(given[name].casefold())
    if chosen is None:
        raise Refusal(f"{name}: write {' or '.join(values)}, not {given[name]!r}", line)
    return chosen


def _outside_sections(
    text: str,
    opaque: list[tuple[int, int]],
    settings: Settings,
    start: int,
    line: int,
) -> None:
    """Refuses a call that stands in a section it configures, or names a section that the
    page does not have (said with the parameter's name, as an editor wrote it). A call cannot
    start above a section and reach into it: the heading would be in one of its values, which
    are plain text."""
    found = headings(text, opaque)
    for name, titles in (("upcoming", settings.upcoming_headings), ("log", settings.log_headings)):
        try:
            section = find_section(text, found, titles)
        except Refusal as refusal:
            raise Refusal(f"{name}: {refusal.reason}", refusal.line or line) from None
        if section.heading.start < start < section.end:
            raise Refusal(
                f"the configuration template stands inside the section "
                f"{section.heading.title!r} it configures: move it above the sections",
                line,
            )
