"""The pages that opt in on a wiki: found by what transcludes the configuration template (so a
page its editors moved is found under its new title), read with the pass's batch, and made
targets by the core's reading of their own template (bot.core.optin).

Requests: one for the template's redirects, and one `list=embeddedin` per 500 pages (5,000 for
an account with `apihighlimits`); the pages themselves come with the pass's batched read.
"""

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

import pywikibot

from bot.core.archive import archive_problem
from bot.core.optin import read_optin
from bot.core.wikitext.titles import key
from bot.errors import Refusal
from bot.ops.config import OptInWiki, Target
from bot.wiki.client import answer_shape

log = logging.getLogger("conversation-hours-bot")

#: What the status section of a page both in the operator's file and opted in says first.
IN_THE_FILE = (
    "this page is also configured in the operator's file, whose settings apply; its own "
    "configuration template is not read"
)


#: The most pages a pass lists (a hundred `list=embeddedin` requests at most): enough for every
#: page to take its turn under `max_pages`, bounded so a flood of pages cannot stall a pass.
LISTED = 50_000


@dataclass(frozen=True)
class Discovered:
    """What opt-in found on one wiki."""

    titles: tuple[str, ...]  # this pass's turn of the pages that opt in, at most max_pages
    #: The template's title and its redirects', in each of their namespace's spellings.
    names: tuple[str, ...]
    #: The last title of this turn when more pages opt in than a pass takes (the next pass
    #: starts after it); None when the pass takes them all.
    last: str | None = None


@dataclass(frozen=True)
class Candidate:
    """A page of the pass: its target and, when its configuration is wrong, why."""

    target: Target
    refusal: Refusal | None = None


@answer_shape("finding the pages that opt in")
def discover(site: pywikibot.site.BaseSite, wiki: OptInWiki, after: str | None) -> Discovered:
    """The pages that transclude the template, in the namespaces the operator allows, and the
    template's spellings. When more opt in than `max_pages`, each pass takes the next turn
    of them after `after` (the last title of the previous turn), so every page is served."""
    template = pywikibot.Page(site, wiki.template)
    found = [
        page.title()
        for page in site.page_embeddedin(template, namespaces=list(wiki.namespaces), total=LISTED)
    ]
    if len(found) == LISTED:
        log.warning(
            "%s: %d pages or more opt in with [[%s]]; pages past the first %d are not listed",
            wiki.site,
            LISTED,
            wiki.template,
            LISTED,
        )
    titles, last = turn(found, after, wiki.max_pages)
    if last is not None:
        log.warning(
            "%s: %d pages opt in with [[%s]], more than a pass takes (optin max_pages = %d): "
            "this pass takes %d of them, from [[%s]] to [[%s]]; the next pass goes on from there",
            wiki.site,
            len(found),
            wiki.template,
            wiki.max_pages,
            len(titles),
            titles[0],
            last,
        )
    names = spellings([template, *template.redirects()])
    return Discovered(titles, names, last)


def turn(titles: Iterable[str], after: str | None, size: int) -> tuple[tuple[str, ...], str | None]:
    """This pass's turn of the titles: all of them (as listed) when they fit in `size`, else
    `size` of them in title order, starting after `after` and wrapping round, with the last
    one taken. A title that opted in since is served in its place in the order, never skipped
    for good."""
    found = tuple(dict.fromkeys(titles))
    if len(found) <= size:
        return found, None
    ordered = sorted(found)
    start = next((i for i, title in enumerate(ordered) if after is None or title > after), 0)
    taken = tuple((ordered[start:] + ordered[:start])[:size])
    return taken, taken[-1]


def spellings(pages: Iterable[pywikibot.Page]) -> tuple[str, ...]:
    """Every way a call may name one of the pages: each name of its namespace (local,
    canonical, aliases), and no namespace at all for a page of the Template namespace."""
    names: list[str] = []
    for page in pages:
        title, namespace = page.title(with_ns=False), page.namespace()
        names += [f"{name}:{title}" for name in namespace if name]
        if namespace.id in (0, 10):
            names.append(title)
    return tuple(dict.fromkeys(names))


def candidates(
    targets: Iterable[Target],
    discovered: Discovered,
    texts: Mapping[str, str | None],
    wiki: OptInWiki,
) -> list[Candidate]:
    """The pass's pages on the wiki: the operator's targets first (one that also opts in says
    so on its status section), then each page that opts in, with its own settings or with
    why it cannot have them. `texts` holds each page's wikitext (None: it could not be read;
    its run then says why)."""
    own = list(targets)
    configured = {key(t.title) for t in own}
    opted = {key(title) for title in discovered.titles}
    found = [replace(t, note=IN_THE_FILE) if key(t.title) in opted else t for t in own]
    out = [Candidate(t) for t in found]
    for title in discovered.titles:
        if key(title) not in configured:
            out.append(_candidate(title, texts.get(title), discovered.names, wiki))
    return out


def _candidate(title: str, text: str | None, names: tuple[str, ...], wiki: OptInWiki) -> Candidate:
    base = replace(wiki.page, title=title, edit_cap=wiki.max_edits_per_day)
    if text is None:
        return Candidate(base)  # the page's run says what is wrong with it
    try:
        optin = read_optin(text, names, wiki.page.settings)
        problem = (
            archive_problem(title, optin.archive, wiki.archive_prefixes)
            if optin.archive is not None
            else None
        )
        if problem is not None:
            raise Refusal(f"archive: {problem}", optin.line)
    except Refusal as refusal:
        return Candidate(base, Refusal(f"configuration: {refusal.reason}", refusal.line))
    target = replace(
        base,
        settings=optin.settings,
        mode=optin.mode,
        translations=optin.translations,
        archive=optin.archive,
        archive_prefixes=wiki.archive_prefixes,
    )
    return Candidate(target)
