"""allauth adapters: how madoguchi signs people up and in.

- Sign-up with an e-mail address creates a resident or a business account from
  `forms.SignupForm`; the address must be verified before the first sign-in.
- Repeated failures lock the account out (`lockout`), with a message saying when to
  try again and one LOCKED_OUT entry in the audit log per lock-out.
- OpenID Connect sign-in creates a resident or a business account, depending on the
  provider's `kind`, from the provider's claims (`claims`).
- Staff land in the staff console; a second factor is required of them by
  `middleware.StaffSecondFactorMiddleware` and asked at every sign-in by allauth.mfa.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.utils import user_email
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from . import lockout
from .claims import account_claims, merged_claims
from .models import AccountKind


def _request_language(request: HttpRequest) -> str:
    language = (getattr(request, "LANGUAGE_CODE", "") or "ja")[:2]
    return language if language in ("ja", "en") else "ja"


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request: HttpRequest) -> str:
        if getattr(request.user, "is_staff_account", False):
            return reverse("wagtailadmin_home")
        return super().get_login_redirect_url(request)

    def save_user(self, request: HttpRequest, user: Any, form: Any, commit: bool = True) -> Any:
        """A new resident or business from the sign-up form (staff are created by their
        municipality's administrator, never through sign-up)."""
        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {})
        kind = data.get("kind")
        user.kind = AccountKind.BUSINESS if kind == AccountKind.BUSINESS else AccountKind.RESIDENT
        for field in ("family_name", "given_name", "family_name_kana", "given_name_kana"):
            if data.get(field):
                setattr(user, field, data[field])
        if user.kind == AccountKind.BUSINESS:
            user.organisation_name = data.get("organisation_name", "")
            user.corporate_number = data.get("corporate_number", "")
        user.preferred_language = (
            data.get("preferred_language") or user.preferred_language or _request_language(request)
        )
        if commit:
            user.save()
        return user

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        """allauth refuses the attempt once the `login_failed` limit is used up; say
        until when, and record the lock-out."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError:
            email = str(credentials.get("email", "")).lower()
            raise lockout.refuse(
                request,
                key=self._get_login_attempts_cache_key(request, **credentials),
                user=_user_by_email(email),
                email=email,
            ) from None

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Account e-mails go through the notification service: into the outbox, in the
        recipient's language, sent and retried by the task worker, with their links and
        codes kept out of what staff can read (madoguchi.notifications.account_mail)."""
        from madoguchi.notifications.account_mail import send_account_mail

        if send_account_mail(template_prefix, email, context) is None:
            super().send_mail(template_prefix, email, context)


def _user_by_email(email: str) -> Any:
    from .models import User

    return User.objects.filter(email__iexact=email).first() if email else None


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect sign-in: the provider's settings say whether its accounts are
    residents (the digital authentication app) or businesses (gBizID)."""

    def populate_user(self, request: HttpRequest, sociallogin: Any, data: dict[str, Any]) -> Any:
        # allauth's own population writes first_name/last_name from generic fields, which
        # for gBizID would put the company's name in the person's name.
        user = sociallogin.user
        provider_settings = sociallogin.provider.app.settings or {}
        mapped = account_claims(
            provider_settings.get("kind", "resident"), merged_claims(sociallogin.account.extra_data)
        )
        user_email(user, mapped.email or "")
        user.kind = AccountKind.BUSINESS if mapped.kind == "business" else AccountKind.RESIDENT
        user.family_name = mapped.family_name
        user.given_name = mapped.given_name
        user.family_name_kana = mapped.family_name_kana
        user.given_name_kana = mapped.given_name_kana
        user.display_name = mapped.display_name
        user.organisation_name = mapped.organisation_name
        user.corporate_number = mapped.corporate_number
        user.preferred_language = mapped.preferred_language or _request_language(request)
        return user

    def get_requests_session(self) -> Any:
        """allauth's requests to providers; clients configured for private_key_jwt
        authenticate at the token endpoint with a signed assertion (client_assertion)."""
        from allauth.socialaccount import app_settings as socialaccount_settings

        from .client_assertion import ClientAssertionSession, ClientKey

        keys = {}
        for app in self.list_apps(None, provider="openid_connect"):
            key = (app.settings or {}).get("client_assertion_key")
            if key:
                keys[app.client_id] = ClientKey(pem=key["pem"], key_id=key.get("key_id", ""))
        return ClientAssertionSession(keys, timeout=socialaccount_settings.REQUESTS_TIMEOUT)

    def pre_social_login(self, request: HttpRequest, sociallogin: Any) -> None:
        provider_settings = sociallogin.provider.app.settings or {}
        if provider_settings.get("email_verified") and not sociallogin.is_existing:
            # The deployment vouches for this provider's addresses (gBizID: the account
            # ID is the e-mail address, verified when the account was made).
            for address in sociallogin.email_addresses:
                address.verified = True
        user = request.user
        if user.is_authenticated and getattr(user, "is_staff_account", False):
            # Staff sign in with their password and second factor only.
            messages.error(request, _("職員のアカウントには外部の認証サービスを連携できません。"))
            raise ImmediateHttpResponse(redirect("accounts:home"))
        if sociallogin.is_existing and getattr(sociallogin.user, "is_staff_account", False):
            messages.error(request, _("職員の方はメールアドレスとパスワードでサインインしてください。"))
            raise ImmediateHttpResponse(redirect("account_login"))


class MFAAdapter(DefaultMFAAdapter):
    def can_delete_authenticator(self, authenticator: Any) -> bool:
        """Staff keep at least one second factor: the last one cannot be removed (adding a
        security key first, then removing the authenticator app, is fine)."""
        from allauth.mfa.models import Authenticator

        from .middleware import SECOND_FACTORS

        user = authenticator.user
        if not getattr(user, "is_staff_account", False) or authenticator.type not in SECOND_FACTORS:
            return True
        others = Authenticator.objects.filter(user=user, type__in=SECOND_FACTORS).exclude(pk=authenticator.pk)
        return others.exists()
