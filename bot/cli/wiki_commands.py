"""The wiki commands: one page for an operator, a pass over the configured targets for a job,
and the scheduler. Imported only when a command needs a wiki (it imports pywikibot)."""

import argparse
import json
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

import pywikibot

from bot.cli.output import PROG, print_warnings
from bot.core.report.explain import explained
from bot.core.settings import META_PAGE, META_SITE
from bot.errors import (
    EXIT_BUSY,
    EXIT_OK,
    EXIT_USAGE,
    EXIT_WIKI,
    Busy,
    Refusal,
    UsageError,
)
from bot.ops import config, deadline, lock, state
from bot.ops.config import Target
from bot.ops.scheduler import Service
from bot.wiki import client, flow, preflight, runner

log = logging.getLogger("conversation-hours-bot")


#: pywikibot's global options (pywikibot.bot.handle_args), besides -SETTING:NUMBER.
_GLOBAL_OPTIONS = {
    *("-config", "-dir", "-site", "-family", "-code", "-lang", "-user", "-log", "-nolog"),
    *("-putthrottle", "-pt", "-cosmeticchanges", "-cc", "-simulate", "-debug", "-verbose"),
    *("-v", "-maxlag"),
}


def option_problem(option: str) -> str | None:
    """What is wrong with one pywikibot option, checked before pywikibot sees it: an unknown
    one, or a value of the wrong kind, must not get as far as opening a site."""
    name, _, value = option.partition(":")
    if name == "-daemonize":
        return "-daemonize is not for this bot: run it as a job, or with the scheduler"
    numeric = {"-pt": float, "-putthrottle": float, "-maxlag": int}
    setting = getattr(pywikibot.config, name[1:], None)
    if name not in _GLOBAL_OPTIONS and isinstance(setting, int) and not isinstance(setting, bool):
        numeric[name] = int
    elif name not in _GLOBAL_OPTIONS:
        return f"unknown option {option} (see {PROG} run --help)"
    if name in numeric:
        try:
            numeric[name](value)
        except ValueError:
            return f"{option}: {name} takes a number"
    return None


def apply_pywikibot_options(args: argparse.Namespace, one_page: bool) -> None:
    """Hands pywikibot its global options (`-simulate`, `-user:NAME`, `-pt:10`...) before any
    site exists, as pywikibot.handle_args() requires; `-dir:` was applied before the import,
    since pywikibot reads its folder then. Every option is checked first, and handle_args()
    opens no site (it would open the default one, Meta, and log in there): the bot checks the
    site the options name itself. For one page, the site the bot will use becomes pywikibot's
    default first, so that `-user:` names the account there; `-family:`/`-code:` without
    --site pick the site, as in any pywikibot script."""
    options = args.pywikibot
    if not options:
        return
    for option in options:
        problem = option_problem(option)
        if problem:
            raise UsageError(problem)
    picks_site = [o for o in options if o.partition(":")[0] in ("-family", "-code", "-lang")]
    if one_page and picks_site and args.site:
        raise UsageError(f"{picks_site[0]} cannot go with --site: both name the wiki")
    if one_page and not picks_site:
        family, _, code = config.site_spec(args.site or META_SITE).partition(":")
        pywikibot.config.family, pywikibot.config.mylang = family, code
    unknown = _handle_args_without_site(options)
    if unknown:
        raise UsageError(f"unknown option {unknown[0]} (see {PROG} run --help)")
    if one_page and picks_site:
        args.site = f"{pywikibot.config.family}:{pywikibot.config.mylang}"
        client.check_site(args.site)


def _handle_args_without_site(options: list[str]) -> list[str]:
    """pywikibot.handle_args() ends by opening the default site, which makes requests (its
    cookie login) before the bot has said which wiki it means: here it opens none."""
    real = pywikibot.Site
    pywikibot.Site = lambda *args, **kwargs: None
    try:
        return list(pywikibot.handle_args(options, do_help=False))
    except ValueError as error:
        raise UsageError(f"pywikibot option: {error}") from None
    finally:
        pywikibot.Site = real


def run_one(args: argparse.Namespace) -> int:
    """`run` on one page, the way pywikibot operators expect: show the diff, ask, save."""
    if not args.always and not args.dry_run and not sys.stdin.isatty():
        raise UsageError("no terminal to ask on before saving; pass --always (or --dry-run)")
    target = Target(
        site=config.site_spec(args.site or META_SITE),
        title=args.page or META_PAGE,
        stop_page=args.stop_page,
    )
    client.check_site(target.site)
    setup_logging(args.verbose, stream=sys.stderr, stamped=False)
    review = _review(ask=not (args.always or args.dry_run), save=not args.dry_run)
    where = f"[[{target.title}]] on {target.site}"
    seconds = args.deadline or deadline.ONE_PAGE
    client.limit_requests(deadline.request_seconds(seconds))
    folder = state.prepare(args.state or lock.DEFAULT_STATE)
    try:
        with deadline.stopped_by_signals(), deadline.run_deadline(seconds), lock.exclusive(folder):
            memory = state.load(folder)
            outcome = runner.run_target(target, review, args.dry_run, args.now, memory)
            if not args.dry_run:  # a dry run remembers nothing, as in a pass
                _remember(folder, memory, outcome, where)
    except Busy as busy:
        print(f"{PROG}: {where}: {busy}", file=sys.stderr)
        return EXIT_BUSY
    except Refusal as refusal:
        raise Refusal(f"{where}: {refusal}") from None
    except client.WIKI_FAILURES as error:  # the bot's WikiError among them
        return _wiki_failed(where, client.failure(target.site, error))
    except deadline.Interrupted as stop:
        return _stopped(where, stop)
    if args.json:
        print(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2))
        return EXIT_OK
    if outcome.result is not None:
        print_warnings(outcome.result)
    print(f"{where}: {outcome.message}")
    return EXIT_OK


def _remember(folder: Path, memory: state.Memory, outcome: flow.Outcome, where: str) -> None:
    """Saves what the run learnt; when the disk will not take it, the operator learns what was
    saved on the wiki all the same, and what could not be recorded (exit 2)."""
    try:
        state.save(folder, memory)
    except OSError as error:
        done = f"{where}: {outcome.message}" if outcome.status == flow.Ending.EDITED else where
        raise UsageError(
            f"{done}; but the state folder {folder} could not record it "
            f"({error.strerror or error}): the next run reads page history instead"
        ) from None


def check_one(args: argparse.Namespace) -> int:
    """`check` on a wiki page: the bot's reading, as for a file, with its lines dated from page
    history and, per language, what a run would write. Saves, marks and remembers nothing."""
    target = Target(site=config.site_spec(args.site or META_SITE), title=args.page or META_PAGE)
    client.check_site(target.site)
    setup_logging(args.verbose, stream=sys.stderr, stamped=False)
    where = f"[[{target.title}]] on {target.site}"
    now = args.now or datetime.now(UTC)
    seconds = args.deadline or deadline.ONE_PAGE
    client.limit_requests(deadline.request_seconds(seconds))
    try:
        with deadline.stopped_by_signals(), deadline.run_deadline(seconds):
            checked = runner.check_target(target, args.now)
    except Refusal as refusal:
        raise Refusal(f"{where}: {refusal}") from None
    except client.WIKI_FAILURES as error:  # the bot's WikiError among them
        return _wiki_failed(where, client.failure(target.site, error))
    except deadline.Interrupted as stop:
        return _stopped(where, stop)
    print(f"{where}:")
    print(explained(checked.text, now, target.settings, checked.written_at, now))
    if checked.translations is not None:
        print("\n".join(checked.translations.parts()))
    return EXIT_OK


def check_config(args: argparse.Namespace) -> int:
    """`check --config`: what would stop the bot's passes, one line a problem, exit 2 when
    any; the first thing an operator runs (README, "Usage")."""
    settings = config.load(args.config)
    setup_logging(args.verbose, stream=sys.stderr, stamped=False)
    seconds = args.deadline or deadline.ONE_PAGE
    client.limit_requests(deadline.request_seconds(seconds))
    with deadline.stopped_by_signals(), deadline.run_deadline(seconds):
        problems = preflight.problems(settings)
    for problem in problems:
        print(f"{PROG}: problem: {problem}")
    if problems:
        print(f"{PROG}: {len(problems)} problem(s); no pass can be trusted until they are fixed")
        return EXIT_USAGE
    count = len(settings.targets)
    print(f"{PROG}: ready: {count} target(s) checked, nothing in the way")
    return EXIT_OK


def _stopped(where: str, stop: deadline.Interrupted) -> int:
    """A run stopped by its deadline or SIGTERM: one line naming the page; nothing is half
    done (a save is one request; one whose answer was lost is found by the next run)."""
    print(
        f"{PROG}: {where}: the run {stop}; the next run takes up what this one did not finish",
        file=sys.stderr,
    )
    return stop.exit_code


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
    for target in settings.targets:
        client.check_site(target.site)
    setup_logging(args.verbose)
    folder = state.prepare(args.state or settings.state_dir)
    seconds = args.deadline or settings.deadline.total_seconds()
    client.limit_requests(deadline.request_seconds(seconds))
    try:
        with deadline.stopped_by_signals(), deadline.run_deadline(seconds), lock.exclusive(folder):
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
    remembers nothing and exits with its outcomes' code, for the operator who runs it. A pass
    stopped on the way (its deadline, SIGTERM) saves what it learnt and says so."""
    memory = state.load(folder)
    client.forget_failed_logins()
    stopped = None
    try:
        outcomes = runner.run_pass(settings.targets, now, dry_run, memory, settings.optins)
    except runner.PassStopped as stop:
        outcomes, stopped = stop.outcomes, stop.stop
    if not dry_run:
        try:
            state.save(folder, memory)
        except OSError as error:
            log.warning(
                "could not record this pass in %s (%s); the edits above stand, and the next "
                "pass reads page history instead",
                folder,
                error.strerror or error,
            )
    if stopped is not None:
        log.error("pass %s; the next pass takes up what this one did not finish", stopped)
        return stopped.exit_code
    if dry_run:
        return flow.exit_code(outcomes)
    transitions = [o.news for o in outcomes if o.news is not None]
    return state.exit_code(flow.exit_code(outcomes), transitions)


def schedule(args: argparse.Namespace) -> int:
    """`schedule`: passes on the configured cron schedule until SIGTERM or Ctrl-C."""
    settings = config.load(args.config)
    for target in settings.targets:
        client.check_site(target.site)
    setup_logging(args.verbose)
    folder = state.prepare(args.state or settings.state_dir)
    seconds = args.deadline or settings.deadline.total_seconds()
    client.limit_requests(deadline.request_seconds(seconds))

    def one_pass() -> None:
        try:
            with lock.exclusive(folder, wait=60):
                _remembered_pass(settings, folder, None, False)
        except Busy as busy:
            log.warning("pass skipped: %s", busy)

    Service(settings.schedule, one_pass, pass_seconds=seconds).start()
    log.info("scheduler stopped")
    return EXIT_OK


def setup_logging(verbose: bool, stream: TextIO | None = None, stamped: bool = True) -> None:
    """Plain UTC-stamped lines on stdout: what Toolforge keeps in the job's log file. For an
    operator's run on one page, plain lines on stderr: progress and warnings."""
    handler = logging.StreamHandler(stream or sys.stdout)
    if stamped:
        formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(message)s", "%Y-%m-%dT%H:%M:%S")
    else:
        formatter = logging.Formatter(f"{PROG}: %(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if verbose else logging.INFO)
    log.propagate = False
