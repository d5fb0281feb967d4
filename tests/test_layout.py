"""The package's layout rule: the core is pure, so it can be trusted and tested offline."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parent.parent / "bot" / "core"
#: What the core must never import: the I/O layers and the libraries that do I/O for them.
FORBIDDEN = ("bot.wiki", "bot.ops", "bot.cli", "pywikibot", "apscheduler", "requests")


def imported_modules(path: Path) -> list[str]:
    modules = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.append(node.module)
            modules.extend(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def forbidden_imports(path: Path) -> list[str]:
    return [
        module
        for module in imported_modules(path)
        if any(module == f or module.startswith(f"{f}.") for f in FORBIDDEN)
    ]


def test_nothing_in_the_core_imports_an_io_layer():
    found = {
        str(path.relative_to(CORE)): bad
        for path in sorted(CORE.rglob("*.py"))
        if (bad := forbidden_imports(path))
    }
    assert found == {}


def test_the_rule_sees_a_forbidden_import(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom bot import wiki\nfrom pywikibot import Page\n")
    assert forbidden_imports(sample) == ["bot.wiki", "pywikibot", "pywikibot.Page"]
