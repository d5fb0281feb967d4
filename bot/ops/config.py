"""What the bot keeps and how: the pages (targets) with their settings, and the schedule, from the
operator's TOML file, validated before anything runs.

Every problem is reported as one line naming the file, the key and what is wrong, and nothing
runs on a configuration that is only half valid.
"""

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.core.archive import prefix_problem
from bot.core.change.render import Renderer
from bot.core.optin import Mode
from bot.core.settings import META_PAGE, META_SITE, Settings, zone_named
from bot.core.settings import duration as settings_duration
from bot.core.settings import words as settings_words
from bot.errors import Refusal, UsageError
from bot.ops.lock import DEFAULT_STATE

if TYPE_CHECKING:
    from apscheduler.triggers.cron import CronTrigger

#: cron's macros; "@hourly" is what Toolforge operators write (Toolforge spreads its minute).
#: @weekly names its day: APScheduler 3 reads a weekday 0 as Monday, cron as Sunday.
MACROS = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * sun",
    "@monthly": "0 0 1 * *",
}
_CRON_FIELDS = (("minute", 0, 59), ("hour", 0, 23), ("day of month", 1, 31), ("month", 1, 12))
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")  # APScheduler's order
_CRON_NUMBERS = re.compile(r"^(?:\*|([0-9]+)(?:-([0-9]+))?)(?:/([0-9]+))?$")
_CRON_NAMES = re.compile(r"^[a-z]+(?:-[a-z]+)?$", re.IGNORECASE)
_TOP_KEYS = {"state_dir", "documentation", "schedule", "targets", "optin", "deadline"}
_SCHEDULE_KEYS = {"cron", "misfire_grace"}
#: What a [[targets]] table and an [[optin]] table share: the bot's pages, the templates
#: folder, the history limit (the `page` method reads them for both).
_SHARED_KEYS = {
    "site",
    "templates",
    "stop_page",
    "report_page",
    "status_page",
    "documentation",
    "history_limit",
}
_TARGET_KEYS = _SHARED_KEYS | {
    "page",
    "upcoming",
    "log",
    "grace",
    "default_duration",
    "cancelled_words",
    "zone",
}
#: What an [[optin]] table may hold besides: where opt-in is on and its bounds (the pages'
#: own settings come from their template).
_OPTIN_KEYS = _SHARED_KEYS | {
    "optin_template",
    "namespaces",
    "max_pages",
    "max_edits_per_day",
    "archive_prefixes",
}


@dataclass(frozen=True)
class Target:
    site: str = META_SITE  # pywikibot's FAMILY:CODE
    title: str = META_PAGE
    #: Any text on this page stops the bot; None means `User:<bot account>/Stop`.
    stop_page: str | None = None
    #: A page where the bot appends one line per edit, for editors to watch; None for none.
    report_page: str | None = None
    #: Where editors read what the bot left or refused; None: `User:<bot account>/Status`.
    status_page: str | None = None
    #: The bot's documentation page, linked from every edit summary; None: `User:<bot account>`.
    documentation: str | None = None
    #: How many revisions back the bot looks to date a line written without a year.
    history_limit: int = 50
    settings: Settings = field(default_factory=Settings)
    #: `preview`: the bot edits nothing and says on the status page what it would change.
    mode: Mode = Mode.EDIT
    #: Whether the bot keeps a translatable page's translations (marks and writes them).
    translations: bool = True
    #: The subpage (or pattern, `/Archive/%(year)d`) whose log takes the entries instead.
    archive: str | None = None
    #: Where else than under the page the operator lets `archive` name pages (title prefixes,
    #: each ending in a slash: `Project:Archives/`); none for the operator's own pages.
    archive_prefixes: tuple[str, ...] = ()
    #: The bot's edits of the page in a day, at most; None: no cap (the operator's own pages).
    edit_cap: int | None = None
    #: What the page's status section says first (why these settings and not others).
    note: str | None = None


@dataclass(frozen=True)
class OptInWiki:
    """A wiki where any page may opt in by writing the configuration template on itself: the
    template, where such pages may be, the bounds of a pass, and what they all share (`page`:
    a Target with no title, whose settings are the defaults a page's template starts from)."""

    template: str
    page: Target
    namespaces: tuple[int, ...] = (0,)
    max_pages: int = 200
    max_edits_per_day: int = 4
    #: Title prefixes under which a page's `archive` may name pages, besides its subpages.
    archive_prefixes: tuple[str, ...] = ()

    @property
    def site(self) -> str:
        return self.page.site


def duration(value: str) -> float | None:
    """Seconds in a duration such as '90s', '10m' or '1h30m'; None when it is not one."""
    length = settings_duration(value)
    return None if length is None else length.total_seconds()


def site_spec(site: str) -> str:
    """FAMILY:CODE; a family alone (`meta`) is read as pywikibot reads `-site:meta`."""
    site = site.strip()
    return site if ":" in site else f"{site}:{site}"


@dataclass(frozen=True)
class Schedule:
    cron: str = "@hourly"
    #: A pass that could not start on time (machine asleep, previous pass running) still runs
    #: if it is late by less than this; later ones coalesce into the next.
    misfire_grace: timedelta = timedelta(minutes=15)

    def trigger(self) -> "CronTrigger":
        """APScheduler's trigger, built only by the scheduler: a pass never imports APScheduler."""
        from apscheduler.triggers.cron import CronTrigger

        return CronTrigger.from_crontab(MACROS.get(self.cron, self.cron), timezone="UTC")


def cron_problem(cron: str) -> str | None:
    """What is wrong with a cron expression, or None; checked without importing APScheduler.

    Accepts a macro or five fields (minute hour day month weekday), each a list of `*`,
    numbers, ranges `a-b`, steps `*/n` and `a-b/n`, and month or weekday names and name ranges:
    a subset of what APScheduler's CronTrigger accepts (a test holds the two together). The
    weekday takes `*` and names only: APScheduler 3 counts 0 as Monday, cron as Sunday.
    """
    fields = MACROS.get(cron, cron).split()
    if len(fields) != 5:
        return (
            f"needs 5 fields (minute hour day month weekday) or one of {', '.join(MACROS)}, "
            f"got {len(fields)}"
        )
    for (name, low, high), text in zip(_CRON_FIELDS, fields[:4], strict=True):
        for element in text.split(","):
            if name == "month" and _CRON_NAMES.match(element):
                problem = _names_problem(element, _MONTHS)
            else:
                problem = _numbers_problem(element, low, high)
            if problem:
                return f"{name} {text!r}: {problem}"
    weekday = fields[4]
    for element in weekday.split(","):
        if element == "*":
            continue
        if not _CRON_NAMES.match(element):
            return f"weekday {weekday!r}: write * or day names (mon-sun), not numbers"
        problem = _names_problem(element, _WEEKDAYS)
        if problem:
            return f"weekday {weekday!r}: {problem}"
    if fields[2] != "*" and weekday != "*":
        # cron runs on either day; APScheduler only on a day that is both.
        return "give a day of month or a weekday, not both"
    return None


def _numbers_problem(element: str, low: int, high: int) -> str | None:
    match = _CRON_NUMBERS.match(element)
    if not match:
        return f"{element!r} is not *, a number, a range or a step"
    first, last, step = match.groups()
    if step and first and not last:
        return f"{element!r}: a step goes with * or a range (a-b/n)"
    start, end = (low, high) if first is None else (int(first), int(last or first))
    if not low <= start <= end <= high:
        return f"{element!r}: outside {low}-{high}, or a range that runs backwards"
    if step and not 1 <= int(step) <= end - start:
        return f"{element!r}: the step must be from 1 to the length of the range"
    return None


def _names_problem(element: str, names: tuple[str, ...]) -> str | None:
    first, last = (name.lower() for name in element.partition("-")[::2])
    unknown = [name for name in (first, last) if name and name not in names]
    if unknown:
        return f"{unknown[0]!r} is not one of {', '.join(names)}"
    if last and names.index(last) < names.index(first):
        return f"{element!r}: a range that runs backwards"
    return None


def by_site(
    targets: Iterable[Target], optins: Iterable[OptInWiki]
) -> dict[str, tuple[list[Target], OptInWiki | None]]:
    """Each wiki of a pass, in the file's order: its targets and its opt-in (None where it is
    off). A wiki where pages opt in is there even with no target of its own."""
    optin_of = {wiki.site: wiki for wiki in optins}
    grouped: dict[str, list[Target]] = {}
    for target in targets:
        grouped.setdefault(target.site, []).append(target)
    for site in optin_of:
        grouped.setdefault(site, [])
    return {site: (listed, optin_of.get(site)) for site, listed in grouped.items()}


@dataclass(frozen=True)
class Config:
    targets: tuple[Target, ...] = (Target(),)
    optins: tuple[OptInWiki, ...] = ()
    schedule: Schedule = field(default_factory=Schedule)
    state_dir: Path = DEFAULT_STATE
    #: A pass stops cleanly when it runs this long (bot.ops.deadline), and says so.
    deadline: timedelta = timedelta(minutes=20)


def load(path: Path | None) -> Config:
    """The configuration in `path`, or the built-in one for the Meta page."""
    if path is None:
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise UsageError(f"cannot read {path}: {error.strerror or error}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise UsageError(f"{path}: not valid TOML: {error}") from None
    return _Reader(path).config(data)


class _Reader:
    """Validates one file; every error names the file and the key."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, key: str, problem: str) -> UsageError:
        return UsageError(f"{self.path}: {key}: {problem}")

    def config(self, data: dict[str, Any]) -> Config:
        self.known(data, _TOP_KEYS, "")
        schedule = self.schedule(self.table(data, "schedule"))
        documentation = self.text(data, "documentation", "documentation", required=False)
        targets = data.get("targets", [])
        optins = data.get("optin", [])
        for key, tables in (("targets", targets), ("optin", optins)):
            if not isinstance(tables, list):
                raise self.fail(key, f"must be [[{key}]] tables")
        if not targets and not optins:
            raise self.fail("targets", "needs at least one [[targets]] or [[optin]] table")
        state = self.text(data, "state_dir", "state_dir", required=False)
        limit = self.duration(data, "deadline", "deadline", Config.deadline)
        if not timedelta(seconds=10) <= limit <= timedelta(hours=6):
            raise self.fail("deadline", "must be from 10s to 6h")
        read_optins = tuple(
            self.optin(t, f"optin[{i}]", documentation) for i, t in enumerate(optins, 1)
        )
        sites = [o.site for o in read_optins]
        if len(set(sites)) < len(sites):
            twice = next(s for s in sites if sites.count(s) > 1)
            raise self.fail("optin", f"{twice} has two [[optin]] tables; give one per wiki")
        return Config(
            tuple(self.target(t, f"targets[{i}]", documentation) for i, t in enumerate(targets, 1)),
            read_optins,
            schedule,
            Path(state).expanduser() if state else DEFAULT_STATE,
            limit,
        )

    def known(self, table: dict[str, Any], keys: set[str], where: str) -> None:
        for key in table:
            if key not in keys:
                name = f"{where}.{key}" if where else key
                raise self.fail(name, f"unknown key (known: {', '.join(sorted(keys))})")

    def table(self, data: dict[str, Any], key: str) -> dict[str, Any]:
        value = data.get(key, {})
        if not isinstance(value, dict):
            raise self.fail(key, "must be a table")
        return value

    def text(self, table: dict[str, Any], key: str, name: str, required: bool = True) -> str | None:
        value = table.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            raise self.fail(name, "missing" if value is None else "must be a non-empty string")
        return value.strip()

    def duration(self, table: dict[str, Any], key: str, name: str, default: timedelta) -> timedelta:
        value = table.get(key)
        if value is None:
            return default
        length = settings_duration(value) if isinstance(value, str) else None
        if length is None:
            raise self.fail(name, f"{value!r} is not a duration such as '1h', '90m' or '1h30m'")
        return length

    def schedule(self, table: dict[str, Any]) -> Schedule:
        self.known(table, _SCHEDULE_KEYS, "schedule")
        cron = self.text(table, "cron", "schedule.cron", required=False) or Schedule.cron
        schedule = Schedule(
            cron,
            self.duration(table, "misfire_grace", "schedule.misfire_grace", Schedule.misfire_grace),
        )
        problem = cron_problem(cron)
        if problem:
            raise self.fail("schedule.cron", f"bad cron expression {cron!r}: {problem}")
        return schedule

    def names(
        self, table: dict[str, Any], key: str, name: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        value = table.get(key)
        if value is None:
            return default
        values = [value] if isinstance(value, str) else value
        if (
            not isinstance(values, list)
            or not values
            or not all(isinstance(v, str) and v.strip() for v in values)
        ):
            raise self.fail(name, "must be a heading name or a list of heading names")
        return tuple(v.strip() for v in values)

    def words(
        self, table: dict[str, Any], key: str, name: str, default: tuple[str, ...]
    ) -> tuple[str, ...]:
        """A list of words or phrases, such as those that mark a session as called off."""
        value = table.get(key)
        if value is None:
            return default
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v.strip() for v in value)
        ):
            raise self.fail(name, 'must be a list of words, e.g. ["cancelled", "postponed"]')
        return settings_words(value)

    def target(self, table: Any, where: str, documentation: str | None) -> Target:
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table")
        self.known(table, _TARGET_KEYS, where)
        page = self.text(table, "page", f"{where}.page")
        return self.page(table, where, documentation, str(page))

    def page(
        self, table: dict[str, Any], where: str, documentation: str | None, title: str
    ) -> Target:
        """The keys a [[targets]] table and an [[optin]] table share (the others are not known
        to an [[optin]] table, so they keep their defaults there: the page's template sets them)."""
        site = site_spec(self.text(table, "site", f"{where}.site", required=False) or META_SITE)
        if not re.fullmatch(r"[\w-]+:[\w-]+", site):
            raise self.fail(f"{where}.site", f"{site!r} is not FAMILY:CODE, e.g. {META_SITE}")
        base = Settings()
        templates = self.text(table, "templates", f"{where}.templates", required=False)
        settings = Settings(
            upcoming_headings=self.names(
                table, "upcoming", f"{where}.upcoming", base.upcoming_headings
            ),
            log_headings=self.names(table, "log", f"{where}.log", base.log_headings),
            grace=self.duration(table, "grace", f"{where}.grace", base.grace),
            default_duration=self.duration(
                table, "default_duration", f"{where}.default_duration", base.default_duration
            ),
            templates_dir=self.templates(templates, f"{where}.templates")
            if templates
            else base.templates_dir,
            cancelled_words=self.words(
                table, "cancelled_words", f"{where}.cancelled_words", base.cancelled_words
            ),
            zone=self.zone(table, f"{where}.zone", base.zone),
        )
        return Target(
            site=site,
            title=title,
            stop_page=self.text(table, "stop_page", f"{where}.stop_page", required=False),
            report_page=self.text(table, "report_page", f"{where}.report_page", required=False),
            status_page=self.text(table, "status_page", f"{where}.status_page", required=False),
            documentation=self.text(
                table, "documentation", f"{where}.documentation", required=False
            )
            or documentation,
            history_limit=self.whole(table, "history_limit", where, (1, 500), Target.history_limit),
            settings=settings,
        )

    def optin(self, table: Any, where: str, documentation: str | None) -> OptInWiki:
        if not isinstance(table, dict):
            raise self.fail(where, "must be a table")
        self.known(table, _OPTIN_KEYS, where)
        self.text(table, "site", f"{where}.site")  # opt-in is on only where the operator says
        template = str(self.text(table, "optin_template", f"{where}.optin_template"))
        namespaces = table.get("namespaces", list(OptInWiki.namespaces))
        if (
            not isinstance(namespaces, list)
            or not namespaces
            or not all(
                isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in namespaces
            )
        ):
            raise self.fail(
                f"{where}.namespaces", "must be a list of namespace numbers, e.g. [0, 4]"
            )
        return OptInWiki(
            template,
            self.page(table, where, documentation, ""),
            tuple(dict.fromkeys(namespaces)),
            self.whole(table, "max_pages", where, (1, 5000), OptInWiki.max_pages),
            self.whole(table, "max_edits_per_day", where, (1, 48), OptInWiki.max_edits_per_day),
            self.prefixes(table, f"{where}.archive_prefixes"),
        )

    def prefixes(self, table: dict[str, Any], name: str) -> tuple[str, ...]:
        """The title prefixes archives may be under, each a title ending in a slash."""
        value = table.get("archive_prefixes", [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail(name, 'must be a list of title prefixes, e.g. ["Project:Archives/"]')
        for prefix in value:
            problem = prefix_problem(prefix)
            if problem is not None:
                raise self.fail(name, problem)
        return tuple(dict.fromkeys(v.strip() for v in value))

    def whole(
        self, table: dict[str, Any], key: str, where: str, bounds: tuple[int, int], default: int
    ) -> int:
        value = table.get(key, default)
        low, high = bounds
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise self.fail(f"{where}.{key}", f"must be a whole number from {low} to {high}")
        return value

    def zone(self, table: dict[str, Any], name: str, default: tzinfo) -> tzinfo:
        value = table.get("zone")
        if value is None:
            return default
        zone = zone_named(value) if isinstance(value, str) else None
        if zone is None:
            raise self.fail(
                name, f"{value!r} is not UTC or an IANA zone name such as Europe/Berlin"
            )
        return zone

    def templates(self, folder: str, name: str) -> Path:
        """A templates folder that renders what the bot needs, checked now, not mid-run."""
        path = Path(folder).expanduser()
        if not path.is_absolute():
            path = self.path.parent / path
        if not path.is_dir():
            raise self.fail(name, f"{path} is not a folder")
        try:
            Renderer(path).check()
        except Refusal as refusal:
            raise self.fail(name, str(refusal)) from None
        return path
