"""The postal code field that fills the address fields of its form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.forms.boundfield import BoundField
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import autofill, postal
from ..widgets import PostalCodeInput

DEFAULT_AUTOFILL = {"prefecture": "prefecture", "city": "city"}


class PostalCodeBoundField(BoundField):
    """Adds the htmx lookup to the postal code input, with the description of the
    address inputs of the same form that the answer fills (see `autofill`)."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = dict[str, Any](super().build_widget_attrs(attrs, widget))
        field = self.field
        assert isinstance(field, PostalCodeField)
        if not field.autofill or not self.auto_id:
            return attrs
        targets = []
        for part, name in field.autofill.items():
            if name == self.name or name not in self.form.fields:
                continue
            target = autofill.target_for(self.form[name], part)
            if target is not None:
                targets.append(target)
        description = autofill.encode(self.html_name, f"{self.auto_id}_status", targets)
        attrs.update(
            {
                "hx-get": reverse("japanese:postal-code-lookup"),
                "hx-trigger": "input delay:400ms",
                "hx-include": f"#{self.auto_id}",
                "hx-swap": "none",
                "hx-sync": "this:replace",
                "hx-vals": json.dumps({"autofill": description}, ensure_ascii=False),
            }
        )
        return attrs


class PostalCodeField(forms.CharField):
    """郵便番号, cleaned to '309-1611' (full-width digits, 〒, no hyphen all accepted).

    `autofill` maps parts of the address to names of fields in the same form, by default
    ``{"prefecture": "prefecture", "city": "city"}``; parts are prefecture, city, town,
    city_town, address and their *_kana. With htmx on the page, typing a code fills
    those fields (text inputs) and says so in a role=status region; without it the
    resident types the address. `must_exist` (default True) refuses codes that Japan
    Post does not list."""

    widget = PostalCodeInput
    bound_field_class = PostalCodeBoundField
    default_error_messages = {
        "unknown": _("郵便番号%(code)sは見つかりませんでした。番号をお確かめください。"),
    }

    def __init__(
        self,
        *,
        autofill: Mapping[str, str] | None = None,
        must_exist: bool = True,
        **kwargs: Any,
    ) -> None:
        self.autofill = dict(DEFAULT_AUTOFILL if autofill is None else autofill)
        unknown = set(self.autofill) - set(postal.AUTOFILL_PARTS)
        if unknown:
            raise ImproperlyConfigured(f"PostalCodeField cannot fill {sorted(unknown)}")
        self.must_exist = must_exist
        kwargs.setdefault("max_length", 8)
        kwargs.setdefault("help_text", _("7桁の数字（例：309-1611）"))
        super().__init__(**kwargs)
        # The widget allows the 〒 and spaces that max_length would count.
        self.widget.attrs["maxlength"] = "10"

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        code = postal.normalize_postal_code(value)
        if code is None:
            raise ValidationError(_("郵便番号は7桁の数字で入力してください（例：309-1611）。"), code="format")
        return code

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value not in self.empty_values and self.must_exist and postal.lookup(value) is None:
            raise ValidationError(self.error_messages["unknown"], code="unknown", params={"code": value})
