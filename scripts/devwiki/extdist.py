"""The MediaWiki extension distributor, for a checkout whose vendor folder lacks a tarball.

mediawiki.org's API names the snapshot it serves of each extension's branch
(`list=extdistbranches`); that snapshot is downloaded beside the vendor folder's files, and
moved in under the name the vendor folder uses only when its SHA-256 is one that
extensions.sha256 records for that name (sha256sum's format). Any other sum is refused with
the line to add to that file once someone has checked the snapshot. Nothing is left behind
by a refusal or a failed download.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from http.client import HTTPException
from pathlib import Path
from typing import Any

from .config import PACKAGE_DIR, REPO_ROOT
from .util import DevWikiError, log

#: Overrides the API's URL (the tests point it at a server of their own).
API_VARIABLE = "DEV_WIKI_EXTDIST_API"
DEFAULT_API = "https://www.mediawiki.org/w/api.php"
#: The accepted snapshots: `SHA256  FILENAME` lines, as sha256sum writes and checks them.
SUMS_FILE = PACKAGE_DIR / "extensions.sha256"
# Wikimedia's User-Agent policy asks a client to say what it is.
USER_AGENT = "conversation-hours-bot-devwiki/1 (local test wiki; Python urllib)"
TIMEOUT = 60  # seconds without a byte before a request fails
MAX_BYTES = 256 * 1024 * 1024  # Translate's snapshot is a few tens of MB


class Refused(DevWikiError):
    """A snapshot whose SHA-256 the sums file does not record; the line says how to accept it."""


def api_url() -> str:
    return os.environ.get(API_VARIABLE) or DEFAULT_API


def _shown(path: Path) -> str:
    """A path as the operator would type it: relative to the repository when inside it."""
    try:
        return str(path.relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def recorded_sums(path: Path | None = None) -> dict[str, set[str]]:
    """The sums file: for each file name, the SHA-256 sums accepted for it."""
    path = path or SUMS_FILE
    sums: dict[str, set[str]] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise DevWikiError(f"cannot read the extensions' sums: {error}") from None
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        digest, _, name = line.partition(" ")
        digest = digest.lower()
        name = name.strip().removeprefix("*")  # sha256sum's binary-mode marker
        if len(digest) != 64 or not name or digest.strip("0123456789abcdef"):
            raise DevWikiError(f"{_shown(path)}:{number}: not a 'SHA256  FILENAME' line: {line}")
        sums.setdefault(name, set()).add(digest)
    return sums


def _open(url: str) -> Any:
    """A response to GET url, or one line saying why there is none."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DevWikiError(f"the extension distributor named a non-HTTP URL: {url}")
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        return urllib.request.urlopen(request, timeout=TIMEOUT)
    except urllib.error.HTTPError as error:
        raise DevWikiError(f"{url}: HTTP {error.code} {error.reason}") from None
    except (OSError, HTTPException, ValueError) as error:  # URLError is an OSError
        reason = getattr(error, "reason", None) or error or type(error).__name__
        raise DevWikiError(f"cannot reach {url}: {reason}") from None


def snapshot_urls(names: list[str], branch: str) -> dict[str, str]:
    """The URL of the snapshot of `branch` that the distributor serves, for each extension."""
    query = urllib.parse.urlencode(
        {
            "action": "query",
            "list": "extdistbranches",
            "edbexts": "|".join(names),
            "format": "json",
            "formatversion": "2",
        }
    )
    api = api_url()
    url = f"{api}?{query}"
    try:
        with _open(url) as response:
            answer = json.loads(response.read(MAX_BYTES))
        if "error" in answer:
            error = answer["error"]
            raise DevWikiError(f"{api} answered {error.get('code')}: {error.get('info')}")
        known = answer["query"]["extdistbranches"]["extensions"]
        if not isinstance(known, dict):
            raise TypeError
    except (OSError, HTTPException) as error:  # the answer broke off
        raise DevWikiError(f"cannot read {api}'s answer: {error}") from None
    except (ValueError, KeyError, TypeError, AttributeError):
        raise DevWikiError(f"{api} did not answer list=extdistbranches as expected") from None
    urls = {}
    for name in names:
        branches = known.get(name)
        if not isinstance(branches, dict):
            raise DevWikiError(f"the extension distributor at {api} knows no extension {name}")
        found = branches.get(branch)
        if not isinstance(found, str):
            offered = ", ".join(sorted(b for b in branches if b != "source")) or "none"
            raise DevWikiError(
                f"the extension distributor at {api} has no {branch} snapshot of {name} "
                f"(it has: {offered})"
            )
        urls[name] = found
    return urls


def download(url: str, target: Path, sums: dict[str, set[str]]) -> None:
    """Download url as target, keeping it only when its SHA-256 is recorded for target's name."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - it outlives this block when kept
            dir=target.parent, prefix=f".{target.name}.", suffix=".part", delete=False
        )
    except OSError as error:
        raise DevWikiError(f"cannot write {target}: {error}") from None
    part = Path(handle.name)
    try:
        digest = hashlib.sha256()
        size = 0
        with handle, _open(url) as response:
            while chunk := response.read(1 << 20):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise DevWikiError(f"{url} is larger than {MAX_BYTES} bytes")
                digest.update(chunk)
                handle.write(chunk)
        got = digest.hexdigest()
        if got not in sums.get(target.name, set()):
            raise Refused(
                f"refusing {target.name} from {url}: its SHA-256 {got} is not in "
                f"{_shown(SUMS_FILE)}; check that snapshot, then add the line "
                f"'{got}  {target.name}' to that file to accept it"
            )
        os.replace(part, target)
    except (OSError, HTTPException) as error:
        raise DevWikiError(f"downloading {url} failed: {error}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()


def fetch(missing: dict[str, Path], branch: str) -> None:
    """Each missing tarball (extension name -> where it belongs) from the distributor; every
    refused one is named, one line each, after the others are in."""
    sums = recorded_sums()
    urls = snapshot_urls(list(missing), branch)
    refused = []
    for name, target in missing.items():
        log(f"downloading {urls[name]} as {target}")
        try:
            download(urls[name], target, sums)
        except Refused as error:
            refused.append(str(error))
    if refused:
        raise Refused("\n".join(refused))
