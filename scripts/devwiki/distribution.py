"""MediaWiki as every wiki here runs it: $IP in .dev-wiki-dist/, unpacked from Debian's packages
and cut loose from the system paths they expect, with the vendored Translate and ULS
(downloaded into the vendor folder when it lacks them: extdist).

It is built once and outlives every wiki; it is rebuilt when a vendored tarball changes.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tarfile
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from . import extdist
from .apt import download_debs
from .config import (
    DIST_DIR,
    DIST_INFO,
    EXTENSION_BRANCH,
    EXTENSIONS,
    MW_DIR,
    MW_SERIES,
    VENDOR_VARIABLE,
    vendor_dir,
)
from .util import DevWikiError, log, run

#: What .dev-wiki-dist/mediawiki.json says: version, $IP, and each extension's sha256.
Dist = dict[str, Any]


def make_self_contained(ip: Path) -> None:
    """Cut $IP loose from the system paths that Debian's package links it to.

    The package spreads MediaWiki over /usr/share/mediawiki (code), /var/lib/mediawiki
    (extensions, images, config) and /etc/mediawiki (LocalSettings.php) with absolute
    symlinks. Links into the code become relative ones; extensions/, images/ and config/
    become real folders of our own; LocalSettings.php goes (MW_CONFIG_FILE names each wiki's).
    """
    code_prefix = "/usr/share/mediawiki/"
    for link in sorted(p for p in ip.rglob("*") if p.is_symlink()):
        target = os.readlink(link)
        if not os.path.isabs(target):
            continue
        link.unlink()
        if target.startswith(code_prefix):
            inside = ip / target[len(code_prefix) :]
            link.symlink_to(os.path.relpath(inside, link.parent))
        elif link.parent == ip and link.name in ("extensions", "images", "config"):
            link.mkdir()
        elif link.parent != ip or link.name != "LocalSettings.php":
            raise DevWikiError(f"unexpected link in Debian's package: {link} -> {target}")
    # Debian's bundled extensions: none is loaded, and extensions/ is ours now.
    shutil.rmtree(ip / "extensions-core", ignore_errors=True)
    for path in ip.rglob("*"):
        if path.is_symlink() and not path.resolve().is_relative_to(ip.resolve()):
            raise DevWikiError(f"{path} still points outside {ip}")


def mediawiki_version(ip: Path) -> str:
    """MW_VERSION as includes/Defines.php has it."""
    defines = (ip / "includes" / "Defines.php").read_text(encoding="utf-8")
    found = re.search(r"define\(\s*'MW_VERSION',\s*'([^']+)'", defines)
    if not found:
        raise DevWikiError(f"no MW_VERSION in {ip / 'includes' / 'Defines.php'}")
    return found[1]


def extension_tarballs() -> dict[str, Path]:
    """Each extension's tarball in the vendor folder; one missing there is downloaded from the
    extension distributor (extdist), checked against the recorded sums, and saved there."""
    folder = vendor_dir()
    tarballs = {name: folder / f"{name}-{EXTENSION_BRANCH}.tar.gz" for name in EXTENSIONS}
    missing = {name: path for name, path in tarballs.items() if not path.is_file()}
    if missing:
        log(
            f"{', '.join(p.name for p in missing.values())} not in {folder} ({VENDOR_VARIABLE} "
            "names another vendor folder): asking the MediaWiki extension distributor"
        )
        extdist.fetch(missing, EXTENSION_BRANCH)
    return tarballs


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def install_extension(ip: Path, name: str, tarball: Path) -> None:
    """Unpack one vendored extension into $IP/extensions/NAME, replacing an older one."""
    extensions = ip / "extensions"
    with tempfile.TemporaryDirectory(dir=extensions, prefix=f".{name}-") as tmp:
        with tarfile.open(tarball) as archive:
            archive.extractall(tmp, filter="data")
        top = list(Path(tmp).iterdir())
        if [p.name for p in top] != [name] or not (top[0] / "extension.json").is_file():
            raise DevWikiError(f"{tarball} should unpack to one folder {name}/ with extension.json")
        shutil.rmtree(extensions / name, ignore_errors=True)
        top[0].rename(extensions / name)


def load_dist_info() -> Dist | None:
    """mediawiki.json of a finished $IP, or None when there is none (yet)."""
    try:
        info: Dist = json.loads(DIST_INFO.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return info if (MW_DIR / "includes" / "Defines.php").is_file() else None


@contextlib.contextmanager
def dist_lock() -> Iterator[None]:
    """One dev-wiki at a time builds .dev-wiki-dist/ (tests and a demo may start together)."""
    DIST_DIR.mkdir(parents=True, exist_ok=True)
    with (DIST_DIR / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def ensure_mediawiki() -> Dist:
    """$IP with the vendored extensions, built when missing; its description (version, ...)."""
    with dist_lock():
        tarballs = extension_tarballs()
        wanted = {name: sha256(path) for name, path in tarballs.items()}
        info = load_dist_info()
        if info and info["extensions"] == wanted:
            return info
        started = time.monotonic()
        if info is None:
            info = {"version": build_mediawiki(), "extensions": {}}
        for name, path in tarballs.items():
            if info["extensions"].get(name) != wanted[name]:
                log(f"unpacking {path.name}")
                install_extension(MW_DIR, name, path)
                info["extensions"][name] = wanted[name]
        info["ip"] = str(MW_DIR)
        DIST_INFO.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
        log(f"MediaWiki {info['version']} ready in {MW_DIR} ({time.monotonic() - started:.0f}s)")
        return info


def build_mediawiki() -> str:
    """Download and unpack Debian's packages into MW_DIR; the MediaWiki version."""
    DIST_INFO.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory(dir=DIST_DIR, prefix=".build-") as tmp:
        work = Path(tmp)
        root = work / "root"
        for deb in download_debs(work):
            run(["dpkg-deb", "-x", str(deb), str(root)])
        ip = root / "usr" / "share" / "mediawiki"
        make_self_contained(ip)
        version = mediawiki_version(ip)
        if not version.startswith(MW_SERIES + "."):
            raise DevWikiError(f"the package holds MediaWiki {version}, not {MW_SERIES}")
        if MW_DIR.exists():
            shutil.rmtree(MW_DIR)
        ip.rename(MW_DIR)
    return version


def mediawiki_info(dist: Dist) -> Dist:
    """What wiki.json records of the MediaWiki it runs on: version, $IP, extensions' sha256."""
    return {"version": dist["version"], "ip": str(MW_DIR), "extensions": dist["extensions"]}
