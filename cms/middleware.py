from django.conf import settings
from django.utils.cache import patch_cache_control


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
