"""Fixtures for tests against a real local MediaWiki (see scripts/dev-wiki).

- ``dev_wiki`` (session): a running wiki (MediaWiki 1.43 with Translate) as a
  :class:`DevWiki`; it carries wiki.json's fields and the helpers tests need (seed,
  revisions, edit_as_editor, readonly, pywikibot, and for page translation mark,
  translate, run_jobs and message_collection).
- ``fresh_title``: a page title no other test uses.

Helpers talk to the wiki over plain HTTP with urllib, never through pywikibot, so they can
check what the bot did without sharing its bugs.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import textwrap
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, NoReturn

import pytest

from tests.integration import faultrun
from tests.integration.faultproxy import FaultProxy

REPO_ROOT = Path(__file__).resolve().parents[2]
#: The bot's command, as installed in the test environment.
BOT = Path(sys.executable).parent / "conversation-hours-bot"
DEV_WIKI = REPO_ROOT / "scripts" / "dev-wiki"
# install (apt-get) may run on a fresh machine; a warm start takes a couple of seconds.
START_TIMEOUT = 900


class ApiError(Exception):
    """An ``error`` answer from api.php; ``code`` is MediaWiki's error code."""

    def __init__(self, code: str, info: str, response: dict) -> None:
        super().__init__(f"{code}: {info}")
        self.code = code
        self.info = info
        self.response = response


class ApiSession:
    """A cookie-keeping api.php client: enough to log in, read and edit like a browser."""

    def __init__(self, api: str) -> None:
        self.api = api
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def call(self, post: bool = False, **params: Any) -> dict:
        """One API request; raises ApiError when the answer is an error."""
        params = {"format": "json", "formatversion": "2", **params}
        data = urllib.parse.urlencode(params).encode()
        if post:
            request = urllib.request.Request(self.api, data=data)
        else:
            request = urllib.request.Request(f"{self.api}?{data.decode()}")
        with self._opener.open(request, timeout=60) as response:
            answer = json.load(response)
        if "error" in answer:
            error = answer["error"]
            raise ApiError(error.get("code", "?"), error.get("info", ""), answer)
        return answer

    def token(self, kind: str = "csrf") -> str:
        return self.call(action="query", meta="tokens", type=kind)["query"]["tokens"][
            f"{kind}token"
        ]

    def login(self, name: str, password: str) -> None:
        """Log in: "User@app" names use a BotPassword, others the main account."""
        if "@" in name:
            # Bot passwords only work with action=login.
            result = self.call(
                post=True,
                action="login",
                lgname=name,
                lgpassword=password,
                lgtoken=self.token("login"),
            )["login"]
            ok = result["result"] == "Success"
        else:
            # Main-account passwords belong to clientlogin (action=login warns about them).
            result = self.call(
                post=True,
                action="clientlogin",
                username=name,
                password=password,
                logintoken=self.token("login"),
                loginreturnurl=self.api,
            )["clientlogin"]
            ok = result["status"] == "PASS"
        if not ok:
            raise ApiError("loginfailed", json.dumps(result), result)

    def edit(self, title: str, text: str, summary: str = "", **params: Any) -> dict:
        """Edit a page; extra params go to action=edit as they are.

        For an edit conflict pass ``basetimestamp`` (and ``starttimestamp``) of an older
        revision; a conflict raises ApiError with code ``editconflict``.
        """
        answer = self.call(
            post=True,
            action="edit",
            title=title,
            text=text,
            summary=summary,
            token=self.token(),
            **params,
        )
        return answer["edit"]

    def protect(self, title: str, edit_level: str = "sysop", expiry: str = "infinite") -> dict:
        protections = f"edit={edit_level}|move={edit_level}"
        return self.call(
            post=True,
            action="protect",
            title=title,
            protections=protections,
            expiry=f"{expiry}|{expiry}",
            token=self.token(),
        )["protect"]


def revisions(wiki: DevWiki, title: str) -> list[dict]:
    """All revisions of a page, oldest first; [] when the page does not exist.

    Each: revid, parentid, user, comment, timestamp (ISO, Z), content, minor, tags, bot.
    ``bot`` comes from recent changes: True/False, or None when the revision is not
    there (imported ones older than 90 days, for instance).
    """
    session = ApiSession(wiki.api)
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


def _bot_flags(session: ApiSession, title: str) -> dict[int, bool]:
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


def login_as(wiki: DevWiki, role: str) -> ApiSession:
    """A logged-in session for a role of wiki.json's users.

    "bot" (ConversationBot) and "plainbot" (PlainBot) log in with their BotPasswords, so
    the session has the rights their grants allow; "editor", "translator" and "admin" log
    in with their main passwords.
    """
    user = wiki.users[role]
    session = ApiSession(wiki.api)
    if "bot_password" in user:
        session.login(user["login_name"], user["bot_password"])
    else:
        session.login(user["name"], user["password"])
    return session


def edit_as_editor(wiki: DevWiki, title: str, text: str, summary: str = "", **params: Any) -> dict:
    """Edit as the human account Editor (login, csrf token, action=edit)."""
    return login_as(wiki, "editor").edit(title, text, summary, **params)


def protect_as_admin(wiki: DevWiki, title: str, edit_level: str = "sysop") -> dict:
    return login_as(wiki, "admin").protect(title, edit_level)


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

    # So tests can write pytest.raises(dev_wiki.ApiError) without importing conftest.
    ApiError: ClassVar[type[ApiError]] = ApiError

    @classmethod
    def from_json(cls, path: Path) -> DevWiki:
        data = json.loads(path.read_text(encoding="utf-8"))
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
        """Add a revision through `dev-wiki seed`; returns the page's latest revid."""
        args = ["seed", "-", "--title", title]
        for option, value in (("--timestamp", timestamp), ("--user", user), ("--summary", summary)):
            if value is not None:
                args += [option, value]
        result = self.script(*args, input=text)
        return int(re.search(r"^REVID=(\d+)$", result.stdout, re.MULTILINE)[1])

    def mark(self, title: str, as_role: str = "admin") -> int:
        """Mark the page's latest revision for translation (`dev-wiki mark`).

        Returns the revision marked: a new one when Translate added unit markers.
        """
        result = self.script("mark", title, "--as", as_role)
        return int(_output_value(result, "REVID"))

    def translate(self, title: str, lang: str, unit: int | str, text: str) -> int:
        """Save Translations:TITLE/UNIT/LANG as Translator (`dev-wiki translate`); its revid."""
        result = self.script(
            "translate", title, "--lang", lang, "--unit", str(unit), "-", input=text
        )
        return int(_output_value(result, "REVID"))

    def run_jobs(self) -> int:
        """Run the queued jobs (the wiki runs none by itself); how many ran."""
        return int(_output_value(self.script("run-jobs"), "JOBS"))

    def message_collection(self, title: str, lang: str) -> dict[str, dict]:
        """A translatable page's units in one language, by unit id ("1", "2", ...).

        Each: definition, translation (None when there is none), tags ("fuzzy" when
        outdated) and properties, as list=messagecollection gives them.
        """
        answer = ApiSession(self.api).call(
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
        self.script("readonly", "on" if on else "off")

    def revisions(self, title: str) -> list[dict]:
        return revisions(self, title)

    def edit_as_editor(self, title: str, text: str, summary: str = "", **params: Any) -> dict:
        return edit_as_editor(self, title, text, summary, **params)

    def protect_as_admin(self, title: str, edit_level: str = "sysop") -> dict:
        return protect_as_admin(self, title, edit_level)

    def login_as(self, role: str) -> ApiSession:
        return login_as(self, role)

    def pywikibot_env(self, role: str = "bot") -> dict[str, str]:
        """Environment for a subprocess that uses pywikibot against this wiki.

        role "bot" logs in as ConversationBot, "plainbot" as PlainBot.
        """
        base = self.pywikibot_dir if role == "bot" else self.users[role]["pywikibot_dir"]
        return dict(os.environ, PYWIKIBOT_DIR=str(base), PYTHONUNBUFFERED="1")

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


def _output_value(result: subprocess.CompletedProcess, key: str) -> str:
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
    """A wiki started for this test session in a temporary state folder."""
    state = tmp_path_factory.mktemp("dev-wiki")

    def stop() -> None:
        subprocess.run(
            [str(DEV_WIKI), "stop", "--state", str(state)], capture_output=True, timeout=60
        )

    try:
        result = subprocess.run(
            [str(DEV_WIKI), "start", "--state", str(state)],
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        stop()
        _cannot_start(str(error))
    if result.returncode != 0:
        stop()  # a half-made wiki could still have a server running
        _cannot_start(f"exit {result.returncode}: {result.stderr.strip()[-2000:]}")
    try:
        yield DevWiki.from_json(state / "wiki.json")
    finally:
        stop()


@pytest.fixture
def fresh_title(request: pytest.FixtureRequest) -> str:
    """A page title unique to this test (the page does not exist yet)."""
    # Test ids can hold characters MediaWiki forbids in titles ([]{}|#<>).
    name = re.sub(r"[^A-Za-z0-9 _-]+", " ", request.node.name).strip()[:80]
    return f"Test {name} {uuid.uuid4().hex[:8]}"


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
