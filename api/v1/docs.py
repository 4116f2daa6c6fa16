"""The open data API's documentation page (/api/v1/docs): Redoc, from this site's static files.

django-ninja ships two docs pages. This is its Redoc page with the site's own template
(templates/api/docs.html: the page's language, a title, no inline script, static/js/api-docs.js
starts Redoc), a theme in the site's colours (static/css/site.css) and two CSS rules for the colours
the theme does not reach (static/css/api-docs.css): axe-core then finds no serious or critical
violation on it. Swagger UI, ninja's default, needed a script rewriting its markup after each render
(it nests buttons in buttons) on top of the same template and colour work.

Redoc styles itself with styled-components, which add ``<style>`` elements at run time; the site's
Content-Security-Policy forbids inline style, so this page alone lets in the styles that carry its
request's nonce (Redoc's ``nonce`` setting) and the one sheet Redoc adds before it has the nonce
(``REDOC_STYLES``, the API's ``docs_decorator``). Scripts stay 'self' only. Search is off: Redoc runs
it in a worker made from a ``blob:`` URL, which the policy forbids too, and the menu lists the few
endpoints anyway.
"""

from typing import Any

from csp.constants import NONCE
from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import Redoc

CODE_FONTS = 'ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace'
TEXT_FONTS = 'system-ui, -apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", sans-serif'

# Redoc's theme: each colour of text at least 4.5:1 on the background it is shown on.
THEME = {
    "colors": {
        # the site's link colour, 8.6:1 on white; Redoc's lighter shade of it is text too (6.4:1)
        "primary": {"main": "#0a4a8f", "light": "#2660a4"},
        "success": {"main": "#1e5e2e"},
        "warning": {"main": "#7a4a00"},
        "error": {"main": "#9b1c1c"},
        "text": {"primary": "#1b1b1b", "secondary": "#4a4a4a"},
        "responses": {"info": {"color": "#0a4a8f"}},  # Redoc's sky blue is 1.8:1 on white
        "http": {"get": "#1e5e2e", "post": "#0a4a8f", "put": "#6e2a5a", "options": "#6b5100",
                 "patch": "#8a3a0c", "delete": "#9b1c1c", "basic": "#4a4a4a", "link": "#055a64",
                 "head": "#7a2a86"},
    },
    "typography": {
        "fontSize": "16px",
        "fontFamily": TEXT_FONTS,
        "headings": {"fontFamily": TEXT_FONTS, "fontWeight": "600"},
        "code": {"fontSize": "14px", "fontFamily": CODE_FONTS, "color": "#9b1c1c"},
        "links": {"color": "#0a4a8f"},
    },
    "sidebar": {"backgroundColor": "#f4f1ec", "textColor": "#1b1b1b", "activeTextColor": "#0a4a8f"},
    "rightPanel": {"backgroundColor": "#1f2a30", "textColor": "#ffffff"},
}

# The page's addition to the site's policy: styles carrying the request's nonce, and the one style
# sheet Redoc's bundle adds as it loads, before Redoc.init can give it the nonce (perfect-scrollbar's
# CSS: its hash, and the hash of the empty element it is put in first). A new Redoc changes the hash:
# the API token journey then fails on the refused style (tests/e2e/test_api_token_journey.py).
REDOC_LOAD_STYLE_HASHES = ["'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
                           "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='"]
REDOC_STYLES = csp_update({"style-src": [NONCE, *REDOC_LOAD_STYLE_HASHES]})

SETTINGS = {
    "theme": THEME,
    "disableSearch": True,
    "expandResponses": "200",
    "hideHostname": True,
}


class Docs(Redoc):
    template = "api/docs.html"

    def __init__(self) -> None:
        super().__init__(settings=SETTINGS)

    def render_page(self, request: HttpRequest, api: Any, **kwargs: Any) -> HttpResponse:
        settings = {**self.settings, "nonce": str(request.csp_nonce)}
        context = {"api": api, "redoc_settings": settings, "openapi_json_url": self.get_openapi_url(api, kwargs)}
        return render(request, self.template, context)
