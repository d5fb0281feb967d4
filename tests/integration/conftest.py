"""Fixtures for tests against a real local MediaWiki (the scripts/devwiki package).

- ``dev_wiki`` (session): a running wiki (MediaWiki 1.43 with Translate) as a
  :class:`DevWiki`; it carries wiki.json's fields and the helpers tests need (seed,
  seed_many, revisions, edit_as_editor, readonly, pywikibot, and for page translation mark,
  translate, run_jobs, job_runner and message_collection).
- ``fresh_title``: a page title no other test uses.

The helpers call the package itself (its API client, its seeding, its job runs), the same code
`scripts/dev-wiki` runs, without a process per call; `DevWiki.script` runs the command line,
for the tests of its contract. They talk to the wiki over plain HTTP, never through pywikibot,
so they can check what the bot did without sharing its bugs.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import pytest

from scripts.devwiki import content
from scripts.devwiki import wiki as devwiki
from scripts.devwiki.accounts import ACCOUNTS
from scripts.devwiki.api import ApiError, Session
from scripts.devwiki.api import login_as as _login_as
from scripts.devwiki.dump import Revision, parse_timestamp
from scripts.devwiki.util import DevWikiError
from tests.integration import faultrun
from tests.integration.faultproxy import FaultProxy

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The bot's command, as installed in the test environment.
BOT = Path(sys.executable).parent / "conversation-hours-bot"
DEV_WIKI = REPO_ROOT / "scripts" / "dev-wiki"
#: Seconds between the bot's polls for Translate's jobs (CHBOT_JOB_POLL_DELAYS) beside a job
#: runner that is done within a few seconds: the bot looks early and often, and a run whose
#: jobs never come ends in 13 s, not half a minute.
POLL_DELAYS = "0.2,0.4,0.8,1.6,3.2,6.4"
#: Role of each account name, for seeding as that account through the API.
ROLE_OF = {name: role for role, (name, _groups) in ACCOUNTS.items()}


def revisions(wiki: DevWiki, title: str) -> list[dict]:
    """All revisions of a page, oldest first; [] when the page does not exist.

    Each: revid, parentid, user, comment, timestamp (ISO, Z), content, minor, tags, bot.
    ``bot`` comes from recent changes: True/False, or None when the revision is not
    there (imported ones older than 90 days, for instance).
    """
    session = wiki.reader()
    found: list[dict] = []
    params: dict[str, Any] = {
        "action": "query",
        "prop": "revisions",
        "titles": title,
        "rvprop": "ids|user|comment|timestamp|content|flags|tags",
        "rvslots": "main",
        "rvlimit": "max",
        "rvdir": "newer",
    }
    while True:
        answer = session.call(**params)
        page = answer["query"]["pages"][0]
        for rev in page.get("revisions", []):
            found.append(
                {
                    "revid": rev["revid"],
                    "parentid": rev["parentid"],
                    "user": rev.get("user"),
                    "comment": rev.get("comment", ""),
                    "timestamp": rev["timestamp"],
                    "content": rev["slots"]["main"].get("content"),
                    "minor": rev.get("minor", False),
                    "tags": rev.get("tags", []),
                }
            )
        if "continue" not in answer:
            break
        params.update(answer["continue"])
    bot_flags = _bot_flags(session, title)
    for rev in found:
        rev["bot"] = bot_flags.get(rev["revid"])
    return found


def _bot_flags(session: Session, title: str) -> dict[int, bool]:
    """revid -> bot flag of the page's edits in recent changes (revisions don't carry it)."""
    answer = session.call(
        action="query",
        list="recentchanges",
        rctitle=title,
        rcprop="ids|flags",
        rclimit="max",
        rctype="edit|new",
    )
    return {rc["revid"]: rc["bot"] for rc in answer["query"]["recentchanges"]}


def login_as(wiki: DevWiki, role: str) -> Session:
    """A newly logged-in session for a role of wiki.json's users.

    "bot" (ConversationBot) and "plainbot" (PlainBot) log in with their BotPasswords, so
    the session has the rights their grants allow; "editor", "translator" and "admin" log
    in with their main passwords.
    """
    return _login_as(wiki.raw, role)


def edit_as_editor(wiki: DevWiki, title: str, text: str, summary: str = "", **params: Any) -> dict:
    """Edit as the human account Editor (login, csrf token, action=edit)."""
    return wiki.session("editor").edit(title, text, summary, **params)


def protect_as_admin(wiki: DevWiki, title: str, edit_level: str = "sysop") -> dict:
    return wiki.session("admin").protect(title, edit_level)


# Put in front of pywikibot snippets: any attempt to resolve a host other than the local
# wiki fails loudly, so a test proves the devwiki family never reaches the internet.
_NO_NETWORK = textwrap.dedent(
    """
    import socket
    _real_getaddrinfo = socket.getaddrinfo
    def _local_only(host, *args, **kwargs):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise OSError(f"test forbids network access to {host!r}")
        return _real_getaddrinfo(host, *args, **kwargs)
    socket.getaddrinfo = _local_only
    """
)


@dataclass(frozen=True)
class DevWiki:
    """A running dev wiki: the fields of its wiki.json plus helpers."""

    url: str  # index.php
    api: str  # api.php
    server: str  # http://127.0.0.1:PORT
    port: int
    pid: int
    state_dir: Path
    pywikibot_dir: Path
    family: str  # "devwiki"
    code: str  # "en"
    site: str  # "devwiki:en", for pywikibot.Site(...)
    # "bot", "plainbot", "editor", "translator", "admin" -> name, password, groups, ...
    users: dict[str, dict]
    server_log: Path
    raw: dict = field(repr=False)
    # Sessions by role ("" the anonymous reader), made once: the helpers act as the same
    # people all along, without logging in again for every call.
    _sessions: dict[str, Session] = field(default_factory=dict, repr=False, compare=False)

    # So tests can write pytest.raises(dev_wiki.ApiError) without importing conftest.
    ApiError: ClassVar[type[ApiError]] = ApiError

    @classmethod
    def from_json(cls, path: Path) -> DevWiki:
        data = devwiki.load_info(path.parent)
        assert data is not None, f"no {path}"
        return cls(
            url=data["url"],
            api=data["api"],
            server=data["server"],
            port=data["port"],
            pid=data["pid"],
            state_dir=Path(data["state_dir"]),
            pywikibot_dir=Path(data["pywikibot_dir"]),
            family=data["family"],
            code=data["code"],
            site=data["site"],
            users=data["users"],
            server_log=Path(data["server_log"]),
            raw=data,
        )

    def session(self, role: str) -> Session:
        """The helpers' logged-in session of a role (login_as makes a new one)."""
        if role not in self._sessions:
            self._sessions[role] = login_as(self, role)
        return self._sessions[role]

    def reader(self) -> Session:
        """An anonymous session for reading, shared by the helpers."""
        if "" not in self._sessions:
            self._sessions[""] = Session(self.api)
        return self._sessions[""]

    def script(
        self, *args: str, input: str | None = None, check: bool = True
    ) -> subprocess.CompletedProcess:
        """Run scripts/dev-wiki SUBCOMMAND ... against this wiki's state folder."""
        command = [str(DEV_WIKI), args[0], "--state", str(self.state_dir), *args[1:]]
        result = subprocess.run(command, input=input, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise AssertionError(f"{command} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def seed(
        self,
        title: str,
        text: str,
        timestamp: str | None = None,
        user: str | None = None,
        summary: str | None = None,
    ) -> int:
        """Add a revision; returns the page's latest revid.

        A revision dated in the past is imported (`dev-wiki seed`); one of now is an edit
        through the API by its author, which is all an import would give it, in a fraction of
        the time (no boot of MediaWiki's maintenance scripts).
        """
        author = user or "Editor"
        if timestamp is None and author in ROLE_OF:
            edited = self.session(ROLE_OF[author]).edit(
                title, text, summary or "Seeded by dev-wiki"
            )
            if "newrevid" in edited:
                return int(edited["newrevid"])
            return self._latest_revids([title])[title]
        return self.seed_many([(title, text, timestamp, user, summary)])[title]

    def seed_many(
        self, pages: Sequence[tuple[str, str, str | None, str | None, str | None]]
    ) -> dict[str, int]:
        """Import (title, text, timestamp, user, summary) revisions in one import, in order;
        None takes the default (now, Editor, "Seeded by dev-wiki"). Each page's latest revid."""
        revisions = [
            Revision(
                title,
                text,
                parse_timestamp(timestamp),
                **{k: v for k, v in (("user", user), ("summary", summary)) if v is not None},
            )
            for title, text, timestamp, user, summary in pages
        ]
        content.seed_many(self.state_dir, revisions)
        return content.check_seeded(self.api, revisions)

    def _latest_revids(self, titles: list[str]) -> dict[str, int]:
        latest = content.latest_revisions(self.api, titles)
        return {title: revision["revid"] for title, revision in latest.items() if revision}

    def mark(self, title: str, as_role: str = "admin") -> int:
        """Mark the page's latest revision for translation (as `dev-wiki mark` does).

        Returns the revision marked: a new one when Translate added unit markers.
        """
        return content.mark(self.session(as_role), title)[0]

    def translate(self, title: str, lang: str, unit: int | str, text: str) -> int:
        """Save Translations:TITLE/UNIT/LANG as Translator (as `dev-wiki translate`); its revid."""
        session = self.session("translator")
        return content.translate(session, title, lang, str(unit), text, "translation")

    def run_jobs(self) -> int:
        """Run the queued jobs once (the wiki runs none by itself); how many ran."""
        return content.run_jobs(self.state_dir)

    def job_runner(self) -> content.JobRunner:
        """A job runner beside the bot while a `with` lasts, as on a wiki that runs its jobs."""
        return content.JobRunner(self.state_dir)

    def message_collection(self, title: str, lang: str) -> dict[str, dict]:
        """A translatable page's units in one language, by unit id ("1", "2", ...).

        Each: definition, translation (None when there is none), tags ("fuzzy" when
        outdated) and properties, as list=messagecollection gives them.
        """
        answer = self.reader().call(
            action="query",
            list="messagecollection",
            mcgroup=f"page-{title}",
            mclanguage=lang,
            mcprop="definition|translation|tags|properties",
            mclimit="max",
        )
        return {
            unit["key"].rpartition("/")[2]: unit for unit in answer["query"]["messagecollection"]
        }

    def set_readonly(self, on: bool) -> None:
        devwiki.set_readonly(self.state_dir, on, "Read-only for a test (dev-wiki readonly on)")

    def revisions(self, title: str) -> list[dict]:
        return revisions(self, title)

    def edit_as_editor(self, title: str, text: str, summary: str = "", **params: Any) -> dict:
        return edit_as_editor(self, title, text, summary, **params)

    def protect_as_admin(self, title: str, edit_level: str = "sysop") -> dict:
        return protect_as_admin(self, title, edit_level)

    def login_as(self, role: str) -> Session:
        return login_as(self, role)

    def pywikibot_env(self, role: str = "bot") -> dict[str, str]:
        """Environment for a subprocess that uses pywikibot against this wiki.

        role "bot" logs in as ConversationBot, "plainbot" as PlainBot. The bot's polls for
        Translate's jobs are short (POLL_DELAYS).
        """
        base = self.pywikibot_dir if role == "bot" else self.users[role]["pywikibot_dir"]
        return dict(
            os.environ,
            PYWIKIBOT_DIR=str(base),
            PYTHONUNBUFFERED="1",
            # The run lock and what runs remember live with this wiki, not in ~/.local/state,
            # where another checkout's tests on the machine would hold the lock.
            XDG_STATE_HOME=str(self.state_dir / "bot-state"),
            CHBOT_JOB_POLL_DELAYS=POLL_DELAYS,
        )

    def run_bot(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 180
    ) -> subprocess.CompletedProcess:
        """The bot's command with pywikibot set up for this wiki (or `env`), run in its folder."""
        return subprocess.run(
            [str(BOT), *args],
            env=env or self.pywikibot_env(),
            cwd=self.state_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )

    def requests_served(self) -> int:
        """How many requests the wiki has answered so far, from its server log."""
        return sum(" [200]: " in line for line in self.server_log.read_text().splitlines())

    def run_pywikibot(
        self, code: str, timeout: float = 120, role: str = "bot"
    ) -> subprocess.CompletedProcess:
        """Run a Python snippet with pywikibot set up for this wiki, network locked to it."""
        return subprocess.run(
            [sys.executable, "-c", _NO_NETWORK + textwrap.dedent(code)],
            env=self.pywikibot_env(role),
            cwd=self.state_dir,
            capture_output=True,
            text=True,
            timeout=timeout,
        )


def output_value(result: subprocess.CompletedProcess, key: str) -> str:
    """The value of a KEY=value line that scripts/dev-wiki printed."""
    found = re.search(rf"^{key}=(.*)$", result.stdout, re.MULTILINE)
    if not found:
        raise AssertionError(f"no {key}= in the output:\n{result.stdout}\n{result.stderr}")
    return found[1]


def _cannot_start(reason: str) -> NoReturn:
    # In CI a wiki that won't start is a broken build; on a laptop without the Debian
    # packages (and no root) it only means these tests cannot run here.
    if os.environ.get("CI") == "true":
        pytest.fail(f"dev wiki could not start: {reason}", pytrace=False)
    pytest.skip(f"dev wiki could not start: {reason}")


@pytest.fixture(scope="session")
def dev_wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevWiki]:
    """A wiki started for this test session in a temporary state folder, deleted after it."""
    state = tmp_path_factory.mktemp("dev-wiki")
    try:
        with devwiki.running(state):
            yield DevWiki.from_json(state / "wiki.json")
    except (DevWikiError, OSError) as error:
        _cannot_start(str(error)[-2000:])


def title_for(test: str) -> str:
    """A page title unique to a test of that name (the page does not exist yet)."""
    # Test ids can hold characters MediaWiki forbids in titles ([]{}|#<>).
    name = re.sub(r"[^A-Za-z0-9 _-]+", " ", test).strip()[:80]
    return f"Test {name} {uuid.uuid4().hex[:8]}"


@pytest.fixture
def fresh_title(request: pytest.FixtureRequest) -> str:
    """A page title unique to this test (the page does not exist yet)."""
    return title_for(request.node.name)


class SeededPages:
    """A page of its own for each test of a module that asks for one, all seeded in one import
    when the module starts (an import boots MediaWiki once, however many pages it holds): the
    same text, as written at the same moment, under a title named after its test."""

    def __init__(
        self, wiki: DevWiki, text: str, timestamp: str, tests: Sequence[pytest.Item]
    ) -> None:
        self.wiki, self.text, self.timestamp = wiki, text, timestamp
        self.titles = {test.nodeid: title_for(test.name) for test in tests}
        if self.titles:
            wiki.seed_many([(t, text, timestamp, None, None) for t in self.titles.values()])
        self.taken: set[str] = set()

    def take(self, test: pytest.Item) -> str:
        """The test's page; a test that was not counted, or runs again, gets a new one."""
        title = self.titles.get(test.nodeid)
        if title is None or title in self.taken:
            title = title_for(test.name)
            self.wiki.seed(title, self.text, timestamp=self.timestamp)
        self.taken.add(title)
        return title


def seeded_pages(
    request: pytest.FixtureRequest, wiki: DevWiki, text: str, timestamp: str, fixture: str
) -> SeededPages:
    """SeededPages for the tests of the requesting module that use `fixture`."""
    tests = [
        item
        for item in request.session.items
        if getattr(item, "module", None) is request.module and fixture in item.fixturenames
    ]
    return SeededPages(wiki, text, timestamp, tests)


@pytest.fixture
def fault_suite(request: pytest.FixtureRequest) -> Iterator[None]:
    """A test of the fault suites: their tally ends pytest's summary, and none runs for ever."""
    faultrun.register_closing_line(request.config)
    with faultrun.deadline():
        yield


@pytest.fixture(scope="module")
def proxy(dev_wiki: DevWiki) -> Iterator[FaultProxy]:
    """The fault-injecting proxy in front of the wiki, for the fault suites."""
    with FaultProxy("127.0.0.1", dev_wiki.port, timeout_sleep=faultrun.TIMEOUT_SLEEP) as running:
        yield running
