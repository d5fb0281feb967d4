"""The wiki's accounts: who they are, their groups and passwords (kept in wiki.json's "users"),
and creating them.

Roles: bot = ConversationBot (groups bot and translationadmin; logs in with a BotPassword),
plainbot = PlainBot (group bot only; BotPassword), editor = Editor, translator = Translator (a
plain user: users have the translate right, as on Meta-Wiki), admin = Admin (sysop,
bureaucrat, interface-admin, translationadmin).
"""

from __future__ import annotations

import secrets
import string
from pathlib import Path
from typing import Any

from .maintenance import maintenance

BOT = "ConversationBot"
PLAIN_BOT = "PlainBot"
BOT_APP = "ci"
# Least privilege for the bot: basic (read, writeapi), highvolume (the `bot` right, so edits
# carry the bot flag; no rate limits), editpage, which also carries Translate's rights
# (translate, unfuzzy, translate-manage and pagetranslation, so action=markfortranslation)
# for an account whose groups have them, and createeditmovepage, for the archive subpages an
# opted-in page names (the only pages the bot ever creates; every other save is nocreate).
BOT_GRANTS = ["basic", "highvolume", "editpage", "createeditmovepage"]
EDITOR = "Editor"
TRANSLATOR = "Translator"
ADMIN = "Admin"  # made by install.php, which puts it in sysop, bureaucrat and interface-admin
DEFAULT_SEED_USER = EDITOR

# role in wiki.json -> account name and groups. Bots log in with a BotPassword.
ACCOUNTS = {
    "bot": (BOT, ["bot", "translationadmin"]),
    "plainbot": (PLAIN_BOT, ["bot"]),
    "editor": (EDITOR, []),
    "translator": (TRANSLATOR, []),
    "admin": (ADMIN, ["sysop", "bureaucrat", "interface-admin", "translationadmin"]),
}
BOT_ROLES = ["bot", "plainbot"]
# Groups that install.php or createAndPromote.php's own options give.
BUILTIN_GROUPS = {"bot", "sysop", "bureaucrat", "interface-admin"}

#: One account as wiki.json keeps it: name, password, groups, and for bots their BotPassword.
User = dict[str, Any]


def random_password(length: int = 24) -> str:
    # Letters and digits only: safe inside PHP, Python and shell quoting alike.
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


def random_bot_password() -> str:
    # createBotPassword.php takes any 32+ characters, but api.php's action=login only
    # treats a password as a bot password when it matches /^[0-9a-w]{32,}$/ (what
    # Special:BotPasswords generates); anything else fails as "Incorrect password".
    alphabet = string.digits + "abcdefghijklmnopqrstuvw"
    return "".join(secrets.choice(alphabet) for _ in range(32))


def pywikibot_dir(state: Path, role: str) -> Path:
    """The bot's folder is the one `start` prints; PlainBot has one of its own."""
    return state / "pywikibot" if role == "bot" else state / f"pywikibot-{role}"


def new_users(state: Path) -> dict[str, User]:
    """Every role's account with fresh passwords, as wiki.json records them."""
    users = {}
    for role, (name, groups) in ACCOUNTS.items():
        users[role] = {"name": name, "password": random_password(), "groups": groups}
        if role in BOT_ROLES:
            users[role] |= {
                "bot_password_name": BOT_APP,
                "bot_password": random_bot_password(),
                "login_name": f"{name}@{BOT_APP}",
                "grants": BOT_GRANTS,
                "pywikibot_dir": str(pywikibot_dir(state, role)),
            }
    return users


def create_users(state: Path, users: dict[str, User]) -> None:
    """Create each account in the wiki (Admin exists already), with its groups and BotPassword."""
    for role, (name, groups) in ACCOUNTS.items():
        user = users[role]
        options = ["--bot"] if "bot" in groups else []
        custom = [group for group in groups if group not in BUILTIN_GROUPS]
        if custom:
            options.append("--custom-groups=" + ",".join(custom))
        if role == "admin":
            # install.php made it; this only adds the groups.
            maintenance(state, "createAndPromote", "--force", *options, name)
        else:
            maintenance(state, "createAndPromote", *options, name, user["password"])
        if "bot_password" in user:
            # createBotPassword.php insists on a 32-character password.
            maintenance(
                state,
                "createBotPassword",
                f"--appid={user['bot_password_name']}",
                "--grants=" + ",".join(user["grants"]),
                name,
                user["bot_password"],
            )
