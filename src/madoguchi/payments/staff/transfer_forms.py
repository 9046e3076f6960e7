"""Forms and filters of the account transfer screens (`staff.transfers`)."""

from __future__ import annotations

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.filters import WagtailFilterSet

from madoguchi.japanese.forms import (
    AccountHolderKanaField,
    AccountNumberField,
    AccountTypeField,
    BankAccountFormMixin,
    BankCodeField,
    BranchCodeField,
)

from ..models import BankAccount, BankAccountStatus, Item

RESULT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024


class BankAccountFilterSet(WagtailFilterSet):
    status = django_filters.ChoiceFilter(
        label=gettext_lazy("状態"), choices=BankAccountStatus.choices, empty_label=gettext_lazy("すべて")
    )
    bank_code = django_filters.CharFilter(label=gettext_lazy("金融機関コード"))

    class Meta:
        model = BankAccount
        fields: list[str] = []


class RegisterAccountForm(BankAccountFormMixin, forms.Form):
    payer_name = forms.CharField(label=gettext_lazy("納付者氏名・名称"), max_length=200)
    payer_number = forms.CharField(
        label=gettext_lazy("宛名番号"),
        max_length=20,
        help_text=gettext_lazy("税務システム等の宛名番号。この番号の納付書を振り替えます。"),
    )
    bank_code = BankCodeField()
    branch_code = BranchCodeField()
    account_type = AccountTypeField()
    account_number = AccountNumberField()
    account_holder_kana = AccountHolderKanaField()
    items = forms.MultipleChoiceField(
        label=gettext_lazy("振替する科目"), choices=Item.choices, widget=forms.CheckboxSelectMultiple
    )
    valid_from = forms.DateField(label=gettext_lazy("振替開始日"), widget=forms.DateInput(attrs={"type": "date"}))
    customer_number = forms.CharField(
        label=gettext_lazy("顧客番号"),
        max_length=20,
        required=False,
        help_text=gettext_lazy("20桁以内の数字。空欄なら自動で付けます。"),
    )

    @property
    def media(self) -> forms.Media:
        # htmx names the bank and branch while their codes are typed (and shows the
        # pickers); the console does not load it otherwise.
        return super().media + forms.Media(js=["vendor/htmx.min.js"])


class BatchForm(forms.Form):
    transfer_date = forms.DateField(
        label=gettext_lazy("振替日"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("この日までが納期限の未納の納付書を、登録された口座から振り替えます。"),
    )


class ResultFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("振替結果ファイル"),
        help_text=gettext_lazy("金融機関から受け取った全銀協形式（120バイト）の結果ファイル"),
    )

    def clean_file(self) -> bytes:
        upload = self.cleaned_data["file"]
        if upload.size > RESULT_UPLOAD_MAX_BYTES:
            raise ValidationError(_("ファイルが大きすぎます。"))
        return bytes(upload.read())
