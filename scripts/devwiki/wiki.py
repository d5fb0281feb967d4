"""One wiki: its state folder (database, settings, logs, wiki.json), creating it with its
accounts, serving it, switching it read-only, and deleting it.

Everything a wiki writes lives in its state folder; DIR/wiki.json, written last, holds the
URLs, the server's pid, the accounts and their passwords, and pywikibot's site name.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .accounts import ADMIN, create_users, new_users
from .apt import install_php, missing_packages
from .config import CODE, FAMILY, MARKER, SITENAME
from .distribution import Dist, ensure_mediawiki, mediawiki_info
from .maintenance import maintenance
from .pywikibot_config import write_pywikibot_config
from .server import PhpServer, api_answers, free_port, is_served, stop_server_of
from .util import DevWikiError, log, render, write_private

#: wiki.json: url, api, server, port, pid, state_dir, pywikibot_dir, family, code, site,
#: server_log, mediawiki and users.
Info = dict[str, Any]


def info_path(state: Path) -> Path:
    return state / "wiki.json"


def load_info(state: Path) -> Info | None:
    """wiki.json of a finished wiki, or None when there is none (yet)."""
    try:
        info: Info = json.loads(info_path(state).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return info


def require_info(state: Path) -> Info:
    info = load_info(state)
    if not info:
        raise DevWikiError(f"no wiki in {state}; run `dev-wiki start` first")
    return info


def served_info(state: Path) -> Info:
    """wiki.json of a wiki whose api.php answers: the commands that use the API need one."""
    info = require_info(state)
    if not api_answers(info["api"]):
        raise DevWikiError(f"the wiki in {state} is not being served; `dev-wiki start` serves it")
    return info


def write_info(state: Path, info: Info) -> None:
    write_private(info_path(state), json.dumps(info, indent=2) + "\n")


def prepare_state_dir(state: Path) -> None:
    """Make an empty state folder; refuse to reuse a folder that dev-wiki did not make."""
    if state.exists():
        if (state / MARKER).exists():
            # A start that died half-way: nothing in it is worth keeping.
            stop_server_of(state)
            shutil.rmtree(state)
        elif any(state.iterdir()):
            raise DevWikiError(f"{state} exists and is not empty; pick another --state")
    state.mkdir(parents=True, exist_ok=True)
    (state / MARKER).write_text("made by scripts/dev-wiki; `dev-wiki stop` deletes this folder\n")
    for sub in ("data", "tmp", "logs"):
        (state / sub).mkdir(exist_ok=True)


def set_port(info: Info, port: int) -> Info:
    server = f"http://127.0.0.1:{port}"
    info.update(url=f"{server}/index.php", api=f"{server}/api.php", server=server, port=port)
    return info


def use_port(state: Path, info: Info, port: int) -> None:
    """Serve the wiki on port: the one place that writes DevSettings.php after install."""
    set_port(info, port)
    (state / "DevSettings.php").write_text(render("DevSettings.php", port=port), encoding="utf-8")


def build_info(state: Path, port: int, dist: Dist) -> Info:
    """wiki.json of a new wiki, before it is served (no pid yet)."""
    users = new_users(state)
    return set_port({}, port) | {
        "pid": None,
        "state_dir": str(state),
        "pywikibot_dir": users["bot"]["pywikibot_dir"],
        "family": FAMILY,
        "code": CODE,
        "site": f"{FAMILY}:{CODE}",
        "server_log": str(state / "logs" / "server.log"),
        "mediawiki": mediawiki_info(dist),
        "users": users,
    }


def create_wiki(state: Path, port: int, dist: Dist) -> Info:
    """A new wiki in state: database, settings, Translate's tables and the accounts."""
    info = build_info(state, port, dist)
    maintenance(
        state,
        "install",
        "--dbtype=sqlite",
        f"--dbpath={state / 'data'}",
        f"--dbname={FAMILY}",
        f"--confpath={state}",
        f"--server={info['server']}",
        "--scriptpath=",
        "--lang=en",
        "--skins=Vector",
        f"--pass={info['users']['admin']['password']}",
        SITENAME,
        ADMIN,
    )
    # Our settings live in their own file, so the port can be rewritten without touching
    # what install.php generated.
    with (state / "LocalSettings.php").open("a", encoding="utf-8") as handle:
        handle.write("\n# Added by scripts/dev-wiki\nrequire_once __DIR__ . '/DevSettings.php';\n")
    use_port(state, info, port)
    # install.php only made core's tables; this adds the extensions' ones.
    maintenance(state, "update", "--quick")
    create_users(state, info["users"])
    return info


def serve(state: Path, info: Info, wanted_port: int | None) -> None:
    """Serve the wiki on info's port, moving to another free one if that one is taken."""
    for _attempt in range(3):
        pid = PhpServer(state, info["port"]).launch()
        if pid:
            info["pid"] = pid
            return
        if wanted_port:
            raise DevWikiError(f"php -S could not listen on port {wanted_port}; see logs/")
        port = free_port()
        log(f"port {info['port']} was taken; trying {port}")
        use_port(state, info, port)
    raise DevWikiError("php -S would not start; see logs/server.log")


def start(state: Path, port: int | None = None) -> Info:
    """The wiki in state, served: made when missing, served again when its server is gone."""
    info = load_info(state)
    if info and "mediawiki" not in info:
        raise DevWikiError(
            f"{state} holds a MediaWiki 1.39 wiki of an older dev-wiki; "
            "`dev-wiki stop` it and start a new one"
        )
    if info and is_served(info):
        log(f"already running at {info['url']} (pid {info['pid']})")
        return info
    if missing_packages():
        install_php()
    dist = ensure_mediawiki()
    started = time.monotonic()
    if not info:
        prepare_state_dir(state)
    try:
        info = (
            _revive(state, info, port, dist)
            if info
            else create_wiki(state, port or free_port(), dist)
        )
        serve(state, info, port)
        write_pywikibot_config(info)
        write_info(state, info)  # last: its presence means "finished wiki"
    except BaseException:
        stop_server_of(state)
        raise
    log(f"wiki at {info['url']} ready in {time.monotonic() - started:.1f}s; details in {state}")
    return info


def _revive(state: Path, info: Info, port: int | None, dist: Dist) -> Info:
    """The wiki exists but its server is gone (reboot, killed): make it ready to serve again."""
    log(f"serving the existing wiki in {state} again")
    use_port(state, info, port or info["port"])
    if info["mediawiki"] != mediawiki_info(dist):
        # .dev-wiki-dist/ has been rebuilt since (a newer package or extension).
        maintenance(state, "update", "--quick")
        info["mediawiki"] = mediawiki_info(dist)
    return info


def stop(state: Path) -> None:
    """Stop the wiki's server and delete its state folder (never one dev-wiki did not make)."""
    if not state.exists():
        log(f"nothing to stop: {state} does not exist")
        return
    if not any(state.iterdir()):
        state.rmdir()  # e.g. a start that stopped before creating anything
        log(f"nothing was running; removed the empty {state}")
        return
    if not (state / MARKER).exists():
        raise DevWikiError(f"{state} was not made by dev-wiki; not deleting it")
    stop_server_of(state)
    shutil.rmtree(state)
    log(f"stopped and removed {state}")


@contextlib.contextmanager
def running(state: Path) -> Iterator[Info]:
    """A wiki for the length of a `with`: started (made if need be), then stopped and deleted."""
    try:
        yield start(state)
    finally:
        stop(state)


def set_readonly(state: Path, on: bool, reason: str = "") -> None:
    """$wgReadOnly on or off; every request reads the switch afresh, so no restart is needed."""
    require_info(state)
    target = state / "readonly.php"
    if on:
        escaped = reason.replace("\\", "\\\\").replace("'", "\\'")
        target.write_text(render("ReadOnly.php", reason=escaped), encoding="utf-8")
    else:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
    log(f"read-only {'on' if on else 'off'}")
