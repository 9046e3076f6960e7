"""Images of the website need a text alternative (代替テキスト).

Wagtail's image `description` is the image's alt text wherever the image is shown
without one of its own (the listing/SNS image, images in StreamFields). Every image
uploaded to the staff console must have it: `WAGTAILIMAGES_IMAGE_FORM_BASE` in settings
points here, so the upload form, the edit form, the chooser's upload form and the
multiple uploader's edit form all require it. (Rich text images ask for their own alt
text when inserted.)"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from wagtail.images.forms import BaseImageForm


class AltTextRequiredImageForm(BaseImageForm):
    """Wagtail's image form with the description (alt text) required and explained."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields.get("description")
        if field is not None:
            field.required = True
            field.label = _("代替テキスト")
            field.help_text = _(
                "画像が見えない人に伝える内容を書いてください（読み上げソフトが読みます）。例：「笠間稲荷神社の楼門」"
            )
            field.error_messages["required"] = _("代替テキストを入力してください。画像の内容を短く書きます。")
