"""The command line: parses arguments, calls the core, maps outcomes to exit codes.

Exit codes: 0 done (changed or not), 1 a bug in the bot, 2 bad usage, unreadable input or bad
configuration, 3 refused (page not understood or change unsafe), 4 the wiki said no or could
not be reached, 5 another run holds the lock.
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

from bot.cli.output import PROG, print_warnings, unified_diff
from bot.core.explain import explain
from bot.core.plan import plan
from bot.core.reader import read_page
from bot.core.settings import META_PAGE, META_SITE, Settings
from bot.core.transform import transform, transform_page
from bot.errors import (
    EXIT_BUG,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_USAGE,
    Refusal,
    UsageError,
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


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="move past sessions into the log")
    offline = run.add_argument_group("offline, on a file")
    offline.add_argument("--file", type=Path, metavar="PAGE", help="read wikitext from this file")
    offline.add_argument("--output", type=Path, metavar="NEW", help="write the new wikitext here")
    offline.add_argument("--json", action="store_true", help="print a JSON report, not the diff")
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

    check = commands.add_parser("check", help="show what the bot understands of a page")
    check.add_argument("--file", type=Path, metavar="PAGE", required=True)
    _add_time_options(check)
    return parser


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
    args = build_parser().parse_args(_pywikibot_dir(list(sys.argv[1:] if argv is None else argv)))
    try:
        return _dispatch(args)
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


def _dispatch(args: argparse.Namespace) -> int:
    if args.command == "check":
        return _check(args)
    if args.command == "run" and args.file is not None:
        return _run_file(args)
    _refuse_ignored_options(args)
    if getattr(args, "dir", None):
        os.environ["PYWIKIBOT_DIR"] = str(Path(args.dir).resolve())
    wiki_commands = _import_wiki_commands()
    if not args.debug:
        wiki_commands.client.quiet_tracebacks()
    if args.command == "schedule":
        return wiki_commands.schedule(args)
    if args.config is not None:
        return wiki_commands.run_pass(args)
    return wiki_commands.run_one(args)


def _refuse_ignored_options(args: argparse.Namespace) -> None:
    """An option that would be silently ignored is a mistake worth one line, not a surprise."""
    if args.command == "run" and args.config is not None:
        given = [
            f"--{n.replace('_', '-')}"
            for n in ("site", "page", "stop_page", "always")
            if getattr(args, n)
        ]
        if given:
            raise UsageError(
                f"{', '.join(given)} cannot go with --config: "
                "the targets and their settings come from the file"
            )
    if getattr(args, "written_at", None) is not None:
        raise UsageError(
            "--written-at is for --file; on a wiki, page history dates "
            "the lines written without a year"
        )


def _pywikibot_dir(argv: list[str]) -> list[str]:
    """Accepts pywikibot's own `-dir:PATH` spelling too."""
    return [f"--dir={a[5:]}" if a.startswith("-dir:") else a for a in argv]


def _import_wiki_commands():  # type: ignore[no-untyped-def]
    """pywikibot reads its configuration when imported: only now, after --dir is applied,
    and never for the offline commands."""
    try:
        from bot.cli import wiki_commands
    except Exception as error:  # pywikibot's own configuration errors
        raise UsageError(f"pywikibot configuration: {error}") from None
    return wiki_commands


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
    settings = Settings()
    page = read_page(text, settings)
    transform_page(page, now, settings, default_written_at=args.written_at)  # run's refusals
    print(explain(page, plan(page.blocks, now, settings, {}, args.written_at or now), now))
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
