"""Usage fees (使用料): what one slot of a unit costs on a day, for a resident or not, with
the extras (照明 …) chosen.

The fee table is `FeeRule`: a rule for the slot wins over the unit's rule without a slot
(the unit's default). Saturdays, Sundays and national holidays are 土日祝
(`calendar.day_kind`). Extras are charged per slot; a `night_only` extra (照明) can only
be added to a night slot. The quote's lines keep each label in Japanese and English,
because they are stored on the booking (`Booking.fee_breakdown`) and shown later in the
reader's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import override

from ..models import DayKind, FeeExtra, FeeRule, Residency, Slot, TimeOfDay, Unit
from . import calendar
from .occupancy import BookingError


@dataclass(frozen=True)
class FeeQuote:
    """The fee of one booking: `amount` in yen and the lines it is made of, each a dict
    with kind ("use" or "extra"), code, label_ja, label_en and amount."""

    amount: int
    lines: list[dict[str, Any]] = field(default_factory=list)
    day_kind: str = DayKind.WEEKDAY
    residency: str = Residency.RESIDENT


def line_label(line: dict[str, Any]) -> str:
    """A stored line's label in the current language."""
    from ..models import in_language

    return in_language(str(line.get("label_ja", "")), str(line.get("label_en", "")))


def available_extras(unit: Unit, slot: Slot) -> list[FeeExtra]:
    """The extras that can be added to this unit in this slot (the facility's extras for
    every unit or for this one; night-only ones only at night)."""
    extras = FeeExtra.objects.filter(facility_id=unit.facility_id).filter(Q(units=None) | Q(units=unit)).distinct()
    return [extra for extra in extras if not extra.night_only or slot.time_of_day == TimeOfDay.NIGHT]


def _rule_for(unit: Unit, slot: Slot, day_kind: str, residency: str) -> FeeRule | None:
    rules = FeeRule.objects.filter(unit=unit, day_kind=day_kind, residency=residency).filter(
        Q(slot=slot) | Q(slot__isnull=True)
    )
    # The slot's own rule first, the unit's default after it.
    return sorted(rules, key=lambda rule: rule.slot_id is None)[0] if rules else None


def quote(unit: Unit, day: dt.date, slot: Slot, *, resident: bool, extras: Iterable[FeeExtra | int] = ()) -> FeeQuote:
    """The fee of `unit` in `slot` on `day`. `extras` are FeeExtra objects or their pks.

    Raises BookingError("no_fee_rule") when the fee table has no fee for it, and
    BookingError("extra_not_available") for an extra that cannot be added here."""
    day_kind = calendar.day_kind(day)
    residency = Residency.RESIDENT if resident else Residency.NON_RESIDENT
    rule = _rule_for(unit, slot, day_kind, residency)
    if rule is None:
        raise BookingError("no_fee_rule", _("この利用区分の使用料が設定されていません。施設にお問い合わせください。"))
    lines: list[dict[str, Any]] = []
    labels = {}
    for language, pattern in (
        ("ja", "{unit} {slot}（{day_kind}・{residency}）"),
        ("en", "{unit} {slot} ({day_kind}, {residency})"),
    ):
        with override(language):
            labels[language] = pattern.format(
                unit=unit.name, slot=slot.name, day_kind=DayKind(day_kind).label, residency=Residency(residency).label
            )
    lines.append(
        {"kind": "use", "code": unit.slug, "label_ja": labels["ja"], "label_en": labels["en"], "amount": rule.amount}
    )
    wanted = {extra if isinstance(extra, int) else extra.pk for extra in extras}
    if wanted:
        allowed = {extra.pk: extra for extra in available_extras(unit, slot)}
        if not wanted <= set(allowed):
            raise BookingError("extra_not_available", _("選んだ付帯設備はこの利用区分では使えません。"))
        for pk in sorted(wanted, key=lambda pk: allowed[pk].code):
            extra = allowed[pk]
            lines.append(
                {
                    "kind": "extra",
                    "code": extra.code,
                    "label_ja": extra.name_ja,
                    "label_en": extra.name_en or extra.name_ja,
                    "amount": extra.amount,
                }
            )
    return FeeQuote(sum(int(line["amount"]) for line in lines), lines, day_kind, residency)


def cancellation_fee(fee_amount: int, percent: int) -> int:
    """取消手数料: `percent` of the fee, yen fractions rounded down (円未満切り捨て)."""
    return fee_amount * percent // 100
