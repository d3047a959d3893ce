"""Files the portal publishes besides HTML pages: feeds, calendars, open data, the search index
and the zip for USB sticks. ``writers`` lists them; ``context`` is what each writer is given."""
