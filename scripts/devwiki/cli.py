"""Run a throwaway MediaWiki for integration tests and demos.

It is MediaWiki 1.43 LTS from Debian 13's `mediawiki` packages with the Translate and
UniversalLanguageSelector extensions (REL1_43, from ../shared/vendor/ beside the repository, or
the folder DEV_WIKI_VENDOR names), as Meta-Wiki's translatable pages need. It keeps its data in
SQLite and is served by PHP's built-in web server on 127.0.0.1; PHP is the machine's own
(Debian 12's PHP 8.2).

The two .deb files come from `apt-get download` with a private apt state: the machine's Debian
sources with the suite changed to trixie, so the system's apt configuration is never touched.
They are unpacked into .dev-wiki-dist/ in the repository root, which `stop` keeps, so a new
wiki downloads nothing. Everything a wiki writes lives in one state folder (default: .dev-wiki/
in the repository root); `stop` deletes it.

    scripts/dev-wiki install                   # PHP with apt-get (root) and MediaWiki
    scripts/dev-wiki start [--state DIR] [--port N]
    scripts/dev-wiki seed FILE --title T [--timestamp ISO] [--user NAME] [--summary S]
    scripts/dev-wiki seed-many FILE            # a JSON list of pages, in one import
    scripts/dev-wiki mark TITLE [--as ROLE] [--revid N]
    scripts/dev-wiki translate TITLE --lang LL --unit N (FILE | --text T) [--as ROLE]
    scripts/dev-wiki run-jobs [--type JOB]
    scripts/dev-wiki readonly on|off [--reason R]
    scripts/dev-wiki status
    scripts/dev-wiki stop

Every command but install takes --state DIR. `start` prints PYWIKIBOT_DIR=... and URL=...
lines (ready for `export`); DIR/wiki.json holds the URLs, the process id, the accounts and
their passwords, and the pywikibot site name (devwiki:en). `seed` prints REVID=... of the
page's current revision. `seed-many` takes a list of {"title", "text" or "file", and optional
"timestamp", "user", "summary"} and prints REVIDS={"TITLE": revid, ...}. `mark` marks a page
for translation through the API (as Admin by default) and prints REVID=... of the revision it
marked and UNITS=... . `translate` saves Translations:TITLE/N/LL through the API (as
Translator by default) and prints REVID=... . The wiki runs no job by itself
($wgJobRunRate = 0): `run-jobs` runs the queued ones and prints JOBS=..., how many ran.

Accounts, by role in wiki.json's "users": bot = ConversationBot (groups bot and
translationadmin; logs in with a BotPassword, PYWIKIBOT_DIR is set up for it), plainbot =
PlainBot (group bot only; BotPassword, its own pywikibot folder), editor = Editor, translator
= Translator (a plain user: users have the translate right, as on Meta-Wiki), admin = Admin
(sysop, bureaucrat, interface-admin, translationadmin).
Only the standard library is used, so it runs before any virtualenv exists.
"""

from __future__ import annotations

import argparse
import json
import urllib.error
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import content, wiki
from .accounts import ACCOUNTS, DEFAULT_SEED_USER
from .api import login_as
from .apt import install_php
from .config import DEFAULT_STATE
from .distribution import ensure_mediawiki
from .dump import Revision, parse_timestamp
from .server import api_answers, is_served
from .util import CannotInstall, DevWikiError, log


def print_exports(info: dict[str, Any]) -> None:
    print(f"PYWIKIBOT_DIR={info['pywikibot_dir']}")
    print(f"URL={info['url']}")


def cmd_install(_args: argparse.Namespace) -> int:
    install_php()
    ensure_mediawiki()
    return 0


def cmd_start(args: argparse.Namespace) -> int:
    print_exports(wiki.start(args.state.resolve(), args.port))
    return 0


def cmd_seed(args: argparse.Namespace) -> int:
    state = args.state.resolve()
    info = wiki.require_info(state)
    text = content.read_text(args.file)
    summary = args.summary
    if summary is None:
        summary = "Seeded by dev-wiki" if str(args.file) == "-" else f"Seeded from {args.file.name}"
    revision = Revision(args.title, text, parse_timestamp(args.timestamp), args.user, summary)
    content.seed_many(state, [revision])
    if not api_answers(info["api"]):
        log("imported; the server is not running, so the API check was skipped")
        return 0
    print(f"REVID={content.check_seeded(info['api'], [revision])[args.title]}")
    return 0


def cmd_seed_many(args: argparse.Namespace) -> int:
    state = args.state.resolve()
    info = wiki.served_info(state)
    listing = content.read_text(args.file)
    base = Path.cwd() if str(args.file) == "-" else args.file.resolve().parent
    revisions = content.revisions_from_json(json.loads(listing), base)
    content.seed_many(state, revisions)
    revids = content.check_seeded(info["api"], revisions)
    print("REVIDS=" + json.dumps(revids, ensure_ascii=False))
    return 0


def cmd_mark(args: argparse.Namespace) -> int:
    """Mark a page for translation (action=markfortranslation) and say which revision."""
    info = wiki.served_info(args.state.resolve())
    revid, units = content.mark(login_as(info, args.as_role), args.title, args.revid)
    print(f"REVID={revid}")
    print(f"UNITS={units}")
    return 0


def cmd_translate(args: argparse.Namespace) -> int:
    """Save one unit's translation, Translations:TITLE/N/LL, with action=edit."""
    info = wiki.served_info(args.state.resolve())
    text = content.read_text(args.file, args.text)
    session = login_as(info, args.as_role)
    revid = content.translate(session, args.title, args.lang, args.unit, text, args.summary)
    print(f"REVID={revid}")
    return 0


def cmd_run_jobs(args: argparse.Namespace) -> int:
    """Run the queued jobs (runJobs.php) and say how many ran."""
    state = args.state.resolve()
    wiki.require_info(state)
    print(f"JOBS={content.run_jobs(state, args.type)}")
    return 0


def cmd_readonly(args: argparse.Namespace) -> int:
    wiki.set_readonly(args.state.resolve(), args.mode == "on", args.reason)
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    state = args.state.resolve()
    info = wiki.load_info(state)
    if not info:
        log(f"no wiki in {state}")
        return 1
    if not is_served(info):
        log(f"wiki in {state} exists but is not being served; `dev-wiki start` serves it")
        return 1
    readonly = " (read-only)" if (state / "readonly.php").exists() else ""
    log(f"running at {info['url']} (pid {info['pid']}){readonly}")
    print_exports(info)
    return 0


def cmd_stop(args: argparse.Namespace) -> int:
    wiki.stop(args.state.resolve())
    return 0


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "install": cmd_install,
    "start": cmd_start,
    "seed": cmd_seed,
    "seed-many": cmd_seed_many,
    "mark": cmd_mark,
    "translate": cmd_translate,
    "run-jobs": cmd_run_jobs,
    "readonly": cmd_readonly,
    "status": cmd_status,
    "stop": cmd_stop,
}


def _with_state(sub: argparse.ArgumentParser) -> argparse.ArgumentParser:
    sub.add_argument(
        "--state", type=Path, default=DEFAULT_STATE, help=f"state folder ({DEFAULT_STATE})"
    )
    return sub


def _acting(sub: argparse.ArgumentParser, default: str) -> argparse.ArgumentParser:
    sub.add_argument(
        "--as",
        dest="as_role",
        default=default,
        choices=list(ACCOUNTS),
        help="account, by its role in wiki.json (default: %(default)s)",
    )
    return sub


def build_parser() -> tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The parser, and its `translate` subparser (whose FILE argparse cannot place alone)."""
    parser = argparse.ArgumentParser(
        prog="dev-wiki", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("install", help="install PHP (root) and unpack MediaWiki")
    start = _with_state(commands.add_parser("start", help="create and serve the wiki"))
    start.add_argument("--port", type=int, help="port on 127.0.0.1 (default: a free one)")
    seed = _with_state(commands.add_parser("seed", help="add a revision from a file"))
    seed.add_argument("file", type=Path, help="page text (- for stdin)")
    seed.add_argument("--title", required=True)
    seed.add_argument("--timestamp", help="ISO 8601, UTC unless a zone is given (default: now)")
    seed.add_argument("--user", default=DEFAULT_SEED_USER, help="author (default: %(default)s)")
    seed.add_argument("--summary", help="edit summary")
    many = _with_state(commands.add_parser("seed-many", help="add revisions in one import"))
    many.add_argument("file", type=Path, help="a JSON list of pages (- for stdin)")
    mark = _with_state(commands.add_parser("mark", help="mark a page for translation"))
    mark.add_argument("title")
    mark.add_argument("--revid", type=int, help="the page's latest revision (default: look up)")
    _acting(mark, "admin")
    translate = _with_state(commands.add_parser("translate", help="save a unit's translation"))
    translate.add_argument("title", help="the translatable page")
    translate.add_argument("--lang", required=True, help="language code, e.g. fr")
    translate.add_argument("--unit", required=True, help="unit number (the N of <!--T:N-->)")
    translate.add_argument("file", type=Path, nargs="?", help="translation text (- for stdin)")
    translate.add_argument("--text", help="translation text, instead of FILE")
    translate.add_argument("--summary", default="Translation saved by dev-wiki")
    _acting(translate, "translator")
    jobs = _with_state(commands.add_parser("run-jobs", help="run the queued jobs"))
    jobs.add_argument("--type", help="only jobs of this type, e.g. UpdateTranslatablePageJob")
    readonly = _with_state(commands.add_parser("readonly", help="switch $wgReadOnly"))
    readonly.add_argument("mode", choices=["on", "off"])
    readonly.add_argument("--reason", default="Read-only for a test (dev-wiki readonly on)")
    _with_state(commands.add_parser("status", help="say whether the wiki is served"))
    _with_state(commands.add_parser("stop", help="stop the server and delete the state folder"))
    return parser, translate


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser, translate = build_parser()
    args, extra = parser.parse_known_args(argv)
    # argparse fills TITLE and the optional FILE from the first run of positionals, so a FILE
    # after the options (translate T --lang fr --unit 1 FILE) comes back as an extra.
    translating = args.command == "translate"
    if translating and extra and args.file is None and (extra[0] == "-" or extra[0][0] != "-"):
        args.file = Path(extra.pop(0))
    if extra:
        parser.error("unrecognized arguments: " + " ".join(extra))
    if translating and (args.file is None) == (args.text is None):
        translate.error("give either FILE (- for stdin) or --text")
    return args


def main(argv: list[str]) -> int:
    """Exit codes: 0 done, 1 failed (the message says why), 2 cannot install here."""
    args = parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except CannotInstall as error:
        log(str(error))
        return 2
    except (DevWikiError, OSError, ValueError, urllib.error.URLError) as error:
        log(f"error: {error}")
        return 1
