"""factory_boy factories for facilities, and ready-made facilities to test with: a gym
whose halves can be booked alone or together, with 午前・午後・夜間 slots and a fee table."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import factory
from factory.django import DjangoModelFactory

from madoguchi.accounts.models import User
from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope
from madoguchi.facilities.models import (
    DayKind,
    Facility,
    FacilityKind,
    FeeExtra,
    FeeRule,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Residency,
    Slot,
    SlotPattern,
    Space,
    Unit,
)
from madoguchi.testing.factories import MunicipalityFactory, UserFactory


class FacilityFactory(DjangoModelFactory[Facility]):
    class Meta:
        model = Facility

    municipality = factory.SubFactory(MunicipalityFactory)
    slug = factory.Sequence(lambda n: f"facility-{n}")
    name_ja = factory.Sequence(lambda n: f"市民体育館{n}")
    name_kana = "シミンタイイクカン"
    name_en = factory.Sequence(lambda n: f"Civic Gymnasium {n}")
    kind = FacilityKind.GYM
    area_ja = "笠間地区"
    area_en = "Kasama area"
    postal_code = "309-1611"
    address_ja = "茨城県笠間市笠間1532"
    address_en = "1532 Kasama, Kasama, Ibaraki"
    closed_weekdays = ""


class RegistrationFactory(DjangoModelFactory[Registration]):
    class Meta:
        model = Registration

    municipality = factory.SubFactory(MunicipalityFactory)
    kind = RegistrationKind.GROUP
    user = factory.SubFactory(UserFactory)
    status = RegistrationStatus.APPROVED
    card_number = factory.Sequence(lambda n: f"G{n:07d}")
    name = factory.Sequence(lambda n: f"笠間バドミントンクラブ{n}")
    name_kana = "カサマバドミントンクラブ"
    representative_name = "山田 花子"
    representative_name_kana = "ヤマダ ハナコ"
    postal_code = "309-1611"
    address = "茨城県笠間市笠間1"
    phone = "0296-77-1101"
    email = factory.Sequence(lambda n: f"club{n}@example.jp")
    is_resident = True
    member_count = 10
    resident_member_count = 8
    activity = "バドミントン"


@dataclass
class Gym:
    """A gym of two halves: `whole` uses both, `half_a` and `half_b` one each."""

    facility: Facility
    pattern: SlotPattern
    morning: Slot
    afternoon: Slot
    night: Slot
    space_a: Space
    space_b: Space
    whole: Unit
    half_a: Unit
    half_b: Unit
    lighting: FeeExtra

    @property
    def slots(self) -> list[Slot]:
        return [self.morning, self.afternoon, self.night]


def make_gym(municipality: Municipality | None = None, **facility_fields: Any) -> Gym:
    """A gym with 午前 9–12, 午後 13–17, 夜間 18–21:30 and fees: whole 2,000/3,000円 on
    weekdays/土日祝 for residents, twice that for others; halves half of it; lighting 500円."""
    municipality = municipality or MunicipalityFactory()
    with municipality_scope(municipality):
        facility = FacilityFactory(municipality=municipality, **facility_fields)
        pattern = SlotPattern.objects.create(municipality=municipality, facility=facility, name_ja="午前・午後・夜間")
        morning, afternoon, night = (
            Slot.objects.create(
                municipality=municipality, pattern=pattern, name_ja=name, name_en=en, starts_at=start, ends_at=end
            )
            for name, en, start, end in [
                ("午前", "Morning", dt.time(9), dt.time(12)),
                ("午後", "Afternoon", dt.time(13), dt.time(17)),
                ("夜間", "Night", dt.time(18), dt.time(21, 30)),
            ]
        )
        space_a = Space.objects.create(
            municipality=municipality, facility=facility, code="a", name_ja="A面", name_en="Court A"
        )
        space_b = Space.objects.create(
            municipality=municipality, facility=facility, code="b", name_ja="B面", name_en="Court B"
        )

        def unit(slug: str, ja: str, en: str, spaces: list[Space], order: int, base: int) -> Unit:
            made = Unit.objects.create(
                municipality=municipality,
                facility=facility,
                slug=slug,
                name_ja=ja,
                name_en=en,
                slot_pattern=pattern,
                capacity=100 if len(spaces) > 1 else 50,
                sort_order=order,
            )
            made.spaces.set(spaces)
            for day_kind, factor in ((DayKind.WEEKDAY, 1), (DayKind.HOLIDAY, 1.5)):
                for residency, times in ((Residency.RESIDENT, 1), (Residency.NON_RESIDENT, 2)):
                    FeeRule.objects.create(
                        municipality=municipality,
                        unit=made,
                        day_kind=day_kind,
                        residency=residency,
                        amount=int(base * factor * times),
                    )
            return made

        whole = unit("whole", "全面", "Whole floor", [space_a, space_b], 0, 2000)
        half_a = unit("half-a", "半面A", "Half A", [space_a], 1, 1000)
        half_b = unit("half-b", "半面B", "Half B", [space_b], 2, 1000)
        lighting = FeeExtra.objects.create(
            municipality=municipality,
            facility=facility,
            code="lighting",
            name_ja="照明",
            name_en="Lighting",
            amount=500,
        )
    return Gym(facility, pattern, morning, afternoon, night, space_a, space_b, whole, half_a, half_b, lighting)


def make_registration(municipality: Municipality, user: User | None = None, **fields: Any) -> Registration:
    """An approved group registration (use `status=`/`kind=` for others)."""
    with municipality_scope(municipality):
        return RegistrationFactory(municipality=municipality, user=user or UserFactory(), **fields)


def next_weekday(start: dt.date | None = None, weekday: int = 2, weeks_ahead: int = 2) -> dt.date:
    """A day of the given weekday (default Wednesday) some weeks ahead, not a holiday."""
    from madoguchi.japanese import holidays

    day = (start or dt.date.today()) + dt.timedelta(weeks=weeks_ahead)
    while day.weekday() != weekday or holidays.is_holiday(day) or holidays.is_year_end_closure(day):
        day += dt.timedelta(days=1)
    return day
