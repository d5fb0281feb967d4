"""A page whose log is kept on archive pages (issue 19): the page's on-wiki configuration names
a subpage, such as `/Archive/%(year)d`, whose log receives the entries instead of the page's.
Only subpages of the page itself, as archivebot allows, unless the operator allows more: a page
under one of the title prefixes of the wiki's opt-in table (`archive_prefixes`), such as
`Project:Archives/`, which every function here takes as `allowed`.

Two pure steps with the wiki read between them, so the core never does I/O:

1. `archive_titles(title, pattern, run)`: the archive pages the run's moved sessions go to, one
   per year when the pattern names the year;
2. `run_archived(run, title, pattern, archives, header, settings)`: with each of those pages'
   text as read (None when it does not exist yet), the page's edit, whose sessions leave
   "Upcoming" as in any run while its own log stays as it is, and each archive's edit, whose
   log gets the entries as the log writer writes a page's own.

The shell saves every archive first and the page last: when the page's save fails, the next
run moves the same sessions again and finds them in the archive (`logged_already`), so an entry
is never lost and never written twice.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC

from bot.core.change import edit, safety
from bot.core.change.render import Renderer
from bot.core.page.model import DatedSlot
from bot.core.page.reader import read_log_page
from bot.core.pipeline import Run
from bot.core.report.result import Result, archive_summary
from bot.core.settings import Settings
from bot.core.wikitext.titles import normal
from bot.errors import Refusal

#: The one key a pattern may hold: the year a session started, in UTC.
YEAR = "%(year)d"
#: What MediaWiki never allows in a title; each would make the archive's name something else
#: (a section link, a template, a tag).
_NOT_IN_TITLES = "#<>[]|{}\n"


def archive_problem(title: str, pattern: str, allowed: tuple[str, ...] = ()) -> str | None:
    """What is wrong with the page's `archive` parameter, in words for the editor who wrote it;
    None when it names subpages of `title` the bot can write to, or pages whose titles start
    with one of the prefixes the operator `allowed` (each ending in a slash). The template
    reader asks before the pattern is used, so an editor's typo becomes a message, never a
    title."""
    written = pattern.strip()
    example = f"/Archive/{YEAR} or {title}/Archive/{YEAR}"
    if not written:
        return f"the archive parameter is empty: name a subpage of this page, such as {example}"
    unknown = _unknown_key(written)
    if unknown is not None:
        return (
            f"the archive parameter may hold {YEAR} (the year of each session) and nothing "
            f"else starting with %, but it holds {unknown}"
        )
    odd = sorted(set(written) & set(_NOT_IN_TITLES))
    if odd:
        listed = " ".join(c if c != "\n" else "a line break" for c in odd)
        return f"the archive parameter holds {listed}, which a page title cannot hold"
    place = _place(title, written, allowed)
    if place is None or not place[1].strip("/ "):
        elsewhere = (
            f", or a page whose title starts with {' or '.join(normal(p) for p in allowed)}"
            if allowed
            else ""
        )
        return (
            f"the archive must be a subpage of this page, such as {example}{elsewhere}; "
            f"{written!r} is not"
        )
    if any(part.strip() in (".", "..") for part in place[1].split("/")):
        return "the archive parameter holds . or .. between slashes, which a page title cannot"
    return None


def prefix_problem(prefix: str) -> str | None:
    """What is wrong with a prefix an operator allows archives under (`Project:Archives/`), or
    None. It ends in a slash, so that it names the pages under one page and no page whose name
    merely starts the same (`Project:Archives2`)."""
    written = prefix.strip()
    if written.startswith("/") or not written.strip("/ "):
        return f"{prefix!r} is not a full title ending in /, such as 'Project:Archives/'"
    if not written.endswith("/"):
        return f"{prefix!r} does not end in / (it names the pages under one page)"
    odd = sorted(set(written) & set(_NOT_IN_TITLES + "%"))
    if odd:
        listed = " ".join(c if c != "\n" else "a line break" for c in odd)
        return f"{prefix!r} holds {listed}, which an archive's title cannot hold"
    if any(part.strip() in (".", "..") for part in written.split("/")):
        return f"{prefix!r} holds . or .. between slashes, which a page title cannot"
    return None


def archive_title(title: str, pattern: str, year: int, allowed: tuple[str, ...] = ()) -> str:
    """The archive page a session of `year` goes to."""
    place = _place(title, pattern.strip(), allowed)
    assert place is not None, "archive_problem says no first"
    head, rest = place
    return f"{head}{rest}".replace(YEAR, str(year))


def _unknown_key(pattern: str) -> str | None:
    """The first %-key of a pattern that is not the year (`%(month)d`, `%s`, a lone `%`)."""
    rest = pattern.replace(YEAR, "")
    at = rest.find("%")
    if at == -1:
        return None
    close = rest.find(")", at)
    if rest.startswith("(", at + 1) and close != -1:
        return rest[at : close + 2].strip()
    return rest[at : at + 2].strip()


def _subpage(title: str, pattern: str) -> str | None:
    """The part of a pattern after the page's own title and its slash: all of a pattern that
    starts with a slash, the rest of one written as a full title; None for another page."""
    written = normal(pattern)
    if written.startswith("/"):
        return written[1:]
    own = normal(title) + "/"
    return written[len(own) :] if written.startswith(own) else None


def _place(title: str, pattern: str, allowed: tuple[str, ...]) -> tuple[str, str] | None:
    """Where a pattern puts the archive: the title it starts with, as the bot writes it (the
    page's own and a slash, or an allowed prefix as the operator spelled it), and the rest;
    None for a page that is neither a subpage nor under a prefix. The first letter's case
    does not count (the namespace's, or the title's on most wikis), but the title written is
    always the page's or the operator's, so a difference of case never leaves them. A prefix
    `prefix_problem` refuses (one without its slash would take `Archives2` for `Archives`)
    admits nothing, whoever passed it."""
    subpage = _subpage(title, pattern)
    if subpage is not None:
        return f"{normal(title)}/", subpage
    written = normal(pattern)
    for prefix in (normal(p) for p in allowed if prefix_problem(p) is None):
        same_first = written[:1].upper() == prefix[:1].upper()
        if same_first and written[1:].startswith(prefix[1:]):
            return prefix, written[len(prefix) :]
    return None


# --- step 1: which archive pages to read ------------------------------------------------------


def archive_titles(
    title: str, pattern: str, run: Run, allowed: tuple[str, ...] = ()
) -> tuple[str, ...]:
    """The archive pages the run's moved sessions go to, by the year each started (UTC), in
    the order of their years; none when nothing moves. Refuses what no archive can serve.
    `allowed`: the prefixes the operator allows archives under besides the page's subpages."""
    _refuse_unserved(title, pattern, run, allowed)
    return tuple(sorted({archive_title(title, pattern, _year(d), allowed) for d in run.plan.moves}))


def _refuse_unserved(title: str, pattern: str, run: Run, allowed: tuple[str, ...]) -> None:
    """A pattern the editor must fix, and a translatable page. On a translatable page each log
    entry is a translation unit, and each translation's log is made of those units: an entry
    moved to an archive page (no translation of the page, and untranslated itself) would
    vanish from every translation with the translators' work on it. The refusal comes with
    every run, not only with one that moves something, so it is seen before a session is over."""
    problem = archive_problem(title, pattern, allowed)
    if problem is not None:
        raise Refusal(problem)
    if run.page.uses_translate:
        raise Refusal(
            "an archive is not supported on a translatable page: its translations would lose "
            "their log entries"
        )


def _year(dated: DatedSlot) -> int:
    return dated.start.astimezone(UTC).year


# --- step 2: the edits ------------------------------------------------------------------------


@dataclass(frozen=True)
class ArchiveEdit:
    """One archive page's edit: its text as read (None when the page does not exist yet: the
    bot creates it from the header) and as the bot would save it."""

    title: str
    old: str | None
    text: str
    #: The sessions it receives: an entry each, but for those its log has already.
    moves: tuple[DatedSlot, ...]
    #: Of those, the ones that got an entry.
    written: tuple[DatedSlot, ...]
    summary: str

    @property
    def changed(self) -> bool:
        """Whether there is anything to save: an entry written (a new page with none to write
        is not created)."""
        return bool(self.written)

    @property
    def logged_already(self) -> tuple[str, ...]:
        """The slots (their line) whose session the archive's log had already."""
        written = {d.slot.line.number for d in self.written}
        return tuple(d.slot.line.text for d in self.moves if d.slot.line.number not in written)


@dataclass(frozen=True)
class ArchivedRun:
    """A run of a page with an archive: the page's own run (its edit leaves its log as it is,
    its result names the archives) and each archive page's edit, in the order to save them,
    all before the page."""

    run: Run
    archives: tuple[ArchiveEdit, ...]


def run_archived(
    run: Run,
    title: str,
    pattern: str,
    archives: Mapping[str, str | None],
    header: str,
    settings: Settings,
    allowed: tuple[str, ...] = (),
) -> ArchivedRun:
    """The page's edit and its archives' from `run` (the page's run as `pipeline.run` made it:
    only its page and plan are used, its own edit is set aside) and from each archive page's
    text as read (`archives`: every title `archive_titles` gave; None for a page that does not
    exist yet, which starts from `header`; `allowed` as for `archive_titles`). Refuses, and
    returns nothing, when a page is not understood or a change fails the safety net."""
    titles = archive_titles(title, pattern, run, allowed)
    if not titles:
        return ArchivedRun(run, ())
    missing = [name for name in titles if name not in archives]
    if missing:
        raise ValueError(f"archive pages not read: {', '.join(missing)}")
    renderer = Renderer(settings.templates_dir)
    change = edit.build_archived(run.page, run.plan, renderer)
    safety.verify(run.page, run.plan, change)
    destined = {name: _moves_to(name, title, pattern, run, allowed) for name in titles}
    safety.verify_archived(run.plan, change, destined.values())
    edits = tuple(
        _archive_edit(name, archives[name], header, destined[name], title, settings, renderer)
        for name in titles
    )
    written = {d.slot.line.number for e in edits for d in e.written}
    result = Result(
        change.text,
        moves=run.plan.moves,
        dropped_paragraphs=change.dropped_paragraphs,
        warnings=run.result.warnings,
        moved_units=change.moved_units,
        changed_units=change.changed_units,
        dropped_units=change.dropped_units,
        placeholder=change.placeholder,
        logged_already=tuple(
            d.slot.line.text for d in run.plan.moves if d.slot.line.number not in written
        ),
        archives=titles,
    )
    # No unit moves into a log: a page with an archive is never translatable.
    return ArchivedRun(Run(run.page, run.plan, change, result, ()), edits)


def _moves_to(
    name: str, title: str, pattern: str, run: Run, allowed: tuple[str, ...]
) -> tuple[DatedSlot, ...]:
    return tuple(
        d for d in run.plan.moves if archive_title(title, pattern, _year(d), allowed) == name
    )


def _archive_edit(
    name: str,
    old: str | None,
    header: str,
    moves: tuple[DatedSlot, ...],
    source: str,
    settings: Settings,
    renderer: Renderer,
) -> ArchiveEdit:
    """One archive page's edit, checked by the safety net. A refusal names the page, since it
    is not the one the editor configured the bot on, and says when the header is at fault (a
    new page starts from it, so it too must have the log): the bot never guesses where the
    entries go."""
    try:
        archive = read_log_page(header if old is None else old, settings)
        change = edit.build_log(archive, moves, renderer)
        safety.verify_log(archive, moves, change)
    except Refusal as refusal:
        which = f"archive page [[{name}]]" + (", created from the header" if old is None else "")
        raise Refusal(f"{which}: {refusal.reason}", refusal.line) from None
    written = tuple(d for d in moves if d.slot.line.number not in change.already)
    return ArchiveEdit(name, old, change.text, moves, written, archive_summary(written, source))
