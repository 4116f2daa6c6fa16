from django import template

from deliberation import markup

register = template.Library()


@register.filter
def markdown(value: str):
    """Render discussion text (plain text or Markdown) to cleaned HTML."""
    return markup.render(value)
