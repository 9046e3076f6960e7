"""Forms of sign-up, the profile, account deletion and the second-factor step."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import SignupForm as AllauthSignupForm
from allauth.mfa.base.forms import AuthenticateForm
from allauth.socialaccount.forms import SignupForm as AllauthSocialSignupForm
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from madoguchi.japanese.checkdigits import validate_corporate_number

from . import lockout
from .claims import is_kana, normalise_corporate_number, normalise_kana
from .models import AccountKind, User
from .services import PROFILE_FIELDS

LANGUAGE_CHOICES = [("ja", "日本語"), ("en", "English")]
SIGNUP_KINDS = [
    (AccountKind.RESIDENT.value, _("個人（住民の方など）")),
    (AccountKind.BUSINESS.value, _("事業者（法人・個人事業主・団体）")),
]


def clean_kana(value: str) -> str:
    value = normalise_kana(value)
    if value and not is_kana(value):
        raise ValidationError(_("フリガナはカタカナで入力してください。"), code="kana")
    return value


def clean_corporate_number(value: str) -> str:
    value = normalise_corporate_number(value)
    if value:
        validate_corporate_number(value)
    return value


class NameFieldsMixin(forms.Form):
    """Names with their katakana readings (フリガナ)."""

    family_name = forms.CharField(
        label=_("姓"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    given_name = forms.CharField(
        label=_("名"), max_length=50, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    family_name_kana = forms.CharField(
        label=_("姓（フリガナ）"),
        max_length=50,
        required=False,
        help_text=_("カタカナで入力してください（ひらがなで入力しても自動で変換します）。"),
    )
    given_name_kana = forms.CharField(
        label=_("名（フリガナ）"),
        max_length=50,
        required=False,
        help_text=_("カタカナで入力してください（ひらがなで入力しても自動で変換します）。"),
    )

    def clean_family_name_kana(self) -> str:
        return clean_kana(self.cleaned_data.get("family_name_kana", ""))

    def clean_given_name_kana(self) -> str:
        return clean_kana(self.cleaned_data.get("given_name_kana", ""))


def _without_placeholders(form: forms.Form) -> None:
    # Every field has a visible label; a placeholder repeating it only looks like a
    # filled-in value to some readers.
    for field in form.fields.values():
        field.widget.attrs.pop("placeholder", None)


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, labelled like the rest of the site (`ACCOUNT_FORMS["login"]`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("メールアドレス")
        # The sign-in page links to the password reset itself.
        self.fields["password"].help_text = ""
        _without_placeholders(self)


class SignupForm(NameFieldsMixin, AllauthSignupForm):
    """Sign-up of a resident or a business (`ACCOUNT_FORMS["signup"]`)."""

    kind = forms.ChoiceField(
        label=_("利用者の区分"), choices=SIGNUP_KINDS, initial=AccountKind.RESIDENT.value, widget=forms.RadioSelect
    )
    organisation_name = forms.CharField(
        label=_("事業者名"),
        max_length=200,
        required=False,
        help_text=_("法人名、屋号または団体名"),
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )
    corporate_number = forms.CharField(
        label=_("法人番号"),
        max_length=20,
        required=False,
        help_text=_("法人の方は13桁の法人番号を入力してください。個人事業主・団体の方は空欄で構いません。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("お知らせの言語"),
        choices=LANGUAGE_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("メールなどでお知らせするときに使う言語です。"),
    )

    field_order = [
        "kind",
        "organisation_name",
        "corporate_number",
        "family_name",
        "given_name",
        "family_name_kana",
        "given_name_kana",
        "email",
        "password1",
        "password2",
        "preferred_language",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Notifications in the language the person signs up in, unless they choose another.
        language = (get_language() or "ja")[:2]
        self.fields["preferred_language"].initial = language if language in ("ja", "en") else "ja"
        self.fields["email"].label = _("メールアドレス")
        self.fields["email"].help_text = _("確認のためのメールを送ります。サインインにも使います。")
        _without_placeholders(self)

    def clean_corporate_number(self) -> str:
        return clean_corporate_number(self.cleaned_data.get("corporate_number", ""))

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        if cleaned.get("kind") == AccountKind.BUSINESS:
            if not cleaned.get("organisation_name", "").strip():
                self.add_error("organisation_name", _("事業者として登録するときは事業者名を入力してください。"))
        else:
            # A resident has no business details, whatever the form carried.
            cleaned["organisation_name"] = ""
            cleaned["corporate_number"] = ""
        return cleaned


class SocialSignupForm(AllauthSocialSignupForm):
    """The address asked of someone whose OpenID Connect provider gave none
    (`SOCIALACCOUNT_FORMS["signup"]`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["email"].label = _("メールアドレス")
        self.fields["email"].help_text = ""
        _without_placeholders(self)


class ProfileForm(NameFieldsMixin, forms.ModelForm):
    organisation_name = forms.CharField(label=_("事業者名"), max_length=200, help_text=_("法人名、屋号または団体名"))
    corporate_number = forms.CharField(
        label=_("法人番号"),
        max_length=20,
        required=False,
        help_text=_("法人の方は13桁の法人番号を入力してください。個人事業主・団体の方は空欄で構いません。"),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("お知らせの言語"), choices=LANGUAGE_CHOICES, widget=forms.RadioSelect
    )

    class Meta:
        model = User
        # What a person may change of their own account is decided in one place.
        fields = list(PROFILE_FIELDS)
        help_texts = {"display_name": _("画面やお知らせで呼びかけるときの名前です（任意）。")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.kind != AccountKind.BUSINESS:
            # Only businesses have business details.
            del self.fields["organisation_name"]
            del self.fields["corporate_number"]
        _without_placeholders(self)

    def clean_corporate_number(self) -> str:
        return clean_corporate_number(self.cleaned_data.get("corporate_number", ""))


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("現在のパスワード"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    confirm = forms.BooleanField(label=_("アカウントと登録内容を削除することを確認しました"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            # Accounts made through an OpenID Connect provider have no password; they
            # confirm by signing in again (reauthentication) instead.
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if not self.user.check_password(password):
            raise ValidationError(_("パスワードが正しくありません。"), code="password")
        return password


class SecondFactorForm(AuthenticateForm):
    """The second-factor step of sign-in (`MFA_FORMS["authenticate"]`): wrong codes count
    towards the same lock-out as wrong passwords, with the same message."""

    def clean_code(self) -> str:
        try:
            return super().clean_code()
        except ValidationError as exc:
            if getattr(exc, "code", None) != "too_many_login_attempts":
                raise
            from allauth.core import context

            raise lockout.refuse(
                context.request, key=f"mfa-auth-user-{self.user.pk}", user=self.user, stage="second_factor"
            ) from None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["code"].label = _("確認コード")
        self.fields["code"].help_text = _("認証アプリの6桁のコード、またはリカバリーコード")
        self.fields["code"].widget.attrs.update({"inputmode": "numeric", "autocomplete": "one-time-code"})
        _without_placeholders(self)
