"""The wiki side: pywikibot I/O and the read-compute-save loop around the core.

It imports bot.ops, never the other way (tests/test_layout.py holds the layers: cli, wiki,
ops, core): ops is what a run is given and keeps between runs (a target's configuration, the
credentials, the state folder, the pass's deadline), all of it usable before pywikibot loads,
so that a configuration is checked and a lock taken before pywikibot reads its own folder.
"""
