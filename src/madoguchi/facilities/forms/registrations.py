"""Forms of 利用者登録: the individual and group applications (with the group's member
list as rows of a formset that works without JavaScript), the resident's contact details,
and the staff's decisions and limits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from madoguchi.japanese.forms.address import PostalCodeField
from madoguchi.japanese.forms.text import (
    AddressField,
    JapanesePhoneField,
    KatakanaField,
    NameField,
    NormalizedEmailField,
)

from ..models import Registration
from ..services import registrations as service

KANA_HELP = _("カタカナで入力してください（ひらがなで入力しても自動で変換します）。")
#: Empty member rows shown on the group form; a button adds more without JavaScript.
MEMBER_ROWS = 5
MEMBER_ROWS_STEP = 5


class ContactForm(forms.Form):
    """連絡先: what the resident may change after approval too."""

    postal_code = PostalCodeField(label=_("郵便番号"), must_exist=False, autofill={"address": "address"})
    address = AddressField(label=_("住所"), max_length=200, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    phone = JapanesePhoneField(label=_("電話番号"), help_text=_("日中に連絡のつく番号（例：0296-77-1101）"))
    email = NormalizedEmailField(
        label=_("メールアドレス"), max_length=254, help_text=_("審査の結果や予約のお知らせを送ります。")
    )

    @classmethod
    def for_registration(cls, registration: Registration, data: Any = None) -> ContactForm:
        return cls(data, initial={key: getattr(registration, key) for key in service.CONTACT_FIELDS})


class IndividualForm(ContactForm):
    """個人登録."""

    name = NameField(label=_("氏名"), max_length=120)
    name_kana = KatakanaField(label=_("氏名（フリガナ）"), max_length=200, help_text=KANA_HELP)
    is_resident = forms.BooleanField(
        label=_("市内に住んでいる、または市内の職場・学校に通っている"),
        required=False,
        help_text=_("市内在住・在勤・在学の方は市内料金で利用できます。"),
    )
    agree = forms.BooleanField(
        label=_("利用規則を守り、登録内容に誤りがないことを確認しました"),
        error_messages={"required": _("確認のチェックを入れてください。")},
    )

    field_order = ["name", "name_kana", "postal_code", "address", "phone", "email", "is_resident", "agree"]

    def registration_data(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key in service.DATA_FIELDS}


class GroupForm(ContactForm):
    """団体登録: the group, its representative (代表者) and how many members it has."""

    name = forms.CharField(label=_("団体名"), max_length=120)
    name_kana = KatakanaField(label=_("団体名（フリガナ）"), max_length=200, help_text=KANA_HELP)
    representative_name = NameField(label=_("代表者氏名"), max_length=80)
    representative_name_kana = KatakanaField(label=_("代表者氏名（フリガナ）"), max_length=160, help_text=KANA_HELP)
    activity = forms.CharField(label=_("主な活動内容"), max_length=200, help_text=_("例：バドミントン、合唱"))
    member_count = forms.IntegerField(
        label=_("構成員数（代表者を含む）"),
        required=False,
        min_value=service.MIN_GROUP_MEMBERS,
        max_value=10000,
        help_text=_("下の名簿に構成員を入力した場合は、名簿の人数で登録します。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    resident_member_count = forms.IntegerField(
        label=_("うち市内在住・在勤・在学の人数"),
        required=False,
        min_value=0,
        max_value=10000,
        help_text=_("構成員の半数以上が市内在住・在勤・在学の団体は市内料金で利用できます。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    agree = forms.BooleanField(
        label=_("利用規則を守り、登録内容に誤りがないことを確認しました"),
        error_messages={"required": _("確認のチェックを入れてください。")},
    )

    field_order = [
        "name",
        "name_kana",
        "activity",
        "representative_name",
        "representative_name_kana",
        "postal_code",
        "address",
        "phone",
        "email",
        "member_count",
        "resident_member_count",
        "agree",
    ]

    def registration_data(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key in service.DATA_FIELDS}


class MemberForm(forms.Form):
    """One row of the member list (名簿); an empty row is ignored."""

    name = NameField(label=_("氏名"), max_length=80, required=False)
    name_kana = KatakanaField(label=_("フリガナ"), max_length=160, required=False)
    is_resident = forms.BooleanField(label=_("市内在住・在勤・在学"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("name") and (data.get("name_kana") or data.get("is_resident")):
            raise ValidationError(_("氏名を入力してください。"))
        return data


class BaseMemberFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def rows(self) -> list[dict[str, Any]]:
        return [form.cleaned_data for form in self.forms if form.cleaned_data.get("name")]


MemberFormSet = forms.formset_factory(
    MemberForm, formset=BaseMemberFormSet, extra=MEMBER_ROWS, max_num=service.MAX_MEMBERS, validate_max=True
)


def member_formset(data: Any = None) -> BaseMemberFormSet:
    """The member rows: `MEMBER_ROWS` empty ones on a fresh form, else those posted."""
    return MemberFormSet(data, prefix="members")  # type: ignore[return-value]


def with_more_rows(data: Any) -> BaseMemberFormSet:
    """The rows as typed, and `MEMBER_ROWS` empty ones more (the 「入力欄を増やす」 button,
    which works without JavaScript). Unbound: nothing is checked before 「申請する」."""
    try:
        total = min(int(data.get("members-TOTAL_FORMS") or 0), service.MAX_MEMBERS)
    except ValueError:
        total = 0
    rows = []
    for i in range(total):
        name = str(data.get(f"members-{i}-name") or "").strip()
        kana = str(data.get(f"members-{i}-name_kana") or "").strip()
        if name or kana:
            rows.append({"name": name, "name_kana": kana, "is_resident": bool(data.get(f"members-{i}-is_resident"))})
    return MemberFormSet(prefix="members", initial=rows)  # type: ignore[return-value]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("申請者にメールで知らせます。"),
    )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("申請者へのお知らせ（任意）"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class LimitsForm(forms.Form):
    max_active_bookings = forms.IntegerField(
        label=_("同時に持てる予約の上限"), min_value=0, max_value=200, help_text=_("0 は上限なし。")
    )
    max_lottery_entries_per_month = forms.IntegerField(
        label=_("抽選申込の上限（1か月あたり）"), min_value=0, max_value=100, help_text=_("0 は上限なし。")
    )
