"""Japanese telephone numbers, read and formatted with `phonenumbers` (libphonenumber).

Residents type 029-224-1111, ０２９（２２４）１１１１, 0292241111, +81 29-224-1111 or
81292241111; all are the same number. libphonenumber knows the real area-code lengths,
so the national format puts the hyphens where the numbering plan does: 029-224-1111
(水戸), 0296-77-1101 (笠間), 03-1234-5678, 090-1234-5678, 050-1234-5678, 0120-123-456.

Stored form: the national format with hyphens ("029-224-1111"). Staff read and dial it
as printed, it is what paper forms, 住民記録 and Zengin-style files carry, and it
round-trips through `parse_phone_number`, which is how to compare two numbers. A number
from abroad (allowed only with `allow_international`) is stored in E.164 ("+16502530000")
because it has no national form in Japan. Ask for `to_e164` when a service needs E.164
(SMS gateways).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from enum import StrEnum

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from phonenumbers import PhoneNumber, PhoneNumberFormat, PhoneNumberType

from .normalize import normalize_hyphens, remove_invisible, to_halfwidth_ascii


class PhoneKind(StrEnum):
    """What a Japanese number is, by its prefix."""

    LANDLINE = "landline"  # 固定電話 0ABCDE
    MOBILE = "mobile"  # 携帯電話 070/080/090
    IP_PHONE = "ip_phone"  # IP電話 050
    TOLL_FREE = "toll_free"  # フリーダイヤル 0120/0800
    NAVI_DIAL = "navi_dial"  # ナビダイヤル 0570
    PAGER = "pager"  # 020 (M2M and pagers)
    PREMIUM_RATE = "premium_rate"  # 0990
    OTHER = "other"


KIND_LABELS: dict[PhoneKind, str | Promise] = {
    PhoneKind.LANDLINE: _("固定電話"),
    PhoneKind.MOBILE: _("携帯電話"),
    PhoneKind.IP_PHONE: _("IP電話"),
    PhoneKind.TOLL_FREE: _("フリーダイヤル"),
    PhoneKind.NAVI_DIAL: _("ナビダイヤル"),
    PhoneKind.PAGER: _("データ通信・ポケットベル"),
    PhoneKind.PREMIUM_RATE: _("有料情報サービス"),
    PhoneKind.OTHER: _("その他の番号"),
}

# What a resident may give as a contact number unless a form asks for other kinds.
DEFAULT_KINDS = frozenset({PhoneKind.LANDLINE, PhoneKind.MOBILE, PhoneKind.IP_PHONE, PhoneKind.TOLL_FREE})

_TYPE_TO_KIND = {
    PhoneNumberType.FIXED_LINE: PhoneKind.LANDLINE,
    PhoneNumberType.FIXED_LINE_OR_MOBILE: PhoneKind.LANDLINE,
    PhoneNumberType.MOBILE: PhoneKind.MOBILE,
    PhoneNumberType.VOIP: PhoneKind.IP_PHONE,
    PhoneNumberType.TOLL_FREE: PhoneKind.TOLL_FREE,
    PhoneNumberType.UAN: PhoneKind.NAVI_DIAL,
    PhoneNumberType.PAGER: PhoneKind.PAGER,
    PhoneNumberType.PREMIUM_RATE: PhoneKind.PREMIUM_RATE,
}

_ALLOWED_INPUT_RE = re.compile(r"^\+?[0-9()\-. ]+$")


def _clean_input(value: str) -> str:
    value = normalize_hyphens(to_halfwidth_ascii(remove_invisible(value or "")))
    return value.replace("\u3000", " ").strip()


def parse_phone_number(value: str, *, allow_international: bool = False) -> PhoneNumber:
    """A number as typed → a phonenumbers.PhoneNumber; ValidationError when it is not a
    valid number (or is foreign and `allow_international` is False)."""
    text = _clean_input(value)
    if not text or not _ALLOWED_INPUT_RE.match(text):
        raise ValidationError(_("電話番号は数字とハイフンで入力してください（例：0296-77-1101）。"), code="characters")
    if not text.startswith("+") and re.sub(r"\D", "", text).startswith("81") and not text.startswith("0"):
        # 81 29-224-1111: the country code typed without its plus sign.
        text = "+" + text
    try:
        number = phonenumbers.parse(text, "JP")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("電話番号として読み取れません。"), code="invalid") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("電話番号の桁数または市外局番が正しくありません。"), code="invalid")
    if number.country_code != 81 and not allow_international:
        raise ValidationError(_("日本国内の電話番号を入力してください。"), code="international")
    return number


def phone_kind(number: PhoneNumber) -> PhoneKind:
    return _TYPE_TO_KIND.get(phonenumbers.number_type(number), PhoneKind.OTHER)


def format_phone_number(number: PhoneNumber) -> str:
    """The stored form: '029-224-1111' for Japan, '+16502530000' otherwise."""
    if number.country_code == 81:
        return str(phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL))
    return str(phonenumbers.format_number(number, PhoneNumberFormat.E164))


def to_e164(value: str) -> str:
    """'029-224-1111' → '+81292241111'."""
    return str(phonenumbers.format_number(parse_phone_number(value, allow_international=True), PhoneNumberFormat.E164))


def normalize_phone_number(
    value: str,
    *,
    kinds: Collection[PhoneKind] = DEFAULT_KINDS,
    allow_international: bool = False,
) -> str:
    """Validate a number typed by a resident and return its stored form.

    `kinds` limits Japanese numbers by what they are (a 携帯電話 for SMS, …);
    foreign numbers are allowed or not as a whole."""
    number = parse_phone_number(value, allow_international=allow_international)
    if number.country_code == 81:
        kind = phone_kind(number)
        if kind not in kinds:
            allowed = "、".join(str(KIND_LABELS[k]) for k in PhoneKind if k in kinds)
            raise ValidationError(
                _("%(kind)sの番号は入力できません。入力できる番号：%(allowed)s"),
                code="kind",
                params={"kind": KIND_LABELS[kind], "allowed": allowed},
            )
    return format_phone_number(number)
