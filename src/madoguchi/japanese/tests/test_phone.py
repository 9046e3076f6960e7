"""Telephone numbers with phonenumbers, region JP."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from madoguchi.japanese import phone
from madoguchi.japanese.phone import PhoneKind


@pytest.mark.parametrize(
    ("value", "stored", "kind"),
    [
        ("029-224-1111", "029-224-1111", PhoneKind.LANDLINE),
        ("0292241111", "029-224-1111", PhoneKind.LANDLINE),
        ("０２９－２２４－１１１１", "029-224-1111", PhoneKind.LANDLINE),
        ("０２９（２２４）１１１１", "029-224-1111", PhoneKind.LANDLINE),
        ("029 224 1111", "029-224-1111", PhoneKind.LANDLINE),
        ("+81 29-224-1111", "029-224-1111", PhoneKind.LANDLINE),
        ("+81292241111", "029-224-1111", PhoneKind.LANDLINE),
        ("81292241111", "029-224-1111", PhoneKind.LANDLINE),
        ("0296771101", "0296-77-1101", PhoneKind.LANDLINE),
        ("03-1234-5678", "03-1234-5678", PhoneKind.LANDLINE),
        ("0668881234", "06-6888-1234", PhoneKind.LANDLINE),
        ("09012345678", "090-1234-5678", PhoneKind.MOBILE),
        ("080ー1234ー5678", "080-1234-5678", PhoneKind.MOBILE),
        ("+819012345678", "090-1234-5678", PhoneKind.MOBILE),
        ("070-1234-5678", "070-1234-5678", PhoneKind.MOBILE),
        ("050-1234-5678", "050-1234-5678", PhoneKind.IP_PHONE),
        ("0120-444-444", "0120-444-444", PhoneKind.TOLL_FREE),
        ("0800-123-4567", "0800-123-4567", PhoneKind.TOLL_FREE),
    ],
)
def test_accepted_numbers(value: str, stored: str, kind: PhoneKind) -> None:
    assert phone.normalize_phone_number(value) == stored
    assert phone.phone_kind(phone.parse_phone_number(value)) is kind
    # The stored form reads back as the same number.
    assert phone.normalize_phone_number(stored) == stored


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        ("0570-000-123", PhoneKind.NAVI_DIAL),
        ("020-1234-5678", PhoneKind.PAGER),
        ("0990-123-456", PhoneKind.PREMIUM_RATE),
    ],
)
def test_other_kinds_are_refused_by_default(value: str, kind: PhoneKind) -> None:
    assert phone.phone_kind(phone.parse_phone_number(value)) is kind
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        phone.normalize_phone_number(value)
    assert caught.value.code == "kind"
    assert "入力できる番号：固定電話、携帯電話、IP電話、フリーダイヤル" in caught.value.messages[0]
    assert phone.normalize_phone_number(value, kinds={kind}) == value


def test_mobile_only() -> None:
    assert phone.normalize_phone_number("090-1234-5678", kinds={PhoneKind.MOBILE}) == "090-1234-5678"
    with translation.override("ja"), pytest.raises(ValidationError) as caught:
        phone.normalize_phone_number("029-224-1111", kinds={PhoneKind.MOBILE})
    assert caught.value.messages == ["固定電話の番号は入力できません。入力できる番号：携帯電話"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "characters"),
        ("029-224-111a", "characters"),
        ("0296-77-1101 内線12", "characters"),
        ("080-1234-567", "invalid"),
        ("090-1234-56789", "invalid"),
        ("110", "invalid"),
        ("0000000000", "invalid"),
    ],
)
def test_refused_numbers(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        phone.normalize_phone_number(value)
    assert caught.value.code == code


def test_international_numbers() -> None:
    with pytest.raises(ValidationError) as caught:
        phone.normalize_phone_number("+1 650-253-0000")
    assert caught.value.code == "international"
    assert phone.normalize_phone_number("+1 650-253-0000", allow_international=True) == "+16502530000"
    assert phone.normalize_phone_number("+44 20 7946 0018", allow_international=True) == "+442079460018"


def test_e164() -> None:
    assert phone.to_e164("029-224-1111") == "+81292241111"
    assert phone.to_e164("090-1234-5678") == "+819012345678"


def test_every_kind_has_a_label() -> None:
    assert set(phone.KIND_LABELS) == set(PhoneKind)
