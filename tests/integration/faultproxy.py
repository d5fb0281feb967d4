"""A fault-injecting HTTP proxy for tests: pywikibot talks to it, it talks to the dev wiki.

It forwards every request to the wiki unchanged, except the ones a :class:`Rule` picks: "on
the Nth request of step S, answer with fault F" (once, or from then on with ``persist``).
Steps are recognised from the API parameters, the POST form included (see :func:`step_of`);
faults are the ways a wiki or the network fails (see :data:`FAULTS`).

It listens on 127.0.0.1 only, on a free port, and answers nobody else. Standard library only.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import struct
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

#: The steps of a run, in the order a cold run meets them.
STEPS = ("login", "read", "history", "token", "save")
#: The steps of the translation flow on a translatable page (bot.wiki.translation_flow), in
#: the order a run meets them: Translate's state, the mark, the polls for Translate's jobs,
#: the translations written.
TRANSLATION_STEPS = ("translations", "mark", "jobs", "translation-save")

#: How long a "timeout" answer keeps the client waiting. The tests set pywikibot's read
#: timeout well below this (socket_timeout in user-config.py).
TIMEOUT_SLEEP = 4.0

# Request headers not passed on: hop-by-hop, and Accept-Encoding so that the wiki answers
# uncompressed and a truncated body is cut in the text itself, not in a gzip stream.
_DROP_REQUEST = {
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "accept-encoding",
    "host",
    "content-length",
}
_DROP_RESPONSE = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "content-length",
    "content-encoding",
}


def _values(params: Mapping[str, str], name: str) -> set[str]:
    """A multi-value API parameter (`meta=tokens|userinfo`, or \\x1f-separated) as a set."""
    raw = params.get(name, "")
    if raw.startswith("\x1f"):
        return set(raw[1:].split("\x1f")) - {""}
    return set(raw.split("|")) - {""}


def step_of(method: str, path: str, params: Mapping[str, str]) -> str | None:
    """Which step of a run an api.php request belongs to, or None for any other request.

    - login: ``action=login`` (and ``clientlogin``), or a request for the login token alone
      (``meta=tokens&type=login``)
    - read: ``prop=revisions`` with ``titles`` and no ``rvlimit``/``rvdir`` (the preload)
    - history: ``prop=revisions`` with ``rvlimit`` or ``rvdir`` (page.revisions)
    - token: ``meta=tokens`` with ``type`` csrf (pywikibot asks for every type it knows at once,
      login included, both before and after logging in: such a request counts as the token)
    - save: ``action=edit`` of a page
    - translations: what Translate knows: the marks (``list=logevents&letype=pagetranslation``),
      ``meta=messagetranslations``, and revisions of translation units (``Translations:``)
      other than the polls
    - mark: ``action=markfortranslation``
    - jobs: the polls for Translate's jobs: the latest revisions of source-language units
      (``Translations:PAGE/N/en``), no ``rvlimit``
    - translation-save: ``action=edit`` of a translation unit
    """
    if not path.split("?", 1)[0].endswith("api.php"):
        return None
    action = params.get("action", "")
    if action in ("login", "clientlogin"):
        return "login"
    if action == "edit":
        return "translation-save" if _unit(params.get("title", "")) else "save"
    if action == "markfortranslation":
        return "mark"
    if action != "query":
        return None
    meta, prop, titles = _values(params, "meta"), _values(params, "prop"), _values(params, "titles")
    if "tokens" in meta:
        types = _values(params, "type") or {"csrf"}  # csrf is the API's default type
        if "csrf" in types:
            return "token"
        if "login" in types:
            return "login"
    if "revisions" in prop and titles and all(_unit(t) for t in titles):
        polls = "rvlimit" not in params and all(t.endswith("/en") for t in titles)
        return "jobs" if polls else "translations"
    if "messagetranslations" in meta or params.get("letype") == "pagetranslation":
        return "translations"
    if "revisions" in prop:
        if "rvlimit" in params or "rvdir" in params:
            return "history"
        if "titles" in params or "pageids" in params or "revids" in params:
            return "read"
    return None


def _unit(title: str) -> bool:
    return title.startswith("Translations:")


# ------------------------------------------------------------------------------- faults


def _api_error(code: str, info: str, **extra: object) -> bytes:
    error = {"code": code, "info": info, **extra, "docref": "See /api.php for API usage."}
    return json.dumps({"error": error, "servedby": "faultproxy"}).encode()


@dataclass(frozen=True)
class Answer:
    """What the proxy sends instead of (or after) the wiki's answer."""

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


_JSON = ("Content-Type", "application/json; charset=utf-8")

#: Each fault and what the client meets. Most are answered by the proxy instead of the wiki;
#: the FORWARDED_FIRST ones lose the wiki's answer, not the request: the wiki has done the
#: work (an edit is saved) and the client never hears of it, the case that tempts a client
#: into saving twice.
FAULTS: dict[str, str] = {
    "http503": "HTTP 503 with Retry-After: 1 (request not forwarded)",
    "maxlag": "API error maxlag with Retry-After (request not forwarded)",
    "reset": "connection reset, no answer (request not forwarded)",
    "timeout": "request forwarded, the answer held past the client's read timeout",
    "truncated": "request forwarded, the answer cut off half-way (Content-Length kept)",
    "nonjson": "HTTP 200 with an HTML error page (request not forwarded)",
    "readonly": "API error readonly (request not forwarded)",
    "badtoken": "API error badtoken (request not forwarded)",
    "assertuserfailed": "API error assertuserfailed: the session is lost (not forwarded)",
}
FORWARDED_FIRST = {"timeout", "truncated"}

#: Faults of the shell around the run (test_shell_faults.py), kept out of FAULTS so that the
#: step matrices stay as they are: a wiki that drips its answer, an answer of the wrong shape,
#: the bot killed while its save is on the wire, the disk filled while it is.
SHELL_FAULTS: dict[str, str] = {
    "drip": "request forwarded, the answer sent one byte every DRIP_INTERVAL seconds",
    "wrongshape": 'HTTP 200 with valid JSON of the wrong shape: {"batchcomplete": true}',
    "killsave": "request forwarded (the edit is saved), then the proxy's action kills the bot",
    "diskfull": "request forwarded, then the proxy's action fills the disk, then the answer",
}
#: Faults whose request reaches the wiki before the fault: the wiki does the work.
SHELL_FORWARDED = {"drip", "killsave", "diskfull"}
#: Seconds between two bytes of a "drip" answer: under the client's read timeout, so only an
#: overall deadline can end the wait.
DRIP_INTERVAL = 1.0

_CANNED: dict[str, Answer] = {
    "http503": Answer(
        503,
        (("Retry-After", "1"), ("Content-Type", "text/html; charset=utf-8")),
        b"<!DOCTYPE html><html><head><title>Wikimedia Error</title></head><body>"
        b"<h1>Error</h1><p>Our servers are currently under maintenance or experiencing a "
        b"technical issue. Please try again in a few minutes.</p></body></html>\n",
    ),
    "maxlag": Answer(
        200,
        (_JSON, ("Retry-After", "1"), ("X-Database-Lag", "5")),
        _api_error("maxlag", "Waiting for 10.64.0.1: 5 seconds lagged.", host="10.64.0.1", lag=5),
    ),
    "nonjson": Answer(
        200,
        (("Content-Type", "text/html; charset=utf-8"),),
        b"<!DOCTYPE html>\n<html><head><title>Internal error - DevWiki</title></head>"
        b"<body><h1>Internal error</h1><p>[a1b2c3] Fatal exception of type "
        b'"Wikimedia\\Rdbms\\DBConnectionError"</p></body></html>\n',
    ),
    "readonly": Answer(
        200,
        (_JSON,),
        _api_error(
            "readonly",
            "The wiki is currently in read-only mode.",
            readonlyreason="Database maintenance (faultproxy).",
        ),
    ),
    "badtoken": Answer(200, (_JSON,), _api_error("badtoken", "Invalid CSRF token.")),
    "assertuserfailed": Answer(
        200,
        (_JSON,),
        _api_error(
            "assertuserfailed", "You are no longer logged in, so the action could not be completed."
        ),
    ),
    "wrongshape": Answer(200, (_JSON,), b'{"batchcomplete": true}'),
}


#: api.php modules in write mode: only these can be refused with `readonly` (ApiLogin is one,
#: and Translate's markfortranslation).
WRITE_ACTIONS = {
    "edit",
    "login",
    "clientlogin",
    "markfortranslation",
    "move",
    "delete",
    "protect",
    "upload",
}


def possible(fault: str, params: Mapping[str, str]) -> bool:
    """Whether MediaWiki could answer this request with this fault.

    The network and the servers in front of the wiki can fail any request; MediaWiki itself
    checks lag only when asked (`maxlag=`), tokens only when sent (`token=`; action=login
    answers a bad `lgtoken` with a result, not an error), the session only under `assert=`,
    and read-only mode only in modules that write.
    """
    if fault == "maxlag":
        return "maxlag" in params
    if fault == "badtoken":
        return "token" in params
    if fault == "assertuserfailed":
        return "assert" in params
    if fault == "readonly":
        return params.get("action") in WRITE_ACTIONS
    return True


# -------------------------------------------------------------------------------- rules


@dataclass
class Rule:
    """On the `nth` request of `step` (counting from 1), answer with `fault`.

    With `persist`, every matching request from the nth on gets the fault. `before`, when
    given, runs once just before the first injection (for instance an editor's edit that
    lands between the bot's read and its save).
    """

    step: str
    fault: str
    nth: int = 1
    persist: bool = False
    before: Callable[[], object] | None = None
    matched: int = 0  # requests of this step that could get this fault
    fired: int = 0

    def __post_init__(self) -> None:
        if self.step not in (*STEPS, *TRANSLATION_STEPS):
            raise ValueError(f"unknown step {self.step!r}; one of {STEPS + TRANSLATION_STEPS}")
        if self.fault not in FAULTS and self.fault not in SHELL_FAULTS:
            known = sorted({*FAULTS, *SHELL_FAULTS})
            raise ValueError(f"unknown fault {self.fault!r}; one of {known}")

    def take(self, step: str | None, params: Mapping[str, str]) -> bool:
        """Counts a request of this step; True when this one gets the fault.

        Requests the wiki could never answer with this fault do not count (see `possible`).
        """
        if step != self.step or not possible(self.fault, params):
            return False
        self.matched += 1
        if self.matched == self.nth or (self.persist and self.matched > self.nth):
            self.fired += 1
            return True
        return False


@dataclass
class Seen:
    """One request the proxy saw: its step, the parameters that matter, and any fault."""

    method: str
    step: str | None
    params: dict[str, str]
    fault: str | None
    status: int | None = None  # what the wiki answered, when the request reached it


_LOGGED = (
    "action",
    "meta",
    "prop",
    "list",
    "type",
    "titles",
    "title",
    "revid",
    "rvlimit",
    "rvdir",
    "assert",
    "maxlag",
)


@dataclass
class FaultProxy:
    """A threaded proxy on 127.0.0.1; use as a context manager or call start() and stop()."""

    upstream_host: str
    upstream_port: int
    #: The client's read timeout is below this; the held answer is dropped afterwards.
    timeout_sleep: float = TIMEOUT_SLEEP
    upstream_timeout: float = 60.0
    rules: list[Rule] = field(default_factory=list)
    seen: list[Seen] = field(default_factory=list)
    #: step -> what runs after the wiki answered a request of that step (see `after`).
    hooks: dict[str, Callable[[], object]] = field(default_factory=dict)
    #: fault -> what the proxy does for it (killsave: kill the bot; diskfull: fill the disk).
    actions: dict[str, Callable[[], object]] = field(default_factory=dict)
    port: int = 0
    _server: ThreadingHTTPServer | None = field(default=None, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- control

    def add(
        self,
        step: str,
        fault: str,
        nth: int = 1,
        persist: bool = False,
        before: Callable[[], object] | None = None,
    ) -> Rule:
        rule = Rule(step, fault, nth=nth, persist=persist, before=before)
        with self._lock:
            self.rules.append(rule)
        return rule

    def after(self, step: str, hook: Callable[[], object]) -> None:
        """Runs `hook` each time the wiki has answered a request of `step`, once the answer is
        on its way (or dropped by a fault): what the wiki does next on its own, such as the job
        runner after a mark."""
        with self._lock:
            self.hooks[step] = hook

    @property
    def injected(self) -> int:
        """How many answers were faults."""
        with self._lock:
            return sum(1 for s in self.seen if s.fault)

    def steps_seen(self) -> list[str | None]:
        with self._lock:
            return [s.step for s in self.seen]

    def describe(self) -> str:
        """The requests seen, one a line, for assertion messages."""
        with self._lock:
            return "\n".join(
                f"  {s.method} {s.step or '-'} {s.params}"
                + (f"  <- {s.fault}" if s.fault else "")
                + (f" (wiki {s.status})" if s.status else "")
                for s in self.seen
            )

    def start(self) -> FaultProxy:
        proxy = self

        class Handler(_Handler):
            owner = proxy

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self.port = server.server_address[1]
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- used by the handler

    def _decide(
        self, method: str, step: str | None, params: Mapping[str, str]
    ) -> tuple[Seen, Callable[[], object] | None]:
        """Picks the fault for this request, if any, and records the request at once (a
        held answer must not land in the record of the next test)."""
        logged = {k: params[k] for k in _LOGGED if k in params}
        logged.update({k: "..." for k in ("token", "lgtoken") if k in params})
        with self._lock:
            fault, before = None, None
            for rule in self.rules:
                if rule.take(step, params):
                    fault, before, rule.before = rule.fault, rule.before, None
                    break
            seen = Seen(method, step, logged, fault)
            self.seen.append(seen)
        return seen, before

    def reset(self) -> None:
        """Forget rules, hooks and requests (between tests)."""
        with self._lock:
            self.rules.clear()
            self.seen.clear()
            self.hooks.clear()
            self.actions.clear()

    def _hook(self, step: str | None) -> Callable[[], object] | None:
        with self._lock:
            return self.hooks.get(step) if step is not None else None


class _Handler(BaseHTTPRequestHandler):
    owner: FaultProxy
    protocol_version = "HTTP/1.0"  # one request per connection: a reset hits only its own

    def log_message(self, format: str, *args: object) -> None:
        pass  # quiet: the proxy's record is FaultProxy.seen

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        if self.client_address[0] != "127.0.0.1":
            self._reset()
            return
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        params = _params(self.path, self.headers.get("Content-Type", ""), body)
        step = step_of(self.command, self.path, params)
        seen, before = self.owner._decide(self.command, step, params)
        fault = seen.fault
        if before is not None:
            before()
        if fault in SHELL_FORWARDED:
            self._shell_fault(fault, body, seen)
            return
        if fault is None or fault in FORWARDED_FIRST:
            try:
                status, headers, answer = self._forward(body)
            except OSError as error:  # the wiki itself is down: say so, like a gateway
                self._send(Answer(502, (), f"faultproxy: wiki unreachable: {error}\n".encode()))
                return
            seen.status = status
            if fault is None:
                self._send(Answer(status, headers, answer))
            elif fault == "truncated":
                self._send(Answer(status, headers, answer), cut=max(1, len(answer) // 2))
            else:  # timeout: hold the answer until the client gave up, then drop it
                time.sleep(self.owner.timeout_sleep)
                self._reset()
            hook = self.owner._hook(seen.step)
            if hook is not None:
                hook()
        elif fault == "reset":
            self._reset()
        else:
            self._send(_CANNED[fault])

    def _shell_fault(self, fault: str, body: bytes, seen: Seen) -> None:
        """drip, killsave, diskfull: the wiki gets the request and does the work first."""
        try:
            status, headers, answer = self._forward(body)
        except OSError as error:
            self._send(Answer(502, (), f"faultproxy: wiki unreachable: {error}\n".encode()))
            return
        seen.status = status
        action = self.owner.actions.get(fault)
        if fault in ("killsave", "diskfull") and action is not None:
            action()
        if fault == "killsave":
            self._reset()
        elif fault == "drip":
            self._drip(Answer(status, headers, answer))
        else:
            self._send(Answer(status, headers, answer))

    def _drip(self, answer: Answer) -> None:
        """The headers, then the body a byte at a time, until the client hangs up."""
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            for index in range(len(answer.body)):
                self.wfile.write(answer.body[index : index + 1])
                self.wfile.flush()
                time.sleep(DRIP_INTERVAL)
        except OSError:
            pass  # the client gave up: what a deadline is for
        self._reset()

    def _forward(self, body: bytes) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _DROP_REQUEST}
        headers["Accept-Encoding"] = "identity"
        if body or self.command == "POST":
            headers["Content-Length"] = str(len(body))
        upstream = http.client.HTTPConnection(
            self.owner.upstream_host, self.owner.upstream_port, timeout=self.owner.upstream_timeout
        )
        try:
            upstream.request(self.command, self.path, body=body or None, headers=headers)
            response = upstream.getresponse()
            data = response.read()
            kept = tuple(
                (k, v) for k, v in response.getheaders() if k.lower() not in _DROP_RESPONSE
            )
            return response.status, kept, data
        finally:
            upstream.close()

    def _send(self, answer: Answer, cut: int | None = None) -> None:
        self.send_response(answer.status)
        for name, value in answer.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if cut is None:
            self.wfile.write(answer.body)
            self.wfile.flush()
        else:
            self.wfile.write(answer.body[:cut])
            self.wfile.flush()
            self._reset()

    def _reset(self) -> None:
        """Close with RST: SO_LINGER on with a zero timeout drops the connection at once."""
        with contextlib.suppress(OSError):
            self.wfile.flush()
        with contextlib.suppress(OSError):
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        with contextlib.suppress(OSError):
            self.connection.close()
        self.close_connection = True


def _params(path: str, content_type: str, body: bytes) -> dict[str, str]:
    """The API parameters of a request: the query string, then the form body over it."""
    query = urllib.parse.urlsplit(path).query
    params = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
    if body and content_type.startswith("application/x-www-form-urlencoded"):
        form = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        params.update(form)
    elif body and content_type.startswith("multipart/form-data"):
        params.update(_multipart(content_type, body))
    return params


def _multipart(content_type: str, body: bytes) -> dict[str, str]:
    """Text fields of a multipart/form-data body (pywikibot uses it for large POSTs)."""
    from email.parser import BytesParser
    from email.policy import HTTP

    message = BytesParser(policy=HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields: dict[str, str] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if name and part.get_filename() is None:
            payload = part.get_payload(decode=True) or b""
            fields[str(name)] = payload.decode("utf-8", "replace")
    return fields
