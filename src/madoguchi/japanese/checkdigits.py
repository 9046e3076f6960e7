"""Check digits of Japanese public identifiers.

- 地方公共団体コード (local government code): 5 digits and a check digit, modulus 11
  with weights 6…2 (総務省「全国地方公共団体コード」). 笠間市 = 08216 + 3.
- 個人番号 (individual number, My Number): 11 digits and a check digit, modulus 11
  (行政手続における特定の個人を識別するための番号の利用等に関する法律施行令 第8条).
- 法人番号 (corporate number): a leading check digit and 12 digits, modulus 9
  (法人番号の指定等に関する省令 第2条). 国税庁 = 7000012050002.
- GS1 modulus 10 (weights 3 and 1 from the right): JAN/EAN, ITF, the 料金代理収納
  barcode of convenience-store bills, and madoguchi's invoice numbers.

The `is_valid_*` functions take the bare digits; the `validate_*` validators accept what
a resident types (full-width digits, hyphens, spaces) and never put the value itself into
their error, so that a 個人番号 cannot reach a log through an error message.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .normalize import normalize_digits


def _is_digits(value: str, length: int) -> bool:
    return len(value) == length and value.isascii() and value.isdigit()


def gs1_check_digit(digits: str) -> int:
    """Modulus 10, weights 3 and 1 alternating from the rightmost digit (weight 3)."""
    if not (digits.isascii() and digits.isdigit()):
        raise ValueError("check digits are computed over digits only")
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(digits)))
    return (10 - total % 10) % 10


# --- 地方公共団体コード ------------------------------------------------------------------


def local_government_code_check_digit(first_five: str) -> int:
    """The sixth digit of a local government code: 11 − (Σ digit×weight mod 11), the
    weights 6, 5, 4, 3, 2; a result of 10 or 11 is written as its last digit."""
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


def is_valid_local_government_code(value: str) -> bool:
    return _is_digits(value, 6) and local_government_code_check_digit(value[:5]) == int(value[5])


def normalize_local_government_code(value: str, *, accept_five_digits: bool = False) -> str:
    """The 6-digit code from what was typed; a 5-digit code (JIS X 0402, as in postal
    data) gets its check digit appended when `accept_five_digits`."""
    digits = normalize_digits(value or "")
    if accept_five_digits and _is_digits(digits, 5):
        return f"{digits}{local_government_code_check_digit(digits)}"
    return digits


def validate_local_government_code(value: str) -> None:
    value = normalize_digits(value or "")
    if not _is_digits(value, 6):
        raise ValidationError(_("地方公共団体コードは6桁の数字で入力してください。"), code="format")
    if not is_valid_local_government_code(value):
        raise ValidationError(_("地方公共団体コードの検査数字が正しくありません。"), code="check_digit")


# --- 個人番号 --------------------------------------------------------------------------


def individual_number_check_digit(first_eleven: str) -> int:
    """検査用数字 of a 個人番号: Σ Pn×Qn over the 11 digits from the right,
    Qn = n+1 for n ≤ 6 and n−5 for n ≥ 7; 11 − (Σ mod 11), or 0 when Σ mod 11 ≤ 1."""
    digits = [int(d) for d in reversed(first_eleven)]
    if len(digits) != 11:
        raise ValueError("a 個人番号 has 11 digits before its check digit")
    total = sum(p * (n + 1 if n <= 6 else n - 5) for n, p in enumerate(digits, start=1))
    remainder = total % 11
    return 0 if remainder <= 1 else 11 - remainder


def is_valid_individual_number(value: str) -> bool:
    return _is_digits(value, 12) and individual_number_check_digit(value[:11]) == int(value[11])


def validate_individual_number(value: str) -> None:
    value = normalize_digits(value or "")
    if not _is_digits(value, 12):
        raise ValidationError(_("個人番号は12桁の数字で入力してください。"), code="format")
    if not is_valid_individual_number(value):
        raise ValidationError(_("個人番号の検査用数字が正しくありません。"), code="check_digit")


# --- 法人番号 --------------------------------------------------------------------------


def corporate_number_check_digit(base_twelve: str) -> int:
    """検査用数字 of a 法人番号: 9 − ((Σ Pn×Qn) mod 9) over the 12 digits from the right,
    Qn = 1 for odd n and 2 for even n."""
    digits = [int(d) for d in reversed(base_twelve)]
    if len(digits) != 12:
        raise ValueError("a 法人番号 has 12 digits after its check digit")
    total = sum(p * (1 if n % 2 else 2) for n, p in enumerate(digits, start=1))
    return 9 - total % 9


def is_valid_corporate_number(value: str) -> bool:
    return _is_digits(value, 13) and corporate_number_check_digit(value[1:]) == int(value[0])


def validate_corporate_number(value: str) -> None:
    value = normalize_digits(value or "")
    if not _is_digits(value, 13):
        raise ValidationError(_("法人番号は13桁の数字で入力してください。"), code="format")
    if not is_valid_corporate_number(value):
        raise ValidationError(_("法人番号の検査用数字が正しくありません。"), code="check_digit")
