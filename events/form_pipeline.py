"""What happens to a request to a public participation form, top to bottom:

1. the thank-you page, which a successful POST sends the browser to;
2. the window: a form before it opens or after it closes only says so;
3. the rate limit on POSTs per client address;
4. the form: Wagtail's form builder form, with consent, a trap field and a started token;
5. the bot check;
6. the store, under each form's rules (one registration per e-mail, the capacity and
   the waiting list, the attachment), once per rendered form;
7. the mails: the press office's copy and the person's confirmation, queued in the
   submission's transaction;
8. the answer: a 303 to the thank-you page, or the form again with what to put right.

The form pages (events/models/form_pages.py) keep what Wagtail's FormMixin asks of
them and hand each step to the function here: `serve` steps 1–3 (Wagtail's serve goes
straight to the form), `get_form` step 4, `process_form_submission` steps 5–7 and
`render_landing_page` step 8. The rules are listed in one place in docs/forms.md.

This module imports no model: it works on the page and the submission it is given."""

from django.db import IntegrityError, transaction
from django.http import HttpResponseRedirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from events.forms import normalise_email, started_token
from events.mail import CONFIRMATION, PRESS_COPY, queue_mail
from events.ratelimit import too_many_posts
from home.site_url import absolute_url

THANKS_PARAMETER = "thanks"
STATUS_SESSION_KEY = "form_status"
RESENT_WITH_OTHER_ANSWERS = _(
    "This form was already sent, with other answers. Check your answers and send it "
    "again to send them as a new form."
)
ALREADY_REGISTERED = _("This e-mail is already registered for this edition.")


class FormRejected(Exception):
    """A valid form that the page's rules turn down, with the message for one field."""

    def __init__(self, field, message):
        super().__init__(message)
        self.field = field
        self.message = message


class AlreadySent(Exception):
    """The same rendered form (its token) was stored before: a retry, with the earlier
    submission."""

    def __init__(self, submission):
        super().__init__(submission.pk)
        self.submission = submission


class ShowAgain(Exception):
    """A valid form that is shown again with an error to put right (rejected by the
    rules, or sent again with other answers): out of Wagtail's serve, which answers
    every valid form with its landing page."""

    def __init__(self, form):
        super().__init__()
        self.form = form


# 1. The thank-you page, and the steps before the form


def before_the_form(page, request):
    """The answer to a request that never reaches the form, or None: the thank-you
    page, a form outside its window, a client over the rate limit."""
    if request.method == "GET" and THANKS_PARAMETER in request.GET:
        # The status (registered, waiting) of what this browser just sent, shown once.
        return thank_you_page(page, request, request.session.pop(STATUS_SESSION_KEY, None))
    state = page.window_state()
    if state != "open":
        return outside_the_window(page, request, state)
    if request.method == "POST" and too_many_posts(request, scope=f"form-{page.pk}"):
        return TemplateResponse(
            request, "pages/too_many_requests.html", page.get_context(request), status=429
        )
    return None


def thank_you_page(page, request, status):
    """The landing page, with the status of the submission (None when unknown)."""
    context = page.get_context(request)
    context["status"] = status
    return TemplateResponse(request, page.get_landing_page_template(request), context)


# 2. The window


def outside_the_window(page, request, state):
    """A form that is not open yet, or closed (page.window_state, which goes by
    page.closing_moment), says so to a GET and a POST alike, and stores and sends
    nothing; a closed one points to the same form of a newer edition (page.newer_form)."""
    context = page.get_context(request)
    context["window_state"] = state
    if state == "closed":
        context["newer_form"] = page.newer_form()
    return TemplateResponse(request, page.get_template(request), context)


# 3. The rate limit: events/ratelimit.py's too_many_posts, in before_the_form.


# 4. The form


def form_kwargs(args, kwargs):
    """The arguments of page.get_form: a form to fill in (no data) gets a started token
    of its own, the time it was shown and a random part (events.forms.started_token)."""
    if not args and "data" not in kwargs:
        kwargs.setdefault("initial", {"started": started_token()})
    return kwargs


def form_page(page, request, form):
    """The form's page with this form: to fill in, or again with its errors."""
    context = page.get_context(request)
    context["form"] = form
    return TemplateResponse(request, page.get_template(request), context)


# 5.–7. A valid form: the bot check, the store, the mails


def accept(page, request, form):
    """What becomes of a valid form (page.process_form_submission): None for a bot's,
    else the submission it is answered with, stored with its mails in one transaction,
    or the earlier one when this very form was stored before with the same answers.
    Raises ShowAgain when the rules refuse it, or when it was sent before with other
    answers (then it is shown with a fresh token, to be sent as a new form)."""
    if form.looks_automated():
        return None  # what looks like success to a bot, and nothing stored
    try:
        with transaction.atomic():
            submission = page.store(form)
            queue_mails(page, request, submission)
    except FormRejected as rejection:
        form.add_error(rejection.field, rejection.message)
        raise ShowAgain(form) from None
    except AlreadySent as retry:
        # Sent again (after an error page, a lost connection): answered as the first
        # time, nothing stored or mailed twice.
        if retry.submission.has_answers(submission_values(page, form)):
            return retry.submission
        form.add_error(None, RESENT_WITH_OTHER_ANSWERS)
        form.show_again_with_a_new_token()
        raise ShowAgain(form) from None
    return submission


# 6. The store


def email_field_name(page):
    """The first e-mail field the press office added: the person's address."""
    for field in page.get_form_fields():
        if field.field_type == "email":
            return field.clean_name
    return None


def submission_values(page, form):
    """The columns of a new submission for a valid form. The address is in its plain
    spelling, which the one-registration-per-e-mail rule compares."""
    email_field = email_field_name(page)
    email = form.cleaned_data.get(email_field) if email_field else ""
    return {
        "page": page,
        "form_data": form.submitted_data(),
        "email": normalise_email(email) if email else "",
        "consent_text": str(form.fields["consent"].label),
        "consented_at": timezone.now(),
        "form_token": form.form_token(),
    }


def store(page, form):
    """A form with no rules of its own: its submission, once per rendered form."""
    return store_submission(page, submission_values(page, form))


def store_registration(page, form):
    """A registration: one per e-mail and edition (FormRejected next to the e-mail
    field), registered or on the waiting list against the page's capacity."""
    values = submission_values(page, form)
    status = page.get_submission_class().Status
    already = FormRejected(email_field_name(page), ALREADY_REGISTERED)
    try:
        with transaction.atomic():
            # Lock the form page so that simultaneous registrations are counted one
            # after another against the capacity.
            type(page).objects.select_for_update().filter(pk=page.pk).first()
            # A retry of a stored registration is not a second one with its address.
            if earlier := page.earlier_submission(values):
                raise AlreadySent(earlier)
            submissions = page.get_submissions()
            if values["email"] and submissions.filter(email=values["email"]).exists():
                raise already
            full = (
                page.capacity is not None
                and submissions.filter(status=status.REGISTERED).count() >= page.capacity
            )
            return store_submission(
                page, values, status=status.WAITING if full else status.REGISTERED
            )
    except IntegrityError as error:
        raise already from error


def store_project(page, form):
    """A project questionnaire, with its attachment when it has one: stored through
    the private storage under a random name (events/attachments.py)."""
    values = submission_values(page, form)
    attachment = form.cleaned_data.get("attachment")
    if attachment:
        values.update(
            attachment=attachment,
            attachment_name=attachment.name[:255],
            attachment_type=attachment.content_type,
        )
    return store_submission(page, values)


def store_submission(page, values, **extra):
    """Create the submission once per rendered form: a retry raises AlreadySent,
    before storing or, when a simultaneous retry stored it first, at the database's
    constraint (leaving no file of its own behind)."""
    if earlier := page.earlier_submission(values):
        raise AlreadySent(earlier)
    submission = page.get_submission_class()(**values, **extra)
    try:
        with transaction.atomic():
            submission.save()
    except IntegrityError:
        submission.discard_files()
        if earlier := page.earlier_submission(values):
            raise AlreadySent(earlier) from None
        raise
    return submission


def earlier_submission(page, values):
    """The submission stored from the same rendered form, if any."""
    if not values["form_token"]:
        return None
    return page.get_submissions().filter(form_token=values["form_token"]).first()


# 7. The mails


def queue_mails(page, request, submission):
    """The press office's copy and the person's confirmation of a submission just
    stored: call it in the submission's transaction, so that both are kept or neither
    is. Queued, never sent while the visitor waits (events/mail.py): a mail server that
    is slow or down holds no web worker and loses no submission or mail."""
    if page.to_address:
        queue_press_copy(page, request, submission)
    page.send_confirmation(request, submission)


def answers(page, submission):
    """(label, value) of everything the submission holds, for people to read."""
    data = submission.get_data()
    rows = []
    for name, label in page.get_data_fields():
        value = data.get(name)
        rows.append((label, ", ".join(value) if isinstance(value, list) else value))
    return rows


def queue_press_copy(page, request, submission):
    """The press office's copy, to the page's `to_address` (Wagtail's field): every
    answer and a link to the submissions."""
    addresses = [address.strip() for address in page.to_address.split(",")]
    addresses = [address for address in addresses if address]
    if not addresses:
        return
    context = {
        "answers": answers(page, submission),
        "submissions_url": absolute_url(
            reverse("wagtailforms:list_submissions", args=[page.pk]), request
        ),
    }
    queue_mail(
        PRESS_COPY,
        submission,
        subject=page.subject,
        body=render_to_string("emails/submission_notification.txt", context),
        to=addresses,
        from_email=page.from_address,
    )


def queue_confirmation(page, request, submission):
    """The person's own confirmation, in Ukrainian, with the edition's dates, venue
    and calendar feed, in the form's words (page.confirmation_templates)."""
    if not submission.email or not page.confirmation_templates:
        return
    edition = page.edition
    context = {
        "page": page,
        "edition": edition,
        "submission": submission,
        "venue": edition.main_venue,
        "edition_url": absolute_url(edition.get_url(request), request),
        "calendar_url": absolute_url(edition.feed_url("calendar", request), request),
    }
    subject, body = page.confirmation_templates
    queue_mail(
        CONFIRMATION,
        submission,
        # One line, as a header must be (the templates render without escaping).
        subject=" ".join(render_to_string(subject, context).split()),
        body=render_to_string(body, context),
        to=[submission.email],
        from_email=page.from_address,
    )


# 8. The answer


def redirect_to_thanks(page, request, submission):
    """A 303 to the thank-you page (page.render_landing_page), which the browser shows
    with a GET, so that a refresh never sends the form again. The submission's status
    goes with it in the session; a bot's form (no submission) gets the same 303."""
    if submission is not None:
        request.session[STATUS_SESSION_KEY] = submission.status
    return HttpResponseRedirect(f"{page.url}?{THANKS_PARAMETER}", status=303)
