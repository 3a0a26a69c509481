from django.conf import settings
from django.http import JsonResponse
from django.utils.cache import patch_cache_control

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
