"""The command line: parses arguments, calls the core, maps outcomes to exit codes.

Exit codes: 0 done (changed or not), 1 a bug in the bot, 2 bad usage or unreadable input,
3 refused (page not understood or change unsafe), 4 the wiki said no or could not be reached.
"""

import argparse
import difflib
import json
import os
import sys
import tempfile
import traceback
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import Refusal, UsageError
from bot.explain import explain
from bot.page import read_page
from bot.plan import plan
from bot.report import Result
from bot.settings import Settings
from bot.transform import transform

PROG = "conversation-hours-bot"
EXIT_OK, EXIT_BUG, EXIT_USAGE, EXIT_REFUSED, EXIT_WIKI = 0, 1, 2, 3, 4


class _Parser(argparse.ArgumentParser):
    """One line on bad usage, not argparse's usage block, and exit 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{PROG}: {message} (see {PROG} --help)", file=sys.stderr)
        sys.exit(EXIT_USAGE)


def moment(value: str) -> datetime:
    """An ISO 8601 moment; one without a zone is UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not an ISO 8601 moment such as 2023-07-01T00:00:00Z"
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description=__doc__.splitlines()[0])
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run = commands.add_parser("run", help="move past sessions into the log")
    run.add_argument("--file", type=Path, metavar="PAGE", help="read wikitext from this file")
    run.add_argument("--output", type=Path, metavar="NEW", help="write the new wikitext here")
    run.add_argument("--json", action="store_true", help="print a JSON report, not the diff")
    _add_time_options(run)

    check = commands.add_parser("check", help="show what the bot understands of a page")
    check.add_argument("--file", type=Path, metavar="PAGE", required=True)
    _add_time_options(check)
    return parser


def _add_time_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--now", type=moment, metavar="ISO", help="the current moment (default: now)")
    parser.add_argument(
        "--written-at",
        type=moment,
        metavar="ISO",
        help="when yearless dates were written (default: --now)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.file is None:
            raise UsageError("run needs --file PAGE")
        return _run_file(args)
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
        print(f"{PROG}: internal error: {type(error).__name__}: {error} "
              "(run with --debug for details)", file=sys.stderr)
        return EXIT_BUG


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
        _print_warnings(result)
        sys.stdout.write(unified_diff(text, result.text, str(args.file)))
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    text = read_page_file(args.file)
    now = _now(args)
    page = read_page(text, Settings())
    decided = plan(page.blocks, now, Settings(), {}, args.written_at or now)
    transform(text, now, Settings(), default_written_at=args.written_at)  # the same refusals
    print(explain(page, decided, now))
    return EXIT_OK


def _print_warnings(result: Result) -> None:
    for warning in result.warnings:
        print(f"{PROG}: warning: {warning}", file=sys.stderr)


def read_page_file(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    if not raw.strip():
        raise UsageError(f"{path} is empty")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(f"{path} is not UTF-8 (byte {error.start})") from None


def write_atomically(path: Path, text: str) -> None:
    """Writes the whole file or nothing, so an interrupted run never leaves half a page."""
    try:
        handle, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror or error}") from None


def unified_diff(old: str, new: str, name: str) -> str:
    lines = difflib.unified_diff(
        old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=f"{name} (current)",
        tofile=f"{name} (bot)",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)
