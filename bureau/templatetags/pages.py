from django import template
from django.core.paginator import Paginator

register = template.Library()


@register.simple_tag
def page_numbers(page):
    """The page numbers a pager links: both ends and two either side of the current page, with
    None for a gap; around the current page only where the count is an estimate (no known end)."""
    paginator = page.paginator
    if getattr(paginator, "estimated", False):
        return range(max(1, page.number - 2), min(paginator.num_pages, page.number + 2) + 1)
    return [
        None if n == Paginator.ELLIPSIS else n
        for n in paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
    ]
