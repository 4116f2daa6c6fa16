"""Which suite a test runs in. ``make test`` runs everything on SQLite; ``make test-pg`` runs on
PostgreSQL what can behave differently there. A test that runs once, in ``make test`` only, says why."""

import pytest
from django.db import connection

ON_SQLITE = connection.vendor == "sqlite"

# The demo is what `make run` seeds, on SQLite; a deployment on PostgreSQL never seeds it.
DEMO = pytest.mark.skipif(not ON_SQLITE, reason="the demo is seeded on SQLite (make run): run by make test")
# Databases of its own that are SQLite files whatever the suite's database.
OWN_SQLITE_FILES = pytest.mark.skipif(not ON_SQLITE, reason="SQLite files of its own: run by make test")
# Replaying migrations is the slowest thing the suite does: it runs on SQLite, where a table rebuild
# could lose its triggers; an upgrade on PostgreSQL is drilled on a previous release's full data by
# `make upgrade-drill` (scripts/upgrade-drill.sh).
MIGRATION_REPLAY = pytest.mark.skipif(not ON_SQLITE, reason="migration replay runs on SQLite (make upgrade-drill)")
