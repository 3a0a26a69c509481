import logging
import re

from csp.constants import HEADER, NONE, SELF
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.middleware import cache as page_cache
from django.template.defaultfilters import filesizeformat
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from wagtail.api.v3.errors import problem_response

from cms.cache import keeps_values
from cms.search import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS, search_words

logger = logging.getLogger(__name__)


def health_check(get_response):
    """`/healthz` for load balancers and uptime checks. It comes first, so that it is
    answered over plain HTTP and under whatever Host the balancer sends, and says
    nothing but ok, degraded or unavailable:
    - the database does not answer a query: 503, take this server out;
    - a cache does not keep a value (Redis down): 200 with «degraded», since the site
      serves without its cache and every server shares the same Redis, so pulling them
      would take the whole site down for a failing accelerator. The cache logs its own
      failures (once per interval), so this does not add a line per check."""

    def middleware(request):
        if request.path != "/healthz":
            return get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except Exception:  # any failure means "not healthy"
            logger.exception("Health check failed: the database does not answer")
            response = JsonResponse({"status": "unavailable"}, status=503)
        else:
            if all(keeps_values(caches[alias]) for alias in settings.CACHES):
                response = JsonResponse({"status": "ok"})
            else:
                response = JsonResponse({"status": "degraded", "cache": "unavailable"})
        response["Cache-Control"] = "no-store"
        return response

    return middleware


def request_body_limit(get_response):
    """A request that says it carries more than the largest legitimate upload
    (REQUEST_MAX_BODY_SIZE: a 20 MB document and the form around it) gets a 413 before
    a byte of its body is read: Django's own limits leave file parts alone, so a 200 MB
    upload would otherwise be written to the temporary folder and refused only after.
    A body without Content-Length (chunked) is never read by Django at all; behind
    nginx, its client_max_body_size (deploy/nginx.conf) is the same limit."""

    def middleware(request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads a body of unreadable length as empty
        if length > settings.REQUEST_MAX_BODY_SIZE:
            message = _("The request is too large: a file can be at most %(size)s.") % {
                "size": filesizeformat(settings.WAGTAILDOCS_MAX_UPLOAD_SIZE)
            }
            return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware


# Wagtail's APIs pass any integer offset to the database, and PostgreSQL fails (a 500)
# past a 64-bit one. No listing here comes near a billion items.
MAX_OFFSET = 10**9
# PostgreSQL refuses a NUL in any string it is sent, and `search`, `locale`, `site` and
# `html_path` all reach a query (a 500); no parameter of the APIs needs any control
# character.
CONTROL_CHARACTER = re.compile(r"[\x00-\x1f\x7f]")
# API v2 parses `fields` recursively, a level per parenthesis (a RecursionError past a
# few hundred); the content nests three at most (`partners(logo(title))`).
MAX_FIELDS_DEPTH = 8


def api_query_bounds(get_response):
    """An API request that the database, the search backend or Wagtail's parsers cannot
    take gets a 400 in the API's own shape that says why, not a 500: a control
    character, an absurd `offset` or `limit`, a search too long (cms/search.py), fields
    nested too deep."""

    def middleware(request):
        if request.path.startswith("/api/"):
            message = api_query_problem(request.GET)
            if message is not None:
                return api_bad_request(request, message)
        return get_response(request)

    return middleware


def api_query_problem(query):
    """Why an API query string (a QueryDict) cannot be answered, or None. Every value
    of a repeated parameter counts: the two APIs do not read the same one."""
    for name, values in query.lists():
        if CONTROL_CHARACTER.search(name):
            return "query parameter names must not contain control characters"
        if any(CONTROL_CHARACTER.search(value) for value in values):
            return f"{name} must not contain control characters"
    for name in ("offset", "limit"):
        for value in query.getlist(name):
            try:
                number = int(value)
            except ValueError:
                continue  # not a number: the API's own check refuses it
            if number > MAX_OFFSET:
                return f"{name} must be at most {MAX_OFFSET}"
    for value in query.getlist("search"):
        if len(search_words(value)) > MAX_SEARCH_WORDS:
            return f"search must have at most {MAX_SEARCH_WORDS} words"
        if len(value) > MAX_SEARCH_LENGTH:
            return f"search must be at most {MAX_SEARCH_LENGTH} characters"
    for value in query.getlist("fields"):
        if nesting_depth(value) > MAX_FIELDS_DEPTH:
            return f"fields must nest at most {MAX_FIELDS_DEPTH} levels deep"
    return None


def nesting_depth(text):
    depth = deepest = 0
    for character in text:
        if character == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif character == ")":
            depth -= 1
    return deepest


def api_bad_request(request, message):
    """A 400 as each API version words its own: v3's problem details (RFC 9457), v2's
    `{"message": ...}`."""
    if request.path.startswith("/api/v3/"):
        return problem_response(status=400, detail=message)
    return JsonResponse({"message": message}, status=400)


NOT_CACHED_PREFIXES = ("/admin/", "/django-admin/")


def not_cached_paths(get_response):
    """The admin is never kept by the page cache: an editor must see what was just
    saved."""

    def middleware(request):
        response = get_response(request)
        if request.path.startswith(NOT_CACHED_PREFIXES) and not response.has_header(
            "Cache-Control"
        ):
            add_never_cache_headers(response)
        return response

    return middleware


def carries_credentials(request):
    """Whether the request is made as someone: with a session (an editor who logged in)
    or an Authorization header (an API token). The answer may hold drafts or the
    editor's toolbar, so it is neither taken from nor stored into the page cache, and
    it is private."""
    return "authorization" in request.headers or settings.SESSION_COOKIE_NAME in request.COOKIES


class AnonymousFetchFromCacheMiddleware(page_cache.FetchFromCacheMiddleware):
    """Django's, answering from the page cache only requests without credentials:
    otherwise a token holder's `?version=draft` would get the live answer an anonymous
    reader left there."""

    def process_request(self, request):
        if carries_credentials(request):
            request._cache_update_cache = False
            return None
        return super().process_request(request)


class AnonymousUpdateCacheMiddleware(page_cache.UpdateCacheMiddleware):
    """Django's, storing only answers to requests without credentials."""

    def _should_update_cache(self, request, response):
        wanted = super()._should_update_cache(request, response)
        return wanted and not carries_credentials(request)


def cache_headers(get_response):
    """Who may keep an answer, in one rule: an answer to a request with credentials (a
    logged-in editor's page, an API call with a token) is private and revalidated,
    never kept by a CDN or the page cache; API answers to anonymous clients may be kept
    by browsers and CDNs for a few minutes (then revalidated with their ETag), and vary
    on Authorization, so that a CDN never hands one to a token holder."""

    def middleware(request):
        response = get_response(request)
        if carries_credentials(request):
            patch_cache_control(response, private=True, no_cache=True)
        elif (
            request.path.startswith("/api/")
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.has_header("Cache-Control")
        ):
            patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
            patch_vary_headers(response, ("Authorization",))
        return response

    return middleware


def cross_origin_resource_policy(get_response):
    """Cross-Origin-Resource-Policy (settings.CROSS_ORIGIN_RESOURCE_POLICY) on every
    answer that does not choose its own: Django has no setting for it."""

    def middleware(request):
        response = get_response(request)
        response.setdefault("Cross-Origin-Resource-Policy", settings.CROSS_ORIGIN_RESOURCE_POLICY)
        return response

    return middleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's relaxed policy on the admin's paths
    (the page editor's preview included) and the strict one everywhere else.

    `frame-ancestors` always says what the answer's X-Frame-Options says (the older
    header, for older browsers): 'none' with DENY, the default, and 'self' where a view
    asks for SAMEORIGIN, as Wagtail's preview views do for the page editor's panel.
    An answer exempt from X-Frame-Options keeps the frame-ancestors its view chose: the
    embeddable programme's (cms.csp.allow_framing_by_embedders)."""

    FRAME_ANCESTORS = {"DENY": [NONE], "SAMEORIGIN": [SELF]}

    def process_response(self, request, response):
        # Wagtail renders a previewed page through the middleware in a request of its
        # own (make_preview_request), so its answer arrives here with the page's policy,
        # written before the preview view asked for SAMEORIGIN; a document's answer has
        # Wagtail's own. Such a policy is kept, its frame-ancestors made to agree.
        written = HEADER in response
        response = super().process_response(request, response)
        framing = self.FRAME_ANCESTORS.get(self.x_frame_options(response))
        if written and framing:
            directives = [
                directive.strip()
                for directive in response[HEADER].split(";")
                if directive.strip() and directive.split()[0].lower() != "frame-ancestors"
            ]
            response[HEADER] = "; ".join([*directives, f"frame-ancestors {' '.join(framing)}"])
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        admin = request.path.startswith(settings.ADMIN_PATH_PREFIXES)
        if admin and not report_only and parts.config is None:
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY
        framing = self.FRAME_ANCESTORS.get(self.x_frame_options(response))
        if framing and not report_only:
            parts.replace = {**(parts.replace or {}), "frame-ancestors": framing}
        return parts

    @staticmethod
    def x_frame_options(response):
        """The X-Frame-Options the answer leaves with: the view's own, else the one
        XFrameOptionsMiddleware adds after this middleware (it comes before it in
        MIDDLEWARE), unless the view is exempt."""
        if "X-Frame-Options" in response:
            return response["X-Frame-Options"].upper()
        if getattr(response, "xframe_options_exempt", False):
            return None
        return settings.X_FRAME_OPTIONS.upper()
