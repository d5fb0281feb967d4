"""What goes into a wiki: pages seeded with their history (one import for any number of
revisions), marks for translation, translations, and Translate's jobs, run when asked.

The wiki runs no job by itself ($wgJobRunRate = 0): `run_jobs` runs the queue once, and a
`JobRunner` keeps running it in the background for as long as a `with` lasts, as a wiki's job
runners do.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import re
import sqlite3
import sys
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from .api import Answer, Session
from .config import FAMILY
from .dump import Revision, export_xml, parse_timestamp, recent_windows
from .maintenance import maintenance, own_script
from .util import DevWikiError, log

#: Titles per query: MediaWiki's limit for accounts without apihighlimits.
TITLES_PER_QUERY = 50


def seed_many(state: Path, revisions: Sequence[Revision]) -> None:
    """Import every revision in one boot of MediaWiki (php/SeedPages.php), finished as a save
    would be: recent changes for the recent ones, site statistics, Translate's ready tag."""
    now = dt.datetime.now(dt.UTC)
    titles = list(dict.fromkeys(revision.title for revision in revisions))
    manifest = {"titles": titles, "recent": recent_windows(revisions, now)}
    with tempfile.TemporaryDirectory(dir=state / "tmp", prefix="seed-") as tmp:
        dump, listing = Path(tmp) / "pages.xml", Path(tmp) / "manifest.json"
        dump.write_text(export_xml(revisions), encoding="utf-8")
        listing.write_text(json.dumps(manifest | {"dump": str(dump)}), encoding="utf-8")
        maintenance(state, own_script("SeedPages"), str(listing))


def latest_revisions(api: str, titles: Sequence[str]) -> dict[str, Answer | None]:
    """Each page's current revision (ids, timestamp, user, content) as the API serves it."""
    session, found = Session(api), {}
    for start in range(0, len(titles), TITLES_PER_QUERY):
        chunk = list(titles[start : start + TITLES_PER_QUERY])
        query = session.call(
            action="query",
            prop="revisions",
            titles="|".join(chunk),
            rvprop="ids|timestamp|user|content",
            rvslots="main",
        )["query"]
        renamed = {n["to"]: n["from"] for n in query.get("normalized", [])}
        for page in query["pages"]:
            revisions = page.get("revisions") or [None]
            found[renamed.get(page["title"], page["title"])] = revisions[0]
    return found


def check_seeded(api: str, revisions: Sequence[Revision]) -> dict[str, int]:
    """Which revision each seeded page now serves; a note for those whose seeded revision went
    into the history because the page already had a newer one."""
    last = {revision.title: revision for revision in revisions}
    served = latest_revisions(api, list(last))
    revids = {}
    for title, revision in last.items():
        latest = served.get(title)
        if latest is None:
            raise DevWikiError(f"import reported success but the API has no page {title!r}")
        if latest["timestamp"] != revision.stamp or latest["slots"]["main"]["content"] != (
            revision.text
        ):
            # MediaWiki keeps the newest timestamp as the current version; an older one only
            # lands in the history.
            log(
                f"note: {title!r} already has a newer revision ({latest['timestamp']}); "
                f"the seeded {revision.stamp} revision went into its history"
            )
        revids[title] = latest["revid"]
    return revids


def mark(session: Session, title: str, revid: int | None = None) -> tuple[int, int]:
    """Mark a page for translation (action=markfortranslation); the revision marked and the
    number of units.

    `revid` (default: the latest) makes Translate refuse (tpt-oldrevision) if anything saved a
    newer revision. Units without a <!--T:n--> marker get one: Translate saves that as a new
    revision by the marking account and marks that one.
    """
    latest = session.latest_revision(title)
    if latest is None:
        raise DevWikiError(f"no page {title!r}")
    revid = revid or latest["revid"]
    result = session.call(
        post=True, action="markfortranslation", title=title, revid=revid, token=session.token()
    )["markfortranslation"]
    marked = session.latest_revision(title)
    assert marked is not None
    if marked["revid"] != revid and (marked["parentid"] != revid or marked["user"] != session.user):
        raise DevWikiError(f"{title!r} changed while being marked: {marked['revid']}")
    log(
        f"marked revision {marked['revid']} of {title!r} for translation as {session.user} "
        f"({result['unitcount']} units; first time: {result['firstmark']})"
    )
    return marked["revid"], result["unitcount"]


def translate(session: Session, title: str, lang: str, unit: str, text: str, summary: str) -> int:
    """Save one unit's translation, Translations:TITLE/UNIT/LANG, with action=edit; its revid."""
    page = f"Translations:{title}/{unit}/{lang}"
    result = session.edit(page, text, summary)
    if result.get("result") != "Success":
        raise DevWikiError(f"saving {page!r} failed: {json.dumps(result)}")
    revid: int | None = result.get("newrevid")
    if revid is None:  # no change: the page's current revision
        latest = session.latest_revision(page)
        assert latest is not None
        revid = latest["revid"]
    unchanged = " (no change)" if "nochange" in result else ""
    log(f"saved {page!r} as {session.user}{unchanged}")
    return revid


def run_jobs(state: Path, job_type: str | None = None) -> int:
    """Run the queued jobs (runJobs.php) once; how many ran. A failed job is an error."""
    options = [f"--type={job_type}"] if job_type else []
    output = maintenance(state, "runJobs", *options)
    # One line per job when it ends: "... t=12 good" or "... t=12 error=...".
    done = re.findall(r" t=\d+ (good|error=.*)$", output, re.MULTILINE)
    failed = [line for line in done if line != "good"]
    log(f"ran {len(done)} job(s)" + (f", {len(failed)} failed" if failed else ""))
    if failed:
        raise DevWikiError("failed job(s):\n" + "\n".join(failed))
    return len(done)


def jobs_queued(state: Path) -> bool:
    """Whether the job queue holds a job no runner has claimed, read from its SQLite file (a
    read costs a millisecond; a boot of MediaWiki to find the queue empty, a few hundred)."""
    queue = state / "data" / f"{FAMILY}_jobqueue.sqlite"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{queue}?mode=ro", uri=True)) as db:
            found = db.execute("SELECT 1 FROM job WHERE job_token = '' LIMIT 1").fetchone()
    except sqlite3.Error:
        return True  # cannot tell: let runJobs.php look
    return found is not None


class JobRunner:
    """Runs the job queue whenever it holds jobs, in a thread while a `with` lasts, as a
    wiki's job runner would beside the requests; a run is never cut off, and a failed job
    fails the `with` once it ends."""

    def __init__(self, state: Path, pause: float = 0.1) -> None:
        self.state = state
        self.pause = pause
        self.ran = 0
        self._stop = threading.Event()
        self._errors: list[BaseException] = []
        self._thread = threading.Thread(target=self._loop, name="dev-wiki jobs", daemon=True)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                if jobs_queued(self.state):
                    self.ran += run_jobs(self.state)
            except (DevWikiError, OSError) as error:
                self._errors.append(error)
                return
            self._stop.wait(self.pause)

    def __enter__(self) -> JobRunner:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        if self._errors and kind is None:
            raise self._errors[0]


def read_text(file: Path | None, text: str | None = None) -> str:
    """--text's value, else FILE's contents (- for stdin)."""
    if text is not None:
        return text
    if file is None:
        raise DevWikiError("give either FILE (- for stdin) or --text")
    if str(file) == "-":
        return sys.stdin.read()
    return file.read_text(encoding="utf-8")


def revisions_from_json(data: Any, base: Path) -> list[Revision]:
    """seed-many's list: each item has title, text or file (relative to the list's folder),
    and optionally timestamp (ISO 8601, default now), user and summary."""
    if not isinstance(data, list):
        raise DevWikiError("seed-many wants a JSON list of pages")
    revisions = []
    for item in data:
        text = item["text"] if "text" in item else (base / item["file"]).read_text("utf-8")
        extra = {key: item[key] for key in ("user", "summary") if key in item}
        when = parse_timestamp(item.get("timestamp"))
        revisions.append(Revision(item["title"], text, when, **extra))
    return revisions
