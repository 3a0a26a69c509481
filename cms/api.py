"""The content API: Wagtail's API v2 (pages, images, documents; Django REST framework)
at /api/v2/, and Wagtail 8's API v3 (pages; django-ninja, with its OpenAPI schema
and docs) at /api/v3/. Both read the `api_fields` each model declares once."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.urls import api as v3
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.serializers import ImageDownloadUrlField, ImageSerializer
from wagtail.images.api.v2.views import ImagesAPIViewSet


class CheckedQueries:
    """Two parameters Wagtail's v2 hands on as they come, where anything unexpected was
    a 500 (a ValueError): `find/?id=` to the database, `search_operator` to the search
    backend. Refused with a 400, as Wagtail refuses a bad `child_of`. (What the
    database or the search backend cannot take in any parameter is refused before, by
    `cms.middleware.api_query_bounds`.)"""

    def check_query_parameters(self, queryset):
        super().check_query_parameters(queryset)
        if self.request.GET.get("search_operator") not in (None, "", "and", "or"):
            raise BadRequestError("search_operator must be 'and' or 'or'")

    def find_object(self, queryset, request):
        if "id" in request.GET:
            try:
                int(request.GET["id"])
            except ValueError:
                raise BadRequestError("id must be an integer") from None
        return super().find_object(queryset, request)


class PagesAPI(CheckedQueries, PagesAPIViewSet):
    pass


# nginx serves the images' renditions only (deploy/nginx.conf; an original may be in a
# restricted collection): an image's download address is its largest rendition.
IMAGE_DOWNLOAD_SPEC = "max-2400x2400"


class RenditionDownloadUrlField(ImageDownloadUrlField):
    def to_representation(self, image):
        return image.get_rendition(IMAGE_DOWNLOAD_SPEC).url


class RenditionImageSerializer(ImageSerializer):
    download_url = RenditionDownloadUrlField(read_only=True)


class ImagesAPI(CheckedQueries, ImagesAPIViewSet):
    base_serializer_class = RenditionImageSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_renditions(IMAGE_DOWNLOAD_SPEC)


class DocumentsAPI(CheckedQueries, DocumentsAPIViewSet):
    pass


v2 = WagtailAPIRouter("wagtailapi")
v2.register_endpoint("pages", PagesAPI)
v2.register_endpoint("images", ImagesAPI)
v2.register_endpoint("documents", DocumentsAPI)


def valid_openapi_schema(get_schema):
    """Wagtail 8.0 describes anonymous access as a security scheme `{"type": "http"}`
    without the `scheme` OpenAPI 3 requires, so validators refuse the whole document.
    OpenAPI says it with an empty security requirement (`{}`): rewrite it so."""

    def schema(*args, **kwargs):
        document = get_schema(*args, **kwargs)
        schemes = document.get("components", {}).get("securitySchemes", {})
        anonymous = [name for name, scheme in schemes.items() if "scheme" not in scheme]
        anonymous = [name for name in anonymous if schemes[name].get("type") == "http"]
        for name in anonymous:
            del schemes[name]
        for path in document.get("paths", {}).values():
            for operation in path.values():
                if isinstance(operation, dict) and "security" in operation:
                    operation["security"] = [
                        {} if set(requirement) & set(anonymous) else requirement
                        for requirement in operation["security"]
                    ]
        return document

    return schema


v3.get_openapi_schema = valid_openapi_schema(v3.get_openapi_schema)
