"""A piece of wikitext as whole pieces: plain text, and links, templates, tags and comments that
are each one piece, never to be cut apart.

mwparserfromhell knows where each node begins and ends; the bot reads dates only from the text
between nodes and builds what it writes by keeping or dropping pieces whole. Translate's tags
and unit markers are glue (the bot writes those itself), and formatting tags (`<b>`, `<span>`)
are an opening and a closing piece around pieces of their own, kept or dropped as a pair.

mwparserfromhell takes time that grows faster than its input on unclosed markup (`<a ` three
thousand times: five seconds), so it only ever sees a bounded piece: one line of a slot or an
entry, with a bounded number of places where markup could open. Beyond that the text is
Unreadable, and the caller leaves it alone and says so.
"""

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    HTMLEntity,
    Node,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from bot.core.wikitext.patterns import (
    FORMATTING_TAGS,
    GLUE_TAG,
    GLUE_TAGS,
    LINE_THROUGH,
    STRIKE_TAGS,
    STRIKE_TEMPLATES,
)

#: The longest text given to mwparserfromhell at once, and the most places in it where markup
#: may open (`{{`, `[`, `<`): far above any slot an editor writes, far below what takes time.
MAX_CHARACTERS = 20_000
MAX_OPENERS = 120
_QUOTES = re.compile(r"'{2,}")


class Unreadable(ValueError):
    """Text beyond the bounds the bot reads within; str() says why."""


class Kind(StrEnum):
    TEXT = "text"
    QUOTES = "quotes"  # '' or ''': bold and italic
    GLUE = "glue"  # Translate's tags and markers, <onlyinclude>-like tags: the bot's to write
    COMMENT = "comment"
    LINK = "link"  # [[target|label]]
    EXTERNAL = "external"  # [url label], or a bare URL
    TEMPLATE = "template"
    STRUCK = "struck"  # <s>, <del>, <strike>, a strike template, a line-through span
    TAG = "tag"  # any other element (<tvar>, <nowiki>, <ref>...), whole
    BREAK = "break"  # <br>
    OPEN = "open"  # a formatting tag's opening (<b>, <span style=...>), paired with a CLOSE
    CLOSE = "close"


@dataclass(frozen=True)
class Piece:
    kind: Kind
    start: int  # offsets in the text given to pieces()
    end: int
    source: str  # the wikitext, exactly
    #: TEXT: what a reader sees (entities decoded); EXTERNAL: the label; LINK: the target;
    #: TEMPLATE: the name; TAG, STRUCK, OPEN, CLOSE: the element's name.
    plain: str = ""
    url: str = ""  # EXTERNAL
    #: STRUCK, TAG and LINK: the pieces of the content (a struck date is read; a tag is searched
    #: for join details; a link's label is text).
    inner: tuple["Piece", ...] = field(default=(), compare=False)
    pair: int | None = None  # OPEN and CLOSE: the index of the other one

    @property
    def is_text(self) -> bool:
        return self.kind is Kind.TEXT


def check_bounds(text: str) -> None:
    """Raises Unreadable when text is too long or holds too many places where markup opens."""
    if len(text) > MAX_CHARACTERS:
        raise Unreadable(f"{len(text):,} characters on one line, more than the bot reads")
    openers = text.count("{{") + text.count("[") + text.count("<")
    if openers > MAX_OPENERS:
        raise Unreadable(f"{openers} places where markup opens, more than the bot reads")


def parse(text: str) -> Wikicode:
    """mwparserfromhell's parse of a bounded piece of text (see check_bounds)."""
    check_bounds(text)
    return mwparserfromhell.parse(text, skip_style_tags=True)


def pieces(text: str) -> tuple[Piece, ...]:
    """The text as pieces, in order; together their sources are the text, byte for byte.

    Translate's tags and the transclusion tags are glue wherever they stand, paired on the line
    or not (a unit often opens on one line and closes on another): the text between them is
    parsed on its own, as Translate itself cuts the page at them."""
    check_bounds(text)
    out: list[Piece] = []
    at = 0
    for tag in GLUE_TAG.finditer(text):
        _add_parsed(text[at : tag.start()], at, out)
        out.append(Piece(Kind.GLUE, tag.start(), tag.end(), tag.group(), tag.group(1).lower()))
        at = tag.end()
    _add_parsed(text[at:], at, out)
    return tuple(out)


def _add_parsed(text: str, at: int, out: list[Piece]) -> None:
    if text:
        _add(mwparserfromhell.parse(text, skip_style_tags=True).nodes, at, out)


def plain_text(wikitext: str) -> str:
    """The text as readers see it, spaces collapsed; raises Unreadable beyond the bounds."""
    stripped = parse(wikitext).strip_code(normalize=True, collapse=True)
    return " ".join(stripped.split())


def _add(nodes: list[Node], at: int, out: list[Piece]) -> int:
    for node in nodes:
        written = str(node)
        _node(node, written, at, out)
        at += len(written)
    return at


def _node(node: Node, written: str, at: int, out: list[Piece]) -> None:
    end = at + len(written)
    if isinstance(node, Text):
        out.extend(_text(written, at))
    elif isinstance(node, HTMLEntity):
        out.append(Piece(Kind.TEXT, at, end, written, _entity(node)))
    elif isinstance(node, Comment):
        kind = Kind.GLUE if written.startswith("<!--T:") else Kind.COMMENT
        out.append(Piece(kind, at, end, written))
    elif isinstance(node, Wikilink):
        out.append(_link(node, written, at))
    elif isinstance(node, ExternalLink):
        label = str(node.title) if node.title is not None else ""
        out.append(Piece(Kind.EXTERNAL, at, end, written, label, url=str(node.url)))
    elif isinstance(node, Template):
        name = str(node.name).strip()
        kind = Kind.STRUCK if _template_name(name) in STRIKE_TEMPLATES else Kind.TEMPLATE
        inner = _struck_template_content(node, written, at) if kind is Kind.STRUCK else ()
        out.append(Piece(kind, at, end, written, name, inner=inner))
    elif isinstance(node, Tag):
        _element(node, written, at, out)
    elif isinstance(node, Argument | Heading):
        out.append(Piece(Kind.TAG, at, end, written))
    else:  # pragma: no cover - mwparserfromhell has no other node types
        out.append(Piece(Kind.TAG, at, end, written))


def _text(written: str, at: int) -> Iterator[Piece]:
    """Plain text, with bold and italic quotes as pieces of their own."""
    position = 0
    for quotes in _QUOTES.finditer(written):
        if quotes.start() > position:
            chunk = written[position : quotes.start()]
            yield Piece(Kind.TEXT, at + position, at + quotes.start(), chunk, chunk)
        yield Piece(Kind.QUOTES, at + quotes.start(), at + quotes.end(), quotes.group())
        position = quotes.end()
    if position < len(written):
        chunk = written[position:]
        yield Piece(Kind.TEXT, at + position, at + len(written), chunk, chunk)


def _entity(node: HTMLEntity) -> str:
    try:
        decoded = node.normalize()
    except ValueError:
        return str(node)
    return " " if decoded in "\u00a0\u2009\u202f" else decoded


def _link(node: Wikilink, written: str, at: int) -> Piece:
    inner: tuple[Piece, ...] = ()
    if node.text is not None:
        label_at = at + written.index("|") + 1
        collected: list[Piece] = []
        _add(node.text.nodes, label_at, collected)
        inner = tuple(collected)
    target = str(node.title).strip()
    return Piece(Kind.LINK, at, at + len(written), written, target, inner=inner)


def _template_name(name: str) -> str:
    return " ".join(name.replace("_", " ").split()).casefold()


def _struck_template_content(node: Template, written: str, at: int) -> tuple[Piece, ...]:
    """What a strike template strikes: its first positional parameter, read as text."""
    if not node.params:
        return ()
    value = node.params[0].value
    offset = written.find(str(value), written.index("|"))
    collected: list[Piece] = []
    _add(value.nodes, at + offset, collected)
    return tuple(collected)


def _element(node: Tag, written: str, at: int, out: list[Piece]) -> None:
    name = str(node.tag).strip().lower()
    end = at + len(written)
    if name in GLUE_TAGS:
        _container(node, written, at, out, Kind.GLUE, Kind.GLUE, name)
    elif name == "br":
        out.append(Piece(Kind.BREAK, at, end, written, name))
    elif name in STRIKE_TAGS or (name in FORMATTING_TAGS and _line_through(node)):
        out.append(Piece(Kind.STRUCK, at, end, written, name, inner=_contents(node, written, at)))
    elif name in FORMATTING_TAGS and not node.self_closing and node.contents is not None:
        _container(node, written, at, out, Kind.OPEN, Kind.CLOSE, name)
    else:
        inner = _contents(node, written, at) if name == "tvar" else ()
        out.append(Piece(Kind.TAG, at, end, written, name, inner=inner))


def _line_through(node: Tag) -> bool:
    return any(
        str(attribute.name).strip().lower() == "style"
        and LINE_THROUGH.search(str(attribute.value or "")) is not None
        for attribute in node.attributes
    )


def _contents(node: Tag, written: str, at: int) -> tuple[Piece, ...]:
    if node.self_closing or node.contents is None:
        return ()
    collected: list[Piece] = []
    _add(node.contents.nodes, at + _content_offset(node, written), collected)
    return tuple(collected)


def _content_offset(node: Tag, written: str) -> int:
    contents = str(node.contents)
    opening_end = written.index(">") + 1
    return written.find(contents, opening_end) if contents else opening_end


def _container(
    node: Tag, written: str, at: int, out: list[Piece], opening: Kind, closing: Kind, name: str
) -> None:
    """A tag whose content is the text's own: its tags as two pieces around the content's."""
    if node.self_closing or node.contents is None:
        out.append(
            Piece(
                opening if opening is Kind.GLUE else Kind.TAG, at, at + len(written), written, name
            )
        )
        return
    inside = _content_offset(node, written)
    contents = str(node.contents)
    first = len(out)
    out.append(Piece(opening, at, at + inside, written[:inside], name))
    _add(node.contents.nodes, at + inside, out)
    close_at = at + inside + len(contents)
    out.append(Piece(closing, close_at, at + len(written), written[inside + len(contents) :], name))
    if opening is Kind.OPEN:
        out[first] = _paired(out[first], len(out) - 1)
        out[-1] = _paired(out[-1], first)


def _paired(piece: Piece, other: int) -> Piece:
    return Piece(
        piece.kind, piece.start, piece.end, piece.source, piece.plain, piece.url, piece.inner, other
    )


def decode(text: str) -> str:
    """HTML entities decoded, as a reader sees them."""
    return html.unescape(text)
