"""Factories for the edition and its parts, for tests and benchmarks."""

import datetime

import factory
from anyascii import anyascii
from django.utils import timezone
from django.utils.text import slugify
from factory.django import DjangoModelFactory
from wagtail.models import Collection
from wagtail.search import index
from wagtail_factories import ImageFactory as WagtailImageFactory
from wagtail_factories import PageFactory

from .models import (
    DayPage,
    EditionPage,
    EditionPartner,
    ProgrammePage,
    QuestionnaireFormField,
    QuestionnairePage,
    RegistrationFormField,
    RegistrationFormPage,
    Session,
    TrackPage,
    Venue,
    year_slug,
)


class ImageFactory(WagtailImageFactory):
    """An image of the site's image model (wagtail-factories' own), in the root
    collection rather than in a second root that the library would make."""

    title = factory.Sequence(lambda n: f"Зображення {n}")
    description = "Опис зображення для тих, хто його не бачить."
    file = factory.django.ImageField(width=1600, height=900, color="#17324d")
    collection = factory.LazyFunction(Collection.get_first_root_node)


class EditionPageFactory(PageFactory):
    title = factory.LazyAttribute(lambda o: f"Майстерня міста {o.city} {o.start_date.year}")
    slug = factory.LazyAttribute(lambda o: year_slug(o.start_date))
    city = "Житомир"
    lead = "Тиждень розмов і дій про місто."
    start_date = factory.Sequence(lambda n: datetime.date(2030 + n, 6, 10))
    end_date = factory.LazyAttribute(lambda o: o.start_date + datetime.timedelta(days=5))

    class Meta:
        model = EditionPage


class VenueFactory(DjangoModelFactory):
    edition = factory.SubFactory(EditionPageFactory)
    name = factory.Sequence(lambda n: f"Майданчик {n}")
    address = "Новий бульвар, 4"
    postal_code = "10014"
    region = "Житомирська область"
    latitude = "50.254650"
    longitude = "28.658667"

    class Meta:
        model = Venue


class EditionPartnerFactory(DjangoModelFactory):
    edition = factory.SubFactory(EditionPageFactory)
    name = factory.Sequence(lambda n: f"Партнер {n}")
    role = EditionPartner.Role.PARTNER

    class Meta:
        model = EditionPartner


class TrackPageFactory(PageFactory):
    title = factory.Sequence(lambda n: f"Напрям {n}")
    slug = factory.LazyAttribute(lambda o: slugify(anyascii(o.title)))
    short_description = "Про що цей напрям."
    colour = "#2e7d32"

    class Meta:
        model = TrackPage


class ProgrammePageFactory(PageFactory):
    title = "Програма"
    slug = "programme"

    class Meta:
        model = ProgrammePage


class DayPageFactory(PageFactory):
    title = factory.LazyAttribute(lambda o: f"День {o.date:%d.%m}")
    slug = factory.LazyAttribute(lambda o: o.date.isoformat())
    date = factory.Sequence(lambda n: datetime.date(2030, 6, 10) + datetime.timedelta(days=n))

    class Meta:
        model = DayPage


class PageRowFactory(DjangoModelFactory):
    """An inline row of a page (a session, a document item) saved on its own. The page
    editor saves a page with its rows and indexes both; a row saved alone must update
    its page's search entry itself."""

    class Meta:
        abstract = True
        skip_postgeneration_save = True

    @factory.post_generation
    def reindex_page(row, create, extracted, **kwargs):
        if create:
            index.insert_or_update_object(row.page)


class SessionFactory(PageRowFactory):
    page = factory.SubFactory(DayPageFactory)
    start_time = datetime.time(10, 0)
    end_time = datetime.time(11, 30)
    title = factory.Sequence(lambda n: f"Подія {n}")
    kind = Session.Kind.DISCUSSION

    class Meta:
        model = Session


class RegistrationFormPageFactory(PageFactory):
    title = "Реєстрація"
    slug = "registration"
    to_address = "press@example.org"
    from_address = "noreply@example.org"
    subject = "Нова реєстрація"
    # Open a year from when it is made: an empty closing time closes a form after its
    # edition's last day, and the test editions took place in 2017.
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=365))

    class Meta:
        model = RegistrationFormPage


class RegistrationFormFieldFactory(DjangoModelFactory):
    page = factory.SubFactory(RegistrationFormPageFactory)
    label = factory.Sequence(lambda n: f"Поле {n}")
    field_type = "singleline"
    required = True

    class Meta:
        model = RegistrationFormField


class QuestionnairePageFactory(RegistrationFormPageFactory):
    title = "Анкета опису проєкту"
    slug = "project"
    subject = "Нова анкета"

    class Meta:
        model = QuestionnairePage


class QuestionnaireFormFieldFactory(RegistrationFormFieldFactory):
    page = factory.SubFactory(QuestionnairePageFactory)

    class Meta:
        model = QuestionnaireFormField


def build_edition_at_lviv_scale(home_page, scale=1, start=datetime.date(2019, 5, 30)):
    """An edition at Lviv's scale, for query budgets and benchmarks: 12 days of 12
    sessions each (144), six venues, four tracks. `scale` multiplies the sessions of
    each day (10: 1,440 sessions, 120 a day, from 8:00 every 7 minutes or so)."""
    edition = EditionPageFactory(
        parent=home_page, start_date=start, end_date=start + datetime.timedelta(days=11)
    )
    venues = [VenueFactory(edition=edition, sort_order=i) for i in range(6)]
    tracks = [TrackPageFactory(parent=edition) for _ in range(4)]
    programme = ProgrammePageFactory(parent=edition)
    per_day = 12 * scale
    for offset in range(12):
        day = DayPageFactory(parent=programme, date=start + datetime.timedelta(days=offset))
        for number in range(per_day):
            minute = 8 * 60 + number * 12 * 60 // per_day  # spread over 8:00-20:00
            SessionFactory(
                page=day,
                start_time=datetime.time(minute // 60, minute % 60),
                end_time=datetime.time((minute + 45) // 60, (minute + 45) % 60),
                track=tracks[number % 4],
                venue=venues[number % 6],
            )
    return edition
