"""allauth adapters: how madoguchi signs people up and in."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.http import HttpRequest
from django.urls import reverse

from .models import AccountKind


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if getattr(user, "is_superuser", False) or getattr(user, "staff_profile_or_none", None) is not None:
            return reverse("wagtailadmin_home")
        return super().get_login_redirect_url(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        user = super().save_user(request, user, form, commit=False)
        user.preferred_language = (getattr(request, "LANGUAGE_CODE", "ja") or "ja")[:2]
        if commit:
            user.save()
        return user


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect sign-in: the provider's settings say whether its accounts are
    residents (the digital authentication app) or businesses (gBizID)."""

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        user = super().populate_user(request, sociallogin, data)
        claims: dict[str, Any] = sociallogin.account.extra_data or {}
        if isinstance(claims.get("userinfo"), dict):
            claims = {**claims, **claims["userinfo"]}
        provider_settings = sociallogin.provider.app.settings or {}
        user.kind = AccountKind.BUSINESS if provider_settings.get("kind") == "business" else AccountKind.RESIDENT
        user.family_name = (claims.get("family_name") or "")[:50]
        user.given_name = (claims.get("given_name") or "")[:50]
        user.display_name = (claims.get("name") or "")[:100]
        if user.kind == AccountKind.BUSINESS:
            user.organisation_name = (claims.get("corp_name") or claims.get("organization") or "")[:200]
            user.corporate_number = (claims.get("corporate_number") or claims.get("corp_num") or "")[:13]
        user.preferred_language = (getattr(request, "LANGUAGE_CODE", "ja") or "ja")[:2]
        return user
