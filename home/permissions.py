"""Who may destroy what. Deleting a form page deletes its submissions and their private
attachments with it, and deleting any page above it does the same; so a page that holds
submissions (it, or a page below it, is a form with at least one) is deleted only by
those who may publish it: the moderators («Модератори») and superusers. Editors
(«Редактори») still delete their own drafts that hold none.

Wagtail asks one object whether a user may delete a page: the `PagePermissionTester`
that `Page.permissions_for_user()` returns. The delete view, the bulk delete action, the
«⋯» menus (the delete item is hidden) and `DeletePageAction` (used by API v3's DELETE)
all ask it, so the rule lives there, once."""

from django.utils.translation import gettext_lazy as _
from wagtail.contrib.forms.utils import get_form_types
from wagtail.models import Page, PagePermissionTester

REFUSAL = _(
    "Only moderators may delete this page: it or a page under it is a form with "
    "submissions, and deleting it would delete them and their attachments."
)


def holds_submissions(page):
    """Whether the page, or a page below it, is a form with at least one submission."""
    forms = Page.objects.descendant_of(page, inclusive=True).filter(
        content_type__in=get_form_types()
    )
    return any(form.get_submissions().exists() for form in forms.specific())


class ModeratedDeletionTester(PagePermissionTester):
    """Wagtail's tester, with deletion of submissions reserved for moderators."""

    def deletion_reserved_for_moderators(self):
        """Whether this user may not delete the page because it holds submissions."""
        return not self.can_publish() and holds_submissions(self.page)

    def can_delete(self, ignore_bulk=False):
        return super().can_delete(ignore_bulk) and not self.deletion_reserved_for_moderators()

    def can_move(self):
        # Moving keeps the submissions: Wagtail's own rule for it (which is its
        # deletion rule) stays as it was.
        return super().can_delete(ignore_bulk=True)


class ModeratedDeletionMixin:
    """For every page type that is, or may contain, a form page. Wagtail casts a page to
    its specific type before asking when the type overrides `permissions_for_user`."""

    def permissions_for_user(self, user):
        return ModeratedDeletionTester(user, self)
