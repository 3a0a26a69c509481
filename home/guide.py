"""The editor guide inside the admin: `docs/editor-guide.md`, rendered as an admin
screen with its screenshots (`docs/img/`), so that «Посібник редактора» in the help
menu is the guide of the version that runs, in Ukrainian and offline, rather than
Wagtail's English one on the web."""

import functools
import re

import markdown
from django.conf import settings
from django.http import FileResponse, Http404
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.generic import TemplateView
from markdown.extensions.toc import slugify_unicode
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

GUIDE = settings.BASE_DIR / "docs" / "editor-guide.md"
IMAGES = GUIDE.parent / "img"
# The guide's own screenshots, by name: nothing else of docs/ is served.
IMAGE_NAME = r"[a-z0-9_]+\.png"
# The title, the guide's first heading, shown as the screen's header instead.
TITLE = re.compile(r"\A\s*<h1[^>]*>.*?</h1>\s*", re.DOTALL)


@functools.lru_cache(maxsize=1)
def render(modified):
    """The guide as HTML, once per version of the file (`modified`, its mtime): the
    tables, the code blocks and each heading's anchor as GitHub makes it, which the
    guide's table of contents links to."""
    text = GUIDE.read_text(encoding="utf-8")
    html = markdown.markdown(
        text,
        extensions=["tables", "fenced_code", "toc"],
        extension_configs={"toc": {"slugify": slugify_unicode}},
        output_format="html",
    )
    # The project's own file from the repository, not anything a visitor or editor typed.
    return mark_safe(TITLE.sub("", html, count=1))  # noqa: S308


def guide_html():
    return render(GUIDE.stat().st_mtime_ns)


class EditorGuideView(WagtailAdminTemplateMixin, TemplateView):
    """«Посібник редактора», for everyone who may enter the admin."""

    template_name = "home/admin/editor_guide.html"
    page_title = gettext_lazy("Editor guide")
    header_icon = "help"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "guide": guide_html()}


@cache_control(private=True, max_age=3600)
def guide_image(request, name):
    """A screenshot of the guide (only behind the admin's login, like the guide)."""
    path = IMAGES / name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), content_type="image/png")
