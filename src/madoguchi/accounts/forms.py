from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["family_name", "given_name", "family_name_kana", "given_name_kana", "display_name", "preferred_language"]


class AccountDeleteForm(forms.Form):
    password = forms.CharField(label=_("パスワード"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}), required=False)
    confirm = forms.BooleanField(label=_("アカウントと登録内容を削除することを確認しました"))

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self) -> str:
        password = self.cleaned_data.get("password", "")
        if not self.user.check_password(password):
            raise forms.ValidationError(_("パスワードが正しくありません。"))
        return password
