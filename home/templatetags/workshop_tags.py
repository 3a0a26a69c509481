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


@register.simple_tag
def sibling_days(day):
    """The previous and the next live day of the same programme, by date (or None)."""
    siblings = type(day).objects.sibling_of(day, inclusive=False).live().public()
    previous = siblings.filter(date__lt=day.date).order_by("-date").first()
    following = siblings.filter(date__gt=day.date).order_by("date").first()
    return previous, following
