"""Hearing pages: ``public`` (the public page and notice, residents' lists and actions) and ``desk`` (the
organizer's desk and the lifecycle moves)."""
