"""«Publish the edition» in one action: the edition and every page under it that is
ready, parents before children, and a report of what happened to each page.

Each page is published the way Wagtail's own «Publish» button does it (its latest
revision through `revision.publish(user=...)`, which schedules it when its go-live
time is in the future and logs it), or, for a user who may not publish it but may
submit it, sent to its moderation workflow as «Submit for moderation» does
(`workflow.start(page, user)`, or the workflow resumed when it waits for changes).
What stays a draft says why: its latest revision fails the page's validation (which
field, which error), it is locked by someone, the user may not publish it, or its
parent stays a draft. `plan_edition` tells the same without changing anything."""

from dataclasses import dataclass, field

from django.core.exceptions import (
    NON_FIELD_ERRORS,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modelcluster.models import get_all_child_relations
from wagtail.fields import StreamField
from wagtail.locks import BasicLock
from wagtail.models import Page, WorkflowState

PUBLISHED = "published"
SUBMITTED = "submitted"
SCHEDULED = "scheduled"
LIVE = "live"
IN_MODERATION = "in_moderation"
DRAFT = "draft"

STATUSES = {
    PUBLISHED: _("Published"),
    SUBMITTED: _("Submitted for moderation"),
    SCHEDULED: _("Scheduled"),
    LIVE: _("Already live"),
    IN_MODERATION: _("In moderation"),
    DRAFT: _("Stays a draft"),
}
# In the plan (nothing done yet), the same outcomes in the future tense.
PLANNED = {
    PUBLISHED: _("Will be published"),
    SUBMITTED: _("Will be submitted for moderation"),
    SCHEDULED: _("Will be scheduled"),
    LIVE: _("Already live"),
    IN_MODERATION: _("In moderation"),
    DRAFT: _("Will stay a draft"),
}
# A child may go live only under a parent that is live after the run; a page sent to
# moderation may be sent under a parent that is on its way there too.
PARENT_LIVE = {PUBLISHED, LIVE}
PARENT_ON_ITS_WAY = PARENT_LIVE | {SUBMITTED, IN_MODERATION, SCHEDULED}


@dataclass
class PageResult:
    page: Page
    status: str
    reason: str = ""

    @property
    def label(self):
        return STATUSES[self.status]

    @property
    def planned_label(self):
        return PLANNED[self.status]


@dataclass
class PublishReport:
    edition: Page
    results: list = field(default_factory=list)
    done: bool = True  # False: a plan, nothing changed

    def with_status(self, *statuses):
        return [result for result in self.results if result.status in statuses]

    @property
    def published(self):
        return self.with_status(PUBLISHED)

    @property
    def submitted(self):
        return self.with_status(SUBMITTED)

    @property
    def scheduled(self):
        return self.with_status(SCHEDULED)

    @property
    def already_live(self):
        return self.with_status(LIVE)

    @property
    def in_moderation(self):
        return self.with_status(IN_MODERATION)

    @property
    def drafts(self):
        return self.with_status(DRAFT)

    def counts(self):
        return {status: len(self.with_status(status)) for status in STATUSES}


# What Wagtail keeps of every page and sets itself: not the editor's to fix (and a
# query each to validate).
WAGTAIL_FIELDS = [field.name for field in Page._meta.concrete_fields if field.is_relation] + [
    "path",
    "depth",
    "numchild",
    "url_path",
    "draft_title",
    "translation_key",
]


def field_label(model, name):
    if name == NON_FIELD_ERRORS:
        return ""
    try:
        return str(getattr(model._meta.get_field(name), "verbose_name", name))
    except FieldDoesNotExist:
        return name


def error_items(error, model, prefix=""):
    """A model's ValidationError as [(field label, message)], labels after `prefix`."""
    items = []
    by_field = getattr(error, "error_dict", None) or {NON_FIELD_ERRORS: error.error_list}
    for name, field_errors in by_field.items():
        label = field_label(model, name)
        label = f"{prefix}{label}" if label else prefix.rstrip(": ")
        items.extend((label, message) for each in field_errors for message in each.messages)
    return items


def validation_errors(page):
    """What the page's own validation says of this version of it: [(field label,
    message)]. The model's validation (fields, `clean`, the slug among its siblings),
    each StreamField's blocks and each inline child (sessions, form fields…)."""
    errors = []
    try:
        page.full_clean(exclude=WAGTAIL_FIELDS)
    except ValidationError as error:
        errors += error_items(error, type(page))
    for model_field in type(page)._meta.get_fields():
        if isinstance(model_field, StreamField):
            try:
                model_field.stream_block.clean(getattr(page, model_field.name))
            except ValidationError as error:
                label = str(model_field.verbose_name)
                errors.extend((label, message) for message in block_messages(error))
    for relation in get_all_child_relations(type(page)):
        children = getattr(page, relation.get_accessor_name()).all()
        model = relation.related_model
        for number, child in enumerate(children, start=1):
            try:
                child.full_clean(exclude=[relation.field.name])
            except ValidationError as error:
                errors += error_items(error, model, f"{model._meta.verbose_name} {number}: ")
    return errors


def errors_text(errors):
    return "; ".join(f"«{label}»: {message}" if label else message for label, message in errors)


def block_messages(error):
    """The messages of a StreamField's validation error, each with the number (or
    the name) of the item it is about."""
    if not hasattr(error, "block_errors"):
        return error.messages
    messages = [m for e in error.non_block_errors.as_data() for m in e.messages]
    for key, child in error.block_errors.items():
        where = f"{key + 1}" if isinstance(key, int) else str(key)
        messages += [f"{where}: {message}" for message in block_messages(child)]
    return messages


def lock_reason(page, user):
    """Why the lock of an editor (the page's «Lock») keeps it from this user."""
    lock = page.get_lock()
    if not isinstance(lock, BasicLock):
        return None  # moderation and scheduling are told of on their own
    if user is not None and not lock.for_user(user):
        return None
    by = page.locked_by
    name = (by.get_full_name() or by.get_username()) if by else gettext("someone")
    return gettext("Locked by %(user)s: they unlock it, or a moderator does.") % {"user": name}


class EditionPublisher:
    """One run over the edition's tree, as `user` (None: no permission checks)."""

    def __init__(self, edition, user=None, act=True):
        self.edition = edition
        self.user = user
        self.act = act
        self.results = {}  # page path → PageResult

    def pages(self):
        return (
            Page.objects.descendant_of(self.edition, inclusive=True)
            .order_by("path")
            .select_related("locked_by", "latest_revision")
            .annotate_approved_schedule()
            .specific(defer=True)
            .prefetch_workflow_states()  # after specific(): the states of the specific type
        )

    def run(self):
        report = PublishReport(self.edition, done=self.act)
        with transaction.atomic():
            for page in self.pages():
                result = self.handle(page)
                self.results[page.path] = result
                report.results.append(result)
        return report

    def parent_status(self, page):
        """The parent's outcome in this run (pages come in tree order), or for the
        edition, whether its parent is live."""
        parent_result = self.results.get(page.path[: -page.steplen])
        if parent_result is not None:
            return parent_result.status, parent_result.page
        parent = page.get_parent()
        return (LIVE if parent.live else DRAFT), parent

    def handle(self, page):
        if page.live and not page.has_unpublished_changes:
            return PageResult(page, LIVE)
        if reason := lock_reason(page, self.user):
            return PageResult(page, DRAFT, reason)
        if page.workflow_in_progress:
            return PageResult(
                page,
                IN_MODERATION,
                gettext("Left as it is: it waits for «%(task)s».")
                % {"task": page.current_workflow_task or gettext("moderation")},
            )
        if page.approved_schedule:
            return self.scheduled(page, page.scheduled_revision.approved_go_live_at)
        may_publish = self.user is None or page.permissions_for_user(self.user).can_publish()
        workflow = None if may_publish else self.workflow_for(page)
        if not may_publish and workflow is None:
            return PageResult(page, DRAFT, gettext("You may not publish this page."))
        parent_status, parent = self.parent_status(page)
        if parent_status not in (PARENT_LIVE if may_publish else PARENT_ON_ITS_WAY):
            return PageResult(
                page,
                DRAFT,
                gettext("Its parent page «%(title)s» is not live.")
                % {"title": parent.get_admin_display_title()},
            )
        revision = page.latest_revision or (
            page.save_revision(user=self.user) if self.act else None
        )
        version = revision.as_object() if revision else page
        if errors := validation_errors(version):
            return PageResult(page, DRAFT, errors_text(errors))
        if may_publish:
            return self.publish(page, revision, version)
        return self.submit(page, workflow)

    def workflow_for(self, page):
        """The workflow this user submits the page to, if they may."""
        tester = page.permissions_for_user(self.user)
        if not tester.can_edit():
            return None
        if page.current_workflow_state is not None:  # waiting for changes
            return page.current_workflow_state.workflow
        return page.get_workflow()

    def scheduled(self, page, go_live_at):
        return PageResult(
            page,
            SCHEDULED,
            gettext("Left scheduled: it goes live on %(when)s.")
            % {"when": date_format(timezone.localtime(go_live_at), "DATETIME_FORMAT")},
        )

    def refused(self, page, action):
        """Run Wagtail's action in a savepoint; what it refuses leaves the page a draft
        (validation that saving runs again, or a workflow that publishes at once as a
        user who may not publish), and the run goes on."""
        try:
            with transaction.atomic():
                action()
        except ValidationError as error:
            errors = error_items(error, type(page))
            return PageResult(page, DRAFT, errors_text(errors))
        except PermissionDenied:
            return PageResult(page, DRAFT, gettext("You may not publish this page."))
        return None

    def publish(self, page, revision, version):
        if self.act and (refusal := self.refused(page, lambda: revision.publish(user=self.user))):
            return refusal
        go_live_at = version.go_live_at
        if go_live_at and go_live_at > timezone.now():
            return self.scheduled(page, go_live_at)
        return PageResult(page, PUBLISHED)

    def submit(self, page, workflow):
        def start():
            state = page.current_workflow_state
            if state is not None and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
                state.resume(self.user)
            else:
                workflow.start(page, self.user)

        if self.act and (refusal := self.refused(page, start)):
            return refusal
        return PageResult(
            page,
            SUBMITTED,
            gettext("Sent to «%(workflow)s»: it goes live when it is approved.")
            % {"workflow": workflow.name},
        )


def may_publish_edition(edition, user):
    """Whether `user` may publish the edition, or submit it for moderation."""
    tester = edition.permissions_for_user(user)
    return tester.can_publish() or (tester.can_edit() and edition.has_workflow)


def publish_edition(edition, user=None):
    """Publish the edition and every page under it that is ready, as `user` (None: no
    permission checks, for load_demo and the command line); a PublishReport."""
    return EditionPublisher(edition, user).run()


def plan_edition(edition, user=None):
    """What publish_edition would do, changing nothing."""
    return EditionPublisher(edition, user, act=False).run()
