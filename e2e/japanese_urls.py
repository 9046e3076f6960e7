"""URLs for e2e/test_japanese_inputs.py: the project's URLs plus a small form page that
only this test serves, showing the Japanese input fields as a module would use them."""

from __future__ import annotations

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from madoguchi import urls as project_urls
from madoguchi.japanese import forms as jp

PAGE = engines["django"].from_string(
    """{% extends "base.html" %}{% load i18n %}
{% block title %}日本語入力の確認 | madoguchi{% endblock %}
{% block extra_head %}{{ form.media }}{% endblock %}
{% block content %}
<div class="container">
<h1>日本語入力の確認</h1>
{% if cleaned %}
<h2 id="result">受け付けた内容</h2>
<dl>{% for name, value in cleaned %}<dt>{{ name }}</dt><dd data-field="{{ name }}">{{ value }}</dd>{% endfor %}</dl>
{% endif %}
<form method="post" class="form" novalidate>{% csrf_token %}
{% for field in form %}<div class="form-field">{{ field.as_field_group }}</div>{% endfor %}
<button type="submit" class="button">送信</button>
</form>
</div>
{% endblock %}"""
)


class ResidentForm(jp.BankAccountFormMixin, forms.Form):
    postal_code = jp.PostalCodeField(
        label="郵便番号", autofill={"prefecture": "prefecture", "city": "city", "town": "town"}
    )
    prefecture = forms.CharField(
        label="都道府県", max_length=10, widget=forms.TextInput(attrs={"autocomplete": "address-level1"})
    )
    city = forms.CharField(
        label="市区町村", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "address-level2"})
    )
    town = jp.AddressField(label="町域・番地", max_length=100)
    name_kana = jp.KatakanaField(label="氏名（フリガナ）", max_length=50)
    birth_date = jp.WarekiDateField(label="生年月日")
    phone = jp.JapanesePhoneField(label="電話番号")
    bank_code = jp.BankCodeField(required=False)
    branch_code = jp.BranchCodeField(required=False)
    account_number = jp.AccountNumberField(required=False)
    account_holder_kana = jp.AccountHolderKanaField(required=False)


def resident_form(request: HttpRequest) -> HttpResponse:
    form = ResidentForm(request.POST or None)
    cleaned = None
    if request.method == "POST" and form.is_valid():
        cleaned = [(name, form.cleaned_data[name]) for name in form.fields]
    return HttpResponse(PAGE.render({"form": form, "cleaned": cleaned}, request))


urlpatterns = [
    path("japanese-form/", resident_form),
    *project_urls.urlpatterns,
]
handler400 = project_urls.handler400
handler403 = project_urls.handler403
handler404 = project_urls.handler404
handler500 = project_urls.handler500
