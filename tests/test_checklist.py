"""«Перевірте перед публікацією»: the checklist of a rolled-over edition (events/checklist.py),
on the new edition's editor until it is published, after the rollover, and from the
management commands."""

import datetime
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page

from documents.factories import DocumentFactory, DocumentItemFactory
from documents.models import DocumentsPage
from events.checklist import checklist_summary, edition_checklist, grouped
from events.factories import (
    DayPageFactory,
    EditionPartnerFactory,
    ImageFactory,
    QuestionnairePageFactory,
    SessionFactory,
)
from events.models import (
    DayPage,
    EditionLink,
    EditionPage,
    QuestionnairePage,
    RegistrationFormPage,
    Session,
    TrackPage,
)
from events.rollover import PARTS, Rollover
from home.demo import load_demo

NEW_START = datetime.date(2018, 6, 11)


@pytest.fixture
def old(edition):
    """The small edition of conftest with everything the checklist looks at: a history
    that speaks of 2017 (the rollover keeps it), a hero image, a partner's logo, a
    track's image, a document on the documents page (from conftest) and in a link,
    forms without an opening time, a session without hosts (conftest's «Відкриття»)
    and a break without hosts."""
    edition.history = "<p>Уперше майстерня відбулася у 2017 році.</p>"
    edition.hero_image = ImageFactory(title="Заставка 2017")
    edition.save()
    EditionPartnerFactory(edition=edition, name="Міська рада", logo=ImageFactory(title="Герб"))
    EditionLink.objects.create(
        edition=edition, label="Анкета", link_document=DocumentFactory(title="Анкета 2017")
    )
    TrackPage.objects.child_of(edition).filter(title="Велотранспорт").update(
        image=ImageFactory(title="Значок велотранспорту")
    )
    QuestionnairePageFactory(parent=edition, title="Анкета проєкту", slug="project")
    day1 = DayPage.objects.descendant_of(edition).get(date=datetime.date(2017, 6, 12))
    SessionFactory(
        page=day1,
        title="Кава-перерва",
        kind=Session.Kind.BREAK,
        start_time=datetime.time(11),
        end_time=datetime.time(11, 30),
    )
    Session.objects.filter(page__path__startswith=edition.path).exclude(
        title__in=["Відкриття", "Кава-перерва"]
    ).update(hosts="Олена Петрук")
    return EditionPage.objects.get(pk=edition.pk)


@pytest.fixture
def new(old):
    return Rollover(old, NEW_START).run()


def kinds(items):
    return sorted(item.kind for item in items)


def draft_of(page):
    return Page.objects.get(pk=page.pk).specific.get_latest_revision_as_object()


def test_each_carried_file_empty_window_and_hostless_session_is_listed(old, new):
    items = edition_checklist(new)
    by_field = {(item.page.title, item.field): item for item in items}
    history = by_field[("Майстерня міста Житомир", "Історія")]
    assert history.kind == "text" and "«2017" in history.what and "2018" in history.what
    assert history.url == f"/admin/pages/{new.pk}/edit/#id_history"
    image = by_field[("Майстерня міста Житомир", "Головне зображення")]
    assert image.kind == "image"
    # The rollover gave it a copy of its own, with «2018» in its title: the same file.
    copy = EditionPage.objects.get(pk=new.pk).hero_image
    assert copy.pk != old.hero_image_id and copy.file_hash == old.hero_image.get_file_hash()
    assert "«Заставка 2018»" in image.what and "з випуску 2017 року" in image.what
    assert image.url == f"/admin/images/{copy.pk}/"
    logo = by_field[("Майстерня міста Житомир", "Партнер «Міська рада»: логотип")]
    assert logo.kind == "image" and "«Герб»" in logo.what
    link = by_field[("Майстерня міста Житомир", "Посилання «Анкета»: документ")]
    assert link.kind == "document" and link.url.startswith("/admin/documents/edit/")
    track = by_field[("Велотранспорт", "Іконка або зображення")]
    assert "«Значок велотранспорту»" in track.what
    (document,) = [item for item in items if item.page.title == "Документи"]
    assert document.kind == "document" and "План Майстерні міста" in document.field
    for form in ("Реєстрація", "Анкета проєкту"):
        window = by_field[(form, "Форма відкривається")]
        page = Page.objects.get(title=form, path__startswith=new.path)
        assert window.url == f"/admin/pages/{page.pk}/edit/#id_opens_at"
    host = by_field[("День 1", "Подія «Відкриття»: ведучі та доповідачі")]
    assert host.kind == "host"
    assert re.fullmatch(r"/admin/pages/\d+/edit/#id_sessions-0-hosts", host.url)
    # Not the break, not the sessions with hosts, nothing of the track without an image.
    assert kinds(items) == ["document", "document", "form", "form", "host"] + ["image"] * 3 + [
        "text"
    ]

    # In the order of the edition's pages, each page once.
    tree = [page.pk for page in new.get_descendants(inclusive=True)]
    pages = [page.pk for page, _items in grouped(items)]
    assert pages == sorted(pages, key=tree.index)
    assert len(pages) == len(set(pages))


def test_each_item_goes_once_fixed(old, new):
    assert len(edition_checklist(new)) == 9
    edition = draft_of(new)
    edition.history = "<p>Уперше майстерня відбулася рік тому.</p>"
    edition.hero_image = ImageFactory(title="Заставка 2018")
    edition.partners.all()[0].logo = None
    edition.links.all()[0].link_document = DocumentFactory(title="Анкета 2018")
    edition.save_revision()
    track = draft_of(TrackPage.objects.descendant_of(new).get(title="Велотранспорт"))
    track.image = ImageFactory(title="Новий значок")
    track.save_revision()
    documents = draft_of(DocumentsPage.objects.descendant_of(new).get())
    documents.document_items.all()[0].document = DocumentFactory(title="План 2018")
    documents.save_revision()
    assert kinds(edition_checklist(new)) == ["form", "form", "host"]

    for model in (RegistrationFormPage, QuestionnairePage):
        form = draft_of(model.objects.descendant_of(new).get())
        form.opens_at = datetime.datetime(2018, 5, 1, 9, tzinfo=datetime.UTC)
        form.save_revision()
    day = draft_of(DayPage.objects.descendant_of(new).get(date=NEW_START))
    opening = next(s for s in day.sessions.all() if s.title == "Відкриття")
    opening.hosts = "Міський голова"
    day.save_revision()
    assert edition_checklist(new) == []


def test_what_the_editor_writes_of_the_old_edition_is_listed_in_its_tab_and_row(old, new):
    track = draft_of(TrackPage.objects.descendant_of(new).get(title="Велотранспорт"))
    track.seo_title = "Велотранспорт: 12–17 червня 2017"
    track.save_revision()
    day = draft_of(DayPage.objects.descendant_of(new).get(date=NEW_START))
    sessions = list(day.sessions.all())
    sessions[-1].description = "Як минулого разу, 13.06.2017 о 12:00."
    day.save_revision()
    items = [item for item in edition_checklist(new) if item.kind == "text"]
    by_page = {item.page.title: item for item in items}
    assert by_page["Велотранспорт"].url.endswith("#id_seo_title")
    assert "«12–17 червня 2017»" in by_page["Велотранспорт"].what
    index = len(sessions) - 1
    assert by_page["День 1"].url.endswith(f"#id_sessions-{index}-description")
    assert "«13.06.2017»" in by_page["День 1"].what

    track.seo_title = "Велотранспорт: 11–16 червня 2018"
    track.save_revision()
    day = draft_of(day)
    list(day.sessions.all())[-1].description = "Як минулого разу."
    day.save_revision()
    assert [item.page.title for item in edition_checklist(new) if item.kind == "text"] == [
        "Майстерня міста Житомир"  # the history, which the rollover keeps
    ]


def test_without_an_edition_before_nothing_is_said_of_carried_files(old):
    assert kinds(edition_checklist(old)) == ["form", "form", "host"]


def test_the_rollover_says_how_many_and_the_editor_shows_them_until_published(admin_client, old):
    url = f"/admin/editions/{old.pk}/rollover/"
    response = admin_client.post(url, {"year": "2018", "parts": list(PARTS)}, follow=True)
    new = EditionPage.objects.get(slug="2018")
    assert response.redirect_chain[-1][0] == f"/admin/pages/{new.pk}/edit/"
    html = response.content.decode()
    assert "«Перевірте перед публікацією» угорі нового випуску: 9 пунктів" in html
    assert "<span data-panel-heading-text>Перевірте перед публікацією</span>" in html
    # The panel counts the same items (it once said «0» above the nine).
    assert "Що перевірити перед публікацією випуску: 9." in html
    items = edition_checklist(new)
    for item in items:
        assert f'<a href="{item.url}">{item.field}</a>' in html

    # A field of another tab: Wagtail's tabs (w-tabs, with the page's address) open the
    # tab that holds the element the address's #anchor names.
    track = draft_of(TrackPage.objects.descendant_of(new).get(title="Велотранспорт"))
    track.seo_title = "Велотранспорт 2017"
    track.save_revision()
    edition = draft_of(new)
    edition.goals = [("goal", "Продовжити розмову 2017 року")]
    edition.partners.all()[0].name = "Міська рада (2017)"
    edition.save_revision()
    items = edition_checklist(new)
    seo = next(item for item in items if item.url.endswith("#id_seo_title"))
    goals = next(item for item in items if item.url.endswith("#goals"))
    partner = next(item for item in items if item.url.endswith("#id_partners-0-name"))
    editors = {}
    for item in items:
        assert admin_client.get(item.url).status_code == 200, item.url
        if item.on_page:
            path, anchor = item.url.split("#")
            editors.setdefault(path, admin_client.get(path).content.decode())
            assert f'id="{anchor}"' in editors[path], item.url
    # The anchor of a session's hosts is that session's row of the editor.
    host = next(item for item in items if item.kind == "host")
    path, anchor = host.url.split("#")
    row = anchor.removesuffix("-hosts")
    assert re.search(
        rf'id="{row}-title"[^>]*value="Відкриття"|value="Відкриття"[^>]*id="{row}-title"',
        editors[path],
    )
    assert tab_of(editors[path], anchor) == "Контент"
    for item, tab in [
        (seo, "Просування"),
        (goals, "Контент"),
        (partner, "Партнери, контакти, посилання"),
    ]:
        path, anchor = item.url.split("#")
        assert tab_of(editors[path], anchor) == tab

    new.get_latest_revision().publish()
    live = admin_client.get(f"/admin/pages/{new.pk}/edit/").content.decode()
    assert "Перевірте перед публікацією" not in live


def tab_of(html, anchor):
    """The heading of the editor's tab that holds the element with id `anchor`."""
    position = html.index(f'id="{anchor}"')
    panels = re.finditer(r'<section\s+id="tab-([^"]+)"[^>]*role="tabpanel"', html)
    tab = [panel[1] for panel in panels if panel.start() < position][-1]
    return re.search(rf'id="tab-label-{tab}"[^>]*>\s*([^<]*?)\s*<', html)[1]


def test_the_panel_is_not_shown_on_an_edition_with_nothing_to_check(admin_client, old):
    Page.objects.filter(pk=old.pk).update(live=False)
    RegistrationFormPage.objects.descendant_of(old).update(
        opens_at=datetime.datetime(2017, 5, 1, tzinfo=datetime.UTC)
    )
    QuestionnairePage.objects.descendant_of(old).update(
        opens_at=datetime.datetime(2017, 5, 1, tzinfo=datetime.UTC)
    )
    Session.objects.filter(title="Відкриття").update(hosts="Міський голова")
    assert edition_checklist(old) == []
    html = admin_client.get(f"/admin/pages/{old.pk}/edit/").content.decode()
    assert "Перевірте перед публікацією" not in html


def test_edition_checklist_command_prints_each_item_with_its_address(old, new):
    out = io.StringIO()
    call_command("edition_checklist", "2018", stdout=out)
    lines = out.getvalue().splitlines()
    items = edition_checklist(new)
    assert lines[0] == "Майстерня міста Житомир"
    for item in items:
        assert f"  - {item.field}: {item.what}" in lines
        assert f"    http://testserver{item.url}" in lines
    assert lines[-1] == "9 to check."
    with pytest.raises(CommandError, match="There is no 2031 edition"):
        call_command("edition_checklist", "2031", stdout=out)


def test_rollover_check_prints_the_checklist_and_creates_nothing(old, settings):
    pages = Page.objects.count()
    images = sorted(Path(settings.MEDIA_ROOT).rglob("*"))
    out = io.StringIO()
    call_command("rollover_edition", "2017", "--to", "2018", "--check", stdout=out)
    text = out.getvalue()
    assert Page.objects.count() == pages
    # The hero says 2017: the dry run copied it with its file, and took the file back.
    assert sorted(Path(settings.MEDIA_ROOT).rglob("*")) == images
    assert not EditionPage.objects.filter(slug="2018").exists()
    assert "Dry run: the draft edition /2018/ would have" in text
    assert text.splitlines()[-2:] == ["9 to check.", "Dry run: nothing was created."]
    assert "  - Форма відкривається: " in text
    # The pages (and image copies) it would create are gone: no addresses.
    assert "/admin/" not in text

    out = io.StringIO()
    call_command("rollover_edition", "2017", "--to", "2018", stdout=out)
    lines = out.getvalue().splitlines()
    new = EditionPage.objects.get(slug="2018")
    assert any(line.startswith("Created the draft edition /2018/") for line in lines)
    assert f"    http://testserver/admin/pages/{new.pk}/edit/#id_opens_at" not in lines
    registration = RegistrationFormPage.objects.descendant_of(new).get()
    assert f"    http://testserver/admin/pages/{registration.pk}/edit/#id_opens_at" in lines
    assert lines[-1] == "9 to check."


def count_queries(edition):
    # Once before: Wagtail computes and keeps the hash of a file uploaded without one.
    edition_checklist(edition)
    with CaptureQueriesContext(connection) as queries:
        edition_checklist(edition)
    return len(queries)


def test_a_few_queries_whatever_the_edition_s_size(old):
    small = Rollover(old, NEW_START).run()
    few, small_items = count_queries(small), len(edition_checklist(small))
    Page.objects.get(pk=small.pk).delete()
    programme = Page.objects.descendant_of(old).get(slug="programme")
    documents = DocumentsPage.objects.child_of(old).get()
    for offset in range(2, 6):
        day = DayPageFactory(parent=programme, date=datetime.date(2017, 6, 12 + offset))
        SessionFactory.create_batch(3, page=day)
        DocumentItemFactory(page=documents)
        EditionPartnerFactory(edition=old, logo=ImageFactory())
    large = Rollover(old, NEW_START).run()
    assert len(edition_checklist(large)) == small_items + 4 * (3 + 1 + 1)
    assert count_queries(large) == few <= 20


@pytest.fixture
def demo(db):
    load_demo()
    return EditionPage.objects.get(slug="2017")


def test_the_demo_s_rollover_lists_its_images_documents_and_forms(
    demo, django_assert_max_num_queries
):
    new = Rollover(demo, NEW_START).run()
    with django_assert_max_num_queries(20):
        items = edition_checklist(new)
    assert kinds(items).count("image") == 1 + 4 + 4  # hero, partners' logos, tracks' icons
    assert kinds(items).count("document") == 1 + 3  # a link, the documents page
    assert kinds(items).count("form") == 2
    # The history, which the rollover keeps as it was, still tells of 2017.
    assert [item.field for item in items if item.kind == "text"] == ["Історія"]


def test_the_rollover_s_message_counts_in_ukrainian(old):
    items = edition_checklist(old)  # three
    assert checklist_summary([]) == "Перед публікацією нічого не лишилося перевірити."
    assert checklist_summary(items[:1]).endswith(": 1 пункт для перевірки.")
    assert checklist_summary(items).endswith(": 3 пункти для перевірки.")
    assert checklist_summary(items * 2).endswith(": 6 пунктів для перевірки.")
