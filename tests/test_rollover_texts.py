"""Nothing stale after a rollover: the demo's 2017 edition rolled over to 2018, every 2018
page published and read as a visitor (pages, API, exports, the mails its forms send)
says nothing of 2017, except the fields that remain listed for the editor."""

import collections
import datetime
import json
import re
from html.parser import HTMLParser

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from wagtail.images import get_image_model
from wagtail.models import Site

from documents.models import DocumentsPage
from events import open_data
from events.models import (
    DayPage,
    EditionPage,
    ProgrammePage,
    QuestionnairePage,
    RegistrationFormPage,
    Session,
    TrackPage,
)
from events.rollover import Rollover, next_start_date
from events.yeartext import DateShift, text_fields
from home.demo import load_demo

from .helpers import registration
from .test_rollover import snapshot

KYIV = datetime.timezone(datetime.timedelta(hours=3))
# Before the 2018 edition: its forms are open. The demo is loaded before its 2017
# edition, so that it builds no upcoming edition of its own.
LOADED_AT = datetime.datetime(2017, 5, 1, 10, tzinfo=KYIV)
READ_AT = datetime.datetime(2018, 5, 20, 12, tzinfo=KYIV)


@pytest.fixture(scope="module")
def rolled(django_db_setup, django_db_blocker):
    """The demo, its 2017 edition rolled over to 2018, every 2018 page published: once
    for the module, in a transaction rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        with time_machine.travel(LOADED_AT, tick=False):
            load_demo()
        old = EditionPage.objects.get(slug="2017")
        before = snapshot(old)
        old_images = {
            image.pk: (image.title, image.description, image.file.name)
            for image in get_image_model().objects.all()
        }
        with time_machine.travel(READ_AT, tick=False):
            new = Rollover(old, next_start_date(old, 2018)).run()
            drafts = {
                page.pk: (texts_of_page(page), texts_of_page(page.get_latest_revision_as_object()))
                for page in new.get_descendants(inclusive=True).specific()
            }
            for page in new.get_descendants(inclusive=True).order_by("path").specific():
                page.get_latest_revision().publish()
        yield {
            "drafts": drafts,
            "old": old,
            "new": EditionPage.objects.get(pk=new.pk),
            "before": before,
            "old_images": old_images,
        }
        transaction.set_rollback(True)


def texts_of_page(page):
    """{(anchor, name): value} of a page's text fields and its rows'."""
    return {(field.anchor, field.name): field.value for field in text_fields(page)}


@pytest.fixture
def new(rolled, db):
    return rolled["new"]


@pytest.fixture
def dates(rolled):
    old = rolled["old"]
    return DateShift(old.start_date, old.end_date, rolled["new"].start_date)


@pytest.fixture
def reading():
    with time_machine.travel(READ_AT, tick=False):
        yield


def pages_of(edition):
    return list(edition.get_descendants(inclusive=True).live().order_by("path").specific())


def remaining(edition, dates):
    """(page, field name, mentions) of every field of the edition that still mentions
    2017, found as the checklist finds them."""
    return [
        (field.page, field.name, dates.mentions(field.value))
        for page in pages_of(edition)
        for field in text_fields(page)
        if dates.mentions(field.value)
    ]


def allowed(edition, dates):
    """The 2017 mentions a visitor may still read: those of the listed fields."""
    found = collections.Counter()
    for _, _, mentions in remaining(edition, dates):
        found.update(mentions)
    return found


# Attributes a visitor (or a search engine, a screen reader) reads; links and sources
# are addresses, not texts (the documents' own file names are listed by the checklist).
READ_ATTRIBUTES = {"alt", "title", "content", "aria-label", "placeholder", "value", "label"}


def is_address(text):
    return text.startswith(("http://", "https://", "/", "mailto:", "tel:"))


class VisibleText(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []

    def handle_data(self, data):
        self.texts += json_texts(data) if data.lstrip().startswith(("{", "[")) else [data]

    def handle_starttag(self, tag, attrs):
        self.texts += [
            value
            for name, value in attrs
            if name in READ_ATTRIBUTES and value and not is_address(value)
        ]


def html_texts(html):
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.texts


def json_texts(text):
    try:
        value = json.loads(text)
    except ValueError:
        return [text]
    texts = []

    def walk(value):
        if isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
        elif isinstance(value, str) and not is_address(value):
            texts.extend(html_texts(value) if "<" in value else [value])

    walk(value)
    return texts


def texts_of(response):
    content = response.content.decode("utf-8-sig")
    kind = response.get("Content-Type", "")
    if "html" in kind:
        return html_texts(content)
    if "json" in kind:
        return json_texts(content)
    return [content]


def assert_says_nothing_of_2017(texts, dates, allowance, where):
    found = collections.Counter(
        mention for text in texts for mention in dates.mentions(text.replace("<", " "))
    )
    assert not found - allowance, f"{where} still says {sorted(found - allowance)}"
    return found


def test_only_the_history_still_mentions_2017_and_it_really_does(new, dates):
    left = remaining(new, dates)
    assert [(page.pk, name) for page, name, _ in left] == [(new.pk, "history")]
    [(_, _, mentions)] = left
    assert mentions == ["2017"]
    assert "2017 року — перша" in new.history


def test_the_drafts_revision_and_row_agree(rolled, db):
    """What the editor edits (the latest revision) is what the row says: shifted both."""
    assert len(rolled["drafts"]) == 15
    for pk, (row, revision) in rolled["drafts"].items():
        assert row == revision, pk


def test_every_2018_text_was_moved_not_dropped(new, dates):
    registration_page = RegistrationFormPage.objects.child_of(new).get()
    assert "11–16 червня 2018 року" in registration_page.intro
    assert registration_page.subject.endswith("2018")
    assert QuestionnairePage.objects.child_of(new).get().subject.endswith("2018")
    documents = DocumentsPage.objects.child_of(new).get()
    titles = [item.title for item in documents.document_items.all()]
    assert "План Майстерні міста 2018" in titles
    # the documents themselves are the 2017 ones (the checklist lists them)
    assert all("2018" not in item.document.title for item in documents.document_items.all())


def test_the_hero_is_a_copy_with_shifted_texts_and_the_old_image_is_untouched(rolled, new):
    hero = new.hero_image
    old_hero = rolled["old"].hero_image
    assert hero.pk != old_hero.pk and hero.collection_id == old_hero.collection_id
    assert hero.title == "Заставка «Майстерні міста Житомир» 2018"
    assert "11–16 червня 2018" in hero.description
    assert hero.file.name != old_hero.file.name and "2018" in hero.file.name
    with hero.open_file() as copied, old_hero.open_file() as original:
        assert copied.read() == original.read()
    Image = get_image_model()
    for pk, texts in rolled["old_images"].items():
        image = Image.objects.get(pk=pk)
        assert (image.title, image.description, image.file.name) == texts
    # images without the old year are shared: the logos and the tracks' icons
    assert Image.objects.count() == len(rolled["old_images"]) + 1


def test_the_2017_edition_is_unchanged(rolled, db):
    assert snapshot(rolled["old"]) == rolled["before"]


def documents_of(edition):
    """The documents the edition's pages use: links and the documents page."""
    links = [link.link_document for link in edition.links.all() if link.link_document]
    items = [
        item.document
        for page in DocumentsPage.objects.child_of(edition)
        for item in page.document_items.all()
    ]
    return links + items


def visitor_urls(edition):
    urls = []
    for page in pages_of(edition):
        urls.append(page.url)
        if isinstance(page, DayPage):
            urls += [session.url for session in page.sessions.all()]
            urls.append(page.feed_url("calendar"))
        if isinstance(page, TrackPage):
            urls.append(page.feed_url("calendar"))
        if isinstance(page, ProgrammePage):
            urls += [page.url + "schedule.json", page.url + "programme.csv"]
    urls.append(edition.feed_url("calendar"))
    # The open data: its page and every file of every dataset.
    urls.append(edition.url + "open-data/")
    urls += [
        edition.url + "open-data/" + dataset.file_name(part, extension)
        for dataset in open_data.DATASETS.values()
        for part, extensions in open_data.PARTS.items()
        for extension in extensions
    ]
    return urls


def test_no_page_export_or_api_answer_of_2018_says_2017(new, dates, reading):
    client = Client()
    allowance = allowed(new, dates)
    shown = collections.Counter()
    urls = visitor_urls(new)
    assert (
        len([url for url in urls if "/sessions/" in url])
        == Session.objects.filter(page__path__startswith=new.path).count()
    )
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        shown += assert_says_nothing_of_2017(texts_of(response), dates, allowance, url)
    # The API also gives the documents' own titles (carried over: the checklist lists
    # each document, whose file says 2017 too).
    api_allowance = allowance + collections.Counter(
        mention for document in documents_of(new) for mention in dates.mentions(document.title)
    )
    for page in pages_of(new):
        response = client.get(f"/api/v2/pages/{page.pk}/")
        assert response.status_code == 200
        assert_says_nothing_of_2017(texts_of(response), dates, api_allowance, f"API of {page.url}")
    # what remains is shown, on the edition's page: a real mention, not a stale one
    assert shown == allowance


def answers(page):
    """A valid answer to every field of a form page, as a person fills it in."""
    form = page.get_form(page=page, user=AnonymousUser())
    typed = {
        "email": "olena@example.org",
        "phone": "+380971234567",
        "number": "1",
        "url": "https://example.org/",
        "date": "2018-06-01",
        "datetime": "2018-06-01 10:00",
        "checkbox": "on",
    }
    data = {}
    for field in page.get_form_fields():
        name = field.clean_name
        choices = [value for value, _ in getattr(form.fields[name], "choices", []) if value]
        if field.field_type == "checkboxes":
            data[name] = [choices[0]]
        elif choices:
            data[name] = choices[0]
        else:
            data[name] = typed.get(field.field_type, "Олена Коваль")
    return registration(**data)


@pytest.mark.parametrize("model", [RegistrationFormPage, QuestionnairePage])
def test_the_2018_forms_their_thanks_and_their_mails_say_nothing_of_2017(
    new, dates, reading, model, mailoutbox
):
    client = Client()
    page = model.objects.child_of(new).get()
    allowance = allowed(new, dates)
    form = client.get(page.url)
    assert form.status_code == 200 and "<form" in form.content.decode()
    sent = client.post(page.url, answers(page), follow=True)
    assert sent.redirect_chain and sent.redirect_chain[0][1] == 303, sent.content.decode()[:2000]
    assert sent.status_code == 200
    assert_says_nothing_of_2017(texts_of(sent), dates, allowance, "thank-you page")
    assert "Дякуємо" in sent.content.decode()
    assert mail.outbox, "the form sent no mail"
    for message in mail.outbox:
        texts = [message.subject, message.body]
        texts += [content for content, _ in getattr(message, "alternatives", [])]
        for attachment in message.attachments:
            content = attachment[1] if isinstance(attachment, tuple) else attachment.get_payload()
            texts.append(content if isinstance(content, str) else content.decode())
        for text in texts:
            assert_says_nothing_of_2017([text], dates, collections.Counter(), message.subject)
    assert any("2018" in message.subject for message in mail.outbox)


IMAGE_TABLES = ("wagtailimages_image", "taggit_", "wagtailsearch_", "wagtailcore_referenceindex")


def query_shapes(context):
    """The queries with their numbers and strings left out."""
    return collections.Counter(
        re.sub(r"'(?:[^']|'')*'", "S", re.sub(r"\d+", "N", query["sql"]))
        for query in context.captured_queries
    )


def test_the_shift_costs_no_query_per_field(rolled, db, monkeypatch):
    """The same rollover with the texts left as they are makes the same queries, but for
    the copy of the hero image (whose title says 2017): the shift reads nothing itself."""
    old = rolled["old"]
    # The pages' addresses that publishing invalidates (home.freshness) read the sites
    # once, then from Wagtail's cache: read before either run is counted.
    Site.get_site_root_paths()
    with CaptureQueriesContext(connection) as shifted:
        Rollover(old, next_start_date(old, 2019)).run()
    monkeypatch.setattr(DateShift, "shifted_fields", lambda self, obj, skip=(): {})
    monkeypatch.setattr(DateShift, "shift_object", lambda self, obj, skip=(): [])
    monkeypatch.setattr(DateShift, "mentions", lambda self, text: [])
    with CaptureQueriesContext(connection) as plain:
        Rollover(old, next_start_date(old, 2020)).run()
    shifted, plain = query_shapes(shifted), query_shapes(plain)

    def of_images(shapes, images=True):
        return collections.Counter(
            {
                sql: number
                for sql, number in shapes.items()
                if any(table in sql for table in IMAGE_TABLES) == images
            }
        )

    # the same queries on pages and rows, none per field
    assert of_images(shifted, False) == of_images(plain, False)
    # and the image's copy: its row, tags, search index, references
    assert 0 < of_images(shifted).total() - of_images(plain).total() <= 20
