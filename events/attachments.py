"""What a project questionnaire may carry: one document or image, recognised by what is
in the file, never by its name, and kept where no public address reaches it.

No dependency needed: PDF and Word 97 files start with fixed signatures, DOCX and ODT
are ZIP archives whose member names say what they hold (the standard library reads
them), and images are what Pillow (already here for Wagtail) can open and verify."""

import zipfile

from django import forms
from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from PIL import Image

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ODT = "application/vnd.oasis.opendocument.text"
# The accepted types and the extension a stored file gets for each.
EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/msword": ".doc",
    DOCX: ".docx",
    ODT: ".odt",
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# A Word 97 file is an OLE2 compound file with a stream of this name (UTF-16 in the
# directory); Excel and PowerPoint files share the container but not the stream.
WORD_STREAM = "WordDocument".encode("utf-16-le")


class PrivateFileSystemStorage(FileSystemStorage):
    """Files with no public address at all: the staff download them through the admin."""

    def url(self, name):
        raise NotImplementedError("A private file has no public URL.")


def private_storage():
    """Where attachments are kept: the "private" storage of settings.STORAGES, a
    folder outside MEDIA_ROOT (or a private bucket), which the web server never serves."""
    return storages["private"]


def _zip_type(file):
    try:
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "word/document.xml" in names and "[Content_Types].xml" in names:
                return DOCX
            if (
                "mimetype" in names
                and archive.getinfo("mimetype").file_size < 100
                and archive.read("mimetype").strip() == ODT.encode()
            ):
                return ODT
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        pass
    return None


def _image_type(file):
    try:
        with Image.open(file) as image:
            image.verify()
            content_type = Image.MIME.get(image.format)
    except Exception:  # Pillow raises many kinds for a file it cannot read
        return None
    return content_type if content_type in EXTENSIONS else None


def detect_type(file):
    """The accepted content type of the file, or None: read from the content only."""
    file.seek(0)
    head = file.read(8)
    file.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return "application/pdf"
        if head == OLE2_SIGNATURE:
            return "application/msword" if WORD_STREAM in file.read() else None
        if head.startswith(b"PK\x03\x04"):
            return _zip_type(file)
        return _image_type(file)
    finally:
        file.seek(0)


class AttachmentField(forms.FileField):
    """An optional document or image, at most ATTACHMENT_MAX_BYTES, of an accepted
    type by content. The detected type is kept on the file as `content_type`."""

    widget = forms.ClearableFileInput(
        attrs={"accept": ".pdf,.doc,.docx,.odt,.jpg,.jpeg,.png,.gif,.webp"}
    )
    default_error_messages = {
        "type": _(
            "Attach a document (PDF, DOC, DOCX or ODT) or an image (JPEG, PNG, GIF or "
            "WebP). This file is none of them."
        ),
        "size": _("The file is too large: %(size)s. At most %(limit)s."),
    }

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if not file:
            return file
        limit = settings.ATTACHMENT_MAX_BYTES
        if file.size > limit:
            raise forms.ValidationError(
                self.error_messages["size"],
                code="size",
                params={"size": filesizeformat(file.size), "limit": filesizeformat(limit)},
            )
        content_type = detect_type(file)
        if content_type is None:
            raise forms.ValidationError(self.error_messages["type"], code="type")
        file.content_type = content_type
        return file
