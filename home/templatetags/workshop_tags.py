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
def breadcrumbs(page, current=None):
    """The page's ancestors below the tree root, the home page first. With `current`
    (the title of a view below the page, such as a session), the page is a link too."""
    ancestors = list(page.get_ancestors().filter(depth__gt=1))
    if current:
        ancestors.append(page)
    return {"ancestors": ancestors, "current": current or page.title}
