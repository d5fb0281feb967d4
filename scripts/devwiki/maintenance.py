"""MediaWiki's maintenance scripts, run against one wiki: core's by name, the package's own
(php/) by path. Each call boots MediaWiki once, which costs about a second: callers do as much
as they can in one call."""

from __future__ import annotations

import os
from pathlib import Path

from .config import MW_DIR, PHP_DIR
from .util import DevWikiError, run


def php_env(state: Path) -> dict[str, str]:
    """The environment that points MediaWiki at this wiki's settings.

    $IP has no LocalSettings.php; MediaWiki reads MW_CONFIG_FILE from the environment instead,
    both in maintenance scripts and in the built-in web server, so one $IP serves any number of
    wikis and no router script is needed.
    """
    return dict(os.environ, MW_CONFIG_FILE=str(state / "LocalSettings.php"))


def own_script(name: str) -> str:
    """The path of one of the package's maintenance classes, as run.php takes it."""
    return str(PHP_DIR / f"{name}.php")


def maintenance(state: Path, script: str, *args: str) -> str:
    """Run a MediaWiki maintenance script against this wiki and return its output."""
    command = ["php", str(MW_DIR / "maintenance" / "run.php"), script, *args]
    try:
        return run(command, cwd=MW_DIR, env=php_env(state))
    except DevWikiError as error:
        raise DevWikiError(f"{Path(script).stem}: {error}") from None
