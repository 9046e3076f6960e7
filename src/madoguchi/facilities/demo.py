"""Facilities in the demo: Kasama City's sports and cultural facilities with their units,
slots, fees and closed days; registrations of the demo residents (笠間バドミントンクラブ
approved for hanako, one group waiting for staff); bookings of the past two months
(checked in, one no-show) and the next two (first come, priority); a lottery round open
now for the month after next, and one drawn for next month with its results.

Called by `core.demo.loader` inside its transaction, last of the modules. Everything goes
through the services (registrations, bookings.book, counter.book_for, occupancy for the
city's own events, lotteries), so it is audited and the occupancy grid holds. Idempotent:
facilities are found by URL name, registrations by name, bookings by their request key
(`demo-…`), rounds by facility and month; running it again creates nothing.

The facilities are Kasama's own; names and districts are real, but addresses,
coordinates, units and fees are the demo's plausible figures (each description says so),
not the city's published ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from madoguchi.core.models import Municipality
from madoguchi.core.tenancy import municipality_scope

from .models import (
    Booking,
    BookingSource,
    DayKind,
    Facility,
    FacilityKind,
    FeeExtra,
    FeeRule,
    LotteryRound,
    Registration,
    RegistrationKind,
    RegistrationStatus,
    Residency,
    RoundStatus,
    Slot,
    SlotPattern,
    Space,
    Unit,
)

if TYPE_CHECKING:
    from madoguchi.core.demo.loader import DemoLoader

KASAMA_CODE = "082163"
STAFF_EMAIL = "admin@kasama.example"
DEMO_NOTE = "（デモ用の想定データです。所在地の詳細・料金・区画は笠間市の公表内容ではありません。）"
DEMO_NOTE_EN = "(Demo data: address details, fees and units are assumptions, not the city's published figures.)"

#: Slot patterns: 午前・午後・夜間, or hourly 9:00–21:00.
THREE_SLOTS = [
    ("午前", "Morning", dt.time(9), dt.time(12)),
    ("午後", "Afternoon", dt.time(13), dt.time(17)),
    ("夜間", "Night", dt.time(18), dt.time(21, 30)),
]
HOURLY = [(f"{h}時", f"{h}:00", dt.time(h), dt.time(h + 1)) for h in range(9, 21)]


@dataclass(frozen=True)
class UnitSpec:
    slug: str
    name_ja: str
    name_en: str
    spaces: tuple[str, ...]
    pattern: str  # "three" or "hourly"
    capacity: int
    fee: int  # resident, weekday, per slot; 土日祝 ×1.5, 市外 ×2


@dataclass(frozen=True)
class FacilitySpec:
    slug: str
    name_ja: str
    name_kana: str
    name_en: str
    kind: str
    area_ja: str
    area_en: str
    postal_code: str
    address_ja: str
    address_en: str
    latitude: str
    longitude: str
    description_ja: str
    description_en: str
    spaces: tuple[tuple[str, str, str], ...]
    units: tuple[UnitSpec, ...]
    closed_weekdays: str = "0"
    parking_spaces: int | None = None
    lighting: int = 0


def _gym_units(fee: int) -> tuple[UnitSpec, ...]:
    return (
        UnitSpec("whole", "アリーナ全面", "Whole arena", ("a", "b"), "three", 200, fee),
        UnitSpec("half-a", "アリーナ半面A", "Arena half A", ("a",), "three", 100, fee // 2),
        UnitSpec("half-b", "アリーナ半面B", "Arena half B", ("b",), "three", 100, fee // 2),
    )


FACILITIES: tuple[FacilitySpec, ...] = (
    FacilitySpec(
        slug="sogo-koen",
        name_ja="笠間市総合公園",
        name_kana="カサマシソウゴウコウエン",
        name_en="Kasama City General Park",
        kind=FacilityKind.GYM,
        area_ja="笠間地区",
        area_en="Kasama area",
        postal_code="309-1611",
        address_ja="茨城県笠間市石井2068-1",
        address_en="2068-1 Ishii, Kasama, Ibaraki",
        latitude="36.372000",
        longitude="140.255000",
        description_ja="体育館（アリーナ全面・半面）、多目的運動場、テニスコート6面の総合公園。" + DEMO_NOTE,
        description_en="A park with a gymnasium (whole or half arena), a multipurpose field and six tennis "
        "courts. " + DEMO_NOTE_EN,
        spaces=(
            ("a", "アリーナA面", "Arena A"),
            ("b", "アリーナB面", "Arena B"),
            ("field", "多目的運動場", "Multipurpose field"),
            *((f"court-{n}", f"テニスコート{n}番", f"Tennis court {n}") for n in range(1, 7)),
        ),
        units=(
            *_gym_units(4000),
            UnitSpec("field", "多目的運動場", "Multipurpose field", ("field",), "three", 300, 3000),
            *(
                UnitSpec(f"court-{n}", f"テニスコート{n}番", f"Tennis court {n}", (f"court-{n}",), "hourly", 4, 500)
                for n in range(1, 7)
            ),
        ),
        parking_spaces=300,
        lighting=1000,
    ),
    FacilitySpec(
        slug="iwama-taiikukan",
        name_ja="岩間体育館",
        name_kana="イワマタイイクカン",
        name_en="Iwama Gymnasium",
        kind=FacilityKind.GYM,
        area_ja="岩間地区",
        area_en="Iwama area",
        postal_code="319-0294",
        address_ja="茨城県笠間市下郷4420",
        address_en="4420 Shimogo, Kasama, Ibaraki",
        latitude="36.298000",
        longitude="140.291000",
        description_ja="岩間地区の体育館。バレーボール・バドミントン・バスケットボールに。" + DEMO_NOTE,
        description_en="The gymnasium of the Iwama area, for volleyball, badminton and basketball. " + DEMO_NOTE_EN,
        spaces=(("a", "A面", "Court A"), ("b", "B面", "Court B")),
        units=_gym_units(3000),
        parking_spaces=80,
        lighting=600,
    ),
    FacilitySpec(
        slug="shimin-taiikukan",
        name_ja="笠間市民体育館",
        name_kana="カサマシミンタイイクカン",
        name_en="Kasama Civic Gymnasium",
        kind=FacilityKind.GYM,
        area_ja="笠間地区",
        area_en="Kasama area",
        postal_code="309-1611",
        address_ja="茨城県笠間市笠間",
        address_en="Kasama, Kasama, Ibaraki",
        latitude="36.384000",
        longitude="140.258000",
        description_ja="笠間地区の市民体育館。" + DEMO_NOTE,
        description_en="The civic gymnasium of the Kasama area. " + DEMO_NOTE_EN,
        spaces=(("a", "A面", "Court A"), ("b", "B面", "Court B")),
        units=_gym_units(3000),
        parking_spaces=60,
        lighting=600,
    ),
    FacilitySpec(
        slug="tomobe-kominkan",
        name_ja="友部公民館",
        name_kana="トモベコウミンカン",
        name_en="Tomobe Community Center",
        kind=FacilityKind.COMMUNITY_HALL,
        area_ja="友部地区",
        area_en="Tomobe area",
        postal_code="309-1703",
        address_ja="茨城県笠間市鯉淵6528-66",
        address_en="6528-66 Koibuchi, Kasama, Ibaraki",
        latitude="36.339000",
        longitude="140.310000",
        description_ja="大ホールと会議室のある公民館。講演会・発表会・サークル活動に。" + DEMO_NOTE,
        description_en="A community center with a large hall and meeting rooms. " + DEMO_NOTE_EN,
        spaces=(
            ("hall", "大ホール", "Large hall"),
            ("room-1", "会議室1", "Meeting room 1"),
            ("room-2", "会議室2", "Meeting room 2"),
        ),
        units=(
            UnitSpec("hall", "大ホール", "Large hall", ("hall",), "three", 500, 8000),
            UnitSpec("room-1", "会議室1", "Meeting room 1", ("room-1",), "three", 30, 800),
            UnitSpec("room-2", "会議室2", "Meeting room 2", ("room-2",), "three", 30, 800),
        ),
        parking_spaces=150,
    ),
    FacilitySpec(
        slug="kasama-kominkan",
        name_ja="笠間公民館",
        name_kana="カサマコウミンカン",
        name_en="Kasama Community Center",
        kind=FacilityKind.COMMUNITY_HALL,
        area_ja="笠間地区",
        area_en="Kasama area",
        postal_code="309-1611",
        address_ja="茨城県笠間市笠間",
        address_en="Kasama, Kasama, Ibaraki",
        latitude="36.383000",
        longitude="140.262000",
        description_ja="笠間地区の公民館。会議室と和室。" + DEMO_NOTE,
        description_en="The community center of the Kasama area: meeting rooms and a tatami room. " + DEMO_NOTE_EN,
        spaces=(("room-1", "会議室1", "Meeting room 1"), ("washitsu", "和室", "Tatami room")),
        units=(
            UnitSpec("room-1", "会議室1", "Meeting room 1", ("room-1",), "three", 40, 700),
            UnitSpec("washitsu", "和室", "Tatami room", ("washitsu",), "three", 20, 500),
        ),
        parking_spaces=40,
    ),
    FacilitySpec(
        slug="iwama-kominkan",
        name_ja="岩間公民館",
        name_kana="イワマコウミンカン",
        name_en="Iwama Community Center",
        kind=FacilityKind.COMMUNITY_HALL,
        area_ja="岩間地区",
        area_en="Iwama area",
        postal_code="319-0294",
        address_ja="茨城県笠間市下郷",
        address_en="Shimogo, Kasama, Ibaraki",
        latitude="36.300000",
        longitude="140.288000",
        description_ja="岩間地区の公民館。" + DEMO_NOTE,
        description_en="The community center of the Iwama area. " + DEMO_NOTE_EN,
        spaces=(("room-1", "会議室", "Meeting room"), ("kitchen", "調理室", "Kitchen")),
        units=(
            UnitSpec("room-1", "会議室", "Meeting room", ("room-1",), "three", 40, 700),
            UnitSpec("kitchen", "調理室", "Kitchen", ("kitchen",), "three", 24, 900),
        ),
    ),
    FacilitySpec(
        slug="tomobe-undojo",
        name_ja="友部運動場",
        name_kana="トモベウンドウジョウ",
        name_en="Tomobe Sports Ground",
        kind=FacilityKind.GROUND,
        area_ja="友部地区",
        area_en="Tomobe area",
        postal_code="309-1717",
        address_ja="茨城県笠間市",
        address_en="Kasama, Ibaraki",
        latitude="36.345000",
        longitude="140.300000",
        description_ja="サッカー・ソフトボールに使える運動場（夜間照明あり）。" + DEMO_NOTE,
        description_en="A ground for football and softball, with floodlights. " + DEMO_NOTE_EN,
        spaces=(("ground", "運動場", "Ground"),),
        units=(UnitSpec("ground", "運動場全面", "Whole ground", ("ground",), "three", 200, 2000),),
        closed_weekdays="0",
        lighting=2500,
    ),
    FacilitySpec(
        slug="tomobe-budokan",
        name_ja="友部武道館",
        name_kana="トモベブドウカン",
        name_en="Tomobe Budokan",
        kind=FacilityKind.BUDOKAN,
        area_ja="友部地区",
        area_en="Tomobe area",
        postal_code="309-1717",
        address_ja="茨城県笠間市",
        address_en="Kasama, Ibaraki",
        latitude="36.346000",
        longitude="140.302000",
        description_ja="柔道場と剣道場。" + DEMO_NOTE,
        description_en="A judo hall and a kendo hall. " + DEMO_NOTE_EN,
        spaces=(("judo", "柔道場", "Judo hall"), ("kendo", "剣道場", "Kendo hall")),
        units=(
            UnitSpec("judo", "柔道場", "Judo hall", ("judo",), "three", 40, 1000),
            UnitSpec("kendo", "剣道場", "Kendo hall", ("kendo",), "three", 40, 1000),
        ),
    ),
)


@dataclass(frozen=True)
class RegistrationSpec:
    email: str  # the demo account that registers
    kind: str
    name: str
    name_kana: str
    activity: str
    status: str  # approved or pending
    members: tuple[tuple[str, str, bool], ...] = ()
    representative: tuple[str, str] = ("", "")
    max_active_bookings: int = 12


REGISTRATIONS: tuple[RegistrationSpec, ...] = (
    RegistrationSpec(
        "hanako@resident.example",
        RegistrationKind.GROUP,
        "笠間バドミントンクラブ",
        "カサマバドミントンクラブ",
        "バドミントン（毎週水曜・土曜）",
        RegistrationStatus.APPROVED,
        members=(
            ("山田 花子", "ヤマダ ハナコ", True),
            ("佐々木 恵", "ササキ メグミ", True),
            ("大塚 翼", "オオツカ ツバサ", True),
            ("石川 亮", "イシカワ リョウ", False),
            ("小野 さくら", "オノ サクラ", True),
        ),
        representative=("山田 花子", "ヤマダ ハナコ"),
    ),
    RegistrationSpec(
        "hanako@resident.example",
        RegistrationKind.INDIVIDUAL,
        "山田 花子",
        "ヤマダ ハナコ",
        "テニス",
        RegistrationStatus.APPROVED,
    ),
    RegistrationSpec(
        "emily@resident.example",
        RegistrationKind.GROUP,
        "友部ソフトバレー愛好会",
        "トモベソフトバレーアイコウカイ",
        "ソフトバレーボール",
        RegistrationStatus.APPROVED,
        members=(
            ("Emily Clark", "エミリー クラーク", True),
            ("木村 大輔", "キムラ ダイスケ", True),
            ("林 真由美", "ハヤシ マユミ", True),
            ("清水 健", "シミズ ケン", False),
        ),
        representative=("Emily Clark", "エミリー クラーク"),
    ),
    RegistrationSpec(
        "info@madoguchi-toubou.example",
        RegistrationKind.GROUP,
        "まどぐち陶房 卓球部",
        "マドグチトウボウ タッキュウブ",
        "卓球",
        RegistrationStatus.APPROVED,
        members=(
            ("小松 陽介", "コマツ ヨウスケ", True),
            ("中村 彩", "ナカムラ アヤ", True),
            ("藤田 誠", "フジタ マコト", False),
        ),
        representative=("小松 陽介", "コマツ ヨウスケ"),
    ),
    RegistrationSpec(
        "emily@resident.example",
        RegistrationKind.GROUP,
        "笠間ジュニア剣道会",
        "カサマジュニアケンドウカイ",
        "剣道（小中学生）",
        RegistrationStatus.PENDING,
        members=(
            ("Emily Clark", "エミリー クラーク", True),
            ("松本 剛", "マツモト ツヨシ", True),
            ("井上 玲子", "イノウエ レイコ", True),
        ),
        representative=("松本 剛", "マツモト ツヨシ"),
    ),
)


# --- Facilities -----------------------------------------------------------------------------


def _facility(loader: DemoLoader, municipality: Municipality, spec: FacilitySpec, order: int) -> Facility:
    existing = Facility.objects.filter(slug=spec.slug).first()
    if existing is not None:
        loader._count("facility", "unchanged")
        return existing
    facility = Facility.objects.create(
        municipality=municipality,
        slug=spec.slug,
        name_ja=spec.name_ja,
        name_kana=spec.name_kana,
        name_en=spec.name_en,
        kind=spec.kind,
        area_ja=spec.area_ja,
        area_en=spec.area_en,
        postal_code=spec.postal_code,
        address_ja=spec.address_ja,
        address_en=spec.address_en,
        latitude=spec.latitude,
        longitude=spec.longitude,
        description_ja=spec.description_ja,
        description_en=spec.description_en,
        closed_weekdays=spec.closed_weekdays,
        parking_spaces=spec.parking_spaces,
        phone="0296-77-1101",
        wheelchair_accessible=True,
        accessible_toilet=True,
        accessible_parking=spec.parking_spaces is not None,
        accessibility_ja="入口にスロープがあります。",
        accessibility_en="There is a ramp at the entrance.",
        access_ja="JR常磐線・水戸線 友部駅から車で約10分。",
        access_en="About 10 minutes by car from JR Tomobe Station.",
        sort_order=order * 10,
    )
    patterns: dict[str, SlotPattern] = {}
    for key, name_ja, name_en, rows in (
        ("three", "午前・午後・夜間", "Morning, afternoon, night", THREE_SLOTS),
        ("hourly", "1時間単位", "Hourly", HOURLY),
    ):
        if not any(unit.pattern == key for unit in spec.units):
            continue
        pattern = SlotPattern.objects.create(
            municipality=municipality, facility=facility, name_ja=name_ja, name_en=name_en
        )
        for index, (slot_ja, slot_en, starts, ends) in enumerate(rows):
            Slot.objects.create(
                municipality=municipality,
                pattern=pattern,
                name_ja=slot_ja,
                name_en=slot_en,
                starts_at=starts,
                ends_at=ends,
                sort_order=index,
            )
        patterns[key] = pattern
    spaces = {
        code: Space.objects.create(municipality=municipality, facility=facility, code=code, name_ja=ja, name_en=en)
        for code, ja, en in spec.spaces
    }
    for index, unit_spec in enumerate(spec.units):
        unit = Unit.objects.create(
            municipality=municipality,
            facility=facility,
            slug=unit_spec.slug,
            name_ja=unit_spec.name_ja,
            name_en=unit_spec.name_en,
            slot_pattern=patterns[unit_spec.pattern],
            capacity=unit_spec.capacity,
            sort_order=index,
        )
        unit.spaces.set([spaces[code] for code in unit_spec.spaces])
        FeeRule.objects.bulk_create(
            FeeRule(
                municipality=municipality,
                unit=unit,
                day_kind=day_kind,
                residency=residency,
                amount=int(unit_spec.fee * factor * times),
            )
            for day_kind, factor in ((DayKind.WEEKDAY, 1), (DayKind.HOLIDAY, 1.5))
            for residency, times in ((Residency.RESIDENT, 1), (Residency.NON_RESIDENT, 2))
        )
    if spec.lighting:
        FeeExtra.objects.create(
            municipality=municipality,
            facility=facility,
            code="lighting",
            name_ja="夜間照明",
            name_en="Lighting",
            amount=spec.lighting,
            night_only=True,
        )
    loader._count("facility", "created")
    return facility


# --- Registrations --------------------------------------------------------------------------


def _registration(loader: DemoLoader, municipality: Municipality, spec: RegistrationSpec, staff: Any) -> Registration:
    from madoguchi.accounts.models import User

    from .services import registrations

    user = User.objects.get(email__iexact=spec.email)
    existing = Registration.objects.filter(user=user, name=spec.name).first()
    if existing is not None:
        loader._count("facility_registration", "unchanged")
        return existing
    data = {
        "name": spec.name,
        "name_kana": spec.name_kana,
        "representative_name": spec.representative[0],
        "representative_name_kana": spec.representative[1],
        "postal_code": "309-1611",
        "address": "茨城県笠間市笠間1-1（デモ）",
        "phone": "0296-00-0000",
        "email": spec.email,
        "activity": spec.activity,
        "is_resident": True,
    }
    members = [{"name": n, "name_kana": k, "is_resident": r} for n, k, r in spec.members]
    registration = registrations.submit(
        municipality=municipality, user=user, kind=spec.kind, data=data, members=members
    )
    if spec.status == RegistrationStatus.APPROVED:
        registration = registrations.approve(registration, actor=staff, note="デモ")
        registrations.update_limits(
            registration,
            actor=staff,
            max_active_bookings=spec.max_active_bookings,
            max_lottery_entries_per_month=registration.max_lottery_entries_per_month,
        )
        registration.refresh_from_db()
    loader._count("facility_registration", "created")
    return registration


# --- Bookings -------------------------------------------------------------------------------


def _weekdays(start: dt.date, end: dt.date, weekday: int) -> list[dt.date]:
    from madoguchi.japanese import holidays

    day = start + dt.timedelta(days=(weekday - start.weekday()) % 7)
    days = []
    while day <= end:
        if not holidays.is_holiday(day) and not holidays.is_year_end_closure(day):
            days.append(day)
        day += dt.timedelta(days=7)
    return days


def _slot(unit: Unit, name_ja: str) -> Slot:
    return next(slot for slot in unit.slot_pattern.slots.all() if slot.name_ja == name_ja)


def _at(day: dt.date, moment: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, moment), timezone.get_current_timezone())


def _past_bookings(facility: Facility, registration: Registration, staff: Any, today: dt.date) -> tuple[int, int]:
    """The club's Wednesday nights of the past two months, booked at the counter and paid
    there: checked in, except one no-show."""
    from .services import counter, occupancy

    unit = Unit.objects.get(facility=facility, slug="half-a")
    night = _slot(unit, "夜間")
    made = 0
    days = _weekdays(today - dt.timedelta(days=60), today - dt.timedelta(days=1), 2)
    for index, day in enumerate(days):
        key = f"demo-past-{facility.slug}-{day}"
        if Booking.objects.filter(request_key=key).exists():
            continue
        booked_at = _at(day - dt.timedelta(days=10), dt.time(10))
        try:
            booking = counter.book_for(
                unit=unit,
                day=day,
                slot=night,
                actor=staff,
                registration=registration,
                purpose="バドミントン練習",
                attendees=12,
                request_key=key,
                paid_at_counter=True,
                now=booked_at,
            )
        except occupancy.BookingError:
            continue
        if index == len(days) - 2:
            counter.mark_no_show(booking, staff, now=_at(day, dt.time(22)))
        else:
            counter.check_in(booking, staff, now=_at(day, dt.time(18, 5)))
        made += 1
    return made, len(days)


def _future_bookings(
    facilities: dict[str, Facility], registrations: dict[str, Registration], today: dt.date
) -> tuple[int, int]:
    """Bookings of the next two months: first come by the residents, and the city's own
    events (priority)."""
    from .services import bookings, occupancy

    made = wanted = 0
    plans: list[tuple[str, str, str, str, int, str]] = [
        # facility, unit, slot, registration, weekday, purpose
        ("iwama-taiikukan", "whole", "夜間", "笠間バドミントンクラブ", 5, "バドミントン練習"),
        ("tomobe-kominkan", "room-1", "午後", "友部ソフトバレー愛好会", 3, "打合せ"),
        ("tomobe-budokan", "judo", "午前", "まどぐち陶房 卓球部", 5, "体力づくり"),
        ("kasama-kominkan", "room-1", "午前", "山田 花子", 1, "読書会"),
    ]
    for slug, unit_slug, slot_name, holder, weekday, purpose in plans:
        facility = facilities[slug]
        unit = Unit.objects.select_related("slot_pattern").get(facility=facility, slug=unit_slug)
        slot = _slot(unit, slot_name)
        registration = registrations[holder]
        horizon = today + dt.timedelta(days=min(60, facility.booking_horizon_days))
        for day in _weekdays(today + dt.timedelta(days=3), horizon, weekday)[:4]:
            wanted += 1
            key = f"demo-future-{slug}-{unit_slug}-{day}"
            if Booking.objects.filter(request_key=key).exists():
                continue
            try:
                bookings.book(
                    registration=registration,
                    unit=unit,
                    day=day,
                    slot=slot,
                    actor=registration.user,
                    purpose=purpose,
                    attendees=10,
                    request_key=key,
                )
            except occupancy.BookingError:
                continue
            made += 1
    # The city's own events: priority bookings nobody can take.
    gym = facilities["shimin-taiikukan"]
    whole = Unit.objects.get(facility=gym, slug="whole")
    for day in _weekdays(today + dt.timedelta(days=14), today + dt.timedelta(days=60), 6)[:2]:
        for slot in whole.slot_pattern.slots.all():
            wanted += 1
            key = f"demo-priority-{gym.slug}-{day}-{slot.pk}"
            if Booking.objects.filter(request_key=key).exists():
                continue
            try:
                occupancy.place_booking(
                    unit=whole,
                    slot=slot,
                    date=day,
                    source=BookingSource.PRIORITY,
                    holder_name="笠間市スポーツ推進課（市民スポーツ大会）",
                    purpose="市民スポーツ大会",
                    request_key=key,
                )
            except occupancy.BookingError:
                continue
            made += 1
    return made, wanted


# --- Lotteries ------------------------------------------------------------------------------


def _month_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, 1)


def _lottery_round(
    loader: DemoLoader,
    facility: Facility,
    month: dt.date,
    *,
    opens: dt.datetime,
    closes: dt.datetime,
    draw_at: dt.datetime,
    confirm_until: dt.datetime,
    staff: Any,
    units: list[Unit],
) -> tuple[LotteryRound, bool]:
    from .services import lotteries

    existing = LotteryRound.objects.filter(facility=facility, month=month).exclude(status=RoundStatus.CANCELLED).first()
    if existing is not None:
        loader._count("lottery_round", "unchanged")
        return existing, False
    lottery = lotteries.create_round(
        facility=facility,
        month=month,
        entry_opens_at=opens,
        entry_closes_at=closes,
        draw_at=draw_at,
        confirm_until=confirm_until,
        units=units,
        max_wins_per_registration=2,
        actor=staff,
    )
    lotteries.open_round(lottery, now=opens)
    loader._count("lottery_round", "created")
    return lottery, True


def _entries(
    lottery: LotteryRound, registrations: list[Registration], units: list[Unit], month: dt.date, now: dt.datetime
) -> int:
    """Each group wishes for the Saturday slots of the month: several groups for the same
    slots, so the draw has losers."""
    from .services import lotteries, occupancy

    saturdays = _weekdays(month, _month_after(month, 1) - dt.timedelta(days=1), 5)[:2]
    made = 0
    for index, registration in enumerate(registrations):
        for day in saturdays:
            unit = units[index % len(units)] if index else units[0]
            for slot in list(unit.slot_pattern.slots.all())[:2]:
                try:
                    lotteries.enter(
                        round=lottery,
                        registration=registration,
                        unit=unit,
                        day=day,
                        slot=slot,
                        actor=registration.user,
                        purpose="練習",
                        now=now,
                    )
                except occupancy.BookingError:
                    continue
                made += 1
    return made


def _lotteries(
    loader: DemoLoader, facilities: dict[str, Facility], groups: list[Registration], staff: Any, now: dt.datetime
) -> str:
    try:
        from .services import lotteries
    except ImportError:  # the lotteries part is not there (yet)
        return "抽選 / lotteries: サービスがありません / no lottery service, skipped"
    if not all(hasattr(lotteries, name) for name in ("create_round", "open_round", "enter", "advance")):
        return "抽選 / lotteries: サービスがありません / no lottery service, skipped"
    park = facilities["sogo-koen"]
    gym_units = list(Unit.objects.filter(facility=park, slug__in=["whole", "half-a", "half-b"]).order_by("sort_order"))
    today = timezone.localdate(now)
    # Open now, for the month after next.
    open_month = _month_after(today, 2)
    open_round, created_open = _lottery_round(
        loader,
        park,
        open_month,
        opens=now - dt.timedelta(days=5),
        closes=now + dt.timedelta(days=10),
        draw_at=now + dt.timedelta(days=11),
        confirm_until=now + dt.timedelta(days=20),
        staff=staff,
        units=gym_units,
    )
    open_entries = _entries(open_round, groups, gym_units, open_month, now) if created_open else 0
    # Drawn, for next month: entries taken in the past, the seed published, the results out.
    iwama = facilities["iwama-taiikukan"]
    iwama_units = list(
        Unit.objects.filter(facility=iwama, slug__in=["whole", "half-a", "half-b"]).order_by("sort_order")
    )
    drawn_month = _month_after(today, 1)
    opened = now - dt.timedelta(days=30)
    drawn_round, created_drawn = _lottery_round(
        loader,
        iwama,
        drawn_month,
        opens=opened,
        closes=now - dt.timedelta(days=10),
        draw_at=now - dt.timedelta(days=9),
        confirm_until=now + dt.timedelta(days=5),
        staff=staff,
        units=iwama_units,
    )
    drawn_entries = 0
    if created_drawn:
        drawn_entries = _entries(drawn_round, groups, iwama_units, drawn_month, opened + dt.timedelta(days=1))
        lotteries.advance(drawn_round, now=now)
    return (
        f"抽選 / lotteries: {open_month:%Y-%m} 受付中 / open ({open_entries} 申込 / entries), "
        f"{drawn_month:%Y-%m} 抽選済み / drawn ({drawn_entries} 申込 / entries)"
    )


# --- The whole set --------------------------------------------------------------------------


def load(loader: DemoLoader) -> None:
    """Kasama's facilities, registrations, bookings and lotteries (nothing elsewhere)."""
    from madoguchi.accounts.models import User

    municipality = loader.municipalities.get(KASAMA_CODE)
    if municipality is None:
        return
    staff = User.objects.filter(email__iexact=STAFF_EMAIL).first()
    now = timezone.now()
    today = timezone.localdate(now)
    before = dict(loader.report.created)
    with municipality_scope(municipality):
        facilities = {spec.slug: _facility(loader, municipality, spec, n) for n, spec in enumerate(FACILITIES, 1)}
        registrations = {spec.name: _registration(loader, municipality, spec, staff) for spec in REGISTRATIONS}
        groups = [r for r in registrations.values() if r.status == RegistrationStatus.APPROVED and r.kind == "group"]
        past, past_wanted = _past_bookings(
            facilities["sogo-koen"], registrations["笠間バドミントンクラブ"], staff, today
        )
        future, future_wanted = _future_bookings(facilities, registrations, today)
        lottery_line = _lotteries(loader, facilities, groups, staff, now)

    def created(kind: str) -> int:
        return loader.report.created[kind] - before.get(kind, 0)

    loader.out(
        f"施設 / facilities: {created('facility')} 作成 / created, "
        f"{len(FACILITIES) - created('facility')} 登録済み / already there"
    )
    loader.out(
        f"施設の利用者登録 / facility registrations: {created('facility_registration')} 作成 / created, "
        f"{len(REGISTRATIONS) - created('facility_registration')} 登録済み / already there"
    )
    loader.out(
        f"施設予約 / bookings: 過去 / past {past} 作成 / created (of {past_wanted}), "
        f"今後 / upcoming {future} 作成 / created (of {future_wanted})"
    )
    loader.out(lottery_line)
