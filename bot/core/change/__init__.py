"""What changes: `plan` (which slots are over), `edit` (lines leave "Upcoming", entries join
the log, the page's own or an archive's), `log_writer` (where each new entry goes and how it is
shaped, with `call_entries`, `table_rows` and `duplicates`), `render` (the Jinja2 templates) and
`safety` (the net every output passes before it leaves the core)."""
