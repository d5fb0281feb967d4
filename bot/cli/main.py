"""The command line: parses arguments, calls the core, maps outcomes to exit codes.

Exit codes: 0 done (changed or not), 1 a bug in the bot, 2 bad usage, unreadable input or bad
configuration, 3 refused (page not understood or change unsafe), 4 the wiki said no, could not
be reached or was too slow (the run's deadline), 5 another run holds the lock, 130 stopped by
the operator (Ctrl-C), 143 stopped by SIGTERM.
"""

import argparse
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

from bot.cli.output import PROG, print_warnings, unified_diff
from bot.core.pipeline import transform
from bot.core.report.explain import explained
from bot.core.settings import META_PAGE, META_SITE, Settings
from bot.errors import (
    EXIT_BUG,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    Refusal,
    UsageError,
)
from bot.ops import credentials, deadline
from bot.ops.config import duration
from bot.ops.config import load as load_config

DESCRIPTION = (
    "Keeps a Meta-Wiki page of conversation hours current: moves the sessions that are over "
    "from its 'Upcoming' list into its log, in every language it is translated into. Offline "
    "on a file, or on a wiki with pywikibot. Before the first unattended pass, run "
    "`check --config FILE`: it says what would stop the bot, one line each."
)
#: pywikibot's global options the bot passes on (pywikibot.bot.handle_args).
PYWIKIBOT_OPTIONS = (
    "pywikibot's spellings work too: -always, -site:FAMILY:CODE, -page:TITLE, -dir:PATH, "
    "-debug, -help. pywikibot's global options go to pywikibot: -simulate, -user:NAME, "
    "-family:NAME, -code:CODE, -lang:CODE, -pt:SECONDS, -maxlag:SECONDS, -verbose, -log, "
    "-nolog, and -SETTING:NUMBER for a numeric user-config setting (-max_retries:3); with "
    "--config, not those that pick a wiki or an account. -debug also turns on pywikibot's "
    "debug log (logs/ in pywikibot's folder)."
)


class _Parser(argparse.ArgumentParser):
    """One line on bad usage, not argparse's usage block, and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{PROG}: {message} (see {PROG} --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def moment(value: str) -> datetime:
    """An ISO 8601 moment; one without a zone is UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except (ValueError, OverflowError):
        parsed = None
    # Years far from ours only make the date arithmetic overflow; no session lives there.
    if parsed is None or not 1900 <= parsed.year <= 9000:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 moment between the years 1900 and 9000, "
            "such as 2023-07-01T00:00:00Z"
        )
    return parsed


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{PROG} {version(PROG)}"
    except PackageNotFoundError:
        return f"{PROG} (not installed)"


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=DESCRIPTION, epilog=PYWIKIBOT_OPTIONS)
    parser.add_argument("--version", action="version", version=_version())
    parser.add_argument(
        "--debug", action="store_true", help="show tracebacks and keep pywikibot's debug log"
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser(
        "run", help="move past sessions into the log", epilog=PYWIKIBOT_OPTIONS
    )
    offline = run.add_argument_group("offline, on a file")
    offline.add_argument("--file", type=Path, metavar="PAGE", help="read wikitext from this file")
    offline.add_argument("--output", type=Path, metavar="NEW", help="write the new wikitext here")
    run.add_argument("--json", action="store_true", help="print a JSON report, not the diff")
    online = run.add_argument_group("on a wiki (pywikibot), when --file is not given")
    online.add_argument("--site", metavar="FAMILY:CODE", help=f"default {META_SITE}")
    online.add_argument("--page", metavar="TITLE", help=f"default {META_PAGE!r}")
    online.add_argument("--always", action="store_true", help="save without asking")
    online.add_argument("--dry-run", action="store_true", help="show the change, save nothing")
    online.add_argument(
        "--stop-page", metavar="TITLE", help="any text here stops the bot (default User:BOT/Stop)"
    )
    _add_wiki_options(online)
    online.add_argument(
        "--config", type=Path, metavar="TOML", help="one unattended pass over the targets in TOML"
    )
    _add_time_options(run)

    schedule = commands.add_parser("schedule", help="run passes on the configured schedule")
    schedule.add_argument("--config", type=Path, metavar="TOML", help="targets and schedule")
    _add_wiki_options(schedule)

    check = commands.add_parser(
        "check",
        help="before the first pass: what would stop the bot (--config), or what it "
        "understands of a page",
        epilog=PYWIKIBOT_OPTIONS,
    )
    check.add_argument(
        "--config",
        type=Path,
        metavar="TOML",
        help="check every target: site, account, rights, pages, files (one line a problem)",
    )
    check.add_argument("--file", type=Path, metavar="PAGE", help="read wikitext from this file")
    check.add_argument("--site", metavar="FAMILY:CODE", help=f"or a wiki's page: {META_SITE}")
    check.add_argument("--page", metavar="TITLE", help=f"default {META_PAGE!r}")
    check.add_argument(
        "--dir", metavar="PATH", help="pywikibot configuration folder (also -dir:PATH)"
    )
    check.add_argument("--verbose", action="store_true", help="say what pywikibot does too")
    check.add_argument("--deadline", type=_duration, metavar="DURATION", help="e.g. 5m")
    _add_time_options(check)
    return parser


def _duration(value: str) -> float:
    """A duration such as 90s, 10m or 1h30m, in seconds."""
    seconds = duration(value)
    if seconds is None or not 5 <= seconds <= 6 * 3600:
        raise argparse.ArgumentTypeError(f"{value!r} is not a duration from 5s to 6h, e.g. 10m")
    return seconds


def _add_wiki_options(parser: argparse._ActionsContainer) -> None:
    parser.add_argument(
        "--dir", metavar="PATH", help="pywikibot configuration folder (also -dir:PATH)"
    )
    parser.add_argument(
        "--state",
        type=Path,
        metavar="DIR",
        help="where the run lock lives (default ~/.local/state)",
    )
    parser.add_argument("--verbose", action="store_true", help="log more than one line a page")
    parser.add_argument(
        "--deadline",
        type=_duration,
        metavar="DURATION",
        help="stop cleanly after this long (default: 10m a page, 20m a pass)",
    )


def _add_time_options(parser: argparse._ActionsContainer) -> None:
    parser.add_argument(
        "--now", type=moment, metavar="ISO", help="the current moment (default: now)"
    )
    parser.add_argument(
        "--written-at",
        type=moment,
        metavar="ISO",
        help="when yearless dates were written (default: --now)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    ours, theirs = split_arguments(list(sys.argv[1:] if argv is None else argv))
    args = build_parser().parse_args(ours)
    args.pywikibot = theirs
    try:
        return _dispatch(args)
    except KeyboardInterrupt:  # pywikibot's "quit" at its prompt is one too
        print(f"{PROG}: {deadline.Why.OPERATOR}; {_NOTHING_HALF_DONE}", file=sys.stderr)
        return deadline.EXIT_SIGINT
    except deadline.Interrupted as stop:
        print(f"{PROG}: the run {stop}; {_NOTHING_HALF_DONE}", file=sys.stderr)
        return stop.exit_code
    except UsageError as error:
        print(f"{PROG}: {error}", file=sys.stderr)
        return EXIT_USAGE
    except Refusal as error:
        print(f"{PROG}: refused: {error}", file=sys.stderr)
        return EXIT_REFUSED
    except BrokenPipeError:  # the reader (`| head`) left; nothing to report
        sys.stderr.close()
        return EXIT_OK
    except Exception as error:  # a bug: say so in one line unless asked for the details
        if args.debug:
            traceback.print_exc()
        print(
            f"{PROG}: internal error: {type(error).__name__}: {error} "
            "(run with --debug for details)",
            file=sys.stderr,
        )
        return EXIT_BUG


#: What an interrupted run leaves: the wiki's edits are whole or not made (a save is one
#: request), and the next run finds an edit whose answer it never heard in page history.
_NOTHING_HALF_DONE = "nothing is left half done: the next run takes up what this one did not finish"


def _dispatch(args: argparse.Namespace) -> int:
    check_options(args)
    mode = mode_of(args)
    if mode == "check":
        return _check(args)
    if mode == "file":
        return _run_file(args)
    if mode in ("pass", "schedule", "check-config"):
        load_config(args.config)  # a mistake in the file is said first: it needs no pywikibot
    # pywikibot reads its folder when imported: the one it would fall back to is never used.
    os.environ["PYWIKIBOT_DIR"] = str(credentials.pywikibot_folder(getattr(args, "dir", None)))
    if args.debug:
        args.pywikibot.append("-debug")  # pywikibot's debug log too
    wiki_commands = _import_wiki_commands()
    wiki_commands.apply_pywikibot_options(args, one_page=mode in ("page", "check-page"))
    if not args.debug:
        wiki_commands.client.quiet_tracebacks()
    if mode == "check-config":
        return wiki_commands.check_config(args)
    if mode == "check-page":
        return wiki_commands.check_one(args)
    if mode == "schedule":
        return wiki_commands.schedule(args)
    if mode == "pass":
        return wiki_commands.run_pass(args)
    return wiki_commands.run_one(args)


#: The bot's options that take a value: the word after one is a value, never an option.
_TAKES_VALUE = {
    "--file",
    "--output",
    "--site",
    "--page",
    "--stop-page",
    "--dir",
    "--state",
    "--config",
    "--now",
    "--written-at",
    "--deadline",
}
#: pywikibot's spellings of the bot's own options.
_ALIASES = {"-always": "--always", "-debug": "--debug", "-help": "--help"}
_WITH_VALUE = {"-site:": "--site", "-page:": "--page", "-dir:": "--dir"}


def split_arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """The bot's arguments, and the pywikibot global options (`-simulate`, `-pt:10`...) that
    pywikibot.handle_args() will take. pywikibot's spellings of the bot's own options become
    the bot's (`-always`, `-site:X`, `-page:T`, `-dir:P`, `-debug`, `-help`); `--debug` may
    stand anywhere, as pywikibot's `-debug` may."""
    ours: list[str] = []
    theirs: list[str] = []
    debug = False
    value_next = False
    for arg in argv:
        if value_next:
            ours.append(arg)
            value_next = False
        elif arg in ("--debug", "-debug"):
            debug = True
        elif arg in _ALIASES:
            ours.append(_ALIASES[arg])
        elif prefix := next((p for p in _WITH_VALUE if arg.startswith(p)), None):
            ours.append(f"{_WITH_VALUE[prefix]}={arg[len(prefix) :]}")
        elif arg[:1] == "-" and arg[1:2].isalpha() and arg != "-h":
            theirs.append(arg)
        else:
            ours.append(arg)
            value_next = arg in _TAKES_VALUE
    return (["--debug"] if debug else []) + ours, theirs


def mode_of(args: argparse.Namespace) -> str:
    """check (of a file), check-page (of a wiki's page), file (offline run), page (one page on
    a wiki), pass (--config) or schedule."""
    if args.command == "schedule":
        return args.command
    if args.command == "check":
        if args.config is not None:
            return "check-config"
        return "check" if args.file is not None else "check-page"
    if args.file is not None:
        return "file"
    return "pass" if args.config is not None else "page"


#: Which of the bot's options each mode takes; the parser already limits schedule.
_OPTIONS = {
    "check": {"file", "now", "written_at"},
    "check-config": {"config", "dir", "verbose", "deadline"},
    "check-page": {"site", "page", "dir", "now", "verbose", "deadline"},
    "file": {"file", "output", "json", "now", "written_at"},
    "page": {
        *("site", "page", "always", "dry_run", "stop_page", "dir", "state", "json", "now"),
        *("verbose", "deadline"),
    },
    "pass": {"config", "dry_run", "state", "verbose", "dir", "now", "deadline"},
}
#: pywikibot options that pick the wiki or its account: for one page, not for a pass.
_ONE_WIKI = ("-user", "-family", "-code", "-lang")


def check_options(args: argparse.Namespace) -> None:
    """An option the mode would ignore is a mistake worth one line (exit 2), not a surprise."""
    mode = mode_of(args)
    if mode in _OPTIONS:
        for dest in vars(args):
            if dest in _OPTIONS[mode] or not _given(args, dest) or dest in _COMMON:
                continue
            raise UsageError(_why_not(f"--{dest.replace('_', '-')}", mode))
    theirs = args.pywikibot
    if theirs and mode in ("file", "check"):
        raise UsageError(
            f"{theirs[0]} is a pywikibot option; {args.command} on a file uses no wiki"
        )
    if mode in ("pass", "schedule", "check-config"):
        for option in theirs:
            if option.partition(":")[0] in _ONE_WIKI:
                raise UsageError(
                    f"{option} names one wiki or account; a pass takes its wikis from the "
                    "targets in the configuration file and the accounts from user-config.py"
                )


#: Not options of a mode: the command, --debug and what split_arguments put aside.
_COMMON = {"command", "debug", "pywikibot"}


def _given(args: argparse.Namespace, dest: str) -> bool:
    return getattr(args, dest) not in (None, False)


def _why_not(option: str, mode: str) -> str:
    if mode in ("file", "check"):
        return f"{option} is for runs on a wiki; with --file the bot only reads and writes files"
    if option == "--written-at":
        return (
            "--written-at is for --file; on a wiki, page history dates "
            "the lines written without a year"
        )
    if option == "--output":
        return f"{option} is for --file; on a wiki the bot shows the diff (--dry-run saves nothing)"
    if option == "--json":
        return "--json is for --file and for one page; a pass logs one line a target"
    if mode == "pass":
        return (
            f"{option} cannot go with --config: the targets and their settings come from the file"
        )
    return f"{option} is for --config and schedule; a run on one page prints its outcome anyway"


def _import_wiki_commands() -> ModuleType:
    """pywikibot reads its configuration when imported: only now, after --dir is applied,
    and never for the offline commands.

    Whatever importing pywikibot raises is its configuration's fault: pywikibot raises
    RuntimeError for a missing folder or user-config.py, a TypeError for a setting of the wrong
    type, exits for unsafe permissions, and user-config.py, being Python, can raise anything.
    The bot's own modules are imported separately: an error there is a bug (exit 1).
    """
    try:
        import pywikibot  # noqa: F401
    except SystemExit:
        raise UsageError("pywikibot configuration: pywikibot would not start (see above)") from None
    except Exception as error:
        raise UsageError(f"pywikibot configuration: {_first_line(error)}") from None
    from bot.cli import wiki_commands

    return wiki_commands


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _now(args: argparse.Namespace) -> datetime:
    return args.now or datetime.now(UTC)


def _run_file(args: argparse.Namespace) -> int:
    text = read_page_file(args.file)
    now = _now(args)
    result = transform(text, now, Settings(), default_written_at=args.written_at)
    if args.output is not None:
        write_atomically(args.output, result.text)
    if args.json:
        print(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        print_warnings(result)
        sys.stdout.write(unified_diff(text, result.text, str(args.file)))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    text = read_page_file(args.file)
    now = _now(args)
    print(explained(text, now, Settings(), {}, args.written_at or now))
    return EXIT_OK


def read_page_file(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    if not raw.strip():
        raise UsageError(f"{path} is empty")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{path} is not UTF-8 (byte {error.start})") from None
    # MediaWiki stores neither: a file that has them was not copied from a wiki as it is.
    if text.startswith("\ufeff"):
        raise UsageError(f"{path} starts with a byte-order mark; save it as UTF-8 without BOM")
    if "\r" in text:
        line = text.count("\n", 0, text.index("\r")) + 1
        raise UsageError(
            f"{path}: line {line} ends in a carriage return (Windows line endings); "
            "wiki pages use \\n only"
        )
    return text


def write_atomically(path: Path, text: str) -> None:
    """Writes the whole file or nothing, so an interrupted run never leaves half a page."""
    temporary = None
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as error:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None
