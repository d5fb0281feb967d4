"""One page the bot keeps, with everything an operator may set for it."""

from dataclasses import dataclass, field

from bot.settings import META_PAGE, META_SITE, Settings


@dataclass(frozen=True)
class Target:
    site: str = META_SITE  # pywikibot's FAMILY:CODE
    title: str = META_PAGE
    #: Any text on this page stops the bot; None means `User:<bot account>/Stop`.
    stop_page: str | None = None
    #: A page where the bot appends one line per edit, for editors to watch; None for none.
    report_page: str | None = None
    #: The bot's documentation page, linked from every edit summary; None: `User:<bot account>`.
    documentation: str | None = None
    #: How many revisions back the bot looks to date a line written without a year.
    history_limit: int = 50
    settings: Settings = field(default_factory=Settings)
