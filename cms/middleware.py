import logging
import uuid

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control

logger = logging.getLogger(__name__)


def health_check(get_response):
    """`/healthz` for load balancers and uptime checks: the database answers a query
    and the cache keeps a value. It comes first, so that it is answered over plain
    HTTP and under whatever Host the balancer sends, and says nothing but ok or not."""

    def middleware(request):
        if request.path != "/healthz":
            return get_response(request)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            probe = f"healthz:{uuid.uuid4().hex}"
            cache.set(probe, 1, timeout=5)
            if cache.get(probe) != 1:
                raise RuntimeError("the cache did not keep a value")
            cache.delete(probe)
        except Exception:  # noqa: BLE001 (any failure means "not healthy")
            logger.exception("Health check failed")
            response = JsonResponse({"status": "unavailable"}, status=503)
        else:
            response = JsonResponse({"status": "ok"})
        response["Cache-Control"] = "no-store"
        return response

    return middleware


# Wagtail's APIs pass any integer offset to the database, and PostgreSQL fails (a 500)
# past a 64-bit one. No listing here comes near a billion items.
MAX_OFFSET = 10**9


def api_query_bounds(get_response):
    """An API request with an absurd `offset` or `limit` gets a 400, not a 500."""

    def middleware(request):
        if request.path.startswith("/api/"):
            for name in ("offset", "limit"):
                value = request.GET.get(name, "").strip()
                if value.isdigit() and int(value) > MAX_OFFSET:
                    return JsonResponse(
                        {"message": f"{name} must be at most {MAX_OFFSET}"}, status=400
                    )
        return get_response(request)

    return middleware


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


def api_cache_headers(get_response):
    """API answers to anonymous clients may be kept by browsers and CDNs for a few
    minutes (then revalidated with their ETag); answers to a logged-in editor, which
    may hold drafts, stay private."""

    def middleware(request):
        response = get_response(request)
        if (
            request.path.startswith("/api/")
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.has_header("Cache-Control")
        ):
            if request.user.is_authenticated:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, public=True, max_age=settings.API_CACHE_SECONDS)
        return response

    return middleware


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's middleware, with the admin's relaxed policy on the admin's paths
    (the page editor's preview included) and the strict one everywhere else."""

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        admin = request.path.startswith(settings.ADMIN_PATH_PREFIXES)
        if admin and not report_only and parts.config is None:
            parts.config = settings.ADMIN_CONTENT_SECURITY_POLICY
        return parts
