"""Find the POST forms of the site's pages: their target URL name and their fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve


@dataclass
class FormField:
    name: str
    kind: str                      # input type, "select", "textarea"
    values: set = field(default_factory=set)   # values offered (options, radios, hidden, checkboxes)


@dataclass
class PostForm:
    action: str                    # path
    fields: dict = field(default_factory=dict)
    multipart: bool = False


class _Parser(HTMLParser):
    def __init__(self, page_path: str):
        super().__init__(convert_charrefs=True)
        self.page_path = page_path
        self.forms: list[PostForm] = []
        self.current: PostForm | None = None
        self.select: FormField | None = None

    def _field(self, name, kind) -> FormField:
        return self.current.fields.setdefault(name, FormField(name, kind))

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            if (a.get("method") or "get").lower() == "post":
                action = urlsplit(a.get("action") or self.page_path).path or self.page_path
                self.current = PostForm(action, multipart="multipart" in (a.get("enctype") or ""))
            return
        if self.current is None or not a.get("name"):
            if tag == "option" and self.select is not None and "value" in a:
                self.select.values.add(a["value"])
            return
        name = a["name"]
        if name == "csrfmiddlewaretoken":
            return
        if tag == "input":
            f = self._field(name, (a.get("type") or "text").lower())
            if a.get("value") is not None:
                f.values.add(a["value"])
        elif tag == "select":
            self.select = self._field(name, "select")
        elif tag == "textarea":
            self._field(name, "textarea")
        elif tag == "button" and a.get("value") is not None:
            self._field(name, "button").values.add(a["value"])

    def handle_endtag(self, tag):
        if tag == "form" and self.current is not None:
            self.forms.append(self.current)
            self.current = None
        elif tag == "select":
            self.select = None


def post_forms(html: str, page_path: str) -> list[PostForm]:
    parser = _Parser(page_path)
    parser.feed(html)
    return parser.forms


def route_name(path: str) -> str | None:
    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name
