"""Fields of a bank account (口座振替, refunds): bank and branch codes checked against the
Zengin table, account type and number, and the account holder in Zengin kana."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .. import autofill, banks
from ..kana import describe_characters
from ..normalize import normalize_digits
from ..widgets import LookupInput, Picker
from ..zengin_kana import ZENGIN_NAME_LENGTH, ZenginKanaError, to_zengin_kana


def _code_input(length: int) -> LookupInput:
    return LookupInput(
        attrs={
            "class": "japanese-code",
            "inputmode": "numeric",
            "autocomplete": "off",
            "spellcheck": "false",
            "size": str(length + 2),
            "maxlength": str(length),
        }
    )


def _lookup_attrs(bound_field: BoundField, url_name: str, include: str, **extra_values: str) -> dict[str, Any]:
    description = autofill.encode(bound_field.html_name, f"{bound_field.auto_id}_status")
    return {
        "hx-get": reverse(url_name),
        "hx-trigger": "input delay:300ms",
        "hx-include": include,
        "hx-swap": "none",
        "hx-sync": "this:replace",
        "hx-vals": json.dumps({"autofill": description, **extra_values}, ensure_ascii=False),
    }


def _picker_vals(bound_field: BoundField, own_attrs: dict[str, Any], **extra_values: str) -> str:
    """hx-vals of a picker's search: its own parameter, its status region, and the code
    input that a chosen result fills (described as it is rendered, without the lookup)."""
    target = autofill.FillTarget(
        part="code",
        id=str(bound_field.auto_id),
        name=bound_field.html_name,
        attrs=autofill.clean_attrs({**bound_field.field.widget.attrs, **own_attrs}),
    )
    description = autofill.encode(f"{bound_field.html_name}__search", f"{bound_field.auto_id}_picker_status", [target])
    return json.dumps({"autofill": description, **extra_values}, ensure_ascii=False)


def bank_status(bank: banks.Bank) -> str:
    return f"{bank.name}（{bank.kana}）"


def branch_status(branch: banks.Branch) -> str:
    return f"{branch.name}（{branch.kana}）"


class BankCodeBoundField(BoundField):
    """Names the bank in the status region while the code is typed, and offers a search
    by name (see `views.bank_search`)."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = dict[str, Any](super().build_widget_attrs(attrs, widget))
        if self.auto_id:
            own = dict(attrs)
            attrs.update(_lookup_attrs(self, "banks:bank-lookup", include=f"#{self.auto_id}"))
            attrs["data-picker"] = Picker(
                summary=_("金融機関を名前で探す"),
                label=_("金融機関名（ひらがな・カタカナも可）"),
                url=reverse("banks:bank-search"),
                vals=_picker_vals(self, own),
            )
        bank = banks.get_bank(str(self.value() or ""))
        if bank is not None:
            attrs["data-lookup-status"] = bank_status(bank)
        return attrs


class BranchCodeBoundField(BoundField):
    """Names the branch of the bank typed into the same form, and offers a search of that
    bank's branches by name."""

    def build_widget_attrs(self, attrs: dict[str, Any], widget: forms.Widget | None = None) -> dict[str, Any]:
        attrs = dict[str, Any](super().build_widget_attrs(attrs, widget))
        field = self.field
        assert isinstance(field, BranchCodeField)
        if field.bank_field not in self.form.fields:
            return attrs
        bank_bound = self.form[field.bank_field]
        if self.auto_id and bank_bound.auto_id:
            own = dict(attrs)
            include = f"#{self.auto_id}, #{bank_bound.auto_id}"
            attrs.update(_lookup_attrs(self, "banks:branch-lookup", include=include, bank_field=bank_bound.html_name))
            attrs["data-picker"] = Picker(
                summary=_("支店コードを支店名で探す"),
                label=_("支店名（ひらがな・カタカナも可）"),
                url=reverse("banks:branch-search"),
                vals=_picker_vals(self, own, bank_field=bank_bound.html_name),
                include=f"#{bank_bound.auto_id}",
            )
        branch = banks.get_branch(str(bank_bound.value() or ""), str(self.value() or ""))
        if branch is not None:
            attrs["data-lookup-status"] = branch_status(branch)
        return attrs


class BankCodeField(forms.CharField):
    """金融機関コード, 4 digits, of a bank in the Zengin table; cleaned to the code."""

    bound_field_class = BankCodeBoundField

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", _code_input(4))
        kwargs.setdefault("label", _("金融機関コード"))
        kwargs.setdefault("help_text", _("4桁の数字。通帳やキャッシュカードに記載されています。"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalize_digits(value) if value not in self.empty_values else value

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value not in self.empty_values:
            banks.validate_bank_code(value)


class BranchCodeField(forms.CharField):
    """支店コード (店番), 3 digits. Whether the bank has the branch is checked by the
    form (`BankAccountFormMixin`), which knows the bank: `bank_field` names that field."""

    bound_field_class = BranchCodeBoundField

    def __init__(self, *, bank_field: str = "bank_code", **kwargs: Any) -> None:
        self.bank_field = bank_field
        kwargs.setdefault("widget", _code_input(3))
        kwargs.setdefault("label", _("支店コード（店番）"))
        kwargs.setdefault("help_text", _("3桁の数字"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return normalize_digits(value) if value not in self.empty_values else value

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value not in self.empty_values:
            banks.validate_branch_code_format(value)


class AccountTypeField(forms.ChoiceField):
    """預金種目: 普通 (1), 当座 (2), 貯蓄 (4), the Zengin codes."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("choices", banks.AccountType.choices)
        kwargs.setdefault("widget", forms.RadioSelect)
        kwargs.setdefault("label", _("預金種目"))
        kwargs.setdefault("initial", banks.AccountType.ORDINARY)
        super().__init__(**kwargs)


class AccountNumberField(forms.CharField):
    """口座番号, up to 7 digits; cleaned to 7 digits with leading zeros."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "class": "japanese-code",
                    "inputmode": "numeric",
                    "autocomplete": "off",
                    "maxlength": "7",
                    "size": "9",
                }
            ),
        )
        kwargs.setdefault("label", _("口座番号"))
        kwargs.setdefault("help_text", _("7桁以内の数字"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return banks.normalize_account_number(value) if value not in self.empty_values else value


class AccountHolderKanaField(forms.CharField):
    """口座名義 (カナ), converted to the half-width kana of Zengin files: 'やまだ　たろう'
    → 'ﾔﾏﾀﾞ ﾀﾛｳ' (see `zengin_kana`). Characters that cannot be written are named in
    the error; at most 30 characters after conversion (ﾞ and ﾟ count)."""

    default_error_messages = {
        "characters": _(
            "口座名義に使えない文字があります：%(characters)s。"
            "カタカナ・英大文字・数字・スペースと ( ) . - / で入力してください。"
        ),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", ZENGIN_NAME_LENGTH)
        kwargs.setdefault("label", _("口座名義（カナ）"))
        kwargs.setdefault("help_text", _("通帳に記載のとおりカタカナで入力してください（例：ヤマダ タロウ）。"))
        super().__init__(**kwargs)
        # What residents type is longer than the converted name (ガ → ｶﾞ is shorter
        # typed than stored, full-width spaces collapse), so the input is not limited.
        self.widget.attrs.pop("maxlength", None)
        self.widget.attrs.update({"lang": "ja", "spellcheck": "false", "autocomplete": "off"})

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        try:
            return to_zengin_kana(value)
        except ZenginKanaError as error:
            raise ValidationError(
                self.error_messages["characters"],
                code="characters",
                params={"characters": describe_characters(error.characters)},
            ) from None


class BankAccountFormMixin:
    """Checks every BranchCodeField against the bank of its `bank_field` in `clean()`."""

    def clean(self) -> dict[str, Any] | None:
        cleaned: dict[str, Any] | None = super().clean()  # type: ignore[misc]
        form: Any = self
        for name, field in form.fields.items():
            if not isinstance(field, BranchCodeField):
                continue
            bank_code = form.cleaned_data.get(field.bank_field)
            branch_code = form.cleaned_data.get(name)
            if not bank_code or not branch_code:
                continue
            try:
                banks.validate_branch(bank_code, branch_code)
            except ValidationError as error:
                form.add_error(name, error)
        return cleaned


class BankAccountForm(BankAccountFormMixin, forms.Form):
    """A bank account as 口座振替 and refunds need it. Use as it is, with a prefix, or
    copy its fields into a larger form with the mixin."""

    bank_code = BankCodeField()
    branch_code = BranchCodeField()
    account_type = AccountTypeField()
    account_number = AccountNumberField()
    account_holder_kana = AccountHolderKanaField()
