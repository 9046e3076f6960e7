"""Widgets of the Japanese input fields.

They render with the project's form styles; their own small stylesheet and script come
through Django's form media, so a page that shows these fields puts ``{{ form.media }}``
in its ``extra_head`` block. Everything works without the script and without htmx: the
script only reveals helpers that need htmx (search pickers), and htmx only adds lookups.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import wareki

SEIREKI = "seireki"  # the 元号 chooser's value for a Gregorian year (西暦)

# Visible labels of the parts of a date; a context keeps 年/月/日 apart from other uses.
DATE_PART_LABELS = (
    pgettext_lazy("日付の入力欄", "元号"),
    pgettext_lazy("日付の入力欄", "年"),
    pgettext_lazy("日付の入力欄", "月"),
    pgettext_lazy("日付の入力欄", "日"),
)

_MEDIA = forms.Media(css={"all": ["japanese/japanese.css"]}, js=["japanese/japanese.js"])


def _numeric_input(size: int, maxlength: int) -> forms.TextInput:
    # Text, not type=number: number inputs drop leading zeros and full-width digits,
    # change on scroll, and are announced poorly; inputmode brings up the digit keypad.
    return forms.TextInput(
        attrs={"inputmode": "numeric", "size": str(size), "maxlength": str(maxlength), "autocomplete": "off"}
    )


def era_choices(eras: tuple[wareki.Era, ...], allow_seireki: bool) -> list[tuple[str, Any]]:
    """Newest era first (the most likely answer); 西暦 last."""
    choices: list[tuple[str, Any]] = [("", _("選択してください"))]
    choices += [(era.key, era.label) for era in sorted(eras, key=lambda e: e.start, reverse=True)]
    if allow_seireki:
        choices.append((SEIREKI, _("西暦")))
    return choices


class WarekiDateWidget(forms.MultiWidget):
    """元号 (or 西暦) + 年 + 月 + 日, each with its own visible label, in a fieldset whose
    legend is the field's label (Django's field template does that for MultiWidgets).
    The year accepts 元 for 元年; full-width digits are fine."""

    template_name = "japanese/widgets/wareki_date.html"
    use_fieldset = True

    def __init__(
        self,
        eras: tuple[wareki.Era, ...] = wareki.ERAS,
        allow_seireki: bool = True,
        attrs: dict[str, Any] | None = None,
    ) -> None:
        self.eras = eras
        self.allow_seireki = allow_seireki
        widgets: dict[str, forms.Widget | type[forms.Widget]] = {
            "era": forms.Select(choices=era_choices(eras, allow_seireki)),
            "year": _numeric_input(4, 4),
            "month": _numeric_input(2, 2),
            "day": _numeric_input(2, 2),
        }
        super().__init__(widgets, attrs)

    @property
    def media(self) -> forms.Media:
        return _MEDIA

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dt.date):
            era = wareki.era_of(value)
            if era is not None and era in self.eras:
                return [era.key, wareki.to_wareki(value).year, value.month, value.day]
            if self.allow_seireki:
                return [SEIREKI, value.year, value.month, value.day]
        return [None, None, None, None]

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        labels = DATE_PART_LABELS
        for subwidget, label in zip(context["widget"]["subwidgets"], labels, strict=True):
            subwidget["label"] = label
        return context


class WarekiDateInput(forms.TextInput):
    """One text input that shows a date as 令和6年4月1日 and takes any form
    `wareki.parse_date` reads."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, dt.date) and value >= wareki.EARLIEST:
            return wareki.format_wareki(value)
        if isinstance(value, dt.date):
            return value.isoformat()
        return super().format_value(value)


@dataclass(frozen=True)
class Picker:
    """A search that helps to find a code by name (a bank, a branch): shown under the
    input once htmx is on the page, hidden without it."""

    summary: str | Promise  # 金融機関を名前で探す
    label: str | Promise  # 金融機関名またはカナ
    url: str
    vals: str  # hx-vals of the search input
    include: str = ""  # hx-include of the search input


class LookupInput(forms.TextInput):
    """A text input in a wrapper that carries the htmx lookup, followed by a role=status
    region that the lookup writes into, and optionally a `Picker`.

    The hx-* attributes given to the widget go on the wrapper, not on the input: the input
    may be replaced by an out-of-band swap (a picker fills it), and the lookup must
    survive that. The input events of the input bubble to the wrapper."""

    template_name = "japanese/widgets/lookup_input.html"

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        # The bound field may know what the current value stands for (a bank's name):
        # shown in the status region from the start, also without JavaScript.
        status = attrs.pop("data-lookup-status", "")
        picker = attrs.pop("data-picker", None)
        lookup = {key: attrs.pop(key) for key in list(attrs) if key.startswith("hx-")}
        context = super().get_context(name, value, attrs)
        context["widget"].update({"status": status, "picker": picker, "lookup_attrs": lookup})
        return context

    @property
    def media(self) -> forms.Media:
        return _MEDIA


class PostalCodeInput(LookupInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "class": "japanese-code",
                "inputmode": "numeric",
                "autocomplete": "postal-code",
                "size": "10",
                "maxlength": "10",
                **(attrs or {}),
            }
        )


class TelephoneInput(forms.TextInput):
    input_type = "tel"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "tel", **(attrs or {})})
