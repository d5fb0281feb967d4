"""The pure core: (wikitext, now, settings) in, the new wikitext and a report out.

Nothing here touches a wiki, a scheduler, the clock or the file system (but for reading the
templates it renders), so every rule can be tested offline in milliseconds. The flow, one
sub-package a step:

    wikitext/     the page's structure: sections, lines, whole pieces, Translate's markup,
                  live markup, escaping, every wikitext pattern
    dates/        reading a lead's dates and times, resolving them, writing them in English
                  and in each translation's language
    page/         the page as the bot understands it: blocks, slots, the log
    change/       what is over (the plan), the edit, the log's new entries, the safety net
    report/       the result of a run, `check`'s explanation, the status page
    translation/  what each language's translation of a moved unit becomes
    pipeline.py   the whole job in one call
    archive.py    the job on a page whose log is kept on archive pages, in two calls: which
                  archive pages to read, then the page's edit and each archive's

Glossary (each word means one thing):

    page       the wikitext of one wiki page, with its two sections: "Upcoming" and the log
    block      an event block under "Upcoming": announcement, description, slots, outro
    slot       one session's record under "Upcoming", taken whole: a list item with its
               sub-items, a table row, a definition-list group, a template call
    lead       where a slot states its sessions: the start of its line, after a label
    session    one meeting, resolved: its start and end in UTC (`dates.Session`)
    stated     a session as a lead writes it, before its year is known (`dates.Stated`)
    mention    a date written in a slot outside its lead: kept verbatim, never a session
    dated slot a slot with its sessions resolved (`page.model.DatedSlot`)
    move       a dated slot that is over: it leaves "Upcoming", and its entry joins the log
    entry      one record of the log: a list item, a table row, a template call
    words      a slot's own wikitext for its entry, whole pieces less the lead and join
               details (`page.words.SlotWords`)
    not held   what a slot's word ("cancelled", "postponed") says of its sessions
    plan       which slots move and which blocks finish with them (`change.plan.Plan`)
    edit       the change to the page's text, line by line (`change.edit.Change`)
    result     what a run did, for the summary and the report (`report.result.Result`)
    archive    a subpage whose log receives a page's entries instead of the page's own log
               (`archive.ArchiveEdit`); it is read for its log alone (`page.model.LogPage`)
    run        one call of the core on one page; a pass, outside the core, runs each page
               a configuration names
"""
