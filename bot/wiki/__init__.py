"""The wiki side: pywikibot I/O and the read-compute-save loop around the core."""
