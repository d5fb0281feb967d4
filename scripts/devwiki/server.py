"""The web server: PHP's built-in one (`php -S 127.0.0.1:PORT`) in front of $IP, with the
wiki's settings named in its environment. It runs detached from whoever started it (so that
`dev-wiki start` can return) and is found again through the state folder's server.pid."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from .config import MW_DIR, SERVER_START_TIMEOUT
from .maintenance import php_env
from .util import DevWikiError

#: PHP's opcode cache, which the command line's PHP leaves off: the server is one process that
#: boots MediaWiki afresh for every request, so it compiles MediaWiki's code once instead of
#: on every request (about a quarter of a request's time). Files are checked for changes on
#: every request, so a new readonly.php or DevSettings.php counts at once.
OPCACHE = ["-d", "opcache.enable_cli=1", "-d", "opcache.revalidate_freq=0"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def api_answers(api: str, timeout: float = 5) -> bool:
    """Whether api.php answers a siteinfo query: the wiki is up, not only the port."""
    query = urllib.parse.urlencode({"action": "query", "meta": "siteinfo", "format": "json"})
    try:
        with urllib.request.urlopen(f"{api}?{query}", timeout=timeout) as response:
            return "query" in json.load(response)
    except (OSError, ValueError):
        return False


def pid_is_our_server(pid: int | None, port: int) -> bool:
    """True when pid is alive and is `php -S 127.0.0.1:port` (pids get reused)."""
    if not pid:
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    return b"-S" in cmdline and f"127.0.0.1:{port}".encode() in cmdline


def is_served(info: dict[str, Any] | None) -> bool:
    """Whether wiki.json's server is still ours and api.php answers it."""
    if not info:
        return False
    return pid_is_our_server(info["pid"], info["port"]) and api_answers(info["api"])


def process_gone(pid: int) -> bool:
    """True once pid has exited; a zombie waiting for its parent to reap it counts."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    # The state letter follows the command name, which is in parentheses.
    return stat.rpartition(")")[2].split()[0] in ("Z", "X")


def stop_server_of(state: Path) -> None:
    """Stop the php server of this state folder, if one runs."""
    # server.pid is written at launch, before wiki.json exists, so it also covers a
    # start that failed half-way.
    try:
        pid, port = (int(word) for word in (state / "server.pid").read_text().split())
    except (OSError, ValueError):
        return
    if not pid_is_our_server(pid, port):
        return
    os.kill(pid, signal.SIGTERM)
    for _ in range(50):
        if process_gone(pid):
            return
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)


class PhpServer:
    """`php -S` for one state folder on one port; as a context manager it is stopped on exit.

    `launch()` returns once api.php answers (the pid), or None when php exited first, e.g.
    because the port was taken in the meantime: the caller may try another one.
    """

    def __init__(self, state: Path, port: int) -> None:
        self.state = state
        self.port = port
        self.pid: int | None = None

    def launch(self) -> int | None:
        log_file = (self.state / "logs" / "server.log").open("ab")
        # A new session detaches it from our terminal and process group, and its output goes
        # to a file, so a caller that captures our stdout is not kept waiting for php.
        process = subprocess.Popen(
            ["php", *OPCACHE, "-S", f"127.0.0.1:{self.port}", "-t", str(MW_DIR)],
            cwd=MW_DIR,
            env=php_env(self.state),
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log_file.close()
        (self.state / "server.pid").write_text(f"{process.pid} {self.port}\n")
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                return None
            if api_answers(f"http://127.0.0.1:{self.port}/api.php"):
                self.pid = process.pid
                return self.pid
            time.sleep(0.2)
        process.kill()
        raise DevWikiError(f"api.php did not answer within {SERVER_START_TIMEOUT}s; see logs/")

    def stop(self) -> None:
        stop_server_of(self.state)
        self.pid = None

    def __enter__(self) -> PhpServer:
        if self.launch() is None:
            raise DevWikiError(f"php -S could not listen on port {self.port}; see logs/")
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
