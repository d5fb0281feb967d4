"""The bot's status page: what editors cannot read in Toolforge's logs, written on the wiki.

Pure: outcomes in, wikitext out. One section per page the bot keeps, rendered through the
`status_section.wikitext.j2` template, and a comparison that tells whether the page needs an
edit at all: a pass that only has a newer timestamp to report makes none.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bot.core.change.render import template_environment
from bot.core.wikitext.sections import headings, plain_title

SECTION = "status_section.wikitext.j2"
INTRO = (
    "This page is written by the bot after its passes, and only when something below changes; "
    "edits to it are overwritten. Lines the bot left alone are listed with the reason: fix "
    "them on the page and the next pass picks them up."
)
#: How the page shows moments; the comparison ignores them (see `needs_edit`).
TIMESTAMP = "%Y-%m-%d %H:%M UTC"
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
_LINE = re.compile(r"^line (\d+): (.*)$", re.DOTALL)


@dataclass(frozen=True)
class LeftLine:
    """A line the bot left alone, with why, and the title of the section it stands in.

    The page shows the line's text, not its number: numbers shift with every edit above the
    line, and the status page would change (and be edited) for nothing."""

    number: int | None
    reason: str
    section: str | None
    excerpt: str | None = None


@dataclass(frozen=True)
class PageStatus:
    site: str
    title: str
    outcome: str
    last_pass: datetime
    #: The bot's last edit of the page and what it moved: news that stays until the next edit,
    #: so that a quiet pass after an edit changes nothing here.
    last_edit: datetime | None = None
    moved: tuple[str, ...] = ()
    left: tuple[LeftLine, ...] = ()
    #: Translation work waiting for a translation administrator; the translation flow will
    #: fill it, empty (rendered "none") until then.
    pending: tuple[str, ...] = ()
    problem: str | None = None
    #: Said first: why the page has the settings it has (the operator's file over its template).
    note: str | None = None
    #: In preview mode: the lines that would move, as a reader sees them, where they would go
    #: and the summary the edit would have.
    preview: tuple[str, ...] = ()
    preview_to: str | None = None
    #: In preview mode on a page with an archive: the archive pages they would go to instead.
    preview_pages: tuple[str, ...] = ()
    summary: str | None = None


def left_lines(text: str | None, warnings: Iterable[str]) -> tuple[LeftLine, ...]:
    """The warnings of a run as lines left, each with the section it is in, so that an editor
    can jump there. Warnings read "line N: reason" and count lines of `text`."""
    found = headings(text) if text else []
    lines = text.split("\n") if text else []
    left = []
    for warning in warnings:
        match = _LINE.match(warning)
        if not match:
            left.append(LeftLine(None, warning, None))
            continue
        number = int(match[1])
        above = [h for h in found if h.line <= number]
        section = above[-1].title if above else None
        left.append(LeftLine(number, match[2], section, _excerpt(lines, number)))
    return tuple(left)


def excerpts(text: str, numbers: Iterable[int]) -> tuple[str, ...]:
    """The lines of `text` at `numbers`, each as a reader sees it and shortened."""
    lines = text.split("\n")
    return tuple(e for n in numbers if (e := _excerpt(lines, n)) is not None)


def _excerpt(lines: list[str], number: int, width: int = 60) -> str | None:
    if not 1 <= number <= len(lines):
        return None
    text = plain_title(lines[number - 1].lstrip("*#:; "))  # as a reader sees the line
    return text if len(text) <= width else text[: width - 1] + "…"


def render_section(status: PageStatus, templates_dir: Path | None = None) -> str:
    values = {
        "title": status.title,
        "site": status.site,
        "last_pass": status.last_pass.strftime(TIMESTAMP),
        "outcome": status.outcome,
        "last_edit": status.last_edit.strftime(TIMESTAMP) if status.last_edit else None,
        "moved": list(status.moved),
        "left": list(status.left),
        "pending": list(status.pending),
        "problem": status.problem,
        "note": status.note,
        "preview": list(status.preview),
        "preview_to": status.preview_to,
        "preview_pages": list(status.preview_pages),
        "summary": status.summary,
    }
    return template_environment(templates_dir).get_template(SECTION).render(**values).strip() + "\n"


def page_text(sections: Iterable[str]) -> str:
    """The whole status page: a word on what it is, then the sections in the targets' order."""
    return "\n".join([INTRO + "\n", *sections])


def needs_edit(old: str | None, new: str) -> bool:
    """Whether the page says something new: moments aside, since a pass that only has a later
    timestamp to report is not worth an edit (nor a line in every watcher's watchlist)."""
    return old is None or _TIMESTAMP.sub("", old).strip() != _TIMESTAMP.sub("", new).strip()
