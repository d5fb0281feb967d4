"""The local test wiki (scripts/dev-wiki is its launcher), in the shape of Wikimedia's Quibble:
one module a job, standard library only, so that it runs before any virtual environment exists.

- config: where everything lives, what the wiki is built from
- util: errors, logging, running commands, files with passwords, templates
- apt: PHP from the machine's apt; MediaWiki's .deb files through a private apt state
- distribution: $IP in .dev-wiki-dist/, unpacked and self-contained, with the extensions
- extdist: an extension's snapshot from mediawiki.org's distributor, checked, when not vendored
- maintenance: MediaWiki's maintenance scripts, core's and the package's own (php/)
- accounts: the accounts, their groups and passwords
- pywikibot_config: a pywikibot folder for each bot account
- server: PHP's built-in web server, as a context manager
- wiki: one wiki's state folder: create, serve, read-only, delete
- api: the one api.php client, which the integration tests import too
- dump: revisions in MediaWiki's export format, to seed history
- content: seed / seed-many / mark / translate / run-jobs
- cli: the command line

templates/ holds the files filled in per wiki (`@@name` placeholders), php/ the maintenance
classes run as they are.
"""
