"""The stored-XSS corpus and how to spread it over every free-text field of the site's models."""

import itertools
from html.parser import HTMLParser

from django.apps import apps
from django.db import models, transaction

# Each payload names the marker __xss (or alert) so a match in a page can only come from here.
PAYLOADS = [
    "<script>__xss(1)</script>",
    "<img src=x onerror=__xss(2)>",
    "\"><svg onload=__xss(3)>",
    "'><img src=x onerror=__xss(4)>",
    "</textarea><script>__xss(5)</script>",
    "</title><script>__xss(6)</script>",
    "<a href=\"javascript:__xss(7)\">7</a>",
    "<iframe srcdoc=\"<script>__xss(8)</script>\">",
    "<details open ontoggle=__xss(9)>",
    "<body onload=__xss(10)>",
    "{{ 7|add:__xss }}{% debug %}<style>*{x:__xss(11)}</style>",
    "javascript:__xss(12)//<input autofocus onfocus=__xss(12)>",
]
APPS = ("members", "decisions", "deliberation", "hearings", "coordination", "evaluations")
SKIP_WORDS = ("password", "username", "phone", "email", "key", "hash", "receipt", "code", "token", "url",
              "tag", "kind", "status", "meaning", "channel", "secrecy", "electorate", "rule", "voice",
              "snapshot", "history", "ip", "language")
SKIP_MODELS = {"members.session"}  # signed session data, never shown: a payload there only signs people out


def text_fields(model) -> list:
    out = []
    for field in model._meta.get_fields():
        if not isinstance(field, (models.CharField, models.TextField)) or field.choices:
            continue
        if set(field.name.split("_")) & set(SKIP_WORDS) or not field.editable:
            continue
        out.append(field)
    return out


def inject_everywhere() -> list[tuple[str, str]]:
    """Overwrite every free-text field of every object of the site's apps with a payload, through
    save() (so history rows carry them too). Returns (model.field, payload) for each injection."""
    payloads = itertools.cycle(PAYLOADS)
    done = []
    for model in apps.get_models():
        if (model._meta.app_label not in APPS or model.__name__.startswith("Historical")
                or model._meta.label_lower in SKIP_MODELS):
            continue
        fields = text_fields(model)
        if not fields:
            continue
        for n, obj in enumerate(model.objects.all()):
            for field in fields:
                payload = next(payloads)
                value = f"{payload}{n}"
                if field.max_length:
                    value = value[: field.max_length]
                setattr(obj, field.name, value)
            try:
                with transaction.atomic():
                    obj.save()
            except Exception:  # noqa: BLE001 - append-only tables, constraints: leave that object as it was
                continue
            done += [(f"{model.__name__}.{f.name}", getattr(obj, f.name)) for f in fields]
    return done


class _MarkupFinder(HTMLParser):
    """Elements a payload could only have produced by becoming markup: a script with the marker,
    an event handler attribute with it, a javascript: URL. Escaped text, and payloads inside
    ordinary attribute values (value="…", aria-label="…"), are data and pass."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        self.in_script = tag in ("script", "style")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") and ("__xss" in value or "alert" in value):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in ("href", "src", "action", "formaction", "data") and \
                    value.strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name == "srcdoc" and "__xss" in value:
                self.found.append(f"<{tag} srcdoc={value!r}>")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and "__xss" in data:
            self.found.append(f"<script>{data[:80]}")


def dangerous(html: str) -> list[str]:
    finder = _MarkupFinder()
    finder.feed(html)
    return finder.found
