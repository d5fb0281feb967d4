"""The page as the bot understands it: `reader` builds the `model` from the two sections;
`upcoming` reads "Upcoming" into event blocks of slots (`slots`: one slot's lead and status,
`words`: its own words for the log, `tables` and `calls`: slots written as table rows and
template calls); `log` reads the log the way its editors keep it."""
