# pywikibot configuration for conversation-hours-bot on Wikimedia Toolforge (Meta-Wiki).
#
# Copy this file, unchanged, to ~/.pywikibot/user-config.py in the tool's home; the jobs in
# scripts/toolforge/jobs.yaml point PYWIKIBOT_DIR there. It holds no secret: the account and its
# credentials come from the tool's environment variables, set once from a bastion with
# `toolforge envvars create NAME` (which asks for the value). Jobs see them; a bastion shell
# does not.
#
#   CHBOT_USERNAME               the bot account on Meta, e.g. ExampleConversationBot;
#                                required: without it this file refuses to load
#   CHBOT_CONTACT                optional: how to reach the operator (an e-mail address or a
#                                URL), sent in the user agent next to the link to the bot's
#                                user page that pywikibot adds itself
#
# Log in with one of:
#
# - an owner-only OAuth 1.0a consumer (Special:OAuthConsumerRegistration/propose/oauth1a on
#   Meta, "This consumer is for use only by <the bot account>"), its four keys in
#   CHBOT_OAUTH_CONSUMER_TOKEN, CHBOT_OAUTH_CONSUMER_SECRET, CHBOT_OAUTH_ACCESS_TOKEN and
#   CHBOT_OAUTH_ACCESS_SECRET. Nothing secret is then stored on disk. pywikibot signs its
#   requests with requests-oauthlib: run scripts/toolforge/bootstrap with --oauth.
# - a BotPassword (Special:BotPasswords on Meta) in a password file in this folder, mode 0600,
#   holding one line:  ('ExampleConversationBot', BotPassword('toolforge', 'SECRET'))
#   pywikibot reads a BotPassword from a file only; CHBOT_PASSWORD_FILE may name another file.
#
# Grants for either: "Basic rights", "High-volume (bot) access" (for the bot flag) and "Edit
# existing pages". Page creation is deliberately not granted: the bot never creates pages.
# Names that start with "_" are this file's own; pywikibot ignores them.
from os import environ as _env

family = "meta"
mylang = "meta"

_username = _env.get("CHBOT_USERNAME", "").strip()
if not _username:
    raise ValueError(
        "CHBOT_USERNAME is not set: name the bot account with "
        "`toolforge envvars create CHBOT_USERNAME <account>`"
    )
usernames["meta"]["meta"] = _username  # noqa: F821 (pywikibot provides it)

_OAUTH_NAMES = (
    "CHBOT_OAUTH_CONSUMER_TOKEN",
    "CHBOT_OAUTH_CONSUMER_SECRET",
    "CHBOT_OAUTH_ACCESS_TOKEN",
    "CHBOT_OAUTH_ACCESS_SECRET",
)
_oauth = tuple(_env.get(_name, "").strip() for _name in _OAUTH_NAMES)
if all(_oauth):
    # pywikibot's form for OAuth 1.0a: the host name, then the consumer and the access keys.
    authenticate["meta.wikimedia.org"] = _oauth  # noqa: F821 (pywikibot provides it)
elif any(_oauth):
    _missing = ", ".join(n for n, v in zip(_OAUTH_NAMES, _oauth, strict=True) if not v)
    raise ValueError(f"OAuth is half configured: set {_missing} too (toolforge envvars create)")
else:
    # Relative to this folder; pywikibot reads it only for the account named above.
    password_file = _env.get("CHBOT_PASSWORD_FILE", "").strip() or "user-password.py"

# Wikimedia's user-agent policy: say what the bot is and how to reach its operator. pywikibot
# (11.0 and later) already sends the account, the program's name and a link to the account's
# user page on Meta; this adds where it runs and the operator's contact, if given.
_tool = _env.get("TOOL_DATA_DIR", "").rstrip("/").rpartition("/")[2]
_about = [f"Toolforge tool {_tool}" if _tool else "", _env.get("CHBOT_CONTACT", "").strip()]
user_agent_description = "; ".join(_part for _part in _about if _part) or None

# Back off when the database replicas lag: pywikibot sends maxlag with every request and waits.
write_maxlag = 5
read_maxlag = 30

# Bot policy: no more than one edit every few seconds.
put_throttle = 10

# Give up on a failing request after a few minutes, not hours: the next pass tries again.
max_retries = 6
