"""What markup in a text is live: the templates, links, tags, magic words, signatures,
substitutions and categories MediaWiki acts on when the text is saved or shown.

Anyone can edit the pages the bot reads. Text an editor made inert (inside a comment, `<nowiki>`,
`<pre>`, `<includeonly>`, or written as entities) must stay inert in everything the bot writes:
otherwise a cut or a copy could turn `<nowiki>~~~~ {{subst:X}}</nowiki>` into a signature and a
substitution at the bot's next save. The safety net compares what is live before and after.
"""

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

from mwparserfromhell.nodes import ExternalLink, Node, Tag, Template, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

from bot.core.wikitext import pieces

#: Signatures (~~~, ~~~~, ~~~~~) and behaviour switches (__NOTOC__) are plain text to the parser.
_SIGNATURE = re.compile(r"~{3,5}")
_SWITCH = re.compile(r"__([A-Z]+)__")
#: Elements whose content is not live on the page itself.
_INERT_CONTENT = frozenset({"includeonly", "nowiki", "pre"})


def live_markup(text: str) -> Counter[str]:
    """See _live_markup; a copy, so that callers may add to it."""
    return Counter(dict(_live_markup(text)))


@lru_cache(maxsize=4096)
def _live_markup(text: str) -> tuple[tuple[str, int], ...]:
    """The live markup of a text, as keys (`template:Name`, `subst:Name`, `link:Target`,
    `category:Name`, `url:...`, `tag:name`, `magic:NOTOC`, `signature`) with their counts.
    Raises pieces.Unreadable beyond the bounds mwparserfromhell is run within."""
    found: Counter[str] = Counter()
    _collect(pieces.parse(text), found)
    return tuple(found.items())


def became_live(old: Iterable[str], new: Iterable[str], allowed: Iterable[str] = ()) -> list[str]:
    """Live markup of the new texts that the old texts did not have live, less what `allowed`
    (the operator's own templates) writes: empty when nothing became live."""
    before: Counter[str] = Counter()
    for text in old:
        before += live_markup(text)
    for text in allowed:
        before += live_markup(text)
    after: Counter[str] = Counter()
    for text in new:
        after += live_markup(text)
    return sorted((after - before).elements())


def _collect(code: Wikicode, found: Counter[str]) -> None:
    for node in code.nodes:
        _node(node, found)


def _node(node: Node, found: Counter[str]) -> None:
    if isinstance(node, Text):
        found.update("signature" for _ in _SIGNATURE.finditer(str(node)))
        found.update(f"magic:{switch.group(1)}" for switch in _SWITCH.finditer(str(node)))
    elif isinstance(node, Template):
        name = " ".join(str(node.name).split())
        folded = name.casefold()
        if folded.startswith(("subst:", "safesubst:")):
            found[f"subst:{name}"] += 1
        else:
            found[f"template:{name}"] += 1
        _collect(node.name, found)
        for parameter in node.params:
            _collect(parameter.value, found)
    elif isinstance(node, Wikilink):
        target = " ".join(str(node.title).split())
        category = target.casefold().startswith("category:")
        found[f"category:{target[9:]}" if category else f"link:{target}"] += 1
        if node.text is not None:
            _collect(node.text, found)
    elif isinstance(node, ExternalLink):
        found[f"url:{node.url}"] += 1
        if node.title is not None:
            _collect(node.title, found)
    elif isinstance(node, Tag):
        _tag(node, found)


def _tag(node: Tag, found: Counter[str]) -> None:
    if node.wiki_markup:  # list and table markup: structure, not something an edit can smuggle
        if node.contents is not None:
            _collect(node.contents, found)
        return
    name = str(node.tag).strip().lower()
    if name != "translate":  # the bot writes Translate's tags itself; Translate's rules check them
        found[f"tag:{name}"] += 1
    if name not in _INERT_CONTENT and node.contents is not None:
        _collect(node.contents, found)
