"""A pywikibot folder for each bot account: a family file, user-config.py and
user-password.py, so that PYWIKIBOT_DIR alone points pywikibot at the local wiki."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .accounts import BOT_ROLES, User
from .config import CODE, FAMILY
from .util import render, write_private


def write_pywikibot_config(info: dict[str, Any]) -> None:
    """For each bot: user-config.py, user-password.py and a family file for pywikibot."""
    for role in BOT_ROLES:
        write_pywikibot_dir(info, info["users"][role])


def write_pywikibot_dir(info: dict[str, Any], bot: User) -> None:
    base = Path(bot["pywikibot_dir"])
    family_file = base / "families" / f"{FAMILY}_family.py"
    family_file.parent.mkdir(parents=True, exist_ok=True)
    # A family file rather than family_files[...] = api URL: an URL makes an AutoFamily
    # whose only code is the family name (devwiki:devwiki); the file gives devwiki:en.
    # Everything here is local, so pywikibot never needs another wiki to resolve it.
    family = render("devwiki_family.py.in", family=FAMILY, code=CODE, port=info["port"])
    family_file.write_text(family, encoding="utf-8")
    config = render(
        "user-config.py.in",
        api=info["api"],
        folder=base,
        family_repr=repr(FAMILY),
        family_file_repr=repr(str(family_file)),
        code_repr=repr(CODE),
        user_repr=repr(bot["name"]),
    )
    (base / "user-config.py").write_text(config, encoding="utf-8")
    write_private(
        base / "user-password.py",
        f"({bot['name']!r}, BotPassword({bot['bot_password_name']!r}, {bot['bot_password']!r}))\n",
    )
