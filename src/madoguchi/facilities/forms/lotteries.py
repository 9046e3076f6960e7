"""The lottery entry form (抽選の申込) and the staff's round and priority booking forms.
Choices come from the round: its units, the open days of its month and each unit's
slots; whether the slot is one of the unit's is checked again by the service."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from ..models import Facility, LotteryRound, Registration, Slot, Unit
from ..services import calendar
from ..services import lotteries as service


def day_label(day: dt.date) -> str:
    return f"{formats.date_format(day, 'Y-m-d')} ({formats.date_format(day, 'D')})"


def open_days(lottery: LotteryRound) -> list[dt.date]:
    """The days of the round's month the facility opens (regular closed days left out)."""
    return [
        day for day in service.month_days(lottery.month) if not calendar.regular_closed_reason(lottery.facility, day)
    ]


class EntryForm(forms.Form):
    """申込: the registration, and the wish (unit, day, slot) with purpose and attendees."""

    registration = forms.TypedChoiceField(label=_("申し込む利用者登録"), coerce=int)
    unit = forms.TypedChoiceField(label=_("利用単位"), coerce=int)
    day = forms.TypedChoiceField(label=_("利用日"), coerce=dt.date.fromisoformat, help_text=_("休館日は選べません。"))
    slot = forms.TypedChoiceField(label=_("利用区分（時間）"), coerce=int)
    purpose = forms.CharField(
        label=_("利用目的"), max_length=200, required=False, help_text=_("例: バドミントンの練習")
    )
    attendees = forms.IntegerField(label=_("利用人数"), min_value=1, max_value=10000, required=False)

    def __init__(
        self, *args: Any, lottery: LotteryRound, registrations: list[Registration], units: list[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.lottery = lottery
        self.units = {unit.pk: unit for unit in units}
        self.slots: dict[int, Slot] = {slot.pk: slot for unit in units for slot in calendar.slots_of(unit)}
        self.registrations = {r.pk: r for r in registrations}
        fields: Any = self.fields
        fields["registration"].choices = [
            (r.pk, f"{r.name}（{r.get_kind_display()}・{r.card_number}）") for r in registrations
        ]
        if len(registrations) == 1:
            fields["registration"].initial = registrations[0].pk
        fields["unit"].choices = [
            (u.pk, f"{u.name}" + (f"（{_('定員')} {u.capacity}）" if u.capacity else "")) for u in units
        ]
        fields["day"].choices = [(day.isoformat(), day_label(day)) for day in open_days(lottery)]
        patterns = {slot.pattern_id for slot in self.slots.values()}
        fields["slot"].choices = [
            (slot.pk, slot.label if len(patterns) == 1 else f"{slot.label}（{slot.pattern.name}）")
            for slot in sorted(self.slots.values(), key=lambda s: (s.pattern_id, s.starts_at))
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit = self.units.get(data.get("unit") or 0)
        slot = self.slots.get(data.get("slot") or 0)
        if unit is not None and slot is not None and slot.pattern_id != unit.slot_pattern_id:
            self.add_error("slot", _("この利用単位にはない時間区分です。"))
        attendees = data.get("attendees")
        if unit is not None and attendees and unit.capacity and attendees > unit.capacity:
            self.add_error(
                "attendees", _("利用人数は定員（%(capacity)d人）以内にしてください。") % {"capacity": unit.capacity}
            )
        return data

    def wish(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "registration": self.registrations[data["registration"]],
            "unit": self.units[data["unit"]],
            "day": data["day"],
            "slot": self.slots[data["slot"]],
            "purpose": data.get("purpose") or "",
            "attendees": data.get("attendees"),
        }


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class RoundForm(forms.Form):
    """抽選の作成 (staff)."""

    facility = forms.ModelChoiceField(label=_("施設"), queryset=Facility.objects.none())
    month = forms.DateField(
        label=_("対象月"), widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"), input_formats=["%Y-%m"]
    )
    units = forms.ModelMultipleChoiceField(
        label=_("対象の利用単位"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばないときは施設のすべての利用単位が対象です。"),
    )
    entry_opens_at = forms.DateTimeField(label=_("申込開始"), widget=LocalDateTimeInput())
    entry_closes_at = forms.DateTimeField(label=_("申込締切"), widget=LocalDateTimeInput())
    draw_at = forms.DateTimeField(label=_("抽選日時"), widget=LocalDateTimeInput())
    confirm_until = forms.DateTimeField(label=_("当選の確定期限"), widget=LocalDateTimeInput())
    max_wins_per_registration = forms.IntegerField(
        label=_("1登録あたりの当選上限"), min_value=0, max_value=100, initial=0, help_text=_("0 は上限なし。")
    )

    def __init__(self, *args: Any, municipality: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["facility"].queryset = Facility.objects.filter(municipality=municipality).order_by("sort_order", "slug")
        fields["units"].queryset = (
            Unit.objects.filter(municipality=municipality).select_related("facility").order_by("facility", "sort_order")
        )
        fields["units"].label_from_instance = lambda unit: f"{unit.facility.name} {unit.name}"

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        facility = data.get("facility")
        units = data.get("units") or []
        if facility is not None and any(unit.facility_id != facility.pk for unit in units):
            self.add_error("units", _("ほかの施設の利用単位は選べません。"))
        return data


class PriorityForm(forms.Form):
    """優先予約 (staff): the municipality's own use of a slot before the draw."""

    unit = forms.TypedChoiceField(label=_("利用単位"), coerce=int)
    day = forms.DateField(label=_("利用日"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    slot = forms.TypedChoiceField(label=_("利用区分（時間）"), coerce=int)
    holder_name = forms.CharField(label=_("利用者名（行事名）"), max_length=120, help_text=_("例: 市民運動会"))
    purpose = forms.CharField(label=_("利用目的"), max_length=200, required=False)

    def __init__(self, *args: Any, lottery: LotteryRound, units: list[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lottery = lottery
        self.units = {unit.pk: unit for unit in units}
        self.slots = {slot.pk: slot for unit in units for slot in calendar.slots_of(unit)}
        fields: Any = self.fields
        fields["unit"].choices = [(u.pk, u.name) for u in units]
        fields["slot"].choices = [(s.pk, s.label) for s in sorted(self.slots.values(), key=lambda s: s.starts_at)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("day")
        if day is not None and day.replace(day=1) != self.lottery.month:
            self.add_error("day", _("利用日は抽選の対象月の日を選んでください。"))
        unit = self.units.get(data.get("unit") or 0)
        slot = self.slots.get(data.get("slot") or 0)
        if unit is not None and slot is not None and slot.pattern_id != unit.slot_pattern_id:
            self.add_error("slot", _("この利用単位にはない時間区分です。"))
        return data


def aware(value: dt.datetime) -> dt.datetime:
    return value if timezone.is_aware(value) else timezone.make_aware(value)
