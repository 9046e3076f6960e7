"""The form fields: what they clean, what they refuse and how they render."""

from __future__ import annotations

import datetime as dt
import html as html_module
import json
import re
from typing import Any

import pytest
from django import forms
from django.utils import translation

from madoguchi.japanese import forms as jp
from madoguchi.japanese import normalize, wareki
from madoguchi.japanese.checkdigits import individual_number_check_digit
from madoguchi.japanese.phone import PhoneKind


def clean(field: forms.Field, value: Any) -> Any:
    return field.clean(value)


def errors(field: forms.Field, value: Any) -> list[str]:
    try:
        field.clean(value)
    except forms.ValidationError as error:
        return list(error.messages)
    raise AssertionError(f"{value!r} was accepted")


# --- Normalised text ------------------------------------------------------------------


def test_name_field() -> None:
    field = jp.NameField(max_length=10)
    assert clean(field, "  ﾔﾏﾀﾞ　 太郎 ") == "ヤマダ\u3000太郎"
    assert clean(field, "Ｊｏｈｎ  Ｓｍｉｔｈ") == "John Smith"
    # Length is measured after normalisation: 12 typed characters, 10 stored.
    assert clean(field, " 山田　　　太郎一二三 ") == "山田\u3000太郎一二三"
    assert errors(jp.NameField(), "   ") == [str(forms.Field.default_error_messages["required"])]
    assert 'autocomplete="name"' in field.widget.render("name", "", field.widget_attrs(field.widget))


def test_address_field() -> None:
    assert clean(jp.AddressField(), "笠間１２３４ー５　マドグチビル") == "笠間1234-5 マドグチビル"


def test_normalized_char_field_with_any_normalizer() -> None:
    field = jp.NormalizedCharField(normalizer=normalize.normalize_digits, max_length=4)
    assert clean(field, "１２－３４") == "1234"
    assert jp.NormalizedCharField().clean(" as is ") == "as is"


def test_email_field() -> None:
    field = jp.NormalizedEmailField()
    assert clean(field, "ＹＡＭＡＤＡ＠Ｅｘａｍｐｌｅ．ｊｐ") == "YAMADA@example.jp"
    assert errors(field, "yamada.example.jp")
    assert 'type="text"' in field.widget.render("email", "")
    assert 'inputmode="email"' in field.widget.render("email", "")


@pytest.mark.parametrize(("value", "amount"), [("１，２００円", 1200), ("¥1,200", 1200), ("1200", 1200), (1200, 1200)])
def test_amount_field(value: Any, amount: int) -> None:
    assert clean(jp.AmountField(), value) == amount


def test_amount_field_errors_and_limits() -> None:
    assert errors(jp.AmountField(), "千二百円") == ["金額は数字で入力してください（例：1,200）。"]
    assert errors(jp.AmountField(), "12.5")
    assert errors(jp.AmountField(min_value=0), "△100")
    assert clean(jp.AmountField(required=False), "") is None


def test_katakana_field() -> None:
    field = jp.KatakanaField()
    assert clean(field, "やまだ　ﾀﾛｳ") == "ヤマダ\u3000タロウ"
    assert clean(field, "めーる") == "メール"
    assert errors(field, "山田たろう") == ["カタカナで入力してください。使えない文字：「山」「田」"]
    attrs = field.widget_attrs(field.widget)
    assert attrs["lang"] == "ja"


def test_hiragana_field() -> None:
    field = jp.HiraganaField(max_length=20)
    assert clean(field, "ヤマダ　タロウ") == "やまだ\u3000たろう"
    assert errors(field, "ヤマダA") == ["ひらがなで入力してください。使えない文字：「A」"]


def test_phone_field() -> None:
    field = jp.JapanesePhoneField()
    assert clean(field, "０２９６（７７）１１０１") == "0296-77-1101"
    assert clean(field, "+81 90 1234 5678") == "090-1234-5678"
    assert errors(field, "0570-000-123")
    assert 'type="tel"' in field.widget.render("tel", "")
    assert clean(jp.JapanesePhoneField(kinds={PhoneKind.NAVI_DIAL}), "0570000123") == "0570-000-123"
    assert clean(jp.JapanesePhoneField(allow_international=True), "+1 650 253 0000") == "+16502530000"
    assert clean(jp.JapanesePhoneField(required=False), "") == ""


# --- Identifiers ----------------------------------------------------------------------


def test_individual_number_field_never_echoes_the_number() -> None:
    field = jp.IndividualNumberField()
    valid = "12345678901" + str(individual_number_check_digit("12345678901"))
    assert clean(field, f"{valid[:4]}-{valid[4:8]}-{valid[8:]}") == valid
    assert clean(field, valid.translate(str.maketrans("0123456789", "０１２３４５６７８９"))) == valid
    wrong = valid[:11] + str((int(valid[11]) + 1) % 10)
    with pytest.raises(forms.ValidationError) as caught:
        field.clean(wrong)
    assert caught.value.messages == ["個人番号の検査用数字が正しくありません。"]
    for error in caught.value.error_list:
        assert wrong not in str(error.message)
        assert not error.params
    assert caught.value.__cause__ is None
    assert wrong not in repr(caught.value)
    assert field.sensitive is True
    rendered = field.widget.render("individual_number", "")
    assert 'autocomplete="off"' in rendered
    assert 'inputmode="numeric"' in rendered
    # Too long: refused by the field, not by a length validator that keeps the value.
    with pytest.raises(forms.ValidationError) as caught:
        field.clean("1234567890123")
    assert all(not e.params for e in caught.value.error_list)


def test_corporate_number_field() -> None:
    field = jp.CorporateNumberField()
    assert clean(field, "7000012050002") == "7000012050002"
    assert clean(field, "７－０００－０１２０－５０００２") == "7000012050002"
    assert errors(field, "8000012050002") == ["法人番号の検査用数字が正しくありません。"]
    assert errors(field, "700001205000") == ["法人番号は13桁の数字で入力してください。"]


def test_local_government_code_field() -> None:
    assert clean(jp.LocalGovernmentCodeField(), "082163") == "082163"
    assert errors(jp.LocalGovernmentCodeField(), "08216") == ["地方公共団体コードは6桁の数字で入力してください。"]
    assert clean(jp.LocalGovernmentCodeField(accept_five_digits=True), "08216") == "082163"
    assert errors(jp.LocalGovernmentCodeField(), "082164") == ["地方公共団体コードの検査数字が正しくありません。"]


# --- Dates ----------------------------------------------------------------------------


class DateForm(forms.Form):
    birth_date = jp.WarekiDateField(label="生年月日")
    start = jp.WarekiDateTextField(label="開始日", required=False)


def date_form(era: str, year: str, month: str, day: str, **extra: str) -> DateForm:
    data = {"birth_date_era": era, "birth_date_year": year, "birth_date_month": month, "birth_date_day": day}
    return DateForm(data={**data, **extra})


@pytest.mark.parametrize(
    ("era", "year", "month", "day", "expected"),
    [
        ("reiwa", "6", "4", "1", dt.date(2024, 4, 1)),
        ("reiwa", "元", "5", "1", dt.date(2019, 5, 1)),
        ("reiwa", "1", "5", "1", dt.date(2019, 5, 1)),
        ("heisei", "３１", "４", "３０", dt.date(2019, 4, 30)),
        ("showa", "64", "1", "7", dt.date(1989, 1, 7)),
        ("taisho", "1", "7", "30", dt.date(1912, 7, 30)),
        ("meiji", "1", "10", "23", dt.date(1868, 10, 23)),
        ("seireki", "2024", "4", "1", dt.date(2024, 4, 1)),
        ("seireki", "1850", "1", "1", dt.date(1850, 1, 1)),
    ],
)
def test_wareki_date_field(era: str, year: str, month: str, day: str, expected: dt.date) -> None:
    form = date_form(era, year, month, day)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["birth_date"] == expected


@pytest.mark.parametrize(
    ("era", "year", "month", "day", "message"),
    [
        (
            "heisei",
            "31",
            "5",
            "1",
            "平成31年5月1日という日付はありません。その日は令和元年5月1日（2019年5月1日）です。",
        ),
        ("showa", "65", "1", "1", "その日は平成2年1月1日（1990年1月1日）です。"),
        ("reiwa", "6", "2", "30", "2月30日という日はありません。"),
        ("reiwa", "5", "2", "29", "2023年は閏年ではないため、2月29日はありません。"),
        ("reiwa", "6", "13", "1", "月は1から12までの数字で入力してください。"),
        ("reiwa", "0", "1", "1", "年は元年（1年）以上の数字で入力してください。"),
        ("reiwa", "六", "1", "1", "日付の形式が正しくありません。"),
        ("seireki", "元", "1", "1", "日付の形式が正しくありません。"),
        ("meiji", "1", "1", "1", "より前の日付は和暦では扱えません"),
        ("", "6", "4", "1", "未入力：元号"),
        ("reiwa", "6", "", "", "未入力：月、日"),
        ("edo", "6", "4", "1", "元号を選んでください。"),
    ],
)
def test_wareki_date_field_errors(era: str, year: str, month: str, day: str, message: str) -> None:
    form = date_form(era, year, month, day)
    assert not form.is_valid()
    assert message in " ".join(form.errors["birth_date"])


def test_wareki_date_field_required_and_optional() -> None:
    form = date_form("", "", "", "")
    assert form.errors["birth_date"] == [str(forms.Field.default_error_messages["required"])]

    class Optional(forms.Form):
        day = jp.WarekiDateField(required=False)

    form = Optional(data={"day_era": "", "day_year": "", "day_month": "", "day_day": ""})
    assert form.is_valid()
    assert form.cleaned_data["day"] is None


def test_wareki_date_field_range() -> None:
    class Birth(forms.Form):
        born = jp.WarekiDateField(max_date=lambda: dt.date(2024, 4, 1), min_date=dt.date(1900, 1, 1))

    future = Birth(data={"born_era": "reiwa", "born_year": "6", "born_month": "4", "born_day": "2"})
    assert future.errors["born"] == ["令和6年4月1日（2024年4月1日）以前の日付を入力してください。"]
    old = Birth(data={"born_era": "seireki", "born_year": "1899", "born_month": "12", "born_day": "31"})
    assert old.errors["born"] == ["明治33年1月1日（1900年1月1日）以降の日付を入力してください。"]


def test_wareki_date_field_limited_eras() -> None:
    class Recent(forms.Form):
        day = jp.WarekiDateField(eras=(wareki.HEISEI, wareki.REIWA), allow_seireki=False)

    html = str(Recent()["day"])
    assert 'value="reiwa"' in html
    assert 'value="heisei"' in html
    assert 'value="showa"' not in html
    assert 'value="seireki"' not in html
    form = Recent(data={"day_era": "showa", "day_year": "60", "day_month": "1", "day_day": "1"})
    assert form.errors["day"] == ["元号を選んでください。"]


def test_wareki_date_widget_renders_labelled_parts_in_a_fieldset() -> None:
    with translation.override("ja"):
        form = DateForm(initial={"birth_date": dt.date(2019, 5, 1)})
        html = form.as_div()
    assert "<fieldset" in html
    assert "<legend>生年月日" in html
    for index, label in enumerate(("元号", "年", "月", "日")):
        assert re.search(rf'<label for="id_birth_date_{index}">{label}</label>', html)
        assert f'id="id_birth_date_{index}"' in html
    assert '<option value="reiwa" selected>令和</option>' in html
    assert re.search(r'name="birth_date_year" value="1"', html)
    assert re.search(r'name="birth_date_month" value="5"', html)
    assert 'inputmode="numeric"' in html
    # 年 follows its input in Japanese: [ 1 ]年
    assert re.search(r'id="id_birth_date_1">\s*<label for="id_birth_date_1">年</label>', html)
    assert form.media.render_css()
    assert "japanese/japanese.css" in str(form.media)


def test_wareki_date_widget_in_english() -> None:
    with translation.override("en"):
        html = DateForm().as_div()
    assert '<label for="id_birth_date_0">Era</label>' in html
    assert "Reiwa (2019–)" in html
    assert "Western calendar" in html
    assert re.search(r'<label for="id_birth_date_1">Year</label><input', html)


def test_wareki_date_widget_shows_dates_before_meiji_in_seireki() -> None:
    html = str(DateForm(initial={"birth_date": dt.date(1850, 1, 1)})["birth_date"])
    assert '<option value="seireki" selected>' in html
    assert 'value="1850"' in html


def test_wareki_date_text_field() -> None:
    form = date_form("reiwa", "6", "4", "1", start="R1.5.1")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["start"] == dt.date(2019, 5, 1)
    form = date_form("reiwa", "6", "4", "1", start="平成31年5月1日")
    assert form.errors["start"] == [
        "平成31年5月1日という日付はありません。その日は令和元年5月1日（2019年5月1日）です。"
    ]
    shown = str(DateForm(initial={"start": dt.date(2024, 4, 1)})["start"])
    assert 'value="令和6年4月1日"' in shown
    assert jp.WarekiDateTextField().clean(dt.datetime(2024, 4, 1, 10, 0)) == dt.date(2024, 4, 1)
    assert jp.WarekiDateTextField(required=False).clean("") is None
    with pytest.raises(forms.ValidationError):
        jp.WarekiDateTextField(allow_seireki=False).clean("2024-04-01")
    with pytest.raises(forms.ValidationError) as caught:
        jp.WarekiDateTextField(min_date=dt.date(2024, 1, 1)).clean("R5.12.31")
    assert caught.value.code == "min_date"


# --- Postal code ----------------------------------------------------------------------


class AddressForm(forms.Form):
    postal_code = jp.PostalCodeField(autofill={"prefecture": "prefecture", "city": "city", "town": "town"})
    prefecture = forms.CharField(
        max_length=10, help_text="都道府県", widget=forms.TextInput(attrs={"autocomplete": "address-level1"})
    )
    city = forms.CharField(max_length=50)
    town = jp.AddressField(required=False)
    note = forms.CharField(required=False, widget=forms.Textarea)


def test_postal_code_field_cleans() -> None:
    field = jp.PostalCodeField()
    assert clean(field, "〒３０９－１６１１") == "309-1611"
    assert clean(field, "3091611") == "309-1611"
    assert errors(field, "309-161") == ["郵便番号は7桁の数字で入力してください（例：309-1611）。"]
    assert errors(field, "123-4567") == ["郵便番号123-4567は見つかりませんでした。番号をお確かめください。"]
    assert clean(jp.PostalCodeField(must_exist=False), "1234567") == "123-4567"


def test_postal_code_field_rejects_unknown_parts() -> None:
    with pytest.raises(Exception, match="cannot fill"):
        jp.PostalCodeField(autofill={"street": "street"})


def test_postal_code_input_describes_the_inputs_it_fills() -> None:
    bound = AddressForm(prefix="applicant")["postal_code"]
    html = str(bound)
    assert 'hx-get="/postal-codes/lookup/"' in html
    assert 'hx-swap="none"' in html
    assert 'autocomplete="postal-code"' in html
    assert 'id="id_applicant-postal_code_status" role="status"' in html
    hx_vals = json.loads(_attr(html, "hx-vals"))
    description = json.loads(hx_vals["autofill"])
    assert description["source"] == "applicant-postal_code"
    assert description["status"] == "id_applicant-postal_code_status"
    targets = {t["part"]: t for t in description["targets"]}
    assert targets["prefecture"] == {
        "part": "prefecture",
        "id": "id_applicant-prefecture",
        "name": "applicant-prefecture",
        "attrs": {
            "autocomplete": "address-level1",
            "maxlength": "10",
            "required": True,
            "aria-describedby": "id_applicant-prefecture_helptext",
        },
    }
    assert targets["town"]["attrs"] == {}


def test_postal_code_input_skips_fields_it_cannot_fill() -> None:
    class Form(forms.Form):
        postal_code = jp.PostalCodeField(autofill={"prefecture": "prefecture", "address": "note", "city": "missing"})
        prefecture = forms.ChoiceField(choices=[("茨城県", "茨城県")])
        note = forms.CharField(widget=forms.Textarea)

    description = json.loads(json.loads(_attr(str(Form()["postal_code"]), "hx-vals"))["autofill"])
    assert description["targets"] == []


def test_postal_code_without_autofill_has_no_lookup() -> None:
    class Form(forms.Form):
        postal_code = jp.PostalCodeField(autofill={})

    assert "hx-get" not in str(Form()["postal_code"])


def _attr(html: str, name: str) -> str:
    match = re.search(rf'{name}="([^"]*)"', html)
    assert match, f"{name} not in {html}"
    return html_module.unescape(match.group(1))


# --- Banking --------------------------------------------------------------------------


def account(**data: str) -> jp.BankAccountForm:
    defaults = {
        "bank_code": "0130",
        "branch_code": "041",
        "account_type": "1",
        "account_number": "12345",
        "account_holder_kana": "やまだ　たろう",
    }
    return jp.BankAccountForm(data={**defaults, **data})


def test_bank_account_form() -> None:
    form = account()
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "bank_code": "0130",
        "branch_code": "041",
        "account_type": "1",
        "account_number": "0012345",
        "account_holder_kana": "ﾔﾏﾀﾞ ﾀﾛｳ",
    }
    assert account(bank_code="０１３０", branch_code="０４１").is_valid()


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"bank_code": "0002"}, "bank_code", "金融機関コード0002の金融機関は見つかりません。"),
        ({"bank_code": "130"}, "bank_code", "金融機関コードは4桁の数字で入力してください。"),
        ({"branch_code": "999"}, "branch_code", "「常陽」に支店コード999の支店はありません。"),
        ({"branch_code": "41"}, "branch_code", "支店コード（店番）は3桁の数字で入力してください。"),
        ({"account_number": "12345678"}, "account_number", "口座番号は7桁以内の数字で入力してください。"),
        ({"account_type": "3"}, "account_type", "invalid_choice"),
        (
            {"account_holder_kana": "山田 太郎"},
            "account_holder_kana",
            "口座名義に使えない文字があります：「山」「田」「太」「郎」。"
            "カタカナ・英大文字・数字・スペースと ( ) . - / で入力してください。",
        ),
        ({"account_holder_kana": "ア" * 31}, "account_holder_kana", "max_length"),
    ],
)
def test_bank_account_form_errors(data: dict[str, str], field: str, message: str) -> None:
    form = account(**data)
    assert not form.is_valid()
    if message in ("invalid_choice", "max_length"):  # Django's own messages
        assert form.has_error(field, message)
    else:
        assert form.errors[field] == [message]


def test_branch_is_not_checked_without_a_valid_bank() -> None:
    form = account(bank_code="0002", branch_code="999")
    assert "branch_code" not in form.errors


def test_voiced_kana_count_twice_in_zengin_names() -> None:
    # 15 ガ are 30 half-width characters (ｶﾞ), the limit.
    assert account(account_holder_kana="ガ" * 15).is_valid()
    assert not account(account_holder_kana="ガ" * 16).is_valid()


def test_bank_code_inputs_look_up_names() -> None:
    html = account().as_div()
    assert 'hx-get="/banks/lookup/bank/"' in html
    assert 'hx-get="/banks/lookup/branch/"' in html
    assert 'hx-include="#id_bank_code"' in html
    # Without JavaScript, a redisplayed form still names the bank and branch it knows.
    assert (
        '<span class="japanese-lookup-status" id="id_bank_code_status" role="status">常陽（ジヨウヨウ）</span>' in html
    )
    assert '<span class="japanese-lookup-status" id="id_branch_code_status" role="status">笠間（カサマ）</span>' in html
    assert "data-lookup-status" not in html
    branch_vals = json.loads(_attr(str(account()["branch_code"]), "hx-vals"))
    assert branch_vals["bank_field"] == "bank_code"


def test_account_type_field_in_english() -> None:
    with translation.override("en"):
        html = str(jp.BankAccountForm()["account_type"])
    for label in ("Ordinary", "Current", "Savings"):
        assert label in html
