"""The WSGI application that gunicorn serves (``config.wsgi:application``).

Loaded once per worker process. Before the first request it imports the URLconf, and with it
every view module, then hands everything loaded so far to ``gc.freeze()``. Those objects live as
long as the process; left to the cyclic garbage collector, every full collection would walk all
of them, a pause in the middle of a request (docs/PERFORMANCE.md has the figures). Frozen, they
are never walked again, and a full
collection only looks at what requests have left behind.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 - imports the URLconf and the views now, not in a request
gc.freeze()
