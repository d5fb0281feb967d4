"""The page's structure, before any meaning: the linear scan (`scan`), headings and sections
(`sections`), lines and chunks (`lines`), whole pieces through a bounded mwparserfromhell
(`pieces`), Translate's markup (`translate_markup`), live markup (`liveness`), escaping
(`escape`), page titles (`titles`), and every wikitext pattern (`patterns`, the only module
that compiles one)."""
