"""The one api.php client: the commands act through it as the wiki's accounts, and the
integration tests import it to set pages up and to look at what the bot did, over plain HTTP,
never through pywikibot, so they do not share the bot's bugs."""

from __future__ import annotations

import http.cookiejar
import json
import urllib.parse
import urllib.request
from typing import Any

from .util import DevWikiError

#: An api.php answer, formatversion=2.
Answer = dict[str, Any]


class ApiError(DevWikiError):
    """An error answer from api.php; `code` is MediaWiki's error code."""

    def __init__(self, code: str, info: str, response: Answer, context: str = "") -> None:
        prefix = f"{context}: " if context else ""
        super().__init__(f"{prefix}{code}: {info}")
        self.code = code
        self.info = info
        self.response = response


class Session:
    """A cookie-keeping api.php client: enough to log in, read and edit like a browser."""

    def __init__(self, api: str, timeout: float = 120) -> None:
        self.api = api
        self.timeout = timeout
        self.user: str | None = None
        self._csrf: str | None = None
        self._opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def call(self, post: bool = False, **params: Any) -> Answer:
        """One API request; raises ApiError when the answer is an error."""
        params = {"format": "json", "formatversion": "2", **params}
        data = urllib.parse.urlencode(params).encode()
        if post:
            request = urllib.request.Request(self.api, data=data)
        else:
            request = urllib.request.Request(f"{self.api}?{data.decode()}")
        with self._opener.open(request, timeout=self.timeout) as response:
            answer: Answer = json.load(response)
        if "error" in answer:
            error = answer["error"]
            if error.get("code") == "badtoken":
                self._csrf = None  # the next write asks for a new one
            who = f" as {self.user}" if self.user else ""
            context = f"{params.get('action')}{who}"
            raise ApiError(error.get("code", "?"), error.get("info", ""), answer, context)
        return answer

    def token(self, kind: str = "csrf") -> str:
        """A token of that kind; the csrf token is asked for once a session (it stays valid for
        the session's life), so that a write costs one request, not two."""
        if kind == "csrf" and self._csrf:
            return self._csrf
        tokens = self.call(action="query", meta="tokens", type=kind)["query"]["tokens"]
        token: str = tokens[f"{kind}token"]
        if kind == "csrf":
            self._csrf = token
        return token

    def login(self, name: str, password: str) -> Session:
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
            raise ApiError("loginfailed", f"login as {name} failed: {json.dumps(result)}", result)
        self.user = name.partition("@")[0]
        self._csrf = None  # an anonymous token is no good once logged in
        return self

    def edit(self, title: str, text: str, summary: str = "", **params: Any) -> Answer:
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
        edit: Answer = answer["edit"]
        return edit

    def protect(self, title: str, edit_level: str = "sysop", expiry: str = "infinite") -> Answer:
        protections = f"edit={edit_level}|move={edit_level}"
        answer = self.call(
            post=True,
            action="protect",
            title=title,
            protections=protections,
            expiry=f"{expiry}|{expiry}",
            token=self.token(),
        )
        protected: Answer = answer["protect"]
        return protected

    def latest_revision(self, title: str) -> Answer | None:
        """The page's current revision (ids, timestamp, user, content), None when there is none."""
        page = self.call(
            action="query",
            prop="revisions",
            titles=title,
            rvprop="ids|timestamp|user|content",
            rvslots="main",
        )["query"]["pages"][0]
        revisions: list[Answer] = page.get("revisions") or []
        return revisions[0] if revisions else None


def login_as(info: dict[str, Any], role: str) -> Session:
    """A session logged in as one of wiki.json's roles.

    "bot" (ConversationBot) and "plainbot" (PlainBot) log in with their BotPasswords, so the
    session has the rights their grants allow; "editor", "translator" and "admin" log in with
    their main passwords.
    """
    if role not in info["users"]:
        raise DevWikiError(f"no account {role!r}; wiki.json has {sorted(info['users'])}")
    user = info["users"][role]
    session = Session(info["api"])
    if "bot_password" in user:
        return session.login(user["login_name"], user["bot_password"])
    return session.login(user["name"], user["password"])
