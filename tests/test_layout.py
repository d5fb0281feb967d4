"""The package's layout rule: the core is pure, so it can be trusted and tested offline."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "bot" / "core"
#: What the core must never import: the I/O layers and the libraries that do I/O for them.
FORBIDDEN = ("bot.wiki", "bot.ops", "bot.cli", "pywikibot", "apscheduler", "requests")
#: The layers above the core, each with what it must not import: cli -> wiki -> ops -> core.
#: ops runs before pywikibot loads (configuration, credentials, state, the schedule), so it
#: never imports the wiki side; the wiki side never reaches up into the command line.
LAYERS = {
    "ops": ("bot.wiki", "bot.cli", "pywikibot", "requests"),
    "wiki": ("bot.cli",),
}


def imported_modules(path: Path) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.append(node.module)
            modules.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def forbidden_imports(path: Path, forbidden: tuple[str, ...] = FORBIDDEN) -> list[str]:
    return [
        module
        for module in imported_modules(path)
        if any(module == f or module.startswith(f"{f}.") for f in forbidden)
    ]


def test_nothing_in_the_core_imports_an_io_layer():
    found = {
        str(path.relative_to(CORE)): bad
        for path in sorted(CORE.rglob("*.py"))
        if (bad := forbidden_imports(path))
    }
    assert found == {}


@pytest.mark.parametrize(("layer", "forbidden"), LAYERS.items())
def test_each_layer_imports_only_the_layers_below_it(layer, forbidden):
    folder = ROOT / "bot" / layer
    found = {
        str(path.relative_to(folder)): bad
        for path in sorted(folder.rglob("*.py"))
        if (bad := forbidden_imports(path, forbidden))
    }
    assert found == {}


def test_the_rule_sees_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom bot import wiki\nfrom pywikibot import Page\n")
    assert forbidden_imports(sample) == ["bot.wiki", "pywikibot", "pywikibot.Page"]


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    script = f"{code}\nimport sys\nprint(' '.join(sorted(sys.modules)))"
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(run.stdout.split())


RUN_ON_THE_REFERENCE_PAGE = """
from bot.cli.main import main
main(["run", "--file", "tests/fixtures/meta-page.wikitext", "--now", "{now}", "--json"])
"""


def test_a_run_with_nothing_to_move_never_loads_jinja2_nor_the_wiki_layer():
    loaded = modules_after(RUN_ON_THE_REFERENCE_PAGE.format(now="2023-06-20T00:00:00Z"))
    assert not {"jinja2", "pywikibot", "apscheduler"} & loaded


def test_a_run_that_moves_loads_jinja2_to_write_the_entries():
    loaded = modules_after(RUN_ON_THE_REFERENCE_PAGE.format(now="2023-07-01T00:00:00Z"))
    assert "jinja2" in loaded


# --- one home for wikitext patterns -------------------------------------------------------------

#: What a regular expression for wikitext's own syntax holds: links, templates, tables, tags,
#: comments, bold quotes, list markers at a line's start.
WIKITEXT_SYNTAX = (r"\[\[", r"\{\{", r"\{\|", r"\|\}", r"\|-", "'''", "<!--", "^[*#", "^[;:")
#: The wikitext layer is the home of its own patterns (bot/core/wikitext/patterns.py, and the
#: scanners that read the structure with them); everything else imports them from there.
HOME = CORE / "wikitext"


def wikitext_patterns(path: Path) -> list[str]:
    """The patterns compiled in a module whose source spells wikitext syntax."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "compile"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
            and any(syntax in node.args[0].value for syntax in WIKITEXT_SYNTAX)
        ):
            found.append(node.args[0].value)
    return found


def test_wikitext_patterns_are_compiled_in_the_wikitext_layer_only():
    found = {
        str(path.relative_to(CORE)): patterns
        for path in sorted(CORE.rglob("*.py"))
        if HOME not in path.parents and (patterns := wikitext_patterns(path))
    }
    assert found == {}


def test_the_rule_sees_a_wikitext_pattern(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'import re\nLINK = re.compile(r"\\[\\[.*?\\]\\]")\nWORD = re.compile(r"\\w+")\n'
    )
    assert wikitext_patterns(sample) == [r"\[\[.*?\]\]"]
