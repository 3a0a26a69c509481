import factory
from factory.django import DjangoModelFactory
from wagtail.documents import get_document_model
from wagtail.models import Collection
from wagtail.test.utils.wagtail_factories import PageFactory

from events.factories import PageRowFactory

from .models import DocumentItem, DocumentsPage


class DocumentFactory(DjangoModelFactory):
    title = factory.Sequence(lambda n: f"Документ {n}")
    file = factory.django.FileField(filename="document.pdf", data=b"%PDF-1.4 test")
    collection = factory.LazyFunction(Collection.get_first_root_node)

    class Meta:
        model = get_document_model()


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
