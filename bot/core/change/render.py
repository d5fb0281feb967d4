"""Renders the text the bot writes through the operator's Jinja2 templates.

Templates carry the wording, the bot carries the structure (list prefix, translate tags, unit
markers), so an operator can reword an entry without being able to break the page's translation.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from bot.core.page.model import Session, When
from bot.core.wikitext.escape import escape_wikitext
from bot.errors import Refusal

if TYPE_CHECKING:
    import jinja2

LOG_ENTRY = "log_entry.wikitext.j2"
PLACEHOLDER = "upcoming_empty.wikitext.j2"


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
    return environment


@dataclass(frozen=True)
class Renderer:
    #: The operator's folder, searched first; the package's own templates fill in the rest.
    templates_dir: Path | None = None

    @cached_property
    def _environment(self) -> "jinja2.Environment":
        environment = template_environment(self.templates_dir)
        environment.globals["month_name"] = lambda month: calendar.month_name[month]
        return environment

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

    def log_entry(self, session: Session) -> str:
        slot = session.slot
        return self.render(
            LOG_ENTRY,
            start=session.start,
            end=session.times[0].end,
            has_time=session.has_time,
            has_end=session.has_end,
            sessions=session.times,
            topic=session.block.title or "",
            # The editor's own wikitext, verbatim from the page: safe, never escaped.
            own_text=Markup(slot.own_text),
            notes=tuple(Markup(note) for note in slot.notes),
            status=slot.status or "",
        )

    def placeholder(self) -> str:
        return self.render(PLACEHOLDER)

    def check(self) -> None:
        """Renders every template once with sample values; refuses one that would break a page."""
        sample = datetime(2023, 6, 26, 12, tzinfo=UTC)
        times = (
            When(sample, sample + timedelta(hours=1), True, True),
            When(sample + timedelta(days=4), sample + timedelta(days=5), False, False),
        )
        self.render(
            LOG_ENTRY,
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
