"""Write the "try again" page as a static file, for the proxy to show when no app host answers.

The app answers a request it could not finish because the database was out of reach with its 503
page (config.middleware.BusyDatabaseMiddleware). When the app host itself is gone (workers killed,
host down), nginx has no answer to pass on and would show its own "502 Bad Gateway"; the example
configuration (deploy/nginx/sanhui.conf) shows this file instead, with status 503. Rendered from the
same template and translation, in the site's language (LANGUAGE_CODE), after collectstatic (its
stylesheet link is the hashed name). Run on every release: ``manage.py render_try_again``.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils import translation


class Command(BaseCommand):
    help = "Render the 'try again' page to STATIC_ROOT/try-again.html (or PATH) for the reverse proxy."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=None, help="where to write it (default: STATIC_ROOT)")

    def handle(self, *args, path=None, **options):
        out = Path(path) if path else Path(settings.STATIC_ROOT) / "try-again.html"
        with translation.override(settings.LANGUAGE_CODE):
            html = render_to_string("503_database.html")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
        self.stdout.write(str(out))
