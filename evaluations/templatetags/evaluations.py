from django import template

register = template.Library()


@register.filter
def level_count(counts: dict, position: int) -> int:
    """Answers at a level position, from a result row's counts (JSON keys are text)."""
    return (counts or {}).get(str(position), 0)
