"""The availability search form (空き状況の検索) of the catalog part, used on the facility
list, the search page and the deployment-wide search. A GET form: it works without
JavaScript and the results have an address that can be bookmarked or shared."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import FacilityKind, TimeOfDay
from ..services.search import MAX_SEARCH_DAYS


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class AvailabilitySearchForm(forms.Form):
    """利用日の範囲 (at most MAX_SEARCH_DAYS days, from today), 種類, 地区, 時間帯, 人数."""

    start = forms.DateField(
        label=_("利用日（から）"), widget=DateInput(), help_text=_("例: 2026-12-01"), input_formats=["%Y-%m-%d"]
    )
    end = forms.DateField(
        label=_("利用日（まで）"),
        widget=DateInput(),
        help_text=_("最長31日間まで探せます。"),
        input_formats=["%Y-%m-%d"],
    )
    kind = forms.ChoiceField(label=_("施設の種類"), required=False)
    area = forms.ChoiceField(label=_("地区"), required=False)
    time_of_day = forms.MultipleChoiceField(
        label=_("時間帯"),
        required=False,
        choices=TimeOfDay.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("選ばなければすべての時間帯から探します。"),
    )
    min_capacity = forms.IntegerField(
        label=_("利用人数"),
        required=False,
        min_value=1,
        max_value=10000,
        help_text=_("この人数以上が入れる場所だけを探します。"),
    )

    def __init__(self, *args: Any, areas: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kind_field: forms.ChoiceField = self.fields["kind"]  # type: ignore[assignment]
        kind_field.choices = [("", _("すべての種類")), *FacilityKind.choices]
        if areas is None:
            # The deployment-wide search: the 地区 of one municipality mean nothing in another.
            del self.fields["area"]
        else:
            area_field: forms.ChoiceField = self.fields["area"]  # type: ignore[assignment]
            area_field.choices = [("", _("すべての地区")), *areas]

    @staticmethod
    def default_range(today: dt.date | None = None) -> dict[str, str]:
        """A week from today, the initial search."""
        today = today or timezone.localdate()
        return {"start": today.isoformat(), "end": (today + dt.timedelta(days=6)).isoformat()}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        today = timezone.localdate()
        if start and start < today:
            self.add_error("start", _("今日以降の日付を入力してください。"))
        if start and end:
            if end < start:
                self.add_error("end", _("終わりの日は始めの日と同じかそれより後にしてください。"))
            elif (end - start).days + 1 > MAX_SEARCH_DAYS:
                self.add_error("end", _("一度に探せるのは31日間までです。期間を短くしてください。"))
        return data
