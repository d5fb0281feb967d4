"""The wiki commands: one page for an operator, a pass over the configured targets for a job,
and the scheduler. Imported only when a command needs a wiki (it imports pywikibot)."""

import argparse
import json
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pywikibot

from bot.cli.output import PROG, print_warnings
from bot.core.report.explain import explained
from bot.core.settings import META_PAGE, META_SITE
from bot.errors import (
    EXIT_BUSY,
    EXIT_OK,
    EXIT_WIKI,
    Busy,
    Refusal,
    UsageError,
)
from bot.ops import config, lock, state
from bot.ops.config import Target
from bot.ops.scheduler import Service
from bot.wiki import client, flow, runner

log = logging.getLogger("conversation-hours-bot")


def apply_pywikibot_options(args: argparse.Namespace, one_page: bool) -> None:
    """Hands pywikibot its global options (`-simulate`, `-user:NAME`, `-pt:10`...) before any
    site exists, as pywikibot.handle_args() requires; `-dir:` was applied before the import,
    since pywikibot reads its folder then. For one page, the site the bot will use becomes
    pywikibot's default first, so that `-user:` names the account there; `-family:`/`-code:`
    without --site pick the site, as in any pywikibot script."""
    options = args.pywikibot
    if not options:
        return
    picks_site = [o for o in options if o.partition(":")[0] in ("-family", "-code", "-lang")]
    if one_page and picks_site and args.site:
        raise UsageError(f"{picks_site[0]} cannot go with --site: both name the wiki")
    if one_page and not picks_site:
        family, _, code = (args.site or META_SITE).partition(":")
        pywikibot.config.family, pywikibot.config.mylang = family, code or family
    try:
        unknown = pywikibot.handle_args(options, do_help=False)
    except ValueError as error:
        raise UsageError(f"pywikibot option: {error}") from None
    except SystemExit:  # pywikibot said why (an unknown family or code) and gave up
        raise UsageError(f"pywikibot refused the options {' '.join(options)}") from None
    if unknown:
        raise UsageError(f"unknown option {unknown[0]} (see {PROG} run --help)")
    if one_page and picks_site:
        args.site = f"{pywikibot.config.family}:{pywikibot.config.mylang}"


def run_one(args: argparse.Namespace) -> int:
    """`run` on one page, the way pywikibot operators expect: show the diff, ask, save."""
    if not args.always and not args.dry_run and not sys.stdin.isatty():
        raise UsageError("no terminal to ask on before saving; pass --always (or --dry-run)")
    target = Target(
        site=args.site or META_SITE, title=args.page or META_PAGE, stop_page=args.stop_page
    )
    review = _review(ask=not (args.always or args.dry_run), save=not args.dry_run)
    where = f"[[{target.title}]] on {target.site}"
    try:
        folder = state.prepare(args.state or lock.DEFAULT_STATE)
        with lock.exclusive(folder):
            memory = state.load(folder)
            outcome = runner.run_target(target, review, args.dry_run, args.now, memory)
            if not args.dry_run:  # a dry run remembers nothing, as in a pass
                state.save(folder, memory)
    except Busy as busy:
        print(f"{PROG}: {where}: {busy}", file=sys.stderr)
        return EXIT_BUSY
    except Refusal as refusal:
        raise Refusal(f"{where}: {refusal}") from None
    except client.WIKI_FAILURES as error:  # the bot's WikiError among them
        return _wiki_failed(where, client.reason(error))
    if args.json:
        print(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    if outcome.result is not None:
        print_warnings(outcome.result)
    print(f"{where}: {outcome.message}")
    return EXIT_OK


def check_one(args: argparse.Namespace) -> int:
    """`check` on a wiki page: the bot's reading, as for a file, with its lines dated from page
    history and, per language, what a run would write. Saves, marks and remembers nothing."""
    target = Target(site=args.site or META_SITE, title=args.page or META_PAGE)
    where = f"[[{target.title}]] on {target.site}"
    now = args.now or datetime.now(UTC)
    try:
        checked = runner.check_target(target, now)
    except Refusal as refusal:
        raise Refusal(f"{where}: {refusal}") from None
    except client.WIKI_FAILURES as error:  # the bot's WikiError among them
        return _wiki_failed(where, client.reason(error))
    print(f"{where}:")
    print(explained(checked.text, now, target.settings, checked.written_at, now))
    if checked.translations is not None:
        print("\n".join(checked.translations.parts()))
    return EXIT_OK


def _wiki_failed(where: str, reason: str) -> int:
    print(f"{PROG}: {where}: {reason}", file=sys.stderr)
    return EXIT_WIKI


def _review(ask: bool, save: bool) -> flow.Review:
    """pywikibot's habit: show the diff, then ask unless told --always."""

    def review(old: str, new: str, summary: str) -> bool:
        pywikibot.showDiff(old, new, context=3)
        pywikibot.info(f"Edit summary: {summary}")
        if not ask:
            return save
        return pywikibot.input_yn(
            "Do you want to accept these changes?", default=False, automatic_quit=False
        )

    return review


def run_pass(args: argparse.Namespace) -> int:
    """`run --config`: one unattended pass over every target (what a Toolforge job calls)."""
    settings = config.load(args.config)
    setup_logging(args.verbose)
    folder = state.prepare(args.state or settings.state_dir)
    try:
        with lock.exclusive(folder):
            return _remembered_pass(settings, folder, args.now, args.dry_run)
    except Busy as busy:
        log.error("%s", busy)
        return EXIT_BUSY


def _remembered_pass(
    settings: config.Config, folder: Path, now: datetime | None, dry_run: bool
) -> int:
    """A pass with the state folder's memory. It exits non-zero (which makes Toolforge mail,
    with `emails: onfailure`) only when a target's failure is news: a failure that persists
    is logged ("still failing") and shown on the status page, a recovery is logged. A dry run
    remembers nothing and exits with its outcomes' code, for the operator who runs it."""
    memory = state.load(folder)
    outcomes = runner.run_pass(settings.targets, now, dry_run, memory)
    if dry_run:
        return flow.exit_code(outcomes)
    transitions = [o.news for o in outcomes if o.news is not None]
    try:
        state.save(folder, memory)
    except OSError as error:
        log.warning("could not save the state in %s: %s", folder, error.strerror or error)
    return state.exit_code(flow.exit_code(outcomes), transitions)


def schedule(args: argparse.Namespace) -> int:
    """`schedule`: passes on the configured cron schedule until SIGTERM or Ctrl-C."""
    settings = config.load(args.config)
    setup_logging(args.verbose)
    folder = state.prepare(args.state or settings.state_dir)

    def one_pass() -> None:
        try:
            with lock.exclusive(folder, wait=60):
                _remembered_pass(settings, folder, None, False)
        except Busy as busy:
            log.warning("pass skipped: %s", busy)

    Service(settings.schedule, one_pass).start()
    log.info("scheduler stopped")
    return EXIT_OK


def setup_logging(verbose: bool) -> None:
    """Plain UTC-stamped lines on stdout: what Toolforge keeps in the job's log file."""
    handler = logging.StreamHandler(sys.stdout)
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False
