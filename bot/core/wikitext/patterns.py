"""The wikitext patterns the bot relies on, written once.

Headings, Translate's tags and markers, list prefixes and the elements whose content MediaWiki
does not read as wikitext: every module that needs one of them imports it from here, so a
correction reaches every reader of the page at once.
"""

import re

# fmt: off
#: Elements whose content MediaWiki does not read as wikitext: tags in there are just text, and
#: the bot never edits a line inside one.
OPAQUE_ELEMENTS = frozenset({
    "nowiki", "pre", "syntaxhighlight", "source", "math", "chem", "ce", "score", "templatedata",
    "timeline", "hiero", "graph", "mapframe", "maplink", "imagemap", "inputbox", "categorytree",
    "gallery",
})
# fmt: on

#: Anything MediaWiki takes for a translate tag (Translate itself knows only the ones below).
ANY_TRANSLATE_TAG = re.compile(r"</?translate(?=[\s/>])[^<>]*>", re.IGNORECASE)
#: The translate tags Translate knows, as the bot reads and writes them.
TRANSLATE_TAG = r"</?translate(?:\s+nowrap)?\s*>"
OPEN_TAG_LINE = re.compile(r"^\s*<translate(?:\s+nowrap)?\s*>\s*$")
CLOSE_TAG_LINE = re.compile(r"^\s*</translate>\s*$")

#: Translate's unit marker; the id runs to the first "-->".
UNIT_MARKER = re.compile(r"<!--T:([^>\s]+)-->")

#: A list item's prefix: `*`, `#`, `:`, `;` and their nestings, with the space after them.
LIST_PREFIX = re.compile(r"^[*#:;]+[ \t]*")
#: The list markers alone: how deep an item is (`**` is 2).
LIST_MARKERS = re.compile(r"^[*#:;]+")
#: A definition list's line: a term (`;`) or its definition (`:`).
DEFINITION_LINE = re.compile(r"^[;:]")
#: The bold text a paragraph opens with: `'''About the Global Digital Compact:'''`.
BOLD_LEAD = re.compile(r"^'''(?!')(.+?)'''")
#: A translate tag, compiled.
TRANSLATE_TAG_PATTERN = re.compile(TRANSLATE_TAG)

#: Wikitable markup at the start of a line: the table's opening and closing, a row's start, a
#: caption, any of them (a line that is table markup).
TABLE_OPEN = re.compile(r"^\s*\{\|")
TABLE_CLOSE = re.compile(r"^\s*\|\}")
TABLE_ROW = re.compile(r"^\s*\|-")
TABLE_CAPTION = re.compile(r"^\s*\|\+")
TABLE_LINE = re.compile(r"^\s*(?:\{\||\|\}|\|-|\||!)")
#: A cell's attributes before its single `|`: `style="width:20%" | Date`.
CELL_ATTRIBUTES = re.compile(r"^([^|\[\]{}<>]*?=[^|\[\]{}]*)\|(?!\|)")
#: A link and nothing else: `[[:File:Call.webm|video]]`, `[https://... recording]`.
LONE_LINK = re.compile(r"^\[\[[^\[\]]*\]\]$|^\[[^\[\]]*\]$")

#: A list item that is a translation unit of its own: `* <translate><!--T:24--> ...</translate>`.
OWN_UNIT = re.compile(
    r"^(?P<prefix>[*#:;]+[ \t]*)<translate>[ \t]*(?:<!--T:(?P<marker>[^>\s]+)-->[ \t]?)?"
    r"(?:(?!</?translate\b).)*</translate>[ \t]*$"
)

#: What readers never see: translate tags, comments (markers among them), <languages />, spaces.
GLUE = re.compile(
    rf"{TRANSLATE_TAG}|<!--.*?-->|<languages\s*/>|</?(?:onlyinclude|noinclude)\s*>|\s+",
    re.IGNORECASE,
)
#: Glue at the start of a line, before the text a reader sees.
LEADING_GLUE = re.compile(r"^(?:\s+|<translate(?:\s+nowrap)?\s*>|<!--.*?-->)*")


# fmt: off
#: Tags whose content is the page's own text and whose tags the bot writes itself: Translate's,
#: and the transclusion tags a page may wrap its list in (the list still shows on the page).
GLUE_TAGS = frozenset({"translate", "onlyinclude", "noinclude", "languages"})
#: One of them, opening or closing, as written.
GLUE_TAG = re.compile(
    r"</?(translate|onlyinclude|noinclude|languages)(?:\s[^<>]*)?/?>", re.IGNORECASE
)
#: Tags that strike their content through: nothing struck is a session's date.
STRIKE_TAGS = frozenset({"s", "del", "strike"})
#: Templates that strike their first parameter through (names as readers type them, any case).
STRIKE_TEMPLATES = frozenset({
    "strike", "s", "strikethrough", "strike-through", "line-through", "linethrough", "del",
    "deleted", "stroke", "struck",
})
#: A style that strikes the element's content through.
LINE_THROUGH = re.compile(r"text-decoration(?:-line)?\s*:[^;\"']*line-through", re.IGNORECASE)
#: Tags that only format their content: their text is read, and they are kept or dropped as a
#: pair around it.
FORMATTING_TAGS = frozenset({
    "b", "i", "u", "em", "strong", "big", "small", "span", "font", "sup", "sub", "mark", "ins",
})
#: Elements that keep the lines they span from the section when they run over several lines:
#: everything MediaWiki renders as an element but Translate's tags, <tvar> and the transclusion
#: tags <onlyinclude>/<noinclude> (whose content shows on the page). <includeonly> hides: its
#: content never shows on the page itself.
HIDING_TAGS = frozenset({
    "div", "span", "center", "table", "tr", "td", "th", "caption", "ul", "ol", "li", "dl", "dt",
    "dd", "p", "blockquote", "small", "big", "font", "b", "i", "u", "s", "del", "ins", "strike",
    "sup", "sub", "code", "tt", "abbr", "cite", "q", "ruby", "strong", "em", "mark", "kbd",
    "samp", "var", "ref", "references", "poem", "includeonly", "section", "indicator", "h1",
    "h2", "h3", "h4", "h5", "h6", "bdi", "bdo", "dfn", "data", "time",
})
#: Elements without content.
VOID_TAGS = frozenset({"br", "hr", "wbr"})
# fmt: on

#: A unit marker at the end of a heading line, and one with the space after it anywhere.
TRAILING_MARKER = re.compile(r"[ \t]*<!--T:[^>]*-->[ \t]*$")
MARKER_AND_SPACE = re.compile(r"<!--T:[^>]*-->[ \t]?")
#: Four digits: the year in a year's or a month's subheading.
YEAR_DIGITS = re.compile(r"\d{4}")
#: A word of letters, for a month's name in a subheading.
WORD = re.compile(r"[^\W\d_]+")
