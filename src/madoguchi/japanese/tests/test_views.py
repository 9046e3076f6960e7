"""The htmx endpoints: postal code autofill and bank/branch names."""

from __future__ import annotations

import html
import json
import re

import pytest
from django import forms
from django.test import Client
from django.utils import translation

from madoguchi.japanese import forms as jp

pytestmark = pytest.mark.django_db


class AddressForm(forms.Form):
    postal_code = jp.PostalCodeField(autofill={"prefecture": "prefecture", "city": "city", "town": "town"})
    prefecture = forms.CharField(
        max_length=10, help_text="都道府県", widget=forms.TextInput(attrs={"autocomplete": "address-level1"})
    )
    city = forms.CharField(max_length=50, widget=forms.TextInput(attrs={"autocomplete": "address-level2"}))
    town = jp.AddressField(required=False)


def hx_vals(bound_field: forms.BoundField) -> dict[str, str]:
    match = re.search(r'hx-vals="([^"]*)"', str(bound_field))
    assert match
    return dict(json.loads(html.unescape(match.group(1))))


def lookup(client: Client, code: str, *, prefix: str | None = None, language: str = "") -> str:
    form = AddressForm(prefix=prefix)
    name = form["postal_code"].html_name
    response = client.get(
        f"{language}/postal-codes/lookup/", {**hx_vals(form["postal_code"]), name: code}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    return response.content.decode()


def test_autofill_fills_the_inputs_as_the_form_rendered_them(client: Client) -> None:
    body = lookup(client, "3091611", prefix="applicant")
    assert (
        '<input type="text" name="applicant-prefecture" value="茨城県" autocomplete="address-level1" maxlength="10" '
        'required aria-describedby="id_applicant-prefecture_helptext" id="id_applicant-prefecture" hx-swap-oob="true">'
    ) in body
    assert (
        '<input type="text" name="applicant-city" value="笠間市" autocomplete="address-level2" maxlength="50" '
        'required id="id_applicant-city" hx-swap-oob="true">'
    ) in body
    assert 'name="applicant-town" value="笠間" id="id_applicant-town" hx-swap-oob="true"' in body
    assert (
        '<span id="id_applicant-postal_code_status" hx-swap-oob="innerHTML">住所を入力しました：茨城県笠間市笠間</span>'
    ) in body


def test_full_width_input_is_looked_up(client: Client) -> None:
    body = lookup(client, "〒３０９－１６１１")
    assert 'value="茨城県"' in body


def test_still_typing_clears_the_status(client: Client) -> None:
    body = lookup(client, "309")
    assert body == '<span id="id_postal_code_status" hx-swap-oob="innerHTML"></span>'
    assert lookup(client, "") == body


def test_unknown_code_asks_for_the_address(client: Client) -> None:
    body = lookup(client, "1234567")
    assert 'hx-swap-oob="true"' not in body
    assert "郵便番号123-4567の住所は見つかりませんでした。住所を入力してください。" in body


def test_malformed_code(client: Client) -> None:
    body = lookup(client, "30916111")
    assert "郵便番号は7桁の数字で入力してください" in body
    assert 'value="' not in body


def test_code_shared_by_two_towns_fills_what_is_known(client: Client) -> None:
    body = lookup(client, "0680546")
    assert 'value="北海道"' in body
    assert 'value="夕張市"' in body
    assert 'name="town"' not in body
    assert "北海道夕張市を入力しました。この郵便番号には複数の地域があります。続きを入力してください。" in body


def test_code_shared_by_two_prefectures_fills_nothing(client: Client) -> None:
    body = lookup(client, "4980000")
    assert 'hx-swap-oob="true"' not in body
    assert "この郵便番号には複数の地域があります。住所を入力してください。" in body


def test_messages_in_english(client: Client) -> None:
    body = lookup(client, "3091611", language="/en")
    assert "Address filled in: 茨城県笠間市笠間" in body


def test_descriptions_are_checked(client: Client) -> None:
    url = "/postal-codes/lookup/"
    assert client.get(url, {"postal_code": "3091611"}).status_code == 400
    assert client.get(url, {"autofill": "not json"}).status_code == 400
    bad_source = json.dumps({"source": 'x"><script>', "status": "s", "targets": []})
    assert client.get(url, {"autofill": bad_source}).status_code == 400
    bad_part = json.dumps({"source": "pc", "status": "s", "targets": [{"part": "password", "id": "a", "name": "a"}]})
    assert client.get(url, {"autofill": bad_part, "pc": "3091611"}).status_code == 400
    assert client.post(url).status_code == 405


def test_crafted_attributes_never_reach_the_page(client: Client) -> None:
    description = json.dumps(
        {
            "source": "pc",
            "status": "pc_status",
            "targets": [
                {
                    "part": "prefecture",
                    "id": "id_prefecture",
                    "name": "prefecture",
                    "attrs": {
                        "onfocus": "alert(1)",
                        "style": "color:red",
                        "class": 'x" onmouseover="alert(1)',
                        "autocomplete": "address-level1",
                        "hx-get": "/evil/",
                    },
                }
            ],
        }
    )
    body = client.get("/postal-codes/lookup/", {"autofill": description, "pc": "3091611"}).content.decode()
    assert body.startswith(
        '<input type="text" name="prefecture" value="茨城県" autocomplete="address-level1" id="id_prefecture"'
    )
    for bad in ("onfocus", "style", "onmouseover", "/evil/"):
        assert bad not in body


# --- Banks ----------------------------------------------------------------------------


def bank_hx_vals(field: str) -> dict[str, str]:
    return hx_vals(jp.BankAccountForm()[field])


@pytest.mark.parametrize(
    ("code", "status"),
    [
        ("0130", "常陽（ジヨウヨウ）"),
        ("０００１", "みずほ（ミズホ）"),
        ("0002", "この金融機関コードの金融機関は見つかりません。"),
        ("01", ""),
        ("01a3", "この金融機関コードの金融機関は見つかりません。"),
    ],
)
def test_bank_lookup(client: Client, code: str, status: str) -> None:
    response = client.get("/banks/lookup/bank/", {**bank_hx_vals("bank_code"), "bank_code": code})
    assert response.status_code == 200
    assert response.content.decode() == f'<span id="id_bank_code_status" hx-swap-oob="innerHTML">{status}</span>'


@pytest.mark.parametrize(
    ("bank", "branch", "status"),
    [
        ("0130", "041", "笠間（カサマ）"),
        ("0001", "001", "東京営業部（トウキヨウ）"),
        ("0130", "999", "「常陽」にこの支店コードの支店はありません。"),
        ("", "041", "先に金融機関コードを入力してください。"),
        ("0130", "04", ""),
    ],
)
def test_branch_lookup(client: Client, bank: str, branch: str, status: str) -> None:
    params = {**bank_hx_vals("branch_code"), "bank_code": bank, "branch_code": branch}
    response = client.get("/banks/lookup/branch/", params)
    assert response.status_code == 200
    assert status in response.content.decode()


def test_branch_lookup_checks_its_parameters(client: Client) -> None:
    params = {**bank_hx_vals("branch_code"), "bank_field": "<b>"}
    assert client.get("/banks/lookup/branch/", params).status_code == 400
    assert client.get("/banks/lookup/bank/").status_code == 400


# --- Pickers --------------------------------------------------------------------------


def picker_vals(field: str, form: forms.Form | None = None) -> dict[str, str]:
    rendered = str((form or jp.BankAccountForm())[field])
    match = re.search(r'<input type="search"[^>]*hx-vals="([^"]*)"', rendered)
    assert match, rendered
    return dict(json.loads(html.unescape(match.group(1))))


def test_picker_is_hidden_until_htmx_reveals_it() -> None:
    rendered = str(jp.BankAccountForm()["bank_code"])
    assert '<details class="japanese-picker" data-japanese-needs-htmx hidden>' in rendered
    assert '<label for="id_bank_code_search">金融機関名（ひらがな・カタカナも可）</label>' in rendered
    # Not part of the form: Enter in the search box must not submit the application.
    assert 'form="id_bank_code_search_form"' in rendered
    # The lookup lives on a wrapper, so that filling the input keeps it.
    assert re.search(r'<span class="japanese-lookup" hx-get="/banks/lookup/bank/"[^>]*><input type="text"', rendered)


def test_bank_search_lists_buttons_that_fill_the_code(client: Client) -> None:
    response = client.get("/banks/search/", {**picker_vals("bank_code"), "bank_code__search": "じょうよう"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<span id="id_bank_code_picker_status" hx-swap-oob="innerHTML">1件見つかりました。</span>' in body
    match = re.search(
        r'<button type="button" class="japanese-picker__choice" hx-get="/banks/choose/" '
        r'hx-swap="none" hx-vals="([^"]*)">常陽（ジヨウヨウ） 0130</button>',
        body,
    )
    assert match, body
    choice = dict(json.loads(html.unescape(match.group(1))))
    assert choice["bank_code"] == "0130"
    chosen = client.get("/banks/choose/", choice).content.decode()
    assert chosen.startswith('<input type="text" name="bank_code" value="0130" class="japanese-code"')
    assert 'id="id_bank_code" hx-swap-oob="true">' in chosen
    assert "hx-get" not in chosen.split("<span")[0]
    assert '<span id="id_bank_code_status" hx-swap-oob="innerHTML">常陽（ジヨウヨウ）を選びました。</span>' in chosen


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("", ""),
        ("存在しない銀行", "見つかりませんでした。別の書き方でもお試しください。"),
        ("しんきん", "最初の30件を表示しています。続けて入力すると絞り込めます。"),
    ],
)
def test_bank_search_status(client: Client, query: str, status: str) -> None:
    body = client.get("/banks/search/", {**picker_vals("bank_code"), "bank_code__search": query}).content.decode()
    assert f'<span id="id_bank_code_picker_status" hx-swap-oob="innerHTML">{status}</span>' in body


def test_branch_search_in_the_bank_of_the_form(client: Client) -> None:
    params = {**picker_vals("branch_code"), "bank_code": "0130", "branch_code__search": "かさま"}
    body = client.get("/banks/branches/search/", params).content.decode()
    match = re.search(r'hx-vals="([^"]*)">笠間（カサマ） 041</button>', body)
    assert match, body
    choice = dict(json.loads(html.unescape(match.group(1))))
    chosen = client.get("/banks/choose/", choice).content.decode()
    assert 'name="branch_code" value="041"' in chosen
    assert "笠間（カサマ）を選びました。" in chosen


def test_branch_search_needs_a_bank(client: Client) -> None:
    params = {**picker_vals("branch_code"), "bank_code": "", "branch_code__search": "かさま"}
    body = client.get("/banks/branches/search/", params).content.decode()
    assert "先に金融機関コードを入力してください。" in body


def test_pickers_check_their_parameters(client: Client) -> None:
    assert client.get("/banks/search/", {"bank_code__search": "x"}).status_code == 400
    without_bank_field = {k: v for k, v in picker_vals("branch_code").items() if k != "bank_field"}
    assert client.get("/banks/branches/search/", without_bank_field).status_code == 400
    choice = {**picker_vals("bank_code")}
    assert client.get("/banks/choose/", {**choice, "bank_code": "0002"}).status_code == 400
    assert client.get("/banks/choose/", {**choice, "bank_code": "0130", "branch_code": "999"}).status_code == 400


def test_picker_in_english(client: Client) -> None:
    with translation.override("en"):
        vals = picker_vals("bank_code")
    body = client.get("/en/banks/search/", {**vals, "bank_code__search": "じょうよう"}).content.decode()
    assert ">1 found.</span>" in body
    choice = json.loads(html.unescape(re.findall(r'hx-vals="([^"]*)"', body)[0]))
    assert "Chosen: 常陽（ジヨウヨウ）." in client.get("/en/banks/choose/", choice).content.decode()
