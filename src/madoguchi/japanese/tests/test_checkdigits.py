"""Check digits of 地方公共団体コード, 個人番号 and 法人番号."""

from __future__ import annotations

import random

import pytest
from django.core.exceptions import ValidationError

from madoguchi.japanese import checkdigits

# Published corporate numbers: 国税庁, 東京都, トヨタ自動車, and 笠間市 (a local public
# entity's number is its check digit, 000020 and its local government code).
REAL_CORPORATE_NUMBERS = ["7000012050002", "8000020130001", "1180301018771", "4000020082163"]
REAL_LOCAL_GOVERNMENT_CODES = ["082163", "082015", "131016", "011002", "472085", "130001"]


def _individual(first_eleven: str) -> str:
    return first_eleven + str(checkdigits.individual_number_check_digit(first_eleven))


def _corporate(base_twelve: str) -> str:
    return str(checkdigits.corporate_number_check_digit(base_twelve)) + base_twelve


def _generated(count: int, length: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice("0123456789") for _ in range(length)) for _ in range(count)]


def _altered(value: str, position: int) -> str:
    """One digit changed by one (never 9↔0, which a modulus-9 check cannot see)."""
    digit = int(value[position])
    new = digit + 1 if digit < 9 else digit - 1
    return value[:position] + str(new) + value[position + 1 :]


# --- 地方公共団体コード ------------------------------------------------------------------


@pytest.mark.parametrize("code", REAL_LOCAL_GOVERNMENT_CODES)
def test_real_local_government_codes(code: str) -> None:
    assert checkdigits.is_valid_local_government_code(code)
    checkdigits.validate_local_government_code(code)


def test_local_government_check_digit_formula() -> None:
    # 0×6 + 8×5 + 2×4 + 1×3 + 6×2 = 63; 63 mod 11 = 8; 11 − 8 = 3
    assert checkdigits.local_government_code_check_digit("08216") == 3
    # Σ mod 11 = 0 gives 11, written as 1; Σ mod 11 = 1 gives 10, written as 0.
    assert checkdigits.local_government_code_check_digit("00000") == 1
    assert checkdigits.local_government_code_check_digit("00006") == 0  # 6×2 = 12, 12 mod 11 = 1
    for five in _generated(200, 5, seed=1):
        total = sum(int(d) * w for d, w in zip(five, (6, 5, 4, 3, 2), strict=True))
        assert checkdigits.local_government_code_check_digit(five) == (11 - total % 11) % 10


@pytest.mark.parametrize("position", range(6))
def test_every_wrong_local_government_digit_is_detected(position: int) -> None:
    assert not checkdigits.is_valid_local_government_code(_altered("082163", position))


@pytest.mark.parametrize(
    ("value", "code"),
    [("08216", "format"), ("0821634", "format"), ("08216a", "format"), ("082164", "check_digit"), ("", "format")],
)
def test_local_government_code_errors(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        checkdigits.validate_local_government_code(value)
    assert caught.value.code == code


def test_local_government_code_as_typed() -> None:
    checkdigits.validate_local_government_code("０８２１６３")
    assert checkdigits.normalize_local_government_code("08216", accept_five_digits=True) == "082163"
    assert checkdigits.normalize_local_government_code("08216") == "08216"


# --- 個人番号 --------------------------------------------------------------------------


@pytest.mark.parametrize("first_eleven", _generated(50, 11, seed=2))
def test_generated_individual_numbers_are_valid(first_eleven: str) -> None:
    number = _individual(first_eleven)
    assert checkdigits.is_valid_individual_number(number)
    checkdigits.validate_individual_number(number)
    checkdigits.validate_individual_number(f"{number[:4]}-{number[4:8]}-{number[8:]}")
    checkdigits.validate_individual_number(number.translate(str.maketrans("0123456789", "０１２３４５６７８９")))


def test_individual_number_check_digit_formula() -> None:
    # Weights from the right: 2 3 4 5 6 7 2 3 4 5 6; 123456789 01 → Σ mod 11 decides.
    digits = [int(d) for d in reversed("12345678901")]
    total = sum(p * q for p, q in zip(digits, (2, 3, 4, 5, 6, 7, 2, 3, 4, 5, 6), strict=True))
    expected = 0 if total % 11 <= 1 else 11 - total % 11
    assert checkdigits.individual_number_check_digit("12345678901") == expected
    with pytest.raises(ValueError, match="11 digits"):
        checkdigits.individual_number_check_digit("123")


@pytest.mark.parametrize("first_eleven", _generated(10, 11, seed=3))
@pytest.mark.parametrize("position", range(12))
def test_every_wrong_individual_number_digit_is_detected(first_eleven: str, position: int) -> None:
    assert not checkdigits.is_valid_individual_number(_altered(_individual(first_eleven), position))


@pytest.mark.parametrize(
    ("value", "code"),
    [("12345678901", "format"), ("1234567890123", "format"), ("1234567890ab", "format"), ("", "format")],
)
def test_individual_number_format_errors(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        checkdigits.validate_individual_number(value)
    assert caught.value.code == code


def test_individual_number_errors_never_contain_the_number() -> None:
    number = _individual("98765432109")
    wrong = _altered(number, 3)
    with pytest.raises(ValidationError) as caught:
        checkdigits.validate_individual_number(wrong)
    assert caught.value.code == "check_digit"
    assert wrong not in repr(caught.value)
    assert wrong not in str(caught.value.__dict__)


# --- 法人番号 --------------------------------------------------------------------------


@pytest.mark.parametrize("number", REAL_CORPORATE_NUMBERS)
def test_real_corporate_numbers(number: str) -> None:
    assert checkdigits.is_valid_corporate_number(number)
    checkdigits.validate_corporate_number(number)
    checkdigits.validate_corporate_number(f"{number[0]}-{number[1:5]}-{number[5:9]}-{number[9:]}")


@pytest.mark.parametrize("number", REAL_CORPORATE_NUMBERS)
@pytest.mark.parametrize("position", range(13))
def test_every_wrong_corporate_digit_is_detected(number: str, position: int) -> None:
    assert not checkdigits.is_valid_corporate_number(_altered(number, position))


@pytest.mark.parametrize("base", _generated(50, 12, seed=4))
def test_generated_corporate_numbers(base: str) -> None:
    number = _corporate(base)
    assert checkdigits.is_valid_corporate_number(number)
    for wrong_check in set("123456789") - {number[0]}:
        assert not checkdigits.is_valid_corporate_number(wrong_check + base)


def test_local_public_entities_have_corporate_numbers_from_their_code() -> None:
    for code in REAL_LOCAL_GOVERNMENT_CODES:
        assert checkdigits.is_valid_corporate_number(_corporate(f"000020{code}"))
    assert _corporate("000020082163") == "4000020082163"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("700001205000", "format"),
        ("70000120500021", "format"),
        ("8000012050002", "check_digit"),
        ("T7000012050002", "format"),
    ],
)
def test_corporate_number_errors(value: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        checkdigits.validate_corporate_number(value)
    assert caught.value.code == code
