"""Moves past conversation hours from "Upcoming" into the log of a wiki page."""
