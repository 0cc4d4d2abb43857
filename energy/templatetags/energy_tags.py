from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def pct(value):
    """A fractional change as a signed percentage; "—" when there is nothing to compare."""
    return "—" if value is None else f"{value * 100:+.1f}%"


@register.filter
def num(value, places=2):
    return "—" if value is None else floatformat(value, places)


@register.filter
def per_thousand(value):
    return None if value is None else value / 1000


@register.filter
def share(value):
    """A proportion as a percentage: 0.8 -> 80.0%."""
    return "—" if value is None else f"{value * 100:.1f}%"
