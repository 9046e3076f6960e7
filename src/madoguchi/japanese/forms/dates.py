"""Date fields in 和暦: one with a 元号 chooser and inputs for year, month and day, one
with a single text input that reads what residents type."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .. import wareki
from ..normalize import to_halfwidth_digits
from ..widgets import DATE_PART_LABELS, SEIREKI, WarekiDateInput, WarekiDateWidget

DateBound = dt.date | Callable[[], dt.date] | None


def _resolve(bound: DateBound) -> dt.date | None:
    return bound() if callable(bound) else bound


def _describe(day: dt.date) -> str:
    if day >= wareki.EARLIEST:
        return f"{wareki.format_wareki(day)}（{wareki.format_gregorian(day)}）"
    return wareki.format_gregorian(day)


def _wareki_error(error: wareki.WarekiError) -> ValidationError:
    return ValidationError(error.message, code=error.code)


class _DateRangeMixin:
    """`min_date` / `max_date` (a date or a callable such as `timezone.localdate`, for
    "not in the future"), with errors that say the limit in 和暦 and 西暦."""

    min_date: DateBound = None
    max_date: DateBound = None

    def check_range(self, value: dt.date) -> None:
        low, high = _resolve(self.min_date), _resolve(self.max_date)
        if low is not None and value < low:
            raise ValidationError(
                _("%(limit)s以降の日付を入力してください。"), code="min_date", params={"limit": _describe(low)}
            )
        if high is not None and value > high:
            raise ValidationError(
                _("%(limit)s以前の日付を入力してください。"), code="max_date", params={"limit": _describe(high)}
            )


class WarekiDateField(_DateRangeMixin, forms.MultiValueField):
    """A date picked as 元号 (or 西暦) + 年 + 月 + 日; cleaned to a `datetime.date`.

    ``WarekiDateField(label=_("生年月日"), eras=(TAISHO, SHOWA, HEISEI, REIWA),
    max_date=timezone.localdate)``. Every impossible date gets an error that says why
    and, where there is one, the right date (平成31年5月1日 → 令和元年5月1日)."""

    widget = WarekiDateWidget
    default_error_messages = {
        "incomplete": _("元号・年・月・日をすべて入力してください（未入力：%(missing)s）。"),
    }

    def __init__(
        self,
        *,
        eras: Iterable[wareki.Era] = wareki.ERAS,
        allow_seireki: bool = True,
        min_date: DateBound = None,
        max_date: DateBound = None,
        **kwargs: Any,
    ) -> None:
        self.eras = tuple(eras)
        self.allow_seireki = allow_seireki
        self.min_date, self.max_date = min_date, max_date
        choices = [(era.key, era.name) for era in self.eras]
        if allow_seireki:
            choices.append((SEIREKI, "西暦"))
        fields = (
            forms.ChoiceField(choices=choices, required=False),
            forms.CharField(max_length=4, required=False),
            forms.CharField(max_length=2, required=False),
            forms.CharField(max_length=2, required=False),
        )
        kwargs.setdefault("widget", WarekiDateWidget(eras=self.eras, allow_seireki=allow_seireki))
        kwargs.setdefault("help_text", _("例：令和6年4月1日。元年は1と入力してください。"))
        super().__init__(fields, require_all_fields=False, **kwargs)
        # The parts' own errors ("select a valid choice") would not say which part.
        for field in self.fields:
            field.error_messages["invalid_choice"] = _("元号を選んでください。")
            field.error_messages["max_length"] = _("日付の形式が正しくありません。")

    def compress(self, data_list: list[Any]) -> dt.date | None:
        if not data_list or all(part in self.empty_values for part in data_list):
            return None
        era, year, month, day = (list(data_list) + [None] * 4)[:4]
        names = DATE_PART_LABELS
        missing = [str(n) for n, part in zip(names, (era, year, month, day), strict=True) if part in self.empty_values]
        if missing:
            raise ValidationError(
                self.error_messages["incomplete"], code="incomplete", params={"missing": "、".join(missing)}
            )
        try:
            year_number = self._number(year, allow_gannen=era != SEIREKI)
            month_number, day_number = self._number(month), self._number(day)
            if era == SEIREKI:
                value = wareki.gregorian_date(year_number, month_number, day_number)
            else:
                value = wareki.from_wareki(era, year_number, month_number, day_number)
        except wareki.WarekiError as error:
            raise _wareki_error(error) from None
        self.check_range(value)
        return value

    @staticmethod
    def _number(text: Any, *, allow_gannen: bool = False) -> int:
        text = to_halfwidth_digits(str(text)).strip()
        if allow_gannen and text == "元":
            return 1
        if not (text.isascii() and text.isdigit()):
            raise wareki.WarekiError("format")
        return int(text)


class WarekiDateTextField(_DateRangeMixin, forms.Field):
    """A date typed in one input: 令和6年4月1日, R6.4.1, 令和元年５月１日, 2024-04-01 …
    (everything `wareki.parse_date` reads); shown back as 令和6年4月1日.
    `allow_seireki=False` accepts only 和暦."""

    widget = WarekiDateInput

    def __init__(
        self,
        *,
        allow_seireki: bool = True,
        min_date: DateBound = None,
        max_date: DateBound = None,
        **kwargs: Any,
    ) -> None:
        self.allow_seireki = allow_seireki
        self.min_date, self.max_date = min_date, max_date
        kwargs.setdefault("help_text", _("例：令和6年4月1日、R6.4.1、2024年4月1日"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return wareki.parse_date(str(value), allow_gregorian=self.allow_seireki)
        except wareki.WarekiError as error:
            raise _wareki_error(error) from None

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value is not None:
            self.check_range(value)
