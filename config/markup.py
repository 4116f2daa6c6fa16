"""Discussion text: plain text or a small Markdown, rendered to HTML that can carry no script.

Raw HTML in the source is shown as text (``<`` is escaped before Markdown runs), and the
rendered HTML is then cleaned by nh3 (an allow-list of tags, attributes and URL schemes), so a
``<script>``, an ``onerror=`` handler or a ``javascript:`` link comes out inert either way.
"""

import markdown
import nh3
from django.utils.safestring import SafeString, mark_safe

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "blockquote", "code", "pre", "a", "h3", "h4", "hr"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}


def render(source: str) -> SafeString:
    """Markdown → safe HTML."""
    text = (source or "").replace("&", "&amp;").replace("<", "&lt;")
    html = markdown.markdown(text, extensions=["nl2br", "sane_lists"], output_format="html")
    # Headings are demoted so a comment cannot outrank the page's own headings.
    html = html.replace("<h1>", "<h3>").replace("</h1>", "</h3>").replace("<h2>", "<h4>").replace("</h2>", "</h4>")
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                        link_rel="nofollow noopener noreferrer")
    return mark_safe(cleaned)  # noqa: S308 - cleaned by nh3 just above
