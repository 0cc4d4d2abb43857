from django import template

from bureau import numbers

register = template.Library()


@register.filter
def figure(value, unit=""):
    """`{{ value|figure:"m²" }}`: see bureau.numbers.figure."""
    return numbers.figure(value, unit)


@register.filter
def measure(unit):
    return numbers.measure(unit)
