"""The content API: Wagtail's API v2 (pages, images, documents; Django REST framework)
at /api/v2/, and Wagtail 8's API v3 (pages; django-ninja, with its OpenAPI schema
and docs) at /api/v3/. Both read the `api_fields` each model declares once."""

from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.urls import api as v3
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

v2 = WagtailAPIRouter("wagtailapi")
v2.register_endpoint("pages", PagesAPIViewSet)
v2.register_endpoint("images", ImagesAPIViewSet)
v2.register_endpoint("documents", DocumentsAPIViewSet)


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
