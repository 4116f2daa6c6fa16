from django import template

from members.phone import display_phone

register = template.Library()


@register.filter
def phone(value: str | None) -> str:
    """Show an E.164 number as residents write it."""
    return display_phone(value)
