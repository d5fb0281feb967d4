"""The pure core: (wikitext, now, settings) in, the new wikitext and a report out.

Nothing here touches a wiki, a scheduler, the clock or the file system (but for reading the
templates it renders), so every rule can be tested offline in milliseconds.
"""
