"""What live markup a text holds, and what a change would make live that was not before.

The bot writes pages an editor never sees it write: the status page, the report page, the
translations. Text it copies there from the page (a title, a heading, a translated line) must
never turn into a template, a link, a category, a signature or a substitution on the other
page. `became_live` is the check each of those writes passes before it is saved: anything
live in the new text that was not live in the old one, unless the caller expects it.

Pure, on mwparserfromhell, with a bounded input (a parse of megabytes costs seconds).
"""

import fnmatch
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

import mwparserfromhell
from mwparserfromhell.nodes import (
    Argument,
    Comment,
    ExternalLink,
    Heading,
    Tag,
    Template,
    Text,
    Wikilink,
)
from mwparserfromhell.wikicode import Wikicode

from bot.core.wikitext import pieces

#: Longer texts are refused (ValueError): every page this check guards is far smaller.
MAX_CHARS = 2_000_000
#: Tags whose content MediaWiki shows as text (or never on this page): nothing inside is live.
OPAQUE_TAGS = frozenset(
    {"nowiki", "pre", "syntaxhighlight", "source", "math", "chem", "score", "includeonly"}
)
_MAGIC_WORD = re.compile(r"__[A-Z]+__")
_SIGNATURE = re.compile(r"(?<!~)~{3,5}(?!~)")
_SUBST = re.compile(r"^\s*(?:safe)?subst\s*:", re.IGNORECASE)
_CATEGORY = re.compile(r"^\s*category\s*:", re.IGNORECASE)


def live_markup(text: str, *, bounded: bool = False) -> Counter[str]:
    """How often each piece of live markup occurs in `text`, outside comments and opaque tags.

    Keys are `KIND:WHAT`: `template:NAME` (parser functions and variables too, lowercased),
    `subst:NAME`, `link:TARGET` (without the section), `category:NAME`, `external:URL`
    (bracketed or free), `tag:NAME` (HTML and extension tags, not `'''`), `magic:__WORD__`,
    `signature:~~~~` and `argument:NAME`. `bounded` is for a line of the page the bot edits,
    which anyone may have written to be slow to parse: beyond the bounds of
    bot.core.wikitext.pieces it raises pieces.Unreadable. Remembered per text: the safety net
    asks again about the lines the entry builder asked about."""
    if bounded:
        pieces.check_bounds(text)
    return Counter(dict(_live_markup(text)))


@lru_cache(maxsize=4096)
def _live_markup(text: str) -> tuple[tuple[str, int], ...]:
    if len(text) > MAX_CHARS:
        raise ValueError(f"text of {len(text)} characters is over the {MAX_CHARS} looked at")
    found: Counter[str] = Counter()
    pending: list[Wikicode] = [mwparserfromhell.parse(text, skip_style_tags=True)]
    while pending:  # a stack, not recursion: nesting depth is the editor's choice
        for node in pending.pop().nodes:
            pending.extend(_count(node, found))
    return tuple(found.items())


def _count(node: object, found: Counter[str]) -> list[Wikicode]:
    """Counts one node and returns the parts of it that may hold more live markup."""
    if isinstance(node, Comment):
        return []
    if isinstance(node, Text):
        found.update(f"magic:{m}" for m in _MAGIC_WORD.findall(node.value))
        found.update(f"signature:{m}" for m in _SIGNATURE.findall(node.value))
        return []
    if isinstance(node, Template):
        return _template(node, found)
    if isinstance(node, Wikilink):
        target = _plain(node.title).split("#", 1)[0].strip()
        kind = "category" if _CATEGORY.match(target) else "link"
        name = _CATEGORY.sub("", target) if kind == "category" else target.lstrip(":")
        found[f"{kind}:{' '.join(name.replace('_', ' ').split())}"] += 1
        return [node.title, *([node.text] if node.text is not None else [])]
    if isinstance(node, ExternalLink):
        found[f"external:{_plain(node.url)}"] += 1
        return [node.title] if node.title is not None else []
    if isinstance(node, Tag):
        return _tag(node, found)
    if isinstance(node, Argument):
        found[f"argument:{_plain(node.name)}"] += 1
        return [node.name]
    if isinstance(node, Heading):
        return [node.title]
    return []


def _template(node: Template, found: Counter[str]) -> list[Wikicode]:
    name = " ".join(_plain(node.name).split()).lower()
    if _SUBST.match(name):
        name = _SUBST.sub("", name).strip()
        found[f"subst:{name}"] += 1
    found[f"template:{name}"] += 1
    return [node.name, *(p.value for p in node.params), *(p.name for p in node.params)]


def _tag(node: Tag, found: Counter[str]) -> list[Wikicode]:
    name = _plain(node.tag).lower()
    if not node.wiki_markup:  # '''bold''', list markers and the like are harmless
        found[f"tag:{name}"] += 1
    if name in OPAQUE_TAGS or node.contents is None:
        return []
    return [node.contents, *(a.value for a in node.attributes if a.value is not None)]


def _plain(code: object) -> str:
    return str(code).strip()


def became_live(old: str, new: str, allowed: Iterable[str] = ()) -> list[str]:
    """The live markup `new` holds more of than `old`, sorted, except what matches one of the
    `allowed` patterns (fnmatch, on the keys of `live_markup`: `link:Special:Diff/*`). Empty
    when the change makes nothing live that the caller did not expect."""
    patterns = tuple(allowed)
    before, after = live_markup(old), live_markup(new)
    return sorted(
        key
        for key, count in after.items()
        if count > before[key] and not any(fnmatch.fnmatchcase(key, p) for p in patterns)
    )


def literal(key: str) -> str:
    """An `allowed` pattern that matches `key` and nothing else (a title may hold `*` or `?`)."""
    return "".join(f"[{c}]" if c in "*?[" else c for c in key)
