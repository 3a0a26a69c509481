import re
from pathlib import Path

from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from wagtail import urls as wagtail_urls
from wagtail import views as wagtail_views
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps.views import sitemap
from wagtail.documents import urls as wagtaildocs_urls

from cms.api import v2 as api_v2
from cms.api import v3 as api_v3
from home import views as home_views
from home.notice import notice_api

urlpatterns = [
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("api/v2/notice/", notice_api, name="urgent_notice_api"),
    path("api/v2/", api_v2.urls),
    path("api/v3/", api_v3.urls),
    path("search/", home_views.search, name="search"),
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("current/", home_views.current_edition, name="current_edition"),
    path("current/<path:rest>", home_views.current_edition, name="current_edition_part"),
]

if settings.DEBUG:
    from django.conf.urls.static import static
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
elif settings.SERVE_MEDIA:
    # `make serve`: the production settings with no nginx in front. Only the images'
    # renditions, which the pages show, are served from MEDIA_ROOT; not the original
    # images, nor the documents' files (Wagtail's view sends those after checking their
    # collection's restrictions), nor anything of PRIVATE_MEDIA_ROOT.
    from django.views.static import serve as serve_file

    urlpatterns += [
        re_path(
            rf"^{re.escape(settings.MEDIA_URL.lstrip('/'))}images/(?P<path>.+)$",
            serve_file,
            {"document_root": Path(settings.MEDIA_ROOT) / "images"},
        )
    ]

# Wagtail's page serving comes last: it answers every path not matched above. Its
# pattern takes only slugs ending in "/", so the pages' files (…/calendar.ics,
# …/schedule.json, …/schedule.xml, …/programme.csv, …/changes.atom: routes of their
# RoutablePageMixin) get a pattern of their own into the same page router.
urlpatterns += [
    re_path(
        r"^((?:[\w\-]+/)*[\w\-]+\.(?:ics|json|xml|csv|atom))$",
        wagtail_views.serve,
        name="wagtail_serve_file",
    ),
    path("", include(wagtail_urls)),
]

# A database that is restarting or unreachable answers 503 («try again in a minute»)
# rather than 500, whichever view or middleware met it.
handler500 = "cms.errors.server_error"
