"""The admin's own forms, named in the settings: the login form (a translated
password label) and the image upload form (the frame count in the pixel limit)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _
from PIL import Image as PILImage
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm
from wagtail.images.forms import BaseImageForm


class LoginForm(WagtailLoginForm):
    """Wagtail's admin login form with a translated password label: Wagtail 8.0 leaves
    the label to Django, which derives an untranslated «Password» from the field name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].label = _("Password")


class ImageForm(BaseImageForm):
    """Wagtail's image form, which also counts an animated image's frames: Wagtail
    8.0's pixel limit (width × height × frames) sees one frame in a GIF, so a GIF of
    hundreds of large frames would pass and be decoded frame by frame for renditions.
    Pillow counts the frames from their headers, without decoding them."""

    def clean_file(self):
        file = self.cleaned_data.get("file")
        if isinstance(file, UploadedFile):
            file.seek(0)
            try:
                with PILImage.open(file) as image:
                    width, height = image.size
                    frames = getattr(image, "n_frames", 1)
            except (OSError, PILImage.DecompressionBombError) as error:
                raise ValidationError(_("This image cannot be read.")) from error
            finally:
                file.seek(0)
            limit = settings.WAGTAILIMAGES_MAX_IMAGE_PIXELS
            if width * height * frames > limit:
                raise ValidationError(
                    _(
                        "This image has %(frames)s frames of %(width)s × %(height)s pixels: "
                        "more than %(limit)s pixels in all. Upload a smaller or shorter one."
                    )
                    % {"frames": frames, "width": width, "height": height, "limit": limit}
                )
        return file
