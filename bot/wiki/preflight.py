"""`check --config`: everything that would stop an unattended pass, found before the first
one, one line a problem, so that a mistake is fixed once at the terminal instead of mailed
every hour by the job.

For each wiki of the targets: the site exists (family and code), the account and its
password are there and private, the login works (one attempt) and the account has the rights
the pages need (edit, bot, and pagetranslation for a page marked for translation), each
page, status page, stop page and report page exists (and, where pages opt in, the
configuration template), and the wiki's clock agrees with the machine's. Nothing is saved,
marked or remembered.
"""

from datetime import UTC, datetime

from bot.core.page.reader import read_page
from bot.errors import BotError, Refusal
from bot.ops import state
from bot.ops.config import Config, OptInWiki, Target, by_site
from bot.wiki import client, runner

_FAILURES: tuple[type[BaseException], ...] = (*client.WIKI_FAILURES, BotError)


def problems(settings: Config) -> list[str]:
    """Every problem found, one line each, naming the site or the page."""
    found: list[str] = []
    try:
        state.prepare(settings.state_dir)
    except BotError as error:
        found.append(str(error))
    for spec, (targets, optin) in by_site(settings.targets, settings.optins).items():
        found.extend(_site_problems(spec, targets, optin))
    return found


def _site_problems(spec: str, targets: list[Target], optin: OptInWiki | None) -> list[str]:
    problem = client.site_problem(spec)
    if problem:
        return [problem]
    found = [f"{spec}: {p}" for p in client.credential_problems([spec])]
    if found:
        return found
    try:
        site = client.open_site(spec)
        shared = [optin.page] if optin else []
        return _login_problems(spec, site, [*targets, *shared], optin) + _page_problems(
            spec, site, targets, optin
        )
    except _FAILURES as error:
        return [f"{spec}: {client.failure(spec, error)}"]


def _login_problems(
    spec: str, site: object, targets: list[Target], optin: OptInWiki | None = None
) -> list[str]:
    try:
        client.login(site)
    except BotError as error:
        return [f"{spec}: {error}"]
    found = [
        f"{spec}: the account {client.bot_name(site)} lacks the {right!r} right"
        for right in ("edit", "bot")
        if not client.has_right(site, right)
    ]
    if optin is not None and not client.has_right(site, "createpage"):
        found.append(
            f"{spec}: the account {client.bot_name(site)} lacks the 'createpage' right: a page "
            "that opts in with an archive would have its archive pages refused"
        )
    apart = abs(datetime.now(UTC) - client.wiki_time(site))
    grace = min(t.settings.grace for t in targets)
    if apart > grace:
        found.append(
            f"{spec}: the machine's clock is {apart.total_seconds():.0f} s off the wiki's, more "
            "than the grace period: no session would move (set the clock, NTP)"
        )
    return found


def _page_problems(
    spec: str, site: object, targets: list[Target], optin: OptInWiki | None
) -> list[str]:
    found = []
    own = {  # every target's own pages: two targets may each have a status page of their own
        (role, title)
        for t in [*targets, *([optin.page] if optin else [])]
        for role, title in (
            ("status page", runner._status_page(site, t)),
            ("stop page", runner._stop_page(site, t)),
            ("report page", t.report_page),
        )
        if title
    }
    if optin is not None:
        own.add(("opt-in template", optin.template))
    titles = sorted({title for _, title in own})
    pages, extras = client.read_many(site, [t.title for t in targets], titles)
    for role, title in sorted(own):
        if title not in extras:
            found.append(f"{spec}: the {role} [[{title}]] does not exist; create it (any text)")
    for target in targets:
        found.extend(
            f"{spec} [[{target.title}]]: {p}" for p in _target_problems(site, target, pages)
        )
    return found


def _target_problems(site: object, target: Target, pages: dict[str, object]) -> list[str]:
    try:
        snapshot = client.snapshot(pages, target.title)
        page = read_page(snapshot.text, target.settings)
    except (BotError, Refusal) as error:
        return [str(error)]
    if page.uses_translate and not client.has_right(site, "pagetranslation"):
        return [
            "the page is marked for translation and the account lacks the 'pagetranslation' "
            "right (group translationadmin): each edit would wait for a translation "
            "administrator to mark it"
        ]
    return []
