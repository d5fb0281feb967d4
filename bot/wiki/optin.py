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
from bot.core.optin import key, read_optin
from bot.errors import Refusal
from bot.ops.config import OptInWiki, Target
from bot.wiki.client import answer_shape

log = logging.getLogger("conversation-hours-bot")

#: What the status section of a page both in the operator's file and opted in says first.
IN_THE_FILE = (
    "this page is also configured in the operator's file, whose settings apply; its own "
    "configuration template is not read"
)


@dataclass(frozen=True)
class Discovered:
    """What opt-in found on one wiki."""

    titles: tuple[str, ...]  # the pages that transclude the template, at most max_pages
    #: The template's title and its redirects', in each of their namespace's spellings.
    names: tuple[str, ...]
    more: bool  # whether more pages opted in than the pass takes


@dataclass(frozen=True)
class Candidate:
    """A page of the pass: its target and, when its configuration is wrong, why."""

    target: Target
    refusal: Refusal | None = None


@answer_shape("finding the pages that opt in")
def discover(site: pywikibot.site.BaseSite, wiki: OptInWiki) -> Discovered:
    template = pywikibot.Page(site, wiki.template)
    found = [
        page.title()
        for page in site.page_embeddedin(
            template, namespaces=list(wiki.namespaces), total=wiki.max_pages + 1
        )
    ]
    more = len(found) > wiki.max_pages
    if more:
        log.warning(
            "%s: more than %d pages opt in with [[%s]]; this pass takes the first %d "
            "(optin max_pages)",
            wiki.site,
            wiki.max_pages,
            wiki.template,
            wiki.max_pages,
        )
    names = spellings([template, *template.redirects()])
    return Discovered(tuple(found[: wiki.max_pages]), names, more)


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
