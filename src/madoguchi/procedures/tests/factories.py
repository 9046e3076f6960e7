"""factory_boy factories for procedures, and a small form definition to test with."""

from __future__ import annotations

import copy
from typing import Any

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from madoguchi.procedures.models import (
    FeeTiming,
    FormVersion,
    IdentityLevel,
    Procedure,
    ProcedureCategory,
    Submission,
    SubmissionStatus,
)
from madoguchi.testing.factories import DepartmentFactory, MunicipalityFactory

#: A two-step form with a condition, a computed fee and a file: 住民票の写し, shortened.
SAMPLE_DEFINITION: dict[str, Any] = {
    "format": 1,
    "steps": [
        {
            "key": "requester",
            "title": {"ja": "請求者", "en": "Requester"},
            "fields": [
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
                    "required": True,
                    "shared": "applicant.name_kana",
                },
                {"key": "email", "type": "email", "label": {"ja": "メールアドレス", "en": "E-mail"}, "required": True},
                {
                    "key": "postal_code",
                    "type": "postal_code",
                    "label": {"ja": "郵便番号", "en": "Postal code"},
                    "address_field": "address",
                },
                {"key": "address", "type": "address", "label": {"ja": "住所", "en": "Address"}, "required": True},
                {"key": "birth_date", "type": "date", "label": {"ja": "生年月日", "en": "Date of birth"}},
            ],
        },
        {
            "key": "request",
            "title": {"ja": "請求の内容", "en": "What you request"},
            "fields": [
                {
                    "key": "scope",
                    "type": "choice",
                    "label": {"ja": "世帯全員／一部", "en": "Whole household or part"},
                    "required": True,
                    "options": [
                        {"value": "all", "label": {"ja": "世帯全員", "en": "Whole household"}},
                        {"value": "part", "label": {"ja": "世帯の一部", "en": "Some members"}},
                    ],
                },
                {
                    "key": "members",
                    "type": "textarea",
                    "label": {"ja": "必要な方の氏名", "en": "Names needed"},
                    "show_if": {"field": "scope", "equals": "part"},
                    "required_if": {"field": "scope", "equals": "part"},
                },
                {
                    "key": "copies",
                    "type": "integer",
                    "label": {"ja": "通数", "en": "Copies"},
                    "required": True,
                    "min": 1,
                    "max": 10,
                },
                {
                    "key": "id_document",
                    "type": "file",
                    "label": {"ja": "本人確認書類", "en": "Proof of identity"},
                    "accept": ["pdf", "jpeg", "png"],
                    "max_size_mb": 5,
                },
                {
                    "key": "agree",
                    "type": "boolean",
                    "label": {"ja": "記載内容に誤りはありません", "en": "The above is true"},
                    "required": True,
                },
            ],
        },
    ],
    "fee": {
        "lines": [
            {
                "label": {"ja": "住民票の写し", "en": "Copy of residence record"},
                "amount": 300,
                "quantity_field": "copies",
            }
        ]
    },
    "applicant": {"name_field": "name", "email_field": "email"},
}


def sample_definition() -> dict[str, Any]:
    return copy.deepcopy(SAMPLE_DEFINITION)


def sample_data(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "笠間 花子",
        "name_kana": "カサマ ハナコ",
        "email": "hanako@example.jp",
        "postal_code": "309-1792",
        "address": "茨城県笠間市中央三丁目2番1号",
        "birth_date": "1985-04-01",
        "scope": "all",
        "copies": 2,
        "agree": True,
    }
    data.update(overrides)
    return data


class ProcedureCategoryFactory(DjangoModelFactory[ProcedureCategory]):
    class Meta:
        model = ProcedureCategory

    municipality = factory.SubFactory(MunicipalityFactory)
    slug = factory.Sequence(lambda n: f"category{n}")
    name_ja = factory.Sequence(lambda n: f"分類{n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class ProcedureFactory(DjangoModelFactory[Procedure]):
    class Meta:
        model = Procedure

    municipality = factory.SubFactory(MunicipalityFactory)
    department = factory.SubFactory(DepartmentFactory, municipality=factory.SelfAttribute("..municipality"))
    slug = factory.Sequence(lambda n: f"procedure-{n}")
    name_ja = factory.Sequence(lambda n: f"住民票の写し交付請求{n}")
    name_en = factory.Sequence(lambda n: f"Request for a copy of the residence record {n}")
    reading = "じゅうみんひょうのうつしこうふせいきゅう"
    identity_level = IdentityLevel.ACCOUNT
    fee_timing = FeeTiming.ON_SUBMISSION
    processing_days = 5


class FormVersionFactory(DjangoModelFactory[FormVersion]):
    """A published version with the sample definition (`published_at=None` for a draft)."""

    class Meta:
        model = FormVersion

    procedure = factory.SubFactory(ProcedureFactory)
    municipality = factory.SelfAttribute("procedure.municipality")
    number = factory.Sequence(lambda n: n + 1)
    definition = factory.LazyFunction(sample_definition)
    published_at = factory.LazyFunction(timezone.now)


class SubmissionFactory(DjangoModelFactory[Submission]):
    """A received submission (give `status=SubmissionStatus.DRAFT, number=""` for a draft)."""

    class Meta:
        model = Submission

    form_version = factory.SubFactory(FormVersionFactory)
    procedure = factory.SelfAttribute("form_version.procedure")
    municipality = factory.SelfAttribute("procedure.municipality")
    department = factory.SelfAttribute("procedure.department")
    number = factory.Sequence(lambda n: f"2026-{n + 1:06d}")
    applicant_name = "笠間 花子"
    applicant_email = "hanako@example.jp"
    data = factory.LazyFunction(sample_data)
    status = SubmissionStatus.RECEIVED
    submitted_at = factory.LazyFunction(timezone.now)
