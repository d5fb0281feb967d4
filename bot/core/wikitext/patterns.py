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

#: A comment, or an opaque element with its content; an unclosed one runs to the end of the text.
OPAQUE_SPAN = re.compile(
    r"<!--.*?(?:-->|\Z)"
    rf"|<({'|'.join(sorted(OPAQUE_ELEMENTS))})\b[^>]*?(?<!/)>.*?(?:</\1\s*>|\Z)",
    re.DOTALL | re.IGNORECASE,
)

#: A heading line: MediaWiki allows whitespace and comments (so also Translate's <!--T:n-->
#: marker) after the closing equals signs.
HEADING_LINE = re.compile(r"^(={1,6})(.+?)(={1,6})[ \t]*((?:<!--.*?-->[ \t]*)*)$", re.MULTILINE)

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

#: A list item that is a translation unit of its own: `* <translate><!--T:24--> ...</translate>`.
OWN_UNIT = re.compile(
    r"^(?P<prefix>[*#:;]+[ \t]*)<translate>[ \t]*(?:<!--T:(?P<marker>[^>\s]+)-->[ \t]?)?"
    r"(?:(?!</?translate\b).)*</translate>[ \t]*$"
)

#: What readers never see: translate tags, comments (markers among them), <languages />, spaces.
GLUE = re.compile(rf"{TRANSLATE_TAG}|<!--.*?-->|<languages\s*/>|\s+")
#: Glue at the start of a line, before the text a reader sees.
LEADING_GLUE = re.compile(r"^(?:\s+|<translate(?:\s+nowrap)?\s*>|<!--.*?-->)*")

#: Translate's markup within a line: its tags and unit markers.
TRANSLATE_MARKUP = re.compile(rf"{TRANSLATE_TAG}|<!--T:[^>\s]+-->", re.IGNORECASE)

#: An external link's address, bare or in `[url label]`, protocol-relative too.
URL = re.compile(r"(?:https?:|ftp:)?//[^\s\[\]<>|]+", re.IGNORECASE)

#: Strike-through: `<s>`, `<del>`, `<strike>`. A struck span runs to its closing tag, or to the
#: end of the text when unclosed.
STRUCK_SPAN = re.compile(r"<(s|del|strike)\b[^<>]*>.*?(?:</\1\s*>|$)", re.IGNORECASE | re.DOTALL)
STRUCK_OPEN = re.compile(r"<(?:s|del|strike)\b", re.IGNORECASE)
STRUCK_TAG = re.compile(r"</?(?:s|del|strike)\b[^<>]*>", re.IGNORECASE)
