"""The content API: Wagtail's API v2 (pages, images, documents; Django REST framework)
at /api/v2/, and Wagtail 8's API v3 (pages; django-ninja, with its OpenAPI schema
and docs) at /api/v3/. Both read the `api_fields` each model declares once."""

import copy

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Prefetch, prefetch_related_objects
from ninja.schema import Resolver
from wagtail.api.conf import APIField, get_model_field
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.serializers import TagsField
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.api.v3.registry import registry as v3_registry
from wagtail.api.v3.routers import pages as v3_pages
from wagtail.api.v3.urls import api as v3
from wagtail.documents.api.v2.serializers import DocumentSerializer
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.documents.api.v3 import router as v3_documents
from wagtail.images import get_image_model
from wagtail.images.api.v2.serializers import ImageDownloadUrlField, ImageSerializer
from wagtail.images.api.v2.views import ImagesAPIViewSet
from wagtail.images.api.v3 import router as v3_images
from wagtail.models import Site

from home.site_url import absolute_url


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


def api_lookups(model, names=None):
    """What serving the API fields `names` of `model` (all its `api_fields` when None)
    reads beyond the model's own rows, as `prefetch_related` lookups: its foreign keys
    and other relations (Wagtail's own too: a page's locale, an image's tags), its
    inline rows (sessions, venues…) with what their own fields read, and what a field
    of events/api_fields.py says it needs (its `api_prefetch(lookup)`, given the
    lookup of the value it is handed, "" for the instance itself). Derived from the
    models, so that a field added to `api_fields` is read together too."""
    declared = {field.name: field for field in APIField.get_fields_for_model(model)}
    lookups = []
    for name in declared if names is None else names:
        serializer = declared[name].serializer if name in declared else None
        source = getattr(serializer, "source", None) or name
        try:
            relation = get_model_field(model, source) if source != "*" else None
        except FieldDoesNotExist:
            relation = None
        prefix = ""
        if relation is not None and relation.is_relation and name != "parent":
            lookups.append(source)
            if relation.related_model is get_image_model():  # its download address
                lookups.append(renditions(source, IMAGE_DOWNLOAD_SPEC))
            if relation.many_to_one and hasattr(relation.related_model, "tags"):
                lookups.append(f"{source}__tags")  # an image's or a document's, nested
            if relation.one_to_many:  # inline rows: what their own fields read
                lookups += [
                    prefixed(lookup, source) for lookup in api_lookups(relation.related_model)
                ]
            prefix = source
        if hasattr(serializer, "api_prefetch"):
            lookups += serializer.api_prefetch(prefix)
    return lookups


def renditions(lookup, *filter_specs):
    """An image's renditions of these filters, read as Wagtail's get_rendition()
    looks for them (`prefetched_renditions`)."""
    queryset = get_image_model().get_rendition_model().objects.filter(filter_spec__in=filter_specs)
    return Prefetch(f"{lookup}__renditions", queryset=queryset, to_attr="prefetched_renditions")


def prefixed(lookup, prefix):
    if isinstance(lookup, Prefetch):
        lookup = copy.copy(lookup)
        lookup.add_prefix(prefix)
        return lookup
    return f"{prefix}__{lookup}"


def prefetch_for(objects, lookups):
    """Prefetches `lookups` for `objects` at once; a lookup given twice is read once."""
    unique, readers = {}, []
    for lookup in lookups:
        if callable(lookup):  # a field's own reader of all the objects at once
            readers.append(lookup)
            continue
        to = lookup.prefetch_to if isinstance(lookup, Prefetch) else lookup
        seen = unique.get(to)
        if isinstance(seen, Prefetch) and isinstance(lookup, Prefetch):
            # Two fields' renditions of one image (its download and a field's own):
            # one query for both.
            lookup = copy.copy(lookup)
            lookup.queryset = seen.queryset | lookup.queryset
        elif isinstance(seen, Prefetch):
            continue  # a lookup with its queryset before the same one without
        unique[to] = lookup
    objects = [obj for obj in objects if obj is not None]
    if objects and unique:
        prefetch_related_objects(objects, *unique.values())
    for read in readers if objects else ():
        read(objects)
    return objects


def serializer_lookups(serializer_class, model):
    """The lookups for what a v2 serializer class (made for the request's `fields=`)
    shows of `model`."""
    return api_lookups(model, set(serializer_class.Meta.fields))


class ReadTogether:
    """API v2's listings and details read each related row and inline row once for
    all the objects served, whatever `fields=` asks (Wagtail reads them one object
    at a time: a day's sessions' themes and venues, an edition's partners' logos)."""

    def get_serializer(self, instance, *args, many=False, **kwargs):
        serializer_class = self.get_serializer_class()
        objects = list(instance) if many else [instance]
        models = {type(obj) for obj in objects}
        for model in models:
            prefetch_for(
                [obj for obj in objects if type(obj) is model],
                serializer_lookups(serializer_class, model),
            )
        kwargs.setdefault("context", self.get_serializer_context())
        return serializer_class(objects if many else instance, *args, many=many, **kwargs)


class PagesAPI(CheckedQueries, ReadTogether, PagesAPIViewSet):
    pass


# nginx serves the images' renditions only (deploy/nginx.conf; an original may be in a
# restricted collection): an image's download address is its largest rendition.
IMAGE_DOWNLOAD_SPEC = "max-2400x2400"


class RenditionDownloadUrlField(ImageDownloadUrlField):
    def to_representation(self, image):
        return image.get_rendition(IMAGE_DOWNLOAD_SPEC).url


class ReadTagsTogether:
    """Tags from the rows read for all the objects at once (Wagtail's TagsField asks
    again for each object's)."""

    class TagsField(TagsField):
        def to_representation(self, value):
            return sorted(tag.name for tag in value.all())

    def build_property_field(self, field_name, model_class):
        field_class, kwargs = super().build_property_field(field_name, model_class)
        if field_class is TagsField:
            field_class = self.TagsField
        return field_class, kwargs


class RenditionImageSerializer(ReadTagsTogether, ImageSerializer):
    download_url = RenditionDownloadUrlField(read_only=True)


class TaggedDocumentSerializer(ReadTagsTogether, DocumentSerializer):
    pass


class ImagesAPI(CheckedQueries, ReadTogether, ImagesAPIViewSet):
    base_serializer_class = RenditionImageSerializer

    def get_queryset(self):
        return super().get_queryset().prefetch_renditions(IMAGE_DOWNLOAD_SPEC)


class DocumentsAPI(CheckedQueries, ReadTogether, DocumentsAPIViewSet):
    base_serializer_class = TaggedDocumentSerializer


v2 = WagtailAPIRouter("wagtailapi")
v2.register_endpoint("pages", PagesAPI)
v2.register_endpoint("images", ImagesAPI)
v2.register_endpoint("documents", DocumentsAPI)


# API v3's schemas are Wagtail's, generated per model when the app starts; django-ninja
# copies each schema's `resolve_<field>` functions into `_ninja_resolvers` as the class
# is made. Where Wagtail 8.0 gives a link that does not answer, its resolver is
# replaced on every registered schema that has it.
def replace_v3_meta_resolver(field, resolve, content_types=None):
    """Give `meta.<field>` of the registered v3 read schemas that have it (of the
    `content_types` named, or all) a resolver of ours: `resolve(obj, context)`."""
    for content_type in v3_registry.list_content_types():
        if content_types is not None and content_type.name not in content_types:
            continue
        meta = v3_registry.get(content_type.name).read_schema.model_fields.get("meta")
        resolvers = getattr(meta and meta.annotation, "_ninja_resolvers", {})
        if field in resolvers:
            resolvers[field] = Resolver(staticmethod(resolve))


def served_parent(obj, context):
    """A page's `meta.parent`, when the API serves it (null otherwise, as in v2): not
    for the site's home page, whose parent Wagtail 8.0 gives as the tree's root (its
    `detail_url` a 404, its `html_url` null), nor a parent that is not live."""
    site = Site.find_for_request(context["request"])
    if site is not None and obj.pk == site.root_page_id:
        return None
    parent = obj.get_parent()
    return parent if parent is not None and parent.live else None


def image_download_url(image, context):
    """An image's `meta.download_url` in v3 as in v2: its largest rendition, since
    nginx serves only renditions (Wagtail 8.0 gives the original file's relative
    address, a 404 behind nginx), and absolute, as v3 gives a document's."""
    return absolute_url(image.get_rendition(IMAGE_DOWNLOAD_SPEC).url, context["request"])


def read_together(get_queryset, *prefetch):
    """A v3 listing's queryset with each item's collection (its `collection` field)
    and renditions read with it: Wagtail 8.0 reads them one item at a time."""

    def queryset(request):
        queryset = get_queryset(request).select_related("collection")
        return queryset.prefetch_renditions(*prefetch) if prefetch else queryset

    return queryset


def served_together(router, path, *, method="GET"):
    """Makes the v3 detail operation at `path` of `router` read what the object's
    schema shows (its inline rows, their themes and venues, its images' renditions…)
    at once, as v2 does: Wagtail 8.0 reads each one as the schema resolves it."""
    for operation in router.path_operations[path].operations:
        if method not in operation.methods:
            continue
        view = operation.view_func

        def detail(request, *args, _view=view, **kwargs):
            obj = _view(request, *args, **kwargs)
            if hasattr(obj, "_meta"):
                prefetch_for([obj], api_lookups(type(obj)))
            return obj

        operation.view_func = detail


def published_openapi_schema(get_schema):
    """API v3's OpenAPI document as Wagtail 8.0 writes it, made right where validators,
    Redocly's linter and generated clients stumble (docs/api.md, «The OpenAPI
    document»):

    - anonymous access is a security scheme `{"type": "http"}` without the `scheme`
      OpenAPI 3 requires, so validators refuse the whole document: OpenAPI says it with
      an empty security requirement (`{}`);
    - `servers` is empty: the site's canonical address, SITE_URL (which every
      `migrate` writes into the Site record), where every path of the document starts;
    - `info` has no licence: the project's (MIT);
    - no operation says that it can be refused, though `cms.middleware` answers any
      with a 400 problem document: a shared `BadRequest` response, typed;
    - the optional bodies of `unpublish`, `copy` and `create_alias` carry a `default`
      object beside a `$ref`, which openapi-python-client cannot take (it then leaves
      the operation out): each property's own default says the same;
    - schemas nothing refers to are dropped.
    """

    def schema(*args, **kwargs):
        document = copy.deepcopy(get_schema(*args, **kwargs))
        components = document.setdefault("components", {})
        schemes = components.get("securitySchemes", {})
        anonymous = [name for name, scheme in schemes.items() if "scheme" not in scheme]
        anonymous = [name for name in anonymous if schemes[name].get("type") == "http"]
        for name in anonymous:
            del schemes[name]
        document["servers"] = [{"url": settings.SITE_URL}]
        document["info"]["license"] = {"name": "MIT", "identifier": "MIT"}
        components.setdefault("schemas", {})["ProblemDetail"] = PROBLEM_DETAIL
        components.setdefault("responses", {})["BadRequest"] = BAD_REQUEST
        for path in document.get("paths", {}).values():
            for operation in path.values():
                if not isinstance(operation, dict):
                    continue
                if "security" in operation:
                    operation["security"] = [
                        {} if set(requirement) & set(anonymous) else requirement
                        for requirement in operation["security"]
                    ]
                responses = operation.setdefault("responses", {})
                responses.setdefault("400", {"$ref": "#/components/responses/BadRequest"})
                for media in operation.get("requestBody", {}).get("content", {}).values():
                    body = media.get("schema", {})
                    if len(body.get("allOf", ())) == 1 and "default" in body:
                        media["schema"] = body["allOf"][0]
        drop_unreferenced_schemas(document)
        return document

    return schema


# A v3 error, as wagtail.api.v3.errors.ProblemDetail writes it (RFC 9457).
PROBLEM_DETAIL = {
    "title": "ProblemDetail",
    "type": "object",
    "properties": {
        "type": {"type": "string", "title": "Type"},
        "title": {"type": "string", "title": "Title"},
        "status": {"type": "integer", "title": "Status"},
        "detail": {"type": "string", "title": "Detail", "default": ""},
        "errors": {
            "anyOf": [
                {"type": "array", "items": {"type": "object", "additionalProperties": True}},
                {"type": "null"},
            ],
            "title": "Errors",
        },
    },
    "required": ["type", "title", "status"],
}
BAD_REQUEST = {
    "description": "A query the API cannot answer (a control character, an absurd offset "
    "or limit, a search too long); `detail` says why.",
    "content": {
        "application/problem+json": {"schema": {"$ref": "#/components/schemas/ProblemDetail"}}
    },
}


def drop_unreferenced_schemas(document):
    """Removes the component schemas that nothing in the document refers to, directly
    or through other schemas (Wagtail's filter and input schemas, for instance, are
    spread into query parameters)."""
    schemas = document["components"]["schemas"]
    prefix = "#/components/schemas/"

    def references(node):
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith(prefix):
                yield ref.removeprefix(prefix)
            for value in node.values():
                yield from references(value)
        elif isinstance(node, list):
            for value in node:
                yield from references(value)

    outside = {key: value for key, value in document.items() if key != "components"}
    outside["components"] = {k: v for k, v in document["components"].items() if k != "schemas"}
    reached, pending = set(), list(references(outside))
    while pending:
        name = pending.pop()
        if name not in reached and name in schemas:
            reached.add(name)
            pending.extend(references(schemas[name]))
    for name in set(schemas) - reached:
        del schemas[name]


v3.get_openapi_schema = published_openapi_schema(v3.get_openapi_schema)
# Swagger UI, served from the site's static files (django-ninja's, `ninja` in
# INSTALLED_APPS), would otherwise show a badge image from validator.swagger.io, which
# the Content Security Policy refuses.
v3.docs.settings["validatorUrl"] = None
replace_v3_meta_resolver("parent", served_parent)
replace_v3_meta_resolver("download_url", image_download_url, {get_image_model()._meta.label})
# The routers' views look these functions up in their modules when they run.
v3_images.get_images_queryset = read_together(v3_images.get_images_queryset, IMAGE_DOWNLOAD_SPEC)
v3_documents.get_documents_queryset = read_together(v3_documents.get_documents_queryset)
served_together(v3_pages.router, "/{page_id}/")
