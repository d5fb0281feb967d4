"""Page titles as MediaWiki reads and compares them, in one place: the opt-in discovery, the
archive's names and the links the bot may write on its own pages all compare titles, and a
title written two ways must be one title to each of them."""

import unicodedata


def normal(title: str) -> str:
    """A title as MediaWiki stores it: in NFC, underscores as spaces, runs of spaces as one."""
    return unicodedata.normalize("NFC", " ".join(title.replace("_", " ").split()))


def key(title: str) -> str:
    """A title as MediaWiki compares two: `normal`, without a leading colon, the namespace's
    case not counting and the first letter of the title a capital."""
    title = normal(title).lstrip(":").strip()
    namespace, colon, rest = title.partition(":")
    if not colon:
        return title[:1].upper() + title[1:]
    rest = rest.strip()
    return f"{namespace.strip().casefold()}:{rest[:1].upper()}{rest[1:]}"
