"""Renders the text the bot writes through the operator's Jinja2 templates.

Templates carry the wording, the bot carries the structure (list prefix, translate tags, unit
markers), so an operator can reword an entry without being able to break the page's translation.
"""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from bot.core.dates import english
from bot.core.dates.resolve import Session
from bot.core.dates.vocabulary import MONTH_NAMES
from bot.core.page.model import DatedSlot
from bot.core.wikitext import liveness
from bot.core.wikitext.escape import escape_wikitext
from bot.errors import Refusal

if TYPE_CHECKING:
    import jinja2

LOG_ENTRY = "log_entry.wikitext.j2"
PLACEHOLDER = "upcoming_empty.wikitext.j2"
ARCHIVE_HEADER = "archive_header.wikitext.j2"


@cache
def template_environment(templates_dir: Path | None) -> "jinja2.Environment":
    """Templates from the operator's folder first, then the package's own. Jinja2 is imported
    here, not when the bot starts: a run with nothing to write never needs it."""
    import jinja2

    folders = [templates_dir] if templates_dir is not None else []
    environment = jinja2.Environment(
        loader=jinja2.ChoiceLoader(
            [jinja2.FileSystemLoader(folders), jinja2.PackageLoader("bot", "templates")]
        ),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        # A value a template forgets to filter is escaped all the same.
        finalize=lambda value: value if isinstance(value, Markup) else escape_wikitext(value),
    )
    environment.filters["wikitext"] = escape_wikitext
    # For the operators' templates of earlier versions: English, whatever the machine's locale.
    environment.globals["month_name"] = lambda month: MONTH_NAMES[month - 1]
    return environment


@dataclass(frozen=True)
class Renderer:
    #: The operator's folder, searched first; the package's own templates fill in the rest.
    templates_dir: Path | None = None

    @property
    def _environment(self) -> "jinja2.Environment":
        return template_environment(self.templates_dir)

    def render(self, name: str, **values: object) -> str:
        """One line of wikitext; refuses a template that renders markup the bot must own."""
        import jinja2

        try:
            text = self._environment.get_template(name).render(**values).strip()
        except jinja2.TemplateError as error:
            raise Refusal(f"template {name}: {error}") from None
        if not text or re.search(r"[\r\n]|</?translate|<!--T:|^=", text):
            raise Refusal(
                f"template {name} must render one line of text without "
                f"headings or translate markup, got {text!r}"
            )
        return text

    def has(self, name: str) -> bool:
        """Whether the operator's folder or the package has the template (a language's own)."""
        import jinja2

        try:
            self._environment.get_template(name)
        except jinja2.TemplateNotFound:
            return False
        return True

    def log_entry(self, dated: DatedSlot, style: english.Style = english.DEFAULT) -> str:
        words = dated.words
        assert words is not None, "only a slot that moves is written to the log"
        return self.render(
            LOG_ENTRY,
            when=Markup(english.sessions(dated.sessions, style)),
            start=dated.start,
            end=dated.sessions[0].end,
            has_time=dated.has_time,
            has_end=dated.has_end,
            sessions=dated.sessions,
            topic=dated.block.title or "",
            # The editor's own wikitext, whole pieces of the page: safe, never escaped.
            own_text=Markup(words.own_text),
            notes=tuple(Markup(note) for note in words.notes),
            status=dated.slot.not_held or "",
        )

    @cached_property
    def own_markup(self) -> tuple[str, ...]:
        """The live markup the log entry template writes itself, whatever the slot says: what
        the safety net lets an entry hold beyond the slot's own."""
        sample = datetime(2023, 6, 26, 12, tzinfo=UTC)
        session = Session(sample, sample + timedelta(hours=1), True, True)
        text = self.render(
            LOG_ENTRY,
            when=Markup(english.session(session)),
            start=sample,
            end=session.end,
            has_time=True,
            has_end=True,
            sessions=(session,),
            topic="Topic",
            own_text=Markup("words"),
            notes=(Markup("words"),),
            status="",
        )
        return tuple(liveness.live_markup(text).elements())

    @cached_property
    def placeholder_markup(self) -> tuple[str, ...]:
        return tuple(liveness.live_markup(self.placeholder()).elements())

    def placeholder(self) -> str:
        return self.render(PLACEHOLDER)

    def archive_header(self, page: str, log: str) -> str:
        """The text an archive page starts with: several lines, the log's heading among them
        (the archive's reading refuses a header without it). Values are escaped as always."""
        import jinja2

        try:
            template = self._environment.get_template(ARCHIVE_HEADER)
            return template.render(page=page, log=log).strip() + "\n"
        except jinja2.TemplateError as error:
            raise Refusal(f"template {ARCHIVE_HEADER}: {error}") from None

    def check(self) -> None:
        """Renders every template once with sample values; refuses one that would break a page."""
        sample = datetime(2023, 6, 26, 12, tzinfo=UTC)
        times = (
            Session(sample, sample + timedelta(hours=1), True, True),
            Session(sample + timedelta(days=4), sample + timedelta(days=5), False, False),
        )
        self.render(
            LOG_ENTRY,
            when=Markup(english.sessions(times)),
            start=sample,
            end=sample + timedelta(hours=1),
            has_time=True,
            has_end=True,
            sessions=times,
            topic="Sample topic",
            own_text=Markup("Speaker: [[User:Example|Example]]"),
            notes=(Markup("[https://example.org/recording Recording]"),),
            status="cancelled",
        )
        self.placeholder()
        self.archive_header("Sample page", "Past sessions")
