"""Every URL pattern the site answers, read from the resolver (so a new view is found by itself)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Route:
    name: str            # "namespace:name", or the route text when a pattern has no name
    route: str           # the full route, for messages
    params: tuple        # the names of the URL's parameters
    callback: object     # the view
    app: str             # the module the view comes from: "members", "allauth", "django", ...

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0] if ":" in self.name else ""


_PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + str(pattern.pattern)
            name = pattern.name or route
            full = f"{namespace}:{name}" if namespace else name
            params = tuple(a or b for a, b in _PARAM.findall(route))
            callback = pattern.callback
            module = getattr(callback, "__module__", "") or ""
            yield Route(full, route, params, callback, module.split(".", 1)[0])


def all_routes() -> list[Route]:
    """Every pattern, first one of a name wins (as reverse() does)."""
    seen, routes = set(), []
    for route in _walk(get_resolver().url_patterns):
        if route.name not in seen:
            seen.add(route.name)
            routes.append(route)
    return routes


def admin_model(route: Route):
    """The model behind an admin URL (ModelAdmin.get_urls wraps each view with ``model_admin``)."""
    model_admin = getattr(route.callback, "model_admin", None)
    return model_admin.model if model_admin is not None else None
