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


@register.inclusion_tag("components/track_colours.html", takes_context=True)
def track_colours(context):
    """The colours of the edition's themes, as a style element with the request's CSP
    nonce: the public pages carry no inline style attribute, so their policy needs no
    'unsafe-inline'. A theme page in preview (a draft) adds its own colour."""
    page = context.get("page")
    edition = context.get("edition") or page
    tracks = list(getattr(edition, "tracks", None) or [])
    if hasattr(page, "colour") and page not in tracks:
        tracks.append(page)
    # Reading the nonce makes django-csp put it in the response's policy.
    nonce = getattr(context.get("request"), "csp_nonce", None)
    return {"tracks": tracks, "nonce": str(nonce) if tracks and nonce is not None else ""}
