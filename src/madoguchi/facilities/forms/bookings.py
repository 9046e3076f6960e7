"""Forms of the residents' booking pages: booking a slot, changing a booking's details,
moving it to another slot, and the confirmations of paying and cancelling.

Every form that makes something carries a hidden `request_key` (a UUID given with the
page): the same form sent twice is one booking (`bookings.book` returns the first)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import FeeExtra, Registration, Slot, Unit


def new_request_key() -> str:
    return uuid.uuid4().hex


class RequestKeyField(forms.CharField):
    """The hidden submission key; a page without a valid one is asked to be reloaded."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(widget=forms.HiddenInput, max_length=64, **kwargs)

    def clean(self, value: Any) -> str:
        value = super().clean(value)
        try:
            return uuid.UUID(str(value)).hex
        except ValueError:
            raise forms.ValidationError(
                _("画面を読み込み直してから、もう一度お試しください。"), code="request_key"
            ) from None


def _extra_choices(extras: Sequence[FeeExtra]) -> list[tuple[int, str]]:
    return [
        (extra.pk, _("%(name)s（%(amount)s円）") % {"name": extra.name, "amount": intcomma(extra.amount)})
        for extra in extras
    ]


class DetailsMixin(forms.Form):
    """利用目的, 利用人数 and 付帯設備, shared by booking and changing."""

    purpose = forms.CharField(
        label=_("利用目的"),
        max_length=200,
        help_text=_("例: バドミントンの練習、地区の会議"),
    )
    attendees = forms.IntegerField(label=_("利用人数"), min_value=1)
    extras = forms.TypedMultipleChoiceField(
        label=_("付帯設備"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("使う設備を選んでください。料金は利用区分ごとにかかります。"),
    )

    def setup_details(self, unit: Unit, extras: Sequence[FeeExtra]) -> None:
        attendees = self.fields["attendees"]
        assert isinstance(attendees, forms.IntegerField)
        if unit.capacity:
            attendees.max_value = unit.capacity
            attendees.widget.attrs["max"] = unit.capacity
            attendees.validators.append(
                MaxValueValidator(
                    unit.capacity,
                    message=_("利用人数が定員（%(limit_value)s人）を超えています。"),
                )
            )
            attendees.help_text = _("定員は%(capacity)s人です。") % {"capacity": unit.capacity}
        attendees.widget.attrs["inputmode"] = "numeric"
        if extras:
            self.fields["extras"].choices = _extra_choices(extras)  # type: ignore[attr-defined]
        else:
            del self.fields["extras"]


class BookForm(DetailsMixin):
    """予約の申込: which registration books, and the details."""

    registration = forms.TypedChoiceField(label=_("利用者登録"), coerce=int, widget=forms.RadioSelect)
    request_key = RequestKeyField()
    field_order = ["registration", "purpose", "attendees", "extras"]

    def __init__(
        self, *args: Any, unit: Unit, registrations: Sequence[Registration], extras: Sequence[FeeExtra], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        self.registrations = {registration.pk: registration for registration in registrations}
        self.fields["registration"].choices = [  # type: ignore[attr-defined]
            (registration.pk, f"{registration.name}（{registration.card_number}）") for registration in registrations
        ]
        if len(registrations) == 1:
            self.fields["registration"].initial = registrations[0].pk
        self.setup_details(unit, extras)

    def chosen_registration(self) -> Registration:
        return self.registrations[self.cleaned_data["registration"]]


class ChangeForm(DetailsMixin):
    """予約内容の変更 (the same slot)."""

    def __init__(self, *args: Any, unit: Unit, extras: Sequence[FeeExtra], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setup_details(unit, extras)


class MoveForm(forms.Form):
    """日時の変更: another unit, day and slot of the same facility."""

    unit = forms.TypedChoiceField(label=_("利用単位"), coerce=int)
    day = forms.DateField(
        label=_("利用日"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("例: 2027-01-15"),
    )
    slot = forms.TypedChoiceField(label=_("利用区分"), coerce=int)
    request_key = RequestKeyField()

    def __init__(self, *args: Any, units: Sequence[Unit], slots: Sequence[Slot], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {unit.pk: unit for unit in units}
        self.slots = {slot.pk: slot for slot in slots}
        self.fields["unit"].choices = [(unit.pk, unit.name) for unit in units]  # type: ignore[attr-defined]
        self.fields["slot"].choices = [(slot.pk, slot.label) for slot in slots]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, slot = self.units.get(data.get("unit", 0)), self.slots.get(data.get("slot", 0))
        if unit is not None and slot is not None and slot.pattern_id != unit.slot_pattern_id:
            self.add_error("slot", _("この利用単位にはない利用区分です。"))
        day = data.get("day")
        if isinstance(day, dt.date) and day < timezone.localdate():
            self.add_error("day", _("今日以降の日付を入力してください。"))
        return data


class ConfirmForm(forms.Form):
    """A confirmation (pay, cancel): only the CSRF token; the action is idempotent."""
