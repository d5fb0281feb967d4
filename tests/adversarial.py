"""Hostile pages: shapes that made earlier versions of the bot backtrack for minutes or crash.

Each is the reference page with one hostile run written into it by an editor: the bot must read
(or refuse) every one in time linear in its size. `scripts/bench` times each against a bare
mwparserfromhell parse of the same page; the tests run each under a generous hang guard.
"""

from tests.conftest import META

SLOT = "* <translate><!--T:24--> Monday, June 26 @ 12:00 UTC"
UPCOMING = "== Upcoming Conversation Hours == <!--T:22-->"


def _in_slot(run: str) -> str:
    """The run written at the end of the first timeslot's line."""
    line = next(line for line in META.split("\n") if line.startswith(SLOT))
    return META.replace(line, line + " " + run, 1)


def _before_upcoming(run: str) -> str:
    """The run written as a line of its own just before "Upcoming"."""
    return META.replace(UPCOMING, run + "\n\n" + UPCOMING, 1)


#: name -> page text.
PAGES: dict[str, str] = {
    "heading-with-26-comments": _before_upcoming("==a==" + "<!---->" * 26 + "x"),
    "nowiki-openers-35k": _in_slot("<nowiki" * 5_000),
    "unclosed-templates-40k": _in_slot("{{a|" * 10_000),
    "dashes-240k": _in_slot("-" * 240_000),
    "tag-openers-40k": _in_slot("<a" * 20_000),
    "equals-240k": _before_upcoming("=" * 240_000),
    "struck-spans-80k": _in_slot("<s>x</s>" * 10_000),
    "nested-braces-1000": _in_slot("{{" * 1_000 + "x" + "}}" * 1_000),
}
