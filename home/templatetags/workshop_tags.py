from django import template

from home import dates

register = template.Library()


@register.simple_tag
def date_range(start, end):
    return dates.format_date_range(start, end)


@register.simple_tag
def time_range(start, end):
    return dates.format_time_range(start, end)


@register.filter
def day(value):
    return dates.format_day(value)


@register.inclusion_tag("components/breadcrumbs.html")
def breadcrumbs(page):
    """The page's ancestors below the tree root, the home page first."""
    return {"ancestors": page.get_ancestors().filter(depth__gt=1), "page": page}
