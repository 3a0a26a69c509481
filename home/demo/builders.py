"""The builders of the 2017 demo edition: from the checked content (content.Content)
they draw the images and documents, store them, and create and publish the pages
(edition, tracks, programme and days, documents, forms) as an editor would, in
the order in which the pages can link one another.
"""

from dataclasses import dataclass, field
from io import BytesIO

from anyascii import anyascii
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection
from wagtail.utils.file import hash_filelike

from documents.models import DocumentItem, DocumentsPage
from events.models import (
    DayPage,
    EditionLink,
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
)
from home.dates import format_date_range
from home.models import SiteSettings

from .drawing import draw_hero, draw_icon, draw_logo
from .sheets import LAYOUTS


def validated(children, parent_field):
    """Run the model's validation on inline children, in order, as the admin would."""
    for position, child in enumerate(children):
        if hasattr(child, "sort_order"):
            child.sort_order = position
        child.full_clean(exclude=[parent_field])
    return children


def publish(page, parent=None):
    """Add the page under its parent (when new; saving validates it) and publish a
    revision of it, so its history starts as if an editor had published it."""
    if parent is not None:
        parent.add_child(instance=page)
    page.save_revision().publish()
    return page


@dataclass
class DemoLoader:
    """Creates the demo from its content; remembers the files it stores so that a
    failure removes them."""

    content: object  # content.Content
    collection: Collection | None = None
    stored: list = field(default_factory=list)

    def store(self, model, title, data, file, **fields):
        """Save an image or a document of the given bytes, wrapped in a Django file."""
        item = model(
            title=title,
            file=file,
            collection=self.collection,
            file_size=len(data),
            file_hash=hash_filelike(BytesIO(data)),
            **fields,
        )
        item.save()
        self.stored.append(item)
        return item

    def image(self, title, description, data, filename):
        file = ImageFile(BytesIO(data), name=filename)
        return self.store(get_image_model(), title, data, file, description=description)

    def document(self, spec):
        data = LAYOUTS[spec["key"]](self.content, spec)
        file = ContentFile(data, name=spec["filename"])
        return self.store(get_document_model(), spec["title"], data, file)

    def remove_stored_files(self):
        for item in self.stored:
            item.file.storage.delete(item.file.name)

    def load(self, home):
        content = self.content
        self.collection = demo_collection(content.collection)
        logos = [self.logo(partner) for partner in content.partners]
        hero = self.hero()
        documents = {spec["key"]: self.document(spec) for spec in content.documents}

        edition = create_edition(content, home, hero, logos, documents)
        tracks = {
            track["key"]: create_track(edition, track, self.icon(track)) for track in content.tracks
        }
        create_programme(content, edition, tracks)
        create_documents_page(content, edition, documents)
        registration = create_form(
            edition, RegistrationFormPage, RegistrationFormField, content.registration
        )
        project_form = create_form(
            edition, QuestionnairePage, QuestionnaireFormField, content.questionnaire
        )
        edition.how_to_take_part = content.edition["how_to_take_part"].format(
            registration=registration.pk,
            project_form=project_form.pk,
            questionnaire=documents["questionnaire"].pk,
        )
        publish(edition)
        update_home(content, home, logos[0])
        return edition

    def logo(self, partner):
        titles = self.content.image_titles
        return self.image(
            titles["logo"].format(logo_text=partner["logo_text"]),
            titles["logo_description"].format(logo_text=partner["logo_text"]),
            draw_logo(
                initials=partner["initials"], colour=partner["colour"], text=partner["logo_text"]
            ),
            f"logo-{anyascii(partner['initials']).lower()}.png",
        )

    def hero(self):
        content = self.content
        spec, edition = content.hero_image, content.edition
        dates = format_date_range(edition["start_date"], edition["end_date"])
        data = draw_hero(
            background=spec["background"],
            skyline=spec["skyline"],
            accent=spec["accent"],
            bands=[track["colour"] for track in content.tracks],
            title=edition["title"],
            subtitle=f"{dates} · {content.venue['name']}",
            slogan=edition["slogan"],
        )
        return self.image(spec["title"], spec["description"], data, spec["filename"])

    def icon(self, track):
        return self.image(
            self.content.image_titles["track_icon"].format(title=track["title"]),
            track["icon_alt"],
            draw_icon(colour=track["colour"], motif=track["motif"]),
            f"track-{track['slug']}.png",
        )


def demo_collection(name):
    root = Collection.get_first_root_node()
    existing = root.get_children().filter(name=name).first()
    return existing or root.add_child(name=name)


def create_edition(content, home, hero, logos, documents):
    """The edition page with its venue, partners and links. It is published at the end,
    once its how-to-take-part text can link the registration form."""
    built_below = {"goals", "audience", "how_to_take_part"}
    spec = content.edition
    edition = EditionPage(
        **{key: value for key, value in spec.items() if key not in built_below},
        goals=[("goal", goal) for goal in spec["goals"]],
        audience=[("group", group) for group in spec["audience"]],
        hero_image=hero,
        venues=validated([Venue(**content.venue)], "edition"),
        partners=validated(
            [
                EditionPartner(name=p["name"], role=p["role"], url=p["url"], logo=logo)
                for p, logo in zip(content.partners, logos, strict=True)
            ],
            "edition",
        ),
        links=validated(
            [
                EditionLink(
                    label=link["label"],
                    link_document=documents.get(link.get("document")),
                    link_url=link.get("url", ""),
                )
                for link in content.links
            ],
            "edition",
        ),
    )
    home.add_child(instance=edition)
    return edition


def create_track(edition, track, icon):
    page = TrackPage(
        title=track["title"],
        slug=track["slug"],
        short_description=track["short_description"],
        body=track["body"],
        colour=track["colour"],
        image=icon,
    )
    return publish(page, edition)


def create_programme(content, edition, tracks):
    """The programme page and its days, every day marked as demonstration content."""
    notices = content.notices
    intro = notices["programme"] + content.programme["intro"]
    programme = publish(ProgrammePage(**{**content.programme, "intro": intro}), edition)
    venue = edition.main_venue
    for day in content.days:
        sessions = [
            Session(
                start_time=session["start"],
                end_time=session["end"],
                kind=session["kind"],
                track=tracks.get(session["track"]),
                venue=venue,
                spot=session["spot"],
                title=session["title"],
                hosts=session["hosts"],
                description=session["description"],
            )
            for session in day["sessions"]
        ]
        page = DayPage(
            title=day["title"],
            slug=day["date"].isoformat(),
            date=day["date"],
            intro=notices["day"] + day["intro"],
            sessions=validated(sessions, "page"),
        )
        publish(page, programme)
    return programme


def create_documents_page(content, edition, documents):
    items = [
        DocumentItem(document=documents[spec["key"]], description=spec["description"])
        for spec in content.documents
    ]
    page = DocumentsPage(**content.documents_page, document_items=validated(items, "page"))
    return publish(page, edition)


def create_form(edition, page_model, field_model, spec):
    """A form page of the edition, with its fields; the press office gets the copies."""
    page_fields = {key: value for key, value in spec.items() if key != "fields"}
    fields = [field_model(**field_spec) for field_spec in spec["fields"]]
    page = page_model(
        **page_fields, to_address=edition.contact_email, form_fields=validated(fields, "page")
    )
    return publish(page, edition)


def update_home(content, home, organiser_logo):
    home.intro = content.home["intro"]
    publish(home)
    site_settings = SiteSettings.for_site(home.get_site())
    for name, value in content.site_settings.items():
        setattr(site_settings, name, value)
    site_settings.organiser_logo = organiser_logo
    site_settings.full_clean()
    site_settings.save()
