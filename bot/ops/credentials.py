"""The pywikibot configuration folder and password file, checked before pywikibot reads them.

pywikibot is forgiving where a bot must not be: a `PYWIKIBOT_DIR` without `user-config.py`
falls back to another folder, or to none (Meta, anonymously); a `user-config.py` others can
write is skipped with a warning and the run goes on with the defaults; a password line of the
wrong length is warned about *with the password in the warning*; a password file without the
account makes it prompt. So the bot looks first, the way pywikibot will read them
(pywikibot.config.get_base_dir, pywikibot.login.LoginManager.readPassword), and says what is
wrong in one line, never with the file's content.

No pywikibot here: it reads its folder when imported, and this runs before.
"""

import os
import unicodedata
from ast import literal_eval
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.errors import UsageError

USER_CONFIG = "user-config.py"


def pywikibot_folder(given: str | None, environ: dict[str, str] | None = None) -> Path:
    """The folder pywikibot must read, as pywikibot picks it (-dir, PYWIKIBOT_DIR, the
    working folder, ~/.pywikibot), or UsageError when it has no user-config.py the bot can
    trust. The caller sets PYWIKIBOT_DIR to it, so that pywikibot reads exactly that one."""
    env = os.environ if environ is None else environ
    if env.get("PYWIKIBOT_NO_USER_CONFIG", "") not in ("", "0"):
        raise UsageError("PYWIKIBOT_NO_USER_CONFIG is set: pywikibot would ignore user-config.py")
    if given is not None:
        folder, named = Path(given).expanduser(), f"--dir {given}"
    elif "PYWIKIBOT_DIR" in env:
        value = env["PYWIKIBOT_DIR"]
        if not value.strip():
            raise UsageError("PYWIKIBOT_DIR is set but empty: name pywikibot's folder")
        folder, named = Path(value).expanduser(), f"PYWIKIBOT_DIR={value}"
    elif Path(USER_CONFIG).is_file():
        folder, named = Path.cwd(), "the working folder"
    else:
        home = env.get("HOME", "")
        if not home.strip():
            raise UsageError("no PYWIKIBOT_DIR and no HOME: name pywikibot's folder (--dir)")
        folder, named = Path(home) / ".pywikibot", "~/.pywikibot"
    _trusted_config(folder.resolve() / USER_CONFIG, named)
    return folder.resolve()


def _trusted_config(path: Path, named: str) -> None:
    """pywikibot skips a user-config.py owned by someone else or writable by others."""
    try:
        info = path.stat()
    except OSError:
        raise UsageError(
            f"{named}: no {USER_CONFIG} in {path.parent}; without it pywikibot would run with "
            "its defaults (Meta, not logged in)"
        ) from None
    if info.st_uid not in (os.getuid(), 0):
        raise UsageError(f"{path} belongs to another user: pywikibot would skip it")
    if info.st_mode & 0o002:
        raise UsageError(
            f"{path} can be written by others (mode {info.st_mode & 0o777:o}): pywikibot "
            f"would skip it; run: chmod o-w {path}"
        )


@dataclass(frozen=True)
class Account:
    family: str
    code: str
    username: str


def password_problems(path: Path, accounts: Iterable[Account]) -> list[str]:
    """What is wrong with the password file for these accounts, one line each, never with any
    of its content: missing, readable by others, a line pywikibot cannot read, an account
    without a password."""
    try:
        info = path.stat()
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return [f"password file {path} does not exist"]
    except (OSError, UnicodeDecodeError) as error:
        return [f"password file {path} cannot be read: {getattr(error, 'strerror', None) or error}"]
    problems = []
    if info.st_mode & 0o077:
        problems.append(
            f"password file {path} can be read by others (mode {info.st_mode & 0o777:o}); "
            f"run: chmod 600 {path}"
        )
    entries = []
    for number, line in enumerate(lines, 1):
        entry, problem = _entry(line.strip())
        if problem:
            problems.append(f"password file {path}, line {number}: {problem}")
        elif entry is not None:
            entries.append(entry)
    for account in accounts:
        if not any(_matches(entry, account) for entry in entries):
            problems.append(
                f"password file {path} has no password for {account.username} on "
                f"{account.family}:{account.code}"
            )
    return problems


def _entry(line: str) -> tuple[tuple[object, ...] | None, str | None]:
    """A password line as pywikibot reads it, or why it cannot (without the line itself)."""
    if not line or line.startswith("#"):
        return None, None
    if line.count(", ") > 4 or len(line) > 250:
        return None, "too long or too complex for pywikibot"
    bot_password = "BotPassword" in line
    try:
        entry = literal_eval(line.replace("BotPassword", ""))
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None, "not a Python tuple of strings"
    if not isinstance(entry, tuple) or not 2 <= len(entry) <= 4:
        return None, "needs 2 to 4 elements: ([[code,] family,] username, password)"
    *names, secret = entry
    if not all(isinstance(n, str) for n in names):
        return None, "the code, family and username must be strings"
    if bot_password:
        if not (
            isinstance(secret, tuple)
            and len(secret) == 2
            and all(isinstance(p, str) for p in secret)
        ):
            return None, "BotPassword takes two strings: BotPassword('suffix', 'password')"
    elif not isinstance(secret, str):
        return None, "the password must be a string or a BotPassword"
    return entry, None


def _matches(entry: tuple[object, ...], account: Account) -> bool:
    names = [str(n) for n in entry[:-1]]
    code, family, username = ([account.code, account.family][: 3 - len(names)] + names)[-3:]
    return (
        _user(username) == _user(account.username)
        and family == account.family
        and code == account.code
    )


def _user(name: str) -> str:
    """A username as MediaWiki and pywikibot compare it: spaces, a capital first letter, NFC."""
    name = unicodedata.normalize("NFC", " ".join(name.replace("_", " ").split()))
    return name[:1].upper() + name[1:]
