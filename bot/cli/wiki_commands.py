"""The wiki commands: one page for an operator, a pass over the configured targets for a job,
and the scheduler. Imported only when a command needs a wiki (it imports pywikibot)."""

import argparse
import logging
import sys
import time

import pywikibot

from bot.cli.output import PROG, print_warnings
from bot.core.settings import META_PAGE, META_SITE
from bot.errors import (
    EXIT_BUSY,
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_WIKI,
    Busy,
    Refusal,
    UsageError,
    WikiError,
)
from bot.ops import config, lock
from bot.ops.config import Target
from bot.ops.scheduler import Service
from bot.wiki import client, runner

log = logging.getLogger("conversation-hours-bot")


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
        with lock.exclusive(args.state or lock.DEFAULT_STATE):
            outcome = runner.run_target(target, review, args.dry_run, args.now)
    except Busy as busy:
        print(f"{PROG}: {where}: {busy}", file=sys.stderr)
        return EXIT_BUSY
    except Refusal as refusal:
        raise Refusal(f"{where}: {refusal}") from None
    except WikiError as error:
        return _wiki_failed(where, str(error))
    except client.WIKI_FAILURES as error:
        return _wiki_failed(where, client.reason(error))
    if outcome.result is not None:
        print_warnings(outcome.result)
    print(f"{where}: {outcome.message}")
    return EXIT_OK


def _wiki_failed(where: str, reason: str) -> int:
    print(f"{PROG}: {where}: {reason}", file=sys.stderr)
    return EXIT_WIKI


def _review(ask: bool, save: bool) -> runner.Review:
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
    try:
        with lock.exclusive(args.state or settings.state_dir):
            outcomes = runner.run_pass(settings.targets, args.now, args.dry_run)
    except Busy as busy:
        log.error("%s", busy)
        return EXIT_BUSY
    return exit_code(outcomes)


def exit_code(outcomes: list[runner.Outcome]) -> int:
    statuses = {o.status for o in outcomes}
    if "failed" in statuses:
        return EXIT_WIKI
    if "refused" in statuses:
        return EXIT_REFUSED
    return EXIT_OK


def schedule(args: argparse.Namespace) -> int:
    """`schedule`: passes on the configured cron schedule until SIGTERM or Ctrl-C."""
    settings = config.load(args.config)
    setup_logging(args.verbose)
    state = args.state or settings.state_dir

    def one_pass() -> None:
        try:
            with lock.exclusive(state, wait=60):
                runner.run_pass(settings.targets)
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
