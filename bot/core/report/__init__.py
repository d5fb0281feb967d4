"""What a run says: `result` (the summary and the JSON report), `explain` (`check`'s reading
of the page), `status` (the status page's sections)."""
