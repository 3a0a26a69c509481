"""The project questionnaire: a theme of the edition, a private attachment checked by
its content, and a review status the staff set and filter on."""

import csv
import datetime
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from PIL import Image

from events.attachments import DOCX, ODT, OLE2_SIGNATURE, WORD_STREAM
from events.factories import QuestionnaireFormFieldFactory, QuestionnairePageFactory
from events.models import ProjectSubmission, RegistrationSubmission

from .helpers import registration


@pytest.fixture
def questionnaire(edition):
    page = QuestionnairePageFactory(parent=edition)
    for label, field_type, required in [
        ("Назва проєкту", "singleline", True),
        ("Напрям", "track", True),
        ("Опис проєкту", "multiline", True),
        ("Контактна особа", "singleline", True),
        ("Електронна пошта", "email", True),
    ]:
        QuestionnaireFormFieldFactory(
            page=page, label=label, field_type=field_type, required=required
        )
    return page


def answers(**overrides):
    defaults = {
        "nazva_proiektu": "Велодоріжка на Київській",
        "napryam": "Велотранспорт",
        "opis_proiektu": "Розмітити смугу й поставити стоянки.",
        "kontaktna_osoba": "Мар’яна Коваль",
        "elektronna_poshta": "maryana@example.org",
    }
    return registration(**{**defaults, **overrides})


def send(client, page, **overrides):
    return client.post(page.url, answers(**overrides))


# Small but genuine files of each accepted type, and impostors.


def pdf_bytes():
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def zip_bytes(members):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def docx_bytes():
    return zip_bytes(
        {
            "[Content_Types].xml": "<Types/>",
            "_rels/.rels": "<Relationships/>",
            "word/document.xml": "<w:document/>",
        }
    )


def odt_bytes():
    return zip_bytes({"mimetype": ODT, "content.xml": "<office:document-content/>"})


def doc_bytes():
    return OLE2_SIGNATURE + bytes(504) + WORD_STREAM + bytes(1000)


def png_bytes():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "#17324d").save(buffer, "PNG")
    return buffer.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_a_project_is_stored_as_new_and_answered_with_303(client, questionnaire, mailoutbox):
    response = send(client, questionnaire)
    assert response.status_code == 303
    assert response["Location"] == f"{questionnaire.url}?thanks"
    submission = ProjectSubmission.objects.get()
    assert submission.status == "new"
    assert submission.form_data["napryam"] == "Велотранспорт"
    assert submission.form_data["kontaktna_osoba"] == "Мар’яна Коваль"
    assert submission.email == "maryana@example.org"
    assert "розгляду проєкту" in submission.consent_text
    assert not submission.attachment
    assert "Дякуємо" in client.get(response["Location"]).content.decode()
    press, person = mailoutbox
    assert "Назва проєкту: Велодоріжка на Київській" in press.body
    assert person.to == ["maryana@example.org"]
    assert "Ми отримали опис вашого проєкту" in person.body


def test_the_theme_is_one_of_the_edition_s_tracks(client, questionnaire):
    html = client.get(questionnaire.url).content.decode()
    assert 'value="Громадський простір"' in html
    assert 'value="Велотранспорт"' in html
    response = send(client, questionnaire, napryam="Космонавтика")
    assert response.status_code == 200
    assert "napryam" in response.context["form"].errors
    assert not ProjectSubmission.objects.exists()


def test_the_edition_links_to_the_questionnaire(client, edition, questionnaire):
    html = client.get(edition.url).content.decode()
    assert f'href="{questionnaire.url}"' in html
    assert "Опишіть свій проєкт" in html


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("proekt.pdf", pdf_bytes(), "application/pdf"),
        ("proekt.docx", docx_bytes(), DOCX),
        ("proekt.odt", odt_bytes(), ODT),
        ("proekt.doc", doc_bytes(), "application/msword"),
        ("eskiz.png", png_bytes(), "image/png"),
        # The name does not matter: the content does.
        ("eskiz.pdf", png_bytes(), "image/png"),
    ],
)
def test_documents_and_images_are_accepted_by_their_content(
    client, questionnaire, name, content, content_type
):
    response = send(client, questionnaire, attachment=upload(name, content))
    assert response.status_code == 303
    submission = ProjectSubmission.objects.get()
    assert submission.attachment_type == content_type
    assert submission.attachment_name == name
    assert submission.attachment.read() == content
    assert "attachment" not in submission.form_data


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("proekt.pdf", b"<html><script>alert(1)</script></html>"),
        ("proekt.docx", b"MZ\x90\x00" + bytes(200)),  # a Windows program
        ("proekt.docx", zip_bytes({"payload.exe": "MZ"})),  # a ZIP, not a document
        ("tablytsia.doc", OLE2_SIGNATURE + bytes(2000)),  # an Excel 97 file, say
        ("eskiz.png", png_bytes()[:60]),  # a broken image
        ("eskiz.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'),
    ],
)
def test_other_files_are_refused_with_a_ukrainian_error_and_the_answers_kept(
    client, questionnaire, name, content
):
    stored_before = set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*"))
    response = send(client, questionnaire, attachment=upload(name, content))
    assert response.status_code == 200
    assert "attachment" in response.context["form"].errors
    html = response.content.decode()
    assert "Цей файл не є жодним із них" in html
    assert 'value="Велодоріжка на Київській"' in html  # nothing typed is lost
    assert not ProjectSubmission.objects.exists()
    assert set(Path(settings.PRIVATE_MEDIA_ROOT).rglob("*")) == stored_before


def sized_pdf(size):
    return pdf_bytes() + bytes(size - len(pdf_bytes()))


def test_an_attachment_over_the_limit_is_refused(client, questionnaire):
    limit = settings.ATTACHMENT_MAX_BYTES
    response = send(client, questionnaire, attachment=upload("velykyi.pdf", sized_pdf(12 << 20)))
    assert response.status_code == 200
    assert "Файл завеликий: 12,0\xa0МБ. Щонайбільше 10,0\xa0МБ." in response.content.decode()
    response = send(client, questionnaire, attachment=upload("trokhy.pdf", sized_pdf(limit + 1)))
    assert "attachment" in response.context["form"].errors
    assert not ProjectSubmission.objects.exists()
    response = send(client, questionnaire, attachment=upload("ok.pdf", sized_pdf(limit)))
    assert response.status_code == 303


def test_the_attachment_can_be_turned_off(client, questionnaire):
    questionnaire.accepts_attachment = False
    questionnaire.save()
    html = client.get(questionnaire.url).content.decode()
    assert 'type="file"' not in html
    assert 'enctype="multipart/form-data"' not in html


@pytest.fixture
def project_with_attachment(client, questionnaire):
    send(client, questionnaire, attachment=upload("kreslennia.pdf", pdf_bytes()))
    return ProjectSubmission.objects.get()


def test_attachments_live_outside_the_public_media_and_have_no_public_url(
    client, project_with_attachment
):
    path = Path(project_with_attachment.attachment.path)
    assert path.is_relative_to(settings.PRIVATE_MEDIA_ROOT)
    assert not path.is_relative_to(settings.MEDIA_ROOT)
    assert path.suffix == ".pdf" and "kreslennia" not in path.name  # a name nobody guesses
    with pytest.raises(NotImplementedError):
        project_with_attachment.attachment.url  # noqa: B018
    name = project_with_attachment.attachment.name
    assert client.get(f"/media/{name}").status_code == 404
    assert client.get(f"/private_media/{name}").status_code == 404


def editor(django_user_model, *, sees_forms):
    """A user who may use the admin and, if `sees_forms`, edit the site's pages (which
    is what Wagtail asks of those who read a form's submissions)."""
    from wagtail.models import GroupPagePermission, Page

    user = django_user_model.objects.create_user("editor", password="x")
    group = Group.objects.create(name="Редактори тест")
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    if sees_forms:
        GroupPagePermission.objects.create(
            group=group,
            page=Page.objects.get(depth=2),
            permission=Permission.objects.get(codename="change_page"),
        )
    user.groups.add(group)
    return user


def test_only_staff_who_see_the_form_download_the_attachment(
    client, admin_client, django_user_model, project_with_attachment
):
    url = f"/admin/forms/questionnaires/{project_with_attachment.pk}/attachment/"
    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith("/admin/login/")

    client.force_login(editor(django_user_model, sees_forms=False))
    assert client.get(url).status_code == 404

    response = admin_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    # Named from the detected type, not the sender's file name.
    filename = f"project-{project_with_attachment.pk}.pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    assert b"".join(response.streaming_content) == pdf_bytes()


def test_an_editor_who_sees_the_form_downloads_it_too(
    client, django_user_model, project_with_attachment
):
    client.force_login(editor(django_user_model, sees_forms=True))
    url = f"/admin/forms/questionnaires/{project_with_attachment.pk}/attachment/"
    assert client.get(url).status_code == 200


def test_staff_review_a_project_and_filter_on_its_status(
    admin_client, questionnaire, project_with_attachment
):
    ProjectSubmission.objects.create(page=questionnaire, form_data={"nazva_proiektu": "Сквер"})
    listing = f"/admin/forms/submissions/{questionnaire.pk}/"
    html = admin_client.get(listing).content.decode()
    review = f"/admin/forms/questionnaires/{project_with_attachment.pk}/review/"
    assert f'href="{review}"' in html
    assert "kreslennia.pdf" in html

    page = admin_client.get(review).content.decode()
    assert "Велодоріжка на Київській" in page
    assert "Розмітити смугу й поставити стоянки." in page
    assert "Завантажити додаток «kreslennia.pdf»" in page
    response = admin_client.post(review, {"status": "accepted"})
    assert response.status_code == 302
    assert response["Location"] == listing
    project_with_attachment.refresh_from_db()
    assert project_with_attachment.status == "accepted"

    accepted = admin_client.get(listing, {"status": "accepted"}).context["submissions"]
    assert [s.pk for s in accepted] == [project_with_attachment.pk]
    new = admin_client.get(listing, {"status": "new"}).context["submissions"]
    assert [s.form_data["nazva_proiektu"] for s in new] == ["Сквер"]
    assert admin_client.post(review, {"status": "forgotten"}).status_code == 200


def test_a_review_needs_the_right_to_see_the_form(
    client, django_user_model, project_with_attachment
):
    client.force_login(editor(django_user_model, sees_forms=False))
    review = f"/admin/forms/questionnaires/{project_with_attachment.pk}/review/"
    # Wagtail answers a denied admin view with a redirect to the dashboard.
    for response in (client.get(review), client.post(review, {"status": "declined"})):
        assert (response.status_code, response["Location"]) == (302, "/admin/")
    project_with_attachment.refresh_from_db()
    assert project_with_attachment.status == "new"


def test_the_export_has_the_status_and_a_staff_link_to_the_attachment(
    admin_client, questionnaire, project_with_attachment
):
    response = admin_client.get(f"/admin/forms/submissions/{questionnaire.pk}/?export=csv")
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    assert rows[0]["Статус"] == "нова"
    assert rows[0]["Назва проєкту"] == "Велодоріжка на Київській"
    assert rows[0]["Додаток"] == (
        f"http://testserver/admin/forms/questionnaires/{project_with_attachment.pk}/attachment/"
    )


def test_the_admin_searches_the_answers_whatever_the_case(admin_client, edition, client):
    form_page = edition.registration_page
    for name, email in [("Олена Петрук", "olena@example.org"), ("Іван", "ivan@example.org")]:
        client.post(form_page.url, registration(name=name, email=email))
    listing = f"/admin/forms/submissions/{form_page.pk}/"
    found = admin_client.get(listing, {"q": "ПЕТРУК"}).context["submissions"]
    assert [s.email for s in found] == ["olena@example.org"]
    found = admin_client.get(listing, {"q": "ivan@"}).context["submissions"]
    assert [s.email for s in found] == ["ivan@example.org"]
    waiting = admin_client.get(listing, {"status": "waiting"}).context["submissions"]
    assert list(waiting) == []
    assert RegistrationSubmission.objects.count() == 2


# Serialized rollback: the migrated home page is there even after another transactional
# test emptied the database.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_purge_and_the_admin_s_delete_remove_the_files(client, questionnaire, admin_client):
    send(client, questionnaire, attachment=upload("a.pdf", pdf_bytes()))
    send(client, questionnaire, attachment=upload("b.png", png_bytes()))
    first, second = ProjectSubmission.objects.order_by("pk")
    paths = [Path(first.attachment.path), Path(second.attachment.path)]
    assert all(path.exists() for path in paths)

    out = io.StringIO()
    call_command("purge_submissions", "--older-than", "0", "--dry-run", stdout=out)
    assert "Would delete 2 submissions sent more than 0 days ago, and 2 files." in out.getvalue()
    assert all(path.exists() for path in paths)

    admin_client.post(
        f"/admin/forms/submissions/{questionnaire.pk}/delete/?selected-submissions={first.pk}"
    )
    assert not paths[0].exists() and paths[1].exists()
    call_command("purge_submissions", "--older-than", "0", stdout=out)
    assert not ProjectSubmission.objects.exists()
    assert not paths[1].exists()


def test_a_failed_deletion_keeps_the_file(questionnaire, client):
    send(client, questionnaire, attachment=upload("a.pdf", pdf_bytes()))
    submission = ProjectSubmission.objects.get()
    path = Path(submission.attachment.path)
    with pytest.raises(RuntimeError), transaction.atomic():
        submission.delete()
        raise RuntimeError("rolled back")
    assert path.exists()


@override_settings(FORM_MIN_FILL_SECONDS=3)
def test_the_questionnaire_has_the_same_protection_as_the_registration(client, questionnaire):
    assert send(client, questionnaire).status_code == 303  # sent at once: a bot
    assert send(client, questionnaire, website="http://spam.example").status_code == 303
    assert not ProjectSubmission.objects.exists()


def test_a_closed_questionnaire_says_so(client, questionnaire):
    questionnaire.closes_at = datetime.datetime(2017, 6, 1, tzinfo=datetime.UTC)
    questionnaire.save()
    html = client.get(questionnaire.url).content.decode()
    assert "Прийом анкет завершено." in html
    send(client, questionnaire)
    assert not ProjectSubmission.objects.exists()
