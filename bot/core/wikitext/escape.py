"""The one escaping function for every page the bot writes: the log, the status page, the
report page and the translations.

A value the bot copies from a page (a block title, a heading) may carry markup written as
entities (`&#91;&#91;Category:Spam&#93;&#93;`): decoded later by whoever reads it as plain text,
it would turn live on the next page. So entities are decoded first, the text is normalised to
NFC (MediaWiki stores NFC, so anything else never compares equal with what was saved), and only
then is every character that could start markup replaced by an entity that renders the same.
"""

import html
import re
import unicodedata

from markupsafe import Markup

# Markup a value could smuggle into the page; each is replaced by an entity that renders the same.
_ESCAPES = {
    "<": "&lt;",
    ">": "&gt;",
    "[": "&#91;",
    "]": "&#93;",
    "{": "&#123;",
    "}": "&#125;",
    "|": "&#124;",
    "~": "&#126;",
}
#: URL schemes MediaWiki links without brackets ($wgUrlProtocols, the ones written with a
#: colon): the colon after one is escaped, so a free URL stays text and never becomes a link.
_SCHEMES = (
    "bitcoin|ftp|ftps|geo|git|gopher|http|https|irc|ircs|magnet|mailto|matrix|mms|news|nntp|"
    "redis|sftp|sip|sips|sms|ssh|svn|tel|telnet|urn|worldwind|xmpp"
)
_SPECIAL = re.compile(
    rf"[<>\[\]{{}}|~]|'(?=')|&(?=#?\w+;)|__|^[*#:;=]|\s+|(?i:(?<![\w.+-])(?:{_SCHEMES})):"
)


def escape_wikitext(value: object) -> Markup:
    """Plain text that cannot form markup on any page: links (free URLs too), templates, tags,
    bold, magic words, signatures, lists. Entities are decoded first and the result is NFC.
    Marked safe, so that a template environment's own escaping does not escape it twice."""
    text = unicodedata.normalize("NFC", html.unescape(str(value))).strip()
    return Markup(_SPECIAL.sub(_replace, text))


def _replace(match: re.Match[str]) -> str:
    found = match.group()
    if found.isspace():
        return " "
    if found == "'":
        return "&#39;"
    if found == "&":
        return "&amp;"
    if found == "__":
        return "&#95;_"
    if found in "*#:;=":
        return f"&#{ord(found)};"
    if found.endswith(":"):  # a URL scheme
        return found[:-1] + "&#58;"
    return _ESCAPES[found]
