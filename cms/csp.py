"""The Content Security Policy's pieces that are ours: the hashes of inline styles
(for the settings), and who may frame the embeddable programme (EMBED_ALLOWED_ORIGINS)."""

import base64
import hashlib
import re
from pathlib import Path

from csp.constants import SELF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

STYLE_ELEMENT = re.compile(r"<style>(.*?)</style>", re.DOTALL)


def inline_style_hashes(template):
    """CSP sources ('sha256-…') for the <style> elements of a template that renders
    without a request, such as the 500 page, which must look right even when the
    static files cannot be served. Computed from the file, so an edit cannot make it
    stale."""
    text = Path(template).read_text(encoding="utf-8")
    return [
        f"'sha256-{base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()}'"
        for css in STYLE_ELEMENT.findall(text)
    ]


# An origin as CSP's frame-ancestors takes it, and nothing more: a scheme, a host (its
# leftmost label may be "*" for every subdomain; an IDN host in its xn-- form) and
# maybe a port. No path, no "*" alone, no quotes or semicolons that would add a
# directive of their own to the policy.
ORIGIN = re.compile(
    r"https?://(\*\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?"
)


def embed_origins(values):
    """The origins of EMBED_ALLOWED_ORIGINS, checked and written as browsers compare
    them (lower case, no trailing "/"); a value that is not an origin stops the site
    from starting, rather than widening or breaking the policy."""
    origins = []
    for value in values:
        origin = value.strip().lower().removesuffix("/")
        if not ORIGIN.fullmatch(origin):
            raise ImproperlyConfigured(
                f"EMBED_ALLOWED_ORIGINS: {value!r} is not an origin such as "
                "https://partner.example.org (scheme, host, optional port, no path)"
            )
        if origin not in origins:
            origins.append(origin)
    return origins


def allow_framing_by_embedders(response):
    """Lets the pages of the site itself and of settings.EMBED_ALLOWED_ORIGINS frame
    this answer (the embeddable programme), and no one else. X-Frame-Options cannot
    name another origin, so the answer leaves without it, and its policy's
    frame-ancestors names them instead (cms.middleware.ContentSecurityPolicyMiddleware
    keeps a view's own frame-ancestors when there is no X-Frame-Options to agree
    with). Both marks are attributes of the response, which the page cache keeps with
    it, so a copy served from the cache goes out with the same headers."""
    response.xframe_options_exempt = True
    response._csp_replace = {
        **(getattr(response, "_csp_replace", None) or {}),
        "frame-ancestors": [SELF, *settings.EMBED_ALLOWED_ORIGINS],
    }
    return response
