"""Everything that talks to a wiki, through pywikibot: read the page and its history, save.

pywikibot is imported here only, and only when a run needs a wiki, so that the offline
commands start fast and `PYWIKIBOT_DIR` can be set from the command line first.
"""

import fnmatch
import functools
import logging
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import ParamSpec, TypeVar

import pywikibot
import requests
from pywikibot import exceptions as pwb

from bot.errors import BotError, EditConflict, Refusal, UsageError, WikiError
from bot.ops import credentials, deadline
from bot.wiki import history

#: What the wiki or the network can raise: pywikibot's errors, requests' (a network failure
#: pywikibot passes on), the builtin ConnectionError (pywikibot's word for a host it cannot
#: resolve or reach) and the bot's own word for a wiki that said no. Anything else, another
#: OSError included (the state folder's), is a bug or the machine's problem, not the wiki's.
WIKI_FAILURES: tuple[type[BaseException], ...] = (
    pwb.Error,
    requests.exceptions.RequestException,
    ConnectionError,
    WikiError,
)


P = ParamSpec("P")
R = TypeVar("R")

#: What reading an answer of another shape raises: valid JSON, but not what the API returns.
_SHAPE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ValueError)


def answer_shape(doing: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """An answer of the wrong shape (`{"batchcomplete": true}` where pages were asked for) is
    the wiki's failure, said as such (exit 4, and the next run finishes), not the bot's bug."""

    def wrap(function: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(function)
        def checked(*args: P.args, **kwargs: P.kwargs) -> R:
            try:
                return function(*args, **kwargs)
            except _SHAPE_ERRORS as error:
                raise WikiError(
                    f"the wiki's answer to {doing} was not what its API returns "
                    f"({type(error).__name__}: {error})"
                ) from None

        return checked

    return wrap


#: A look into history that cannot be trusted now: the caller goes on as if nothing was found.
_LOOKING_FAILED: tuple[type[BaseException], ...] = (*WIKI_FAILURES, *_SHAPE_ERRORS)


@dataclass(frozen=True)
class Snapshot:
    """The page as the bot read it; `page` remembers the revision, so a save detects conflicts."""

    page: pywikibot.Page
    text: str
    revid: int


def limit_requests(seconds: float) -> None:
    """Every HTTP request pywikibot makes must be answered in full within `seconds` (see
    bot.ops.deadline); pywikibot retries one that is not, as any failed request."""
    from pywikibot.comms import http

    session = http.session
    original = getattr(session, "_unlimited_request", None) or session.request

    def request(*args: object, **kwargs: object) -> object:
        with deadline.request_deadline(seconds):
            return original(*args, **kwargs)

    session._unlimited_request = original
    session.request = request


def site_problem(spec: str) -> str | None:
    """What is wrong with FAMILY:CODE, without a request: an unknown family (none of
    pywikibot's, none in user-config's family_files) or a code the family does not have."""
    family, _, code = spec.partition(":")
    code = code or family
    try:
        known = pywikibot.family.Family.load(family)
    except pwb.UnknownFamilyError:
        return f"site {spec!r}: pywikibot knows no family {family!r}"
    if code not in known.langs:
        return f"site {spec!r}: the family {family!r} has no code {code!r}"
    return None


def check_site(spec: str) -> None:
    """Refuses (exit 2) a site that cannot exist, before anything is asked of it."""
    problem = site_problem(spec)
    if problem:
        raise UsageError(problem)


def open_site(spec: str) -> pywikibot.site.BaseSite:
    """`meta:meta`, `wikipedia:en`, `devwiki:en`: pywikibot's FAMILY:CODE."""
    family, _, code = spec.partition(":")
    try:
        site = pywikibot.Site(code or family, family)
    except pwb.SiteDefinitionError as error:
        raise UsageError(f"unknown site {spec!r}: {error}") from None
    _first_save_unthrottled(site)
    return site


def api_url(spec: str) -> str:
    """Where the site's API is, for a message about a wiki that cannot be reached."""
    family, _, code = spec.partition(":")
    try:
        known = pywikibot.family.Family.load(family)
        code = code or family
        return f"{known.protocol(code)}://{known.hostname(code)}{known.apipath(code)}"
    except Exception:  # a family file is Python: the message must not fail for it
        return spec


#: Network failures: the wiki did not answer at all (as opposed to answering no).
_UNREACHABLE: tuple[type[BaseException], ...] = (
    ConnectionError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
)


def failure(spec: str, error: BaseException) -> str:
    """One line for what the wiki or the network raised: a wiki that cannot be reached is
    named by its URL with the cause, not by pywikibot's retry log (which --debug keeps)."""
    cause = _network.cause
    if isinstance(error, _UNREACHABLE) or (isinstance(error, pwb.ApiTimeoutError) and cause):
        return f"cannot reach {api_url(spec)}: {cause or _cause(error)}"
    return reason(error)


@dataclass
class _NetworkCause:
    """The last network failure pywikibot logged: the cause a run's one line names."""

    cause: str = ""


_network = _NetworkCause()
_NETWORK_ERROR = re.compile(
    r"(requests\.exceptions\.\w+|ConnectionError|RequestTooSlow|TimeoutError|Timeout)\b"
)


def _cause(error: BaseException) -> str:
    """The innermost reason of a network failure (`Connection refused`, `the host name does not
    resolve`, `timed out`), not urllib3's retry report with the whole URL in it."""
    text = " ".join(str(error).split())
    if "NameResolutionError" in text or "Failed to resolve" in text:
        return "the host name does not resolve"
    found = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if found:
        return found[1].strip()
    if "timed out" in text.lower():
        return "timed out"
    return reason(error) if len(text) < 120 else type(error).__name__


#: Sites whose throttle this process has already set up.
_throttled: set[str] = set()


def _first_save_unthrottled(site: pywikibot.site.BaseSite) -> None:
    """No wait before this process's first save on a site, the spacing kept between saves.

    pywikibot's Throttle starts its write clock when it is made (`set_delays` stamps
    `last_write` with the current time), so the first save of a run waits `put_throttle`
    seconds for a save that never happened. `last_write` is the moment of the last write the
    throttle spaces from; 0.0, its value before any write, says there was none. Only once per
    site and process: a scheduler's later passes keep the spacing from the saves before.
    """
    if str(site) in _throttled:
        return
    _throttled.add(str(site))
    site.throttle.last_write = 0.0


def bot_name(site: pywikibot.site.BaseSite) -> str | None:
    """The account configured in user-config.py for this site (no request needed)."""
    return site.username()


def has_right(site: pywikibot.site.BaseSite, right: str) -> bool:
    """Whether the account logged in has `right` (from the user info pywikibot keeps)."""
    return bool(site.has_right(right))


@answer_shape("reading the pages")
def read_many(
    site: pywikibot.site.BaseSite, titles: list[str], extra_titles: list[str]
) -> tuple[dict[str, pywikibot.Page], dict[str, pywikibot.Page]]:
    """The pages, and those of `extra_titles` that exist (the stop and status pages), in one
    batch (pywikibot's preloading). Templates come along so that the {{bots}} check needs no
    request of its own."""
    wanted = [pywikibot.Page(site, title) for title in [*titles, *extra_titles]]
    loaded = {p.title(): p for p in site.preloadpages(wanted, templates=True, langlinks=False)}
    pages = {t: loaded.get(_norm(site, t)) or pywikibot.Page(site, t) for t in titles}
    extras = {}
    for title in extra_titles:
        page = loaded.get(_norm(site, title))
        if page is not None and page.exists():
            extras[title] = page
    return pages, extras


def _norm(site: pywikibot.site.BaseSite, title: str) -> str:
    return pywikibot.Page(site, title).title()


def snapshot(pages: dict[str, pywikibot.Page], title: str) -> Snapshot:
    page = pages[title]
    _check_page(page, title)
    return Snapshot(page, page.text, page.latest_revision_id)


@answer_shape("reading the page again")
def reread(snapshot: Snapshot) -> Snapshot:
    """The page again, after an edit conflict."""
    page = pywikibot.Page(snapshot.page.site, snapshot.page.title())
    _check_page(page, page.title())
    return Snapshot(page, page.get(force=True), page.latest_revision_id)


def _check_page(page: pywikibot.Page, title: str) -> None:
    # The caller's line names the page already.
    if not page.exists():
        raise WikiError("the page does not exist (the bot never creates pages)")
    if page.isRedirectPage():
        raise Refusal("the page is a redirect; the bot edits only the page it was given")
    if not page.botMayEdit():
        raise WikiError("the page excludes this bot with {{bots}} or {{nobots}}")


@answer_shape("reading the page history")
def written_at(snapshot: Snapshot, lines: Iterable[str], limit: int) -> dict[str, datetime | None]:
    """When each line was first written, from the page history (see history.first_written)."""
    lines = list(lines)
    if not lines:
        return {}
    return history.first_written(snapshot.page.revisions(total=limit, content=True), lines, limit)


#: Sites whose login failed in this process, with why: a wrong password is tried once a
#: pass, never again for the status page (repeated failed logins trip Wikimedia's throttles).
_failed_logins: dict[str, BotError] = {}


def login(site: pywikibot.site.BaseSite) -> None:
    """Logs in, once: a login that failed is not tried again in this process."""
    failed = _failed_logins.get(str(site))
    if failed is not None:
        raise failed
    try:
        _login(site)
    except (WikiError, UsageError) as error:
        _failed_logins[str(site)] = error
        raise


def forget_failed_logins() -> None:
    """A scheduler's next pass tries again (an operator may have fixed the password)."""
    _failed_logins.clear()


@answer_shape("logging in")
def _login(site: pywikibot.site.BaseSite) -> None:
    try:
        site.login()
    except pwb.NoUsernameError as error:
        raise WikiError(f"cannot log in to {site}: {error}") from None
    except ValueError as error:  # pywikibot's word for a malformed password file
        raise UsageError(f"pywikibot password file: {error}") from None
    except pwb.Error as error:
        # A login whose answer was lost may have succeeded; the session says.
        if not _session_alive(site):
            raise WikiError(f"cannot log in to {site}: {reason(error)}") from None
    if not site.logged_in():
        raise WikiError(f"cannot log in to {site} as {site.username()}")


def _session_alive(site: pywikibot.site.BaseSite) -> bool:
    try:
        del site.userinfo  # forget what pywikibot cached, and ask the wiki again
        site.userinfo  # noqa: B018 (the property makes the request)
        return site.logged_in()
    except WIKI_FAILURES:
        return False


@answer_shape("saving the status page")
def replace(page: pywikibot.Page, text: str, summary: str) -> None:
    """Rewrites one of the bot's own pages (the status page) against the revision read."""
    page.text = text
    page.save(summary=summary, minor=True, bot=True, nocreate=True, quiet=True)


@answer_shape("adding to the report page")
def append(site: pywikibot.site.BaseSite, title: str, line: str, summary: str) -> None:
    """Adds a line at the end of an existing page (the report page); never creates it."""
    page = pywikibot.Page(site, title)
    site.editpage(
        page, summary=summary, appendtext=f"\n{line}", nocreate=True, minor=True, bot=True
    )


def credential_problems(specs: list[str]) -> list[str]:
    """What would make pywikibot fail, prompt or print a secret when the bot logs in to these
    sites (FAMILY:CODE): no account, no password file (and no OAuth), a file others can read,
    a line of the wrong shape, an account it has no password for. One line each, no content,
    and no request: checked before pywikibot opens a site (which logs in with its cookies)."""
    config = pywikibot.config
    accounts, problems = [], []
    for spec in specs:
        family, _, code = spec.partition(":")
        name = account_name(family, code or family)
        if not name:
            problems.append(f"no account for {spec} in user-config.py (usernames)")
        elif not _oauth(family, code or family):
            accounts.append(credentials.Account(family, code or family, name))
    if not config.password_file:
        if accounts:
            problems.append(
                "user-config.py sets no password_file and no OAuth (authenticate): pywikibot "
                "would ask for the password"
            )
        return problems
    path = Path(config.base_dir, config.password_file)
    return problems + credentials.password_problems(path, accounts)


def account_name(family: str, code: str) -> str | None:
    """The account user-config.py names for the site, as pywikibot picks it."""
    names = pywikibot.config.usernames.get(family, {})
    name = names.get(code) or names.get("*") or pywikibot.config.usernames.get("*", {}).get("*")
    return str(name) if name else None


def _oauth(family: str, code: str) -> bool:
    """Whether user-config.py gives this site OAuth keys (pywikibot's `authenticate`)."""
    try:
        host = pywikibot.family.Family.load(family).hostname(code)
    except Exception:  # a family file is Python; check_site has said what is wrong with it
        return False
    return any(fnmatch.fnmatch(host, pattern) for pattern in pywikibot.config.authenticate)


def check_credentials(spec: str) -> None:
    """Refuses (exit 2) a site that cannot exist, or credentials pywikibot would stumble on,
    before any request."""
    check_site(spec)
    problems = credential_problems([spec])
    if problems:
        raise UsageError(problems[0])


def reason(error: BaseException) -> str:
    """One line for a log or a terminal, from whatever pywikibot or the network raised."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) < 300 else text[:297] + "..."


def diff_url(site: pywikibot.site.BaseSite, revid: int) -> str:
    """Where an editor reviews the bot's edit."""
    return site.base_url(site.articlepath.format(f"Special:Diff/{revid}"))


@answer_shape("asking the time")
def wiki_time(site: pywikibot.site.BaseSite) -> datetime:
    """The wiki's clock (the API's `curtimestamp`), in one small request."""
    data = site.simple_request(action="query", curtimestamp=1).submit()
    try:
        return datetime.fromisoformat(data["curtimestamp"].replace("Z", "+00:00"))
    except (KeyError, TypeError, AttributeError, ValueError):
        raise WikiError("the wiki's answer had no curtimestamp") from None


def simulating() -> bool:
    """pywikibot's `simulate` (user-config or -simulate): writes are answered, not made."""
    return bool(pywikibot.config.simulate)


def save(snapshot: Snapshot, text: str, summary: str) -> int | None:
    """One bot edit against the revision that was read; returns the new revision id, or None
    when pywikibot only simulated it (it then answers "no change", and the page's revision id
    is still the one read, which is not the bot's).

    `nocreate` so a page deleted in between is not recreated; pywikibot sends the base
    revision's timestamp, so an edit made in between raises EditConflictError. When the
    answer to a save is lost (a timeout, a cut-off body), the edit may have landed all the
    same: the history says, so the bot neither reports a failure that did not happen nor
    links the wrong revision.
    """
    page = snapshot.page
    page.text = text
    try:
        page.save(summary=summary, minor=False, bot=True, nocreate=True, quiet=True)
    except pwb.EditConflictError as conflict:
        raise EditConflict(str(conflict)) from None
    except _LOOKING_FAILED as error:
        landed = _landed(snapshot, summary)
        if landed is not None:
            return landed
        if isinstance(error, _SHAPE_ERRORS):
            raise WikiError(
                f"the wiki's answer to the save was not what its API returns ({error})"
            ) from None
        raise
    if simulating():
        return None
    revid = page.latest_revision_id
    if revid == snapshot.revid:  # a resent edit the wiki took as "no change"
        return _landed(snapshot, summary) or revid
    return revid


@answer_shape("reading the archive pages")
def read_archives(site: pywikibot.site.BaseSite, titles: list[str]) -> dict[str, Snapshot | None]:
    """The archive pages a run writes to, in one batch; None for one that does not exist yet
    (the bot creates it). A redirect is refused: the entries would land on another page."""
    pages, _ = read_many(site, titles, [])
    found: dict[str, Snapshot | None] = {}
    for title, page in pages.items():
        if not page.exists():
            found[title] = None
            continue
        if page.isRedirectPage():
            raise Refusal(f"the archive page [[{title}]] is a redirect; the bot writes no entry")
        found[title] = Snapshot(page, page.text, page.latest_revision_id)
    return found


def save_archive(
    site: pywikibot.site.BaseSite, read: Snapshot | None, title: str, text: str, summary: str
) -> None:
    """One archive page's edit, before the page's own: against the revision read, or, for a
    page the bot creates, only if nobody created it in between. Either way an edit made
    meanwhile is an edit conflict, and the run starts over from the page."""
    if read is not None:
        save(read, text, summary)
        return
    page = pywikibot.Page(site, title)
    page.text = text
    try:
        page.save(summary=summary, minor=False, bot=True, createonly=True, quiet=True)
    except pwb.EditConflictError as conflict:  # PageCreatedConflictError among them
        raise EditConflict(str(conflict)) from None


def own_edit(page: pywikibot.Page, base: int, summary: str) -> int | None:
    """The bot's own edit with this summary made after revision `base`, from the page's
    newest revisions; None when there is none or the history cannot be read now."""
    try:
        fresh = pywikibot.Page(page.site, page.title())
        return history.own_edit(fresh.revisions(total=10), base, page.site.username(), summary)
    except _LOOKING_FAILED:
        return None


def _landed(snapshot: Snapshot, summary: str) -> int | None:
    """The bot's own edit with this summary, made after the revision it read, if any."""
    try:
        fresh = pywikibot.Page(snapshot.page.site, snapshot.page.title())
        return history.own_edit(
            fresh.revisions(total=10), snapshot.revid, snapshot.page.site.username(), summary
        )
    except _LOOKING_FAILED:
        return None


class _OneLineTracebacks(logging.Filter):
    """pywikibot logs a whole traceback each time it retries a failed request; an operator
    needs the exception's last line, and --debug still shows everything."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Traceback (most recent call last):"):
            record.msg, record.args = message.rstrip().splitlines()[-1], ()
        record.exc_info = record.exc_text = None
        return True


class _NetworkNoise(logging.Filter):
    """pywikibot logs each failed request as two ERROR lines ("An error occurred for uri",
    then the exception); the run's own line names the URL and the cause instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage().strip()
        if message.startswith("An error occurred for uri "):
            return False
        last = message.splitlines()[-1] if message else ""
        if record.levelno >= logging.ERROR and _NETWORK_ERROR.search(last):
            _network.cause = _cause(Exception(last))
            return False
        return True


def quiet_tracebacks() -> None:
    logger = logging.getLogger("pywiki")
    logger.addFilter(_OneLineTracebacks())
    logger.addFilter(_NetworkNoise())


class _Expected(logging.Filter):
    def __init__(self, code: str) -> None:
        super().__init__()
        self.warning = f"API error {code}:"

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(self.warning)


@contextmanager
def expected_api_error(code: str) -> Iterator[None]:
    """pywikibot warns of every API error before it raises it; one the caller expects and
    handles (Translate's answer for a page it never marked) is no news for the operator."""
    logger = logging.getLogger("pywiki")
    expected = _Expected(code)
    logger.addFilter(expected)
    try:
        yield
    finally:
        logger.removeFilter(expected)
