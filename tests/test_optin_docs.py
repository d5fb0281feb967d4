"""The opt-in template's pages for the wiki (templates/on-wiki/) against the code that reads the
template (bot/core/optin.py) and the pass that acts on it (bot/wiki/optin.py). The TemplateData
lists exactly the parameters the bot knows, with the code's defaults. Every example page in the
doc is read without a refusal and moves its sessions without a warning. Every common mistake the
doc quotes, when tried, gives the status page's line the doc says, and so do the other lines it
quotes. Whichever side changes, these tests fail until the other one follows.
"""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.core import optin
from bot.core.optin import read_optin
from bot.core.pipeline import transform
from bot.errors import Refusal, WikiError
from bot.ops import state
from bot.ops.config import OptInWiki, Target
from bot.wiki import client
from bot.wiki import optin as wiki_optin
from bot.wiki.runner import _PageWiki

ON_WIKI = Path(__file__).resolve().parent.parent / "templates" / "on-wiki"
DOC = (ON_WIKI / "config-doc.wikitext").read_text(encoding="utf-8")
TEMPLATE_PAGE = (ON_WIKI / "config.wikitext").read_text(encoding="utf-8")
TEMPLATEDATA = json.loads((ON_WIKI / "templatedata.json").read_text(encoding="utf-8"))
PARAMS = TEMPLATEDATA["params"]
#: The title the files are written with; the operator replaces it with `optin_template`.
TEMPLATE = "User:ConversationBot/config"
OPENER = "{{" + TEMPLATE + "\n"
#: Long after every session in the examples.
LATER = datetime(2030, 1, 1, tzinfo=UTC)
#: A wiki where pages opt in, with the operator's defaults.
WIKI = OptInWiki(TEMPLATE, Target(site="devwiki:en", title=""))


def section(title: str) -> str:
    """The text of the doc's level-2 section `title`, up to the next one."""
    match = re.search(rf"^== {re.escape(title)} ==\n(.*?)(?=^== |\Z)", DOC, re.M | re.S)
    assert match, f"the doc has no section {title!r}"
    return match[1]


def table_rows(text: str) -> list[list[str]]:
    """The cells of each row of the first wikitable in `text` (the header row left out), each
    cell written on a line of its own that starts with `|`."""
    table = text[text.index("{|") : text.index("\n|}")]
    rows = []
    for chunk in table.split("\n|-")[1:]:
        cells = [line[1:].strip() for line in chunk.split("\n") if line.startswith("|")]
        if cells and not chunk.lstrip().startswith("!"):
            rows.append(cells)
    return rows


def examples() -> list[str]:
    """The example pages: each `<pre>` block of the doc that holds a call, as an editor
    copies it."""
    blocks = re.findall(r"<pre>\n(.*?)</pre>", DOC, re.S)
    return [html.unescape(block) for block in blocks if OPENER in block]


def call_span(page: str) -> tuple[int, int]:
    """Where the call's parameter lines start and end."""
    start = page.index(OPENER) + len(OPENER)
    return start, page.index("}}\n", start)


def parameters(page: str) -> list[str]:
    start, end = call_span(page)
    return page[start:end].splitlines()


def with_parameters(page: str, lines: list[str]) -> str:
    start, end = call_span(page)
    return page[:start] + "".join(f"{line}\n" for line in lines) + page[end:]


def name_of(line: str) -> str | None:
    match = re.match(r"\|\s*([^=|]+?)\s*=", line)
    return match[1].casefold() if match else None


def minimal(page: str) -> str:
    """The example page with only the required parameters in its call."""
    return with_parameters(page, [p for p in parameters(page) if name_of(p) in ("upcoming", "log")])


def tried(line: str, page: str | None = None) -> str:
    """The first example page, reduced to its required parameters, with `line` in its call:
    in place of the parameter it names, or added."""
    page = minimal(page or examples()[0])
    lines = parameters(page)
    name = name_of(line)
    if name in [name_of(p) for p in lines]:
        return with_parameters(page, [line if name_of(p) == name else p for p in lines])
    return with_parameters(page, [*lines, line])


def refusal(page: str) -> Refusal:
    with pytest.raises(Refusal) as caught:
        read_optin(page, [TEMPLATE])
    return caught.value


def says(quoted: str, reason: str) -> bool:
    """Whether the reason is the quoted message; an ellipsis in the quote stands for words that
    depend on the page (line numbers), one at its end for the rest of the message."""
    pattern = ".*?".join(re.escape(piece) for piece in quoted.split("…"))
    return re.fullmatch(pattern, reason, re.S) is not None


def code(cell: str) -> str:
    match = re.search(r"<code>(.*?)</code>", cell)
    assert match, f"no <code> in {cell!r}"
    return html.unescape(match[1])


def range_of(name: str) -> str:
    """The code's range of a length, as its refusal says it: "from 0m to 30d"."""
    message = refusal(tried(f"| {name} = 999999d")).reason
    assert message.startswith(f"{name}: must be from "), message
    return message.removeprefix(f"{name}: must be ")


def values_of(name: str) -> list[str]:
    """The values the code accepts for a choice, as its refusal lists them."""
    message = refusal(tried(f"| {name} = -")).reason
    match = re.fullmatch(rf"{name}: write (.+), not '-'", message)
    assert match, message
    return match[1].split(" or ")


# --- the template page and the TemplateData ---------------------------------------------------


def test_the_template_shows_nothing_where_it_is_used_and_its_doc_on_its_own_page():
    included = re.sub(r"<noinclude>.*?</noinclude>", "", TEMPLATE_PAGE, flags=re.S)
    assert included.strip() == ""
    assert "{{/doc}}" in "".join(re.findall(r"<noinclude>(.*?)</noinclude>", TEMPLATE_PAGE, re.S))


def test_the_doc_holds_the_same_templatedata_as_the_file():
    blocks = re.findall(r"<templatedata>(.*?)</templatedata>", DOC, re.S)
    assert len(blocks) == 1
    assert json.loads(blocks[0]) == TEMPLATEDATA
    # On a wiki without the TemplateData extension the block is plain text: nothing may expand.
    assert not re.search(r"\{\{|\}\}|\[\[|\]\]", blocks[0])


def test_the_templatedata_names_exactly_the_parameters_the_bot_knows():
    assert set(PARAMS) == set(optin.KNOWN)
    order = TEMPLATEDATA["paramOrder"]
    assert sorted(order) == sorted(optin.KNOWN) and len(order) == len(set(order))
    for name, param in PARAMS.items():
        assert param.get("label") and param.get("description") and param.get("type"), name


def test_upcoming_and_log_are_required_and_nothing_else_is():
    assert {name for name, param in PARAMS.items() if param.get("required")} == {"upcoming", "log"}
    for name in ("upcoming", "log"):
        assert refusal(tried(f"| {name} = ")).reason.startswith(f"{name}: missing")
    read_optin(minimal(examples()[0]), [TEMPLATE])  # nothing else is needed


def test_the_templatedata_defaults_are_the_codes():
    """Writing a parameter's documented default changes nothing, and every setting the page
    may leave out (save the archive, whose default is no subpage) has one documented."""
    assert {n for n, p in PARAMS.items() if "default" in p} == set(optin.OTHERS) - {"archive"}
    plain = read_optin(minimal(examples()[0]), [TEMPLATE])
    for name, param in PARAMS.items():
        if "default" in param:
            line = f"| {name} = {param['default']}"
            assert read_optin(tried(line), [TEMPLATE]) == plain, line


def test_the_templatedata_examples_and_suggested_values_are_accepted():
    for name, param in PARAMS.items():
        for value in [param["example"], *param.get("suggestedvalues", [])]:
            read_optin(tried(f"| {name} = {value}"), [TEMPLATE])
    for name in ("mode", "translations"):
        assert PARAMS[name]["suggestedvalues"] == values_of(name)
        assert PARAMS[name]["type"] != "boolean"  # an editor's tick would write 1 or 0


def test_the_templatedata_states_the_codes_ranges():
    for name in ("grace", "duration"):
        assert range_of(name) in PARAMS[name]["description"]


# --- the doc's parameter table ----------------------------------------------------------------


def documented() -> dict[str, list[str]]:
    """Each parameter the doc's table names (`upcoming2` … `upcoming9` standing for all eight),
    with its row."""
    found = {}
    for row in table_rows(section("Parameters")):
        names = re.findall(r"<code>([a-z]+)(\d?)</code>", row[0])
        if len(names) == 2 and "…" in row[0]:
            (stem, low), (_, high) = names
            found |= {f"{stem}{n}": row for n in range(int(low), int(high) + 1)}
        else:
            found |= {stem + digit: row for stem, digit in names}
    return found


def test_the_doc_table_names_exactly_the_parameters_with_the_templatedata_defaults():
    rows = documented()
    assert set(rows) == set(optin.KNOWN)
    for name, (_, _, default, _) in rows.items():
        if "default" in PARAMS[name]:
            assert f"<code>{PARAMS[name]['default']}</code>" in default, name
        assert ("required" in default) == bool(PARAMS[name].get("required")), name


def test_the_doc_table_states_the_codes_ranges_and_choices():
    rows = documented()
    for name in ("grace", "duration"):
        assert range_of(name) in rows[name][3]
    for name in ("mode", "translations"):
        assert [code(v) for v in re.findall(r"<code>.*?</code>", rows[name][3])] == values_of(name)


# --- the examples -----------------------------------------------------------------------------


def test_there_is_an_example_of_a_list_page_and_of_a_table_page():
    pages = examples()
    assert len(pages) >= 2
    assert any("\n* " in page for page in pages)
    assert any('{| class="wikitable"\n! Date' in page for page in pages)
    # A call outside an example would be a real call on the doc page, and on the template's.
    assert DOC.count(OPENER) == len(pages)


@pytest.mark.parametrize("page", examples(), ids=lambda page: page.split("\n")[1])
def test_each_example_is_read_without_refusal_and_moves_its_sessions(page):
    configured = read_optin(page, [TEMPLATE])
    result = transform(page, LATER, configured.settings)
    assert result.moves and not result.warnings, result.warnings


@pytest.mark.parametrize("page", examples(), ids=lambda page: page.split("\n")[1])
def test_each_example_call_is_in_the_block_format_its_templatedata_names(page):
    assert TEMPLATEDATA["format"] == "block"  # {{_\n| _ = _\n}}
    for line in parameters(page):
        assert re.fullmatch(r"\| [a-z0-9]+ = \S.*", line), line


# --- the common mistakes ----------------------------------------------------------------------


def status_line(page: str) -> Refusal:
    """What the status page says of the page after a pass (as `str` of it): the pass's own
    reading of the page."""
    title = "Office hours"
    found = wiki_optin.Discovered((title,), (TEMPLATE,))
    (candidate,) = wiki_optin.candidates([], found, {title: page}, WIKI)
    assert candidate.refusal is not None, "the page was read without a refusal"
    return candidate.refusal


def shown(message: str, page: str) -> bool:
    """Whether the status page's line for the page is the message with what the doc says stands
    before each: "line N: configuration: ", without the line when the refusal has none."""
    mistakes_text = section("Common mistakes")
    match = re.search(r"'''Not done''': line ''N'': ((?:[a-z]+: )*)followed by one", mistakes_text)
    assert match, "the doc no longer says what stands before each message"
    refused = status_line(page)
    if refused.line is None:
        assert "there is no line" in mistakes_text
        return says(match[1] + message, str(refused))
    line = f"line {refused.line}: "
    return str(refused).startswith(line) and says(match[1] + message, str(refused)[len(line) :])


def mistakes() -> list[tuple[str, str]]:
    """(what the editor wrote, the message the doc quotes), as the doc's table gives them."""
    return [(row[0], code(row[1])) for row in table_rows(section("Common mistakes"))]


def written(cell: str) -> str | None:
    """The parameter line a mistake quotes, or None when it says in words where the template
    stands."""
    match = re.search(r"<nowiki>(\|.*?)</nowiki>", cell)
    return html.unescape(match[1]).rstrip() if match else None


PARAMETER_MISTAKES = [(written(cell), message) for cell, message in mistakes() if written(cell)]


@pytest.mark.parametrize(
    ("line", "message"), PARAMETER_MISTAKES, ids=[line for line, _ in PARAMETER_MISTAKES]
)
def test_each_parameter_mistake_gives_the_message_the_doc_quotes(line, message):
    got = refusal(tried(line))
    assert says(message, got.reason), f"{line!r}: the doc says {message!r}, the bot {got.reason!r}"
    assert shown(message, tried(line)), f"the status page says {status_line(tried(line))}"


def placements() -> dict[str, str]:
    """Each way the doc says the template can stand wrongly, built on the first example."""
    page = minimal(examples()[0])
    end = call_span(page)[1] + len("}}\n")
    call, rest = page[:end], page[end:]
    upcoming = read_optin(page, [TEMPLATE]).settings.upcoming_headings[0]
    heading = f"== {upcoming} ==\n"
    return {
        "inside the section it names": rest.replace(heading, heading + call, 1),
        "written twice": page + "\n" + call,
        "inside another template": "{{Notice box|text=" + call + "}}\n" + rest,
        "through a header template": "{{Office hours header}}\n" + rest,
    }


def test_each_placement_mistake_gives_the_message_the_doc_quotes():
    quoted = [message for cell, message in mistakes() if not written(cell)]
    for case, page in placements().items():
        reason = refusal(page).reason
        matching = [message for message in quoted if says(message, reason)]
        assert len(matching) == 1, f"{case}: the bot says {reason!r}, the doc {quoted!r}"
        assert shown(matching[0], page), f"{case}: the status page says {status_line(page)}"
    # A placement the doc adds needs a way to try it here.
    assert len(quoted) == len(placements())


# --- the other lines the doc quotes -------------------------------------------------------------


def quoted_in(title: str, start: str) -> str:
    """The one `<code>` of a section of the doc that starts with `start`, as a reader sees it."""
    found = [
        html.unescape(re.sub(r"</?nowiki>", "", q))
        for q in re.findall(r"<code>(.*?)</code>", section(title))
    ]
    matching = [q for q in found if q.startswith(start)]
    assert len(matching) == 1, f"{title}: not one quote starting {start!r} in {found!r}"
    return matching[0]


def test_the_nobots_line_the_doc_quotes_is_the_bots():
    page = SimpleNamespace(
        exists=lambda: True, isRedirectPage=lambda: False, botMayEdit=lambda: False
    )
    with pytest.raises(WikiError) as caught:
        client._check_page(page, "Office hours")
    assert quoted_in("Stopping the bot", "the page excludes") == str(caught.value)


def test_the_daily_cap_line_the_doc_quotes_is_the_bots_at_the_default_cap():
    memory, cap = state.Memory(), OptInWiki.max_edits_per_day
    target = Target(site="devwiki:en", title="Office hours", edit_cap=cap)
    for hours in range(cap):
        memory.add_edit(state.key(target.site, target.title), LATER - timedelta(hours=hours))
    held = _PageWiki(None, target, LATER, memory).held_back()  # type: ignore[arg-type]
    assert quoted_in("How to use it", "held:") == held
