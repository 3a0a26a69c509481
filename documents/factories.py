import factory
from wagtail.models import Collection
from wagtail_factories import DocumentFactory as WagtailDocumentFactory
from wagtail_factories import PageFactory

from events.factories import PageRowFactory

from .models import DocumentItem, DocumentsPage


class DocumentFactory(WagtailDocumentFactory):
    """A document of the site's document model (wagtail-factories' own), in the root
    collection rather than in a second root that the library would make."""

    title = factory.Sequence(lambda n: f"Документ {n}")
    file = factory.django.FileField(filename="document.pdf", data=b"%PDF-1.4 test")
    collection = factory.LazyFunction(Collection.get_first_root_node)


class DocumentsPageFactory(PageFactory):
    title = "Документи"
    slug = "documents"

    class Meta:
        model = DocumentsPage


class DocumentItemFactory(PageRowFactory):
    page = factory.SubFactory(DocumentsPageFactory)
    document = factory.SubFactory(DocumentFactory)
    description = "Короткий опис документа."

    class Meta:
        model = DocumentItem
