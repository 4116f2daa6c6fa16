from django import template

register = template.Library()


@register.filter
def level_count(counts: dict, position: int) -> int:
    """Answers at a level position, from a result row's counts (JSON keys are text)."""
    return (counts or {}).get(str(position), 0)


@register.filter
def figures_for(figures: dict, evaluatee):
    """The residents' requests figures of an evaluatee's agency (None for the committee itself)."""
    return (figures or {}).get(getattr(evaluatee, "agency_id", None))
