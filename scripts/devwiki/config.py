"""Where everything lives and what the wiki is built from: paths, versions and names.

Paths derive from the repository this package sits in (scripts/devwiki/, two levels down),
except the vendored extensions: they stay outside the repository, in ../shared/vendor/ beside
it, where CI puts them next to its clone. A checkout elsewhere (a git worktree, say) names that
folder with DEV_WIKI_VENDOR.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The package's files: templates filled in per wiki, PHP run as it is.
TEMPLATES = PACKAGE_DIR / "templates"
PHP_DIR = PACKAGE_DIR / "php"

REPO_ROOT = PACKAGE_DIR.parent.parent
DEFAULT_STATE = REPO_ROOT / ".dev-wiki"

# MediaWiki itself, unpacked from Debian's packages. It outlives every wiki (`stop` keeps it):
# only its first start downloads anything.
DIST_DIR = REPO_ROOT / ".dev-wiki-dist"
MW_DIR = DIST_DIR / "mediawiki"  # $IP, and the web server's document root
DIST_INFO = DIST_DIR / "mediawiki.json"  # outside the document root
MW_SERIES = "1.43"
MW_SUITE = "trixie"  # Debian 13, the first release with MediaWiki 1.43
MW_PACKAGES = ["mediawiki", "mediawiki-classes"]
SYSTEM_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")

#: The override for the vendor folder (the one that holds mediawiki-extensions/).
VENDOR_VARIABLE = "DEV_WIKI_VENDOR"
EXTENSION_BRANCH = "REL1_43"
EXTENSIONS = ["UniversalLanguageSelector", "Translate"]  # in load order: Translate needs ULS

# What PHP needs from the machine's apt; php-cli rather than php, which pulls in Apache.
PHP_PACKAGES = ["php-cli", "php-sqlite3", "php-intl", "php-mbstring", "php-xml"]

# Written first into every state folder: `stop` only deletes folders that carry it, so a
# mistyped --state can never wipe an unrelated directory.
MARKER = ".dev-wiki-state"

FAMILY = "devwiki"
CODE = "en"
SITENAME = "DevWiki"

SERVER_START_TIMEOUT = 60  # seconds; the first request builds the localisation cache


def vendor_dir() -> Path:
    """The folder of the vendored extensions: DEV_WIKI_VENDOR, else ../shared/vendor."""
    given = os.environ.get(VENDOR_VARIABLE)
    base = Path(given).expanduser() if given else REPO_ROOT.parent / "shared" / "vendor"
    return base / "mediawiki-extensions"
