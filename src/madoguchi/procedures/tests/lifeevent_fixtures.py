"""A small 引越し (moving house) life event for tests and browser tests: three questions,
shared answers, and procedures of two departments, online and on paper."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from madoguchi.core.models import Department, Municipality
from madoguchi.procedures.models import (
    Availability,
    FeeTiming,
    FormVersion,
    IdentityLevel,
    LifeEvent,
    LifeEventProcedure,
    Procedure,
)

CHOICE_YES_NO = [
    {"value": "yes", "label": {"ja": "はい", "en": "Yes"}},
    {"value": "no", "label": {"ja": "いいえ", "en": "No"}},
]

QUESTIONS: list[dict[str, Any]] = [
    {
        "key": "move_type",
        "type": "choice",
        "label": {"ja": "どの引越しですか", "en": "Which move?"},
        "required": True,
        "options": [
            {"value": "within", "label": {"ja": "市内で引越し", "en": "Within the city"}},
            {"value": "into", "label": {"ja": "市外から市内へ", "en": "Into the city"}},
            {"value": "out", "label": {"ja": "市内から市外へ", "en": "Out of the city"}},
        ],
    },
    {
        "key": "has_children",
        "type": "choice",
        "label": {"ja": "中学生以下のお子さんがいますか", "en": "Children?"},
        "required": True,
        "options": CHOICE_YES_NO,
    },
    {
        "key": "has_dog",
        "type": "choice",
        "label": {"ja": "犬を飼っていますか", "en": "A dog?"},
        "required": True,
        "options": CHOICE_YES_NO,
    },
]

SHARED_FIELDS: list[dict[str, Any]] = [
    {
        "key": "name",
        "type": "name",
        "label": {"ja": "氏名", "en": "Name"},
        "required": True,
        "shared": "applicant.name",
    },
    {
        "key": "name_kana",
        "type": "kana",
        "label": {"ja": "フリガナ", "en": "Name in katakana"},
        "shared": "applicant.name_kana",
    },
    {
        "key": "address",
        "type": "address",
        "label": {"ja": "現在の住所", "en": "Current address"},
        "shared": "applicant.address",
    },
    {
        "key": "moving_date",
        "type": "date",
        "label": {"ja": "引越しの日", "en": "Moving date"},
        "required": True,
        "shared": "moving.date",
    },
    {
        "key": "new_address",
        "type": "address",
        "label": {"ja": "新しい住所", "en": "New address"},
        "required": True,
        "shared": "moving.new_address",
    },
]


def moving_form() -> dict[str, Any]:
    """A 転入届/転居届-like form: shared fields, a field with a shared key the event does
    not ask for (phone), and one without a shared key (previous household head)."""
    return {
        "format": 1,
        "steps": [
            {
                "key": "person",
                "title": {"ja": "届出人", "en": "Person"},
                "fields": [
                    {
                        "key": "notifier_name",
                        "type": "name",
                        "label": {"ja": "届出人の氏名", "en": "Name"},
                        "required": True,
                        "shared": "applicant.name",
                    },
                    {
                        "key": "notifier_kana",
                        "type": "kana",
                        "label": {"ja": "フリガナ", "en": "Kana"},
                        "shared": "applicant.name_kana",
                    },
                    {
                        "key": "phone",
                        "type": "phone",
                        "label": {"ja": "電話番号", "en": "Phone"},
                        "shared": "applicant.phone",
                    },
                    {
                        "key": "old_address",
                        "type": "address",
                        "label": {"ja": "前の住所", "en": "Previous address"},
                        "shared": "applicant.address",
                    },
                    {
                        "key": "new_address",
                        "type": "address",
                        "label": {"ja": "新しい住所", "en": "New address"},
                        "required": True,
                        "shared": "moving.new_address",
                    },
                    {
                        "key": "moved_on",
                        "type": "date",
                        "label": {"ja": "異動日", "en": "Date moved"},
                        "required": True,
                        "shared": "moving.date",
                    },
                    {
                        "key": "household_head",
                        "type": "name",
                        "label": {"ja": "世帯主", "en": "Head of household"},
                    },
                ],
            }
        ],
    }


@dataclass
class MovingEvent:
    event: LifeEvent
    shimin: Department
    kodomo: Department
    tennyu: Procedure
    tenkyo: Procedure
    tenshutsu: Procedure
    jido_teate: Procedure
    inu: Procedure


def _procedure(municipality: Municipality, department: Department, slug: str, name: str, **extra: Any) -> Procedure:
    procedure = Procedure.objects.create(
        municipality=municipality,
        department=department,
        slug=slug,
        name_ja=name,
        name_en=extra.pop("name_en", ""),
        identity_level=extra.pop("identity_level", IdentityLevel.NONE),
        fee_timing=FeeTiming.NONE,
        **extra,
    )
    FormVersion.objects.create(
        municipality=municipality,
        procedure=procedure,
        number=1,
        definition=moving_form(),
        published_at=timezone.now(),
    )
    return procedure


def make_moving_event(municipality: Municipality) -> MovingEvent:
    shimin = Department.objects.create(municipality=municipality, code="shimin-le", name_ja="市民課")
    kodomo = Department.objects.create(municipality=municipality, code="kodomo-le", name_ja="子ども福祉課")
    tennyu = _procedure(municipality, shimin, "tennyu", "転入届", attachments_ja="前住所地の転出証明書")
    tenkyo = _procedure(municipality, shimin, "tenkyo", "転居届", attachments_ja="本人確認書類")
    tenshutsu = _procedure(municipality, shimin, "tenshutsu", "転出届")
    jido = _procedure(municipality, kodomo, "jido-teate", "児童手当認定請求")
    inu = _procedure(municipality, shimin, "inu-toroku", "犬の登録事項変更届", availability=Availability.PAPER_ONLY)
    event = LifeEvent.objects.create(
        municipality=municipality,
        slug="hikkoshi",
        name_ja="引越し",
        name_en="Moving house",
        summary_ja="引越しの手続をまとめて案内します。",
        questions=QUESTIONS,
        shared_fields=SHARED_FIELDS,
    )
    entries = [
        (tennyu, {"field": "move_type", "equals": "into"}),
        (tenkyo, {"field": "move_type", "equals": "within"}),
        (tenshutsu, {"field": "move_type", "equals": "out"}),
        (
            jido,
            {"all": [{"field": "has_children", "equals": "yes"}, {"field": "move_type", "in": ["into", "within"]}]},
        ),
        (inu, {"field": "has_dog", "equals": "yes"}),
    ]
    for order, (procedure, condition) in enumerate(entries):
        LifeEventProcedure.objects.create(
            municipality=municipality, life_event=event, procedure=procedure, condition=condition, sort_order=order
        )
    return MovingEvent(event, shimin, kodomo, tennyu, tenkyo, tenshutsu, jido, inu)
