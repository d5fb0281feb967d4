"""What comes from Debian: PHP from the machine's own apt, and MediaWiki's .deb files from
Debian 13 through an apt state of our own, so the system's apt configuration is never touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

from .config import DIST_DIR, MW_PACKAGES, MW_SERIES, MW_SUITE, PHP_PACKAGES, SYSTEM_SOURCES
from .util import CannotInstall, DevWikiError, log, run


def missing_packages() -> list[str]:
    """Debian packages from PHP_PACKAGES that dpkg does not report as installed."""
    missing = []
    for package in PHP_PACKAGES:
        result = subprocess.run(
            ["dpkg-query", "-W", "-f=${Status}", package],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or "install ok installed" not in result.stdout:
            missing.append(package)
    return missing


def install_php() -> None:
    """apt-get the PHP packages that are missing; only root may, others are told what to do."""
    missing = missing_packages()
    if not missing:
        log("PHP packages already installed: " + " ".join(PHP_PACKAGES))
        return
    if not shutil.which("apt-get"):
        raise CannotInstall("no apt-get here; this script needs Debian's " + " ".join(missing))
    if os.geteuid() != 0:
        raise CannotInstall(
            "not root; install the packages first: sudo apt-get update && "
            "sudo apt-get install -y --no-install-recommends " + " ".join(missing)
        )
    log("installing " + " ".join(missing) + " (apt-get update, then install)")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    started = time.monotonic()
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)
    log(f"packages installed in {time.monotonic() - started:.0f}s")


def retarget_suite(suite: str) -> str:
    """bookworm -> trixie, bookworm-updates -> trixie-updates, stable-security -> ..."""
    _codename, dash, pocket = suite.partition("-")
    return MW_SUITE + dash + pocket


def _stanzas(text: str) -> list[list[list[str]]]:
    """deb822 text as stanzas of [name, value] fields, comments dropped."""
    stanzas: list[list[list[str]]] = [[]]
    for line in text.splitlines():
        if not line.strip():
            stanzas.append([])
        elif line.lstrip().startswith("#"):
            continue
        elif line[0] in " \t" and stanzas[-1]:
            stanzas[-1][-1][1] += "\n" + line  # a continuation line (e.g. an inline key)
        elif ":" in line:
            name, _, value = line.partition(":")
            stanzas[-1].append([name.strip(), value])
    return stanzas


def trixie_sources(text: str) -> str:
    """The machine's deb822 Debian sources with every suite moved to trixie.

    Only binary (`Types: deb`) entries that are enabled; all other fields (URIs, Components,
    Signed-By, ...) are kept as they are, so a mirror or a proxy set up there applies too.
    """
    out = []
    for fields in _stanzas(text):
        values = {name.lower(): value.strip() for name, value in fields}
        if not values or values.get("enabled", "yes").lower() == "no":
            continue
        if "deb" not in values.get("types", "").split() or not values.get("suites"):
            continue
        suites = list(dict.fromkeys(retarget_suite(s) for s in values["suites"].split()))
        lines = ["Types: deb", "Suites: " + " ".join(suites)]
        lines += [
            f"{name}:{value}"
            for name, value in fields
            if name.lower() not in ("types", "suites", "enabled")
        ]
        out.append("\n".join(lines))
    if not out:
        raise DevWikiError(f"{SYSTEM_SOURCES} has no enabled `Types: deb` entry to start from")
    return "\n\n".join(out) + "\n"


def private_apt(apt_dir: Path) -> list[str]:
    """apt-get/apt-cache options for an apt state of our own in apt_dir.

    Sources, package lists, preferences, the status file and the download cache all live in
    apt_dir; only apt.conf.d (proxies, mirrors) and the trusted keys are read from the system.
    """
    for sub in ("lists/partial", "archives/partial", "sources.list.d", "preferences.d"):
        (apt_dir / sub).mkdir(parents=True, exist_ok=True)
    for name in ("status", "sources.list", "preferences"):
        (apt_dir / name).touch()
    if not SYSTEM_SOURCES.exists():
        raise DevWikiError(f"no {SYSTEM_SOURCES}: this needs a Debian machine's deb822 sources")
    sources = trixie_sources(SYSTEM_SOURCES.read_text(encoding="utf-8"))
    (apt_dir / "sources.list.d" / f"{MW_SUITE}.sources").write_text(sources, encoding="utf-8")
    settings = {
        "Dir::State": apt_dir,
        "Dir::State::Lists": apt_dir / "lists",
        "Dir::State::status": apt_dir / "status",
        "Dir::Cache": apt_dir,
        "Dir::Cache::archives": apt_dir / "archives",
        "Dir::Etc::sourcelist": apt_dir / "sources.list",
        "Dir::Etc::sourceparts": apt_dir / "sources.list.d",
        "Dir::Etc::preferences": apt_dir / "preferences",
        "Dir::Etc::preferencesparts": apt_dir / "preferences.d",
    }
    return [arg for key, value in settings.items() for arg in ("-o", f"{key}={value}")]


def download_debs(work: Path) -> list[Path]:
    """apt-get download Debian 13's mediawiki and mediawiki-classes into work/."""
    apt = private_apt(DIST_DIR / "apt")
    log(f"fetching the {MW_SUITE} package lists (private apt state in {DIST_DIR / 'apt'})")
    run(["apt-get", *apt, "update", "-qq"])
    shown = run(["apt-cache", *apt, "show", "--no-all-versions", MW_PACKAGES[0]])
    version = re.search(r"^Version: (\S+)$", shown, re.MULTILINE)
    if not version or not re.match(rf"(\d+:)?{re.escape(MW_SERIES)}\.", version[1]):
        found = version[1] if version else "none"
        raise DevWikiError(f"{MW_SUITE} offers mediawiki {found}, not {MW_SERIES}")
    log(f"downloading mediawiki {version[1]}")
    # Both at the same version: mediawiki depends on exactly that mediawiki-classes.
    run(["apt-get", *apt, "download", *(f"{p}={version[1]}" for p in MW_PACKAGES)], cwd=work)
    debs = sorted(work.glob("*.deb"))
    if len(debs) != len(MW_PACKAGES):
        raise DevWikiError(f"apt-get download left {[d.name for d in debs]} in {work}")
    return debs
