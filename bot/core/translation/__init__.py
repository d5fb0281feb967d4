"""What each language's translation of a moved unit becomes (`plan`): what the translation
side must read (`needs`) and, given what it read, what it writes or leaves and why."""
