"""Django forms built from definitions (formbuild): the Japanese toolkit fields, the
conditions decided from earlier answers or in the page, the stored format of the values,
files, the correction form of chosen fields, and the error messages."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from madoguchi.japanese import forms as jp
from madoguchi.procedures import formbuild, formdef

from .factories import sample_definition

STEP1 = {
    "name": "ｶｻﾏ 花子",
    "name_kana": "かさま　はなこ",
    "email": "ＨＡＮＡＫＯ@example.jp",
    "postal_code": "〒３０９－１７９２",
    "address": "茨城県笠間市中央三丁目２番１号",
    "birth_date_era": "showa",
    "birth_date_year": "６０",
    "birth_date_month": "4",
    "birth_date_day": "1",
}


def definition(**changes: Any) -> formdef.FormDefinition:
    raw = sample_definition()
    for change in changes.values():
        change(raw)
    return formdef.parse(raw)


def test_fields_are_the_japanese_toolkit_fields() -> None:
    form = formbuild.build_step_form(definition(), 0)
    assert isinstance(form.fields["name"], jp.NameField)
    assert isinstance(form.fields["name_kana"], jp.KatakanaField)
    assert isinstance(form.fields["email"], jp.NormalizedEmailField)
    assert isinstance(form.fields["postal_code"], jp.PostalCodeField)
    assert isinstance(form.fields["address"], jp.AddressField)
    assert isinstance(form.fields["birth_date"], jp.WarekiDateField)
    assert form.fields["name"].required
    assert not form.fields["birth_date"].required
    # The postal code fills its address field (an htmx lookup naming the target input).
    html = str(form["postal_code"])
    assert "hx-get" in html
    assert "id_address" in html
    step2 = formbuild.build_step_form(definition(), 1)
    copies = step2.fields["copies"]
    assert isinstance(copies, forms.IntegerField)
    assert (copies.min_value, copies.max_value) == (1, 10)
    assert step2.fields["scope"].widget.input_type == "radio"


def test_values_come_back_in_the_stored_format() -> None:
    form = formbuild.build_step_form(definition(), 0, data=STEP1)
    assert form.is_valid(), form.errors
    assert form.cleaned_values() == {
        "name": "カサマ　花子",
        "name_kana": "カサマ　ハナコ",
        "email": "HANAKO@example.jp",
        "postal_code": "309-1792",
        "address": "茨城県笠間市中央三丁目2番1号",
        "birth_date": "1985-04-01",
    }
    json.dumps(form.cleaned_values())
    step2 = formbuild.build_step_form(definition(), 1, data={"scope": "all", "copies": "２", "agree": "on"})
    assert step2.is_valid(), step2.errors
    assert step2.cleaned_values() == {"scope": "all", "copies": 2, "agree": True}
    assert step2.uploaded_files() == {}


def test_stored_values_are_shown_again() -> None:
    stored = {"name": "笠間 花子", "birth_date": "1985-04-01", "copies": 3}
    form = formbuild.build_step_form(definition(), 0, stored=stored)
    html = form.render()
    assert 'value="笠間 花子"' in html
    assert 'value="60"' in html  # 昭和60年
    assert 'value="3"' in str(formbuild.build_step_form(definition(), 1, stored=stored)["copies"])


def test_errors_are_clear_and_translated() -> None:
    form = formbuild.build_step_form(definition(), 1, data={"copies": "11", "scope": "nope"})
    assert not form.is_valid()
    assert form.errors["copies"] == ["10以下の数を入力してください。"]
    assert form.errors["scope"] == ["選択肢の中から選んでください。"]
    assert form.errors["agree"] == ["「記載内容に誤りはありません」を確認のうえ、チェックしてください。"]
    form = formbuild.build_step_form(definition(), 1, data={"copies": "two"})
    assert form.errors["copies"] == ["「通数」は半角または全角の数字で入力してください。"]
    assert form.errors["scope"] == ["「世帯全員／一部」を選んでください。"]
    with translation.override("en"):
        form = formbuild.build_step_form(definition(), 1, data={})
        assert form.fields["copies"].label == "Copies"


def test_a_condition_in_the_same_step_is_decided_with_the_submitted_values() -> None:
    form = formbuild.build_step_form(definition(), 1)
    # Rendered with its condition for the script, and a hint for readers without it.
    html = form.render()
    assert 'data-show-if="{&quot;field&quot;:&quot;scope&quot;,&quot;equals&quot;:&quot;part&quot;}"' in html
    assert "「世帯全員／一部」が「世帯の一部」の場合に入力してください。" in html
    assert not form.fields["members"].required  # the browser must not insist on it
    part = formbuild.build_step_form(definition(), 1, data={"scope": "part", "copies": "1", "agree": "on"})
    assert not part.is_valid()
    assert part.errors["members"] == ["「必要な方の氏名」を入力してください。"]
    # Not asked: what was typed there is dropped, no error.
    hidden = formbuild.build_step_form(
        definition(), 1, data={"scope": "all", "copies": "1", "agree": "on", "members": "x" * 5000}
    )
    assert hidden.is_valid(), hidden.errors
    assert "members" not in hidden.cleaned_values()


def test_a_condition_on_an_earlier_step_is_decided_from_the_stored_values() -> None:
    def condition(raw: dict[str, Any]) -> None:
        raw["steps"][1]["fields"][1]["show_if"] = {"field": "name_kana", "filled": True}
        raw["steps"][1]["fields"][1]["required_if"] = {"field": "email", "equals": "a@example.jp"}

    d = definition(c=condition)
    assert "members" not in formbuild.build_step_form(d, 1, stored={}).fields
    shown = formbuild.build_step_form(d, 1, stored={"name_kana": "カサマ"})
    assert "members" in shown.fields
    assert not shown.fields["members"].required
    assert "members" not in shown.live_conditions
    required = formbuild.build_step_form(d, 1, stored={"name_kana": "カサマ", "email": "a@example.jp"})
    assert required.fields["members"].required


def test_a_mixed_condition_keeps_only_the_part_in_the_page() -> None:
    def condition(raw: dict[str, Any]) -> None:
        raw["steps"][1]["fields"][1]["show_if"] = {
            "all": [{"field": "name", "filled": True}, {"field": "scope", "equals": "part"}]
        }

    form = formbuild.build_step_form(definition(c=condition), 1, stored={"name": "笠間"})
    assert form.live_conditions["members"][0] == {"field": "scope", "equals": "part"}
    # An earlier answer that rules it out leaves the field out altogether.
    assert "members" not in formbuild.build_step_form(definition(c=condition), 1, stored={}).fields


def test_files_are_returned_apart_and_a_stored_file_is_enough() -> None:
    def required_file(raw: dict[str, Any]) -> None:
        raw["steps"][1]["fields"][3]["required"] = True

    d = definition(c=required_file)
    upload = SimpleUploadedFile("id.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    data = {"scope": "all", "copies": "1", "agree": "on"}
    form = formbuild.build_step_form(d, 1, data=data, files={"id_document": upload})
    assert form.is_valid(), form.errors
    assert "id_document" not in form.cleaned_values()
    assert form.uploaded_files() == {"id_document": upload}
    # A file is checked by content elsewhere; here any name is accepted.
    odd = SimpleUploadedFile("photo.exe", b"\x89PNG\r\n", content_type="application/octet-stream")
    assert formbuild.build_step_form(d, 1, data=data, files={"id_document": odd}).is_valid()
    # Required and missing.
    missing = formbuild.build_step_form(d, 1, data=data)
    assert missing.errors["id_document"] == ["「本人確認書類」のファイルを選んでください。"]
    # Already sent in an earlier visit: not asked again.
    stored = {"id_document": [{"attachment": 1, "name": "id.pdf", "sha256": "0" * 64, "size": 10}]}
    again = formbuild.build_step_form(d, 1, data=data, initial=stored, stored=stored)
    assert again.is_valid(), again.errors
    assert "id.pdf" in again.render()


def test_notices_are_text_and_help_is_escaped() -> None:
    def notice(raw: dict[str, Any]) -> None:
        raw["steps"][0]["fields"].insert(
            0, {"key": "about", "type": "notice", "label": {"ja": "本人確認書類をご用意ください。"}}
        )
        raw["steps"][0]["fields"][1]["help"] = {"ja": "<script>alert(1)</script>戸籍上の氏名"}

    form = formbuild.build_step_form(definition(c=notice), 0, data={**STEP1})
    html = form.render()
    assert '<p class="procedure-notice">本人確認書類をご用意ください。</p>' in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html
    assert form.is_valid(), form.errors
    assert "about" not in form.cleaned_values()


def test_the_correction_form_has_only_the_named_fields() -> None:
    stored = {"name": "笠間 花子", "copies": 2, "scope": "all"}
    form = formbuild.build_fields_form(definition(), ["copies", "name", "nothing"], stored=stored)
    assert list(form.fields) == ["name", "copies"]
    assert 'value="2"' in str(form["copies"])
    bound = formbuild.build_fields_form(definition(), ["copies"], data={"copies": "4"}, stored=stored)
    assert bound.is_valid()
    assert bound.cleaned_values() == {"copies": 4}


def test_describe_condition() -> None:
    d = definition()
    assert formbuild.describe_condition({"field": "scope", "in": ["all", "part"]}, d) == (
        "「世帯全員／一部」が「世帯全員」「世帯の一部」のいずれかの場合"
    )
    assert formbuild.describe_condition({"field": "agree", "equals": True}, d) == (
        "「記載内容に誤りはありません」が「はい」の場合"
    )
    assert (
        formbuild.describe_condition(
            {"any": [{"field": "name", "filled": True}, {"field": "copies", "not_equals": 1}]}, d
        )
        == "「氏名」を入力した場合、または「通数」が「1」以外の場合"
    )
