from django import template
from django.conf import settings

register = template.Library()


@register.filter
def minutes(delta):
    """A lockout's length as whole minutes (Axes hands the template a timedelta)."""
    return round(delta.total_seconds() / 60)


@register.simple_tag
def support_contact():
    return settings.SUPPORT_CONTACT
