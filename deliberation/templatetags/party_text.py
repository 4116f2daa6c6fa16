from django import template

from config import markup

register = template.Library()


@register.filter
def markdown(value: str):
    """Render discussion text (plain text or Markdown) to cleaned HTML."""
    return markup.render(value)


@register.filter
def party_member_of(user, committee) -> bool:
    """Whether ``user`` is a party member of ``committee`` (for the organizers' committee menu)."""
    from deliberation.permissions import is_party_member

    return bool(committee) and is_party_member(user, committee)
